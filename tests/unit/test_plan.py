"""Planning from data + facts: which domains change, what legacy state goes, bad data."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from ovs_hypervisor.cutover import CutoverPlan, cutover_script
from ovs_hypervisor.domain_xml import domain_nics
from ovs_hypervisor.host_state import LinkInfo
from ovs_hypervisor.model import HostDataError, load_host_config
from ovs_hypervisor.plan import plan_host
from tests.conftest import DATA, LAB_DATA

LEGACY = (DATA / "legacy" / "interfaces").read_text()


def domain(name: str, *nics: tuple[str, str]) -> str:
    ifaces = "".join(
        f"    <interface type='bridge'>\n      <mac address='{mac}'/>\n"
        f"      <source bridge='{br}'/>\n      <model type='virtio'/>\n    </interface>\n"
        for mac, br in nics
    )
    return (
        f"<domain type='qemu'>\n  <name>{name}</name>\n  <memory unit='KiB'>65536</memory>\n"
        f"  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n  <devices>\n{ifaces}"
        "  </devices>\n</domain>\n"
    )


DOMAINS: dict[str, dict[str, Any]] = {
    "vm-access": {
        "state": "running",
        "xml": domain("vm-access", ("52:54:00:aa:bb:01", "bridge1011")),
    },
    "vm-trunk": {
        "state": "running",
        "xml": domain("vm-trunk", ("52:54:00:aa:bb:02", "bridge1011")),
    },
    "vm-other": {"state": "shut off", "xml": domain("vm-other", ("52:54:00:aa:bb:07", "br-lan"))},
}


def link(kind: str | None, master: str | None = None) -> LinkInfo:
    return {"kind": kind, "master": master, "up": True, "addresses": []}


LINKS = {
    "lo": link(None),
    "eth0": link(None),
    "vlan1234": link("vlan", "bridge1234"),
    "bridge1234": link("bridge"),
    "vlan1011": link("vlan", "bridge1011"),
    "bridge1011": link("bridge"),
    "br-lan": link("bridge"),
    "veth-ct": link("veth", "bridge1011"),  # not in the file: never deleted
}


def plan(**over: Any) -> Any:
    config = load_host_config("hv1", {**LAB_DATA, **over})
    return config, plan_host(config, "hv1", DOMAINS, LINKS, LEGACY)


def test_legacy_bridges_map_to_access_vlans() -> None:
    _, p = plan(ovs_hv_domains={"vm-trunk": {"52:54:00:aa:bb:02": {"trunk": [1011, 1012]}}})
    changed = {d.name: d for d in p.changed_domains}
    assert set(changed) == {"vm-access", "vm-trunk"}  # vm-other sits on a non-legacy bridge
    assert changed["vm-access"].nics == {"52:54:00:aa:bb:01": {"vlan": 1011}}
    nic = domain_nics(changed["vm-trunk"].new_xml)[0]
    assert nic["bridge"] == "ovsbr0" and nic["vlan"] is not None
    assert nic["vlan"].get("trunk") == [1011, 1012]
    assert changed["vm-access"].running


def test_patched_domains_plan_no_change() -> None:
    config, p = plan()
    domains = {d.name: {"state": "running", "xml": d.new_xml} for d in p.domains}
    again = plan_host(config, "hv1", domains, LINKS, LEGACY)
    assert again.changed_domains == []


def test_legacy_devices_and_deconfigure_list() -> None:
    _, p = plan()
    assert p.legacy_bridges == ["bridge1011", "bridge1234"]
    assert p.legacy_members == ["vlan1011", "vlan1234"]  # never veth-ct, never eth0
    assert "lo" not in p.down_with_old_file
    assert {"eth0", "bridge1234", "vlan1011"} <= set(p.down_with_old_file)


@pytest.mark.parametrize(
    ("over", "text"),
    [
        (
            {"ovs_hv_domains": {"vm-gone": {"52:54:00:aa:bb:01": {"vlan": 5}}}},
            "no such libvirt domain",
        ),
        (
            {"ovs_hv_domains": {"vm-access": {"52:54:00:aa:bb:99": {"vlan": 5}}}},
            "no NIC with this MAC",
        ),
        ({"ovs_hv_uplinks": ["eth7"]}, "NIC 'eth7' does not exist"),
    ],
)
def test_data_checked_against_facts(over: dict[str, Any], text: str) -> None:
    with pytest.raises(HostDataError, match=text):
        plan(**over)


def test_cutover_script_header_reads_back_in_sh() -> None:
    config, p = plan()
    script = cutover_script(
        config,
        CutoverPlan(
            interfaces_path="/etc/network/interfaces",
            staged_path="/etc/network/interfaces.new",
            state_dir="/var/lib/x/run/cutover",
            backup_dir="/var/lib/x/run",
            down_with_old_file=p.down_with_old_file,
            delete_devices=p.legacy_bridges + p.legacy_members,
            sysctl_path="/etc/sysctl.d/60.conf",
            changed_domains=["vm-access", "vm-off"],
            restart_domains=["vm-access"],
            window=30,
        ),
    )
    # The header as the host's shell reads it (quoting included); what the body does with
    # it, in which order, is run for real by tests/integration/test_guarded_cutover.py.
    header_lines = [line for line in script.splitlines() if re.match(r"^[A-Z_]+=", line)]
    names = [line.split("=", 1)[0] for line in header_lines]
    dump = "; ".join(f'printf "%s=%s\\n" {n} "${n}"' for n in names)
    out = subprocess.run(
        ["sh", "-c", "\n".join(header_lines) + "\n" + dump],
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    header = dict(line.split("=", 1) for line in out.splitlines())
    assert header["MGMT_ADDR"] == "192.0.2.10/24"
    # the column fix after ifup, as the host's shell splits it back (eval set --)
    owned = subprocess.run(
        ["sh", "-c", 'eval "set -- $1"; printf "%s\\n" "$@"', "sh", header["OWNED_OVS"]],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.split()
    assert owned[:5] == ["--", "set", "port", "vlan1234", "tag=1234"]
    assert owned[5:] == [
        *("--", "clear", "port", "vlan1234", "trunks", "vlan_mode"),
        *("--", "set", "bridge", "ovsbr0", "datapath_type=netdev"),
    ]
    assert header["WINDOW"] == "30"
    assert header["RESTART_DOMAINS"] == "vm-access"
    assert header["CHANGED_DOMAINS"] == "vm-access vm-off"
    assert "lo" not in header["DOWN_OLD"].split()
    assert header["DELETE_DEVS"] == "bridge1011 bridge1234 vlan1011 vlan1234"
    proc = subprocess.run(["sh", "-n"], input=script, text=True, capture_output=True)
    assert proc.returncode == 0, proc.stderr  # the shell parses it


STORAGE = "auto eth1\niface eth1 inet static\n    address 198.51.100.200/28\n"


def test_unmanaged_stanza_is_refused_with_a_fix() -> None:
    config = load_host_config("hv1", LAB_DATA)
    links = {**LINKS, "eth1": link(None)}
    with pytest.raises(HostDataError, match="configures eth1, which the new file would drop"):
        plan_host(config, "hv1", DOMAINS, links, LEGACY + STORAGE)


def test_extra_interfaces_are_kept_and_not_deconfigured() -> None:
    from ovs_hypervisor.render import render_interfaces

    config = load_host_config("hv1", {**LAB_DATA, "ovs_hv_extra_interfaces": STORAGE})
    links = {**LINKS, "eth1": link(None)}
    p = plan_host(config, "hv1", DOMAINS, links, LEGACY + STORAGE)
    assert "eth1" not in p.down_with_old_file
    assert STORAGE in render_interfaces(config)


def test_transient_domain_is_refused() -> None:
    config = load_host_config("hv1", LAB_DATA)
    domains = {"vm-access": {**DOMAINS["vm-access"], "persistent": False}}
    with pytest.raises(HostDataError, match="vm-access is transient"):
        plan_host(config, "hv1", domains, LINKS, LEGACY)


def test_stanzas_in_sourced_files_are_not_dropped_silently() -> None:
    config = load_host_config("hv1", LAB_DATA)
    links = {**LINKS, "eth1": link(None)}
    sourced = {"/etc/network/interfaces.d/storage": STORAGE}
    with pytest.raises(HostDataError, match=r"eth1 \(in /etc/network/interfaces.d/storage\)"):
        plan_host(
            config, "hv1", DOMAINS, links, LEGACY + "source /etc/network/interfaces.d/*\n", sourced
        )


TRUNK_OLD = LEGACY + "\nauto br0\niface br0 inet manual\n    bridge_ports eth0\n"


def test_trunk_bridge_is_legacy_plumbing_and_its_nics_must_be_listed() -> None:
    links = {**LINKS, "br0": link("bridge")}
    domains = {"vm-t": {"state": "running", "xml": domain("vm-t", ("52:54:00:aa:bb:09", "br0"))}}
    base = {**LAB_DATA, "ovs_hv_legacy_trunk_bridges": ["br0"]}
    with pytest.raises(HostDataError, match="trunk bridge br0"):
        plan_host(load_host_config("hv1", base), "hv1", domains, links, TRUNK_OLD)
    listed = {"vm-t": {"52:54:00:aa:bb:09": {"trunk": [1011, 1012]}}}
    config = load_host_config("hv1", {**base, "ovs_hv_domains": listed})
    p = plan_host(config, "hv1", domains, links, TRUNK_OLD)
    assert "br0" in p.legacy_bridges and "br0" in p.down_with_old_file
    assert "eth0" not in p.legacy_members  # the uplink is never deleted
    assert [d.name for d in p.changed_domains] == ["vm-t"]
