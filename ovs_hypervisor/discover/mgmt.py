"""The management VLAN: the one VLAN interface with the host's IPv4 address, its gateway,
DNS and IPv6 mode, each cross-checked with the live links and routes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ovs_hypervisor.discover.facts import LinkFact, NetworkFacts
from ovs_hypervisor.discover.files import Files, words
from ovs_hypervisor.discover.findings import (
    BridgeKind,
    LegacyBridge,
    MgmtInfo,
    Notes,
    Uplink,
    VlanDevice,
)
from ovs_hypervisor.model_keys import PREFIX


@dataclass(frozen=True)
class Management:
    info: MgmtInfo
    data: dict[str, Any] = field(default_factory=dict)  # the ovs_hv_mgmt_* keys


def live_ipv4(links: dict[str, LinkFact], name: str) -> list[str]:
    link = links.get(name)
    if link is None:
        return []
    return [
        f"{a['address']}/{a['prefixlen']}"
        for a in link["addresses"]
        if a["family"] == "inet" and a["scope"] == "global"
    ]


def _has_ipv4(files: Files, links: dict[str, LinkFact], name: str) -> bool:
    return files.method(name, "inet") in ("static", "dhcp") or bool(live_ipv4(links, name))


def _holder(
    files: Files,
    links: dict[str, LinkFact],
    vlandevs: dict[str, VlanDevice],
    bridges: dict[str, LegacyBridge],
    up: Uplink,
    notes: Notes,
) -> tuple[str, int] | None:
    """The one VLAN interface (bridge, or unbridged VLAN device) holding IPv4."""
    bridged = {p for b in bridges for p in words(files.opts(b).get("bridge_ports", []))}
    candidates = [(b, br.vid) for b, br in bridges.items() if br.kind is BridgeKind.VLAN and br.vid]
    candidates += [(v, dev.vid) for v, dev in vlandevs.items() if v not in bridged]
    holders: list[tuple[str, int, str]] = []
    for name, vid in candidates:
        if _has_ipv4(files, links, name):
            addr = (
                ", ".join(files.opts(name, "inet").get("address", []))
                or files.method(name, "inet")
                or ""
            )
            holders.append((name, vid, addr or ", ".join(live_ipv4(links, name))))
    trunks = [b for b, br in bridges.items() if br.kind is BridgeKind.TRUNK]
    untagged = [n for n in [up.raw, *up.nics, *trunks] if _has_ipv4(files, links, n)]
    if untagged:
        notes.error(
            files.loc(untagged[0]),
            f"the host has an untagged IPv4 address on {untagged[0]}: the deploy puts the "
            "host on a tagged management VLAN port only",
            "move the host's address onto its management VLAN's bridge first, or write "
            "this host's data by hand",
        )
        return None
    if not holders:
        notes.error(
            files.paths[0],
            "no VLAN bridge holds an IPv4 address: cannot tell the management VLAN",
            "give the management VLAN's bridge the host's address (iface bridgeNNN inet "
            "static + address), then run discovery again",
        )
        return None
    if len(holders) > 1:
        listed = "; ".join(
            f"{n} (VLAN {vid}, {addr}, {files.loc(n, 'address', 'inet')})"
            for n, vid, addr in holders
        )
        notes.error(
            files.loc(holders[1][0]),
            f"the host has IPv4 on {len(holders)} VLAN interfaces ({listed}): the deploy "
            "gives it exactly one management port",
            "keep the address on the management bridge only (remove the others from the "
            "file and with `ip addr del`), then run discovery again",
        )
        return None
    return holders[0][0], holders[0][1]


def _file_addresses(files: Files, name: str, notes: Notes) -> list[ipaddress.IPv4Interface] | None:
    """The inet stanza's addresses (None: an error noted)."""
    inet = files.opts(name, "inet")
    where = files.loc(name, "address", "inet")
    netmask = inet.get("netmask", [None])[0]
    addresses: list[ipaddress.IPv4Interface] = []
    for value in inet.get("address", []):
        try:
            if "/" in value:
                addresses.append(ipaddress.IPv4Interface(value))
            elif netmask is not None:
                addresses.append(ipaddress.IPv4Interface(f"{value}/{netmask}"))
            else:
                notes.error(
                    where,
                    f"{name}: address {value} has no prefix length and no netmask",
                    f"write `address {value}/NN`, then run discovery again",
                )
                return None
        except ValueError:
            notes.error(
                where,
                f"{name}: `address {value}`"
                + (f" / `netmask {netmask}`" if netmask and "/" not in value else "")
                + " is not an IPv4 address/prefix",
                "fix the address, then run discovery again",
            )
            return None
    return addresses


