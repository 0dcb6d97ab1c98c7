"""Read and patch libvirt domain XML so that chosen NICs join an Open vSwitch bridge.

Pure: lxml only, no libvirt, no pyinfra.

The patcher edits the *text*: only the ``<interface>`` elements it changes are rewritten,
and inside those only the ``type`` attribute and the ``<source>``, ``<virtualport>``,
``<vlan>`` (and status-only ``<actual>``) children. Everything else - quote style,
comments, MAC, PCI address, boot order, filterref, unknown or namespaced elements - stays
byte-identical, so a diff of old and new XML shows exactly what the deploy changed.
lxml is used to check well-formedness and read values; a small lexer (``xml_text``) finds
the text spans.

libvirt -> OVS mapping (what libvirt runs when it plugs ``vnetN`` into the bridge), from
libvirt ``src/util/virnetdevopenvswitch.c``, ``virNetDevOpenvswitchConstructVlans()``,
and ``src/conf/netdev_vlan_conf.c``, ``virNetDevVlanParse()``:

* ``<vlan><tag id='N'/></vlan>`` -> ``tag=N``; ``vlan_mode`` is not set (OVSDB: ``[]``).
* ``<vlan trunk='yes'><tag id='A'/><tag id='B'/></vlan>`` -> ``trunk=A,B`` (ovs-vsctl
  accepts the unique column prefix ``trunk`` for ``trunks``); ``tag`` and ``vlan_mode``
  unset.
* ``<vlan trunk='yes'><tag id='N' nativeMode='untagged'/><tag id='B'/></vlan>`` ->
  ``vlan_mode=native-untagged tag=N trunk=N,B``: the native tag stays in libvirt's tag
  array, so it is also listed in ``trunks``. (``nativeMode='tagged'`` likewise, with
  ``vlan_mode=native-tagged``.)

Debian 12's libvirt 9.0 adds the port with ``ovs-vsctl --may-exist add-port``; if a stale
port of the same name survived (crash), the VLAN columns are NOT rewritten, so verification
must compare OVSDB against :func:`expected_ovs_port`. (libvirt 7.x ran
``--if-exists del-port -- add-port`` instead.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict

from lxml import etree

from ovs_hypervisor.xml_text import Children, Layout, Node, lex

__all__ = [
    "MAC_RE",
    "NIC_SPEC_FIX",
    "DomainNic",
    "NicSpec",
    "OvsPortVlan",
    "domain_nics",
    "expected_ovs_port",
    "nic_spec_problem",
    "normalize_nic_spec",
    "patch_domain_xml",
]

VLAN_MIN = 1
VLAN_MAX = 4094


class NicSpec(TypedDict, total=False):
    """VLAN wiring of one NIC: access ``{"vlan": N}``, trunk ``{"trunk": [N, ...]}``, or
    hybrid ``{"native": N, "trunk": [N, ...]}`` (native untagged unless
    ``native_mode="tagged"``)."""

    vlan: int
    trunk: list[int]
    native: int
    native_mode: Literal["untagged", "tagged"]


class DomainNic(TypedDict):
    """One ``<devices>/<interface>`` as read from domain XML."""

    mac: str | None  # lower-case
    type: str | None
    bridge: str | None  # <source bridge=>; libvirt also fills it for type='network' live
    network: str | None
    portgroup: str | None
    source_dev: str | None  # type='direct' (macvtap) or ethernet
    vlan: NicSpec | None
    virtualport: str | None  # its type; "" when <virtualport> has no type attribute
    interfaceid: str | None
    target: str | None  # vnetN, present in live XML
    model: str | None


class OvsPortVlan(TypedDict):
    """The OVSDB ``Port`` columns libvirt sets for a NIC (empty column -> None / [])."""

    tag: int | None
    trunks: list[int]
    vlan_mode: str | None


# Interface types that can become type='bridge' on OVS, and why the others cannot.
_CONVERTIBLE = ("bridge", "network", "direct")
_REFUSED = {
    "hostdev": "PCI/SR-IOV passthrough: the guest owns the device, there is no host port",
    "vhostuser": "vhost-user socket served by a userspace switch, not a bridge port",
    "user": "user-mode (SLIRP) networking has no host-side port",
    "ethernet": "a tap device managed by scripts outside libvirt's bridge code",
    "vdpa": "a vDPA device, not a tap",
    "server": "QEMU socket backend, no host port",
    "client": "QEMU socket backend, no host port",
    "mcast": "QEMU socket backend, no host port",
    "udp": "QEMU socket backend, no host port",
    "internal": "hypervisor-internal network",
    "null": "no backend",
    "vds": "a VMware distributed switch port",
}
# Parameters an openvswitch virtualport accepts; others belong to 802.1Qbg/Qbh.
_OVS_VPORT_PARAMS = ("interfaceid", "profileid")
_BRIDGE_RE = re.compile(r"^[^\s/'\"<>&]{1,15}\Z")
# A MAC as the host data and libvirt write it, lower-cased: the one rule for both.
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}\Z")
_XML_DECL_RE = re.compile(r"^\s*<\?xml\s[^>]*\?>")
_TAG_ID_RE = re.compile(r"[0-9]{1,9}", re.ASCII)


# --------------------------------------------------------------------------- parsing


def _parse(xml: str) -> etree._Element:
    if not isinstance(xml, str):
        raise ValueError(f"domain XML must be str, not {type(xml).__name__}")
    # lxml refuses str input that carries an encoding declaration; it says nothing here.
    text = _XML_DECL_RE.sub("", xml, count=1)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(text, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        # One line: libxml2 messages can carry a newline of their own.
        raise ValueError(f"malformed domain XML: {' '.join(str(exc).split())}") from None
    if root.tag != "domain":
        raise ValueError(f"not a libvirt domain: root element is <{root.tag}>")
    return root


def _name_of(root: etree._Element) -> str:
    name = root.findtext("name")
    return name.strip() if name and name.strip() else "<unnamed>"


def _elements(el: etree._Element) -> list[etree._Element]:
    # Comments, PIs and entity references have a non-str tag.
    return [c for c in el if isinstance(c.tag, str)]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _interfaces(root: etree._Element) -> list[etree._Element]:
    return [i for d in root.findall("devices") for i in d.findall("interface")]


def _mac(iface: etree._Element) -> str | None:
    mac = iface.find("mac")
    addr = mac.get("address") if mac is not None else None
    return addr.strip().lower() if addr else None


@dataclass(frozen=True)
class _Vlan:
    """libvirt's view of a <vlan> (virNetDevVlan): trunk flag, tags, native mode."""

    trunk: bool
    tags: tuple[int, ...]
    native_mode: str | None = None  # "untagged" | "tagged"
    native_tag: int | None = None

    def same_as(self, other: _Vlan) -> bool:
        # OVS trunks is a set: tag order in the XML does not change the port.
        return (
            self.trunk == other.trunk
            and sorted(self.tags) == sorted(other.tags)
            and self.native_mode == other.native_mode
            and self.native_tag == other.native_tag
        )


