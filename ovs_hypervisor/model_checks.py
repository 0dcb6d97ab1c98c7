"""Checks of single host data values: each returns the value or raises :class:`Problem`.

The pydantic validators on ``HostConfig`` call these; pydantic adds the key and the value to
the problem (``model_messages``).  Checks that compare several keys are in ``model_cross``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import Field, StrictInt

from ovs_hypervisor.model_keys import KEY_FIX, PREFIX
from ovs_hypervisor.model_messages import Located, Problem, kind_of, line

# Linux IFNAMSIZ is 16 including the NUL; '/' and whitespace are illegal, ':' breaks aliases.
# Every pattern ends in \Z, not $: "$" also matches before a final newline, and "eth0\n"
# would then pass as a name and split a line of the rendered interfaces file.
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}\Z", re.ASCII)
# Names the kernel or sysctl give a meaning: a port called "all" would turn the
# management port's "sysctl -w net.ipv6.conf.all.disable_ipv6=0" into "IPv6 on everywhere".
_RESERVED_IFNAMES = frozenset({"lo", "all", "default", "bonding_masters"})
_IPV4_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}\Z", re.ASCII)
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_PATH_RE = re.compile(r"^/[A-Za-z0-9._+@:/-]*\Z", re.ASCII)
_PACKAGE_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+\Z", re.ASCII)
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*\Z", re.ASCII)
_BOND_OPTION_RE = re.compile(r"^[a-z][a-z0-9_:-]*=\S+\Z", re.ASCII)
_BOND_VALUES = {
    "bond_mode": ("active-backup", "balance-slb", "balance-tcp"),
    "lacp": ("active", "passive", "off"),
}
# What OVS does when the Port column is empty: a bond option left out means this value.
BOND_DEFAULTS = {"bond_mode": "active-backup", "lacp": "off"}

IFNAME_FIX = "use 1-15 characters from letters, digits, '_', '-', '.'"

Vlan = Annotated[StrictInt, Field(ge=1, le=4094)]


def check_ifname(value: str, what: str) -> str:
    """Raise if ``value`` is not a usable Linux interface name (``what`` names the role)."""
    if not _IFNAME_RE.match(value) or value in {".", ".."}:
        if not value:
            problem = f"an empty {what} name"
        elif len(value) > 15:
            problem = f"{len(value)} characters, longer than Linux's 15 for a {what} name"
        else:
            bad = sorted({c for c in value if not re.match(r"[A-Za-z0-9_.-]", c, re.ASCII)})
            shown = ", ".join(repr(c) for c in bad) or "'.' or '..' alone"
            problem = f"not a usable Linux {what} name (has {shown})"
        raise Problem(problem, IFNAME_FIX)
    if value in _RESERVED_IFNAMES:
        raise Problem(
            f"{value!r} is reserved by Linux (loopback or a sysctl/sysfs name)",
            f"choose another {what} name",
        )
    return value


def no_control(value: str, fix: str = "write it on one line, without control characters") -> None:
    """Raise if ``value`` has a control character (a newline would split a rendered line)."""
    bad = CONTROL_RE.search(value)
    if bad:
        raise Problem(f"contains the control character {bad.group()!r}", fix)


def usable_ipv4(ip: ipaddress.IPv4Address, what: str, fix: str) -> None:
    """Raise if ``ip`` cannot be a host's or gateway's address (``what`` says which)."""
    if ip in ipaddress.IPv4Network("0.0.0.0/8"):
        raise Problem(f"{ip} is in 0.0.0.0/8 ('this network'), not a {what}", fix)
    if ip.is_loopback:
        raise Problem(f"{ip} is a loopback address, not a {what}", fix)
    if ip.is_multicast:
        raise Problem(f"{ip} is a multicast address, not a {what}", fix)
    if ip in ipaddress.IPv4Network("240.0.0.0/4"):
        raise Problem(f"{ip} is reserved (240.0.0.0/4) or the broadcast address", fix)


def check_ordered_list(v: Any, field: str) -> Any:
    """A list or tuple as given: pydantic would take a set, whose order (bond members, DNS
    order) is random."""
    if not isinstance(v, list | tuple):
        fix = KEY_FIX[field]
        if isinstance(v, str):
            as_json = json.dumps(v.replace(",", " ").split())
            fix += f"; on the command line: --data '{PREFIX}{field}={as_json}'"
        raise Problem(f"is {kind_of(v)}, not a list", fix)
    return v


def check_mgmt_port(v: str | None) -> str | None:
    if v is not None:
        check_ifname(v, "management port")
        if "." in v:
            # The pre-up "sysctl -w net.ipv6.conf.<port>.disable_ipv6=0" would split it.
            raise Problem(
                "has a '.', which sysctl reads as a separator in net.ipv6.conf.<port>",
                "use letters, digits, '_' and '-' only, e.g. 'mgmt1234'",
            )
    return v


def check_uplinks(v: list[str]) -> list[str]:
    if not v:
        raise Problem("the list is empty", "name at least one uplink NIC, e.g. ['eth0']")
    for name in v:
        try:
            check_ifname(name, "uplink")
        except Problem as exc:
            raise Problem(f"uplink {name!r}: {exc.what}", exc.fix) from None
    twice = sorted({n for n in v if v.count(n) > 1})
    if twice:
        raise Problem(f"names {', '.join(twice)} twice", "list each NIC once")
    return v


def check_bond_options(v: str) -> str:
    fix = "write space-separated OVS column=value words, e.g. 'bond_mode=balance-tcp lacp=active'"
    no_control(v, fix)
    words = v.split()
    if not words:
        raise Problem("is empty", fix + " (or leave the key out: 'bond_mode=balance-slb')")
    for word in words:
        if not _BOND_OPTION_RE.match(word):
            raise Problem(f"{word!r} is not a column=value word", fix)
        col, _, val = word.partition("=")
        if col in _BOND_VALUES and val not in _BOND_VALUES[col]:
            raise Problem(
                f"{col}={val} is not an Open vSwitch {col}",
                f"use {col}={' or '.join(_BOND_VALUES[col])}",
            )
    return v


def check_mgmt_ipv4(v: str) -> str:
    fix = "write the host's address and prefix length, e.g. '192.0.2.10/24'"
    if "/" not in v:
        raise Problem("has no prefix length", fix)
    if not _IPV4_RE.match(v):
        raise Problem("is not written as A.B.C.D/PREFIX (digits only, prefix 0-32)", fix)
    try:
        iface = ipaddress.IPv4Interface(v)
    except ValueError as exc:
        raise Problem(f"is not an IPv4 address/prefix ({exc})", fix) from None
    usable_ipv4(iface.ip, "host address", fix)
    net = iface.network
    if net.prefixlen == 0:
        raise Problem("has prefix /0: every address would be on-link", fix)
    if net.prefixlen <= 30 and iface.ip in (net.network_address, net.broadcast_address):
        which = "network" if iface.ip == net.network_address else "broadcast"
        raise Problem(
            f"{iface.ip} is the {which} address of {net} (host bits all "
            f"{'zero' if which == 'network' else 'one'})",
            f"use a host address between {net.network_address + 1} and "
            f"{net.broadcast_address - 1}, or fix the prefix",
        )
    return v


def check_mgmt_gateway(v: str | None) -> str | None:
    if v is not None:
        fix = "write the IPv4 gateway without prefix, e.g. '192.0.2.1', or leave the key out"
        try:
            gw = ipaddress.IPv4Address(v)
        except ValueError:
            raise Problem("is not an IPv4 address", fix) from None
        usable_ipv4(gw, "gateway", fix)
    return v


def check_dns(v: list[str]) -> list[str]:
    fix = "list DNS servers as IP addresses, e.g. ['192.0.2.53', '2001:db8::53']"
    for a in v:
        try:
            ip = ipaddress.ip_address(a)
        except ValueError:
            raise Problem(f"{a!r} is not an IP address (names are not allowed)", fix) from None
        if ip.is_unspecified or ip.is_multicast:
            raise Problem(f"{a!r} cannot be a DNS server", fix)
    twice = sorted({a for a in v if v.count(a) > 1})
    if twice:
        raise Problem(f"lists {', '.join(twice)} twice", "list each server once")
    return v


def check_ipv6_address(v: str | None) -> str | None:
    if v is not None:
        fix = "write the host's IPv6 address and prefix length, e.g. '2001:db8::10/64'"
        if "/" not in v:
            raise Problem("has no prefix length", fix)
        if "%" in v:
            raise Problem("has a zone index (%...), which ifupdown cannot use", fix)
        try:
            iface = ipaddress.IPv6Interface(v)
        except ValueError:
            raise Problem("is not an IPv6 address/prefix", fix) from None
        ip, net = iface.ip, iface.network
        if ip.is_unspecified or ip.is_loopback or ip.is_multicast or ip.ipv4_mapped:
            raise Problem(f"{ip} is not a unicast host address", fix)
        if net.prefixlen == 0:
            raise Problem("has prefix /0", fix)
        if net.prefixlen < 127 and ip == net.network_address:
            raise Problem(
                f"{ip} is the subnet-router anycast address of {net} (host bits all zero)",
                f"use a host address such as {net.network_address + 1}/{net.prefixlen}",
            )
    return v


def check_ipv6_gateway(v: str | None) -> str | None:
    if v is not None:
        fix = "write the IPv6 router's address, e.g. 'fe80::1' or '2001:db8::1'"
        try:
            gw = ipaddress.IPv6Address(v)
        except ValueError:
            raise Problem("is not an IPv6 address", fix) from None
        if gw.is_unspecified or gw.is_loopback or gw.is_multicast:
            raise Problem(f"{gw} cannot be a gateway", fix)
    return v


def check_bridge_pattern(v: str) -> str:
    fix = r"write a regular expression with one group capturing the VLAN, e.g. '^bridge(\d+)$'"
    try:
        rx = re.compile(v)
    except (re.error, RecursionError, OverflowError) as exc:
        raise Problem(f"is not a regular expression ({exc})", fix) from None
    if rx.groups != 1:
        raise Problem(f"has {rx.groups} capturing groups, not exactly one", fix)
    return v


def check_legacy_bridges(v: dict[str, int]) -> dict[str, int]:
    _bridge_names(
        ((name, f"{PREFIX}legacy_bridges key {name!r}", vlan) for name, vlan in v.items()),
        "legacy bridge",
    )
    return v


def check_legacy_trunk_bridges(v: list[str]) -> list[str]:
    _bridge_names(
        ((name, f"{PREFIX}legacy_trunk_bridges", name) for name in v), "legacy trunk bridge"
    )
    return v


def _bridge_names(entries: Iterable[tuple[str, str, Any]], what: str) -> None:
    """Every bad name among (name, key, value shown) at once: a list may have several."""
    problems: list[str] = []
    for name, key, value in entries:
        try:
            check_ifname(name, what)
        except Problem as exc:
            problems.append(line(key, value, exc.what, exc.fix))
    if problems:
        raise Located(problems)


def check_extra_interfaces(v: str) -> str:
    # Deferred import: interfaces.py is pure too, but the model is the base of the package.
    from ovs_hypervisor.interfaces import parse_interfaces

    if "\x00" in v:
        raise Problem("contains a NUL character", "remove it")
    try:
        parse_interfaces(v)
    except ValueError as exc:
        raise Problem(
            f"is not valid interfaces(5) text ({exc})",
            "write whole stanzas as in /etc/network/interfaces; line numbers count from "
            "the first line of the value",
        ) from None
    return v


def check_libvirt_uri(v: str) -> str:
    no_control(v)
    if not _URI_RE.match(v):
        raise Problem(
            "is not a libvirt URI",
            "write e.g. 'qemu:///system' (no spaces), or leave the key out",
        )
    return v


def check_absolute_path(v: str) -> str:
    fix = (
        "write an absolute path from letters, digits and . _ + @ : - /, "
        "e.g. '/var/lib/ovs-hypervisor/backups'"
    )
    if not v.startswith("/"):
        raise Problem("is not an absolute path", fix)
    if not _PATH_RE.match(v):
        bad = sorted({c for c in v if not _PATH_RE.match("/" + c)})
        raise Problem(f"has characters a path here must not have: {bad!r}", fix)
    parts = v.split("/")
    if ".." in parts or v.rstrip("/") == "":
        raise Problem("has a '..' component or is '/'", fix)
    return v


def check_sysctl_file(v: str) -> str:
    if not v.endswith(".conf") or v.endswith("/.conf"):
        raise Problem(
            "does not end in '.conf', so systemd-sysctl would never read it at boot",
            "name a file like '/etc/sysctl.d/60-ovs-hypervisor-ipv6.conf'",
        )
    return v


def check_packages(v: list[str]) -> list[str]:
    for name in v:
        if not _PACKAGE_RE.match(name):
            raise Problem(
                f"{name!r} is not a Debian package name",
                "list plain package names (no version, no spaces), e.g. 'openvswitch-switch'",
            )
    return v
