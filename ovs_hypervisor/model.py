"""Host data model: flat ``ovs_hv_*`` keys, validated on the controller.

pyinfra host data is a flat namespace, so every key carries the ``ovs_hv_`` prefix: one host
can override one value (inventory tuple or ``--data``), and a key with the prefix that we do
not know is a typo, reported with the closest valid key.  Nothing here imports pyinfra.

Every problem is reported as one line that names the key (with the path inside it, e.g.
``ovs_hv_domains['web01']['52:54:00:aa:bb:01']['vlan']``), the value found, what is wrong
with it and the fix::

    ovs_hv_mgmt_vlan = '10': is a str, not an integer; fix: write the VLAN id as a number, ...

and :class:`HostDataError` puts the host in front of all of them.  All problems of all keys
are reported at once; checks that compare several keys run when every key is valid alone.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ovs_hypervisor.domain_xml import MAC_RE, NIC_SPEC_FIX, NicSpec, nic_spec_problem
from ovs_hypervisor.short import short

PREFIX = "ovs_hv_"
# The libvirt connection every fact and operation uses unless the data says otherwise
# (remote/domctl.py, which cannot import this, keeps the same CLI default; a test pins it).
DEFAULT_LIBVIRT_URI = "qemu:///system"

# Linux IFNAMSIZ is 16 including the NUL; '/' and whitespace are illegal, ':' breaks aliases.
# Every pattern ends in \Z, not $: "$" also matches before a final newline, and "eth0\n"
# would then pass as a name and split a line of the rendered interfaces file.
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}\Z", re.ASCII)
# Names the kernel or sysctl give a meaning: a port called "all" would turn the
# management port's "sysctl -w net.ipv6.conf.all.disable_ipv6=0" into "IPv6 on everywhere".
_RESERVED_IFNAMES = frozenset({"lo", "all", "default", "bonding_masters"})
_IPV4_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}\Z", re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_PLAIN_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]+\Z", re.ASCII)
_PATH_RE = re.compile(r"^/[A-Za-z0-9._+@:/-]*\Z", re.ASCII)
_PACKAGE_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+\Z", re.ASCII)
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*\Z", re.ASCII)
_BOND_OPTION_RE = re.compile(r"^[a-z][a-z0-9_:-]*=\S+\Z", re.ASCII)
_BOND_VALUES = {
    "bond_mode": ("active-backup", "balance-slb", "balance-tcp"),
    "lacp": ("active", "passive", "off"),
}

VLAN_FIX = "write the VLAN id as a whole number 1-4094 (e.g. 1011, not '1011')"
IFNAME_FIX = "use 1-15 characters from letters, digits, '_', '-', '.'"

Vlan = Annotated[StrictInt, Field(ge=1, le=4094)]


class HostDataError(ValueError):
    """Bad host data: names the host, the key, the value and the fix."""

    def __init__(self, host: str, problems: list[str]) -> None:
        self.host = host
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"host {host!r}: invalid host data ({len(problems)} problem(s)):\n{lines}")


class _Problem(ValueError):
    """One value's problem: what is wrong and how to fix it.

    The key and the value are added from where pydantic found it (the error's ``loc``).
    """

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}; fix: {fix}")
        self.what = what
        self.fix = fix


class _Located(ValueError):
    """Problems that name their keys and values themselves (checks across keys)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def line(key: str, value: Any, what: str, fix: str) -> str:
    """One problem as printed: key, value, what is wrong, fix."""
    return f"{key} = {short(value)}: {what}; fix: {fix}"


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


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
        raise _Problem(problem, IFNAME_FIX)
    if value in _RESERVED_IFNAMES:
        raise _Problem(
            f"{value!r} is reserved by Linux (loopback or a sysctl/sysfs name)",
            f"choose another {what} name",
        )
    return value


def _no_control(value: str, fix: str = "write it on one line, without control characters") -> None:
    bad = _CONTROL_RE.search(value)
    if bad:
        raise _Problem(f"contains the control character {bad.group()!r}", fix)


def _mac_problem(mac: str) -> str | None:
    norm = mac.lower()
    if not MAC_RE.match(norm):
        return "not a MAC address"
    if int(norm[:2], 16) & 1:
        return "a multicast MAC (lowest bit of the first byte set), which no NIC can have"
    return None


class NicSpecData(BaseModel):
    """A NIC spec as the host data gives it (``ovs_hv_domains``), checked field by field
    with messages naming the key; the rule and the type are ``domain_xml``'s
    (:func:`~ovs_hypervisor.domain_xml.nic_spec_problem`, ``NicSpec``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vlan: Vlan | None = None
    trunk: list[Vlan] | None = None
    native: Vlan | None = None

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, data: Any) -> Any:
        if not isinstance(data, Mapping | NicSpecData):
            raise _Problem(f"is {_kind(data)}, not a dict", NIC_SPEC_FIX)
        return data

    @field_validator("trunk", mode="before")
    @classmethod
    def _trunk_is_list(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, list | tuple):
            raise _Problem(
                f"is {_kind(v)}, not a list", "write the trunk as a list, e.g. [1011, 1012]"
            )
        return v

    @model_validator(mode="after")
    def _one_mode(self) -> NicSpecData:
        problem = nic_spec_problem(self.vlan, self.trunk, self.native)
        if problem is not None:
            raise _Problem(*problem)
        return self

    def as_dict(self) -> NicSpec:
        """The NIC spec itself (``domain_xml.NicSpec``), as ``patch_domain_xml`` takes it."""
        if self.vlan is not None:
            return NicSpec(vlan=self.vlan)
        out = NicSpec(trunk=list(self.trunk or []))
        if self.native is not None:
            out["native"] = self.native
        return out


class HostConfig(BaseModel):
    """Validated host data.  Field names are the data keys without the ``ovs_hv_`` prefix."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bridge: StrictStr = "ovsbr0"
    datapath_type: Literal["system", "netdev"] = "system"
    uplinks: list[StrictStr] = Field(default_factory=lambda: ["eth0"])
    bond_name: StrictStr = "bond0"
    bond_options: StrictStr = "bond_mode=balance-slb"
    mgmt_vlan: Vlan
    mgmt_port: StrictStr | None = None
    mgmt_ipv4: StrictStr
    mgmt_gateway: StrictStr | None = None
    mgmt_dns: list[StrictStr] = Field(default_factory=list)
    mgmt_ipv6: Literal["off", "slaac", "static"] = "slaac"
    mgmt_ipv6_address: StrictStr | None = None
    mgmt_ipv6_gateway: StrictStr | None = None
    disable_ipv6_elsewhere: StrictBool = True
    domains: dict[StrictStr, dict[StrictStr, NicSpecData]] = Field(default_factory=dict)
    legacy_bridge_pattern: StrictStr = r"^bridge(\d+)$"
    legacy_bridges: dict[StrictStr, Vlan] = Field(default_factory=dict)
    # VLAN-unaware Linux bridges over the uplink (VMs on them saw every VLAN): removed at
    # cutover like bridgeNNN; their NICs must be listed in `domains` (trunk or hybrid).
    legacy_trunk_bridges: list[StrictStr] = Field(default_factory=list)
    remove_legacy: StrictBool = True
    extra_interfaces: StrictStr = ""
    stop_timeout: Annotated[StrictInt, Field(ge=1, le=3600)] = 60
    destroy_on_timeout: StrictBool = False
    # How running domains whose wiring changes are moved: "save" = managed save (RAM to
    # disk), rewire, resume after the cutover, the guest never reboots; "restart" = ACPI
    # shutdown + start.  A domain that cannot be saved falls back as save_fallback says.
    domain_move: Literal["save", "restart"] = "save"
    save_fallback: Literal["restart", "stop"] = "restart"
    # Seconds the host waits for the controller to confirm a cutover before it rolls back.
    confirm_window: Annotated[StrictInt, Field(ge=15, le=3600)] = 120
    # "fast": make before break (prepare, short gap, bookkeeping after); "classic": ifdown
    # everything, then ifup (kept for comparison and as a fallback).
    cutover_mode: Literal["fast", "classic"] = "fast"
    libvirt_uri: StrictStr = DEFAULT_LIBVIRT_URI
    backup_dir: StrictStr = "/var/lib/ovs-hypervisor/backups"
    sysctl_file: StrictStr = "/etc/sysctl.d/60-ovs-hypervisor-ipv6.conf"
    packages: list[StrictStr] = Field(
        default_factory=lambda: [
            "openvswitch-common",
            "openvswitch-switch",
            "ifupdown",
            "python3-libvirt",
        ]
    )

    # --- field checks -------------------------------------------------------------------

    @field_validator("uplinks", "mgmt_dns", "packages", mode="before")
    @classmethod
    def _ordered_list(cls, v: Any, info: ValidationInfo) -> Any:
        # pydantic would take a set, whose order (bond members, DNS order) is random.
        if not isinstance(v, list | tuple):
            fix = _FIX[str(info.field_name)]
            if isinstance(v, str):
                as_json = json.dumps(v.replace(",", " ").split())
                fix += f"; on the command line: --data '{PREFIX}{info.field_name}={as_json}'"
            raise _Problem(f"is {_kind(v)}, not a list", fix)
        return v

    @field_validator("bridge")
    @classmethod
    def _bridge(cls, v: str) -> str:
        return check_ifname(v, "bridge")

    @field_validator("bond_name")
    @classmethod
    def _bond_name(cls, v: str) -> str:
        return check_ifname(v, "bond")

    @field_validator("mgmt_port")
    @classmethod
    def _mgmt_port(cls, v: str | None) -> str | None:
        if v is not None:
            check_ifname(v, "management port")
            if "." in v:
                # The pre-up "sysctl -w net.ipv6.conf.<port>.disable_ipv6=0" would split it.
                raise _Problem(
                    "has a '.', which sysctl reads as a separator in net.ipv6.conf.<port>",
                    "use letters, digits, '_' and '-' only, e.g. 'mgmt1234'",
                )
        return v

    @field_validator("uplinks")
    @classmethod
    def _uplinks(cls, v: list[str]) -> list[str]:
        if not v:
            raise _Problem("the list is empty", "name at least one uplink NIC, e.g. ['eth0']")
        for name in v:
            try:
                check_ifname(name, "uplink")
            except _Problem as exc:
                raise _Problem(f"uplink {name!r}: {exc.what}", exc.fix) from None
        twice = sorted({n for n in v if v.count(n) > 1})
        if twice:
            raise _Problem(f"names {', '.join(twice)} twice", "list each NIC once")
        return v

    @field_validator("bond_options")
    @classmethod
    def _bond_options(cls, v: str) -> str:
        fix = (
            "write space-separated OVS column=value words, e.g. 'bond_mode=balance-tcp lacp=active'"
        )
        _no_control(v, fix)
        words = v.split()
        if not words:
            raise _Problem("is empty", fix + " (or leave the key out: 'bond_mode=balance-slb')")
        for word in words:
            if not _BOND_OPTION_RE.match(word):
                raise _Problem(f"{word!r} is not a column=value word", fix)
            col, _, val = word.partition("=")
            if col in _BOND_VALUES and val not in _BOND_VALUES[col]:
                raise _Problem(
                    f"{col}={val} is not an Open vSwitch {col}",
                    f"use {col}={' or '.join(_BOND_VALUES[col])}",
                )
        return v

    @field_validator("mgmt_ipv4")
    @classmethod
    def _ipv4(cls, v: str) -> str:
        fix = "write the host's address and prefix length, e.g. '192.0.2.10/24'"
        if "/" not in v:
            raise _Problem("has no prefix length", fix)
        if not _IPV4_RE.match(v):
            raise _Problem("is not written as A.B.C.D/PREFIX (digits only, prefix 0-32)", fix)
        try:
            iface = ipaddress.IPv4Interface(v)
        except ValueError as exc:
            raise _Problem(f"is not an IPv4 address/prefix ({exc})", fix) from None
        _usable_ipv4(iface.ip, "host address", fix)
        net = iface.network
        if net.prefixlen == 0:
            raise _Problem("has prefix /0: every address would be on-link", fix)
        if net.prefixlen <= 30 and iface.ip in (net.network_address, net.broadcast_address):
            which = "network" if iface.ip == net.network_address else "broadcast"
            raise _Problem(
                f"{iface.ip} is the {which} address of {net} (host bits all "
                f"{'zero' if which == 'network' else 'one'})",
                f"use a host address between {net.network_address + 1} and "
                f"{net.broadcast_address - 1}, or fix the prefix",
            )
        return v

    @field_validator("mgmt_gateway")
    @classmethod
    def _gw(cls, v: str | None) -> str | None:
        if v is not None:
            fix = "write the IPv4 gateway without prefix, e.g. '192.0.2.1', or leave the key out"
            try:
                gw = ipaddress.IPv4Address(v)
            except ValueError:
                raise _Problem("is not an IPv4 address", fix) from None
            _usable_ipv4(gw, "gateway", fix)
        return v

    @field_validator("mgmt_dns")
    @classmethod
    def _dns(cls, v: list[str]) -> list[str]:
        fix = "list DNS servers as IP addresses, e.g. ['192.0.2.53', '2001:db8::53']"
        for a in v:
            try:
                ip = ipaddress.ip_address(a)
            except ValueError:
                raise _Problem(f"{a!r} is not an IP address (names are not allowed)", fix) from None
            if ip.is_unspecified or ip.is_multicast:
                raise _Problem(f"{a!r} cannot be a DNS server", fix)
        twice = sorted({a for a in v if v.count(a) > 1})
        if twice:
            raise _Problem(f"lists {', '.join(twice)} twice", "list each server once")
        return v

    @field_validator("mgmt_ipv6_address")
    @classmethod
    def _ipv6(cls, v: str | None) -> str | None:
        if v is not None:
            fix = "write the host's IPv6 address and prefix length, e.g. '2001:db8::10/64'"
            if "/" not in v:
                raise _Problem("has no prefix length", fix)
            if "%" in v:
                raise _Problem("has a zone index (%...), which ifupdown cannot use", fix)
            try:
                iface = ipaddress.IPv6Interface(v)
            except ValueError:
                raise _Problem("is not an IPv6 address/prefix", fix) from None
            ip, net = iface.ip, iface.network
            if ip.is_unspecified or ip.is_loopback or ip.is_multicast or ip.ipv4_mapped:
                raise _Problem(f"{ip} is not a unicast host address", fix)
            if net.prefixlen == 0:
                raise _Problem("has prefix /0", fix)
            if net.prefixlen < 127 and ip == net.network_address:
                raise _Problem(
                    f"{ip} is the subnet-router anycast address of {net} (host bits all zero)",
                    f"use a host address such as {net.network_address + 1}/{net.prefixlen}",
                )
        return v

    @field_validator("mgmt_ipv6_gateway")
    @classmethod
    def _ipv6_gw(cls, v: str | None) -> str | None:
        if v is not None:
            fix = "write the IPv6 router's address, e.g. 'fe80::1' or '2001:db8::1'"
            try:
                gw = ipaddress.IPv6Address(v)
            except ValueError:
                raise _Problem("is not an IPv6 address", fix) from None
            if gw.is_unspecified or gw.is_loopback or gw.is_multicast:
                raise _Problem(f"{gw} cannot be a gateway", fix)
        return v

    @field_validator("legacy_bridge_pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        fix = r"write a regular expression with one group capturing the VLAN, e.g. '^bridge(\d+)$'"
        try:
            rx = re.compile(v)
        except (re.error, RecursionError, OverflowError) as exc:
            raise _Problem(f"is not a regular expression ({exc})", fix) from None
        if rx.groups != 1:
            raise _Problem(f"has {rx.groups} capturing groups, not exactly one", fix)
        return v

    @field_validator("legacy_bridges")
    @classmethod
    def _legacy(cls, v: dict[str, int]) -> dict[str, int]:
        problems: list[str] = []
        for name, vlan in v.items():
            try:
                check_ifname(name, "legacy bridge")
            except _Problem as exc:
                problems.append(
                    line(f"{PREFIX}legacy_bridges key {name!r}", vlan, exc.what, exc.fix)
                )
        if problems:
            raise _Located(problems)
        return v

    @field_validator("legacy_trunk_bridges")
    @classmethod
    def _legacy_trunk(cls, v: list[str]) -> list[str]:
        problems: list[str] = []
        for name in v:
            try:
                check_ifname(name, "legacy trunk bridge")
            except _Problem as exc:
                problems.append(line(f"{PREFIX}legacy_trunk_bridges", name, exc.what, exc.fix))
        if problems:
            raise _Located(problems)
        return v

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: dict[str, dict[str, NicSpecData]]) -> dict[str, dict[str, NicSpecData]]:
        out: dict[str, dict[str, NicSpecData]] = {}
        owner: dict[str, tuple[str, str]] = {}
        problems: list[str] = []
        for dom, nics in v.items():
            key = f"{PREFIX}domains[{dom!r}]"
            bad_name = _domain_name_problem(dom)
            if bad_name:
                problems.append(
                    line(
                        f"{PREFIX}domains key",
                        dom,
                        bad_name,
                        "use the name `virsh list --all` shows",
                    )
                )
                continue
            out[dom] = {}
            for mac, spec in nics.items():
                bad_mac = _mac_problem(mac)
                if bad_mac:
                    problems.append(
                        line(
                            f"{key} key",
                            mac,
                            bad_mac,
                            "write the NIC's MAC as `virsh domiflist` shows it, "
                            "e.g. '52:54:00:aa:bb:01'",
                        )
                    )
                    continue
                norm = mac.lower()
                if norm in owner:
                    first_dom, first_mac = owner[norm]
                    where = "this domain" if first_dom == dom else f"domain {first_dom!r}"
                    if first_mac != mac:
                        where += f" (as {first_mac!r})"
                    problems.append(
                        line(
                            f"{key}[{mac!r}]",
                            spec.as_dict(),
                            f"MAC {norm} is already listed under {where}",
                            "a MAC belongs to one NIC of one domain: remove one of the entries",
                        )
                    )
                    continue
                owner[norm] = (dom, mac)
                out[dom][norm] = spec
        if problems:
            raise _Located(problems)
        return out

    @field_validator("extra_interfaces")
    @classmethod
    def _extra(cls, v: str) -> str:
        # Deferred import: interfaces.py is pure too, but model.py is the base of the package.
        from ovs_hypervisor.interfaces import parse_interfaces

        if "\x00" in v:
            raise _Problem("contains a NUL character", "remove it")
        try:
            parse_interfaces(v)
        except ValueError as exc:
            raise _Problem(
                f"is not valid interfaces(5) text ({exc})",
                "write whole stanzas as in /etc/network/interfaces; line numbers count from "
                "the first line of the value",
            ) from None
        return v

    @field_validator("libvirt_uri")
    @classmethod
    def _uri(cls, v: str) -> str:
        _no_control(v)
        if not _URI_RE.match(v):
            raise _Problem(
                "is not a libvirt URI",
                "write e.g. 'qemu:///system' (no spaces), or leave the key out",
            )
        return v

    @field_validator("backup_dir", "sysctl_file")
    @classmethod
    def _abs(cls, v: str) -> str:
        fix = (
            "write an absolute path from letters, digits and . _ + @ : - /, "
            "e.g. '/var/lib/ovs-hypervisor/backups'"
        )
        if not v.startswith("/"):
            raise _Problem("is not an absolute path", fix)
        if not _PATH_RE.match(v):
            bad = sorted({c for c in v if not _PATH_RE.match("/" + c)})
            raise _Problem(f"has characters a path here must not have: {bad!r}", fix)
        parts = v.split("/")
        if ".." in parts or v.rstrip("/") == "":
            raise _Problem("has a '..' component or is '/'", fix)
        return v

    @field_validator("sysctl_file")
    @classmethod
    def _sysctl_conf(cls, v: str) -> str:
        if not v.endswith(".conf") or v.endswith("/.conf"):
            raise _Problem(
                "does not end in '.conf', so systemd-sysctl would never read it at boot",
                "name a file like '/etc/sysctl.d/60-ovs-hypervisor-ipv6.conf'",
            )
        return v

    @field_validator("packages")
    @classmethod
    def _packages(cls, v: list[str]) -> list[str]:
        for name in v:
            if not _PACKAGE_RE.match(name):
                raise _Problem(
                    f"{name!r} is not a Debian package name",
                    "list plain package names (no version, no spaces), e.g. 'openvswitch-switch'",
                )
        return v

    @field_validator(
        "bridge", "bond_name", "mgmt_port", "datapath_type", "mgmt_ipv6", mode="before"
    )
    @classmethod
    def _one_line(cls, v: Any) -> Any:
        if isinstance(v, str):
            _no_control(v)
        return v

    # --- cross-field checks ---------------------------------------------------------------

    @model_validator(mode="after")
    def _cross(self) -> HostConfig:
        problems: list[str] = []
        port = self.mgmt_port_name
        port_key = f"{PREFIX}mgmt_port" if self.mgmt_port else f"{PREFIX}mgmt_port (default)"
        keys = {
            "bridge": f"{PREFIX}bridge",
            "management port": port_key,
            "bond": f"{PREFIX}bond_name",
            "uplink": f"{PREFIX}uplinks",
        }
        used: dict[str, str] = {self.bridge: "bridge"}
        ports = [(port, "management port")]
        if len(self.uplinks) > 1:
            ports.append((self.bond_name, "bond"))
        ports += [(u, "uplink") for u in self.uplinks]
        for name, role in ports:
            if name in used:
                first = used[name]
                problems.append(
                    line(
                        keys[role],
                        self.uplinks if role == "uplink" else name,
                        f"{name!r} is also the {first} ({keys[first]}); one interface "
                        "cannot be both",
                        f"give the {role} its own name",
                    )
                )
            else:
                used[name] = role

        iface = ipaddress.IPv4Interface(self.mgmt_ipv4)
        net = iface.network
        if self.mgmt_gateway is not None:
            gw = ipaddress.IPv4Address(self.mgmt_gateway)
            key = f"{PREFIX}mgmt_gateway"
            if gw not in net:
                problems.append(
                    line(
                        key,
                        self.mgmt_gateway,
                        f"outside the management subnet {net} "
                        f"({PREFIX}mgmt_ipv4 = {self.mgmt_ipv4!r})",
                        "fix the gateway or the prefix length of ovs_hv_mgmt_ipv4",
                    )
                )
            elif gw == iface.ip:
                problems.append(
                    line(
                        key,
                        self.mgmt_gateway,
                        f"is the host's own address ({PREFIX}mgmt_ipv4 = {self.mgmt_ipv4!r})",
                        "write the router's address, or leave the key out",
                    )
                )
            elif net.prefixlen <= 30 and gw in (net.network_address, net.broadcast_address):
                problems.append(
                    line(
                        key,
                        self.mgmt_gateway,
                        f"is the network or broadcast address of {net}",
                        "write the router's address",
                    )
                )

        if self.mgmt_ipv6 == "static" and self.mgmt_ipv6_address is None:
            problems.append(
                line(
                    f"{PREFIX}mgmt_ipv6",
                    "static",
                    f"needs {PREFIX}mgmt_ipv6_address, which is not set",
                    f"set {PREFIX}mgmt_ipv6_address (e.g. '2001:db8::10/64') or use 'slaac'/'off'",
                )
            )
        for key, value in (
            ("mgmt_ipv6_address", self.mgmt_ipv6_address),
            ("mgmt_ipv6_gateway", self.mgmt_ipv6_gateway),
        ):
            if self.mgmt_ipv6 != "static" and value is not None:
                problems.append(
                    line(
                        PREFIX + key,
                        value,
                        f"is only used with {PREFIX}mgmt_ipv6 = 'static' "
                        f"(it is {self.mgmt_ipv6!r})",
                        f"set {PREFIX}mgmt_ipv6 = 'static', or remove {PREFIX}{key}",
                    )
                )
        if self.mgmt_ipv6 == "static" and self.mgmt_ipv6_address and self.mgmt_ipv6_gateway:
            net6 = ipaddress.IPv6Interface(self.mgmt_ipv6_address).network
            gw6 = ipaddress.IPv6Address(self.mgmt_ipv6_gateway)
            if gw6 == ipaddress.IPv6Interface(self.mgmt_ipv6_address).ip:
                problems.append(
                    line(
                        f"{PREFIX}mgmt_ipv6_gateway",
                        self.mgmt_ipv6_gateway,
                        "is the host's own IPv6 address",
                        "write the router's address",
                    )
                )
            elif not gw6.is_link_local and gw6 not in net6:
                problems.append(
                    line(
                        f"{PREFIX}mgmt_ipv6_gateway",
                        self.mgmt_ipv6_gateway,
                        f"is neither link-local (fe80::/10) nor inside {net6} "
                        f"({PREFIX}mgmt_ipv6_address = {self.mgmt_ipv6_address!r})",
                        "write the router's link-local address or one inside the subnet",
                    )
                )

        if self.bridge in self.legacy_trunk_bridges:
            problems.append(
                line(
                    f"{PREFIX}legacy_trunk_bridges",
                    self.bridge,
                    f"names the Open vSwitch bridge itself ({PREFIX}bridge)",
                    "list only the old Linux bridges",
                )
            )
        if self.bridge in self.legacy_bridges:
            problems.append(
                line(
                    f"{PREFIX}legacy_bridges[{self.bridge!r}]",
                    self.legacy_bridges[self.bridge],
                    f"names the Open vSwitch bridge itself ({PREFIX}bridge)",
                    "list only the old Linux bridges",
                )
            )
        problems += self._extra_conflicts(used)
        if problems:
            raise _Located(problems)
        return self

    def _extra_conflicts(self, ours: Mapping[str, str]) -> list[str]:
        from ovs_hypervisor.interfaces import parse_interfaces

        if not self.extra_interfaces:
            return []
        parsed = parse_interfaces(self.extra_interfaces)
        mine = {"lo": "loopback", **ours}
        named = list(parsed["interfaces"]) + parsed["auto"]
        named += [n for names in parsed["allow"].values() for n in names]
        clash = sorted({n for n in named if n in mine})
        if not clash:
            return []
        return [
            line(
                f"{PREFIX}extra_interfaces",
                self.extra_interfaces,
                "configures "
                + ", ".join(f"{n} (the {mine[n]})" for n in clash)
                + ", which the deploy writes itself",
                "keep only other interfaces (e.g. a storage NIC) in ovs_hv_extra_interfaces",
            )
        ]

    # --- derived values -------------------------------------------------------------------

    @property
    def mgmt_port_name(self) -> str:
        return self.mgmt_port or f"vlan{self.mgmt_vlan}"

    @property
    def uplink_port(self) -> str:
        """The OVS port that carries the uplink: the NIC itself, or the bond."""
        return self.uplinks[0] if len(self.uplinks) == 1 else self.bond_name

    @property
    def owned_ports(self) -> frozenset[str]:
        """The OVS ports the deploy creates on its bridge (the bridge's own, uplink, mgmt)."""
        return frozenset({self.bridge, self.uplink_port, self.mgmt_port_name})

    @property
    def owned_devices(self) -> frozenset[str]:
        """Every device the deploy owns on the host: its ports plus the uplink NICs."""
        return self.owned_ports | frozenset(self.uplinks)

    @property
    def mgmt_interface(self) -> ipaddress.IPv4Interface:
        return ipaddress.IPv4Interface(self.mgmt_ipv4)

    def legacy_vlan(self, bridge: str) -> int | None:
        """VLAN of a legacy Linux bridge (explicit map first, then the name pattern)."""
        if bridge in self.legacy_bridges:
            return self.legacy_bridges[bridge]
        m = re.match(self.legacy_bridge_pattern, bridge)
        if m is None or m.group(1) is None:  # an optional group may match nothing
            return None
        try:
            vlan = int(m.group(1))
        except ValueError:
            return None
        return vlan if 1 <= vlan <= 4094 else None


def _usable_ipv4(ip: ipaddress.IPv4Address, what: str, fix: str) -> None:
    if ip in ipaddress.IPv4Network("0.0.0.0/8"):
        raise _Problem(f"{ip} is in 0.0.0.0/8 ('this network'), not a {what}", fix)
    if ip.is_loopback:
        raise _Problem(f"{ip} is a loopback address, not a {what}", fix)
    if ip.is_multicast:
        raise _Problem(f"{ip} is a multicast address, not a {what}", fix)
    if ip in ipaddress.IPv4Network("240.0.0.0/4"):
        raise _Problem(f"{ip} is reserved (240.0.0.0/4) or the broadcast address", fix)


def _domain_name_problem(name: str) -> str | None:
    if not name.strip():
        return "is empty"
    if name != name.strip():
        return "has leading or trailing spaces (libvirt's name has none)"
    if "/" in name:
        return "contains '/', which libvirt does not allow in a domain name"
    if _CONTROL_RE.search(name):
        return "contains a control character"
    return None


# --- turning pydantic's findings into our lines ---------------------------------------------

# Field -> what a valid value looks like, for type and range errors.
_FIX: dict[str, str] = {
    "bridge": "write the bridge name as a string, e.g. 'ovsbr0'",
    "datapath_type": "use 'system' (kernel datapath) or 'netdev' (userspace)",
    "uplinks": "write a list of NIC names, e.g. ['eth0'] or ['eth0', 'eth1'] for a bond",
    "bond_name": "write the bond's port name as a string, e.g. 'bond0'",
    "bond_options": "write OVS bond options as one string, e.g. 'bond_mode=balance-tcp'",
    "mgmt_vlan": "set ovs_hv_mgmt_vlan to the management VLAN id, a whole number 1-4094 "
    "(e.g. 1234, not '1234')",
    "mgmt_port": "write the management port name as a string, e.g. 'vlan1234', or leave it out",
    "mgmt_ipv4": "set ovs_hv_mgmt_ipv4 to ADDRESS/PREFIX, e.g. '192.0.2.10/24'",
    "mgmt_gateway": "write the IPv4 gateway as a string, e.g. '192.0.2.1', or leave it out",
    "mgmt_dns": "write a list of IP addresses, e.g. ['192.0.2.53']",
    "mgmt_ipv6": "use 'off', 'slaac' or 'static'",
    "mgmt_ipv6_address": "write ADDRESS/PREFIX as a string, e.g. '2001:db8::10/64'",
    "mgmt_ipv6_gateway": "write the IPv6 gateway as a string, e.g. 'fe80::1'",
    "disable_ipv6_elsewhere": "use True or False (Python booleans, not strings)",
    "domains": "write {domain: {MAC: spec}}, e.g. {'web01': {'52:54:00:aa:bb:01': {'vlan': 1011}}}",
    "legacy_bridge_pattern": r"write a regular expression as a string, e.g. '^bridge(\d+)$'",
    "legacy_bridges": "write {bridge name: VLAN id}, e.g. {'br-dmz': 77}",
    "legacy_trunk_bridges": "write a list of bridge names, e.g. ['br0']",
    "remove_legacy": "use True or False (Python booleans, not strings)",
    "extra_interfaces": "write the extra stanzas as one (multi-line) string",
    "stop_timeout": "use a whole number of seconds, 1-3600 (default 60)",
    "destroy_on_timeout": "use True or False (Python booleans, not strings)",
    "domain_move": "use 'save' (managed save, guests resume without rebooting) or 'restart'",
    "save_fallback": "use 'restart' (restart a domain that cannot be saved) or 'stop' (stop "
    "the run)",
    "confirm_window": "use a whole number of seconds, 15-3600 (default 120)",
    "cutover_mode": "use 'fast' (make before break, the default) or 'classic'",
    "libvirt_uri": "write the URI as a string, e.g. 'qemu:///system'",
    "backup_dir": "write an absolute path as a string, e.g. '/var/lib/ovs-hypervisor/backups'",
    "sysctl_file": "write an absolute path as a string ending in .conf",
    "packages": "write a list of package names, e.g. ['openvswitch-switch']",
}
_LIST_FIELDS = ("uplinks", "mgmt_dns", "packages")
_NIC_KEYS = ("vlan", "trunk", "native")


def known_keys() -> list[str]:
    return [PREFIX + name for name in HostConfig.model_fields]


def _format_loc(loc: tuple[int | str, ...]) -> tuple[str, str]:
    key = PREFIX + str(loc[0]) if loc else "(host data)"
    rest = "".join(f"[{p!r}]" for p in loc[1:])
    return key, rest


def _fix_for(loc: tuple[int | str, ...], err: Mapping[str, Any]) -> str:
    field = str(loc[0])
    depth = len(loc)
    if field == "domains":
        last = loc[-1]
        if depth >= 4 and (last in _NIC_KEYS or loc[3] in _NIC_KEYS):
            if loc[3] == "trunk" and depth == 4 and err["type"] == "list_type":
                return "write the trunk as a list, e.g. [1011, 1012]"
            return VLAN_FIX
        if depth == 3:
            return NIC_SPEC_FIX
        if depth == 2:
            return "map each MAC to a NIC spec, e.g. {'52:54:00:aa:bb:01': {'vlan': 1011}}"
    if field == "legacy_bridges" and depth == 2:
        return VLAN_FIX
    if field in _LIST_FIELDS and depth == 2:
        return "write each entry as a string"
    return _FIX.get(field, "see the README's host data table")


def _what(err: Mapping[str, Any], value: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    wanted = {
        "int_type": "an integer",
        "int_parsing": "an integer",
        "int_from_float": "an integer",
        "string_type": "a string",
        "bool_type": "True or False",
        "bool_parsing": "True or False",
        "list_type": "a list",
        "dict_type": "a dict",
        "model_type": "a dict",
        "model_attributes_type": "a dict",
    }
    if kind in wanted:
        return f"is {_kind(value)}, not {wanted[kind]}"
    if kind == "greater_than_equal":
        return f"is below the minimum {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"is above the maximum {ctx.get('le')}"
    if kind == "literal_error":
        return f"is not one of {ctx.get('expected')}"
    return str(err["msg"]).removeprefix("Value error, ")


def _problem_line(err: Mapping[str, Any]) -> list[str]:
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, _Located):
        return cause.problems
    loc = tuple(err["loc"])
    value = err.get("input")
    if loc and loc[-1] == "[key]":  # a dict key of the wrong type
        key, rest = _format_loc(loc[:-2])
        return [
            line(
                f"{key}{rest} key",
                value,
                f"is {_kind(value)}, not a string",
                "write names and MACs as quoted strings",
            )
        ]
    key, rest = _format_loc(loc)
    if err["type"] == "missing":
        return [f"{key}: required and not set; fix: {_FIX.get(str(loc[0]), 'set it')}"]
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _NIC_KEYS, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [
            line(
                f"{key}{rest}",
                value,
                f"{loc[-1]!r} is not a NIC spec key{hint}",
                "the keys are 'vlan' (access), 'trunk' and 'native' (hybrid)",
            )
        ]
    if isinstance(cause, _Problem):
        return [line(f"{key}{rest}", value, cause.what, cause.fix)]
    return [line(f"{key}{rest}", value, _what(err, value), _fix_for(loc, err))]


def _unknown_key(key: str, value: Any, keys: list[str]) -> str | None:
    """A problem line for a key that looks like ours but is not; None for foreign keys."""
    norm = key.lower().replace("-", "_")
    if norm in keys:
        best: str | None = norm
    elif norm.startswith(PREFIX):
        close = difflib.get_close_matches(norm, keys, n=1, cutoff=0.6)
        best = close[0] if close else None
    elif norm.startswith("ovs"):
        # Near-misses of the prefix itself (ovs_hb_bridge, ovshv_bridge, OVS-HV-BRIDGE).
        close = difflib.get_close_matches(norm, keys, n=1, cutoff=0.85)
        if not close:
            return None
        best = close[0]
    else:
        return None
    hint = (
        f"did you mean {best}? rename the key"
        if best
        else "see the README's host data table for the keys"
    )
    shown = key if _PLAIN_KEY_RE.match(key) else short(key)  # a key with odd characters
    return line(shown, value, "unknown key", hint)


def load_host_config(host: str, data: Mapping[str, Any]) -> HostConfig:
    """Build and validate the config from one host's merged data; raise HostDataError."""
    problems: list[str] = []
    keys = known_keys()
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        if key.startswith(PREFIX) and key[len(PREFIX) :] in HostConfig.model_fields:
            fields[key[len(PREFIX) :]] = value
            continue
        unknown = _unknown_key(key, value, keys)
        if unknown:
            problems.append(unknown)
    try:
        config = HostConfig(**fields)
    except ValidationError as exc:
        for err in exc.errors():
            problems += _problem_line(err)
    else:
        if not problems:
            return config
    raise HostDataError(host, problems)