def _read_vlan(vlan: etree._Element) -> _Vlan:
    """Mirror virNetDevVlanParse(): >1 tag implies trunk; trunk='no' allowed for 1 tag."""
    tags: list[int] = []
    native_mode: str | None = None
    native_tag: int | None = None
    for tag in vlan.findall("tag"):
        raw = tag.get("id", "")
        # libvirt reads the id as a decimal unsigned int and refuses ids above 4095;
        # Python's int() would also take "5_0", "+5" or non-ASCII digits.
        if not _TAG_ID_RE.fullmatch(raw) or int(raw) > 4095:
            raise ValueError(f"bad <vlan><tag id={raw!r}>: expected a VLAN id 0-4095")
        tid = int(raw)
        tags.append(tid)
        mode = tag.get("nativeMode")
        if mode is not None:
            if mode not in ("untagged", "tagged") or native_mode is not None:
                raise ValueError(f"bad or duplicate nativeMode={mode!r} in <vlan>")
            native_mode, native_tag = mode, tid
    if not tags:
        raise ValueError("<vlan> without <tag>")
    trunk_attr = vlan.get("trunk")
    trunk = len(tags) > 1 or (trunk_attr or "").lower() == "yes"
    if trunk_attr is not None and trunk_attr.lower() not in ("yes", "no"):
        raise ValueError(f"bad <vlan trunk={trunk_attr!r}>")
    if native_mode and not trunk:
        raise ValueError("<vlan> native tag without trunk='yes'")
    return _Vlan(trunk, tuple(tags), native_mode, native_tag)


