"""Expected vs actual (ovs_hypervisor.verify) on recorded OVS samples without libvirt:
`show` from OVS 3.1 and the quoted layout of 2.x (tests/data/ovs/)."""

from __future__ import annotations

import pytest

from ovs_hypervisor.host_state import OvsSnapshot, VerifySnapshot
from ovs_hypervisor.ovs_show import parse_ovs_show
from ovs_hypervisor.ovsdb_json import bridge_rows, interface_rows, port_rows
from ovs_hypervisor.verify import verify_host
from tests.conftest import DATA
from tests.helpers.verify_samples import config, probe


def sample_snapshot(show_file: str) -> OvsSnapshot:
    ovs = DATA / "ovs"

    def read(name: str) -> str:
        return (ovs / name).read_text()

    return {
        "error": None,
        "vswitchd": "ovs-vswitchd (Open vSwitch) 3.1.0",
        "vswitchd_error": None,
        "show": parse_ovs_show(read(show_file)),
        "ports": port_rows(read("ovs-3.1-lab-columns-Port.json")),
        "interfaces": interface_rows(read("ovs-3.1-lab-columns-Interface.json")),
        "bridges": bridge_rows(read("ovs-3.1-lab-columns-Bridge.json")),
    }


@pytest.mark.parametrize("show_file", ["ovs-3.1-lab.show", "ovs-2.3-quoted-lab.show"])
def test_recorded_ovs_sample_with_bond_patch_and_error(show_file: str) -> None:
    cfg = config(ovs_hv_uplinks=["eth0", "eth1"], ovs_hv_domains={})
    snap: VerifySnapshot = {
        "ovs": sample_snapshot(show_file),
        "net": probe("clean")["net"],
        "domains": {"error": None, "domains": {}},
    }
    snap["net"]["links"]["eth1"] = dict(snap["net"]["links"]["eth0"])  # type: ignore[assignment]
    report = verify_host(cfg, snap)
    assert [(d.kind, d.subject) for d in report.differences] == [
        ("port-extra", "port patch-ovsbr1"),
        ("vm-port-stale", "port vnet0"),
        ("port-extra", "port vnet1"),
        ("port-extra", "port vnet2"),
        ("port-extra", "port vnet9"),
    ]
    assert [(r.role, r.name, r.config, r.detail, r.status) for r in report.rows][1] == (
        "bond",
        "bond0",
        "trunk (all VLANs)",
        "eth1 (ofport 1), eth0 (ofport 2)",
        "ok",
    )


def test_hypervisor_errors_quoted_show_without_ovsdb_rows() -> None:
    # an OVS 2.3 `show` alone (no JSON rows): interface errors come from `error:` lines
    cfg = config(ovs_hv_bridge="vmbr0", ovs_hv_uplinks=["eth0", "eth1"], ovs_hv_domains={})
    text = (DATA / "ovs" / "hypervisor-errors-quoted.show").read_text()
    ovs: OvsSnapshot = {
        "error": None,
        "vswitchd": None,
        "vswitchd_error": None,
        "show": parse_ovs_show(text),
        "ports": {},
        "interfaces": {},
        "bridges": {},
    }
    snap: VerifySnapshot = {
        "ovs": ovs,
        "net": probe("clean")["net"],
        "domains": probe("clean")["domains"],
    }
    snap["net"]["links"]["eth1"] = dict(snap["net"]["links"]["eth0"])  # type: ignore[assignment]
    report = verify_host(cfg, snap)
    assert report.vswitchd == "unknown" and report.ovs_version == "2.3.0"
    # vnet6/vnet3 have no libvirt external_ids here (no rows), so they count as extra; the
    # lab's domains are on ovsbr0, not on vmbr0, so they are not ours.
    assert [(d.kind, d.subject) for d in report.differences] == [
        ("port-extra", "port veth1.99.2e"),
        ("port-extra", "port vnet3"),
        ("port-extra", "port vnet6"),
    ]
    assert report.nics == []
    assert [(r.role, r.name, r.config, r.status) for r in report.rows] == [
        ("bridge", "vmbr0", "datapath ?", "ok"),
        ("bond", "bond0", "trunk (all VLANs)", "ok"),
        ("mgmt", "vlan1234", "access 1234", "ok"),
    ]
