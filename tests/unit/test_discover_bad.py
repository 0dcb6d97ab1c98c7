"""Discovery refusing what it cannot map (errors naming file, line and fix), the collector's
JSON, inventory overrides and the odd hosts (pure, no lab needed).

tests/data/discover/lab-*.json are the two facts discovery reads, recorded from the lab with
tests/data/discover/capture.py: the legacy "before" state and the state after the deploy.
The synthetic hosts below build facts from an interfaces text (links derived from it, as
ifup would make them) and domain XML, to reach the cases the lab does not have.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.discover import (
    Discovery,
    FileFact,
    discover,
    inventory_overrides,
    parse_network_facts,
    render_host_data,
    summary,
)
from tests.helpers.discover import BASE, DOMAINS, TOP, domain, facts, make_link, problems, run

# --- bad input: errors name file and line, and what to do; nothing is written ----------------

BAD = [
    pytest.param(
        BASE + "    mtu 9000\nauto eth1\n  mtu 1500\n",
        None,
        "/etc/network/interfaces:36: misplaced option 'mtu'",
        id="unparsable",
    ),
    pytest.param(
        BASE.replace("bridge_ports vlan1012", "bridge_ports vlan1012 vlan1011"),
        None,
        "/etc/network/interfaces:32: bridge bridge1012 has 2 VLAN ports (vlan1012 (VLAN 1012), "
        "vlan1011 (VLAN 1011))",
        id="bridge-with-two-vlan-ports",
    ),
    pytest.param(
        BASE.replace(
            "    bridge_ports vlan1011\n",
            "    bridge_ports vlan1011\n    address 198.51.100.2/28\n",
        ).replace("iface bridge1011 inet manual", "iface bridge1011 inet static"),
        None,
        "the host has IPv4 on 2 VLAN interfaces (bridge1234 (VLAN 1234, 192.0.2.10/24, "
        "/etc/network/interfaces:15); bridge1011 (VLAN 1011, 198.51.100.2/28, "
        "/etc/network/interfaces:25))",
        id="ip-on-two-bridges",
    ),
    pytest.param(
        BASE.replace("vlan1012", "vlan4095"),
        None,
        "/etc/network/interfaces:28: VLAN device vlan4095: VLAN id 4095 is out of range (1-4094)",
        id="vlan-id-out-of-range",
    ),
    pytest.param(
        BASE,
        {"web": domain("web", ("bridge", "bridge1099", "52:54:00:00:00:01"))},
        "domain web: NIC 52:54:00:00:00:01 is on bridge 'bridge1099' (<source "
        "bridge='bridge1099'/>), but this host has no such bridge",
        id="nic-on-missing-bridge",
    ),
    pytest.param(
        BASE.replace("vlan_raw_device eth0", "vlan_raw_device eth1", 1),
        None,
        "the VLANs ride on 2 NICs (eth0: VLAN 1011, 1012; eth1: VLAN 1234)",
        id="vlans-on-two-nics",
    ),
    pytest.param(
        BASE.replace("iface bridge1234 inet static", "iface bridge1234 inet dhcp").replace(
            "    address 192.0.2.10/24\n", ""
        ),
        None,
        "/etc/network/interfaces:12: bridge1234 (the management bridge) takes its address by DHCP",
        id="dhcp-management",
    ),
    pytest.param(
        BASE.replace("iface eth0 inet manual", "iface eth0 inet static\n    address 10.0.0.5/24"),
        None,
        "the host has an untagged IPv4 address on eth0",
        id="untagged-management",
    ),
    pytest.param(
        BASE.replace("bridge_ports vlan1011", "bridge_ports vlan1011 eth0"),
        None,
        "bridge bridge1011 mixes VLAN port vlan1011 with eth0",
        id="bridge-mixing-vlan-and-uplink",
    ),
    pytest.param(
        BASE.replace("    address 192.0.2.10/24\n", "").replace(
            "iface bridge1234 inet static", "iface bridge1234 inet manual"
        ),
        None,
        "no VLAN bridge holds an IPv4 address: cannot tell the management VLAN",
        id="no-management-address",
    ),
    pytest.param(
        BASE.replace("    address 192.0.2.10/24\n", ""),
        None,
        "/etc/network/interfaces:12: bridge1234 has no IPv4 address",
        id="static-without-address",
    ),
    pytest.param(
        BASE + "allow-ovs ovsbr0\niface ovsbr0 inet manual\n    ovs_type OVSBridge\n",
        None,
        "/etc/network/interfaces:36: ovsbr0 is already an Open vSwitch interface (`ovs_type "
        "OVSBridge`) while ",
        id="half-migrated",
    ),
    pytest.param(
        BASE,
        {"t": domain("t", ("bridge", "bridge1011", "52:54:00:00:00:01"), persistent=False)},
        "domain t: is transient (not defined)",
        id="transient-domain",
    ),
    pytest.param(
        BASE,
        {"m": domain("m", ("direct", "vlan1011", "52:54:00:00:00:01"))},
        "domain m: NIC 52:54:00:00:00:01 is a macvtap on vlan1011, which the migration removes",
        id="macvtap-on-legacy-vlan",
    ),
    pytest.param(
        BASE.replace("auto vlan1012\niface vlan1012", "auto eth0.1011\niface eth0.1011")
        .replace("bridge_ports vlan1012", "bridge_ports eth0.1011")
        .replace("    vlan-raw-device eth0\n", ""),
        None,
        "eth0.1011 and vlan1011 are both VLAN 1011 on eth0",
        id="same-vlan-twice",
    ),
    pytest.param(
        BASE.replace("address 192.0.2.10/24", "address 192.0.2.10"),
        None,
        "/etc/network/interfaces:15: bridge1234: address 192.0.2.10 has no prefix length",
        id="address-without-prefix",
    ),
]


@pytest.mark.parametrize(("text", "doms", "message"), BAD)
def test_bad_input_is_an_error_naming_where_and_what_to_do(
    text: str, doms: dict[str, Any] | None, message: str
) -> None:
    d = discover("kvm1", facts(text), DOMAINS if doms is None else doms)
    out = problems(d)
    assert message in out, out
    assert all("; fix: " in str(e) for e in d.errors)
    assert "ERRORS" in summary(d) and "no host data is written for kvm1" in summary(d)
    with pytest.raises(ValueError):
        render_host_data(d)


def test_live_address_disagreeing_with_the_file_is_an_error() -> None:
    net = facts(BASE)
    net["links"]["bridge1234"]["addresses"][0]["address"] = "192.0.2.99"
    out = problems(discover("kvm1", net, DOMAINS))
    assert (
        "/etc/network/interfaces:15: bridge1234: the file says 192.0.2.10/24, but the live" in out
    )


def test_same_ip_on_two_links_is_an_error() -> None:
    net = facts(BASE)
    net["links"]["eth5"] = make_link(
        "eth5",
        addresses=[
            {
                "family": "inet",
                "address": "192.0.2.10",
                "prefixlen": 24,
                "scope": "global",
                "dynamic": False,
            }
        ],
    )
    assert "192.0.2.10 is on both bridge1234 and eth5" in problems(discover("kvm1", net, DOMAINS))


def test_unreadable_or_missing_files_are_errors() -> None:
    net = facts(BASE)
    net["files"][0] = {
        "path": TOP,
        "origin": None,
        "text": None,
        "missing": True,
        "error": "cannot read: No such file or directory",
    }
    assert "this host is not configured with Debian's ifupdown" in problems(discover("k", net, {}))
    net = facts(BASE)
    net["files"].append(
        {
            "path": "/etc/network/interfaces.d/x",
            "origin": (TOP, 2),
            "text": None,
            "missing": False,
            "error": "is not UTF-8 text",
        }
    )
    out = problems(discover("k", net, {}))
    assert (
        "/etc/network/interfaces.d/x: is not UTF-8 text (sourced at /etc/network/interfaces:2)"
        in out
    )


def test_unparsable_sourced_file_names_that_file() -> None:
    top = "source /etc/network/interfaces.d/*\n" + BASE
    bad: list[FileFact] = [
        {
            "path": "/etc/network/interfaces.d/extra",
            "origin": (TOP, 1),
            "text": "# extra\niface eth3 inet static\n    address\n",
            "missing": False,
            "error": None,
        }
    ]
    d = discover("kvm1", facts(top, sourced=bad), DOMAINS)
    assert "/etc/network/interfaces.d/extra:3: option 'address' with empty value" in problems(d)


# --- the collector's JSON, overrides ------------------------------------------------------------


def test_parse_network_facts() -> None:
    raw = {
        "files": [
            {"path": TOP, "origin": None, "b64": "YXV0byBsbwo=", "error": None},
            {"path": "/e/x", "origin": [TOP, 3], "b64": "/w==", "error": None},
        ],
        "links": [{"name": "eth0", "addresses": []}],
        "kernel": "6.1.0",
    }
    net = parse_network_facts(json.dumps(raw))
    assert net["files"][0]["text"] == "auto lo\n"
    assert net["files"][1] == {
        "path": "/e/x",
        "origin": (TOP, 3),
        "text": None,
        "missing": False,
        "error": "is not UTF-8 text",
    }
    assert net["links"]["eth0"]["kind"] is None
    assert net["ovs_module"]["state"] == "missing"
    with pytest.raises(ValueError, match="did not print JSON"):
        parse_network_facts("Traceback (most recent call last):")


def test_inventory_overrides() -> None:
    data = {"ovs_hv_mgmt_vlan": 1234, "ovs_hv_domains": {"a": {}}, "ovs_hv_uplinks": ["eth0"]}
    own = {"ovs_hv_mgmt_vlan": 99, "ovs_hv_domains": {"b": {"x": 1}}, "ovs_hv_uplinks": ["eth0"]}
    # keys that came from the previous host_data file are not the inventory's
    notes = inventory_overrides(data, own, {"ovs_hv_domains": {"b": {"x": 1}}}, {})
    assert notes == [
        "the inventory sets ovs_hv_mgmt_vlan = 99 for this host, which wins over the discovered "
        "1234: remove it from the inventory to use the discovered value"
    ]
    notes = inventory_overrides(data, {}, {}, {"ovs_hv_uplinks": ["eth1"]})
    assert notes == ["--data ovs_hv_uplinks=['eth1'] wins over the discovered ['eth0']"]


def test_policy_keys_of_the_inventory_are_honoured() -> None:
    # a host whose OVS bridge is called br-ovs: NICs already there are recognised
    xml = (
        "<domain type='kvm'><name>r</name><devices><interface type='bridge'>"
        "<mac address='52:54:00:00:00:0c'/><source bridge='br-ovs'/>"
        "<vlan><tag id='1011'/></vlan></interface></devices></domain>"
    )
    doms = {"r": {"state": "shut off", "persistent": True, "xml": xml, "live_xml": None}}
    net = facts(BASE)
    net["links"]["br-ovs"] = make_link("br-ovs", kind="openvswitch")
    d = discover("kvm1", net, doms, {"ovs_hv_bridge": "br-ovs"})
    assert d.ok, summary(d)
    assert d.data["ovs_hv_domains"] == {"r": {"52:54:00:00:00:0c": {"vlan": 1011}}}


def test_vlan_ports_named_only_in_bridge_ports() -> None:
    """bridge-utils creates `DEV.N` ports itself: no stanza is needed for them."""
    text = """\
