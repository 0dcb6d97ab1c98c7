"""What verification returns: the kinds of difference, the table's rows, the host report.

``verify.py`` explains each kind; ``report.py`` prints these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ovs_hypervisor.domain_xml import OvsPortVlan
from ovs_hypervisor.host_state import PingResult
from ovs_hypervisor.verify_vlan import describe_vlan

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
    "bond-option": "bond mode or LACP differs from ovs_hv_bond_options",
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
