"""Expected vs actual: compare a host's switch, links and VMs' ports with the data (pure).

:func:`verify_host` takes the validated host data and what the host reported (one
:class:`~ovs_hypervisor.host_state.VerifySnapshot`) and returns a :class:`HostReport`:
summary rows for the table (bridge, uplinks, management port, gateway, one row per VM NIC)
and the list of :class:`Difference` s.  A host verifies when that list is empty.

Each difference has a stable ``kind`` (for monitoring), a ``subject`` (what it is about),
``expected`` and ``actual`` (short strings, in ``ovs-vsctl`` terms where there is one), and
renders as one line with :meth:`Difference.line`.  Kinds:

===========================  ==============================================================
host-unreadable              the state command failed (SSH, unparsable output; pyinfra says why)
ovs-unavailable              ovs-vsctl missing, or ovsdb-server does not answer
vswitchd-down                ovsdb-server answers, ovs-vswitchd does not (nothing switches)
libvirt-unavailable          the domains could not be read
bridge-missing               our bridge is not in OVS
bridge-datapath              datapath_type differs (system/netdev)
bridge-no-datapath           no datapath_id: ovs-vswitchd could not create the datapath
port-missing                 uplink/bond or management port not on our bridge
port-extra                   a port on our bridge that is neither ours nor a libvirt vnet
port-vlan                    tag/trunks/vlan_mode of the uplink or management port
interface-type               management port is not an internal interface
interface-error              an interface with an ``error`` or ``ofport`` -1
bond-member-missing          an uplink NIC is not in the bond
bond-member-extra            the bond holds a NIC that is not an uplink
link-missing / link-down     an uplink or the management port is absent / down or no carrier
mgmt-address-missing         the management IPv4 (or static IPv6) address is not on it
ipv6-enabled                 IPv6 on where it should be off (disable_ipv6 = 0)
ipv6-disabled                IPv6 off on the management port that should speak it
loopback-ipv6-missing        ``lo`` has no ``::1`` (IPv6 disabled on it: ``ping -6 ::1`` and
                             binding ``::1`` fail), though the kernel has IPv6
legacy-present               a legacy bridgeNNN / vlanNNN still exists
vm-missing / vm-nic-missing  a domain / MAC listed in the data does not exist
vm-nic-bridge                a listed (or legacy-bridged) NIC is not on our bridge
vm-xml-vlan                  the domain definition's <vlan> differs from the data
vm-restart-pending           the running domain's NIC differs from its definition
vm-port-missing              a running VM NIC's vnet port is not on our bridge
vm-port-vlan                 its tag/trunks/vlan_mode differ from the domain's live XML
vm-port-stale                a libvirt vnet port that no running domain NIC uses
===========================  ==============================================================

The management gateway ping is shown (``HostReport.gateway``), not counted as a
difference: a gateway that drops ICMP, or an upstream outage, is not drift of this host.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ovs_hypervisor.domain_xml import DomainNic, OvsPortVlan, domain_nics, expected_ovs_port
from ovs_hypervisor.host_state import (
    LinkInfo,
    NetSnapshot,
    OvsSnapshot,
    PingResult,
    VerifySnapshot,
)
from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.ovs_show import ShowPort

TITLES: dict[str, str] = {
    "host-unreadable": "host state cannot be read",
    "ovs-unavailable": "Open vSwitch cannot be read",
    "vswitchd-down": "not running",
    "libvirt-unavailable": "libvirt cannot be read",
    "bridge-missing": "bridge missing",
    "bridge-datapath": "wrong datapath_type",
    "bridge-no-datapath": "no datapath",
    "port-missing": "port missing",
    "port-extra": "extra port (not ours, not a libvirt vnet; left alone)",
    "port-vlan": "wrong VLAN config",
    "interface-type": "wrong interface type",
    "interface-error": "interface error",
    "bond-member-missing": "bond member missing",
    "bond-member-extra": "unexpected bond member",
    "link-missing": "device missing on the host",
    "link-down": "device is down",
    "mgmt-address-missing": "management address missing",
    "ipv6-enabled": "IPv6 enabled where it should be off",
    "ipv6-disabled": "IPv6 disabled where it should be on",
    "loopback-ipv6-missing": "loopback has no IPv6 address",
    "legacy-present": "legacy device still present",
    "vm-missing": "domain missing",
    "vm-nic-missing": "NIC missing",
    "vm-nic-bridge": "NIC not on the OVS bridge",
    "vm-xml-vlan": "domain XML VLAN differs from the data",
    "vm-restart-pending": "running NIC differs from the definition (restart pending)",
    "vm-port-missing": "vnet port missing",
    "vm-port-vlan": "vnet port VLAN differs from the domain XML",
    "vm-port-stale": "stale libvirt port (no running NIC uses it)",
}


@dataclass(frozen=True)
class Difference:
    kind: str  # a key of TITLES
    subject: str  # "port vnet5 (vm-access 52:54:00:aa:bb:01)", "bridge ovsbr0", ...
    expected: str
    actual: str
    # Which table row it belongs to: bridge, uplink, mgmt, host, vm.
    area: str = field(default="host", compare=False)
    # The exact command that fixes what the deploy must not fix by itself ("" if none).
    fix: str = field(default="", compare=False)

    @property
    def title(self) -> str:
        return TITLES.get(self.kind, self.kind)

    def line(self) -> str:
        text = f"{self.subject}: {self.title}: expected {self.expected}, found {self.actual}"
        return f"{text}; fix: {self.fix}" if self.fix else text

    def as_dict(self) -> dict[str, str]:
        return {**asdict(self), "message": self.line()}


@dataclass(frozen=True)
class Row:
    """One summary line of the table: the bridge, the uplink or bond, the management port."""

    role: str  # bridge | uplink | bond | mgmt
    name: str
    config: str  # what it is: "netdev", "trunk (all VLANs)", "access 1234"...
    detail: str  # addresses, ofport, versions
    status: str  # ok | DIFFERS | MISSING | ERROR


@dataclass(frozen=True)
class NicRow:
    """One VM NIC: expected (data, else the domain XML) vs the actual vnet port."""

    domain: str
    mac: str
    state: str  # running | shut off | ...
    port: str | None  # vnetN while running
    expected: OvsPortVlan | None
    actual: OvsPortVlan | None
    status: str  # ok | DIFFERS | NO PORT | ERROR | the domain state when not running

    @property
    def expected_text(self) -> str:
        return describe_vlan(self.expected) if self.expected is not None else "-"

    @property
    def actual_text(self) -> str:
        return describe_vlan(self.actual) if self.actual is not None else "-"


@dataclass
class HostReport:
    host: str
    bridge: str
    ovs_version: str | None
    vswitchd: str  # "running", "unknown" or why not
    rows: list[Row] = field(default_factory=list)
    nics: list[NicRow] = field(default_factory=list)
    ipv6_on: list[str] = field(default_factory=list)  # interfaces with IPv6 enabled
    gateway: PingResult | None = None
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


# --------------------------------------------------------------------------- VLAN text


def _vlan_of(port: Mapping[str, Any]) -> OvsPortVlan:
    return OvsPortVlan(
        tag=port.get("tag"),
        trunks=sorted(int(t) for t in (port.get("trunks") or [])),
        vlan_mode=port.get("vlan_mode") or None,
    )


def _ids(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in values)


def vlan_columns(v: OvsPortVlan, keys: Iterable[str] = ("tag", "trunks", "vlan_mode")) -> str:
    """``tag=1011 trunks=[] vlan_mode=[]`` for the given columns, in ovs-vsctl's words."""
    out = []
    for key in keys:
        if key == "tag":
            out.append(f"tag={v['tag'] if v['tag'] is not None else '[]'}")
        elif key == "trunks":
            out.append(f"trunks={_ids(v['trunks']) or '[]'}")
        else:
            out.append(f"vlan_mode={v['vlan_mode'] or '[]'}")
    return " ".join(out)