def _vlan_to_spec(v: _Vlan) -> NicSpec:
    if v.native_tag is not None:
        spec = NicSpec(native=v.native_tag, trunk=[t for t in v.tags if t != v.native_tag])
        if v.native_mode == "tagged":
            spec["native_mode"] = "tagged"
        return spec
    if v.trunk:
        return NicSpec(trunk=list(v.tags))
    return NicSpec(vlan=v.tags[0])


def _spec_to_vlan(spec: NicSpec) -> _Vlan:
    if "vlan" in spec:
        return _Vlan(False, (spec["vlan"],))
    if "native" in spec:
        n = spec["native"]
        return _Vlan(True, (n, *spec["trunk"]), spec.get("native_mode", "untagged"), n)
    return _Vlan(True, tuple(spec["trunk"]))


NIC_SPEC_FIX = (
    "write {'vlan': N} (access), {'trunk': [N, ...]} (trunk) or "
    "{'native': N, 'trunk': [N, ...]} (hybrid, native VLAN untagged)"
)


def nic_spec_problem(
    vlan: int | None, trunk: Sequence[int] | None, native: int | None
) -> tuple[str, str] | None:
    """The one rule for a NIC's VLAN wiring, for the host data and for patching alike:
    (what is wrong, how to fix it), or None when access, trunk or hybrid is well formed."""
    if vlan is not None and (trunk is not None or native is not None):
        return "gives both 'vlan' and 'trunk'/'native'", NIC_SPEC_FIX
    if vlan is None and trunk is None:
        return ("has 'native' but no 'trunk' list" if native else "has no VLAN"), NIC_SPEC_FIX
    if trunk is None:
        return None
    if not trunk:
        return (
            "the trunk list is empty",
            "list at least one VLAN in 'trunk', or use {'vlan': N} for one access VLAN",
        )
    if len(set(trunk)) != len(trunk):
        twice = sorted({v for v in trunk if list(trunk).count(v) > 1})
        return (
            f"the trunk list {list(trunk)} repeats VLAN {', '.join(map(str, twice))}",
            "list each VLAN once",
        )
    if native is not None and native in trunk:
        return (
            f"native VLAN {native} is also in the trunk list {list(trunk)}",
            f"the native VLAN is carried untagged: remove {native} from 'trunk'",
        )
    return None


def _vlan_id(value: object, what: str) -> int:
    # bool is an int subclass; True must not pass as VLAN 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an integer VLAN id, got {value!r}")
    if not VLAN_MIN <= value <= VLAN_MAX:
        raise ValueError(f"{what} {value} is outside {VLAN_MIN}-{VLAN_MAX}")
    return value


