"""Expected vs actual (ovs_hypervisor.verify) on outputs recorded from the lab.

tests/data/lab-after/verify-probe-*.txt are real `VerifyState` outputs (OVS 3.1.0, libvirt
9.0) of a migrated lab and of the drift steps of the integration test; see verify-probes.md
there.  Smaller cases edit a parsed clean snapshot; the OVS samples (3.1 and the quoted 2.x
`show` layout) are in test_verify_ovs_samples.py.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.host_state import (
    VerifySnapshot,
    parse_links,
    parse_ovs_state,
    parse_verify_probe,
)
from ovs_hypervisor.model import load_host_config
from ovs_hypervisor.verify import verify_host
from ovs_hypervisor.verify_links import legacy_devices
from ovs_hypervisor.verify_report import TITLES, Difference
from ovs_hypervisor.verify_switch import switch_differences
from ovs_hypervisor.verify_vlan import describe_vlan
from tests.conftest import LAB_AFTER, LAB_AFTER_DATA
from tests.helpers.verify_samples import config, probe

REC = LAB_AFTER
LAB = LAB_AFTER_DATA
CONFIG = load_host_config("ovsv-hv1", LAB)


def lines(report: Any) -> list[str]:
    return [d.line() for d in report.differences]


def kinds(report: Any) -> list[str]:
    return [d.kind for d in report.differences]


# --- the recorded lab states --------------------------------------------------------------


def test_clean_lab_verifies() -> None:
    report = verify_host(CONFIG, probe("clean"), host="ovsv-hv1")
    assert report.differences == []
    assert report.ok and report.vswitchd == "running" and report.ovs_version == "3.1.0"
    assert [(r.role, r.name, r.config, r.status) for r in report.rows] == [
        ("bridge", "ovsbr0", "datapath netdev", "ok"),
        ("uplink", "eth0", "trunk (all VLANs)", "ok"),
        ("mgmt", "vlan1234", "access 1234", "ok"),
    ]
    assert report.rows[2].detail.startswith("192.0.2.10/24")
    assert report.ipv6_on == ["vlan1234"]
    assert report.gateway is not None and report.gateway["reachable"] is True
    nics = [
        (n.domain, n.mac, n.port, n.expected_text, n.actual_text, n.status) for n in report.nics
    ]
    assert nics == [
        ("vm-access", "52:54:00:aa:bb:01", "vnet5", "access 1011", "access 1011", "ok"),
        (
            "vm-hybrid",
            "52:54:00:aa:bb:03",
            "vnet6",
            "native 101 + trunk 102",
            "native 101 + trunk 102",
            "ok",
        ),
        ("vm-multi", "52:54:00:aa:bb:04", "vnet7", "access 1011", "access 1011", "ok"),
        ("vm-multi", "52:54:00:aa:bb:05", "vnet8", "access 1012", "access 1012", "ok"),
        ("vm-off", "52:54:00:aa:bb:06", None, "access 1012", "-", "shut off"),
        ("vm-trunk", "52:54:00:aa:bb:02", "vnet9", "trunk 1011,1012", "trunk 1011,1012", "ok"),
    ]
    # the hybrid port as OVSDB holds it: libvirt puts the native VLAN into trunks too
    hybrid = report.nics[1].actual
    assert hybrid == {"tag": 101, "trunks": [101, 102], "vlan_mode": "native-untagged"}


def test_ovs_2x_quoted_show_gives_the_same_report() -> None:
    new = verify_host(CONFIG, probe("clean"), host="h")
    old_snap = probe("clean-ovs2.3-quoted")
    assert old_snap["ovs"]["show"] is not None
    assert old_snap["ovs"]["show"]["ovs_version"] == "2.3.0"
    old = verify_host(CONFIG, old_snap, host="h")
    assert old.differences == []
    assert old.nics == new.nics
    assert [(r.role, r.name, r.config, r.status) for r in old.rows] == [
        (r.role, r.name, r.config, r.status) for r in new.rows
    ]


def test_vm_tag_changed_by_hand() -> None:
    report = verify_host(CONFIG, probe("tag999"))
    assert lines(report) == [
        "vm-access 52:54:00:aa:bb:01 port vnet5: vnet port VLAN differs from the domain XML: "
        "expected tag=1011, found tag=999; fix: ovs-vsctl set port vnet5 tag=1011 trunks=[] "
        "vlan_mode=[]"
    ]
    (diff,) = report.differences
    assert (diff.kind, diff.subject, diff.expected, diff.actual) == (
        "vm-port-vlan",
        "vm-access 52:54:00:aa:bb:01 port vnet5",
        "tag=1011",
        "tag=999",
    )
    row = report.nics[0]
    assert (row.expected_text, row.actual_text, row.status) == (
        "access 1011",
        "access 999",
        "DIFFERS",
    )


def test_uplink_port_deleted() -> None:
    report = verify_host(CONFIG, probe("no-uplink"))
    assert kinds(report) == ["port-missing", "vm-port-vlan"]
    assert lines(report)[0] == (
        "uplink port eth0: port missing: expected on bridge ovsbr0, found absent"
    )
    assert [r.status for r in report.rows] == ["ok", "MISSING", "ok"]
    # the gateway is shown, not counted
    assert report.gateway == {
        "target": "192.0.2.1",
        "reachable": False,
        "rtt_ms": None,
        "detail": "no reply within 1 s",
    }


def test_vswitchd_stopped() -> None:
    report = verify_host(CONFIG, probe("vswitchd-down"))
    assert kinds(report) == ["vswitchd-down", "port-missing", "link-down", "vm-port-vlan"]
    assert lines(report)[0] == (
        "ovs-vswitchd: not running: expected running, found no answer (ovs-appctl: cannot read "
        'pidfile "/var/run/openvswitch/ovs-vswitchd.pid" (No such file or directory))'
    )
    assert "management port vlan1234: device is down: expected carrier, found no carrier" in (
        lines(report)
    )
    assert report.vswitchd == "not running"
    assert [r.status for r in report.rows] == ["ERROR", "MISSING", "DIFFERS"]


def test_ovsdb_and_libvirt_down() -> None:
    report = verify_host(CONFIG, probe("ovsdb-libvirt-down"))
    # (the lab's service shim stops ovs-vswitchd with ovsdb-server: vlan1234 lost its carrier)
    assert lines(report) == [
        "Open vSwitch: Open vSwitch cannot be read: expected ovsdb-server answering, found "
        "ovs-vsctl cannot reach ovsdb-server: ovs-vsctl: unix:/var/run/openvswitch/db.sock: "
        "database connection failed (No such file or directory)",
        "management port vlan1234: device is down: expected carrier, found no carrier",
        "libvirt: libvirt cannot be read: expected domains readable, found cannot read libvirt "
        "domains (libvirt unreachable, exit 2): domctl: cannot connect to libvirt at "
        "qemu:///system: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such "
        "file or directory",
    ]
    assert report.nics == [] and report.ovs_version is None
    assert [r.status for r in report.rows] == ["ERROR", "ok", "DIFFERS"]


# --- edits of the clean snapshot ----------------------------------------------------------


def edited() -> VerifySnapshot:
    return copy.deepcopy(probe("clean"))


def show_ports(snap: VerifySnapshot) -> Any:
    show = snap["ovs"]["show"]
    assert show is not None
    return show["bridges"]["ovsbr0"]["ports"]


def test_bridge_missing() -> None:
    snap = edited()
    show = snap["ovs"]["show"]
    assert show is not None
    show["bridges"] = {"br-other": show["bridges"]["ovsbr0"]}
    report = verify_host(CONFIG, snap)
    assert report.differences[0] == Difference(
        "bridge-missing", "bridge ovsbr0", "present", "absent (bridges: br-other)"
    )
    # without our bridge nothing else about it is claimed; VM ports are not looked up
    assert "port-extra" not in kinds(report) and "vm-port-missing" not in kinds(report)


def test_datapath_type_and_no_datapath() -> None:
    snap = edited()
    snap["ovs"]["bridges"]["ovsbr0"]["datapath_type"] = ""
    snap["ovs"]["bridges"]["ovsbr0"]["datapath_id"] = None
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "bridge ovsbr0: wrong datapath_type: expected netdev, found system",
        "bridge ovsbr0: no datapath: expected a datapath_id, found none",
    ]


def test_mgmt_port_wrong_tag_trunks_mode_and_type() -> None:
    snap = edited()
    port = snap["ovs"]["ports"]["vlan1234"]
    port["tag"], port["trunks"], port["vlan_mode"] = 1235, [5], "trunk"
    show_ports(snap)["vlan1234"]["interfaces"]["vlan1234"]["type"] = None
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "management port vlan1234: wrong VLAN config: expected tag=1234 trunks=[] "
        "vlan_mode=[], found tag=1235 trunks=5 vlan_mode=trunk",
        "management port vlan1234: wrong interface type: expected internal, found system",
    ]
    assert report.rows[2].status == "DIFFERS"


def test_uplink_with_a_tag_is_not_a_trunk() -> None:
    snap = edited()
    snap["ovs"]["ports"]["eth0"]["tag"] = 1011
    report = verify_host(CONFIG, snap)
    assert lines(report) == ["uplink port eth0: wrong VLAN config: expected tag=[], found tag=1011"]


def test_interface_error_and_ofport_minus_one() -> None:
    snap = edited()
    show_ports(snap)["eth0"]["interfaces"]["eth0"]["error"] = (
        "could not open network device eth0 (No such device)"
    )
    snap["ovs"]["interfaces"]["vnet6"]["ofport"] = -1
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "interface eth0: interface error: expected no error, found could not open network "
        "device eth0 (No such device)",
        "interface vnet6 (vm-hybrid 52:54:00:aa:bb:03): interface error: expected an ofport, "
        "found ofport -1",
    ]
    assert report.nics[1].status == "ERROR"


def test_bond_members() -> None:
    cfg = config(ovs_hv_uplinks=["eth0", "eth1"])
    snap = edited()
    ports = show_ports(snap)
    ports["bond0"] = ports.pop("eth0")
    ports["bond0"]["interfaces"]["eth9"] = {"type": None, "error": None}
    snap["ovs"]["ports"]["bond0"] = snap["ovs"]["ports"].pop("eth0")
    snap["ovs"]["ports"]["bond0"]["bond_mode"] = "balance-slb"
    snap["net"]["links"]["eth1"] = dict(snap["net"]["links"]["eth0"])  # type: ignore[assignment]
    report = verify_host(cfg, snap)
    assert lines(report) == [
        "bond bond0: bond member missing: expected member eth1, found eth0, eth9",
        "bond bond0: unexpected bond member: expected members eth0, eth1, found also eth9",
    ]
    assert report.rows[1].role == "bond" and report.rows[1].status == "DIFFERS"
    # a bond made in another mode (the hook sets it only when it creates the bond)
    snap["ovs"]["ports"]["bond0"]["bond_mode"] = None
    assert lines(verify_host(cfg, snap))[-1] == (
        "bond bond0: bond mode or LACP differs from ovs_hv_bond_options: "
        "expected bond_mode=balance-slb, found bond_mode=active-backup"
    )


def test_running_vm_without_vnet_port_and_port_on_another_bridge() -> None:
    snap = edited()
    show = snap["ovs"]["show"]
    assert show is not None
    ports = show_ports(snap)
    del ports["vnet6"]
    show["bridges"]["br-x"] = {"ports": {"vnet9": ports.pop("vnet9")}}
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "vm-hybrid 52:54:00:aa:bb:03 port vnet6: vnet port missing: expected on bridge ovsbr0, "
        "found absent",
        "vm-trunk 52:54:00:aa:bb:02 port vnet9: vnet port missing: expected on bridge ovsbr0, "
        "found on bridge br-x",
    ]
    assert [n.status for n in report.nics if n.port in ("vnet6", "vnet9")] == ["NO PORT"] * 2


@pytest.mark.parametrize(
    ("column", "value", "expected", "found"),
    [
        ("vlan_mode", None, "vlan_mode=native-untagged", "vlan_mode=[]"),
        ("trunks", [102], "trunks=101,102", "trunks=102"),
        ("tag", None, "tag=101", "tag=[]"),
    ],
)
def test_hybrid_port_columns(column: str, value: Any, expected: str, found: str) -> None:
    snap = edited()
    snap["ovs"]["ports"]["vnet6"][column] = value  # type: ignore[literal-required]
    (diff,) = verify_host(CONFIG, snap).differences
    assert (diff.kind, diff.expected, diff.actual) == ("vm-port-vlan", expected, found)


def test_explicit_access_mode_equals_unset() -> None:
    snap = edited()
    snap["ovs"]["ports"]["vnet5"]["vlan_mode"] = "access"
    snap["ovs"]["ports"]["vnet9"]["vlan_mode"] = "trunk"
    assert verify_host(CONFIG, snap).differences == []


def test_extra_ports_and_stale_libvirt_port() -> None:
    snap = edited()
    ports = show_ports(snap)
    ports["tap-backup"] = {
        "tag": None,
        "trunks": [],
        "interfaces": {"tap-backup": {"type": None, "error": None}},
    }
    ports["patch-br1"] = {
        "tag": None,
        "trunks": [],
        "interfaces": {"patch-br1": {"type": "patch", "error": None}},
    }
    # vm-access is gone, but libvirt's row for its vnet5 stayed behind (crash, reboot)
    domains = snap["domains"]["domains"]
    domains["vm-access"]["state"] = "shut off"
    domains["vm-access"]["live_xml"] = None
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "port patch-br1: extra port (not ours, not a libvirt vnet; left alone): expected only "
        "eth0, vlan1234 and libvirt vnet ports, found patch-br1 (patch interface)",
        "port tap-backup: extra port (not ours, not a libvirt vnet; left alone): expected only "
        "eth0, vlan1234 and libvirt vnet ports, found tap-backup (system interface)",
        "port vnet5: stale libvirt port (no running NIC uses it): expected a running domain's "
        "NIC, found unused (attached-mac 52:54:00:aa:bb:01)",
    ]


def test_management_address_missing_names_where_it_is() -> None:
    snap = edited()
    links = snap["net"]["links"]
    links["vlan1234"]["addresses"] = []
    links["bridge1234"] = {
        "kind": "bridge",
        "master": None,
        "up": True,
        "addresses": ["192.0.2.10/24"],
    }
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "management port vlan1234: management address missing: expected 192.0.2.10/24, found "
        "no address (192.0.2.10/24 is on bridge1234)",
        "legacy device bridge1234: legacy device still present: expected removed, found present "
        "(Linux bridge, ports none)",
    ]


def test_management_device_missing_and_static_ipv6() -> None:
    cfg = config(ovs_hv_mgmt_ipv6="static", ovs_hv_mgmt_ipv6_address="2001:db8::10/64")
    snap = edited()
    report = verify_host(cfg, snap)
    assert lines(report) == [
        "management port vlan1234: management address missing: expected 2001:db8::10/64, found "
        "fe80::f0ee:bbff:fe34:1432/64"
    ]
    del snap["net"]["links"]["vlan1234"]
    assert kinds(verify_host(cfg, snap))[:2] == ["link-missing", "mgmt-address-missing"]


def test_ipv6_enabled_where_it_should_be_off() -> None:
    snap = edited()
    state = snap["net"]["ipv6_disabled"]
    assert state is not None
    state.update({"vnet5": False, "default": False, "eth0": False})
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "net.ipv6.conf.default (new interfaces): IPv6 enabled where it should be off: expected "
        "disable_ipv6=1, found disable_ipv6=0",
        "interface eth0: IPv6 enabled where it should be off: expected disable_ipv6=1, found "
        "disable_ipv6=0",
        "interface vnet5: IPv6 enabled where it should be off: expected disable_ipv6=1, found "
        "disable_ipv6=0",
    ]
    assert report.ipv6_on == ["eth0", "vlan1234", "vnet5"]
    # when the data does not manage IPv6 elsewhere, only the management port is checked
    assert verify_host(config(ovs_hv_disable_ipv6_elsewhere=False), snap).differences == []


def test_ipv6_off_on_the_management_port_and_mgmt_ipv6_off() -> None:
    snap = edited()
    state = snap["net"]["ipv6_disabled"]
    assert state is not None
    state["vlan1234"] = True
    assert lines(verify_host(CONFIG, snap)) == [
        "management port vlan1234: IPv6 disabled where it should be on: expected "
        "disable_ipv6=0, found disable_ipv6=1"
    ]
    assert verify_host(config(ovs_hv_mgmt_ipv6="off"), snap).differences == []
    state["vlan1234"] = False
    assert kinds(verify_host(config(ovs_hv_mgmt_ipv6="off"), snap)) == ["ipv6-enabled"]
    snap["net"]["ipv6_disabled"] = None  # kernel without IPv6
    assert kinds(verify_host(CONFIG, snap)) == ["ipv6-disabled"]


def test_loopback_that_lost_ipv6_is_reported() -> None:
    # Recorded on a lab migrated before issue 14: "all.disable_ipv6 = 1" had disabled lo too.
    report = verify_host(CONFIG, probe("lo-lost"))
    assert lines(report) == [
        "interface lo: loopback has no IPv6 address: expected ::1/128, found disable_ipv6=1"
    ]
    assert not report.ok
    # ::1 removed by hand while IPv6 stays on
    snap = edited()
    lo = snap["net"]["links"]["lo"]
    lo["addresses"] = [a for a in lo["addresses"] if a != "::1/128"]
    assert lines(verify_host(CONFIG, snap)) == [
        "interface lo: loopback has no IPv6 address: expected ::1/128, found no ::1"
    ]
    # whatever the data says about IPv6 elsewhere
    assert kinds(verify_host(config(ovs_hv_disable_ipv6_elsewhere=False), snap)) == [
        "loopback-ipv6-missing"
    ]
    snap["net"]["ipv6_disabled"] = None  # a kernel without IPv6 has no ::1 to lose
    assert "loopback-ipv6-missing" not in kinds(verify_host(CONFIG, snap))


def test_ipv6_allowed_on_extra_interfaces_with_an_inet6_stanza() -> None:
    extra = "auto eth1\niface eth1 inet6 static\n    address 2001:db8:1::5/64\n"
    snap = edited()
    snap["net"]["links"]["eth1"] = {"kind": None, "master": None, "up": True, "addresses": []}
    state = snap["net"]["ipv6_disabled"]
    assert state is not None
    state["eth1"] = False
    assert kinds(verify_host(CONFIG, snap)) == ["ipv6-enabled"]
    assert verify_host(config(ovs_hv_extra_interfaces=extra), snap).differences == []


def test_legacy_devices_found_from_links() -> None:
    links = parse_links((REC / "links.json").read_text())
    links["bridge1011"] = {"kind": "bridge", "master": None, "up": True, "addresses": []}
    links["vlan1011"] = {"kind": "veth", "master": "bridge1011", "up": True, "addresses": []}
    links["eth0.1012"] = {"kind": "vlan", "master": None, "up": True, "addresses": []}
    links["vlan77"] = {"kind": "vlan", "master": None, "up": True, "addresses": []}
    links["br-storage"] = {"kind": "bridge", "master": None, "up": True, "addresses": []}
    links["veth-other"] = {"kind": "veth", "master": "br-storage", "up": True, "addresses": []}
    assert legacy_devices(CONFIG, links) == ["bridge1011", "eth0.1012", "vlan1011", "vlan77"]
    cfg = config(ovs_hv_legacy_bridges={"br-storage": 300})
    assert "br-storage" in legacy_devices(cfg, links) and "veth-other" in legacy_devices(cfg, links)


def test_vm_nic_still_on_a_legacy_bridge_and_xml_differs_from_data() -> None:
    snap = edited()
    dom = snap["domains"]["domains"]["vm-trunk"]
    dom["xml"] = dom["xml"].replace("<source bridge='ovsbr0'/>", "<source bridge='bridge1011'/>")
    hybrid = snap["domains"]["domains"]["vm-hybrid"]
    hybrid["xml"] = hybrid["xml"].replace("<tag id='102'/>", "<tag id='103'/>")
    report = verify_host(CONFIG, snap)
    assert lines(report) == [
        "vm-hybrid 52:54:00:aa:bb:03: domain XML VLAN differs from the data: expected native "
        "101 + trunk 102, found native 101 + trunk 103",
        "vm-hybrid 52:54:00:aa:bb:03: running NIC differs from the definition (restart "
        "pending): expected bridge ovsbr0, native 101 + trunk 103, found bridge ovsbr0, "
        "native 101 + trunk 102",
        "vm-trunk 52:54:00:aa:bb:02: NIC not on the OVS bridge: expected bridge ovsbr0, found "
        "bridge bridge1011",
        "vm-trunk 52:54:00:aa:bb:02: running NIC differs from the definition (restart "
        "pending): expected bridge bridge1011, trunk 1011,1012, found bridge ovsbr0, trunk "
        "1011,1012",
    ]


def test_listed_domain_or_mac_missing() -> None:
    cfg = config(
        ovs_hv_domains={
            "vm-gone": {"52:54:00:00:00:01": {"vlan": 5}},
            "vm-access": {"52:54:00:00:00:02": {"vlan": 5}},
        }
    )
    report = verify_host(cfg, probe("clean"))
    assert lines(report) == [
        "domain vm-gone: domain missing: expected defined, found no such domain",
        "domain vm-access: NIC missing: expected a NIC 52:54:00:00:00:02, found 52:54:00:aa:bb:01",
    ]


# --- recorded probes: every kind found has a title ---------------------------------------


@pytest.mark.parametrize("path", sorted(REC.glob("verify-probe-*.txt")), ids=lambda p: p.name)
def test_every_difference_found_has_a_title(path: Path) -> None:
    snap = parse_verify_probe(path.read_text().splitlines())
    report = verify_host(CONFIG, snap, host="ovsv-hv1")
    missing = {d.kind for d in report.differences} - set(TITLES)
    assert not missing, f"kinds without a title in TITLES: {sorted(missing)}"


def test_older_recording_without_vswitchd_section_verifies_the_switch() -> None:
    old = parse_ovs_state((REC / "ovs-state.txt").read_text().splitlines())
    assert old["vswitchd"] is None
    assert switch_differences(CONFIG, old) == []
    assert [d.line() for d in switch_differences(CONFIG, probe("no-uplink")["ovs"])] == [
        "uplink port eth0: port missing: expected on bridge ovsbr0, found absent"
    ]


@pytest.mark.parametrize(
    ("vlan", "text"),
    [
        ({"tag": 5, "trunks": [], "vlan_mode": None}, "access 5"),
        ({"tag": None, "trunks": [1, 2], "vlan_mode": None}, "trunk 1,2"),
        ({"tag": None, "trunks": [], "vlan_mode": None}, "trunk (all VLANs)"),
        (
            {"tag": 101, "trunks": [101, 102], "vlan_mode": "native-untagged"},
            "native 101 + trunk 102",
        ),
        (
            {"tag": 101, "trunks": [101], "vlan_mode": "native-tagged"},
            "native-tagged 101 + trunk (none)",
        ),
        (
            {"tag": 101, "trunks": [101, 102], "vlan_mode": None},
            "tag=101 trunks=101,102 vlan_mode=[]",
        ),
    ],
)
def test_describe_vlan(vlan: Any, text: str) -> None:
    assert describe_vlan(vlan) == text