def describe_vlan(v: OvsPortVlan) -> str:
    """What a port carries, as the data says it: ``access 1011``, ``trunk 1011,1012``,
    ``native 101 + trunk 102``; anything else in ovs-vsctl columns."""
    tag, trunks, mode = v["tag"], v["trunks"], v["vlan_mode"]
    if tag is not None and not trunks and mode in (None, "access"):
        return f"access {tag}"
    if tag is None and mode in (None, "trunk"):
        return f"trunk {_ids(trunks)}" if trunks else "trunk (all VLANs)"
    if tag is not None and mode in ("native-untagged", "native-tagged") and tag in trunks:
        rest = [t for t in trunks if t != tag]
        word = "native" if mode == "native-untagged" else "native-tagged"
        return f"{word} {tag} + trunk {_ids(rest) or '(none)'}"
    return vlan_columns(v)


def _effective_mode(v: OvsPortVlan) -> str:
    return v["vlan_mode"] or ("access" if v["tag"] is not None else "trunk")


def port_fix_command(port: str, want: OvsPortVlan) -> str:
    """The ovs-vsctl command that gives a libvirt vnet port the VLAN config of its domain's
    XML.  libvirt owns these ports (it re-creates them when the domain starts), so the deploy
    never changes them itself; the admin runs this, or restarts the domain."""
    args = [f"ovs-vsctl set port {shlex.quote(port)}"]
    args.append(f"tag={want['tag']}" if want["tag"] is not None else "tag=[]")
    args.append(f"trunks={_ids(want['trunks'])}" if want["trunks"] else "trunks=[]")
    args.append(f"vlan_mode={want['vlan_mode']}" if want["vlan_mode"] else "vlan_mode=[]")
    return " ".join(args)