auto eth0
iface eth0 inet manual
auto br1234
iface br1234 inet static
    bridge_ports eth0.1234
    address 192.0.2.10/24
auto br1011
iface br1011 inet manual
    bridge_ports eth0.1011
"""
    d = run(text, {"web": domain("web", ("bridge", "br1011", "52:54:00:00:00:01"))})
    assert d.ok, summary(d)
    assert d.data["ovs_hv_legacy_bridges"] == {"br1011": 1011, "br1234": 1234}
    assert d.data["ovs_hv_domains"] == {"web": {"52:54:00:00:00:01": {"vlan": 1011}}}
    assert [(v.vid, v.device, v.where) for v in d.vlans] == [
        (1011, "eth0.1011", "/etc/network/interfaces:8"),
        (1234, "eth0.1234", "/etc/network/interfaces:4"),
    ]
    bad = run(text.replace("eth0.1011", "eth0.5000"))
    assert "/etc/network/interfaces:9: bridge port eth0.5000: VLAN id 5000 is out of range" in (
        problems(bad)
    )


def test_migrated_host_with_a_kept_bridge_is_skipped_not_half_migrated() -> None:
    text = """\
allow-ovs ovsbr0
iface ovsbr0 inet manual
    ovs_type OVSBridge
    ovs_ports eth0 vlan1234
