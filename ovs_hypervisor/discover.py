"""Discovery: read a legacy hypervisor (facts in) and write its host data (plan out). Pure.

Input: :class:`NetworkFacts` (the interfaces file and the files it sources, live links,
default routes, the openvswitch kernel module; see ``facts/discovery.py``) and the libvirt
domains (``facts/libvirt.py``).  Output: a :class:`Discovery` with the ``ovs_hv_*`` host data
for ``host_data/<host>.py``, a per-NIC plan, warnings (what was decided and why, what is not
carried over) and errors (input that cannot be mapped without guessing; with any error no
data may be written).

What is read, and from where:

* the uplink: the raw device under the VLAN devices (``vlanNNN`` + ``vlan-raw-device``, or
  ``DEV.NNN``); a Linux bond there becomes an OVS bond of its slaves;
* each legacy bridge's VLAN: its ``bridge_ports`` (one VLAN device); a bridge over the raw
  uplink itself is a trunk bridge; a bridge with no ports or other ports is kept as it is;
* management: the one VLAN bridge (or VLAN device) with an IPv4 address -> VLAN, address and
  prefix (``address A/N`` or ``address`` + ``netmask``), gateway, DNS, IPv6 mode, each
  cross-checked with the live links and routes;
* each VM NIC: the VLAN of the bridge in its (inactive) domain XML: access on a VLAN bridge,
  trunk on a trunk bridge, left as it is anywhere else, always with the reason.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from ovs_hypervisor.domain_xml import domain_nics
from ovs_hypervisor.host_state import (
    FileFact,
    LinkInfo,
    parse_collected_files,
    parse_collected_json,
)
from ovs_hypervisor.interfaces import (
    InterfacesFile,
    LocatedConfig,
    SourceFile,
    Stanza,
    parse_interfaces_files,
)
from ovs_hypervisor.model import PREFIX, HostConfig, HostDataError, load_host_config
from ovs_hypervisor.plan import plan_host
from ovs_hypervisor.short import short

__all__ = [
    "NEVER_MATCHES",
    "Discovery",
    "NetworkFacts",
    "NicPlan",
    "Problem",
    "discover",
    "inventory_overrides",
    "parse_network_facts",
    "render_host_data",
    "summary",
]

TOP_FILE = "/etc/network/interfaces"
# A legacy bridge pattern that matches no name (one group, as the model requires).
NEVER_MATCHES = r"(?!)(\d+)"
HEADER = "# Written by ovs-hypervisor discovery"


# --------------------------------------------------------------------------- facts


class AddrFact(TypedDict):
    family: str  # inet | inet6
    address: str
    prefixlen: int
    scope: str | None  # global | link | host
    dynamic: bool  # from SLAAC/DHCP (has a lifetime)


class LinkFact(TypedDict):
    name: str
    kind: str | None  # bridge, vlan, bond, veth, tun, openvswitch... None: a plain NIC
    slave_kind: str | None
    master: str | None
    link: str | None  # a VLAN device's raw device
    vlan_id: int | None
    mac: str | None
    up: bool
    addresses: list[AddrFact]


class RouteFact(TypedDict):
    gateway: str | None
    dev: str | None


class ModuleFact(TypedDict):
    state: str  # loaded | available | missing
    detail: str


class NetworkFacts(TypedDict):
    files: list[FileFact]
    links: dict[str, LinkFact]
    routes: dict[str, list[RouteFact]]  # "inet"/"inet6" -> default routes
    ovs_module: ModuleFact
    kernel: str
    errors: list[str]  # what the collector could not read (ip failed...)


def parse_network_facts(text: str) -> NetworkFacts:
    """remote/collect.py's JSON (with --network) -> NetworkFacts; ValueError if broken."""
    raw = parse_collected_json(text.split("\n"))
    files = parse_collected_files(raw["files"])
    links: dict[str, LinkFact] = {}
    for row in raw.get("links", []):
        links[str(row["name"])] = {
            "name": str(row["name"]),
            "kind": row.get("kind"),
            "slave_kind": row.get("slave_kind"),
            "master": row.get("master"),
            "link": row.get("link"),
            "vlan_id": row.get("vlan_id"),
            "mac": row.get("mac"),
            "up": bool(row.get("up")),
            "addresses": [
                {
                    "family": str(a["family"]),
                    "address": str(a["address"]),
                    "prefixlen": int(a["prefixlen"]),
                    "scope": a.get("scope"),
                    "dynamic": bool(a.get("dynamic")),
                }
                for a in row.get("addresses", [])
            ],
        }
    routes = raw.get("routes") or {}
    module = raw.get("ovs_module") or {}
    return {
        "files": files,
        "links": links,
        "routes": {
            fam: [{"gateway": r.get("gateway"), "dev": r.get("dev")} for r in routes.get(fam, [])]
            for fam in ("inet", "inet6")
        },
        "ovs_module": {
            "state": str(module.get("state", "missing")),
            "detail": str(module.get("detail", "not checked")),
        },
        "kernel": str(raw.get("kernel", "")),
        "errors": [str(e) for e in raw.get("errors", [])],
    }


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Problem:
    """Input discovery cannot map without guessing: where, what, and what to do."""

    where: str  # "/etc/network/interfaces:17", "domain vm-x", "host"
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}; fix: {self.fix}"


NicMode = Literal["access", "trunk", "hybrid", "unchanged"]


@dataclass(frozen=True)
class NicPlan:
    """One VM NIC: where it is now and what the host data says for it (None: untouched)."""

    domain: str
    state: str
    mac: str
    now: str  # "bridge bridge1011", "network default", "direct eth1 (macvtap)"...
    mode: NicMode
    spec: dict[str, Any] | None
    reason: str


@dataclass(frozen=True)
class VlanInfo:
    vid: int
    device: str
    bridge: str | None
    where: str


@dataclass(frozen=True)
class MgmtInfo:
    device: str  # the legacy bridge (or VLAN device) holding the address
    vid: int
    ipv4: str
    gateway: str | None
    dns: list[str]
    ipv6: str
    where: str
    notes: list[str]


@dataclass
class Discovery:
    host: str
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    uplinks: list[str] = field(default_factory=list)
    bond: str | None = None
    vlans: list[VlanInfo] = field(default_factory=list)
    mgmt: MgmtInfo | None = None
    nics: list[NicPlan] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    datapath: str = "system"
    datapath_reason: str = ""
    skipped: str | None = None  # why there is nothing to discover (already on OVS)

    @property
    def ok(self) -> bool:
        """No errors and something to write."""
        return not self.errors and self.skipped is None


# --------------------------------------------------------------------------- helpers

_VLAN_NAME = re.compile(r"^vlan(\d+)$")
_DOT_NAME = re.compile(r"^(.+)\.(\d+)$")
_PARSER_ERROR = re.compile(r"^(?P<path>\S.*?) line (?P<line>\d+): (?P<msg>.*)$", re.S)
_TAP_KINDS = {"tun", "tap"}
# Options whose job the new configuration does itself (no warning when they are dropped).
_PLUMBING = re.compile(r"^(bridge_|bond_|vlan_raw_device$|vlan_id$)")
_MGMT_INET = {"address", "netmask", "gateway", "dns_nameservers", "broadcast"}
_MGMT_INET6 = {"address", "netmask", "gateway", "privext", "accept_ra", "autoconf"}
_IPV6_TWEAK = re.compile(r"disable_ipv6|accept_ra|autoconf")
_BOND_MODES = {
    "802.3ad": ("bond_mode=balance-tcp lacp=active", True),
    "4": ("bond_mode=balance-tcp lacp=active", True),
    "active-backup": ("bond_mode=active-backup", True),
    "1": ("bond_mode=active-backup", True),
}


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"yes", "on", "1", "true"}


def _words(values: list[str]) -> list[str]:
    return [w for v in values for w in v.split()]


