"""What the host needs, from facts (pure): a full cutover, or just a live OVSDB fix.

Debian's ifupdown hook adds ports with ``--may-exist``: a changed ``tag=`` on an existing port
is never applied, and OVSDB keeps whatever someone set by hand.  So on every run the columns
we own are compared with the data and fixed in one ``ovs-vsctl`` transaction.  Ports libvirt
owns (vnetN) are never touched here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovs_hypervisor.host_state import LinkInfo
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.model_checks import BOND_DEFAULTS


def structural_gaps(
    config: HostConfig, ovs: Any, links: dict[str, LinkInfo], legacy: list[str]
) -> list[str]:
    """Reasons a cutover (ifdown/ifup) is needed; empty when only columns may differ."""
    gaps: list[str] = []
    bridges = (ovs.get("show") or {}).get("bridges", {})
    if config.bridge not in bridges:
        return [f"bridge {config.bridge} is missing"]
    ports = bridges[config.bridge].get("ports", {})
    for port in (config.uplink_port, config.mgmt_port_name):
        if port not in ports:
            gaps.append(f"port {port} is missing from {config.bridge}")
    mgmt = links.get(config.mgmt_port_name)
    if mgmt is None or str(config.mgmt_interface) not in mgmt["addresses"]:
        gaps.append(f"{config.mgmt_port_name} does not hold {config.mgmt_interface}")
    gaps += [
        f"legacy device {d} exists" for d in legacy if d in links and d not in config.owned_devices
    ]
    return gaps


def _port_fix(name: str, row: dict[str, Any], tag: int | None) -> list[str]:
    """ovs-vsctl sub-commands making port NAME an access port (tag) or a full trunk (None)."""
    args: list[str] = []
    have_tag = row.get("tag")
    if tag is not None and have_tag != tag:
        args += ["--", "set", "port", name, f"tag={tag}"]
    if tag is None and have_tag is not None:
        args += ["--", "clear", "port", name, "tag"]
    if row.get("trunks"):
        args += ["--", "clear", "port", name, "trunks"]
    if row.get("vlan_mode"):
        args += ["--", "clear", "port", name, "vlan_mode"]
    return args


def mgmt_columns_args(config: HostConfig) -> list[str]:
    """The management port's VLAN columns: an access port of the management VLAN."""
    port = config.mgmt_port_name
    return [
        *("--", "set", "port", port, f"tag={config.mgmt_vlan}"),
        *("--", "clear", "port", port, "trunks", "vlan_mode"),
    ]


def owned_columns_args(config: HostConfig) -> list[str]:
    """One `ovs-vsctl` transaction setting every column we own, whatever they are now: the
    cutover runs it after its ifup (which keeps an existing port's columns), with no facts."""
    args = mgmt_columns_args(config)
    args += ["--", "set", "bridge", config.bridge, f"datapath_type={config.datapath_type}"]
    if len(config.uplinks) > 1:
        bond = [f"{col}={value}" for col, value in sorted(config.bond_columns.items())]
        args += ["--", "set", "port", config.uplink_port, *bond]
    return args


def reconcile_args(config: HostConfig, ovs: Any) -> list[str]:
    """Arguments of one `ovs-vsctl` transaction fixing the columns we own; [] if none."""
    bridges = (ovs.get("show") or {}).get("bridges", {})
    if ovs.get("error") or config.bridge not in bridges:
        return []
    rows = ovs.get("ports", {})
    args: list[str] = []
    dp = (ovs.get("bridges", {}).get(config.bridge) or {}).get("datapath_type") or "system"
    if dp != config.datapath_type:
        args += ["--", "set", "bridge", config.bridge, f"datapath_type={config.datapath_type}"]
    if config.mgmt_port_name in rows:
        args += _port_fix(config.mgmt_port_name, rows[config.mgmt_port_name], config.mgmt_vlan)
    if config.uplink_port in rows:
        args += _port_fix(config.uplink_port, rows[config.uplink_port], None)
    if len(config.uplinks) > 1:
        port = bridges[config.bridge]["ports"].get(config.uplink_port, {})
        members = set(port.get("interfaces", {}))
        for nic in config.uplinks:
            if nic not in members:
                args += ["--", "add-bond-iface", config.uplink_port, nic]
        for nic in sorted(members - set(config.uplinks)):
            args += ["--", "del-bond-iface", config.uplink_port, nic]
        args += _bond_fix(config, rows.get(config.uplink_port))
    return args


def bond_column_differences(config: HostConfig, row: Mapping[str, Any]) -> dict[str, str]:
    """Bond columns (bond_mode, lacp) whose live value differs: column -> live value."""
    live = {col: row.get(col) or default for col, default in BOND_DEFAULTS.items()}
    want = config.bond_columns
    return {col: value for col, value in live.items() if value != want[col]}


def _bond_fix(config: HostConfig, row: Mapping[str, Any] | None) -> list[str]:
    """Set the bond columns the options changed: the hook applies them only at add-bond."""
    if row is None:
        return []
    wrong = bond_column_differences(config, row)
    if not wrong:
        return []
    want = config.bond_columns
    return ["--", "set", "port", config.uplink_port] + [
        f"{col}={want[col]}" for col in sorted(wrong)
    ]
