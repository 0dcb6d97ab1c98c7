"""Property tests for patch_domain_xml on generated domain XML.

A generated domain has 0-8 NICs of type bridge, network or direct, each with or without a
MAC, model, PCI address, mtu, vlan, virtualport (openvswitch, untyped, 802.1Qbg/Qbh,
midonet), filterref, target, link state, driver, comments, in a random child order, quote
style, indentation, single-line or multi-line; around them other devices, comments,
``<metadata>`` with foreign namespaces, and ``qemu:commandline``.  Outside schema mode the
NICs also carry unknown namespaced elements and attributes, and some NICs have a type that
cannot join OVS (user, hostdev).

Properties:
* patching a subset by MAC (in any letter case) changes exactly those NICs, and inside them
  exactly ``type``, ``<source>``, ``<virtualport>`` and ``<vlan>``; every other byte of
  the document is unchanged, unknown elements included;
* the result has the requested VLANs (read back with domain_nics), patching it again with
  the same data returns it byte-identical;
* in schema mode input and output both pass ``virt-xml-validate`` (a bounded sample);
* a MAC the domain lacks, or a NIC that cannot join OVS, raises ValueError naming the
  domain and the MAC; random damage to the text raises ValueError or patches cleanly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from ovs_hypervisor.domain_xml import domain_nics, patch_domain_xml

BR = "ovsbr0"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PATCHED = {"source", "virtualport", "vlan"}
UUID = "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f"

vids = st.integers(min_value=1, max_value=4094)
nic_specs = st.one_of(
    vids.map(lambda v: {"vlan": v}),
    st.lists(vids, min_size=1, max_size=5, unique=True).map(lambda t: {"trunk": t}),
    st.lists(vids, min_size=2, max_size=5, unique=True).map(
        lambda t: {"native": t[0], "trunk": t[1:]}
    ),
)
# Locally administered unicast MACs (first byte's low bits 10), as libvirt accepts them.
macs = st.tuples(st.integers(0, 63).map(lambda b: b * 4 + 2), *[st.integers(0, 255)] * 5).map(
    lambda b: ":".join(f"{x:02x}" for x in b)
)


@dataclass
class Nic:
    type: str
    mac: str | None
    children: list[str]  # element texts, already in the chosen quote style
    attrs: str = ""
    inline: bool = False

    def text(self, indent: str, level: int, q: str) -> str:
        head = f"<interface type={q}{self.type}{q}{self.attrs}>"
        if self.inline:
            return head + "".join(self.children) + "</interface>"
        pad = "\n" + indent * (level + 1)
        return (
            head
            + "".join(pad + c for c in self.children)
            + "\n"
            + indent * level
            + ("</interface>")
        )


@dataclass
class Doc:
    parts: list[str]  # text between interfaces: len(nics) + 1 pieces
    nics: list[Nic]
    name: str
    schema: bool
    texts: list[str] = field(default_factory=list)  # each NIC's text

    @property
    def xml(self) -> str:
        out = self.parts[0]
        for text, part in zip(self.texts, self.parts[1:], strict=True):
            out += text + part
        return out


def _vlan_text(spec: dict[str, Any], q: str, trunk_no: bool) -> str:
    if "vlan" in spec:
        t = f" trunk={q}no{q}" if trunk_no else ""
        return f"<vlan{t}><tag id={q}{spec['vlan']}{q}/></vlan>"
    tags = "".join(
        f"<tag id={q}{v}{q}"
        + (f" nativeMode={q}untagged{q}" if v == spec.get("native") else "")
        + "/>"
        for v in ([spec["native"]] if "native" in spec else []) + spec["trunk"]
    )
    return f"<vlan trunk={q}yes{q}>{tags}</vlan>"


def _source(draw: st.DrawFn, kind: str, q: str) -> list[str]:
    """The NIC's <source>, as libvirt writes it for each interface type (none for user)."""
    if kind == "bridge":
        return [f"<source bridge={q}{draw(st.sampled_from(['bridge1011', 'br0', BR]))}{q}/>"]
    if kind == "network":
        pg = draw(st.sampled_from(["", f" portgroup={q}office{q}"]))
        return [f"<source network={q}default{q}{pg}/>"]
    if kind == "direct":
        return [f"<source dev={q}eth0{q} mode={q}{draw(st.sampled_from(['bridge', 'vepa']))}{q}/>"]
    if kind == "hostdev":
        return [
            f"<source><address type={q}pci{q} domain={q}0x0000{q} bus={q}0x03{q} "
            f"slot={q}0x00{q} function={q}0x1{q}/></source>"
        ]
    return []