class _Reader:
    """One discovery run; collects errors and warnings as it goes."""

    def __init__(
        self,
        host: str,
        network: NetworkFacts,
        domains: Mapping[str, Mapping[str, Any]],
        current: Mapping[str, Any],
    ) -> None:
        self.d = Discovery(host=host)
        self.net = network
        self.links = network["links"]
        self.domains = domains
        self.current = current
        self.bridge_name = str(current.get(f"{PREFIX}bridge", "ovsbr0"))
        self.texts: dict[str, str] = {}
        self.config: LocatedConfig | None = None
        self.dropped: set[str] = set()  # stanzas the new configuration replaces

    # -- reporting ---------------------------------------------------------------------

    def error(self, where: str, what: str, fix: str) -> None:
        self.d.errors.append(Problem(where, what, fix))

    def warn(self, text: str) -> None:
        if text not in self.d.warnings:
            self.d.warnings.append(text)

    # -- the files -----------------------------------------------------------------------

    @property
    def cfg(self) -> InterfacesFile:
        assert self.config is not None
        return self.config.parsed

    def stanzas_of(self, name: str) -> list[tuple[str, Stanza]]:
        assert self.config is not None
        return [
            (p, s)
            for p, s in self.config.stanzas
            if s.keyword == "iface" and s.args and s.args[0] == name
        ]

    def loc(self, name: str, key: str | None = None, family: str | None = None) -> str:
        """path:line of an option of an interface (or of its first stanza)."""
        first = None
        for path, stanza in self.stanzas_of(name):
            fam = stanza.args[1] if len(stanza.args) > 1 and stanza.args[1] != "inherits" else None
            if family is not None and fam not in (family, None):
                continue
            if first is None:
                first = f"{path}:{stanza.line}"
            if key is None:
                return first
            for opt in stanza.options:
                if opt.key.replace("-", "_") == key:
                    return f"{path}:{opt.line}"
        return first or "(interfaces files)"

    def opts(self, name: str, family: str | None = None) -> dict[str, list[str]]:
        fams = self.cfg["interfaces"].get(name, {})
        if family is not None:
            return fams[family]["options"] if family in fams else {}
        merged: dict[str, list[str]] = {}
        for fam in fams.values():
            for key, values in fam["options"].items():
                merged.setdefault(key, []).extend(values)
        return merged

    def method(self, name: str, family: str) -> str | None:
        fam = self.cfg["interfaces"].get(name, {}).get(family)
        return fam["method"] if fam else None

    def read_files(self) -> bool:
        files = self.net["files"]
        if not files or files[0]["origin"] is not None:
            self.error("host", "the collector returned no interfaces file", "report this bug")
            return False
        top = files[0]
        if top["text"] is None:
            if top["error"] and "No such file" in top["error"]:
                self.error(
                    top["path"],
                    "does not exist: this host is not configured with Debian's ifupdown",
                    "discovery reads ifupdown hosts only (not netplan, systemd-networkd or "
                    "NetworkManager); write this host's data by hand",
                )
            else:
                self.error(
                    top["path"],
                    f"{top['error'] or 'cannot be read'}",
                    "make it readable by the SSH user, then run discovery again",
                )
            return False
        sources: list[SourceFile] = []
        for f in files:
            if f["text"] is None:
                where = f"{f['origin'][0]}:{f['origin'][1]}" if f["origin"] else f["path"]
                if f["error"] and f["error"].startswith("read before"):
                    self.warn(
                        f"{f['path']} (sourced at {where}) was already read: ifupdown would "
                        "read it again; discovery reads it once"
                    )
                    continue
                self.error(
                    f["path"],
                    f"{f['error'] or 'cannot be read'} (sourced at {where})",
                    "make it a readable UTF-8 text file or remove the source line, then run "
                    "discovery again",
                )
                continue
            self.texts[f["path"]] = f["text"]
            sources.append(SourceFile(f["path"], f["text"], f["origin"]))
        if self.d.errors:
            return False
        self.d.files = [s.path for s in sources]
        try:
            self.config = parse_interfaces_files(sources)
        except ValueError as exc:
            text = str(exc)
            m = _PARSER_ERROR.match(text)
            where = f"{m['path']}:{m['line']}" if m else sources[0].path
            self.error(
                where,
                m["msg"] if m else text,
                f"correct the file (`ifquery -i {m['path'] if m else sources[0].path} --list` "
                "shows how ifupdown reads it), then run discovery again",
            )
            return False
        return True

    def already_ovs(self, vlandevs: dict[str, tuple[int, str]]) -> bool:
        """True when the files already configure OVS (skipped if nothing legacy is left)."""
        assert self.config is not None
        ovs = [
            (path, stanza, opt)
            for path, stanza in self.config.stanzas
            for opt in stanza.options
            if opt.key.replace("-", "_") == "ovs_type"
        ]
        if not ovs:
            return False
        path, stanza, opt = ovs[0]
        legacy = sorted(vlandevs) + [
            n
            for n in self.cfg["interfaces"]
            if set(_words(self.opts(n).get("bridge_ports", []))) & set(vlandevs)
        ]
        if legacy:
            self.error(
                f"{path}:{opt.line}",
                f"{stanza.args[0]} is already an Open vSwitch interface "
                f"(`{opt.key} {opt.value}`) while {', '.join(legacy)} are legacy VLAN "
                "plumbing: a half-migrated host",
                "finish or roll back the migration (backups in /var/lib/ovs-hypervisor/"
                "backups), then run discovery again",
            )
        else:
            self.d.skipped = (
                f"already on Open vSwitch ({path}:{opt.line} `{opt.key} {opt.value}` on "
                f"{stanza.args[0]}) and no legacy VLAN plumbing left: its host data is left "
                "as it is"
            )
        return True

    # -- live links ----------------------------------------------------------------------

    def live_ipv4(self, name: str) -> list[str]:
        link = self.links.get(name)
        if link is None:
            return []
        return [
            f"{a['address']}/{a['prefixlen']}"
            for a in link["addresses"]
            if a["family"] == "inet" and a["scope"] == "global"
        ]

    def live_members(self, bridge: str) -> list[str]:
        return sorted(
            n
            for n, link in self.links.items()
            if link["master"] == bridge and link["kind"] not in _TAP_KINDS
        )

    # -- VLAN devices and the uplink -----------------------------------------------------

    def vlan_devices(self) -> dict[str, tuple[int, str]]:
        """name -> (VLAN id, raw device), from the files; problems are errors."""
        out: dict[str, tuple[int, str]] = {}
        for name in self.cfg["interfaces"]:
            opts = self.opts(name)
            if "ovs_type" in opts or "ovs_bridge" in opts:
                continue  # an Open vSwitch port (a migrated host), not a VLAN device
            raw_opt = opts.get("vlan_raw_device", [None])[0]
            vid: int | None = None
            raw: str | None = None
            if m := _VLAN_NAME.match(name):
                vid, raw = int(m.group(1)), raw_opt
                if raw is None:
                    live = self.links.get(name)
                    if live and live["kind"] == "vlan" and live["link"]:
                        raw = live["link"]
                        self.warn(
                            f"{self.loc(name)}: {name} has no vlan-raw-device; its live "
                            f"device sits on {raw}, taken as its raw device"
                        )
                    else:
                        self.error(
                            self.loc(name),
                            f"VLAN device {name} has no vlan-raw-device: cannot tell which "
                            "NIC carries VLAN " + str(vid),
                            f"add `vlan-raw-device <NIC>` to iface {name}, then run discovery "
                            "again",
                        )
                        continue
            elif m := _DOT_NAME.match(name):
                raw, vid = m.group(1), int(m.group(2))
                if raw_opt is not None and raw_opt != raw:
                    self.error(
                        self.loc(name, "vlan_raw_device"),
                        f"{name} names raw device {raw} but says vlan-raw-device {raw_opt}",
                        "make them agree (the name wins for ifupdown), then run discovery again",
                    )
                    continue
            elif raw_opt is not None:
                vid_opt = opts.get("vlan_id", [None])[0]
                if vid_opt is not None and vid_opt.isdigit():
                    vid, raw = int(vid_opt), raw_opt
                else:
                    self.error(
                        self.loc(name, "vlan_raw_device"),
                        f"{name} has vlan-raw-device {raw_opt} but its name carries no VLAN "
                        "id (vlanNNN or NIC.NNN) and it has no vlan-id",
                        f"rename it vlanNNN or {raw_opt}.NNN, then run discovery again",
                    )
                    continue
            else:
                continue
            assert vid is not None and raw is not None
            if not 1 <= vid <= 4094:
                self.error(
                    self.loc(name),
                    f"VLAN device {name}: VLAN id {vid} is out of range (1-4094)",
                    "fix or remove this stanza, then run discovery again",
                )
                continue
            live = self.links.get(name)
            if live and live["kind"] == "vlan" and (live["vlan_id"], live["link"]) != (vid, raw):
                self.error(
                    self.loc(name),
                    f"the file makes {name} VLAN {vid} on {raw}, but the live device is "
                    f"VLAN {live['vlan_id']} on {live['link']}",
                    f"make them agree (`ifdown {name}; ifup {name}` applies the file), then "
                    "run discovery again",
                )
                continue
            self.add_vlan(out, name, vid, raw, self.loc(name))
        # bridge-utils creates a DEV.N port named in bridge_ports even without a stanza.
        for name in self.cfg["interfaces"]:
            for port in _words(self.opts(name).get("bridge_ports", [])):
                m = _DOT_NAME.match(port)
                if port in out or port in self.cfg["interfaces"] or m is None:
                    continue
                where = self.loc(name, "bridge_ports")
                vid = int(m.group(2))
                if not 1 <= vid <= 4094:
                    self.error(
                        where,
                        f"bridge port {port}: VLAN id {vid} is out of range (1-4094)",
                        "fix or remove the port, then run discovery again",
                    )
                    continue
                self.add_vlan(out, port, vid, m.group(1), where)
        return out

    def add_vlan(
        self, out: dict[str, tuple[int, str]], name: str, vid: int, raw: str, where: str
    ) -> None:
        for other, (ovid, oraw) in out.items():
            if (ovid, oraw) == (vid, raw):
                self.error(
                    where,
                    f"{name} and {other} are both VLAN {vid} on {raw}",
                    "keep one of them, then run discovery again",
                )
        out[name] = (vid, raw)

    def uplink(self, vlandevs: dict[str, tuple[int, str]]) -> str | None:
        raws = sorted({raw for _, raw in vlandevs.values()})
        if not raws:
            self.error(
                self.d.files[0] if self.d.files else TOP_FILE,
                "no VLAN devices (vlanNNN with vlan-raw-device, or NIC.NNN): nothing to "
                "migrate from",
                "discovery reads hosts with one vlanNNN + bridgeNNN pair per VLAN; write this "
                "host's data by hand",
            )
            return None
        if len(raws) > 1:
            per = "; ".join(
                f"{r}: VLAN " + ", ".join(str(v) for v, rr in sorted(vlandevs.values()) if rr == r)
                for r in raws
            )
            self.error(
                self.d.files[0],
                f"the VLANs ride on {len(raws)} NICs ({per}): the deploy builds one OVS bridge "
                "with one uplink (or one bond)",
                "move all VLANs onto one NIC or bond first, or write this host's data by hand",
            )
            return None
        raw = raws[0]
        live = self.links.get(raw)
        opts = self.opts(raw)
        if (live and live["kind"] == "bridge") or "bridge_ports" in opts:
            self.error(
                self.loc(raw),
                f"the VLAN devices sit on {raw}, which is a bridge, not a NIC or bond",
                "write this host's data by hand",
            )
            return None
        slaves = [w for w in _words(opts.get("bond_slaves", [])) if w != "none"]
        is_bond = bool(slaves) or (live is not None and live["kind"] == "bond")
        if is_bond:
            if not slaves:
                slaves = [
                    n
                    for n in self.cfg["interfaces"]
                    if self.opts(n).get("bond_master", [None])[0] == raw
                ]
            if not slaves:
                slaves = self.live_members(raw)
            if not slaves:
                self.error(
                    self.loc(raw),
                    f"{raw} is a bond without slaves (no bond-slaves, no bond-master lines, "
                    "none live)",
                    f"add `bond-slaves NIC NIC` to iface {raw}, then run discovery again",
                )
                return None
            self.d.bond = raw
            self.d.uplinks = slaves
            if len(slaves) > 1:
                mode = opts.get("bond_mode", ["balance-rr"])[0]
                options, exact = _BOND_MODES.get(mode, ("bond_mode=balance-slb", False))
                if mode in ("802.3ad", "4") and opts.get("bond_lacp_rate", ["slow"])[0] in (
                    "fast",
                    "1",
                ):
                    options += " other_config:lacp-time=fast"
                self.d.data[f"{PREFIX}bond_name"] = raw
                self.d.data[f"{PREFIX}bond_options"] = options
                if not exact:
                    self.warn(
                        f"{self.loc(raw, 'bond_mode')}: Linux bond mode {mode!r} has no exact "
                        f"OVS equivalent: planned `{options}` (switch-independent); check the "
                        "switch side and set ovs_hv_bond_options if it needs another mode"
                    )
                else:
                    self.warn(
                        f"{self.loc(raw)}: bond {raw} (mode {mode}) becomes an OVS bond of "
                        f"{', '.join(slaves)} with `{options}`"
                    )
            else:
                self.warn(
                    f"{self.loc(raw)}: bond {raw} has one slave ({slaves[0]}): the OVS uplink "
                    f"is {slaves[0]} itself, no bond"
                )
        else:
            self.d.uplinks = [raw]
        for nic in self.d.uplinks:
            if nic not in self.links:
                self.warn(f"uplink {nic} does not exist on the host right now")
        return raw

    # -- bridges -------------------------------------------------------------------------

    def bridges(
        self, vlandevs: dict[str, tuple[int, str]], raw: str
    ) -> dict[str, tuple[str, int | None]]:
        """name -> (kind, VLAN id): kind vlan | trunk | isolated | other."""
        out: dict[str, tuple[str, int | None]] = {}
        owner: dict[str, str] = {}
        raw_side = {raw, *self.d.uplinks}
        for name in self.cfg["interfaces"]:
            opts = self.opts(name)
            if "bridge_ports" not in opts:
                continue
            where = self.loc(name, "bridge_ports")
            ports = [p for p in _words(opts["bridge_ports"]) if p != "none"]
            if any(p in ("all", "regex") for p in ports):
                self.error(
                    where,
                    f"bridge {name}: `bridge_ports {' '.join(opts['bridge_ports'])}` does not "
                    "name its ports",
                    "list the ports by name, then run discovery again",
                )
                continue
            vlan_ports = [p for p in ports if p in vlandevs]
            up_ports = [p for p in ports if p in raw_side]
            others = [p for p in ports if p not in vlandevs and p not in raw_side]
            aware = any(_truthy(v) for v in opts.get("bridge_vlan_aware", []))
            for p in ports:
                if p in owner:
                    self.error(
                        where,
                        f"{p} is a port of both {owner[p]} and {name}",
                        "a device belongs to one bridge: fix the file, then run discovery again",
                    )
                owner[p] = name
            if aware and (vlan_ports or up_ports):
                self.error(
                    where,
                    f"bridge {name} is VLAN-aware (bridge-vlan-aware): discovery cannot tell "
                    "its VMs' VLANs",
                    "write this host's data by hand",
                )
                continue
            if len(vlan_ports) > 1:
                listed = ", ".join(f"{p} (VLAN {vlandevs[p][0]})" for p in vlan_ports)
                self.error(
                    where,
                    f"bridge {name} has {len(vlan_ports)} VLAN ports ({listed}): a legacy "
                    "bridge carries one VLAN, so its VMs' VLAN is ambiguous",
                    "give each VLAN its own bridge (or drop one port), then run discovery again",
                )
                continue
            if vlan_ports and (up_ports or others):
                self.error(
                    where,
                    f"bridge {name} mixes VLAN port {vlan_ports[0]} with "
                    f"{', '.join(up_ports + others)}: its VMs' VLAN is ambiguous",
                    "keep only the VLAN device in bridge_ports, then run discovery again",
                )
                continue
            if up_ports and others:
                self.error(
                    where,
                    f"bridge {name} mixes the uplink {', '.join(up_ports)} with "
                    f"{', '.join(others)}",
                    "write this host's data by hand",
                )
                continue
            if vlan_ports:
                out[name] = ("vlan", vlandevs[vlan_ports[0]][0])
            elif up_ports:
                out[name] = ("trunk", None)
            elif not ports:
                out[name] = ("isolated", None)
            else:
                out[name] = ("other", None)
            live = self.links.get(name)
            if live is None:
                self.warn(f"{self.loc(name)}: bridge {name} is not up right now")
            elif live["kind"] == "bridge":
                members = self.live_members(name)
                if sorted(ports) != members:
                    self.warn(
                        f"{where}: bridge {name} has ports {', '.join(sorted(ports)) or 'none'} "
                        f"in the file but {', '.join(members) or 'none'} live: the plan follows "
                        "the file"
                    )
        # Live bridges the files do not configure (made by hand, by libvirt networks...).
        for name, link in sorted(self.links.items()):
            if link["kind"] != "bridge" or name in out or name in self.cfg["interfaces"]:
                continue
            members = self.live_members(name)
            vids = {vlandevs[m][0] for m in members if m in vlandevs}
            vids |= {
                self.links[m]["vlan_id"]  # type: ignore[misc]
                for m in members
                if self.links[m]["kind"] == "vlan" and self.links[m]["vlan_id"]
            }
            if len(members) == 1 and len(vids) == 1:
                out[name] = ("vlan", vids.pop())
                self.warn(
                    f"bridge {name} (VLAN {out[name][1]} through {members[0]}) is up but not in "
                    "the interfaces files: mapped from the live links"
                )
            else:
                out[name] = ("live", None)
        return out

    # -- management ----------------------------------------------------------------------

    def management(
        self,
        vlandevs: dict[str, tuple[int, str]],
        bridges: dict[str, tuple[str, int | None]],
        raw: str,
    ) -> None:
        bridged = {p for b in bridges for p in _words(self.opts(b).get("bridge_ports", []))}
        candidates: list[tuple[str, int]] = [
            (b, vid) for b, (kind, vid) in bridges.items() if kind == "vlan" and vid is not None
        ]
        candidates += [(v, vid) for v, (vid, _) in vlandevs.items() if v not in bridged]
        holders: list[tuple[str, int, str]] = []
        for name, vid in candidates:
            if self.method(name, "inet") in ("static", "dhcp") or self.live_ipv4(name):
                addr = (
                    ", ".join(self.opts(name, "inet").get("address", []))
                    or self.method(name, "inet")
                    or ""
                )
                holders.append((name, vid, addr or ", ".join(self.live_ipv4(name))))
        untagged = [
            n
            for n in [raw, *self.d.uplinks, *(b for b, (k, _) in bridges.items() if k == "trunk")]
            if self.method(n, "inet") in ("static", "dhcp") or self.live_ipv4(n)
        ]
        if untagged:
            self.error(
                self.loc(untagged[0]),
                f"the host has an untagged IPv4 address on {untagged[0]}: the deploy puts the "
                "host on a tagged management VLAN port only",
                "move the host's address onto its management VLAN's bridge first, or write "
                "this host's data by hand",
            )
            return
        if not holders:
            self.error(
                self.d.files[0],
                "no VLAN bridge holds an IPv4 address: cannot tell the management VLAN",
                "give the management VLAN's bridge the host's address (iface bridgeNNN inet "
                "static + address), then run discovery again",
            )
            return
        if len(holders) > 1:
            listed = "; ".join(
                f"{n} (VLAN {vid}, {addr}, {self.loc(n, 'address', 'inet')})"
                for n, vid, addr in holders
            )
            self.error(
                self.loc(holders[1][0]),
                f"the host has IPv4 on {len(holders)} VLAN interfaces ({listed}): the deploy "
                "gives it exactly one management port",
                "keep the address on the management bridge only (remove the others from the "
                "file and with `ip addr del`), then run discovery again",
            )
            return
        name, vid, _ = holders[0]
        notes: list[str] = []
        inet = self.opts(name, "inet")
        where = self.loc(name, "address", "inet")
        if self.method(name, "inet") == "dhcp":
            self.error(
                self.loc(name),
                f"{name} (the management bridge) takes its address by DHCP: the deploy "
                "configures a static management address",
                "make it `inet static` with its address, or write this host's data by hand",
            )
            return
        live = self.live_ipv4(name)
        addresses: list[ipaddress.IPv4Interface] = []
        netmask = inet.get("netmask", [None])[0]
        for value in inet.get("address", []):
            try:
                if "/" in value:
                    addresses.append(ipaddress.IPv4Interface(value))
                elif netmask is not None:
                    addresses.append(ipaddress.IPv4Interface(f"{value}/{netmask}"))
                else:
                    self.error(
                        where,
                        f"{name}: address {value} has no prefix length and no netmask",
                        f"write `address {value}/NN`, then run discovery again",
                    )
                    return
            except ValueError:
                self.error(
                    where,
                    f"{name}: `address {value}`"
                    + (f" / `netmask {netmask}`" if netmask and "/" not in value else "")
                    + " is not an IPv4 address/prefix",
                    "fix the address, then run discovery again",
                )
                return
        if not addresses:
            if not live:
                self.error(
                    self.loc(name),
                    f"{name} has no IPv4 address",
                    "give it the host's address, then run discovery again",
                )
                return
            addresses = [ipaddress.IPv4Interface(live[0])]
            notes.append("address from the live link (not in the interfaces file)")
            self.warn(
                f"{self.loc(name)}: {name} has {live[0]} live but no address in the interfaces "
                "file: taken from the live link"
            )
        primary = addresses[0]
        for extra in addresses[1:]:
            self.warn(
                f"{where}: {name} has a second address {extra}: not carried over (the "
                "management port gets one IPv4 address)"
            )
        if live:
            if str(primary) not in live:
                same_ip = [a for a in live if a.split("/")[0] == str(primary.ip)]
                if same_ip:
                    self.error(
                        where,
                        f"{name}: the file says {primary}, the live link has {same_ip[0]}",
                        "make the prefix agree (file or `ip addr`), then run discovery again",
                    )
                    return
                self.error(
                    where,
                    f"{name}: the file says {primary}, but the live link has {', '.join(live)}",
                    "make the file and the live address agree (`ifdown/ifup` applies the file), "
                    "then run discovery again",
                )
                return
            for other in live:
                if other != str(primary) and other not in {str(a) for a in addresses}:
                    self.warn(f"{name} also has {other} live (not in the file): not carried over")
            notes.append("live: same")
        else:
            self.warn(f"{where}: {name} has no IPv4 address right now (down?); the file's is used")
        for other_name in sorted(self.links):
            if other_name != name and str(primary.ip) in {
                a.split("/")[0] for a in self.live_ipv4(other_name)
            }:
                self.error(
                    where,
                    f"{primary.ip} is on both {name} and {other_name}",
                    f"remove it from {other_name}, then run discovery again",
                )
                return
        # Gateway: the file, cross-checked with the live default route.
        gateway = inet.get("gateway", [None])[0]
        routes = self.net["routes"]["inet"]
        live_gw = next((r["gateway"] for r in routes if r["gateway"]), None)
        live_dev = next((r["dev"] for r in routes if r["gateway"]), None)
        if len(inet.get("gateway", [])) > 1:
            self.warn(f"{self.loc(name, 'gateway')}: {name} has several gateways: the first used")
        if gateway is None and live_gw is not None and live_dev == name:
            gateway = live_gw
            notes.append("gateway from the live default route")
            self.warn(
                f"{self.loc(name)}: no gateway in the file; the live default route via "
                f"{live_gw} on {name} is used"
            )
        elif gateway is not None and live_gw is not None and live_gw != gateway:
            self.warn(
                f"{self.loc(name, 'gateway')}: the file's gateway is {gateway}, the live default "
                f"route goes via {live_gw} ({live_dev}): the file's is used"
            )
        elif gateway is not None and live_gw is None:
            self.warn(f"{self.loc(name, 'gateway')}: no live default route right now")
        for other in self.cfg["interfaces"]:
            if other != name and self.opts(other, "inet").get("gateway"):
                self.warn(
                    f"{self.loc(other, 'gateway')}: {other} also has a gateway: "
                    + (
                        "not carried over"
                        if other in self.dropped
                        else "kept with its stanza (a second default route)"
                    )
                )
        # DNS: the management stanzas first, then any other stanza's (resolvconf reads all).
        dns = _words(
            inet.get("dns_nameservers", []) + self.opts(name, "inet6").get("dns_nameservers", [])
        )
        for other in self.cfg["interfaces"]:
            theirs = (
                _words(self.opts(other).get("dns_nameservers", []))
                if other != name and other in self.dropped
                else []
            )
            if theirs:
                self.warn(
                    f"{self.loc(other, 'dns_nameservers')}: DNS servers {' '.join(theirs)} of "
                    f"{other} move to the management port"
                )
                dns += [a for a in theirs if a not in dns]
        for key in ("dns_search", "dns_domain"):
            for other in self.cfg["interfaces"]:
                if self.opts(other).get(key):
                    self.warn(
                        f"{self.loc(other, key)}: `{key.replace('_', '-')} "
                        f"{' '.join(self.opts(other)[key])}` of {other} is not carried over "
                        "(the data has no search domain): put it in /etc/resolv.conf"
                    )
        # IPv6.
        ipv6 = self.ipv6(name)
        self.d.data[f"{PREFIX}mgmt_vlan"] = vid
        self.d.data[f"{PREFIX}mgmt_ipv4"] = str(primary)
        self.d.data[f"{PREFIX}mgmt_gateway"] = gateway
        self.d.data[f"{PREFIX}mgmt_dns"] = dns
        self.d.mgmt = MgmtInfo(
            device=name,
            vid=vid,
            ipv4=str(primary),
            gateway=gateway,
            dns=dns,
            ipv6=ipv6,
            where=self.loc(name),
            notes=notes,
        )

    def ipv6(self, name: str) -> str:
        method = self.method(name, "inet6")
        inet6 = self.opts(name, "inet6")
        link = self.links.get(name)
        live6 = [
            a
            for a in (link["addresses"] if link else [])
            if a["family"] == "inet6" and a["scope"] == "global"
        ]
        where = self.loc(name, family="inet6")
        if method == "auto" or method == "dhcp":
            if method == "dhcp":
                self.warn(
                    f"{where}: {name} uses DHCPv6; the data knows off, slaac or static: "
                    "planned slaac"
                )
            self.d.data[f"{PREFIX}mgmt_ipv6"] = "slaac"
            return "slaac (inet6 " + method + ")"
        if method == "static":
            address = inet6.get("address", [None])[0]
            netmask = inet6.get("netmask", [None])[0]
            if address is not None and "/" not in address and netmask is not None:
                address = f"{address}/{netmask}"
            try:
                if address is None:
                    raise ValueError
                ipaddress.IPv6Interface(address)
            except ValueError:
                self.error(
                    self.loc(name, "address", "inet6"),
                    f"{name}: inet6 static address {address!r} is not ADDRESS/PREFIX",
                    "fix it, then run discovery again",
                )
                return "?"
            self.d.data[f"{PREFIX}mgmt_ipv6"] = "static"
            self.d.data[f"{PREFIX}mgmt_ipv6_address"] = address
            gw = inet6.get("gateway", [None])[0]
            if gw is not None:
                self.d.data[f"{PREFIX}mgmt_ipv6_gateway"] = gw
            return f"static {address}" + (f" via {gw}" if gw else "")
        if method not in (None, "manual"):
            self.warn(f"{where}: {name}: inet6 {method} is not carried over: IPv6 planned off")
            self.d.data[f"{PREFIX}mgmt_ipv6"] = "off"
            return "off"
        if any(a["dynamic"] for a in live6):
            self.d.data[f"{PREFIX}mgmt_ipv6"] = "slaac"
            return "slaac (no inet6 stanza; the live link has SLAAC addresses)"
        for a in live6:
            self.warn(
                f"{name} has IPv6 {a['address']}/{a['prefixlen']} live but not in the file: not "
                "carried over"
            )
        self.d.data[f"{PREFIX}mgmt_ipv6"] = "off"
        return (
            "off (no inet6 stanza, no global IPv6 address; ovs_hv_mgmt_ipv6 = 'slaac' enables it)"
        )

    # -- domains -------------------------------------------------------------------------

    def domain_plans(
        self,
        vlandevs: dict[str, tuple[int, str]],
        bridges: dict[str, tuple[str, int | None]],
    ) -> dict[str, dict[str, dict[str, Any]]]:
        mgmt_vid = self.d.mgmt.vid if self.d.mgmt else None
        trunk_vids = sorted({v for v, _ in vlandevs.values() if v != mgmt_vid})
        legacy = set(vlandevs) | {b for b, (k, _) in bridges.items() if k in ("vlan", "trunk")}
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for dom in sorted(self.domains):
            info = self.domains[dom]
            state = str(info.get("state", "?"))
            try:
                nics = domain_nics(str(info["xml"]))
            except ValueError as exc:
                self.error(f"domain {dom}", f"its XML cannot be read ({exc})", "fix the domain")
                continue
            live_nics: dict[str, Any] = {}
            if info.get("live_xml"):
                try:
                    live_nics = {
                        n["mac"]: n for n in domain_nics(str(info["live_xml"])) if n["mac"]
                    }
                except ValueError:
                    live_nics = {}
            for nic in nics:
                mac = nic["mac"]
                if mac is None:
                    self.warn(f"domain {dom}: a NIC without a MAC address is left as it is")
                    continue
                plan = self.nic_plan(dom, state, nic, bridges, legacy, trunk_vids)
                if plan is None:
                    continue
                self.d.nics.append(plan)
                if plan.spec is not None:
                    out.setdefault(dom, {})[mac] = plan.spec
                live = live_nics.get(mac)
                if live is not None and nic["type"] == "bridge" and live["bridge"] != nic["bridge"]:
                    self.warn(
                        f"domain {dom}, NIC {mac}: defined on {nic['bridge']} but running on "
                        f"{live['bridge']}: the plan follows the definition"
                    )
                target = live["target"] if live is not None else None
                if (
                    target
                    and nic["type"] == "bridge"
                    and target in self.links
                    and self.links[target]["master"] not in (None, nic["bridge"])
                ):
                    self.warn(
                        f"domain {dom}, NIC {mac}: its tap {target} is in "
                        f"{self.links[target]['master']}, not {nic['bridge']}"
                    )
            if out.get(dom) and info.get("persistent") is False:
                self.error(
                    f"domain {dom}",
                    "is transient (not defined): the migration stops it, which would delete it",
                    f"`virsh dumpxml {dom} > {dom}.xml && virsh define {dom}.xml`, then run "
                    "discovery again",
                )
        return out

    def nic_plan(
        self,
        dom: str,
        state: str,
        nic: Any,
        bridges: dict[str, tuple[str, int | None]],
        legacy: set[str],
        trunk_vids: list[int],
    ) -> NicPlan | None:
        mac = nic["mac"]
        kind = nic["type"]

        def plan(now: str, mode: NicMode, spec: dict[str, Any] | None, reason: str) -> NicPlan:
            return NicPlan(dom, state, mac, now, mode, spec, reason)

        if kind == "bridge" and not nic["bridge"]:
            self.warn(f"domain {dom}, NIC {mac}: type 'bridge' without a source bridge, left as is")
            return plan("no bridge", "unchanged", None, "no <source bridge>")
        if kind == "bridge":
            br = nic["bridge"]
            now = str(br)
            if br == self.bridge_name or nic["virtualport"] == "openvswitch":
                spec = nic["vlan"]
                if spec is None:
                    return plan(now, "unchanged", None, "already on Open vSwitch, no VLAN set")
                if spec.get("native_mode") == "tagged":
                    self.warn(
                        f"domain {dom}, NIC {mac}: native VLAN in tagged mode cannot be "
                        "written in the host data: left as it is"
                    )
                    return plan(now, "unchanged", None, "already on OVS (native tagged)")
                clean = {k: v for k, v in spec.items() if k in ("vlan", "trunk", "native")}
                mode: NicMode = (
                    "access" if "vlan" in clean else "hybrid" if "native" in clean else "trunk"
                )
                return plan(now, mode, clean, "already on Open vSwitch: its <vlan> is kept")
            if nic["vlan"] is not None:
                self.warn(
                    f"domain {dom}, NIC {mac}: the <vlan> element on Linux bridge {br} has no "
                    "effect and is replaced"
                )
            if br not in bridges and br not in self.links:
                self.error(
                    f"domain {dom}",
                    f"NIC {mac} is on bridge {br!r} (<source bridge='{br}'/>), but this host has "
                    "no such bridge (not in the interfaces files, not live)",
                    f"attach the NIC to an existing bridge (`virsh edit {dom}`) or remove it, "
                    "then run discovery again",
                )
                return None
            bkind, vid = bridges.get(br, ("live", None))
            if bkind == "vlan" and vid is not None:
                return plan(now, "access", {"vlan": vid}, f"{br} carries VLAN {vid}")
            if bkind == "trunk":
                if not trunk_vids:
                    self.error(
                        f"domain {dom}",
                        f"NIC {mac} is on the trunk bridge {br}, and this host has no VLANs "
                        "besides management to put in its trunk list",
                        f"set ovs_hv_domains for {dom} by hand",
                    )
                    return None
                self.warn(
                    f"domain {dom}, NIC {mac} is on the VLAN-unaware bridge {br} over the raw "
                    f"uplink (every VLAN and untagged frames): planned as a trunk of this host's "
                    f"VLANs except management ({', '.join(map(str, trunk_vids))}); untagged "
                    "frames and VLANs this host has no device for are no longer passed: edit "
                    "ovs_hv_domains if the VM needs others"
                )
                return plan(
                    now,
                    "trunk",
                    {"trunk": trunk_vids},
                    f"{br} is a trunk bridge over the uplink",
                )
            what = {
                "isolated": "a bridge without ports, kept as it is",
                "other": "not a legacy VLAN bridge, kept as it is",
                "live": "a live bridge that is not a legacy VLAN bridge (not in the files)",
            }[bkind]
            self.warn(f"domain {dom}, NIC {mac} stays on {br}: {what}")
            return plan(now, "unchanged", None, what)
        if kind == "network":
            self.warn(
                f"domain {dom}, NIC {mac} is on libvirt network {nic['network']!r}: left as it "
                "is (discovery does not read network definitions)"
            )
            return plan(f"network {nic['network']}", "unchanged", None, "libvirt network")
        if kind == "direct":
            dev = nic["source_dev"]
            if dev in legacy:
                self.error(
                    f"domain {dom}",
                    f"NIC {mac} is a macvtap on {dev}, which the migration removes",
                    f"move the NIC to bridge {self.bridge_name} or a VLAN bridge "
                    f"(`virsh edit {dom}`), then run discovery again",
                )
                return None
            self.warn(f"domain {dom}, NIC {mac}: macvtap on {dev}, left as it is")
            return plan(f"direct {dev} (macvtap)", "unchanged", None, "macvtap")
        self.warn(f"domain {dom}, NIC {mac}: type {kind!r}, left as it is")
        return plan(f"type {kind}", "unchanged", None, f"type {kind}")

    # -- what the new file keeps and drops ---------------------------------------------------

    def stanza_block(self, path: str, stanza: Stanza) -> str:
        assert self.config is not None
        lines = self.texts[path].split("\n")
        later = [s.line for p, s in self.config.stanzas if p == path and s.line > stanza.line]
        end = min(later) - 1 if later else len(lines)
        block = lines[stanza.line - 1 : end]
        while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
            block.pop()
        return "\n".join(block)

    def keep_and_drop(
        self,
        vlandevs: dict[str, tuple[int, str]],
        bridges: dict[str, tuple[str, int | None]],
        raw: str,
    ) -> None:
        assert self.config is not None
        mgmt = self.d.mgmt.device if self.d.mgmt else None
        dropped = self.dropped
        kept = [n for n in self.cfg["interfaces"] if n != "lo" and n not in dropped]
        new_names = {self.bridge_name, f"vlan{self.d.mgmt.vid}" if self.d.mgmt else ""}
        if self.d.bond and len(self.d.uplinks) > 1:
            new_names.add(self.d.bond)
        for name in kept:
            if name in new_names:
                self.error(
                    self.loc(name),
                    f"{name} is kept from the old configuration but the new one uses that name",
                    "rename or remove it, then run discovery again",
                )
        # Dropped stanzas: say which of their options are not carried over.
        tweaks: list[str] = []
        for path, stanza in self.config.stanzas:
            if stanza.keyword != "iface" or stanza.args[0] not in dropped:
                continue
            name = stanza.args[0]
            family = (
                stanza.args[1] if len(stanza.args) > 1 and stanza.args[1] != "inherits" else "inet"
            )
            for opt in stanza.options:
                key = opt.key.replace("-", "_")
                if _PLUMBING.match(key):
                    continue
                if name == mgmt and key in (_MGMT_INET if family == "inet" else _MGMT_INET6):
                    continue
                if key in ("dns_nameservers", "dns_search", "dns_domain", "gateway"):
                    continue  # reported with the management settings
                if name != mgmt and _IPV6_TWEAK.search(opt.value):
                    tweaks.append(name)
                    continue
                self.warn(
                    f"{path}:{opt.line}: `{opt.key} {opt.value}` of {name} is not carried over "
                    "to the new configuration"
                )
        if tweaks:
            self.warn(
                f"IPv6 tweaks of {len(set(tweaks))} legacy VLAN interface(s) are dropped: after "
                "the migration the host has no interface in VM VLANs, and "
                "ovs_hv_disable_ipv6_elsewhere turns IPv6 off outside the management port"
            )
        top = self.d.files[0]
        sourced_legacy = sorted(
            {
                s.args[0]
                for p, s in self.config.stanzas
                if p != top and s.keyword == "iface" and s.args[0] in dropped
            }
        )
        if sourced_legacy:
            self.warn(
                "legacy stanzas in sourced files ("
                + ", ".join(sourced_legacy)
                + f"): the deploy deconfigures by name only what {top} itself lists; VLAN "
                "devices defined elsewhere may stay until the next reboot"
            )
        # Kept stanzas: copied verbatim, with their auto/allow lines, into extra_interfaces.
        blocks: list[str] = []
        for name in kept:
            classes = [
                s.keyword
                for _, s in self.config.stanzas
                if (s.keyword == "auto" or s.keyword.startswith("allow-")) and name in s.args
            ]
            head = [f"{kw} {name}" for kw in dict.fromkeys(classes)]
            body = [self.stanza_block(p, s) for p, s in self.stanzas_of(name)]
            blocks.append("\n".join(head + body))
            self.d.kept.append(f"{name} ({self.loc(name)})")
            text = "\n".join(body)
            for gone in sorted(dropped):
                if re.search(rf"(?<![\w.-]){re.escape(gone)}(?![\w-])", text.split("\n", 1)[-1]):
                    self.warn(
                        f"{self.loc(name)}: kept stanza {name} mentions {gone}, which the "
                        "migration removes"
                    )
        for path, stanza in self.config.stanzas:
            if stanza.keyword == "mapping":
                blocks.append(self.stanza_block(path, stanza))
                self.d.kept.append(f"mapping {' '.join(stanza.args)} ({path}:{stanza.line})")
                self.warn(
                    f"{path}:{stanza.line}: mapping stanza `{' '.join(stanza.args)}` kept "
                    "verbatim: check that it maps nothing the migration removes"
                )
            elif stanza.keyword in ("rename", "no-auto-down", "no-scripts"):
                self.warn(
                    f"{path}:{stanza.line}: `{stanza.keyword} {' '.join(stanza.args)}` is not "
                    "carried over"
                )
        if blocks:
            self.d.data[f"{PREFIX}extra_interfaces"] = "\n\n".join(blocks) + "\n"
            self.warn(
                "kept verbatim in ovs_hv_extra_interfaces (not legacy VLAN plumbing): "
                + ", ".join(self.d.kept)
            )
            if any(
                p != top
                for p, s in self.config.stanzas
                if s.keyword == "mapping" or (s.keyword == "iface" and s.args[0] in kept)
            ):
                self.warn(
                    "the new /etc/network/interfaces has no `source` line: stanzas kept from "
                    "sourced files are copied into it, and files in those directories are no "
                    "longer read"
                )

    # -- datapath, pattern ---------------------------------------------------------------

    def datapath(self) -> None:
        module = self.net["ovs_module"]
        if module["state"] in ("loaded", "available"):
            self.d.datapath = "system"
            self.d.datapath_reason = f"openvswitch kernel module {module['state']}"
        else:
            self.d.datapath = "netdev"
            self.d.datapath_reason = f"no openvswitch kernel module ({module['detail']})"
            self.warn(
                f"no openvswitch kernel module on this host ({module['detail']}, kernel "
                f"{self.net['kernel']}): planned datapath netdev (userspace, slower); install "
                "the kernel's modules and set ovs_hv_datapath_type = 'system' for production"
            )
        self.d.data[f"{PREFIX}datapath_type"] = self.d.datapath

    def legacy_map(self, bridges: dict[str, tuple[str, int | None]]) -> None:
        mapping = {
            b: vid
            for b, (kind, vid) in sorted(bridges.items(), key=lambda kv: (kv[1][1] or 0, kv[0]))
            if kind == "vlan" and vid
        }
        self.d.data[f"{PREFIX}legacy_bridges"] = mapping
        trunks = sorted(b for b, (kind, _) in bridges.items() if kind == "trunk")
        if trunks:
            self.d.data[f"{PREFIX}legacy_trunk_bridges"] = trunks
        pattern = str(
            self.current.get(f"{PREFIX}legacy_bridge_pattern")
            or HostConfig.model_fields["legacy_bridge_pattern"].default
        )
        names = set(self.cfg["interfaces"]) | set(self.links)
        clash = sorted(n for n in names if n not in mapping and re.match(pattern, n))
        if clash:
            self.d.data[f"{PREFIX}legacy_bridge_pattern"] = NEVER_MATCHES
            self.warn(
                f"{', '.join(clash)} match(es) the legacy bridge pattern {pattern!r} but "
                "is not a legacy VLAN bridge: the data turns the pattern off and lists every "
                "legacy bridge in ovs_hv_legacy_bridges"
            )

    # -- the whole run -------------------------------------------------------------------

    def run(self) -> Discovery:
        for problem in self.net["errors"]:
            self.warn(f"collector: {problem}")
        if not self.read_files():
            return self.d
        vlandevs = self.vlan_devices()
        if self.already_ovs(vlandevs) or self.d.errors:
            return self.d
        raw = self.uplink(vlandevs)
        if raw is None:
            return self.d
        bridges = self.bridges(vlandevs, raw)
        if self.d.errors:
            return self.d
        self.dropped = {raw, *self.d.uplinks, *vlandevs}
        self.dropped |= {b for b, (k, _) in bridges.items() if k in ("vlan", "trunk")}
        bridge_of = {p: b for b in bridges for p in _words(self.opts(b).get("bridge_ports", []))}
        self.d.vlans = sorted(
            (
                VlanInfo(vid, dev, bridge_of.get(dev), self.loc(bridge_of.get(dev, dev)))
                for dev, (vid, _) in vlandevs.items()
            ),
            key=lambda v: v.vid,
        )
        self.management(vlandevs, bridges, raw)
        self.datapath()
        self.d.data[f"{PREFIX}uplinks"] = list(self.d.uplinks)
        self.legacy_map(bridges)
        self.keep_and_drop(vlandevs, bridges, raw)
        domains = self.domain_plans(vlandevs, bridges)
        self.d.data[f"{PREFIX}domains"] = domains
        if self.d.errors:
            return self.d
        self.check_with_deploy()
        return self.d

    def check_with_deploy(self) -> None:
        """Validate the data with the deploy's own model and planner (on these facts)."""
        base = {
            k: v
            for k, v in self.current.items()
            if k.startswith(PREFIX) and k not in self.d.data and k in _POLICY_KEYS
        }
        try:
            config = load_host_config(self.d.host, {**base, **self.d.data})
        except HostDataError as exc:
            for p in exc.problems:
                self.error("discovered data", p, "report this: discovery wrote invalid data")
            return
        links: dict[str, LinkInfo] = {
            n: {
                "kind": link["kind"],
                "master": link["master"],
                "up": link["up"],
                "addresses": [f"{a['address']}/{a['prefixlen']}" for a in link["addresses"]],
            }
            for n, link in self.links.items()
        }
        try:
            domains = {k: dict(v) for k, v in self.domains.items()}
            sourced = {path: text for path, text in self.texts.items() if path != TOP_FILE}
            plan_host(config, self.d.host, domains, links, self.texts.get(TOP_FILE), sourced)
        except HostDataError as exc:
            for p in exc.problems:
                self.warn(f"the deploy will refuse this host until this is fixed: {p}")


