"""The legacy VLAN devices and the uplink under them."""

from __future__ import annotations

import re

from ovs_hypervisor.discover.facts import LinkFact
from ovs_hypervisor.discover.files import TOP_FILE, Files, words
from ovs_hypervisor.discover.findings import Notes, Uplink, VlanDevice
from ovs_hypervisor.model_keys import PREFIX

_VLAN_NAME = re.compile(r"^vlan(\d+)$")
_DOT_NAME = re.compile(r"^(.+)\.(\d+)$")
TAP_KINDS = {"tun", "tap"}
_BOND_MODES = {
    "802.3ad": ("bond_mode=balance-tcp lacp=active", True),
    "4": ("bond_mode=balance-tcp lacp=active", True),
    "active-backup": ("bond_mode=active-backup", True),
    "1": ("bond_mode=active-backup", True),
}


def live_members(links: dict[str, LinkFact], bridge: str) -> list[str]:
    """The live ports of a bridge (VM taps left out)."""
    return sorted(
        n for n, link in links.items() if link["master"] == bridge and link["kind"] not in TAP_KINDS
    )


def _named_vlan(
    files: Files, links: dict[str, LinkFact], name: str, vid: int, raw: str | None, notes: Notes
) -> VlanDevice | None:
    """vlanNNN: its raw device from vlan-raw-device, else from the live device."""
    if raw is not None:
        return VlanDevice(vid, raw)
    live = links.get(name)
    if live and live["kind"] == "vlan" and live["link"]:
        notes.warn(
            f"{files.loc(name)}: {name} has no vlan-raw-device; its live "
            f"device sits on {live['link']}, taken as its raw device"
        )
        return VlanDevice(vid, live["link"])
    notes.error(
        files.loc(name),
        f"VLAN device {name} has no vlan-raw-device: cannot tell which NIC carries VLAN {vid}",
        f"add `vlan-raw-device <NIC>` to iface {name}, then run discovery again",
    )
    return None


def _stanza_vlan(
    files: Files, links: dict[str, LinkFact], name: str, notes: Notes
) -> VlanDevice | None:
    """The VLAN device an iface stanza configures (None: not one, or an error noted)."""
    opts = files.opts(name)
    if "ovs_type" in opts or "ovs_bridge" in opts:
        return None  # an Open vSwitch port (a migrated host), not a VLAN device
    raw_opt = opts.get("vlan_raw_device", [None])[0]
    if m := _VLAN_NAME.match(name):
        dev = _named_vlan(files, links, name, int(m.group(1)), raw_opt, notes)
    elif m := _DOT_NAME.match(name):
        dev = VlanDevice(int(m.group(2)), m.group(1))
        if raw_opt is not None and raw_opt != dev.raw:
            notes.error(
                files.loc(name, "vlan_raw_device"),
                f"{name} names raw device {dev.raw} but says vlan-raw-device {raw_opt}",
                "make them agree (the name wins for ifupdown), then run discovery again",
            )
            return None
    elif raw_opt is not None:
        vid_opt = opts.get("vlan_id", [None])[0]
        if vid_opt is None or not vid_opt.isdigit():
            notes.error(
                files.loc(name, "vlan_raw_device"),
                f"{name} has vlan-raw-device {raw_opt} but its name carries no VLAN "
                "id (vlanNNN or NIC.NNN) and it has no vlan-id",
                f"rename it vlanNNN or {raw_opt}.NNN, then run discovery again",
            )
            return None
        dev = VlanDevice(int(vid_opt), raw_opt)
    else:
        return None
    if dev is None:
        return None
    if not 1 <= dev.vid <= 4094:
        notes.error(
            files.loc(name),
            f"VLAN device {name}: VLAN id {dev.vid} is out of range (1-4094)",
            "fix or remove this stanza, then run discovery again",
        )
        return None
    live = links.get(name)
    if live and live["kind"] == "vlan" and (live["vlan_id"], live["link"]) != dev:
        notes.error(
            files.loc(name),
            f"the file makes {name} VLAN {dev.vid} on {dev.raw}, but the live device is "
            f"VLAN {live['vlan_id']} on {live['link']}",
            f"make them agree (`ifdown {name}; ifup {name}` applies the file), then "
            "run discovery again",
        )
        return None
    return dev


def _add(out: dict[str, VlanDevice], name: str, dev: VlanDevice, where: str, notes: Notes) -> None:
    for other, known in out.items():
        if known == dev:
            notes.error(
                where,
                f"{name} and {other} are both VLAN {dev.vid} on {dev.raw}",
                "keep one of them, then run discovery again",
            )
    out[name] = dev


