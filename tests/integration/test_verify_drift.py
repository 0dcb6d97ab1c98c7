"""`pyinfra inventory.py verify.py` on the real lab: clean after the migration, then each drift
an admin can cause by hand is reported precisely and makes verify exit non-zero.

The drift steps are cumulative (one lab, in file order): a VM port's tag changed with
ovs-vsctl, then the uplink port deleted, then ovs-vswitchd stopped.  Without the uplink (or
vswitchd) the management address is unreachable, so those steps reach the hypervisor out of
band (SSH into its network namespace, like a console).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.driftctl import (
    LAB_HOST,
    differences,
    host_report,
    out_of_band_ssh_config,
    verify,
)
from tests.integration.labctl import fresh_lab, hv, pyinfra

pytestmark = pytest.mark.integration

ACCESS_MAC = "52:54:00:aa:bb:01"


@pytest.fixture(scope="module")
def migrated_lab() -> Iterator[None]:
    with fresh_lab():
        run = pyinfra()
        assert run.returncode == 0, run.stdout + run.stderr
        yield


@pytest.fixture(scope="module")
def oob(migrated_lab: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    return out_of_band_ssh_config(tmp_path_factory.mktemp("oob"))


def output(run: object) -> str:
    return str(getattr(run, "stdout", "")) + str(getattr(run, "stderr", ""))


def vnet_of_access() -> str:
    for line in hv("virsh domiflist vm-access").splitlines():
        if ACCESS_MAC in line:
            return line.split()[0]
    raise AssertionError("vm-access has no vnet port")


def test_clean_after_migration(migrated_lab: None, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    started = time.monotonic()
    run = verify(json_path=report)
    print(f"\nverify.py on the migrated lab: {time.monotonic() - started:.1f}s")
    assert run.returncode == 0, output(run)
    out = output(run)
    assert f"{LAB_HOST}: OK, matches the data" in out
    assert re.search(r"gateway\s+192\.0\.2\.1\s+reachable", out), out
    assert re.search(r"vm-hybrid\s+52:54:00:aa:bb:03\s+vnet\d+\s+native 101 \+ trunk 102", out)
    doc = host_report(report)
    assert doc["ok"] is True and doc["differences"] == []
    assert {n["domain"] for n in doc["nics"]} == {
        "vm-access",
        "vm-trunk",
        "vm-hybrid",
        "vm-multi",
        "vm-off",
    }
    # --dry: same check, nothing executed, still exit 0
    dry = verify("--dry")
    assert dry.returncode == 0, output(dry)
    assert f"{LAB_HOST}: OK, matches the data" in output(dry)


def test_vm_port_tag_changed_by_hand(migrated_lab: None, tmp_path: Path) -> None:
    vnet = vnet_of_access()
    hv(f"ovs-vsctl set port {vnet} tag=999")
    report = tmp_path / "report.json"
    run = verify(json_path=report)
    out = output(run)
    assert run.returncode != 0, out
    line = (
        f"vm-access {ACCESS_MAC} port {vnet}: vnet port VLAN differs from the domain XML: "
        "expected tag=1011, found tag=999"
    )
    assert line in out, out
    assert differences(report) == [
        ("vm-port-vlan", f"vm-access {ACCESS_MAC} port {vnet}", "tag=1011", "tag=999")
    ]
    # --dry reports it too, and also exits non-zero (the prompt-free way to monitor)
    dry = verify("--dry")
    assert dry.returncode != 0 and line in output(dry), output(dry)
    # verify changed nothing
    assert "tag                 : 999" in hv(f"ovs-vsctl list port {vnet}")


def test_uplink_port_deleted(migrated_lab: None, oob: str, tmp_path: Path) -> None:
    hv("ovs-vsctl del-port ovsbr0 eth0")
    report = tmp_path / "report.json"
    run = verify(json_path=report, ssh_config=oob)
    out = output(run)
    assert run.returncode != 0, out
    assert "uplink port eth0: port missing: expected on bridge ovsbr0, found absent" in out
    assert [d[:2] for d in differences(report)] == [
        ("port-missing", "uplink port eth0"),
        ("vm-port-vlan", f"vm-access {ACCESS_MAC} port {vnet_of_access()}"),
    ]
    # the gateway cannot answer any more: shown, not counted as a difference
    gateway = host_report(report)["gateway"]
    assert (gateway["target"], gateway["reachable"]) == ("192.0.2.1", False), gateway
    assert re.search(r"gateway\s+192\.0\.2\.1\s+NOT REACHABLE", out), out


def test_vswitchd_stopped(migrated_lab: None, oob: str, tmp_path: Path) -> None:
    hv("systemctl stop ovs-vswitchd")
    report = tmp_path / "report.json"
    run = verify(json_path=report, ssh_config=oob)
    out = output(run)
    assert run.returncode != 0, out
    assert "ovs-vswitchd: not running: expected running, found no answer (ovs-appctl:" in out
    found = differences(report)
    assert [d[:2] for d in found] == [
        ("vswitchd-down", "ovs-vswitchd"),
        ("port-missing", "uplink port eth0"),
        ("link-down", "management port vlan1234"),
        ("vm-port-vlan", f"vm-access {ACCESS_MAC} port {vnet_of_access()}"),
    ]
    assert found[2][2:] == ("carrier", "no carrier")
    assert host_report(report)["vswitchd"] == "not running"
