"""Host data model: good data loads (with its edge cases), derived values, message shape.

The bad inputs live in tests/corpus/bad_host_data/ (one file per case, with the expected
message); random values for every key are in tests/property/test_model_fuzz.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from ovs_hypervisor.model import HostConfig, HostDataError, load_host_config
from ovs_hypervisor.model_domains import NicSpecData
from tests.conftest import LAB_DATA


def load(**over: Any) -> HostConfig:
    return load_host_config("hv1", {**LAB_DATA, **over})


def error_of(**over: Any) -> HostDataError:
    with pytest.raises(HostDataError) as info:
        load(**over)
    return info.value


def test_defaults_and_derived_values() -> None:
    c = load()
    assert c.bridge == "ovsbr0"
    assert c.mgmt_port_name == "vlan1234"
    assert c.uplink_port == "eth0"
    assert str(c.mgmt_interface.netmask) == "255.255.255.0"
    assert c.legacy_vlan("bridge1011") == 1011
    assert c.legacy_vlan("br-lan") is None
    assert c.legacy_vlan("bridge0") is None  # VLAN 0 is not a VLAN
    assert c.legacy_vlan("bridge4095") is None


def test_bond_uplink_port() -> None:
    c = load(
        ovs_hv_uplinks=["eth0", "eth1"], ovs_hv_bond_options="bond_mode=balance-tcp lacp=active"
    )
    assert c.uplink_port == "bond0"


def test_explicit_legacy_map_wins() -> None:
    c = load(ovs_hv_legacy_bridges={"br-dmz": 77, "bridge5": 6})
    assert c.legacy_vlan("br-dmz") == 77
    assert c.legacy_vlan("bridge5") == 6


def test_legacy_pattern_with_an_optional_group_does_not_crash() -> None:
    # re.match(r"^br(\d+)?$", "br").group(1) is None: int(None) used to raise TypeError.
    c = load(ovs_hv_legacy_bridge_pattern=r"^br(\d+)?$")
    assert c.legacy_vlan("br") is None
    assert c.legacy_vlan("br12") == 12
    assert c.legacy_vlan("brx") is None


def test_legacy_pattern_capturing_non_digits() -> None:
    c = load(ovs_hv_legacy_bridge_pattern=r"^vm-(.+)$")
    assert c.legacy_vlan("vm-dmz") is None
    assert c.legacy_vlan("vm-12") == 12


def test_domains_macs_normalised() -> None:
    c = load(ovs_hv_domains={"vm": {"52:54:00:AA:BB:01": {"native": 5, "trunk": [6, 7]}}})
    assert c.domains["vm"]["52:54:00:aa:bb:01"].as_dict() == {"trunk": [6, 7], "native": 5}


def test_nic_spec_forms() -> None:
    assert NicSpecData(vlan=5).as_dict() == {"vlan": 5}
    assert NicSpecData(trunk=[6, 7]).as_dict() == {"trunk": [6, 7]}
    assert NicSpecData.model_validate({"trunk": (1, 4094)}).as_dict() == {"trunk": [1, 4094]}


def test_non_prefixed_keys_are_ignored() -> None:
    data: dict[Any, Any] = {**LAB_DATA, "ssh_user": "root", "_private": 1, 5: "x", "ovsdb_x": 1}
    c = load_host_config("hv1", data)
    assert c.mgmt_vlan == 1234


@pytest.mark.parametrize(
    "over",
    [
        {"ovs_hv_mgmt_ipv4": "10.0.0.0/31", "ovs_hv_mgmt_gateway": "10.0.0.1"},  # RFC 3021
        {"ovs_hv_mgmt_ipv4": "10.0.0.1/31", "ovs_hv_mgmt_gateway": "10.0.0.0"},
        {"ovs_hv_mgmt_ipv4": "192.0.2.10/32", "ovs_hv_mgmt_gateway": None},
        {"ovs_hv_mgmt_ipv4": "169.254.7.1/16", "ovs_hv_mgmt_gateway": None},
        {"ovs_hv_mgmt_dns": ["127.0.0.53", "2001:db8::53"]},  # a local resolver is fine
        {"ovs_hv_mgmt_dns": ("192.0.2.53",)},  # a tuple keeps its order
        {"ovs_hv_uplinks": ("eth0", "eth1")},
        {
            "ovs_hv_mgmt_ipv6": "static",
            "ovs_hv_mgmt_ipv6_address": "2001:db8::10/64",
            "ovs_hv_mgmt_ipv6_gateway": "fe80::1",
        },
        {
            "ovs_hv_mgmt_ipv6": "static",
            "ovs_hv_mgmt_ipv6_address": "2001:db8::10/64",
            "ovs_hv_mgmt_ipv6_gateway": "2001:db8::1",
        },
        {"ovs_hv_mgmt_ipv6": "static", "ovs_hv_mgmt_ipv6_address": "2001:db8::1/127"},
        {"ovs_hv_mgmt_ipv6": "off"},
        {"ovs_hv_bridge": "br.v-0_1", "ovs_hv_mgmt_port": "mgmt-0_1"},
        {"ovs_hv_bridge": "a" * 15},
        {
            "ovs_hv_extra_interfaces": (
                "auto eth2\niface eth2 inet static\n    address 198.51.100.2/24\n"
            )
        },
        {"ovs_hv_legacy_bridges": {"br-dmz": 77}, "ovs_hv_legacy_bridge_pattern": r"^br(\d+)$"},
        {"ovs_hv_packages": []},
        {"ovs_hv_domains": {"web 01 (old)": {"02:00:00:00:00:01": {"vlan": 1}}}},
        {"ovs_hv_stop_timeout": 1, "ovs_hv_confirm_window": 3600},
    ],
)
def test_good_edge_cases_load(over: dict[str, Any]) -> None:
    config = load(**over)
    for key, value in over.items():
        got = getattr(config, key.removeprefix("ovs_hv_"))
        assert plain(got) == plain(value), key


def plain(value: Any) -> Any:
    """Compare data as given with data as loaded: tuples are lists, NIC specs dicts."""
    if isinstance(value, NicSpecData):
        return value.as_dict()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def test_message_shape() -> None:
    err = error_of(ovs_hv_mgmt_vlan="10")
    assert err.host == "hv1"
    assert str(err) == (
        "host 'hv1': invalid host data (1 problem(s)):\n"
        "  - ovs_hv_mgmt_vlan = '10': is a str, not an integer; fix: set ovs_hv_mgmt_vlan to "
        "the management VLAN id, a whole number 1-4094 (e.g. 1234, not '1234')"
    )


def test_cross_key_problems_are_all_reported() -> None:
    err = error_of(
        ovs_hv_uplinks=["ovsbr0"],
        ovs_hv_mgmt_gateway="198.51.100.1",
        ovs_hv_mgmt_ipv6_gateway="fe80::1",
    )
    assert len(err.problems) == 3
    assert all("; fix: " in p for p in err.problems)


def test_field_and_key_problems_together() -> None:
    err = error_of(ovs_hv_bridg="x", ovs_hv_mgmt_vlan=0)
    assert [p.split(" = ")[0] for p in err.problems] == ["ovs_hv_bridg", "ovs_hv_mgmt_vlan"]


def test_a_value_that_cannot_be_printed() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    err = error_of(ovs_hv_bridge=Hostile())
    assert "ovs_hv_bridge = <Hostile" in str(err)
    assert "is a Hostile, not a string; fix: " in str(err)


@pytest.mark.parametrize(
    "spec",
    [
        {"trunk": []},
        {"trunk": [7, 8, 7]},
        {"native": 101, "trunk": [101, 102]},
        {"native": 5},
        {"vlan": 5, "trunk": [6]},
    ],
)
def test_host_data_and_patching_apply_one_nic_spec_rule(spec: dict[str, Any]) -> None:
    """The model and patch_domain_xml refuse a NIC spec with the same words."""
    from ovs_hypervisor.domain_xml import nic_spec_problem, normalize_nic_spec

    problem = nic_spec_problem(spec.get("vlan"), spec.get("trunk"), spec.get("native"))
    assert problem is not None
    what, fix = problem
    err = error_of(ovs_hv_domains={"vm": {"52:54:00:aa:bb:01": spec}})
    assert f"{what}; fix: {fix}" in str(err)
    with pytest.raises(ValueError) as info:
        normalize_nic_spec(spec)
    assert str(info.value) == f"{what}; fix: {fix}"