def vlan_diff_keys(want: OvsPortVlan, got: OvsPortVlan) -> list[str]:
    """Columns that differ.  An unset vlan_mode equals the mode OVS infers from the tag
    (access with a tag, else trunk), so ``vlan_mode=access`` on an access port is no drift."""
    keys = [k for k in ("tag", "trunks") if want[k] != got[k]]
    modes = want["vlan_mode"] != got["vlan_mode"]
    if modes and _effective_mode(want) != _effective_mode(got):
        keys.append("vlan_mode")
    return keys


# --------------------------------------------------------------------------- switch


def _bridge_ports(ovs: OvsSnapshot, bridge: str) -> dict[str, ShowPort] | None:
    show = ovs["show"]
    if ovs["error"] or show is None or bridge not in show["bridges"]:
        return None
    return show["bridges"][bridge]["ports"]


def _port_vlan(ovs: OvsSnapshot, ports: Mapping[str, ShowPort], name: str) -> OvsPortVlan:
    row = ovs["ports"].get(name)
    if row is not None:
        return _vlan_of(row)  # exact, with vlan_mode
    show = ports[name]  # no OVSDB row (an old recording): show has no vlan_mode
    return OvsPortVlan(tag=show["tag"], trunks=sorted(show["trunks"]), vlan_mode=None)


def _interface_problems(
    ovs: OvsSnapshot, ports: Mapping[str, ShowPort], port: str, suffix: str, area: str
) -> list[Difference]:
    diffs = []
    for iname, iface in ports[port]["interfaces"].items():
        row = ovs["interfaces"].get(iname)
        error = iface["error"] or (row["error"] if row else None)
        subject = f"interface {iname}{suffix}"
        if error:
            diffs.append(Difference("interface-error", subject, "no error", error, area))
        elif row is not None and row["ofport"] == -1:
            diffs.append(Difference("interface-error", subject, "an ofport", "ofport -1", area))
    return diffs


def _ofports(ovs: OvsSnapshot, ports: Mapping[str, ShowPort], port: str) -> str:
    names = list(ports[port]["interfaces"])
    out = []
    for iname in names:
        row = ovs["interfaces"].get(iname)
        ofport = row["ofport"] if row is not None else None
        if len(names) == 1:
            out.append(f"ofport {ofport}" if ofport is not None else "")
        else:
            out.append(f"{iname} (ofport {ofport})" if ofport is not None else iname)
    return ", ".join(x for x in out if x)


