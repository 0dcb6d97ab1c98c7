"""What discovery finds: typed findings, each returned by the function that finds it, and
the :class:`Discovery` they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, NamedTuple


class Notes:
    """Errors and warnings, in the order they were found (a warning said once)."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[str] = []

    def error(self, where: str, what: str, fix: str) -> None:
        self.errors.append(Problem(where, what, fix))

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


class VlanDevice(NamedTuple):
    """A legacy 802.1Q device (vlanNNN or NIC.NNN)."""

    vid: int
    raw: str  # the device it sits on


class BridgeKind(Enum):
    """What a legacy Linux bridge is to the migration."""

    VLAN = "vlan"  # one VLAN device as its port: its VMs are on that VLAN
    TRUNK = "trunk"  # over the raw uplink, VLAN-unaware: its VMs saw every VLAN
    ISOLATED = "isolated"  # no ports: kept as it is
    OTHER = "other"  # other ports: kept as it is
    LIVE = "live"  # up, not in the files, not one VLAN: kept as it is


@dataclass(frozen=True)
class LegacyBridge:
    kind: BridgeKind
    vid: int | None = None  # with VLAN

    @property
    def migrated(self) -> bool:
        """The migration removes it (its VMs move to OVS)."""
        return self.kind in (BridgeKind.VLAN, BridgeKind.TRUNK)


@dataclass(frozen=True)
class Uplink:
    raw: str  # the device under the VLAN devices: a NIC or a Linux bond
    nics: list[str]  # the OVS uplink(s): the NIC, or the bond's slaves
    bond: str | None = None  # the Linux bond, when raw is one
    data: dict[str, Any] = field(default_factory=dict)  # bond_name/bond_options


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