def normalize_nic_spec(spec: Mapping[str, object]) -> NicSpec:
    """Check one NIC's VLAN request and return it as a clean :class:`NicSpec`."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"a NIC spec is a dict, got {type(spec).__name__} {spec!r:.80}; fix: "
                         + NIC_SPEC_FIX)  # fmt: skip
    keys = set(spec)
    if not keys <= {"vlan", "trunk", "native", "native_mode"}:
        raise ValueError(f"unknown keys {sorted(keys - {'vlan', 'trunk', 'native', 'native_mode'})}"
                         f" in a NIC spec; fix: {NIC_SPEC_FIX}")  # fmt: skip
    vlan = _vlan_id(spec["vlan"], "access vlan") if "vlan" in spec else None
    native = _vlan_id(spec["native"], "native vlan") if "native" in spec else None
    trunk: list[int] | None = None
    if "trunk" in spec:
        raw = spec["trunk"]
        if isinstance(raw, str | bytes) or not isinstance(raw, list | tuple):
            raise ValueError(f"trunk must be a list of VLAN ids, got {raw!r}")
        trunk = [_vlan_id(t, "trunk vlan") for t in raw]
    problem = nic_spec_problem(vlan, trunk, native)
    if problem is not None:
        raise ValueError(f"{problem[0]}; fix: {problem[1]}")
    if vlan is not None:
        if "native_mode" in spec:
            raise ValueError(f"native_mode without a native VLAN; fix: {NIC_SPEC_FIX}")
        return NicSpec(vlan=vlan)
    assert trunk is not None
    if native is None:
        if "native_mode" in spec:
            raise ValueError(f"native_mode without a native VLAN; fix: {NIC_SPEC_FIX}")
        return NicSpec(trunk=trunk)
    out = NicSpec(native=native, trunk=trunk)
    mode = spec.get("native_mode", "untagged")
    if mode == "tagged":
        out["native_mode"] = "tagged"
    elif mode != "untagged":
        raise ValueError(f"native_mode must be 'untagged' or 'tagged', got {mode!r}")
    return out


def expected_ovs_port(spec: Mapping[str, object] | None) -> OvsPortVlan:
    """OVSDB Port columns libvirt will set for a NIC with this VLAN spec (see module doc).

    ``trunks`` is sorted, as OVSDB returns a set; ``None``/``[]`` mean an empty column.
    """
    if spec is None:
        return OvsPortVlan(tag=None, trunks=[], vlan_mode=None)
    s = normalize_nic_spec(spec)
    if "vlan" in s:
        return OvsPortVlan(tag=s["vlan"], trunks=[], vlan_mode=None)
    if "native" in s:
        # The native tag is in libvirt's tag array, so it is also in trunk=.
        return OvsPortVlan(
            tag=s["native"],
            trunks=sorted({s["native"], *s["trunk"]}),
            vlan_mode=f"native-{s.get('native_mode', 'untagged')}",
        )
    return OvsPortVlan(tag=None, trunks=sorted(s["trunk"]), vlan_mode=None)


def _first_attr(iface: etree._Element, child: str, attr: str) -> str | None:
    el = iface.find(child)
    return el.get(attr) if el is not None else None


def domain_nics(xml: str) -> list[DomainNic]:
    """Every ``<devices>/<interface>`` of a domain (inactive or live XML), in order."""
    root = _parse(xml)
    name = _name_of(root)
    out: list[DomainNic] = []
    for iface in _interfaces(root):
        vlan_el = iface.find("vlan")
        try:
            vlan = _vlan_to_spec(_read_vlan(vlan_el)) if vlan_el is not None else None
        except ValueError as exc:
            raise ValueError(f"domain {name!r}, NIC {_mac(iface)}: {exc}") from None
        vport = iface.find("virtualport")
        out.append(
            DomainNic(
                mac=_mac(iface),
                type=iface.get("type"),
                bridge=_first_attr(iface, "source", "bridge"),
                network=_first_attr(iface, "source", "network"),
                portgroup=_first_attr(iface, "source", "portgroup"),
                source_dev=_first_attr(iface, "source", "dev"),
                vlan=vlan,
                virtualport=None if vport is None else vport.get("type", ""),
                interfaceid=_first_attr(iface, "virtualport/parameters", "interfaceid"),
                target=_first_attr(iface, "target", "dev"),
                model=_first_attr(iface, "model", "type"),
            )
        )
    return out


# --------------------------------------------------------------------------- patching


def _q(value: str) -> str:
    """Attribute value in libvirt's single-quote style."""
    return "'" + value.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;") + "'"


