"""Expected vs actual, on facts recorded from the lab after a real migration."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from ovs_hypervisor.host_state import parse_links, parse_ovs_state
from ovs_hypervisor.model import load_host_config
from ovs_hypervisor.verify import check_domains, check_host_links, check_switch
from tests.conftest import DATA, LAB_DATA

REC = DATA / "lab-after"
CONFIG = load_host_config("ovslab-hv1", LAB_DATA)


def ovs() -> Any:
    return parse_ovs_state((REC / "ovs-state.txt").read_text().splitlines())


def links() -> Any:
    return parse_links((REC / "links.json").read_text())


def domains() -> Any:
    return json.loads((REC / "domains.json").read_text())


def vnet_of(mac: str) -> str:
    from ovs_hypervisor.domain_xml import domain_nics

    for info in domains().values():
        for nic in domain_nics(info["live_xml"] or info["xml"]):
            if nic["mac"] == mac and nic["target"]:
                return nic["target"]
    raise AssertionError(mac)


def test_recorded_lab_is_clean() -> None:
    state = ovs()
    assert check_switch(CONFIG, state) == []
    assert check_host_links(CONFIG, links(), ["bridge1011", "vlan1011", "vlan1234"]) == []
    assert check_domains(CONFIG, state, domains()) == []


def test_wrong_vm_tag_is_named() -> None:
    state = ovs()
    vnet = vnet_of("52:54:00:aa:bb:01")
    state["ports"][vnet]["tag"] = 999
    assert check_domains(CONFIG, state, domains()) == [
        f"vm-access 52:54:00:aa:bb:01 port {vnet}: tag expected 1011, found 999"
    ]


def test_missing_vnet_port() -> None:
    state = ovs()
    del state["ports"][vnet_of("52:54:00:aa:bb:03")]
    (diff,) = check_domains(CONFIG, state, domains())
    assert diff.startswith("vm-hybrid 52:54:00:aa:bb:03: vnet port") and "not on OVS" in diff


def test_missing_uplink_and_bad_mgmt_tag() -> None:
    state = copy.deepcopy(ovs())
    ports = state["show"]["bridges"]["ovsbr0"]["ports"]
    del ports["eth0"]
    ports["vlan1234"]["tag"] = 1235
    assert check_switch(CONFIG, state) == [
        "uplink port eth0 is missing from ovsbr0",
        "management port vlan1234: tag expected 1234, found 1235",
    ]


def test_interface_error_and_datapath() -> None:
    state = ovs()
    state["show"]["bridges"]["ovsbr0"]["ports"]["eth0"]["interfaces"]["eth0"]["error"] = (
        "could not open network device eth0 (No such device)"
    )
    state["bridges"]["ovsbr0"]["datapath_type"] = "system"
    diffs = check_switch(CONFIG, state)
    assert "bridge ovsbr0: datapath_type expected netdev, found system" in diffs
    assert "interface eth0: error: could not open network device eth0 (No such device)" in diffs


def test_ovs_unreachable() -> None:
    state = parse_ovs_state(["@@ERROR ovs-vsctl cannot reach ovsdb-server: ..."])
    assert check_switch(CONFIG, state) == [
        "cannot read OVS: ovs-vsctl cannot reach ovsdb-server: ..."
    ]


@pytest.mark.parametrize("dev", ["bridge1011", "vlan1011"])
def test_legacy_device_left(dev: str) -> None:
    found = links()
    found[dev] = {"kind": "bridge", "master": None, "up": True, "addresses": []}
    assert check_host_links(CONFIG, found, [dev]) == [f"legacy device {dev} still exists"]


def test_management_address_missing() -> None:
    found = links()
    found["vlan1234"]["addresses"] = []
    assert check_host_links(CONFIG, found, []) == [
        "management port vlan1234: address 192.0.2.10/24 missing (has: none)"
    ]
