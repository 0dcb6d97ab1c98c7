"""Tests for reading domain XML (ovs_hypervisor.domain_xml): the NICs, and the OVS port
libvirt makes of a NIC spec.  Patching is tested in test_domain_xml.py."""

from __future__ import annotations

from ovs_hypervisor.domain_xml import (
    domain_nics,
    expected_ovs_port,
    normalize_nic_spec,
    patch_domain_xml,
)
from tests.helpers.domain_samples import ALL3, BR, NIC1, NIC2, NIC3, USER_NIC, load


def test_domain_nics_legacy() -> None:
    nics = domain_nics(load("legacy-full.xml"))
    assert [n["mac"] for n in nics] == [NIC1, NIC2, NIC3, USER_NIC]
    assert nics[0]["type"] == "bridge" and nics[0]["bridge"] == "bridge1011"
    assert nics[0]["vlan"] is None and nics[0]["virtualport"] is None
    assert nics[0]["model"] == "virtio" and nics[0]["target"] is None
    assert nics[2]["network"] == "default" and nics[2]["portgroup"] == "office"
    assert nics[3]["type"] == "user" and nics[3]["bridge"] is None


def test_domain_nics_reads_vlans() -> None:
    out = patch_domain_xml(load("legacy-full.xml"), BR, ALL3)
    got = {n["mac"]: n["vlan"] for n in domain_nics(out)}
    assert got == {**ALL3, USER_NIC: None}
    ovs = domain_nics(load("net-openvswitch.xml"))[0]
    assert ovs["vlan"] == {"trunk": [42, 48, 456]} and ovs["virtualport"] == "openvswitch"
    assert ovs["interfaceid"] == "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f"
    untyped = domain_nics(load("net-virtio-network-portgroup.xml"))[1]
    assert untyped["virtualport"] == ""
    direct = domain_nics(load("direct-macvtap.xml"))[0]
    assert direct["source_dev"] == "eth0"


def test_domain_nics_live_xml_target() -> None:
    live = load("legacy-full.xml").replace(
        "<source bridge='bridge1011'/>", "<source bridge='bridge1011'/><target dev='vnet7'/>"
    )
    assert domain_nics(live)[0]["target"] == "vnet7"


def test_expected_ovs_port_matches_libvirt_construct_vlans() -> None:
    # See domain_xml module doc: virNetDevOpenvswitchConstructVlans().
    assert expected_ovs_port(None) == {"tag": None, "trunks": [], "vlan_mode": None}
    assert expected_ovs_port({"vlan": 1011}) == {"tag": 1011, "trunks": [], "vlan_mode": None}
    assert expected_ovs_port({"trunk": [1012, 1011]}) == {
        "tag": None,
        "trunks": [1011, 1012],
        "vlan_mode": None,
    }
    assert expected_ovs_port({"native": 101, "trunk": [102]}) == {
        "tag": 101,
        "trunks": [101, 102],
        "vlan_mode": "native-untagged",
    }
    assert expected_ovs_port({"native": 7, "trunk": [3], "native_mode": "tagged"}) == {
        "tag": 7,
        "trunks": [3, 7],
        "vlan_mode": "native-tagged",
    }


def test_normalize_nic_spec() -> None:
    assert normalize_nic_spec({"trunk": (3, 1)}) == {"trunk": [3, 1]}
    assert normalize_nic_spec({"native": 2, "trunk": [3], "native_mode": "untagged"}) == {
        "native": 2,
        "trunk": [3],
    }
