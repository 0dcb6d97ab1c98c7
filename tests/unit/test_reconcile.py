"""Live OVSDB reconcile and the cutover decision, on facts recorded from the lab."""

from __future__ import annotations

from typing import Any

from ovs_hypervisor.host_state import parse_links, parse_ovs_state
from ovs_hypervisor.model import load_host_config
from ovs_hypervisor.reconcile import owned_columns_args, reconcile_args, structural_gaps
from tests.conftest import DATA, LAB_DATA

REC = DATA / "lab-after"


def ovs() -> Any:
    return parse_ovs_state((REC / "ovs-state.txt").read_text().splitlines())


def links() -> Any:
    return parse_links((REC / "links.json").read_text())


CONFIG = load_host_config("hv1", LAB_DATA)


def test_migrated_lab_needs_nothing() -> None:
    assert structural_gaps(CONFIG, ovs(), links(), ["bridge1011", "vlan1234"]) == []
    assert reconcile_args(CONFIG, ovs()) == []


def test_hand_made_drift_is_fixed_in_one_transaction() -> None:
    state = ovs()
    state["ports"]["vlan1234"]["tag"] = 5
    state["ports"]["eth0"]["trunks"] = [1234]
    state["ports"]["eth0"]["vlan_mode"] = "trunk"
    state["bridges"]["ovsbr0"]["datapath_type"] = "system"
    args = reconcile_args(CONFIG, state)
    assert " ".join(args) == (
        "-- set bridge ovsbr0 datapath_type=netdev -- set port vlan1234 tag=1234 "
        "-- clear port eth0 trunks -- clear port eth0 vlan_mode"
    )


def test_changed_management_vlan_is_set_live() -> None:
    config = load_host_config(
        "hv1", {**LAB_DATA, "ovs_hv_mgmt_vlan": 77, "ovs_hv_mgmt_port": "vlan1234"}
    )
    assert reconcile_args(config, ovs()) == ["--", "set", "port", "vlan1234", "tag=77"]


def test_bond_members_follow_the_data() -> None:
    config = load_host_config("hv1", {**LAB_DATA, "ovs_hv_uplinks": ["eth0", "eth1"]})
    state = ovs()
    ports = state["show"]["bridges"]["ovsbr0"]["ports"]
    ports["bond0"] = {"tag": None, "trunks": [], "interfaces": {"eth0": {}, "eth2": {}}}
    state["ports"]["bond0"] = {
        "tag": None,
        "trunks": [],
        "vlan_mode": None,
        "bond_mode": "balance-slb",
    }
    assert reconcile_args(config, state) == [
        "--",
        "add-bond-iface",
        "bond0",
        "eth1",
        "--",
        "del-bond-iface",
        "bond0",
        "eth2",
    ]


def test_bond_mode_and_lacp_follow_the_data() -> None:
    # Debian's hook sets them only at add-bond: a changed ovs_hv_bond_options is set live.
    data = {**LAB_DATA, "ovs_hv_uplinks": ["eth0", "eth1"]}
    state = ovs()
    ports = state["show"]["bridges"]["ovsbr0"]["ports"]
    ports["bond0"] = {"tag": None, "trunks": [], "interfaces": {"eth0": {}, "eth1": {}}}
    row: dict[str, Any] = {
        "tag": None,
        "trunks": [],
        "vlan_mode": None,
        "bond_mode": None,
        "lacp": None,
    }
    state["ports"]["bond0"] = row
    # unset columns are OVS's defaults: active-backup, lacp off
    config = load_host_config("hv1", {**data, "ovs_hv_bond_options": "bond_mode=active-backup"})
    assert reconcile_args(config, state) == []
    config = load_host_config("hv1", {**data, "ovs_hv_bond_options": "lacp=off"})
    assert reconcile_args(config, state) == []
    config = load_host_config("hv1", data)  # the default: balance-slb
    assert reconcile_args(config, state) == ["--", "set", "port", "bond0", "bond_mode=balance-slb"]
    row["bond_mode"] = "balance-slb"
    assert reconcile_args(config, state) == []
    opts = "bond_mode=balance-tcp lacp=active other_config:lacp-time=fast"
    config = load_host_config("hv1", {**data, "ovs_hv_bond_options": opts})
    assert reconcile_args(config, state) == [
        *("--", "set", "port", "bond0", "bond_mode=balance-tcp", "lacp=active")
    ]


def test_structural_gaps_need_a_cutover() -> None:
    state = ovs()
    del state["show"]["bridges"]["ovsbr0"]["ports"]["eth0"]
    found = links()
    found["vlan1234"]["addresses"] = []
    found["bridge1011"] = {"kind": "bridge", "master": None, "up": True, "addresses": []}
    assert structural_gaps(CONFIG, state, found, ["bridge1011", "vlan1234"]) == [
        "port eth0 is missing from ovsbr0",
        "vlan1234 does not hold 192.0.2.10/24",
        "legacy device bridge1011 exists",
    ]
    state["show"]["bridges"] = {}
    assert structural_gaps(CONFIG, state, found, []) == ["bridge ovsbr0 is missing"]


def test_the_cutover_sets_every_owned_column_whatever_they_are() -> None:
    # run by the cutover after its ifup, when no facts of the new switch exist yet
    bonded = load_host_config(
        "hv1",
        {**LAB_DATA, "ovs_hv_uplinks": ["eth0", "eth1"], "ovs_hv_bond_options": "lacp=active"},
    )
    assert owned_columns_args(bonded)[-6:] == [
        *("--", "set", "port", "bond0", "bond_mode=active-backup", "lacp=active")
    ]
    assert "bond0" not in owned_columns_args(CONFIG)
