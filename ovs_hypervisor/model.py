"""Host data model: flat ``ovs_hv_*`` keys, validated on the controller.

pyinfra host data is a flat namespace, so every key carries the ``ovs_hv_`` prefix: one host
can override one value (inventory tuple or ``--data``), and a key with the prefix that we do
not know is a typo, reported with the closest valid key.  Nothing here imports pyinfra.
"""

from __future__ import annotations

import difflib
import ipaddress
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
    field_validator,
    model_validator,
)

PREFIX = "ovs_hv_"

# Linux IFNAMSIZ is 16 including the NUL; '/' and whitespace are illegal, ':' breaks aliases.
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
_MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")

Vlan = Annotated[StrictInt, Field(ge=1, le=4094)]


class HostDataError(ValueError):
    """Bad host data: names the host, the key, the value and the fix."""

    def __init__(self, host: str, problems: list[str]) -> None:
        self.host = host
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"host {host!r}: invalid host data ({len(problems)} problem(s)):\n{lines}")


def check_ifname(value: str, what: str) -> str:
    if not _IFNAME_RE.match(value) or value in {".", ".."}:
        raise ValueError(
            f"{what} {value!r} is not a usable Linux interface name: "
            "use 1-15 characters from letters, digits, '_', '-', '.'"
        )
    return value


