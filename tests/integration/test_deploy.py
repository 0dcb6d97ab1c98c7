"""The real deploy, over real SSH, against the lab hypervisor (real OVS, ifupdown, libvirtd).

Order matters and is the story of a migration: bad data is refused with the host untouched,
a dry run shows diffs and changes nothing, the real run migrates, a re-run changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.labctl import (
    hv,
    output_of,
    pyinfra,
    snapshot,
    sw,
    write_inventory,
)

pytestmark = pytest.mark.integration

LAB_HOST = f"{os.environ.get('OVSLAB_PREFIX', 'ovslab')}-hv1"


BAD = [
    ({"ovs_hv_mgmt_vlan": 4095}, "ovs_hv_mgmt_vlan = 4095"),
    ({"ovs_hv_mgmt_vlan": 0}, "ovs_hv_mgmt_vlan = 0"),
    ({"ovs_hv_brigde": "ovsbr0"}, "did you mean ovs_hv_bridge"),
    ({"ovs_hv_mgmt_gateway": "198.51.100.1"}, "outside the management subnet"),
    ({"ovs_hv_bridge": "ovsbr0-much-too-long"}, "ovs_hv_bridge"),
    ({"ovs_hv_domains": {"vm-nope": {"52:54:00:aa:bb:01": {"vlan": 5}}}}, "no such libvirt domain"),
    (
        {"ovs_hv_domains": {"vm-access": {"52:54:00:00:00:99": {"vlan": 5}}}},
        "has no NIC with this MAC",
    ),
    ({"ovs_hv_uplinks": ["eth9"]}, "NIC 'eth9' does not exist"),
]


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_data_is_refused_before_any_change(
    legacy_lab: dict[str, str], tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    run = pyinfra(inventory=write_inventory(tmp_path, extra))
    out = output_of(run)
    assert run.returncode != 0, out
    assert message in out, out
    assert LAB_HOST in out
    assert snapshot() == legacy_lab


def test_dry_run_shows_diffs_and_changes_nothing(legacy_lab: dict[str, str]) -> None:
    run = pyinfra("--dry", "--diff")
    out = output_of(run)
    assert run.returncode == 0, out
    assert "Will modify /etc/network/interfaces" in out
    assert re.search(r"\+\s*allow-ovs ovsbr0", out), out
    assert re.search(r"-\s*auto bridge1011", out), out
    for dom in ("vm-access", "vm-trunk", "vm-hybrid", "vm-multi", "vm-off"):
        assert f"Will redefine domain {dom}" in out
    assert re.search(r"\+\s*<virtualport type='openvswitch'/>", out), out
    assert re.search(r"\+\s*<tag id='101' nativeMode='untagged'/>", out), out
    assert snapshot() == legacy_lab


def test_dry_run_without_diff_says_what_but_prints_no_diff(legacy_lab: dict[str, str]) -> None:
    """pyinfra's convention (files.put): the diff only with --diff."""
    run = pyinfra("--dry")
    out = output_of(run)
    assert run.returncode == 0, out
    assert "Will modify /etc/network/interfaces" in out
    assert "Will redefine domain vm-access" in out
    assert not re.search(r"\+\s*allow-ovs ovsbr0", out), out
    assert not re.search(r"\+\s*<virtualport type='openvswitch'/>", out), out
    assert snapshot() == legacy_lab


