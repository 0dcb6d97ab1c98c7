"""Our OVS bridge against the data: datapath, uplink or bond, management port, other ports.

Also the helpers the VM checks share: the ports on our bridge, a port's VLAN columns, the
errors of its interfaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovs_hypervisor.domain_xml import OvsPortVlan
from ovs_hypervisor.host_state import OvsSnapshot
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.ovs_show import ShowPort
from ovs_hypervisor.ovsdb_json import PortState
from ovs_hypervisor.reconcile import bond_column_differences
from ovs_hypervisor.verify_report import Difference, Row
from ovs_hypervisor.verify_vlan import describe_vlan, vlan_columns, vlan_diff_keys


def _vlan_of(port: Mapping[str, Any]) -> OvsPortVlan:
    return OvsPortVlan(
        tag=port.get("tag"),
        trunks=sorted(int(t) for t in (port.get("trunks") or [])),
        vlan_mode=port.get("vlan_mode") or None,
    )


def bridge_ports(ovs: OvsSnapshot, bridge: str) -> dict[str, ShowPort] | None:
    show = ovs["show"]
    if ovs["error"] or show is None or bridge not in show["bridges"]:
        return None
    return show["bridges"][bridge]["ports"]


def port_vlan(ovs: OvsSnapshot, ports: Mapping[str, ShowPort], name: str) -> OvsPortVlan:
    row = ovs["ports"].get(name)
    if row is not None:
        return _vlan_of(row)  # exact, with vlan_mode
    show = ports[name]  # no OVSDB row (an old recording): show has no vlan_mode
    return OvsPortVlan(tag=show["tag"], trunks=sorted(show["trunks"]), vlan_mode=None)


def vlan_differences(
    kind: str, subject: str, want: OvsPortVlan, got: OvsPortVlan, area: str, fix: str = ""
) -> list[Difference]:
    """One difference naming the VLAN columns that differ, in ovs-vsctl's words; or none."""
    keys = vlan_diff_keys(want, got)
    if not keys:
        return []
    return [Difference(kind, subject, vlan_columns(want, keys), vlan_columns(got, keys), area, fix)]


def interface_problems(
    ovs: OvsSnapshot, ports: Mapping[str, ShowPort], port: str, suffix: str, area: str
) -> list[Difference]:
    diffs = []
    for iname, iface in ports[port]["interfaces"].items():
        row = ovs["interfaces"].get(iname)
        error = iface["error"] or (row["error"] if row else None)
        subject = f"interface {iname}{suffix}"
        if error:
            diffs.append(Difference("interface-error", subject, "no error", error, area))
        elif row is not None and row["ofport"] == -1:
            diffs.append(Difference("interface-error", subject, "an ofport", "ofport -1", area))
    return diffs


def _ofports(ovs: OvsSnapshot, ports: Mapping[str, ShowPort], port: str) -> str:
    names = list(ports[port]["interfaces"])
    out = []
    for iname in names:
        row = ovs["interfaces"].get(iname)
        ofport = row["ofport"] if row is not None else None
        if len(names) == 1:
            out.append(f"ofport {ofport}" if ofport is not None else "")
        else:
            out.append(f"{iname} (ofport {ofport})" if ofport is not None else iname)
    return ", ".join(x for x in out if x)


def switch_differences(config: HostConfig, ovs: OvsSnapshot) -> list[Difference]:
    """Bridge, datapath, uplink or bond, management port and their interfaces."""
    br = config.bridge
    if ovs["error"]:
        return [
            Difference(
                "ovs-unavailable", "Open vSwitch", "ovsdb-server answering", ovs["error"], "bridge"
            )
        ]
    ports = bridge_ports(ovs, br)
    if ports is None:
        show = ovs["show"]
        found = ", ".join(sorted(show["bridges"])) if show else ""
        return [
            Difference(
                "bridge-missing",
                f"bridge {br}",
                "present",
                f"absent (bridges: {found or 'none'})",
                "bridge",
            )
        ]
    diffs = _datapath_differences(config, ovs)
    diffs += _uplink_differences(config, ovs, ports)
    diffs += _mgmt_port_differences(config, ovs, ports)
    return diffs


def _datapath_differences(config: HostConfig, ovs: OvsSnapshot) -> list[Difference]:
    br = config.bridge
    diffs: list[Difference] = []
    brow = ovs["bridges"].get(br)
    if brow is not None:
        dp = brow["datapath_type"] or "system"
        if dp != config.datapath_type:
            diffs.append(
                Difference("bridge-datapath", f"bridge {br}", config.datapath_type, dp, "bridge")
            )
        if not brow["datapath_id"] and ovs["vswitchd_error"] is None:
            diffs.append(
                Difference("bridge-no-datapath", f"bridge {br}", "a datapath_id", "none", "bridge")
            )
    return diffs


def _uplink_differences(
    config: HostConfig, ovs: OvsSnapshot, ports: Mapping[str, ShowPort]
) -> list[Difference]:
    """The uplink (one NIC as a plain port, or a bond of them) carries every VLAN."""
    up = config.uplink_port
    bonded = len(config.uplinks) > 1
    label = "bond" if bonded else "uplink"
    if up not in ports:
        return [
            Difference(
                "port-missing",
                f"{label} port {up}",
                f"on bridge {config.bridge}",
                "absent",
                "uplink",
            )
        ]
    want = OvsPortVlan(tag=None, trunks=[], vlan_mode=None)
    diffs = vlan_differences(
        "port-vlan", f"{label} port {up}", want, port_vlan(ovs, ports, up), "uplink"
    )
    if bonded:
        diffs += _bond_member_differences(config, list(ports[up]["interfaces"]))
        diffs += _bond_column_differences(config, ovs["ports"].get(up))
    diffs += interface_problems(ovs, ports, up, f" (bond {up})" if bonded else "", "uplink")
    return diffs