def _vlan_text(v: _Vlan, lay: Layout) -> str:
    tags = []
    for t in v.tags:
        native = f" nativeMode={_q(v.native_mode)}" if v.native_mode and t == v.native_tag else ""
        tags.append(f"<tag id='{t}'{native}/>")
    return lay.block("<vlan trunk='yes'>" if v.trunk else "<vlan>", tags, "</vlan>")


def _virtualport_text(old: etree._Element | None, lay: Layout) -> str:
    params: list[str] = []
    if old is not None and old.get("type") in (None, "openvswitch"):
        for p in old.findall("parameters"):
            attrs = "".join(
                f" {k}={_q(v)}" for k in _OVS_VPORT_PARAMS if (v := p.get(k)) is not None
            )
            if attrs:
                params.append(f"<parameters{attrs}/>")
    return lay.block("<virtualport type='openvswitch'>", params, "</virtualport>")


def _source_ok(src: etree._Element, bridge: str) -> bool:
    return list(src.keys()) == ["bridge"] and src.get("bridge") == bridge and len(src) == 0


def _patch_interface(
    s: str, node: Node, iface: etree._Element, bridge: str, want: _Vlan, dom: str, mac: str
) -> str | None:
    """New text for one interface, or None when it already is exactly what is wanted."""
    itype = iface.get("type")
    if itype not in _CONVERTIBLE:
        why = _REFUSED.get(itype or "", "libvirt cannot attach this interface type to a bridge")
        raise ValueError(
            f"domain {dom!r}, NIC {mac}: interface type={itype!r} cannot join Open vSwitch ({why})"
        )
    kids = _elements(iface)
    if [_local(k.tag) for k in kids] != [c.local for c in node.children]:
        raise ValueError(f"domain {dom!r}, NIC {mac}: could not map the XML text")  # lexer bug
    by_name: dict[str, list[etree._Element]] = {}
    for k in kids:
        by_name.setdefault(_local(k.tag), []).append(k)
    sources = by_name.get("source", [])
    vports = by_name.get("virtualport", [])
    vlans = by_name.get("vlan", [])
    try:
        vlan_ok = len(vlans) == 1 and _read_vlan(vlans[0]).same_as(want)
    except ValueError:
        vlan_ok = False  # an invalid <vlan> gets replaced
    if (
        itype == "bridge"
        and len(sources) == 1
        and _source_ok(sources[0], bridge)
        and len(vports) == 1
        and vports[0].get("type") == "openvswitch"
        and vlan_ok
        and "actual" not in by_name
    ):
        return None

    if node.end == node.stag_end:
        raise ValueError(f"domain {dom!r}, NIC {mac}: empty <interface/>")
    children = Children(s, node, kids)
    _rewire(children, bridge, want, vlan_ok)
    stag = s[node.start : node.stag_end]
    if itype != "bridge":
        attr = next(a for a in node.attrs if a.name == "type")
        a0, a1 = attr.value_start - node.start, attr.value_end - node.start
        stag = stag[:a0] + "'bridge'" + stag[a1:]
    return stag + children.text() + children.etag


