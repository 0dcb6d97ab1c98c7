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
    ValidationInfo,
    field_validator,
    model_validator,
)

from ovs_hypervisor import model_checks as check
from ovs_hypervisor.model_checks import Vlan
from ovs_hypervisor.model_cross import cross_key_problems
from ovs_hypervisor.model_domains import NicSpecData, check_domains
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.model_messages import Located, problem_lines, unknown_key

# The libvirt connection every fact and operation uses unless the data says otherwise
# (remote/domctl.py, which cannot import this, keeps the same CLI default; a test pins it).
DEFAULT_LIBVIRT_URI = "qemu:///system"


class HostDataError(ValueError):
    """Bad host data: names the host, the key, the value and the fix."""

    def __init__(self, host: str, problems: list[str]) -> None:
        self.host = host
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"host {host!r}: invalid host data ({len(problems)} problem(s)):\n{lines}")


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

    # --- field checks (bodies in model_checks; pydantic runs them in this order) --------

    @field_validator("uplinks", "mgmt_dns", "packages", mode="before")
    @classmethod
    def _ordered_list(cls, v: Any, info: ValidationInfo) -> Any:
        return check.check_ordered_list(v, str(info.field_name))

    @field_validator("bridge")
    @classmethod
    def _bridge(cls, v: str) -> str:
        return check.check_ifname(v, "bridge")

    @field_validator("bond_name")
    @classmethod
    def _bond_name(cls, v: str) -> str:
        return check.check_ifname(v, "bond")

    @field_validator("mgmt_port")
    @classmethod
    def _mgmt_port(cls, v: str | None) -> str | None:
        return check.check_mgmt_port(v)

    @field_validator("uplinks")
    @classmethod
    def _uplinks(cls, v: list[str]) -> list[str]:
        return check.check_uplinks(v)

    @field_validator("bond_options")
    @classmethod
    def _bond_options(cls, v: str) -> str:
        return check.check_bond_options(v)

    @field_validator("mgmt_ipv4")
    @classmethod
    def _ipv4(cls, v: str) -> str:
        return check.check_mgmt_ipv4(v)

    @field_validator("mgmt_gateway")
    @classmethod
    def _gw(cls, v: str | None) -> str | None:
        return check.check_mgmt_gateway(v)

    @field_validator("mgmt_dns")
    @classmethod
    def _dns(cls, v: list[str]) -> list[str]:
        return check.check_dns(v)

    @field_validator("mgmt_ipv6_address")
    @classmethod
    def _ipv6(cls, v: str | None) -> str | None:
        return check.check_ipv6_address(v)

    @field_validator("mgmt_ipv6_gateway")
    @classmethod
    def _ipv6_gw(cls, v: str | None) -> str | None:
        return check.check_ipv6_gateway(v)

    @field_validator("legacy_bridge_pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        return check.check_bridge_pattern(v)

    @field_validator("legacy_bridges")
    @classmethod
    def _legacy(cls, v: dict[str, int]) -> dict[str, int]:
        return check.check_legacy_bridges(v)

    @field_validator("legacy_trunk_bridges")
    @classmethod
    def _legacy_trunk(cls, v: list[str]) -> list[str]:
        return check.check_legacy_trunk_bridges(v)

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: dict[str, dict[str, NicSpecData]]) -> dict[str, dict[str, NicSpecData]]:
        return check_domains(v)

    @field_validator("extra_interfaces")
    @classmethod
    def _extra(cls, v: str) -> str:
        return check.check_extra_interfaces(v)

    @field_validator("libvirt_uri")
    @classmethod
    def _uri(cls, v: str) -> str:
        return check.check_libvirt_uri(v)

    @field_validator("backup_dir", "sysctl_file")
    @classmethod
    def _abs(cls, v: str) -> str:
        return check.check_absolute_path(v)

    @field_validator("sysctl_file")
    @classmethod
    def _sysctl_conf(cls, v: str) -> str:
        return check.check_sysctl_file(v)

    @field_validator("packages")
    @classmethod
    def _packages(cls, v: list[str]) -> list[str]:
        return check.check_packages(v)

    @field_validator(
        "bridge", "bond_name", "mgmt_port", "datapath_type", "mgmt_ipv6", mode="before"
    )
    @classmethod
    def _one_line(cls, v: Any) -> Any:
        if isinstance(v, str):
            check.no_control(v)
        return v

    # --- cross-field checks (model_cross) -------------------------------------------------

    @model_validator(mode="after")
    def _cross(self) -> HostConfig:
        problems = cross_key_problems(self)
        if problems:
            raise Located(problems)
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
    def bond_columns(self) -> dict[str, str]:
        """The bond's Port columns kept true on a live bond (the hook sets them only when it
        creates the bond): bond_mode and lacp, OVS's default where the options leave one out."""
        words = dict(w.split("=", 1) for w in self.bond_options.split())
        return {col: words.get(col, default) for col, default in check.BOND_DEFAULTS.items()}

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


def known_keys() -> list[str]:
    return [PREFIX + name for name in HostConfig.model_fields]


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
        unknown = unknown_key(key, value, keys)
        if unknown:
            problems.append(unknown)
    try:
        config = HostConfig(**fields)
    except ValidationError as exc:
        for err in exc.errors():
            problems += problem_lines(err)
    else:
        if not problems:
            return config
    raise HostDataError(host, problems)