# Keys that are policy, not discovered; the deploy check uses the inventory's values.
_POLICY_KEYS = {
    f"{PREFIX}{k}"
    for k in (
        "bridge",
        "mgmt_port",
        "disable_ipv6_elsewhere",
        "remove_legacy",
        "stop_timeout",
        "destroy_on_timeout",
        "confirm_window",
        "libvirt_uri",
        "backup_dir",
        "sysctl_file",
        "packages",
    )
}


def discover(
    host: str,
    network: NetworkFacts,
    domains: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Any] | None = None,
) -> Discovery:
    """Plan a legacy host's migration from its facts.

    ``network`` is the :class:`NetworkFacts` of ``facts/discovery.py``, ``domains`` what
    ``LibvirtDomains`` returns, ``current`` the host's present ``ovs_hv_*`` data (its
    ``ovs_hv_bridge``, ``ovs_hv_legacy_bridge_pattern`` and policy keys are honoured).
    The result's ``data`` is meant for ``host_data/<host>.py``; write it only if ``ok``.
    """
    return _Reader(host, network, domains, current or {}).run()


def inventory_overrides(
    data: Mapping[str, Any],
    own: Mapping[str, Any],
    previous: Mapping[str, Any],
    overrides: Mapping[str, Any],
) -> list[str]:
    """Warnings for discovered keys that the inventory overrides for this host.

    ``own``: the host's own inventory data (which inventory.py built with the previous
    ``host_data`` file merged in); ``previous``: that file's keys; ``overrides``: ``--data``.
    """

    out = []
    for key, value in data.items():
        if key in overrides and overrides[key] != value:
            out.append(
                f"--data {key}={short(overrides[key])} wins over the discovered {short(value)}"
            )
        elif (
            key in own and (key not in previous or own[key] != previous[key]) and own[key] != value
        ):
            out.append(
                f"the inventory sets {key} = {short(own[key])} for this host, which wins over "
                f"the discovered {short(value)}: remove it from the inventory to use the "
                "discovered value"
            )
    return out


