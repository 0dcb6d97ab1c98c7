"""Discovery on the real lab, then the deploy with nothing but the discovered data.

The inventory here has the lab's connection data and the two keys that are policy rather
than facts (the lab's guests ignore ACPI shutdown: wait 5 s, then destroy); every other
ovs_hv_* value comes from `pyinfra INVENTORY discover.py`, written to a temporary host_data
directory (OVS_HV_HOST_DATA), which the same inventory then reads for `deploy.py`.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from tests.integration.labctl import PYINFRA, ROOT, hv, snapshot

pytestmark = pytest.mark.integration

LAB_HOST = f"{os.environ.get('OVSLAB_PREFIX', 'ovslab')}-hv1"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary inventory (connection data only) and host_data directory."""
    base = tmp_path_factory.mktemp("discover")
    (base / "host_data").mkdir()
    (base / "inventory.py").write_text(
        textwrap.dedent(
            f"""
            import runpy
            base = runpy.run_path({str(ROOT / "inventory.py")!r})
            _hosts, _lab_data = base["lab"]
            name = _hosts[0][0]
            connection = {{k: v for k, v in _lab_data.items() if not k.startswith("ovs_hv_")}}
            policy = {{"ovs_hv_stop_timeout": 5, "ovs_hv_destroy_on_timeout": True}}
            hypervisors = [(name, {{**connection, **policy}})]
            """
        )
    )
    return base