def _bond_column_differences(config: HostConfig, row: PortState | None) -> list[Difference]:
    if row is None:  # no OVSDB row (an old recording): nothing to compare
        return []
    return [
        Difference(
            "bond-option",
            f"bond {config.uplink_port}",
            f"{col}={config.bond_columns[col]}",
            f"{col}={have}",
            "uplink",
        )
        for col, have in bond_column_differences(config, row).items()
    ]


def _bond_member_differences(config: HostConfig, members: list[str]) -> list[Difference]:
    up = config.uplink_port
    diffs: list[Difference] = []
    have = ", ".join(members) or "none"
    for nic in config.uplinks:
        if nic not in members:
            diffs.append(
                Difference("bond-member-missing", f"bond {up}", f"member {nic}", have, "uplink")
            )
    for nic in members:
        if nic not in config.uplinks:
            diffs.append(
                Difference(
                    "bond-member-extra",
                    f"bond {up}",
                    f"members {', '.join(config.uplinks)}",
                    f"also {nic}",
                    "uplink",
                )
            )
    return diffs


def _mgmt_port_differences(
    config: HostConfig, ovs: OvsSnapshot, ports: Mapping[str, ShowPort]
) -> list[Difference]:
    mgmt = config.mgmt_port_name
    subject = f"management port {mgmt}"
    if mgmt not in ports:
        return [Difference("port-missing", subject, f"on bridge {config.bridge}", "absent", "mgmt")]
    want_m = OvsPortVlan(tag=config.mgmt_vlan, trunks=[], vlan_mode=None)
    diffs = vlan_differences("port-vlan", subject, want_m, port_vlan(ovs, ports, mgmt), "mgmt")
    iface = ports[mgmt]["interfaces"].get(mgmt)
    itype = iface["type"] if iface is not None else None
    if itype != "internal":
        found = "no interface of that name" if iface is None else itype or "system"
        diffs.append(Difference("interface-type", subject, "internal", found, "mgmt"))
    diffs += interface_problems(ovs, ports, mgmt, "", "mgmt")
    return diffs


def switch_rows(config: HostConfig, ovs: OvsSnapshot, address: str) -> list[Row]:
    """The bridge / uplink / management lines of the table (status filled in later)."""
    br, up, mgmt = config.bridge, config.uplink_port, config.mgmt_port_name
    role = "bond" if len(config.uplinks) > 1 else "uplink"
    ports = bridge_ports(ovs, br)
    if ports is None:
        return [
            Row("bridge", br, config.datapath_type, "", ""),
            Row(role, up, "-", "", ""),
            Row("mgmt", mgmt, "-", address, ""),
        ]
    brow = ovs["bridges"].get(br)
    dp = (brow["datapath_type"] or "system") if brow is not None else "?"
    rows = [Row("bridge", br, f"datapath {dp}", "", "")]
    if up in ports:
        got = describe_vlan(port_vlan(ovs, ports, up))
        rows.append(Row(role, up, got, _ofports(ovs, ports, up), ""))
    else:
        rows.append(Row(role, up, "-", "", ""))
    if mgmt in ports:
        got = describe_vlan(port_vlan(ovs, ports, mgmt))
        rows.append(Row("mgmt", mgmt, got, address, ""))
    else:
        rows.append(Row("mgmt", mgmt, "-", address, ""))
    return rows


def _libvirt_owner(ovs: OvsSnapshot, ports: Mapping[str, ShowPort], port: str) -> str | None:
    """What libvirt wrote on one of the port's interfaces (attached-mac / vm-id), else None."""
    for iname in ports[port]["interfaces"]:
        row = ovs["interfaces"].get(iname)
        ids = row["external_ids"] if row is not None else {}
        if "attached-mac" in ids:
            return f"attached-mac {ids['attached-mac']}"
        if "vm-id" in ids:
            return f"vm-id {ids['vm-id']}"
    return None


def extra_port_differences(
    config: HostConfig, ovs: OvsSnapshot, used: set[str] | None
) -> list[Difference]:
    """Ports on our bridge that are neither ours nor libvirt's (reported, never touched),
    and, when ``used`` (the running NICs' vnet ports) is known, libvirt ports nobody uses."""
    ports = bridge_ports(ovs, config.bridge)
    if ports is None:
        return []
    ours = config.owned_ports
    diffs = []
    for port in sorted(ports):
        if port in ours:
            continue
        owner = _libvirt_owner(ovs, ports, port)
        if owner is None:
            kinds = sorted({i["type"] or "system" for i in ports[port]["interfaces"].values()})
            diffs.append(
                Difference(
                    "port-extra",
                    f"port {port}",
                    f"only {config.uplink_port}, {config.mgmt_port_name} and libvirt vnet ports",
                    f"{port} ({', '.join(kinds)} interface)",
                )
            )
        elif used is not None and port not in used:
            diffs.append(
                Difference(
                    "vm-port-stale", f"port {port}", "a running domain's NIC", f"unused ({owner})"
                )
            )
    return diffs
