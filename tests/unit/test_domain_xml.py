"""Tests for ovs_hypervisor.domain_xml (pure; libvirt only in the round-trip test)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from ovs_hypervisor.domain_xml import domain_nics, patch_domain_xml
from tests.helpers.domain_samples import ALL3, BR, DATA, NIC1, NIC2, NIC3, USER_NIC, load

_IFACE_RE = re.compile(r"^[ \t]*<interface\b.*?</interface>", re.S | re.M)


def iface_spans(xml: str) -> list[str]:
    """Text of each <interface>...</interface> that starts a line (the data's comment and
    CDATA mention '<interface' mid-line, on purpose)."""
    return _IFACE_RE.findall(xml)


def outside_ifaces(xml: str) -> str:
    return _IFACE_RE.sub("<IFACE/>", xml)


def iface(xml: str, mac: str) -> etree._Element:
    root = etree.fromstring(xml.encode())
    for el in root.iterfind("devices/interface"):
        m = el.find("mac")
        if m is not None and m.get("address", "").lower() == mac:
            return el
    raise AssertionError(f"no NIC {mac}")


def vlan_of(el: etree._Element) -> tuple[str | None, list[tuple[str | None, str | None]]]:
    vlans = el.findall("vlan")
    assert len(vlans) == 1
    return vlans[0].get("trunk"), [(t.get("id"), t.get("nativeMode")) for t in vlans[0]]


# --------------------------------------------------------------------------- shapes


def test_access_trunk_hybrid_exact_config() -> None:
    out = patch_domain_xml(load("legacy-full.xml"), BR, ALL3)
    for mac in (NIC1, NIC2, NIC3):
        el = iface(out, mac)
        assert el.get("type") == "bridge"
        assert [s.items() for s in el.findall("source")] == [[("bridge", BR)]]
        assert [v.items() for v in el.findall("virtualport")] == [[("type", "openvswitch")]]
    assert vlan_of(iface(out, NIC1)) == (None, [("1011", None)])
    assert vlan_of(iface(out, NIC2)) == ("yes", [("1011", None), ("1012", None)])
    assert vlan_of(iface(out, NIC3)) == ("yes", [("101", "untagged"), ("102", None)])


def test_literal_libvirt_style_output() -> None:
    out = patch_domain_xml(load("legacy-full.xml"), BR, ALL3)
    assert (
        "      <source bridge='ovsbr0'/>\n"
        "      <virtualport type='openvswitch'/>\n"
        "      <vlan trunk='yes'>\n"
        "        <tag id='101' nativeMode='untagged'/>\n"
        "        <tag id='102'/>\n"
        "      </vlan>\n"
        "      <model type='e1000e'/>\n"
    ) in out
    assert "<interface type='bridge'>\n      <mac address='52:54:00:aa:bb:03'/>" in out


def test_single_tag_trunk_keeps_trunk_yes() -> None:
    out = patch_domain_xml(load("legacy-full.xml"), BR, {NIC1: {"trunk": [1011]}})
    assert vlan_of(iface(out, NIC1)) == ("yes", [("1011", None)])


def test_native_tagged_mode() -> None:
    spec = {"native": 5, "trunk": [6], "native_mode": "tagged"}
    out = patch_domain_xml(load("legacy-full.xml"), BR, {NIC1: spec})
    assert vlan_of(iface(out, NIC1)) == ("yes", [("5", "tagged"), ("6", None)])
    assert {n["mac"]: n["vlan"] for n in domain_nics(out)}[NIC1] == spec


def test_new_elements_go_right_after_source_and_order_is_kept() -> None:
    out = patch_domain_xml(load("legacy-full.xml"), BR, ALL3)
    names = [c.tag for c in iface(out, NIC1) if isinstance(c.tag, str)]
    assert names == [
        "mac",
        "source",
        "virtualport",
        "vlan",
        "model",
        "driver",
        "filterref",
        "mtu",
        "boot",
        "address",
    ]
    names2 = [c.tag for c in iface(out, NIC2)]
    assert names2 == ["mac", "source", "virtualport", "vlan", "link", "model", "address"]


def test_existing_vlan_and_virtualport_replaced_in_place() -> None:
    xml = load("net-virtio-network-portgroup.xml")
    out = patch_domain_xml(xml, BR, {"00:11:22:33:44:55": {"vlan": 5}})
    el = iface(out, "00:11:22:33:44:55")
    # <vlan> came before <virtualport> in the input; both stay where they were.
    assert [c.tag for c in el] == ["mac", "source", "vlan", "virtualport", "model", "address"]
    assert vlan_of(el) == (None, [("5", None)])
    vport = el.find("virtualport")
    assert vport is not None and vport.items() == [("type", "openvswitch")]
    assert el.find("virtualport/parameters") is None  # 802.1Qbg parameters dropped
    assert el.get("trustGuestRxFilters") == "yes"


# --------------------------------------------------------------------------- preservation


def test_untouched_nics_and_rest_of_document_byte_identical() -> None:
    xml = load("legacy-full.xml")
    out = patch_domain_xml(xml, BR, {NIC2: {"vlan": 7}})
    before, after = iface_spans(xml), iface_spans(out)
    assert len(before) == len(after) == 4
    assert before[0] == after[0]
    assert before[2:] == after[2:]
    assert outside_ifaces(xml) == outside_ifaces(out)
    # Lines outside the patched NIC, including comment, CDATA, metadata and qemu: namespace.
    assert out.startswith(xml[: xml.index('<interface type="bridge">')])
    assert out.endswith(xml[xml.index('<link state="up"/>') :])


def test_preserves_address_filterref_boot_mtu_driver_comments() -> None:
    xml = load("legacy-full.xml")
    out = patch_domain_xml(xml, BR, ALL3)
    nic1 = iface_spans(out)[0]
    for kept in (
        "<mac address='52:54:00:AA:BB:01'/>",  # original case kept
        "<model type='virtio'/>",
        "<driver name='vhost' queues='2'/>",
        "<!-- keep the filter: customers spoof -->",
        "<filterref filter='clean-traffic'>\n        <parameter name='IP' value='192.0.2.20'/>\n"
        "      </filterref>",
        "<mtu size='1500'/>",
        "<boot order='1'/>",
        "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>",
    ):
        assert kept in nic1
    nic2 = iface_spans(out)[1]
    assert '<link state="up"/>' in nic2 and '<mac address="52:54:00:aa:bb:02"/>' in nic2
    assert "<!-- front-end NIC; an old <interface type='bridge'> sat here -->" in out
    assert "<qemu:arg value='pvpanic'/>" in out
    assert "<![CDATA[notes: was <interface type='bridge'> on bridge1011 </interface> once]]>" in out
    assert "note='a > b &amp; c'" in out


def test_network_nic_loses_network_only_attributes() -> None:
    out = patch_domain_xml(load("legacy-full.xml"), BR, ALL3)
    nic3 = iface_spans(out)[2]
    assert "network=" not in nic3 and "portgroup" not in nic3


def test_direct_nic_converted_and_inline_nic_stays_inline() -> None:
    xml = load("direct-macvtap.xml")
    out = patch_domain_xml(
        xml, BR, {"52:54:00:cc:dd:01": {"vlan": 30}, "52:54:00:cc:dd:02": {"vlan": 31}}
    )
    one, two = iface_spans(out)
    assert "dev=" not in one and "mode=" not in one and "802.1Qbg" not in one
    assert "\t\t<vlan>\n\t\t\t<tag id='30'/>\n\t\t</vlan>\n" in one  # tab indentation followed
    assert "\n" not in two
    assert "<source bridge='ovsbr0'/><virtualport type='openvswitch'/><vlan>" in two


def test_status_only_actual_element_removed_cleanly() -> None:
    xml = load("legacy-full.xml").replace(
        "      <source network='default' portgroup='office'/>\n",
        "      <source network='default' portgroup='office'/>\n"
        "      <actual type='bridge'>\n        <source bridge='virbr0'/>\n      </actual>\n",
    )
    out = patch_domain_xml(xml, BR, {NIC3: {"vlan": 3}})
    assert "<actual" not in out and "virbr0" not in out
    assert (
        "      <mac address='52:54:00:aa:bb:03'/>\n      <source bridge='ovsbr0'/>\n"
        "      <virtualport type='openvswitch'/>\n      <vlan>\n        <tag id='3'/>\n"
        "      </vlan>\n      <model type='e1000e'/>\n"
    ) in out


def test_duplicate_vlan_children_collapse_to_one() -> None:
    xml = load("legacy-full.xml").replace(
        "<source bridge='bridge1011'/>",
        "<source bridge='bridge1011'/>\n      <vlan><tag id='1'/></vlan>\n"
        "      <!-- old -->\n      <vlan><tag id='2'/></vlan>",
    )
    out = patch_domain_xml(xml, BR, {NIC1: {"vlan": 9}})
    assert vlan_of(iface(out, NIC1)) == (None, [("9", None)])
    assert "      </vlan>\n      <!-- old -->\n      <model type='virtio'/>" in out
    assert patch_domain_xml(out, BR, {NIC1: {"vlan": 9}}) == out


def test_untyped_virtualport_keeps_only_ovs_parameters() -> None:
    out = patch_domain_xml(
        load("net-virtio-network-portgroup.xml"), BR, {"10:11:22:33:44:55": {"vlan": 6}}
    )
    vp = iface(out, "10:11:22:33:44:55").find("virtualport")
    assert vp is not None and vp.get("type") == "openvswitch"
    params = vp.find("parameters")
    assert params is not None
    assert params.items() == [("interfaceid", "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f")]


def test_existing_openvswitch_virtualport_parameters_kept() -> None:
    xml = load("net-openvswitch.xml")
    out = patch_domain_xml(xml, BR, {"00:11:22:33:44:55": {"vlan": 42}})
    span = iface_spans(out)[0]
    assert (
        "<virtualport type='openvswitch'>\n        <parameters "
        "interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' profileid='bob'/>\n"
        "      </virtualport>"
    ) in span


def test_other_virtualport_type_replaced() -> None:
    out = patch_domain_xml(load("net-midonet.xml"), BR, {"00:11:22:33:44:55": {"vlan": 9}})
    vp = iface(out, "00:11:22:33:44:55").findall("virtualport")
    assert len(vp) == 1 and vp[0].items() == [("type", "openvswitch")] and len(vp[0]) == 0


def test_xml_declaration_and_mixed_quotes_survive() -> None:
    xml = "<?xml version='1.0' encoding='UTF-8'?>\n" + load("legacy-full.xml")
    out = patch_domain_xml(xml, BR, {NIC1: {"vlan": 4}})
    assert out.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<!-- Adapted")


TRICKY = """<?xml version="1.0"?>
<!DOCTYPE domain [ <!ENTITY me "x>y"> ]>
<?pi <interface type='bridge'>?>
<domain type='test' xmlns:x='urn:x'>
  <name>tricky</name>
  <devices>
    <!-- <interface type='bridge'><mac address='52:54:00:aa:bb:01'/></interface> -->
    <interface type='bridge'/>
    <interface x:note='a>b&lt;/interface>' type = "network" >
      <mac address='52:54:00:aa:bb:01'/>
      <!-- </interface> -->
      <source network='n1'/>
      <x:blob><![CDATA[</interface><interface type='user'>]]></x:blob>
    </interface >
    <interface type='bridge'><mac address='52:54:00:aa:bb:02'/><source bridge='b'/></interface>
  </devices>