def _virtualport(draw: st.DrawFn, kind: str, q: str) -> list[str]:
    """A <virtualport> of a type libvirt allows for the interface type, or none."""
    vports = {
        "bridge": ["openvswitch", "midonet"],
        "network": ["openvswitch", "untyped", "802.1Qbh"],
        "direct": ["802.1Qbg", "802.1Qbh"],
    }[kind]
    vport = draw(st.sampled_from([None, *vports]))
    if vport == "openvswitch":
        params = draw(
            st.sampled_from(
                ["", f"<parameters interfaceid={q}{UUID}{q}/>",
                 f"<parameters interfaceid={q}{UUID}{q} profileid={q}web{q}/>"]
            )
        )  # fmt: skip
        return [
            f"<virtualport type={q}openvswitch{q}>{params}</virtualport>"
            if params
            else f"<virtualport type={q}openvswitch{q}/>"
        ]
    if vport == "untyped":
        return [
            f"<virtualport><parameters instanceid={q}{UUID}{q} profileid={q}web{q}/></virtualport>"
        ]
    if vport == "802.1Qbh":
        return [f"<virtualport type={q}802.1Qbh{q}><parameters profileid={q}fin{q}/></virtualport>"]
    if vport == "802.1Qbg":
        return [
            f"<virtualport type={q}802.1Qbg{q}><parameters managerid={q}11{q} "
            f"typeid={q}1193047{q} typeidversion={q}2{q} instanceid={q}{UUID}{q}/>"
            "</virtualport>"
        ]
    if vport == "midonet":
        return [
            f"<virtualport type={q}midonet{q}><parameters interfaceid={q}{UUID}{q}/></virtualport>"
        ]
    return []


@st.composite
def nics(draw: st.DrawFn, mac: str | None, slot: int, q: str, schema: bool) -> Nic:
    kinds = ["bridge", "bridge", "network", "direct"]
    if not schema and draw(st.integers(0, 4)) == 0:
        kinds = ["user", "hostdev"]  # types that cannot join OVS, now and then
    kind = draw(st.sampled_from(kinds))
    ch: list[str] = []
    if mac is not None:
        shown = draw(st.sampled_from([mac, mac.upper()]))
        ch.append(f"<mac address={q}{shown}{q}/>")
    ch += _source(draw, kind, q)
    if kind not in ("user", "hostdev"):
        ch += _virtualport(draw, kind, q)
        if draw(st.booleans()):
            # libvirt reads trunk='no' but its schema allows only trunk='yes'.
            ch.append(_vlan_text(draw(nic_specs), q, not schema and draw(st.booleans())))
        if kind != "direct" and draw(st.booleans()):
            ch.append(
                f"<filterref filter={q}clean-traffic{q}><parameter name={q}IP{q} "
                f"value={q}10.0.0.{slot}{q}/></filterref>"
            )
        if draw(st.booleans()):
            ch.append(f"<mtu size={q}{draw(st.sampled_from([1500, 9000]))}{q}/>")
        if draw(st.booleans()):
            ch.append(f"<target dev={q}vnet{slot}{q}/>")
    if draw(st.booleans()):
        ch.append(f"<model type={q}{draw(st.sampled_from(['virtio', 'e1000e', 'rtl8139']))}{q}/>")
    if draw(st.booleans()):
        ch.append(
            f"<address type={q}pci{q} domain={q}0x0000{q} bus={q}0x01{q} "
            f"slot={q}0x{slot:02x}{q} function={q}0x0{q}/>"
        )
    if kind in ("bridge", "network") and draw(st.booleans()):
        ch.append(f"<link state={q}{draw(st.sampled_from(['up', 'down']))}{q}/>")
    if draw(st.booleans()):
        ch.append(f"<!-- nic {slot}: keep &amp; <this> -->")
    if not schema and draw(st.booleans()):
        ch.append(f"<x:note xmlns:x={q}urn:example:x{q} x:level={q}3{q}>ticket #{slot}</x:note>")
    head = ch[:1] if mac is not None else []
    rest = draw(st.permutations(ch[len(head) :]))
    attrs = ""
    if kind == "network" and draw(st.booleans()):
        attrs = f" trustGuestRxFilters={q}yes{q}"
    if not schema and draw(st.booleans()):
        attrs += f" xmlns:y={q}urn:example:y{q} y:owner={q}ops{q}"
    # A MAC does not have to come first; libvirt itself writes it first.
    children = (
        list(draw(st.permutations(head + list(rest)))) if draw(st.booleans()) else head + list(rest)
    )
    return Nic(kind, mac, children, attrs, inline=draw(st.integers(0, 5)) == 0)