@pytest.fixture(scope="module")
def migrated(legacy_lab: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Downtime as the management network sees it: ping every 100 ms from the switch.
    pinger = subprocess.Popen(
        ["lab/ovslab", "sw", "--", "ping", "-n", "-i", "0.1", "-W", "1", "192.0.2.10"],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    started = time.monotonic()
    run = pyinfra()
    elapsed = time.monotonic() - started
    time.sleep(1)
    pinger.send_signal(2)
    out, _ = pinger.communicate(timeout=10)
    assert run.returncode == 0, output_of(run)
    sent = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert sent, out
    lost = int(sent.group(1)) - int(sent.group(2))
    print(
        f"\nfirst migration: {elapsed:.1f}s; management IP unreachable for about "
        f"{lost * 0.1:.1f}s ({lost} of {sent.group(1)} pings every 100 ms lost)"
    )
    assert lost * 0.1 < 10, out  # the gateway's ARP entry is refreshed by the cutover
    return run


def ovs_port(name: str) -> dict[str, object]:
    raw = json.loads(hv(f"ovs-vsctl --format=json --columns=tag,trunks,vlan_mode list Port {name}"))
    row = dict(zip(raw["headings"], raw["data"][0], strict=True))

    def atom(v: object) -> object:
        if isinstance(v, list) and v and v[0] == "set":
            return sorted(v[1])
        return v

    return {k: atom(v) for k, v in row.items()}


def vnet_of(domain: str, mac: str) -> str:
    xml = hv(f"virsh dumpxml {domain}")
    for block in re.findall(r"<interface.*?</interface>", xml, re.S):
        if mac in block:
            found = re.search(r"<target dev='([^']+)'", block)
            assert found, block
            return found.group(1)
    raise AssertionError(f"{domain} has no NIC {mac}")


def test_migration_moves_management_to_tagged_ovs_port(migrated: object) -> None:
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
    links = hv("ip -br link | awk '{print $1}'").split()
    assert not [link for link in links if re.match(r"bridge\d+$", link)], links
    assert "192.0.2.10/24" in hv("ip -br addr show dev vlan1234")
    assert ovs_port("vlan1234")["tag"] == 1234
    # The management IP answers from the switch, and the frames on the trunk carry VLAN 1234.
    capture = subprocess.Popen(
        [
            "lab/ovslab",
            "sw",
            "--",
            "timeout",
            "10",
            "tcpdump",
            "-c",
            "2",
            "-nn",
            "-e",
            "-l",
            "-i",
            "hv1-eth0",
            "vlan 1234 and icmp",
        ],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    time.sleep(1)
    sw("ping -c 3 -i 0.2 -W 1 192.0.2.10")
    frames, _ = capture.communicate(timeout=15)
    assert "vlan 1234" in frames, frames


@pytest.mark.parametrize(
    ("domain", "mac", "expected"),
    [
        ("vm-access", "52:54:00:aa:bb:01", {"tag": 1011, "trunks": [], "vlan_mode": []}),
        ("vm-trunk", "52:54:00:aa:bb:02", {"tag": [], "trunks": [1011, 1012], "vlan_mode": []}),
        ("vm-multi", "52:54:00:aa:bb:04", {"tag": 1011, "trunks": [], "vlan_mode": []}),
        ("vm-multi", "52:54:00:aa:bb:05", {"tag": 1012, "trunks": [], "vlan_mode": []}),
    ],
)
def test_vm_ports_carry_their_vlans(
    migrated: object, domain: str, mac: str, expected: dict[str, object]
) -> None:
    assert ovs_port(vnet_of(domain, mac)) == expected


def test_hybrid_port_is_native_untagged(migrated: object) -> None:
    port = ovs_port(vnet_of("vm-hybrid", "52:54:00:aa:bb:03"))
    assert port["vlan_mode"] == "native-untagged"
    assert port["tag"] == 101
    assert 102 in port["trunks"]  # type: ignore[operator]


def test_domains_running_as_before(migrated: object, legacy_lab: dict[str, str]) -> None:
    assert hv("virsh list --name | sort") == legacy_lab["running"]
    off = hv("virsh dumpxml --inactive vm-off")
    assert "<source bridge='ovsbr0'/>" in off and "<tag id='1012'/>" in off


def test_backups_kept(migrated: object, legacy_lab: dict[str, str]) -> None:
    files = hv("ls /var/lib/ovs-hypervisor/backups/*/").split()
    assert "interfaces" in files and "vm-hybrid.xml" in files
    backup = hv("cat /var/lib/ovs-hypervisor/backups/*/interfaces")
    assert backup == legacy_lab["interfaces"]


def remote_commands() -> int:
    """SSH sessions the lab host's sshd started so far (one per command or sftp channel)."""
    log = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab")) / "hv1" / "ssh" / "sshd.log"
    return log.read_text(errors="replace").count("Starting session:")


def test_second_run_changes_nothing(migrated: object) -> None:
    before = snapshot()
    sessions = remote_commands()
    run = pyinfra()
    # one remote command reads everything (ovs_hypervisor/facts/batch.py)
    assert remote_commands() - sessions == 1, output_of(run)
    out = output_of(run)
    assert run.returncode == 0, out
    assert "Will " not in out
    total = re.search(r"Grand total\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)", out)
    assert total, out
    hosts_ops, success, error, no_change = total.groups()
    assert (success, error, no_change) == ("-", "-", hosts_ops), out
    assert snapshot() == before


def test_dry_run_after_migration_shows_nothing(migrated: object) -> None:
    run = pyinfra("--dry", "--diff")
    out = output_of(run)
    assert run.returncode == 0, out
    assert "Will modify" not in out and "Will redefine" not in out, out


def test_live_drift_is_reconciled(migrated: object) -> None:
    # What Debian's --may-exist hook never fixes: columns of existing ports.
    hv("ovs-vsctl set port eth0 trunks=1234 -- set port vlan1234 vlan_mode=access")
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    assert "Will fix live OVS" in out, out
    assert ovs_port("eth0") == {"tag": [], "trunks": [], "vlan_mode": []}
    assert ovs_port("vlan1234") == {"tag": 1234, "trunks": [], "vlan_mode": []}


def test_changed_vlan_converges(migrated: object, tmp_path: Path) -> None:
    inventory = write_inventory(
        tmp_path,
        {
            "ovs_hv_domains": {
                "vm-access": {"52:54:00:aa:bb:01": {"vlan": 1012}},
                "vm-trunk": {"52:54:00:aa:bb:02": {"trunk": [1011, 1012]}},
                "vm-hybrid": {"52:54:00:aa:bb:03": {"native": 101, "trunk": [102]}},
            }
        },
    )
    run = pyinfra(inventory=inventory)
    assert run.returncode == 0, output_of(run)
    assert ovs_port(vnet_of("vm-access", "52:54:00:aa:bb:01"))["tag"] == 1012
    again = pyinfra(inventory=inventory)
    total = re.search(r"Grand total\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)", output_of(again))
    assert total and total.group(2) == "-", output_of(again)