# --------------------------------------------------------------------------- output


def _spec_text(spec: Mapping[str, Any] | None) -> str:
    if spec is None:
        return "left as it is"
    if "vlan" in spec:
        return f"access VLAN {spec['vlan']}"
    trunk = ", ".join(str(v) for v in spec["trunk"])
    if "native" in spec:
        return f"hybrid: native {spec['native']} untagged, trunk {trunk}"
    return f"trunk {trunk}"


def summary(d: Discovery) -> str:
    """What a person reads: VLANs, management, per domain per NIC, warnings and errors."""
    lines = [f"Discovery of {d.host}"]
    if d.files:
        lines.append(f"  read        {', '.join(d.files)}")
    if d.skipped:
        lines.append(f"  skipped     {d.skipped}")
    if d.uplinks:
        bond = f" (bond {d.bond})" if d.bond and len(d.uplinks) > 1 else ""
        lines.append(f"  uplink      {', '.join(d.uplinks)}{bond}")
        lines.append(f"  datapath    {d.datapath}: {d.datapath_reason}")
    if d.vlans:
        lines.append(f"  VLANs       {len(d.vlans)}")
        for v in d.vlans:
            on = f"{v.bridge} <- {v.device}" if v.bridge else f"{v.device} (no bridge)"
            lines.append(f"    {v.vid:>4}  {on}  [{v.where}]")
    if d.mgmt:
        m = d.mgmt
        lines.append(f"  management  VLAN {m.vid}: {m.device} -> OVS port vlan{m.vid}  [{m.where}]")
        notes = f" ({'; '.join(m.notes)})" if m.notes else ""
        lines.append(f"              IPv4 {m.ipv4}{notes}")
        lines.append(
            f"              gateway {m.gateway or 'none'}, DNS {' '.join(m.dns) or 'none'}"
        )
        lines.append(f"              IPv6 {m.ipv6}")
    if d.nics:
        lines.append("  domains")
        current = None
        for nic in d.nics:
            if nic.domain != current:
                current = nic.domain
                lines.append(f"    {nic.domain} ({nic.state})")
            lines.append(
                f"      {nic.mac}  {nic.now:<22} -> {_spec_text(nic.spec)}  ({nic.reason})"
            )
    if d.kept:
        lines.append(f"  kept        {', '.join(d.kept)}")
    if d.warnings:
        lines.append(f"  warnings ({len(d.warnings)})")
        lines += [f"    - {w}" for w in d.warnings]
    if d.errors:
        lines.append(f"  ERRORS ({len(d.errors)}): no host data is written for {d.host}")
        lines += [f"    - {e}" for e in d.errors]
    return "\n".join(lines)