def _live_conflict(
    files: Files, links: dict[str, LinkFact], name: str, primary: ipaddress.IPv4Interface,
    addresses: list[ipaddress.IPv4Interface], notes: Notes,
) -> bool:  # fmt: skip
    """The file's address against the live ones (True: an error noted)."""
    where = files.loc(name, "address", "inet")
    live = live_ipv4(links, name)
    if not live:
        notes.warn(f"{where}: {name} has no IPv4 address right now (down?); the file's is used")
    elif str(primary) not in live:
        same_ip = [a for a in live if a.split("/")[0] == str(primary.ip)]
        if same_ip:
            notes.error(
                where,
                f"{name}: the file says {primary}, the live link has {same_ip[0]}",
                "make the prefix agree (file or `ip addr`), then run discovery again",
            )
        else:
            notes.error(
                where,
                f"{name}: the file says {primary}, but the live link has {', '.join(live)}",
                "make the file and the live address agree (`ifdown/ifup` applies the file), "
                "then run discovery again",
            )
        return True
    else:
        for other in live:
            if other != str(primary) and other not in {str(a) for a in addresses}:
                notes.warn(f"{name} also has {other} live (not in the file): not carried over")
    for other_name in sorted(links):
        if other_name != name and str(primary.ip) in {
            a.split("/")[0] for a in live_ipv4(links, other_name)
        }:
            notes.error(
                where,
                f"{primary.ip} is on both {name} and {other_name}",
                f"remove it from {other_name}, then run discovery again",
            )
            return True
    return False


def _address(
    files: Files, links: dict[str, LinkFact], name: str, notes: Notes, info: list[str]
) -> ipaddress.IPv4Interface | None:
    """The management address: the file's first, cross-checked with the live link."""
    if files.method(name, "inet") == "dhcp":
        notes.error(
            files.loc(name),
            f"{name} (the management bridge) takes its address by DHCP: the deploy "
            "configures a static management address",
            "make it `inet static` with its address, or write this host's data by hand",
        )
        return None
    addresses = _file_addresses(files, name, notes)
    if addresses is None:
        return None
    live = live_ipv4(links, name)
    if not addresses:
        if not live:
            notes.error(
                files.loc(name),
                f"{name} has no IPv4 address",
                "give it the host's address, then run discovery again",
            )
            return None
        addresses = [ipaddress.IPv4Interface(live[0])]
        info.append("address from the live link (not in the interfaces file)")
        notes.warn(
            f"{files.loc(name)}: {name} has {live[0]} live but no address in the interfaces "
            "file: taken from the live link"
        )
    primary = addresses[0]
    for extra in addresses[1:]:
        notes.warn(
            f"{files.loc(name, 'address', 'inet')}: {name} has a second address {extra}: not "
            "carried over (the management port gets one IPv4 address)"
        )
    if _live_conflict(files, links, name, primary, addresses, notes):
        return None
    if live:
        info.append("live: same")
    return primary


def _gateway(
    files: Files, net: NetworkFacts, name: str, dropped: set[str], notes: Notes, info: list[str]
) -> str | None:
    """The file's gateway, cross-checked with the live default route."""
    inet = files.opts(name, "inet")
    gateway = inet.get("gateway", [None])[0]
    routes = net["routes"]["inet"]
    live_gw = next((r["gateway"] for r in routes if r["gateway"]), None)
    live_dev = next((r["dev"] for r in routes if r["gateway"]), None)
    if len(inet.get("gateway", [])) > 1:
        notes.warn(f"{files.loc(name, 'gateway')}: {name} has several gateways: the first used")
    if gateway is None and live_gw is not None and live_dev == name:
        gateway = live_gw
        info.append("gateway from the live default route")
        notes.warn(
            f"{files.loc(name)}: no gateway in the file; the live default route via "
            f"{live_gw} on {name} is used"
        )
    elif gateway is not None and live_gw is not None and live_gw != gateway:
        notes.warn(
            f"{files.loc(name, 'gateway')}: the file's gateway is {gateway}, the live default "
            f"route goes via {live_gw} ({live_dev}): the file's is used"
        )
    elif gateway is not None and live_gw is None:
        notes.warn(f"{files.loc(name, 'gateway')}: no live default route right now")
    for other in files.cfg["interfaces"]:
        if other != name and files.opts(other, "inet").get("gateway"):
            notes.warn(
                f"{files.loc(other, 'gateway')}: {other} also has a gateway: "
                + (
                    "not carried over"
                    if other in dropped
                    else "kept with its stanza (a second default route)"
                )
            )
    return gateway