def _rewire(children: Children, bridge: str, want: _Vlan, vlan_ok: bool) -> None:
    """Give an interface's children our <source>, <virtualport> and <vlan>, once each."""
    lay = children.layout
    for status_only in [it for it in children.items if it.local == "actual"]:
        children.remove(status_only)  # <actual> describes a running network NIC; bridge has none

    src = children.first("source")
    src_text = f"<source bridge={_q(bridge)}/>"
    if src is None:
        src = children.insert_after(children.first("mac"), "source", src_text)
    elif src.el is None or not _source_ok(src.el, bridge):
        src.text = src_text  # drops network=/portgroup= and direct's dev=/mode=
    children.drop_extra("source")

    vport = children.first("virtualport")
    if vport is None:
        vport = children.insert_after(src, "virtualport", _virtualport_text(None, lay))
    elif vport.el is not None and vport.el.get("type") != "openvswitch":
        vport.text = _virtualport_text(vport.el, lay)
    children.drop_extra("virtualport")

    vlan = children.first("vlan")
    if vlan is None:
        children.insert_after(vport, "vlan", _vlan_text(want, lay))
    elif not vlan_ok:
        vlan.text = _vlan_text(want, lay)
    children.drop_extra("vlan")


def patch_domain_xml(xml: str, bridge: str, nics: Mapping[str, Mapping[str, object]]) -> str:
    """Put the NICs listed in ``nics`` (MAC -> :class:`NicSpec`) on OVS bridge ``bridge``.

    Returns ``xml`` with only the changed ``<interface>`` elements rewritten; NICs not
    listed are untouched. Idempotent: patching the result again returns it unchanged.
    Raises ValueError (naming domain and MAC) for malformed XML, a non-domain root, a
    bad spec, a listed MAC the domain lacks, a duplicated MAC, or a NIC type that cannot
    join OVS (hostdev, vhostuser, user, ...).
    """
    root = _parse(xml)
    dom = _name_of(root)
    if not isinstance(bridge, str) or not _BRIDGE_RE.match(bridge) or bridge in (".", ".."):
        raise ValueError(f"domain {dom!r}: invalid bridge name {bridge!r}")

    if not isinstance(nics, Mapping):
        raise ValueError(
            f"domain {dom!r}: nics must map MAC -> NIC spec, not {type(nics).__name__}"
        )
    wanted: dict[str, _Vlan] = {}
    for raw_mac, spec in nics.items():
        if not isinstance(raw_mac, str):
            raise ValueError(f"domain {dom!r}: invalid MAC {raw_mac!r}")
        mac = raw_mac.strip().lower()
        if not MAC_RE.match(mac):
            raise ValueError(f"domain {dom!r}: invalid MAC {raw_mac!r}")
        if mac in wanted:
            raise ValueError(f"domain {dom!r}: MAC {mac} listed twice")
        try:
            wanted[mac] = _spec_to_vlan(normalize_nic_spec(spec))
        except ValueError as exc:
            raise ValueError(f"domain {dom!r}, NIC {mac}: {exc}") from None

    ifaces = _interfaces(root)
    seen: dict[str, int] = {}
    for i, iface in enumerate(ifaces):
        found = _mac(iface)
        if found is None:
            continue
        if found in seen:
            raise ValueError(f"domain {dom!r}: MAC {found} is used by more than one NIC")
        seen[found] = i
    missing = sorted(set(wanted) - set(seen))
    if missing:
        raise ValueError(f"domain {dom!r} has no NIC with MAC {', '.join(missing)}")
    if not wanted:
        return xml

    try:
        tree = lex(xml)
    except ValueError as exc:
        raise ValueError(f"domain {dom!r}: cannot locate elements in the XML text: {exc}") from None
    nodes = [i for d in tree.children if d.name == "devices" for i in d.children]
    nodes = [n for n in nodes if n.name == "interface"]
    if len(nodes) != len(ifaces):
        raise ValueError(f"domain {dom!r}: could not map <interface> elements to the text")

    edits: list[tuple[int, int, str]] = []
    for mac, want in wanted.items():
        i = seen[mac]
        new = _patch_interface(xml, nodes[i], ifaces[i], bridge, want, dom, mac)
        if new is not None:
            edits.append((nodes[i].start, nodes[i].end, new))
    out = xml
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    return out