def switch_differences(config: HostConfig, ovs: OvsSnapshot) -> list[Difference]:
    """Bridge, datapath, uplink or bond, management port and their interfaces."""
    br = config.bridge
    if ovs["error"]:
        return [
            Difference(
                "ovs-unavailable", "Open vSwitch", "ovsdb-server answering", ovs["error"], "bridge"
            )
        ]
    ports = _bridge_ports(ovs, br)
    if ports is None:
        show = ovs["show"]
        found = ", ".join(sorted(show["bridges"])) if show else ""
        return [
            Difference(
                "bridge-missing",
                f"bridge {br}",
                "present",
                f"absent (bridges: {found or 'none'})",
                "bridge",
            )
        ]
    diffs: list[Difference] = []
    brow = ovs["bridges"].get(br)
    if brow is not None:
        dp = brow["datapath_type"] or "system"
        if dp != config.datapath_type:
            diffs.append(
                Difference("bridge-datapath", f"bridge {br}", config.datapath_type, dp, "bridge")
            )
        if not brow["datapath_id"] and ovs["vswitchd_error"] is None:
            diffs.append(
                Difference("bridge-no-datapath", f"bridge {br}", "a datapath_id", "none", "bridge")
            )

    # The uplink (one NIC as a plain port, or a bond of them) carries every VLAN.
    up = config.uplink_port
    bonded = len(config.uplinks) > 1
    label = "bond" if bonded else "uplink"
    if up not in ports:
        diffs.append(
            Difference("port-missing", f"{label} port {up}", f"on bridge {br}", "absent", "uplink")
        )
    else:
        got = _port_vlan(ovs, ports, up)
        want = OvsPortVlan(tag=None, trunks=[], vlan_mode=None)
        keys = vlan_diff_keys(want, got)
        if keys:
            diffs.append(
                Difference(
                    "port-vlan",
                    f"{label} port {up}",
                    vlan_columns(want, keys),
                    vlan_columns(got, keys),
                    "uplink",
                )
            )
        if bonded:
            members = list(ports[up]["interfaces"])
            have = ", ".join(members) or "none"
            for nic in config.uplinks:
                if nic not in members:
                    diffs.append(
                        Difference(
                            "bond-member-missing", f"bond {up}", f"member {nic}", have, "uplink"
                        )
                    )
            for nic in members:
                if nic not in config.uplinks:
                    diffs.append(
                        Difference(
                            "bond-member-extra",
                            f"bond {up}",
                            f"members {', '.join(config.uplinks)}",
                            f"also {nic}",
                            "uplink",
                        )
                    )
        diffs += _interface_problems(ovs, ports, up, f" (bond {up})" if bonded else "", "uplink")

    mgmt = config.mgmt_port_name
    subject = f"management port {mgmt}"
    if mgmt not in ports:
        diffs.append(Difference("port-missing", subject, f"on bridge {br}", "absent", "mgmt"))
    else:
        want_m = OvsPortVlan(tag=config.mgmt_vlan, trunks=[], vlan_mode=None)
        got = _port_vlan(ovs, ports, mgmt)
        keys = vlan_diff_keys(want_m, got)
        if keys:
            diffs.append(
                Difference(
                    "port-vlan",
                    subject,
                    vlan_columns(want_m, keys),
                    vlan_columns(got, keys),
                    "mgmt",
                )
            )
        iface = ports[mgmt]["interfaces"].get(mgmt)
        itype = iface["type"] if iface is not None else None
        if itype != "internal":
            found = "no interface of that name" if iface is None else itype or "system"
            diffs.append(Difference("interface-type", subject, "internal", found, "mgmt"))
        diffs += _interface_problems(ovs, ports, mgmt, "", "mgmt")
    return diffs


def _switch_rows(config: HostConfig, ovs: OvsSnapshot, address: str) -> list[Row]:
    """The bridge / uplink / management lines of the table (status filled in later)."""
    br, up, mgmt = config.bridge, config.uplink_port, config.mgmt_port_name
    role = "bond" if len(config.uplinks) > 1 else "uplink"
    ports = _bridge_ports(ovs, br)
    if ports is None:
        return [
            Row("bridge", br, config.datapath_type, "", ""),
            Row(role, up, "-", "", ""),
            Row("mgmt", mgmt, "-", address, ""),
        ]
    brow = ovs["bridges"].get(br)
    dp = (brow["datapath_type"] or "system") if brow is not None else "?"
    rows = [Row("bridge", br, f"datapath {dp}", "", "")]
    if up in ports:
        got = describe_vlan(_port_vlan(ovs, ports, up))
        rows.append(Row(role, up, got, _ofports(ovs, ports, up), ""))
    else:
        rows.append(Row(role, up, "-", "", ""))
    if mgmt in ports:
        got = describe_vlan(_port_vlan(ovs, ports, mgmt))
        rows.append(Row("mgmt", mgmt, got, address, ""))
    else:
        rows.append(Row("mgmt", mgmt, "-", address, ""))
    return rows


