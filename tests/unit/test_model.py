"""Host data validation: good data loads, bad data names host, key, value and fix."""

from __future__ import annotations

from typing import Any

import pytest

from ovs_hypervisor.model import HostDataError, load_host_config
from tests.conftest import LAB_DATA


def load(**over: Any) -> Any:
    return load_host_config("hv1", {**LAB_DATA, **over})


def error_of(**over: Any) -> str:
    with pytest.raises(HostDataError) as info:
        load(**over)
    return str(info.value)


def test_defaults_and_derived_values() -> None:
    c = load()
    assert c.bridge == "ovsbr0"
    assert c.mgmt_port_name == "vlan1234"
    assert c.uplink_port == "eth0"
    assert str(c.mgmt_interface.netmask) == "255.255.255.0"
    assert c.legacy_vlan("bridge1011") == 1011
    assert c.legacy_vlan("br-lan") is None
    assert c.legacy_vlan("bridge0") is None  # VLAN 0 is not a VLAN


def test_bond_uplink_port() -> None:
    c = load(ovs_hv_uplinks=["eth0", "eth1"])
    assert c.uplink_port == "bond0"


def test_explicit_legacy_map_wins() -> None:
    c = load(ovs_hv_legacy_bridges={"br-dmz": 77})
    assert c.legacy_vlan("br-dmz") == 77


def test_domains_macs_normalised() -> None:
    c = load(ovs_hv_domains={"vm": {"52:54:00:AA:BB:01": {"native": 5, "trunk": [6, 7]}}})
    assert c.domains["vm"]["52:54:00:aa:bb:01"].as_dict() == {"trunk": [6, 7], "native": 5}


def test_non_prefixed_keys_are_ignored() -> None:
    c = load_host_config("hv1", {**LAB_DATA, "ssh_user": "root", "_private": 1})
    assert c.mgmt_vlan == 1234


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"ovs_hv_bridg": "x"}, ["ovs_hv_bridg", "did you mean ovs_hv_bridge"]),
        ({"ovs_hv_mgmt_vlann": 5}, ["did you mean ovs_hv_mgmt_vlan"]),
        ({"ovs_hb_bridge": "x"}, ["ovs_hb_bridge", "did you mean ovs_hv_bridge"]),
        ({"ovs_hv_mgmt_vlan": 0}, ["ovs_hv_mgmt_vlan = 0", "1-4094"]),
        ({"ovs_hv_mgmt_vlan": 4095}, ["ovs_hv_mgmt_vlan = 4095", "1-4094"]),
        ({"ovs_hv_mgmt_vlan": "10"}, ["ovs_hv_mgmt_vlan = '10'", "integers"]),
        ({"ovs_hv_mgmt_gateway": "10.0.0.1"}, ["outside the management subnet 192.0.2.0/24"]),
        ({"ovs_hv_mgmt_ipv4": "192.0.2.10"}, ["ovs_hv_mgmt_ipv4", "no prefix length"]),
        ({"ovs_hv_mgmt_ipv4": "192.0.2.0/24"}, ["network or broadcast"]),
        ({"ovs_hv_mgmt_dns": ["dns.example"]}, ["ovs_hv_mgmt_dns", "not an IP address"]),
        ({"ovs_hv_bridge": "averyveryverylongname"}, ["ovs_hv_bridge", "1-15 characters"]),
        ({"ovs_hv_bridge": "br/0"}, ["ovs_hv_bridge", "'br/0'"]),
        ({"ovs_hv_uplinks": []}, ["ovs_hv_uplinks", "at least one uplink"]),
        ({"ovs_hv_uplinks": ["vlan1234"]}, ["'vlan1234' is used as both"]),
        ({"ovs_hv_mgmt_ipv6": "dhcp"}, ["ovs_hv_mgmt_ipv6", "'off', 'slaac' or 'static'"]),
        ({"ovs_hv_mgmt_ipv6": "static"}, ["needs ovs_hv_mgmt_ipv6_address"]),
        ({"ovs_hv_stop_timeout": -1}, ["ovs_hv_stop_timeout = -1", "1-3600"]),
        ({"ovs_hv_datapath_type": "dpdk"}, ["ovs_hv_datapath_type", "'netdev'"]),
        (
            {"ovs_hv_domains": {"vm": {"52:54:00:aa:bb:01": {"vlan": 4095}}}},
            ["ovs_hv_domains['vm']['52:54:00:aa:bb:01']['vlan'] = 4095"],
        ),
        (
            {"ovs_hv_domains": {"vm": {"52:54:00:aa:bb:01": {"native": 5, "trunk": [5, 6]}}}},
            ["native VLAN 5 is also in the trunk list"],
        ),
        (
            {"ovs_hv_domains": {"vm": {"52:54:00:aa:bb:01": {"trunk": []}}}},
            ["trunk list is empty"],
        ),
        (
            {
                "ovs_hv_domains": {
                    "a": {"52:54:00:aa:bb:01": {"vlan": 5}},
                    "b": {"52:54:00:AA:BB:01": {"vlan": 6}},
                }
            },
            ["MAC 52:54:00:aa:bb:01 is listed twice"],
        ),
        (
            {"ovs_hv_domains": {"vm": {"not-a-mac": {"vlan": 5}}}},
            ["'not-a-mac' is not a MAC address"],
        ),
        (
            {"ovs_hv_domains": {"vm": {"52:54:00:aa:bb:01": {"vlan": 5, "trunk": [6]}}}},
            ["either {'vlan': N}"],
        ),
    ],
)
def test_bad_input_is_named(over: dict[str, Any], expected: list[str]) -> None:
    message = error_of(**over)
    assert message.startswith("host 'hv1'")
    for text in expected:
        assert text in message


def test_missing_required_key() -> None:
    with pytest.raises(HostDataError, match="ovs_hv_mgmt_vlan: required and not set"):
        load_host_config("hv1", {"ovs_hv_mgmt_ipv4": "192.0.2.10/24"})
