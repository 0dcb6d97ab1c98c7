"""The legacy Linux bridges: which VLAN each carries (see :class:`BridgeKind`)."""

from __future__ import annotations

from ovs_hypervisor.discover.facts import LinkFact
from ovs_hypervisor.discover.files import Files, words
from ovs_hypervisor.discover.findings import BridgeKind, LegacyBridge, Notes, Uplink, VlanDevice
from ovs_hypervisor.discover.vlans import live_members


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"yes", "on", "1", "true"}


def _mix_problem(name: str, vlan_ports: list[str], up_ports: list[str], others: list[str],
                 vlandevs: dict[str, VlanDevice]) -> tuple[str, str] | None:  # fmt: skip
    """(what, fix) when a bridge's ports make its VMs' VLAN ambiguous."""
    if len(vlan_ports) > 1:
        listed = ", ".join(f"{p} (VLAN {vlandevs[p].vid})" for p in vlan_ports)
        return (
            f"bridge {name} has {len(vlan_ports)} VLAN ports ({listed}): a legacy "
            "bridge carries one VLAN, so its VMs' VLAN is ambiguous",
            "give each VLAN its own bridge (or drop one port), then run discovery again",
        )
    if vlan_ports and (up_ports or others):
        return (
            f"bridge {name} mixes VLAN port {vlan_ports[0]} with "
            f"{', '.join(up_ports + others)}: its VMs' VLAN is ambiguous",
            "keep only the VLAN device in bridge_ports, then run discovery again",
        )
    if up_ports and others:
        return (
            f"bridge {name} mixes the uplink {', '.join(up_ports)} with {', '.join(others)}",
            "write this host's data by hand",
        )
    return None


def _file_bridge(
    files: Files,
    name: str,
    vlandevs: dict[str, VlanDevice],
    raw_side: set[str],
    owner: dict[str, str],
    notes: Notes,
) -> LegacyBridge | None:
    """What one bridge of the files is (None: an error noted)."""
    opts = files.opts(name)
    where = files.loc(name, "bridge_ports")
    ports = [p for p in words(opts["bridge_ports"]) if p != "none"]
    if any(p in ("all", "regex") for p in ports):
        notes.error(
            where,
            f"bridge {name}: `bridge_ports {' '.join(opts['bridge_ports'])}` does not "
            "name its ports",
            "list the ports by name, then run discovery again",
        )
        return None
    vlan_ports = [p for p in ports if p in vlandevs]
    up_ports = [p for p in ports if p in raw_side]
    others = [p for p in ports if p not in vlandevs and p not in raw_side]
    for p in ports:
        if p in owner:
            notes.error(
                where,
                f"{p} is a port of both {owner[p]} and {name}",
                "a device belongs to one bridge: fix the file, then run discovery again",
            )
        owner[p] = name
    if any(_truthy(v) for v in opts.get("bridge_vlan_aware", [])) and (vlan_ports or up_ports):
        notes.error(
            where,
            f"bridge {name} is VLAN-aware (bridge-vlan-aware): discovery cannot tell "
            "its VMs' VLANs",
            "write this host's data by hand",
        )
        return None
    problem = _mix_problem(name, vlan_ports, up_ports, others, vlandevs)
    if problem is not None:
        notes.error(where, *problem)
        return None
    if vlan_ports:
        return LegacyBridge(BridgeKind.VLAN, vlandevs[vlan_ports[0]].vid)
    if up_ports:
        return LegacyBridge(BridgeKind.TRUNK)
    return LegacyBridge(BridgeKind.OTHER if ports else BridgeKind.ISOLATED)


def _compare_live(files: Files, links: dict[str, LinkFact], name: str, notes: Notes) -> None:
    live = links.get(name)
    if live is None:
        notes.warn(f"{files.loc(name)}: bridge {name} is not up right now")
        return
    if live["kind"] != "bridge":
        return
    ports = sorted(p for p in words(files.opts(name)["bridge_ports"]) if p != "none")
    members = live_members(links, name)
    if ports != members:
        notes.warn(
            f"{files.loc(name, 'bridge_ports')}: bridge {name} has ports "
            f"{', '.join(ports) or 'none'} in the file but {', '.join(members) or 'none'} "
            "live: the plan follows the file"
        )


def _live_only_bridges(
    files: Files,
    links: dict[str, LinkFact],
    vlandevs: dict[str, VlanDevice],
    known: dict[str, LegacyBridge],
    notes: Notes,
) -> dict[str, LegacyBridge]:
    """Live bridges the files do not configure (made by hand, by libvirt networks...)."""
    out: dict[str, LegacyBridge] = {}
    for name, link in sorted(links.items()):
        if link["kind"] != "bridge" or name in known or name in files.cfg["interfaces"]:
            continue
        members = live_members(links, name)
        vids = {vlandevs[m].vid for m in members if m in vlandevs}
        vids |= {
            vid
            for m in members
            if links[m]["kind"] == "vlan" and (vid := links[m]["vlan_id"]) is not None and vid
        }
        if len(members) == 1 and len(vids) == 1:
            vid = vids.pop()
            out[name] = LegacyBridge(BridgeKind.VLAN, vid)
            notes.warn(
                f"bridge {name} (VLAN {vid} through {members[0]}) is up but not in "
                "the interfaces files: mapped from the live links"
            )
        else:
            out[name] = LegacyBridge(BridgeKind.LIVE)
    return out


def legacy_bridges(
    files: Files,
    links: dict[str, LinkFact],
    vlandevs: dict[str, VlanDevice],
    up: Uplink,
    notes: Notes,
) -> dict[str, LegacyBridge]:
    """Every bridge of the files, then every live one the files do not configure."""
    out: dict[str, LegacyBridge] = {}
    owner: dict[str, str] = {}
    raw_side = {up.raw, *up.nics}
    for name in files.cfg["interfaces"]:
        if "bridge_ports" not in files.opts(name):
            continue
        found = _file_bridge(files, name, vlandevs, raw_side, owner, notes)
        if found is not None:
            out[name] = found
            _compare_live(files, links, name, notes)
    return {**out, **_live_only_bridges(files, links, vlandevs, out, notes)}