def _row_status(diffs: Iterable[Difference]) -> str:
    kinds = {d.kind for d in diffs}
    if not kinds:
        return "ok"
    if kinds & {"bridge-missing", "port-missing", "link-missing"}:
        return "MISSING"
    if kinds & {"ovs-unavailable", "interface-error", "vswitchd-down"}:
        return "ERROR"
    return "DIFFERS"


# --------------------------------------------------------------------------- host links


def legacy_devices(config: HostConfig, links: Mapping[str, LinkInfo]) -> list[str]:
    """Legacy plumbing still on the host: Linux bridges that map to a VLAN (name pattern or
    map), their VLAN/veth members, and 802.1Q devices named vlanNNN or <uplink>.NNN."""
    ours = config.owned_devices
    keep = set(parse_interfaces(config.extra_interfaces)["interfaces"])
    bridges = {
        name
        for name, link in links.items()
        if link["kind"] == "bridge"
        and name not in ours | keep
        and config.legacy_vlan(name) is not None
    }
    uplinks = "|".join(re.escape(u) for u in config.uplinks)
    vlan_name = re.compile(rf"^(vlan\d+|({uplinks})\.\d+)$")
    out = set(bridges)
    for name, link in links.items():
        if name in ours or name in keep:
            continue
        member = link["master"] in bridges and link["kind"] in ("vlan", "veth")
        if member or (link["kind"] == "vlan" and vlan_name.match(name)):
            out.add(name)
    return sorted(out)


def _elsewhere(links: Mapping[str, LinkInfo], address: str, but: str) -> str:
    found = sorted(n for n, link in links.items() if n != but and address in link["addresses"])
    return f" ({address} is on {', '.join(found)})" if found else ""


def host_link_differences(
    config: HostConfig, links: Mapping[str, LinkInfo], legacy: Iterable[str]
) -> list[Difference]:
    """The management device and its addresses, the uplink NICs, legacy devices left."""
    diffs: list[Difference] = []
    mgmt = config.mgmt_port_name
    subject = f"management port {mgmt}"
    want = str(config.mgmt_interface)
    if mgmt not in links:
        diffs.append(Difference("link-missing", subject, "a device", "no such device", "mgmt"))
        diffs.append(
            Difference(
                "mgmt-address-missing",
                subject,
                want,
                "none" + _elsewhere(links, want, mgmt),
                "mgmt",
            )
        )
    else:
        have = links[mgmt]["addresses"]
        if want not in have:
            found = ", ".join(have) or "no address"
            diffs.append(
                Difference(
                    "mgmt-address-missing",
                    subject,
                    want,
                    found + _elsewhere(links, want, mgmt),
                    "mgmt",
                )
            )
        if config.mgmt_ipv6 == "static" and config.mgmt_ipv6_address:
            want6 = str(ipaddress.IPv6Interface(config.mgmt_ipv6_address))
            if want6 not in have:
                found6 = ", ".join(a for a in have if ":" in a) or "no IPv6 address"
                diffs.append(Difference("mgmt-address-missing", subject, want6, found6, "mgmt"))
        if not links[mgmt]["up"]:
            diffs.append(Difference("link-down", subject, "up", "down", "mgmt"))
        elif links[mgmt].get("carrier") is False:
            diffs.append(Difference("link-down", subject, "carrier", "no carrier", "mgmt"))
    for nic in config.uplinks:
        if nic not in links:
            diffs.append(
                Difference("link-missing", f"uplink {nic}", "a device", "no such device", "uplink")
            )
        elif not links[nic]["up"]:
            diffs.append(Difference("link-down", f"uplink {nic}", "up", "down", "uplink"))
        elif links[nic].get("carrier") is False:
            diffs.append(
                Difference("link-down", f"uplink {nic}", "carrier", "no carrier", "uplink")
            )
    ours = config.owned_devices
    for dev in sorted(set(legacy)):
        # vlan1234 may be both a legacy VLAN device and, now, our management port.
        if dev in links and dev not in ours:
            link = links[dev]
            what = link["kind"] or "device"
            if link["kind"] == "bridge":
                members = sorted(n for n, x in links.items() if x["master"] == dev)
                what = f"Linux bridge, ports {', '.join(members) or 'none'}"
            elif link["master"]:
                what += f" in {link['master']}"
            diffs.append(
                Difference("legacy-present", f"legacy device {dev}", "removed", f"present ({what})")
            )
    return diffs