def run(
    workdir: Path, deploy: str, *args: str, host_data: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OVS_HV_HOST_DATA": str(host_data or workdir / "host_data"),
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    return subprocess.run(
        [str(PYINFRA), *args, str(workdir / "inventory.py"), deploy],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def out(run_: subprocess.CompletedProcess[str]) -> str:
    return run_.stdout + run_.stderr


def test_inventory_has_no_discoverable_data(workdir: Path) -> None:
    env = {**os.environ, "OVS_HV_HOST_DATA": str(workdir / "host_data")}
    old = os.environ.copy()
    os.environ.update(env)
    try:
        inv = runpy.run_path(str(workdir / "inventory.py"))
    finally:
        os.environ.clear()
        os.environ.update(old)
    _, data = inv["hypervisors"][0]
    assert sorted(k for k in data if k.startswith("ovs_hv_")) == [
        "ovs_hv_destroy_on_timeout",
        "ovs_hv_stop_timeout",
    ]


def test_bad_input_writes_nothing_and_names_file_and_line(
    legacy_lab: dict[str, str], workdir: Path, tmp_path: Path
) -> None:
    hv("cp -a /etc/network/interfaces /etc/network/interfaces.discover-test")
    hv("sed -i 's/bridge_ports vlan1012$/bridge_ports vlan1012 vlan102/' /etc/network/interfaces")
    try:
        line = hv("grep -n 'bridge_ports vlan1012 vlan102' /etc/network/interfaces").split(":")[0]
        result = run(workdir, "discover.py", "-y", host_data=tmp_path)
    finally:
        hv("mv /etc/network/interfaces.discover-test /etc/network/interfaces")
    text = out(result)
    assert result.returncode != 0, text
    assert (
        f"/etc/network/interfaces:{line}: bridge bridge1012 has 2 VLAN ports (vlan1012 "
        "(VLAN 1012), vlan102 (VLAN 102))" in text
    ), text
    assert "; fix: give each VLAN its own bridge" in text
    assert f"no host data is written for {LAB_HOST}" in text
    assert list(tmp_path.iterdir()) == []
    assert snapshot() == legacy_lab


def test_dry_run_prints_the_plan_and_writes_nothing(
    legacy_lab: dict[str, str], workdir: Path, tmp_path: Path
) -> None:
    result = run(workdir, "discover.py", "--dry", host_data=tmp_path)
    text = out(result)
    assert result.returncode == 0, text
    assert f"will write {tmp_path}/{LAB_HOST}.py" in text
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def discovered(legacy_lab: dict[str, str], workdir: Path) -> str:
    started = time.monotonic()
    result = run(workdir, "discover.py", "-y")
    print(f"\ndiscovery: {time.monotonic() - started:.1f}s")
    assert result.returncode == 0, out(result)
    assert snapshot() == legacy_lab  # read-only
    return out(result)


def test_discovery_prints_the_plan(discovered: str, workdir: Path) -> None:
    for needle in (
        f"Discovery of {LAB_HOST}",
        "uplink      eth0",
        "datapath    netdev: no openvswitch kernel module",
        "1011  bridge1011 <- vlan1011  [/etc/network/interfaces:",
        "management  VLAN 1234: bridge1234 -> OVS port vlan1234",
        "IPv4 192.0.2.10/24 (live: same)",
        "gateway 192.0.2.1, DNS 192.0.2.53",
        "vm-off (shut off)",
        "-> access VLAN 1012  (bridge1012 carries VLAN 1012)",
        "warnings (1)",
        f"wrote {workdir / 'host_data' / LAB_HOST}.py",
    ):
        assert needle in discovered, discovered


def test_discovery_writes_the_host_data(discovered: str, workdir: Path) -> None:
    path = workdir / "host_data" / f"{LAB_HOST}.py"
    data = {k: v for k, v in runpy.run_path(str(path)).items() if k.startswith("ovs_hv_")}
    assert data["ovs_hv_mgmt_vlan"] == 1234
    assert data["ovs_hv_mgmt_ipv4"] == "192.0.2.10/24"
    assert data["ovs_hv_datapath_type"] == "netdev"
    assert data["ovs_hv_uplinks"] == ["eth0"]
    assert data["ovs_hv_domains"]["vm-multi"] == {
        "52:54:00:aa:bb:04": {"vlan": 1011},
        "52:54:00:aa:bb:05": {"vlan": 1012},
    }
    assert sorted(data["ovs_hv_domains"]) == [
        "vm-access",
        "vm-hybrid",
        "vm-multi",
        "vm-off",
        "vm-trunk",
    ]


def test_rediscovery_changes_nothing(discovered: str, workdir: Path) -> None:
    path = workdir / "host_data" / f"{LAB_HOST}.py"
    before = path.read_text()
    result = run(workdir, "discover.py", "-y")
    assert result.returncode == 0, out(result)
    assert f"{path} is up to date" in out(result)
    assert path.read_text() == before


@pytest.fixture(scope="module")
def migrated(discovered: str, workdir: Path) -> str:
    started = time.monotonic()
    result = run(workdir, "deploy.py", "-y")
    print(f"\ndeploy with discovered data: {time.monotonic() - started:.1f}s")
    assert result.returncode == 0, out(result)
    return out(result)


def test_deploy_with_discovered_data_migrates_and_verifies(migrated: str) -> None:
    assert re.search(r"Verify the switch against the data\s+1\s+1\s+-", migrated), migrated
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
    assert "192.0.2.10/24" in hv("ip -br addr show dev vlan1234")
    assert not re.search(r"^bridge\d+", hv("ip -br link"), re.M)
    for dom, tag in (("vm-access", 1011), ("vm-hybrid", 101), ("vm-off", 1012)):
        assert f"<tag id='{tag}'/>" in hv(f"virsh dumpxml --inactive {dom}")
    ports = hv("ovs-vsctl --format=csv --no-headings --columns=name,tag list Port")
    assert "vlan1234,1234" in ports


def test_discovery_after_the_migration_skips_the_host(migrated: str, workdir: Path) -> None:
    path = workdir / "host_data" / f"{LAB_HOST}.py"
    before = path.read_text()
    result = run(workdir, "discover.py", "-y")
    assert result.returncode == 0, out(result)
    assert "skipped     already on Open vSwitch" in out(result)
    assert path.read_text() == before
    second = run(workdir, "deploy.py", "-y")
    assert second.returncode == 0, out(second)
    assert "Will " not in out(second)