@st.composite
def documents(draw: st.DrawFn, schema: bool = False) -> Doc:
    q = draw(st.sampled_from(["'", '"']))
    indent = draw(st.sampled_from(["  ", "    ", "\t"]))
    count = draw(st.integers(0, 8))
    mac_list = draw(st.lists(macs, min_size=count, max_size=count, unique=True))
    nic_list = []
    for i, mac in enumerate(mac_list):
        has_mac = draw(st.integers(0, 6)) > 0
        nic_list.append(draw(nics(mac if has_mac else None, i + 3, q, schema)))
    name = draw(st.sampled_from(["web01", "fw-edge", "db.example", "a&amp;b", "vm_7"]))
    use_qemu = draw(st.booleans())
    i1, i2 = indent, indent * 2
    ns = f" xmlns:qemu={q}http://libvirt.org/schemas/domain/qemu/1.0{q}" if use_qemu else ""
    head = "<?xml version='1.0' encoding='UTF-8'?>\n" if draw(st.booleans()) else ""
    if draw(st.booleans()):
        head += "<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
        head += "OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n"
        head += f"  virsh edit {name}\n-->\n"
    top = (
        f"{head}<domain type={q}kvm{q}{ns}>\n{i1}<name>{name}</name>\n"
        f"{i1}<description>old NICs: &lt;interface type='bridge'&gt; on bridge1011</description>\n"
        f"{i1}<metadata>\n{i2}<app1:foo xmlns:app1={q}http://app1.org/app1/{q}>"
        f"<app1:nic mac={q}52:54:00:00:00:01{q}/></app1:foo>\n{i1}</metadata>\n"
        f"{i1}<memory unit={q}KiB{q}>65536</memory>\n"
        f"{i1}<os>\n{i2}<type arch={q}x86_64{q}>hvm</type>\n{i1}</os>\n"
        f"{i1}<devices>\n{i2}<emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    )
    usb = f"<controller type={q}usb{q} model={q}none{q}/>"
    between = st.sampled_from([i2, f"{i2}<!-- vm-nic -->\n{i2}", f"{i2}{usb}\n{i2}"])
    seps = [draw(between) for _ in nic_list]
    parts = [top + (seps[0] if seps else "")]
    parts += [f"\n{seps[k + 1]}" for k in range(len(nic_list) - 1)]
    tail = f"{i2}<memballoon model={q}none{q}/>\n{i1}</devices>\n"
    if use_qemu:
        tail += (
            f"{i1}<qemu:commandline>\n{i2}<qemu:arg value={q}-newarg{q}/>\n"
            f"{i2}<qemu:env name={q}QEMU_ENV{q} value={q}&lt;interface&gt;{q}/>\n"
            f"{i1}</qemu:commandline>\n"
        )
    tail += "</domain>\n"
    if nic_list:
        parts.append("\n" + tail)
    else:
        parts[0] += tail
    doc = Doc(parts, nic_list, name, schema)
    doc.texts = [n.text(indent, 2, q) for n in nic_list]
    return doc


def _convertible(doc: Doc) -> list[int]:
    return [
        i for i, n in enumerate(doc.nics) if n.mac and n.type in ("bridge", "network", "direct")
    ]


@st.composite
def requests(draw: st.DrawFn, doc: Doc) -> dict[str, dict[str, Any]]:
    candidates = _convertible(doc)
    if not candidates:
        return {}
    least = 0 if draw(st.integers(0, 9)) == 0 else 1  # mostly a real request
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=least, unique=True))
    out: dict[str, dict[str, Any]] = {}
    for i in chosen:
        mac = doc.nics[i].mac
        assert mac is not None
        out[draw(st.sampled_from([mac, mac.upper()]))] = draw(nic_specs)
    return out


def _strip(el: Any) -> bytes:
    """An element (or comment) without its tail, as bytes."""
    el = etree.fromstring(etree.tostring(el)) if isinstance(el.tag, str) else el
    copy = el.__copy__()
    copy.tail = None
    return bytes(etree.tostring(copy))


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else "#comment"


def _ifaces(xml: str) -> list[Any]:
    root = etree.fromstring(re.sub(r"^<\?xml[^>]*\?>", "", xml).encode())
    devices = root.find("devices")
    assert devices is not None
    return list(devices.iterfind("interface"))


def _other_children(iface: Any) -> list[bytes]:
    return [_strip(c) for c in iface if _local(c) not in PATCHED]


def _ovs_params(vport: Any) -> dict[str, str]:
    params: dict[str, str] = {}
    for p in vport.iterfind("parameters"):
        params.update({k: v for k, v in p.attrib.items() if k in ("interfaceid", "profileid")})
    return params