def _mgmt_address(config: HostConfig, links: Mapping[str, LinkInfo]) -> str:
    link = links.get(config.mgmt_port_name)
    if link is None:
        return "no device"
    return ", ".join(link["addresses"]) or "no address"


def ipv6_differences(config: HostConfig, net: NetSnapshot) -> tuple[list[Difference], list[str]]:
    """IPv6 on only where the data wants it.  Returns (differences, interfaces with IPv6 on)."""
    state = net["ipv6_disabled"]
    mgmt = config.mgmt_port_name
    subject = f"management port {mgmt}"
    want_mgmt = config.mgmt_ipv6 != "off"
    if state is None:
        if want_mgmt:
            return [
                Difference("ipv6-disabled", subject, "IPv6 on", "no IPv6 in the kernel", "mgmt")
            ], []
        return [], []
    # (lo is not listed: it must have IPv6, see below)
    on = sorted(n for n, off in state.items() if not off and n not in ("all", "default", "lo"))
    diffs: list[Difference] = []
    # `net.ipv6.conf.all.disable_ipv6 = 1` also disables lo and removes ::1 (local services
    # bound to ::1 fail); whatever else is off, lo keeps it.
    lo = net["links"].get("lo")
    if lo is not None and "::1/128" not in lo["addresses"]:
        found = "disable_ipv6=1" if state.get("lo") else "no ::1"
        diffs.append(Difference("loopback-ipv6-missing", "interface lo", "::1/128", found))
    if want_mgmt and state.get(mgmt) is True:
        diffs.append(
            Difference("ipv6-disabled", subject, "disable_ipv6=0", "disable_ipv6=1", "mgmt")
        )
    if config.disable_ipv6_elsewhere:
        extra = parse_interfaces(config.extra_interfaces)["interfaces"]
        allowed = {"lo", *(n for n, fams in extra.items() if "inet6" in fams)}
        if want_mgmt:
            allowed.add(mgmt)
        if state.get("default") is False:
            diffs.append(
                Difference(
                    "ipv6-enabled",
                    "net.ipv6.conf.default (new interfaces)",
                    "disable_ipv6=1",
                    "disable_ipv6=0",
                )
            )
        for name in on:
            if name not in allowed:
                area = "mgmt" if name == mgmt else "host"
                diffs.append(
                    Difference(
                        "ipv6-enabled",
                        f"interface {name}",
                        "disable_ipv6=1",
                        "disable_ipv6=0",
                        area,
                    )
                )
    return diffs, on


# --------------------------------------------------------------------------- VMs


def _where(nic: DomainNic) -> str:
    if nic["bridge"]:
        return f"bridge {nic['bridge']}"
    if nic["network"]:
        return f"network {nic['network']}"
    if nic["source_dev"]:
        return f"{nic['type']} {nic['source_dev']}"
    return f"type {nic['type']}"


def _nics(name: str, xml: object, diffs: list[Difference]) -> list[DomainNic] | None:
    if not isinstance(xml, str) or not xml:
        return None
    try:
        return domain_nics(xml)
    except ValueError as exc:
        diffs.append(Difference("libvirt-unavailable", f"domain {name}", "readable XML", str(exc)))
        return None


def _port_bridge(ovs: OvsSnapshot, port: str | None) -> str | None:
    show = ovs["show"]
    if not port or show is None:
        return None
    for bname, bridge in show["bridges"].items():
        if port in bridge["ports"]:
            return bname
    return None


def _is_ours(config: HostConfig, listed: Mapping[str, object], mac: str, *nics: DomainNic) -> bool:
    """A NIC the deploy manages: listed in the data, on our bridge, or on a legacy bridge."""
    if mac in listed:
        return True
    for nic in nics:
        bridge = nic["bridge"]
        if bridge == config.bridge:
            return True
        if nic["type"] == "bridge" and bridge and config.legacy_vlan(bridge) is not None:
            return True
    return False


