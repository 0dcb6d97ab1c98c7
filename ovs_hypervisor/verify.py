"""Expected vs actual: compare the switch and the VMs' ports with the data (pure).

Each difference is one human-readable line that says what was expected and what was found.
"""

from __future__ import annotations

from typing import Any

from ovs_hypervisor.domain_xml import domain_nics, expected_ovs_port
from ovs_hypervisor.host_state import LinkInfo, OvsSnapshot
from ovs_hypervisor.model import HostConfig


def _norm_trunks(value: Any) -> list[int]:
    return sorted(int(v) for v in (value or []))


def check_switch(config: HostConfig, ovs: OvsSnapshot) -> list[str]:
    """The bridge, the uplink and the management port."""
    if ovs["error"]:
        return [f"cannot read OVS: {ovs['error']}"]
    diffs: list[str] = []
    bridges = ovs["show"].get("bridges", {})
    br = config.bridge
    if br not in bridges:
        return [f"bridge {br} is missing (bridges: {', '.join(sorted(bridges)) or 'none'})"]
    ports = bridges[br]["ports"]
    row = ovs["bridges"].get(br, {})
    dp = row.get("datapath_type") or "system"
    if dp != config.datapath_type:
        diffs.append(f"bridge {br}: datapath_type expected {config.datapath_type}, found {dp}")

    uplink = config.uplink_port
    if uplink not in ports:
        diffs.append(f"uplink port {uplink} is missing from {br}")
    elif len(config.uplinks) > 1:
        members = set(ports[uplink]["interfaces"])
        for nic in config.uplinks:
            if nic not in members:
                diffs.append(f"bond {uplink}: member {nic} is missing")
    else:
        tag = ovs["ports"].get(uplink, {}).get("tag")
        if tag is not None:
            diffs.append(f"uplink port {uplink}: expected a trunk (no tag), found tag {tag}")

    mgmt = config.mgmt_port_name
    if mgmt not in ports:
        diffs.append(f"management port {mgmt} is missing from {br}")
    else:
        tag = ports[mgmt].get("tag")
        if tag != config.mgmt_vlan:
            diffs.append(f"management port {mgmt}: tag expected {config.mgmt_vlan}, found {tag}")
        itype = ports[mgmt]["interfaces"].get(mgmt, {}).get("type")
        if itype != "internal":
            diffs.append(f"management port {mgmt}: interface type expected internal, found {itype}")

    for pname in [uplink, mgmt, *(config.uplinks if len(config.uplinks) > 1 else [])]:
        for iname, iface in ports.get(pname, {}).get("interfaces", {}).items():
            if iface.get("error"):
                diffs.append(f"interface {iname}: error: {iface['error']}")
            elif ovs["interfaces"].get(iname, {}).get("ofport") == -1:
                diffs.append(f"interface {iname}: ofport -1 (OVS could not open it)")
    return diffs


def check_host_links(
    config: HostConfig, links: dict[str, LinkInfo], legacy: list[str]
) -> list[str]:
    diffs: list[str] = []
    mgmt = config.mgmt_port_name
    addr = str(config.mgmt_interface)
    if mgmt not in links:
        diffs.append(f"management port {mgmt} does not exist on the host")
    elif addr not in links[mgmt]["addresses"]:
        found = ", ".join(links[mgmt]["addresses"]) or "none"
        diffs.append(f"management port {mgmt}: address {addr} missing (has: {found})")
    ours = {config.bridge, mgmt, config.uplink_port, *config.uplinks}
    for dev in legacy:
        # vlan1234 may be both a legacy VLAN device and, now, our management port.
        if dev in links and dev not in ours:
            diffs.append(f"legacy device {dev} still exists")
    return diffs


def check_domains(
    config: HostConfig, ovs: OvsSnapshot, domains: dict[str, dict[str, Any]]
) -> list[str]:
    """Every running VM NIC on our bridge has a vnet port tagged as its live XML asks."""
    if ovs["error"]:
        return []
    diffs: list[str] = []
    for name in sorted(domains):
        info = domains[name]
        if info.get("state") != "running" or not info.get("live_xml"):
            continue
        for nic in domain_nics(info["live_xml"]):
            if nic["bridge"] != config.bridge:
                continue
            who = f"{name} {nic['mac']}"
            vnet = nic["target"]
            if not vnet or vnet not in ovs["ports"]:
                diffs.append(f"{who}: vnet port {vnet or '?'} is not on OVS")
                continue
            want = expected_ovs_port(nic["vlan"])
            port = ovs["ports"][vnet]
            got = {
                "tag": port.get("tag"),
                "trunks": _norm_trunks(port.get("trunks")),
                "vlan_mode": port.get("vlan_mode"),
            }
            for key in ("tag", "trunks", "vlan_mode"):
                exp: Any = want[key]
                if key == "trunks":
                    exp = _norm_trunks(exp)
                if exp != got[key]:
                    diffs.append(f"{who} port {vnet}: {key} expected {exp}, found {got[key]}")
    return diffs