</domain>
"""


def test_span_location_survives_hostile_text() -> None:
    out = patch_domain_xml(TRICKY, BR, {NIC1: {"vlan": 5}})
    head = TRICKY[: TRICKY.index("<interface x:note")]
    tail = TRICKY[TRICKY.index("      <x:blob>") :]
    assert out.startswith(head + "<interface x:note='a>b&lt;/interface>' type = 'bridge' >\n")
    assert out.endswith(tail)
    assert (
        "      <!-- </interface> -->\n      <source bridge='ovsbr0'/>\n"
        "      <virtualport type='openvswitch'/>\n      <vlan>\n        <tag id='5'/>\n"
        "      </vlan>\n      <x:blob>"
    ) in out
    assert patch_domain_xml(out, BR, {NIC1: {"vlan": 5}}) == out


# --------------------------------------------------------------------------- idempotence


@pytest.mark.parametrize(
    ("fname", "nics"),
    [
        ("legacy-full.xml", ALL3),
        ("legacy-full.xml", {NIC1: {"trunk": [3]}}),
        ("net-virtio-network-portgroup.xml", {"10:11:22:33:44:55": {"native": 1, "trunk": [2]}}),
        ("direct-macvtap.xml", {"52:54:00:cc:dd:02": {"trunk": [4, 5]}}),
        ("net-mtu.xml", {"52:54:00:e5:48:59": {"vlan": 4094}}),
        ("net-midonet.xml", {"00:11:22:33:44:55": {"vlan": 1}}),
    ],
)
def test_idempotent(fname: str, nics: dict[str, dict[str, Any]]) -> None:
    once = patch_domain_xml(load(fname), BR, nics)
    assert patch_domain_xml(once, BR, nics) == once


def test_already_correct_nic_returns_input_unchanged() -> None:
    xml = load("net-openvswitch.xml").replace("type='network'", "type='bridge'")
    xml = xml.replace("<source network='ovs-net'/>", "<source bridge='ovsbr0'/>")
    # Same trunk set in another order, written with libvirt's multi-line style.
    assert patch_domain_xml(xml, BR, {"00:11:22:33:44:55": {"trunk": [456, 42, 48]}}) is xml


def test_libvirt_reformatted_output_is_still_correct() -> None:
    """libvirt writes <vlan> multi-line and adds an interfaceid; that must not re-patch."""
    once = patch_domain_xml(load("legacy-full.xml"), BR, ALL3)
    reformatted = once.replace(
        "<virtualport type='openvswitch'/>",
        '<virtualport type="openvswitch">\n        <parameters '
        "interfaceid='5a5b8c3e-4f11-4bd6-9f3a-1d2e3f4a5b6c'/>\n      </virtualport>",
    )
    assert patch_domain_xml(reformatted, BR, ALL3) == reformatted


def test_changing_vlan_rewrites_only_vlan() -> None:
    once = patch_domain_xml(load("legacy-full.xml"), BR, ALL3)
    twice = patch_domain_xml(once, BR, {NIC1: {"vlan": 2000}})
    assert twice == once.replace(
        "<tag id='1011'/>\n      </vlan>", "<tag id='2000'/>\n      </vlan>", 1
    )


def test_mac_case_insensitive_both_ways() -> None:
    xml = load("legacy-full.xml")  # NIC1 is upper-case in the XML, NIC2 lower
    a = patch_domain_xml(xml, BR, {NIC1: {"vlan": 10}, NIC2.upper(): {"vlan": 11}})
    b = patch_domain_xml(xml, BR, {NIC1.upper(): {"vlan": 10}, NIC2: {"vlan": 11}})
    assert a == b != xml


def test_empty_nics_returns_input() -> None:
    xml = load("legacy-full.xml")
    assert patch_domain_xml(xml, BR, {}) is xml


# --------------------------------------------------------------------------- errors


def test_unknown_mac_names_domain_and_mac() -> None:
    with pytest.raises(ValueError, match=r"'web01'.*52:54:00:00:00:99"):
        patch_domain_xml(load("legacy-full.xml"), BR, {"52:54:00:00:00:99": {"vlan": 1}})


@pytest.mark.parametrize(
    ("fname", "mac", "why"),
    [
        ("net-hostdev.xml", "00:11:22:33:44:55", "hostdev.*passthrough"),
        ("net-vhostuser.xml", "52:54:00:ee:96:6b", "vhostuser"),
        ("net-vhostuser.xml", "52:54:00:95:db:c0", "'server'"),
        ("legacy-full.xml", USER_NIC, "'user'.*SLIRP"),
    ],
)
def test_nic_that_cannot_join_ovs(fname: str, mac: str, why: str) -> None:
    with pytest.raises(ValueError, match=rf"domain '.+', NIC {mac}: .*{why}"):
        patch_domain_xml(load(fname), BR, {mac: {"vlan": 1}})


def test_malformed_xml_is_valueerror() -> None:
    with pytest.raises(ValueError, match="malformed domain XML"):
        patch_domain_xml("<domain><name>x</name><devices>", BR, {NIC1: {"vlan": 1}})


def test_non_domain_root() -> None:
    with pytest.raises(ValueError, match=r"not a libvirt domain.*network"):
        patch_domain_xml("<network><name>default</name></network>", BR, {NIC1: {"vlan": 1}})


def test_duplicate_mac_in_domain() -> None:
    xml = load("legacy-full.xml").replace("52:54:00:aa:bb:03", "52:54:00:aa:bb:01")
    with pytest.raises(ValueError, match="52:54:00:aa:bb:01 is used by more than one NIC"):
        patch_domain_xml(xml, BR, {NIC2: {"vlan": 1}})


def test_same_mac_twice_in_request() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        patch_domain_xml(
            load("legacy-full.xml"), BR, {NIC1: {"vlan": 1}, NIC1.upper(): {"vlan": 2}}
        )


@pytest.mark.parametrize(
    "spec",
    [
        {"vlan": 0},
        {"vlan": 4095},
        {"vlan": True},
        {"vlan": "10"},
        {"trunk": []},
        {"trunk": [1, 1]},
        {"trunk": "10"},
        {"native": 5, "trunk": [5, 6]},
        {"native": 5},
        {"vlan": 1, "trunk": [2]},
        {"native": 5, "trunk": [6], "native_mode": "sideways"},
        {},
    ],
)
def test_bad_spec(spec: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"'web01', NIC 52:54:00:aa:bb:01"):
        patch_domain_xml(load("legacy-full.xml"), BR, {NIC1: spec})


@pytest.mark.parametrize("bridge", ["", "a" * 16, "br 0", "br'0", "..", "br/0"])
def test_bad_bridge_name(bridge: str) -> None:
    with pytest.raises(ValueError, match="invalid bridge name"):
        patch_domain_xml(load("legacy-full.xml"), bridge, {NIC1: {"vlan": 1}})


def test_bad_mac_in_request() -> None:
    with pytest.raises(ValueError, match="invalid MAC"):
        patch_domain_xml(load("legacy-full.xml"), BR, {"52:54:00:aa:bb": {"vlan": 1}})


# --------------------------------------------------------------------------- validation


needs_validator = pytest.mark.skipif(
    shutil.which("virt-xml-validate") is None, reason="virt-xml-validate not installed"
)


@needs_validator
@pytest.mark.parametrize(
    ("fname", "nics"),
    [
        ("legacy-full.xml", ALL3),
        ("net-virtio-network-portgroup.xml", {m: {"vlan": 5} for m in (
            "00:11:22:33:44:55", "10:11:22:33:44:55", "22:11:22:33:44:55")}),
        ("direct-macvtap.xml", {"52:54:00:cc:dd:01": {"trunk": [5]},
                                "52:54:00:cc:dd:02": {"native": 7, "trunk": [8, 9]}}),
        ("net-openvswitch.xml", {"00:11:22:33:44:55": {"native": 42, "trunk": [48]}}),
        ("net-midonet.xml", {"00:11:22:33:44:55": {"vlan": 100}}),
        ("net-mtu.xml", {"52:54:00:e5:48:58": {"vlan": 10}, "52:54:00:e5:48:59": {"trunk": [1]}}),
    ],
)  # fmt: skip
def test_output_validates_against_libvirt_schema(
    tmp_path: Path, fname: str, nics: dict[str, dict[str, Any]]
) -> None:
    out = tmp_path / fname
    out.write_text(patch_domain_xml(load(fname), BR, nics), encoding="utf-8")
    proc = subprocess.run(
        ["virt-xml-validate", str(out), "domain"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout


@needs_validator
def test_test_data_validates() -> None:
    for f in sorted(DATA.glob("*.xml")):
        if f.name.startswith("testnode"):
            continue
        proc = subprocess.run(
            ["virt-xml-validate", str(f), "domain"], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, f"{f.name}: {proc.stderr}"


def test_round_trip_through_libvirt_parser() -> None:
    """libvirt keeps the patched config (test driver = libvirt's own domain parser), adds
    an interfaceid, reformats; patching its dump again changes nothing."""
    libvirt = pytest.importorskip("libvirt")
    xml = (
        "<domain type='test'><name>rt</name><memory>65536</memory><os><type>hvm</type></os>"
        "<devices>\n    <interface type='bridge'>\n      <mac address='52:54:00:01:02:03'/>\n"
        "      <source bridge='bridge1011'/>\n      <model type='virtio'/>\n    </interface>\n"
        "  </devices></domain>"
    )
    nics = {"52:54:00:01:02:03": {"native": 101, "trunk": [102, 103]}}
    conn = libvirt.open("test:///default")
    try:
        dom = conn.defineXML(patch_domain_xml(xml, BR, nics))
        dumped = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    finally:
        conn.close()
    (nic,) = domain_nics(dumped)
    assert nic["vlan"] == nics["52:54:00:01:02:03"]
    assert nic["virtualport"] == "openvswitch" and nic["interfaceid"]
    assert nic["bridge"] == BR
    assert patch_domain_xml(dumped, BR, nics) == dumped


# --------------------------------------------------------------------------- properties


_vid = st.integers(min_value=1, max_value=4094)
_spec = st.one_of(
    st.builds(lambda v: {"vlan": v}, _vid),
    st.builds(lambda t: {"trunk": t}, st.lists(_vid, min_size=1, max_size=6, unique=True)),
    st.lists(_vid, min_size=2, max_size=6, unique=True).map(
        lambda t: {"native": t[0], "trunk": t[1:]}
    ),
)
_macs = [NIC1, NIC2, NIC3]


@settings(max_examples=150, deadline=None)
@given(
    specs=st.dictionaries(st.sampled_from(_macs), _spec, min_size=1),
    second=st.dictionaries(st.sampled_from(_macs), _spec),
)
def test_property_exact_config_idempotent_and_local(
    specs: dict[str, dict[str, Any]], second: dict[str, dict[str, Any]]
) -> None:
    xml = load("legacy-full.xml")
    out = patch_domain_xml(xml, BR, specs)
    assert patch_domain_xml(out, BR, specs) == out
    assert outside_ifaces(out) == outside_ifaces(xml)
    got = {n["mac"]: n["vlan"] for n in domain_nics(out)}
    for mac, spec in specs.items():
        assert got[mac] == spec
    for i, mac in enumerate(_macs):
        if mac not in specs:
            assert iface_spans(out)[i] == iface_spans(xml)[i]
    # A second deploy with other VLANs changes exactly those NICs' VLANs (trunks are sets:
    # OVS stores them so, and the patcher leaves a reordered but equal trunk alone).
    again = patch_domain_xml(out, BR, second)
    want: dict[str | None, object] = dict(got)
    want.update(second)

    def norm(v: object) -> object:
        if isinstance(v, dict) and "trunk" in v:
            return {**v, "trunk": sorted(v["trunk"])}
        return v

    found = {n["mac"]: norm(n["vlan"]) for n in domain_nics(again)}
    assert found == {k: norm(v) for k, v in want.items()}
    assert patch_domain_xml(again, BR, second) == again