allow-ovsbr0 vlan1234
iface vlan1234 inet static
    ovs_bridge ovsbr0
    ovs_type OVSIntPort
    ovs_options tag=1234
    address 192.0.2.10/24
auto br-build
iface br-build inet manual
    bridge_ports none
"""
    d = run(text, {})
    assert d.errors == [] and d.skipped is not None, summary(d)


def test_dns_and_gateway_of_kept_stanzas_stay_with_them() -> None:
    text = BASE + "auto eth3\niface eth3 inet static\n    address 10.0.0.5/24\n"
    text += "    gateway 10.0.0.1\n    dns-nameservers 10.0.0.53\n"
    d = run(text)
    assert d.ok, summary(d)
    assert d.data["ovs_hv_mgmt_dns"] == ["192.0.2.53"]
    assert "dns-nameservers 10.0.0.53" in d.data["ovs_hv_extra_interfaces"]
    assert any("eth3 also has a gateway: kept with its stanza" in w for w in d.warnings)
    # ...while a dropped stanza's DNS servers move to the management port
    d = run(
        BASE.replace(
            "iface eth0 inet manual", "iface eth0 inet manual\n    dns-nameservers 9.9.9.9"
        )
    )
    assert d.data["ovs_hv_mgmt_dns"] == ["192.0.2.53", "9.9.9.9"]
    assert any("DNS servers 9.9.9.9 of eth0 move to the management port" in w for w in d.warnings)


def test_strings_with_backslashes_and_quotes_round_trip(tmp_path: Path) -> None:
    extra = 'iface eth9 inet manual\n    up echo "a \\\n  b" """x\'\'\'\n'
    d = Discovery(host="kvm9", data={"ovs_hv_extra_interfaces": extra, "ovs_hv_mgmt_dns": ['a"b']})
    path = tmp_path / "kvm9.py"
    path.write_text(render_host_data(d))
    found = runpy.run_path(str(path))
    assert found["ovs_hv_extra_interfaces"] == extra
    assert found["ovs_hv_mgmt_dns"] == ['a"b']
    assert found["ovs_hv_domains"] == {}