def _dns(files: Files, name: str, dropped: set[str], notes: Notes) -> list[str]:
    """The management stanzas' DNS servers, then the dropped stanzas' (resolvconf reads
    all)."""
    dns = words(
        files.opts(name, "inet").get("dns_nameservers", [])
        + files.opts(name, "inet6").get("dns_nameservers", [])
    )
    for other in files.cfg["interfaces"]:
        theirs = (
            words(files.opts(other).get("dns_nameservers", []))
            if other != name and other in dropped
            else []
        )
        if theirs:
            notes.warn(
                f"{files.loc(other, 'dns_nameservers')}: DNS servers {' '.join(theirs)} of "
                f"{other} move to the management port"
            )
            dns += [a for a in theirs if a not in dns]
    for key in ("dns_search", "dns_domain"):
        for other in files.cfg["interfaces"]:
            if files.opts(other).get(key):
                notes.warn(
                    f"{files.loc(other, key)}: `{key.replace('_', '-')} "
                    f"{' '.join(files.opts(other)[key])}` of {other} is not carried over "
                    "(the data has no search domain): put it in /etc/resolv.conf"
                )
    return dns


def _static_ipv6(files: Files, name: str, notes: Notes) -> tuple[str, dict[str, Any]]:
    inet6 = files.opts(name, "inet6")
    address = inet6.get("address", [None])[0]
    netmask = inet6.get("netmask", [None])[0]
    if address is not None and "/" not in address and netmask is not None:
        address = f"{address}/{netmask}"
    try:
        if address is None:
            raise ValueError
        ipaddress.IPv6Interface(address)
    except ValueError:
        notes.error(
            files.loc(name, "address", "inet6"),
            f"{name}: inet6 static address {address!r} is not ADDRESS/PREFIX",
            "fix it, then run discovery again",
        )
        return "?", {}
    data: dict[str, Any] = {
        f"{PREFIX}mgmt_ipv6": "static",
        f"{PREFIX}mgmt_ipv6_address": address,
    }
    gw = inet6.get("gateway", [None])[0]
    if gw is not None:
        data[f"{PREFIX}mgmt_ipv6_gateway"] = gw
    return f"static {address}" + (f" via {gw}" if gw else ""), data


def ipv6(
    files: Files, links: dict[str, LinkFact], name: str, notes: Notes
) -> tuple[str, dict[str, Any]]:
    """(what the summary says, the ovs_hv_mgmt_ipv6* keys) of the management interface."""
    method = files.method(name, "inet6")
    where = files.loc(name, family="inet6")
    mode = {f"{PREFIX}mgmt_ipv6": "off"}
    if method in ("auto", "dhcp"):
        if method == "dhcp":
            notes.warn(
                f"{where}: {name} uses DHCPv6; the data knows off, slaac or static: planned slaac"
            )
        return f"slaac (inet6 {method})", {f"{PREFIX}mgmt_ipv6": "slaac"}
    if method == "static":
        return _static_ipv6(files, name, notes)
    if method not in (None, "manual"):
        notes.warn(f"{where}: {name}: inet6 {method} is not carried over: IPv6 planned off")
        return "off", mode
    link = links.get(name)
    live6 = [
        a
        for a in (link["addresses"] if link else [])
        if a["family"] == "inet6" and a["scope"] == "global"
    ]
    if any(a["dynamic"] for a in live6):
        return (
            "slaac (no inet6 stanza; the live link has SLAAC addresses)",
            {f"{PREFIX}mgmt_ipv6": "slaac"},
        )
    for a in live6:
        notes.warn(
            f"{name} has IPv6 {a['address']}/{a['prefixlen']} live but not in the file: not "
            "carried over"
        )
    return (
        "off (no inet6 stanza, no global IPv6 address; ovs_hv_mgmt_ipv6 = 'slaac' enables it)",
        mode,
    )


def management(
    files: Files,
    net: NetworkFacts,
    vlandevs: dict[str, VlanDevice],
    bridges: dict[str, LegacyBridge],
    up: Uplink,
    dropped: set[str],
    notes: Notes,
) -> Management | None:
    """The management VLAN and its settings (None: errors noted).  ``dropped``: the stanzas
    the migration replaces (their gateways and DNS servers are reported)."""
    links = net["links"]
    found = _holder(files, links, vlandevs, bridges, up, notes)
    if found is None:
        return None
    name, vid = found
    info: list[str] = []
    primary = _address(files, links, name, notes, info)
    if primary is None:
        return None
    gateway = _gateway(files, net, name, dropped, notes, info)
    dns = _dns(files, name, dropped, notes)
    ipv6_text, ipv6_data = ipv6(files, links, name, notes)
    data: dict[str, Any] = {
        **ipv6_data,
        f"{PREFIX}mgmt_vlan": vid,
        f"{PREFIX}mgmt_ipv4": str(primary),
        f"{PREFIX}mgmt_gateway": gateway,
        f"{PREFIX}mgmt_dns": dns,
    }
    mgmt = MgmtInfo(name, vid, str(primary), gateway, dns, ipv6_text, files.loc(name), info)
    return Management(mgmt, data)