class NicSpec(BaseModel):
    """VLAN wiring of one VM NIC: access (vlan), trunk, or hybrid (native + trunk)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vlan: Vlan | None = None
    trunk: list[Vlan] | None = None
    native: Vlan | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> NicSpec:
        if self.vlan is not None and (self.trunk is not None or self.native is not None):
            raise ValueError(
                "give either {'vlan': N} (access) or {'trunk': [...]} with optional 'native', "
                "not both"
            )
        if self.vlan is None and self.trunk is None:
            raise ValueError("give {'vlan': N} (access) or {'trunk': [N, ...]} (trunk/hybrid)")
        if self.trunk is not None:
            if not self.trunk:
                raise ValueError("the trunk list is empty: list at least one VLAN, or use 'vlan'")
            if len(set(self.trunk)) != len(self.trunk):
                raise ValueError(f"the trunk list {self.trunk} repeats a VLAN: list each once")
            if self.native is not None and self.native in self.trunk:
                raise ValueError(
                    f"native VLAN {self.native} is also in the trunk list {self.trunk}: "
                    "the native VLAN is carried untagged, remove it from 'trunk'"
                )
        return self

    def as_dict(self) -> dict[str, Any]:
        """The plain dict form that ``patch_domain_xml`` takes."""
        if self.vlan is not None:
            return {"vlan": self.vlan}
        out: dict[str, Any] = {"trunk": list(self.trunk or [])}
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
    domains: dict[StrictStr, dict[StrictStr, NicSpec]] = Field(default_factory=dict)
    legacy_bridge_pattern: StrictStr = r"^bridge(\d+)$"
    legacy_bridges: dict[StrictStr, Vlan] = Field(default_factory=dict)
    remove_legacy: StrictBool = True
    extra_interfaces: StrictStr = ""
    stop_timeout: Annotated[StrictInt, Field(ge=1, le=3600)] = 60
    destroy_on_timeout: StrictBool = False
    # Seconds the host waits for the controller to confirm a cutover before it rolls back.
    confirm_window: Annotated[StrictInt, Field(ge=15, le=3600)] = 120
    libvirt_uri: StrictStr = "qemu:///system"
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

    @field_validator("bridge", "bond_name")
    @classmethod
    def _ifname(cls, v: str) -> str:
        return check_ifname(v, "name")

    @field_validator("mgmt_port")
    @classmethod
    def _mgmt_port(cls, v: str | None) -> str | None:
        return None if v is None else check_ifname(v, "name")

    @field_validator("uplinks")
    @classmethod
    def _uplinks(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one uplink NIC is needed, e.g. ['eth0']")
        for name in v:
            check_ifname(name, "uplink")
        if len(set(v)) != len(v):
            raise ValueError(f"uplink list {v} names a NIC twice: list each once")
        return v

    @field_validator("mgmt_ipv4")
    @classmethod
    def _ipv4(cls, v: str) -> str:
        if "/" not in v:
            raise ValueError(
                f"{v!r} has no prefix length: write it as ADDRESS/PREFIX, e.g. 192.0.2.10/24"
            )
        try:
            iface = ipaddress.IPv4Interface(v)
        except ValueError as exc:
            raise ValueError(
                f"{v!r} is not an IPv4 address/prefix ({exc}); e.g. 192.0.2.10/24"
            ) from None
        if iface.ip in (iface.network.network_address, iface.network.broadcast_address) and (
            iface.network.prefixlen < 31
        ):
            raise ValueError(
                f"{v!r} is the network or broadcast address of {iface.network}: use a host address"
            )
        return v

    @field_validator("mgmt_gateway")
    @classmethod
    def _gw(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ipaddress.IPv4Address(v)
            except ValueError:
                raise ValueError(f"{v!r} is not an IPv4 address, e.g. 192.0.2.1") from None
        return v

    @field_validator("mgmt_dns")
    @classmethod
    def _dns(cls, v: list[str]) -> list[str]:
        for a in v:
            try:
                ipaddress.ip_address(a)
            except ValueError:
                raise ValueError(f"DNS server {a!r} is not an IP address") from None
        return v

    @field_validator("mgmt_ipv6_address")
    @classmethod
    def _ipv6(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ipaddress.IPv6Interface(v)
            except ValueError:
                raise ValueError(
                    f"{v!r} is not an IPv6 address/prefix, e.g. 2001:db8::10/64"
                ) from None
            if "/" not in v:
                raise ValueError(f"{v!r} has no prefix length, e.g. 2001:db8::10/64")
        return v

    @field_validator("mgmt_ipv6_gateway")
    @classmethod
    def _ipv6_gw(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ipaddress.IPv6Address(v)
            except ValueError:
                raise ValueError(f"{v!r} is not an IPv6 address") from None
        return v

    @field_validator("legacy_bridge_pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        try:
            rx = re.compile(v)
        except re.error as exc:
            raise ValueError(f"{v!r} is not a regular expression ({exc})") from None
        if rx.groups != 1:
            raise ValueError(f"{v!r} must have exactly one group capturing the VLAN id")
        return v

    @field_validator("legacy_bridges")
    @classmethod
    def _legacy(cls, v: dict[str, int]) -> dict[str, int]:
        for name in v:
            check_ifname(name, "legacy bridge")
        return v

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: dict[str, dict[str, NicSpec]]) -> dict[str, dict[str, NicSpec]]:
        out: dict[str, dict[str, NicSpec]] = {}
        owner: dict[str, str] = {}
        for dom, nics in v.items():
            if not dom:
                raise ValueError("a domain name is empty")
            out[dom] = {}
            for mac, spec in nics.items():
                norm = mac.lower()
                if not _MAC_RE.match(norm):
                    raise ValueError(
                        f"domain {dom!r}: {mac!r} is not a MAC address like 52:54:00:aa:bb:01"
                    )
                if norm in owner:
                    raise ValueError(
                        f"MAC {norm} is listed twice (domains {owner[norm]!r} and {dom!r}): "
                        "a MAC belongs to one NIC"
                    )
                owner[norm] = dom
                out[dom][norm] = spec
        return out

    @field_validator("backup_dir", "sysctl_file")
    @classmethod
    def _abs(cls, v: str) -> str:
        if not v.startswith("/"):
            raise ValueError(f"{v!r} must be an absolute path")
        return v

    # --- cross-field checks ---------------------------------------------------------------

    @model_validator(mode="after")
    def _cross(self) -> HostConfig:
        port = self.mgmt_port_name
        check_ifname(port, "management port")
        used: dict[str, str] = {self.bridge: "bridge"}
        ports = [(port, "management port")]
        if len(self.uplinks) > 1:
            ports.append((self.bond_name, "bond"))
        ports += [(u, "uplink") for u in self.uplinks]
        for name, role in ports:
            if name in used:
                raise ValueError(
                    f"{name!r} is used as both {used[name]} and {role}: each name once"
                )
            used[name] = role
        net = ipaddress.IPv4Interface(self.mgmt_ipv4).network
        if self.mgmt_gateway is not None:
            gw = ipaddress.IPv4Address(self.mgmt_gateway)
            if gw not in net:
                raise ValueError(
                    f"ovs_hv_mgmt_gateway {self.mgmt_gateway} is outside the management subnet "
                    f"{net} (ovs_hv_mgmt_ipv4 = {self.mgmt_ipv4}): fix the gateway or the prefix"
                )
            if gw == ipaddress.IPv4Interface(self.mgmt_ipv4).ip:
                raise ValueError("ovs_hv_mgmt_gateway equals the host's own address")
        if self.mgmt_ipv6 == "static" and self.mgmt_ipv6_address is None:
            raise ValueError(
                "ovs_hv_mgmt_ipv6 = 'static' needs ovs_hv_mgmt_ipv6_address (e.g. 2001:db8::10/64)"
            )
        if self.mgmt_ipv6 != "static" and (self.mgmt_ipv6_address or self.mgmt_ipv6_gateway):
            raise ValueError(
                "ovs_hv_mgmt_ipv6_address/_gateway are only used with ovs_hv_mgmt_ipv6 = 'static'"
            )
        return self

    # --- derived values -------------------------------------------------------------------

    @property
    def mgmt_port_name(self) -> str:
        return self.mgmt_port or f"vlan{self.mgmt_vlan}"

    @property
    def uplink_port(self) -> str:
        """The OVS port that carries the uplink: the NIC itself, or the bond."""
        return self.uplinks[0] if len(self.uplinks) == 1 else self.bond_name

    @property
    def mgmt_interface(self) -> ipaddress.IPv4Interface:
        return ipaddress.IPv4Interface(self.mgmt_ipv4)

    def legacy_vlan(self, bridge: str) -> int | None:
        """VLAN of a legacy Linux bridge (explicit map first, then the name pattern)."""
        if bridge in self.legacy_bridges:
            return self.legacy_bridges[bridge]
        m = re.match(self.legacy_bridge_pattern, bridge)
        if m is None:
            return None
        try:
            vlan = int(m.group(1))
        except ValueError:
            return None
        return vlan if 1 <= vlan <= 4094 else None


# Field -> how to fix it, appended to pydantic's message when that message has no fix.
_FIX = {
    "mgmt_vlan": "set ovs_hv_mgmt_vlan to the management VLAN id, an integer 1-4094",
    "mgmt_ipv4": "set ovs_hv_mgmt_ipv4 to ADDRESS/PREFIX, e.g. '192.0.2.10/24'",
    "datapath_type": "use 'system' (kernel datapath) or 'netdev' (userspace)",
    "mgmt_ipv6": "use 'off', 'slaac' or 'static'",
    "stop_timeout": "use a whole number of seconds, 1-3600",
    "confirm_window": "use a whole number of seconds, 15-3600 (default 120)",
}


def known_keys() -> list[str]:
    return [PREFIX + name for name in HostConfig.model_fields]


def _format_loc(loc: tuple[int | str, ...]) -> tuple[str, str]:
    key = PREFIX + str(loc[0]) if loc else "(host data)"
    rest = "".join(f"[{p!r}]" for p in loc[1:])
    return key, rest


def _value_at(data: Mapping[str, Any], loc: tuple[int | str, ...]) -> Any:
    cur: Any = data
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return "<missing>"
    return cur


def load_host_config(host: str, data: Mapping[str, Any]) -> HostConfig:
    """Build and validate the config from one host's merged data; raise HostDataError."""
    problems: list[str] = []
    keys = known_keys()
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if not key.startswith(PREFIX):
            # Catch near-misses of the prefix itself (ovs_hb_bridge, ovshv_bridge).
            if key.startswith("ovs") and difflib.get_close_matches(key, keys, n=1, cutoff=0.85):
                best = difflib.get_close_matches(key, keys, n=1, cutoff=0.85)[0]
                problems.append(f"{key} = {value!r}: unknown key; did you mean {best}?")
            continue
        name = key[len(PREFIX) :]
        if name not in HostConfig.model_fields:
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}?" if close else "see the README for the list of keys"
            problems.append(f"{key} = {value!r}: unknown key; {hint}")
            continue
        fields[name] = value
    if not problems:
        try:
            return HostConfig(**fields)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                key, rest = _format_loc(loc)
                field = str(loc[0]) if loc else ""
                msg = str(err["msg"]).removeprefix("Value error, ")
                if not loc:  # a cross-key check: its message names the keys itself
                    problems.append(msg)
                    continue
                if err["type"] == "missing":
                    problems.append(
                        f"{key}: required and not set; fix: {_FIX.get(field, 'set it')}"
                    )
                    continue
                value = _value_at(fields, loc)
                fix = _FIX.get(field) if field and not rest else None
                if err["type"] in ("int_type", "greater_than_equal", "less_than_equal") and (
                    "native" in rest
                    or "vlan" in rest
                    or "trunk" in rest
                    or field in ("mgmt_vlan", "legacy_bridges")
                ):
                    fix = "VLAN ids are integers 1-4094 (not strings)"
                text = f"{key}{rest} = {value!r}: {msg}"
                if fix:
                    text += f"; fix: {fix}"
                problems.append(text)
    raise HostDataError(host, problems)