def _literal(value: Any, indent: int, used: int) -> str:
    """A Python literal as ``ruff format`` leaves it: double quotes; a collection inline
    (no trailing comma) when it fits comfortably, else one item a line with trailing commas.
    ``used``: columns already taken on the line where the literal starts."""
    pad = " " * (indent + 4)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "\n" in value:
            body = value.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
            return '"""\\\n' + body + '"""'
        return json.dumps(value)
    if isinstance(value, list | dict):
        if not value:
            return "[]" if isinstance(value, list) else "{}"
        if isinstance(value, list):
            parts = [_literal(v, indent, 0) for v in value]
            items = [f"{pad}{_literal(v, indent + 4, len(pad))},\n" for v in value]
            open_, close = "[", "]"
        else:
            parts = [f"{json.dumps(k)}: {_literal(v, indent, 0)}" for k, v in value.items()]
            items = [
                f"{pad}{json.dumps(k)}: "
                f"{_literal(v, indent + 4, len(pad) + len(json.dumps(k)) + 2)},\n"
                for k, v in value.items()
            ]
            open_, close = "{", "}"
        inline = open_ + ", ".join(parts) + close
        if "\n" not in inline and used + len(inline) <= 72:
            return inline
        return open_ + "\n" + "".join(items) + " " * indent + close
    raise TypeError(f"cannot write {type(value).__name__} into host data")