def vlan_devices(files: Files, links: dict[str, LinkFact], notes: Notes) -> dict[str, VlanDevice]:
    """name -> VLAN device, from the files; problems are errors."""
    out: dict[str, VlanDevice] = {}
    for name in files.cfg["interfaces"]:
        dev = _stanza_vlan(files, links, name, notes)
        if dev is not None:
            _add(out, name, dev, files.loc(name), notes)
    # bridge-utils creates a DEV.N port named in bridge_ports even without a stanza.
    for name in files.cfg["interfaces"]:
        for port in words(files.opts(name).get("bridge_ports", [])):
            m = _DOT_NAME.match(port)
            if port in out or port in files.cfg["interfaces"] or m is None:
                continue
            where = files.loc(name, "bridge_ports")
            vid = int(m.group(2))
            if not 1 <= vid <= 4094:
                notes.error(
                    where,
                    f"bridge port {port}: VLAN id {vid} is out of range (1-4094)",
                    "fix or remove the port, then run discovery again",
                )
                continue
            _add(out, port, VlanDevice(vid, m.group(1)), where, notes)
    return out


def _raw_device(files: Files, vlandevs: dict[str, VlanDevice], notes: Notes) -> str | None:
    """The one device every VLAN device sits on."""
    raws = sorted({dev.raw for dev in vlandevs.values()})
    top = files.paths[0] if files.paths else TOP_FILE
    if not raws:
        notes.error(
            top,
            "no VLAN devices (vlanNNN with vlan-raw-device, or NIC.NNN): nothing to migrate from",
            "discovery reads hosts with one vlanNNN + bridgeNNN pair per VLAN; write this "
            "host's data by hand",
        )
        return None
    if len(raws) > 1:
        per = "; ".join(
            f"{r}: VLAN " + ", ".join(str(v) for v, rr in sorted(vlandevs.values()) if rr == r)
            for r in raws
        )
        notes.error(
            top,
            f"the VLANs ride on {len(raws)} NICs ({per}): the deploy builds one OVS bridge "
            "with one uplink (or one bond)",
            "move all VLANs onto one NIC or bond first, or write this host's data by hand",
        )
        return None
    return raws[0]


def _bond_slaves(files: Files, links: dict[str, LinkFact], raw: str) -> list[str]:
    slaves = [w for w in words(files.opts(raw).get("bond_slaves", [])) if w != "none"]
    if not slaves:
        slaves = [
            n for n in files.cfg["interfaces"] if files.opts(n).get("bond_master", [None])[0] == raw
        ]
    return slaves or live_members(links, raw)


def _bond_uplink(files: Files, raw: str, slaves: list[str], notes: Notes) -> Uplink:
    """A Linux bond under the VLANs: an OVS bond of its slaves (one slave: that NIC)."""
    if len(slaves) == 1:
        notes.warn(
            f"{files.loc(raw)}: bond {raw} has one slave ({slaves[0]}): the OVS uplink "
            f"is {slaves[0]} itself, no bond"
        )
        return Uplink(raw, slaves, bond=raw)
    opts = files.opts(raw)
    mode = opts.get("bond_mode", ["balance-rr"])[0]
    options, exact = _BOND_MODES.get(mode, ("bond_mode=balance-slb", False))
    if mode in ("802.3ad", "4") and opts.get("bond_lacp_rate", ["slow"])[0] in ("fast", "1"):
        options += " other_config:lacp-time=fast"
    if not exact:
        notes.warn(
            f"{files.loc(raw, 'bond_mode')}: Linux bond mode {mode!r} has no exact "
            f"OVS equivalent: planned `{options}` (switch-independent); check the "
            "switch side and set ovs_hv_bond_options if it needs another mode"
        )
    else:
        notes.warn(
            f"{files.loc(raw)}: bond {raw} (mode {mode}) becomes an OVS bond of "
            f"{', '.join(slaves)} with `{options}`"
        )
    data = {f"{PREFIX}bond_name": raw, f"{PREFIX}bond_options": options}
    return Uplink(raw, slaves, bond=raw, data=data)


def uplink(
    files: Files, links: dict[str, LinkFact], vlandevs: dict[str, VlanDevice], notes: Notes
) -> Uplink | None:
    """The uplink: the NIC under the VLAN devices, or the slaves of the bond there."""
    raw = _raw_device(files, vlandevs, notes)
    if raw is None:
        return None
    live = links.get(raw)
    if (live and live["kind"] == "bridge") or "bridge_ports" in files.opts(raw):
        notes.error(
            files.loc(raw),
            f"the VLAN devices sit on {raw}, which is a bridge, not a NIC or bond",
            "write this host's data by hand",
        )
        return None
    declared = [w for w in words(files.opts(raw).get("bond_slaves", [])) if w != "none"]
    if declared or (live is not None and live["kind"] == "bond"):
        slaves = _bond_slaves(files, links, raw)
        if not slaves:
            notes.error(
                files.loc(raw),
                f"{raw} is a bond without slaves (no bond-slaves, no bond-master lines, none live)",
                f"add `bond-slaves NIC NIC` to iface {raw}, then run discovery again",
            )
            return None
        found = _bond_uplink(files, raw, slaves, notes)
    else:
        found = Uplink(raw, [raw])
    for nic in found.nics:
        if nic not in links:
            notes.warn(f"uplink {nic} does not exist on the host right now")
    return found