def domain_differences(
    config: HostConfig, ovs: OvsSnapshot, domains: Mapping[str, Mapping[str, Any]]
) -> tuple[list[Difference], list[NicRow], set[str]]:
    """Every VM NIC the deploy manages, running or not.

    Expected VLANs come from the data for listed NICs, else from the domain definition.  A
    running NIC's vnet port is compared with the domain's live XML (what libvirt applied).
    Returns (differences, one row per NIC, the vnet ports that running NICs use).
    """
    diffs: list[Difference] = []
    rows: list[NicRow] = []
    used: set[str] = set()
    ports = _bridge_ports(ovs, config.bridge)
    for name in sorted(config.domains):
        if name not in domains:
            diffs.append(
                Difference("vm-missing", f"domain {name}", "defined", "no such domain", "vm")
            )
    for name in sorted(domains):
        info = domains[name]
        state = str(info.get("state") or "unknown")
        running = state == "running"
        defined = _nics(name, info.get("xml"), diffs) or []
        live = _nics(name, info.get("live_xml"), diffs) if running else None
        listed = config.domains.get(name, {})
        by_mac = {n["mac"] or "?": n for n in defined}
        live_by_mac = {n["mac"] or "?": n for n in live or []}
        for mac in listed:
            if mac not in by_mac:
                have = ", ".join(sorted(by_mac)) or "none"
                diffs.append(
                    Difference("vm-nic-missing", f"domain {name}", f"a NIC {mac}", have, "vm")
                )
        for mac in [*by_mac, *(m for m in live_by_mac if m not in by_mac)]:
            dnic = by_mac.get(mac) or live_by_mac[mac]
            lnic = live_by_mac.get(mac)
            if not _is_ours(config, listed, mac, dnic, *([lnic] if lnic else [])):
                continue  # another bridge, a libvirt network, macvtap...: not ours
            who = f"{name} {mac}"
            want = expected_ovs_port(listed[mac].as_dict() if mac in listed else dnic["vlan"])
            nic_diffs: list[Difference] = []
            if dnic["bridge"] != config.bridge:
                nic_diffs.append(
                    Difference("vm-nic-bridge", who, f"bridge {config.bridge}", _where(dnic), "vm")
                )
            if mac in listed:
                in_xml = expected_ovs_port(dnic["vlan"])
                if in_xml != want:
                    found = describe_vlan(in_xml) if dnic["vlan"] else "no <vlan> (all VLANs)"
                    nic_diffs.append(
                        Difference("vm-xml-vlan", who, describe_vlan(want), found, "vm")
                    )
            port: str | None = None
            actual: OvsPortVlan | None = None
            status = state
            if running and lnic is None:
                nic_diffs.append(
                    Difference(
                        "vm-restart-pending", who, "the NIC plugged in", "not in the live XML", "vm"
                    )
                )
            elif running and lnic is not None:
                status = "ok"
                d_vlan, l_vlan = expected_ovs_port(dnic["vlan"]), expected_ovs_port(lnic["vlan"])
                if (dnic["bridge"], d_vlan) != (lnic["bridge"], l_vlan):
                    nic_diffs.append(
                        Difference(
                            "vm-restart-pending",
                            who,
                            f"{_where(dnic)}, {describe_vlan(d_vlan)}",
                            f"{_where(lnic)}, {describe_vlan(l_vlan)}",
                            "vm",
                        )
                    )
                port = lnic["target"]
                if port:
                    used.add(port)
                if lnic["bridge"] == config.bridge and ports is not None:
                    if not port or port not in ports:
                        other = _port_bridge(ovs, port)
                        nic_diffs.append(
                            Difference(
                                "vm-port-missing",
                                f"{who} port {port or '?'}",
                                f"on bridge {config.bridge}",
                                f"on bridge {other}" if other else "absent",
                                "vm",
                            )
                        )
                        status = "NO PORT"
                    else:
                        actual = _port_vlan(ovs, ports, port)
                        keys = vlan_diff_keys(l_vlan, actual)
                        if keys:
                            nic_diffs.append(
                                Difference(
                                    "vm-port-vlan",
                                    f"{who} port {port}",
                                    vlan_columns(l_vlan, keys),
                                    vlan_columns(actual, keys),
                                    "vm",
                                    port_fix_command(port, l_vlan),
                                )
                            )
                        errors = _interface_problems(ovs, ports, port, f" ({who})", "vm")
                        nic_diffs += errors
                        if errors:
                            status = "ERROR"
            if status == "ok" and nic_diffs:
                status = "DIFFERS"
            diffs += nic_diffs
            rows.append(NicRow(name, mac, state, port, want, actual, status))
    return diffs, rows, used