_KEY_ORDER = (
    "uplinks",
    "bond_name",
    "bond_options",
    "datapath_type",
    "mgmt_vlan",
    "mgmt_ipv4",
    "mgmt_gateway",
    "mgmt_dns",
    "mgmt_ipv6",
    "mgmt_ipv6_address",
    "mgmt_ipv6_gateway",
    "legacy_bridges",
    "legacy_trunk_bridges",
    "legacy_bridge_pattern",
    "extra_interfaces",
    "domains",
)


def render_host_data(d: Discovery, when: str = "") -> str:
    """The text of ``host_data/<host>.py``: module-level ``ovs_hv_*`` assignments."""
    if not d.ok:
        raise ValueError(f"{d.host}: discovery has errors or was skipped: no host data to write")
    nic_of = {(n.domain, n.mac): n for n in d.nics}
    out = [
        f'"""Host data of {d.host}: discovered from the legacy host, read-only."""',
        "",
        f"{HEADER}{' on ' + when if when else ''} (`pyinfra inventory.py discover.py`).",
        "# inventory.py merges these under the host's own inventory data (which wins).",
        "# Running discovery again rewrites this file; see docs/discover.md.",
    ]
    for w in d.warnings:
        first, *rest = _wrap(w, 94)
        out.append(f"# ! {first}")
        out += [f"#   {r}" for r in rest]
    out.append("")
    order = {f"{PREFIX}{k}": i for i, k in enumerate(_KEY_ORDER)}
    for key, value in sorted(d.data.items(), key=lambda kv: order.get(kv[0], len(order))):
        if key == f"{PREFIX}domains":
            continue
        comment = ""
        if key == f"{PREFIX}datapath_type":
            comment = f"  # {d.datapath_reason}"
        elif key == f"{PREFIX}mgmt_vlan" and d.mgmt:
            comment = f"  # {d.mgmt.device}, {d.mgmt.where}"
        text = _literal(value, 0, len(key) + 3)
        line = f"{key} = {text}{comment}"
        if len(line.split("\n")[0]) > 100:
            line = f"{key} = {text}"
        out.append(line)
    domains = d.data.get(f"{PREFIX}domains", {})
    if not domains:
        out.append(f"{PREFIX}domains = {{}}")
    else:
        out.append(f"{PREFIX}domains = {{")
        for dom, nics in domains.items():
            out.append(f"    {json.dumps(dom)}: {{")
            for mac, spec in nics.items():
                nic = nic_of.get((dom, mac))
                why = f"  # on {nic.now}" if nic else ""
                text = _literal(spec, 8, 8 + len(json.dumps(mac)) + 2)
                out.append(f"        {json.dumps(mac)}: {text},{why}")
            out.append("    },")
        out.append("}")
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return [*lines, cur] if cur else lines or [""]
