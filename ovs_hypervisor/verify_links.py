"""The host's links against the data: management device and addresses, uplink NICs,
legacy devices left over, and where IPv6 is on."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping

from ovs_hypervisor.host_state import LinkInfo, NetSnapshot
from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.verify_report import Difference


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


def mgmt_address(config: HostConfig, links: Mapping[str, LinkInfo]) -> str:
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