def _libvirt_owner(ovs: OvsSnapshot, ports: Mapping[str, ShowPort], port: str) -> str | None:
    """What libvirt wrote on one of the port's interfaces (attached-mac / vm-id), else None."""
    for iname in ports[port]["interfaces"]:
        row = ovs["interfaces"].get(iname)
        ids = row["external_ids"] if row is not None else {}
        if "attached-mac" in ids:
            return f"attached-mac {ids['attached-mac']}"
        if "vm-id" in ids:
            return f"vm-id {ids['vm-id']}"
    return None


def extra_port_differences(
    config: HostConfig, ovs: OvsSnapshot, used: set[str] | None
) -> list[Difference]:
    """Ports on our bridge that are neither ours nor libvirt's (reported, never touched),
    and, when ``used`` (the running NICs' vnet ports) is known, libvirt ports nobody uses."""
    ports = _bridge_ports(ovs, config.bridge)
    if ports is None:
        return []
    ours = config.owned_ports
    diffs = []
    for port in sorted(ports):
        if port in ours:
            continue
        owner = _libvirt_owner(ovs, ports, port)
        if owner is None:
            kinds = sorted({i["type"] or "system" for i in ports[port]["interfaces"].values()})
            diffs.append(
                Difference(
                    "port-extra",
                    f"port {port}",
                    f"only {config.uplink_port}, {config.mgmt_port_name} and libvirt vnet ports",
                    f"{port} ({', '.join(kinds)} interface)",
                )
            )
        elif used is not None and port not in used:
            diffs.append(
                Difference(
                    "vm-port-stale", f"port {port}", "a running domain's NIC", f"unused ({owner})"
                )
            )
    return diffs


# --------------------------------------------------------------------------- all


def verify_host(
    config: HostConfig, snap: VerifySnapshot, legacy: Iterable[str] = (), host: str = ""
) -> HostReport:
    """Everything verification checks on one host.

    ``legacy`` adds device names the deploy's plan knows; :func:`legacy_devices` finds the
    usual ones (bridgeNNN, its vlanNNN members) from the links alone.
    """
    ovs, net, doms = snap["ovs"], snap["net"], snap["domains"]
    links = net["links"]
    diffs: list[Difference] = []
    vswitchd = "unknown"
    if ovs["vswitchd_error"]:
        vswitchd = "not running"
        diffs.append(
            Difference("vswitchd-down", "ovs-vswitchd", "running", ovs["vswitchd_error"], "bridge")
        )
    elif ovs["vswitchd"]:
        vswitchd = "running"
    diffs += switch_differences(config, ovs)
    diffs += host_link_differences(config, links, [*legacy, *legacy_devices(config, links)])
    ipv6, on = ipv6_differences(config, net)
    diffs += ipv6
    nics: list[NicRow] = []
    used: set[str] | None = None
    if doms["error"]:
        diffs.append(
            Difference("libvirt-unavailable", "libvirt", "domains readable", doms["error"], "vm")
        )
    else:
        dom_diffs, nics, used = domain_differences(config, ovs, doms["domains"])
        diffs += dom_diffs
    diffs += extra_port_differences(config, ovs, used)

    show = ovs["show"]
    rows = []
    for row in _switch_rows(config, ovs, _mgmt_address(config, links)):
        area = "uplink" if row.role == "bond" else row.role
        status = _row_status(d for d in diffs if d.area == area)
        detail = row.detail
        if row.role == "bridge":
            version = show["ovs_version"] if show else None
            detail = f"OVS {version or '?'}, ovs-vswitchd {vswitchd}"
        rows.append(Row(row.role, row.name, row.config, detail, status))
    return HostReport(
        host=host,
        bridge=config.bridge,
        ovs_version=show["ovs_version"] if show else None,
        vswitchd=vswitchd,
        rows=rows,
        nics=nics,
        ipv6_on=on,
        gateway=net["ping"],
        differences=diffs,
    )


def unreadable(config: HostConfig, host: str) -> HostReport:
    """The report for a host whose state could not be read at all."""
    return HostReport(
        host=host,
        bridge=config.bridge,
        ovs_version=None,
        vswitchd="unknown",
        differences=[
            Difference(
                "host-unreadable",
                "host",
                "its state",
                "the state command failed (see pyinfra's message above)",
            )
        ],
    )
