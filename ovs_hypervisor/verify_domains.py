"""The VMs' NICs against the data and the domain XML: definition, live XML, vnet port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovs_hypervisor.domain_xml import DomainNic, OvsPortVlan, domain_nics, expected_ovs_port
from ovs_hypervisor.host_state import OvsSnapshot
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.ovs_show import ShowPort
from ovs_hypervisor.verify_report import Difference, NicRow
from ovs_hypervisor.verify_switch import (
    bridge_ports,
    interface_problems,
    port_vlan,
    vlan_differences,
)
from ovs_hypervisor.verify_vlan import describe_vlan, port_fix_command


def _where(nic: DomainNic) -> str:
    if nic["bridge"]:
        return f"bridge {nic['bridge']}"
    if nic["network"]:
        return f"network {nic['network']}"
    if nic["source_dev"]:
        return f"{nic['type']} {nic['source_dev']}"
    return f"type {nic['type']}"


def _nics(name: str, xml: object, diffs: list[Difference]) -> list[DomainNic] | None:
    if not isinstance(xml, str) or not xml:
        return None
    try:
        return domain_nics(xml)
    except ValueError as exc:
        diffs.append(Difference("libvirt-unavailable", f"domain {name}", "readable XML", str(exc)))
        return None


def _port_bridge(ovs: OvsSnapshot, port: str | None) -> str | None:
    show = ovs["show"]
    if not port or show is None:
        return None
    for bname, bridge in show["bridges"].items():
        if port in bridge["ports"]:
            return bname
    return None


def _is_ours(config: HostConfig, listed: Mapping[str, object], mac: str, *nics: DomainNic) -> bool:
    """A NIC the deploy manages: listed in the data, on our bridge, or on a legacy bridge."""
    if mac in listed:
        return True
    for nic in nics:
        bridge = nic["bridge"]
        if bridge == config.bridge:
            return True
        if nic["type"] == "bridge" and bridge and config.legacy_vlan(bridge) is not None:
            return True
    return False


def domain_differences(
    config: HostConfig, ovs: OvsSnapshot, domains: Mapping[str, Mapping[str, Any]]
) -> tuple[list[Difference], list[NicRow], set[str]]:
    """Every VM NIC the deploy manages, running or not.

    Expected VLANs come from the data for listed NICs, else from the domain definition.  A
    running NIC's vnet port is compared with the domain's live XML (what libvirt applied).
    Returns (differences, one row per NIC, the vnet ports that running NICs use).
    """
    diffs: list[Difference] = []
    rows: list[NicRow] = []
    used: set[str] = set()
    ports = bridge_ports(ovs, config.bridge)
    for name in sorted(config.domains):
        if name not in domains:
            diffs.append(
                Difference("vm-missing", f"domain {name}", "defined", "no such domain", "vm")
            )
    for name in sorted(domains):
        dom_diffs, dom_rows = _one_domain(config, ovs, ports, name, domains[name], used)
        diffs += dom_diffs
        rows += dom_rows
    return diffs, rows, used


def _one_domain(
    config: HostConfig,
    ovs: OvsSnapshot,
    ports: Mapping[str, ShowPort] | None,
    name: str,
    info: Mapping[str, Any],
    used: set[str],
) -> tuple[list[Difference], list[NicRow]]:
    """One domain's managed NICs; adds the vnet ports its running NICs use to ``used``."""
    diffs: list[Difference] = []
    rows: list[NicRow] = []
    state = str(info.get("state") or "unknown")
    running = state == "running"
    defined = _nics(name, info.get("xml"), diffs) or []
    live = _nics(name, info.get("live_xml"), diffs) if running else None
    listed = config.domains.get(name, {})
    by_mac = {n["mac"] or "?": n for n in defined}
    live_by_mac = {n["mac"] or "?": n for n in live or []}
    for mac in listed:
        if mac not in by_mac:
            have = ", ".join(sorted(by_mac)) or "none"
            diffs.append(Difference("vm-nic-missing", f"domain {name}", f"a NIC {mac}", have, "vm"))
    for mac in [*by_mac, *(m for m in live_by_mac if m not in by_mac)]:
        dnic = by_mac.get(mac) or live_by_mac[mac]
        lnic = live_by_mac.get(mac)
        if not _is_ours(config, listed, mac, dnic, *([lnic] if lnic else [])):
            continue  # another bridge, a libvirt network, macvtap...: not ours
        who = f"{name} {mac}"
        want = expected_ovs_port(listed[mac].as_dict() if mac in listed else dnic["vlan"])
        nic_diffs: list[Difference] = []
        if dnic["bridge"] != config.bridge:
            nic_diffs.append(
                Difference("vm-nic-bridge", who, f"bridge {config.bridge}", _where(dnic), "vm")
            )
        if mac in listed:
            in_xml = expected_ovs_port(dnic["vlan"])
            if in_xml != want:
                found = describe_vlan(in_xml) if dnic["vlan"] else "no <vlan> (all VLANs)"
                nic_diffs.append(Difference("vm-xml-vlan", who, describe_vlan(want), found, "vm"))
        port: str | None = None
        actual: OvsPortVlan | None = None
        status = state
        if running and lnic is None:
            nic_diffs.append(
                Difference(
                    "vm-restart-pending", who, "the NIC plugged in", "not in the live XML", "vm"
                )
            )
        elif running and lnic is not None:
            live_diffs, port, actual, status = _running_nic(config, ovs, ports, who, dnic, lnic)
            nic_diffs += live_diffs
            if port:
                used.add(port)
        if status == "ok" and nic_diffs:
            status = "DIFFERS"
        diffs += nic_diffs
        rows.append(NicRow(name, mac, state, port, want, actual, status))
    return diffs, rows


def _running_nic(
    config: HostConfig,
    ovs: OvsSnapshot,
    ports: Mapping[str, ShowPort] | None,
    who: str,
    dnic: DomainNic,
    lnic: DomainNic,
) -> tuple[list[Difference], str | None, OvsPortVlan | None, str]:
    """A running NIC: definition vs live XML, then its vnet port vs the live XML.

    Returns (differences, the vnet port, its VLAN columns, the row's status)."""
    diffs: list[Difference] = []
    actual: OvsPortVlan | None = None
    status = "ok"
    d_vlan, l_vlan = expected_ovs_port(dnic["vlan"]), expected_ovs_port(lnic["vlan"])
    if (dnic["bridge"], d_vlan) != (lnic["bridge"], l_vlan):
        diffs.append(
            Difference(
                "vm-restart-pending",
                who,
                f"{_where(dnic)}, {describe_vlan(d_vlan)}",
                f"{_where(lnic)}, {describe_vlan(l_vlan)}",
                "vm",
            )
        )
    port = lnic["target"]
    if lnic["bridge"] == config.bridge and ports is not None:
        if not port or port not in ports:
            other = _port_bridge(ovs, port)
            diffs.append(
                Difference(
                    "vm-port-missing",
                    f"{who} port {port or '?'}",
                    f"on bridge {config.bridge}",
                    f"on bridge {other}" if other else "absent",
                    "vm",
                )
            )
            status = "NO PORT"
        else:
            actual = port_vlan(ovs, ports, port)
            fix = port_fix_command(port, l_vlan)
            diffs += vlan_differences(
                "vm-port-vlan", f"{who} port {port}", l_vlan, actual, "vm", fix
            )
            errors = interface_problems(ovs, ports, port, f" ({who})", "vm")
            diffs += errors
            if errors:
                status = "ERROR"
    return diffs, port, actual, status