def _check_patch(doc: Doc, want: dict[str, dict[str, Any]]) -> str:
    xml = doc.xml
    out = patch_domain_xml(xml, BR, want)
    wanted = {m.lower(): s for m, s in want.items()}
    # Bytes: everything outside the patched NICs is unchanged.
    pattern = re.escape(doc.parts[0])
    for nic, text, part in zip(doc.nics, doc.texts, doc.parts[1:], strict=True):
        changed = nic.mac is not None and nic.mac in wanted
        pattern += (r"(<interface\b.*?</interface>)" if changed else re.escape(text)) + re.escape(
            part
        )
    assert re.fullmatch(pattern, out, re.S), "bytes outside the requested NICs changed"
    # Elements: inside each patched NIC only type, source, virtualport and vlan changed.
    before, after = _ifaces(xml), _ifaces(out)
    assert len(before) == len(after) == len(doc.nics)
    got = domain_nics(out)
    old_nics = domain_nics(xml)
    for nic, old, new, read, old_read in zip(doc.nics, before, after, got, old_nics, strict=True):
        if nic.mac is None or nic.mac not in wanted:
            assert _strip(old) == _strip(new)
            assert read == old_read
            continue
        assert new.get("type") == "bridge"
        assert {k: v for k, v in new.attrib.items() if k != "type"} == {
            k: v for k, v in old.attrib.items() if k != "type"
        }
        assert _other_children(old) == _other_children(new)
        (src,) = new.findall("source")
        assert dict(src.attrib) == {"bridge": BR} and len(src) == 0
        (vport,) = new.findall("virtualport")
        assert vport.get("type") == "openvswitch"
        old_vport = old.find("virtualport")
        if old_vport is not None and old_vport.get("type") == "openvswitch":
            assert _strip(vport) == _strip(old_vport)  # kept as it was
        elif old_vport is not None and old_vport.get("type") is None:
            assert _ovs_params(vport) == _ovs_params(old_vport)
        else:
            assert _ovs_params(vport) == {}
        assert len(new.findall("vlan")) == 1
        assert read["vlan"] == wanted[nic.mac]
        assert read["bridge"] == BR and read["mac"] == nic.mac
    return out


@SETTINGS
@given(data=st.data())
def test_patch_changes_exactly_the_requested_nics_and_elements(data: st.DataObject) -> None:
    doc = data.draw(documents())
    want = data.draw(requests(doc))
    out = _check_patch(doc, want)
    assert patch_domain_xml(out, BR, want) == out  # byte-identical on a second run
    lowered = {m.lower(): s for m, s in want.items()}
    assert patch_domain_xml(out, BR, lowered) == out  # MAC case does not matter
    if not want:
        assert out == doc.xml


@SETTINGS
@given(data=st.data())
def test_unknown_mac_names_domain_and_mac(data: st.DataObject) -> None:
    doc = data.draw(documents())
    mac = data.draw(macs)
    assume(all(n.mac != mac for n in doc.nics))
    with pytest.raises(ValueError, match=re.escape(mac)) as info:
        patch_domain_xml(doc.xml, BR, {mac: {"vlan": 5}})
    assert "has no NIC with MAC" in str(info.value)


@SETTINGS
@given(data=st.data())
def test_nic_that_cannot_join_ovs_is_refused(data: st.DataObject) -> None:
    doc = data.draw(documents())
    bad = [n for n in doc.nics if n.mac and n.type in ("user", "hostdev")]
    assume(bad)
    with pytest.raises(ValueError, match="cannot join Open vSwitch") as info:
        patch_domain_xml(doc.xml, BR, {bad[0].mac or "": {"vlan": 5}})
    assert (bad[0].mac or "") in str(info.value)


@SETTINGS
@given(data=st.data())
def test_damaged_text_raises_value_error_or_patches_cleanly(data: st.DataObject) -> None:
    doc = data.draw(documents())
    want = data.draw(requests(doc))
    xml = doc.xml
    for _ in range(data.draw(st.integers(1, 3))):
        pos = data.draw(st.integers(0, len(xml)))
        cut = data.draw(st.integers(0, 8))
        junk = data.draw(
            st.sampled_from(["", "<", ">", "'", '"', "&", "/>", "<!--", "]]>", "\x00", "é"])
        )
        xml = xml[:pos] + junk + xml[pos + cut :]
    try:
        out = patch_domain_xml(xml, BR, want)
    except ValueError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600, str(exc)  # one short line
        return
    # Whatever was accepted is patched consistently and idempotently.
    assert patch_domain_xml(out, BR, want) == out
    etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", out).encode())


needs_validator = pytest.mark.skipif(
    shutil.which("virt-xml-validate") is None, reason="virt-xml-validate not installed"
)


@needs_validator
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sample_validates_against_libvirt_schema(data: st.DataObject) -> None:
    doc = data.draw(documents(schema=True))
    want = data.draw(requests(doc))
    out = _check_patch(doc, want)
    with tempfile.TemporaryDirectory() as tmp:
        for label, text in (("input", doc.xml), ("output", out)):
            path = Path(tmp) / f"{label}.xml"
            path.write_text(text, encoding="utf-8")
            proc = subprocess.run(
                ["virt-xml-validate", str(path), "domain"],
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
            assert proc.returncode == 0, f"{label}: {proc.stderr}{proc.stdout}\n{text}"
