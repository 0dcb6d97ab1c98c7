"""Expected vs actual: compare a host's switch, links and VMs' ports with the data (pure).

:func:`verify_host` takes the validated host data and what the host reported (one
:class:`~ovs_hypervisor.host_state.VerifySnapshot`) and returns a :class:`HostReport`:
summary rows for the table (bridge, uplinks, management port, gateway, one row per VM NIC)
and the list of :class:`Difference` s.  A host verifies when that list is empty.  The checks
are in ``verify_switch`` (OVS), ``verify_links`` (host links, IPv6) and ``verify_domains``
(VM NICs); the result types in ``verify_report``.

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
bond-option                  the bond's bond_mode / lacp differ from ``ovs_hv_bond_options``
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

from collections.abc import Iterable

from ovs_hypervisor.host_state import VerifySnapshot
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.verify_domains import domain_differences
from ovs_hypervisor.verify_links import (
    host_link_differences,
    ipv6_differences,
    legacy_devices,
    mgmt_address,
)
from ovs_hypervisor.verify_report import Difference, HostReport, NicRow, Row
from ovs_hypervisor.verify_switch import extra_port_differences, switch_differences, switch_rows


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
    for row in switch_rows(config, ovs, mgmt_address(config, links)):
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


def _row_status(diffs: Iterable[Difference]) -> str:
    kinds = {d.kind for d in diffs}
    if not kinds:
        return "ok"
    if kinds & {"bridge-missing", "port-missing", "link-missing"}:
        return "MISSING"
    if kinds & {"ovs-unavailable", "interface-error", "vswitchd-down"}:
        return "ERROR"
    return "DIFFERS"


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
