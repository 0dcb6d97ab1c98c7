"""How each running domain whose wiring changes is moved (pure: facts in, decision out).

* ``live``: the domain is already on our OVS bridge and only its VLANs change: the running
  NICs are updated in place (virDomainUpdateDeviceFlags) and the definition redefined; the
  guest never stops.
* ``save``: managed save (guest RAM to disk under libvirt's save directory), the saved
  image's XML and the persistent XML rewired, the guest resumed after the cutover: it keeps
  its boot id, uptime and processes; only its network pauses.
* ``restart``: graceful ACPI shutdown, then start (the guest reboots).

Everything is decided here, before any domain is touched, from the facts: a domain that
cannot be saved (host devices, not enough disk for its memory) is restarted instead or the
run stops, as ``ovs_hv_save_fallback`` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ovs_hypervisor.domain_xml import domain_nics
from ovs_hypervisor.model import HostConfig, HostDataError
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.plan import DomainChange

# libvirt's managed save directory for qemu:///system (compiled in: LOCALSTATEDIR).
SAVE_DIR = "/var/lib/libvirt/qemu/save"
MIB = 1024 * 1024
_UNITS = {
    "b": 1,
    "bytes": 1,
    "kb": 1000,
    "k": 1024,
    "kib": 1024,
    "mb": 1000**2,
    "m": MIB,
    "mib": MIB,
    "gb": 1000**3,
    "g": 1024**3,
    "gib": 1024**3,
    "tb": 1000**4,
    "t": 1024**4,
    "tib": 1024**4,
}


@dataclass(frozen=True)
class DomainMoves:
    save: list[str] = field(default_factory=list)
    restart: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)
    # Domains that save mode restarts instead, and why (printed by the deploy).
    fallbacks: dict[str, str] = field(default_factory=dict)

    def of(self, name: str) -> str:
        """The operation domain_interfaces runs for a changed domain."""
        if name in self.save:
            return "save"
        if name in self.live:
            return "live"
        return "define"


def _parse(xml: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    return etree.fromstring(xml.encode(), parser)


def memory_bytes(xml: str) -> int:
    """The domain's maximum memory (``<memory unit=...>``, KiB by default) in bytes."""
    el = _parse(xml).find("memory")
    if el is None or not (el.text or "").strip().isdigit():
        raise ValueError("the domain XML has no readable <memory>")
    unit = el.get("unit", "KiB").lower()
    if unit not in _UNITS:
        raise ValueError(f"unknown memory unit {unit!r}")
    return int((el.text or "0").strip()) * _UNITS[unit]


def save_need(memory: int) -> int:
    """Disk a managed save may need: the RAM part is at most the memory (QEMU skips zero
    pages, so images are usually smaller), plus device state and slack."""
    return memory + memory // 20 + 32 * MIB


def save_blockers(live_xml: str, nics: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    """Why this running domain cannot be moved by managed save (empty: it can).

    ``nics`` (MAC -> VLAN spec from the data): a trunk or hybrid NIC means the guest itself
    tags frames (802.1Q sub-interfaces). Measured on the lab (libvirt 9.0, QEMU 7.2, virtio
    NICs): after a managed save + restore, even on the very same port, the guest's tagged
    traffic no longer arrives (untagged still does), while a restarted guest works, so such
    domains are not saved.
    """
    root = _parse(live_xml)
    reasons = []
    trunks = sorted(mac for mac, spec in (nics or {}).items() if "trunk" in spec)
    if trunks:
        reasons.append(
            f"its NIC(s) {', '.join(trunks)} carry tagged VLANs, whose traffic a restored "
            "guest no longer receives (QEMU 7.2 virtio-net after a managed save)"
        )
    hostdevs = root.findall("./devices/hostdev") + root.findall(
        "./devices/interface[@type='hostdev']"
    )
    if hostdevs:
        reasons.append(
            f"it has {len(hostdevs)} host device(s) (PCI/USB passthrough), which QEMU cannot save"
        )
    return reasons


def _without_vlans(xml: str) -> bytes:
    root = _parse(xml)
    for vlan in root.findall("./devices/interface/vlan"):
        parent = vlan.getparent()
        if parent is not None:
            parent.remove(vlan)
    return etree.tostring(root, method="c14n")


def only_vlans_change(change: DomainChange, live_xml: str | None, bridge: str) -> bool:
    """True when the running domain is already on ``bridge`` through OVS and the new
    definition differs from the old one only in NIC ``<vlan>`` elements."""
    if not live_xml or _without_vlans(change.old_xml) != _without_vlans(change.new_xml):
        return False
    old = {n["mac"]: n["vlan"] for n in domain_nics(change.old_xml)}
    live = {n["mac"]: n for n in domain_nics(live_xml)}
    for nic in domain_nics(change.new_xml):
        if old.get(nic["mac"]) == nic["vlan"]:
            continue
        running = live.get(nic["mac"])
        if running is None or not (
            running["type"] == "bridge"
            and running["bridge"] == bridge
            and running["virtualport"] == "openvswitch"
        ):
            return False
    return True


def plan_moves(
    config: HostConfig,
    host: str,
    changes: list[DomainChange],
    domains: Mapping[str, Mapping[str, Any]],
    free_bytes: int | None,
) -> DomainMoves:
    """Decide per running changed domain: live, save or restart.  Raises HostDataError
    (nothing touched yet) when a domain cannot be saved and the fallback is "stop"."""
    moves = DomainMoves()
    problems: list[str] = []
    budget = free_bytes
    for change in changes:
        if not (change.changed and change.running):
            continue
        live_xml = domains.get(change.name, {}).get("live_xml")
        if only_vlans_change(change, live_xml, config.bridge):
            moves.live.append(change.name)
            continue
        if config.domain_move == "restart":
            moves.restart.append(change.name)
            continue
        reasons = save_blockers(live_xml or change.old_xml, change.nics)
        if not reasons and budget is not None:
            need = save_need(memory_bytes(live_xml or change.old_xml))
            if need > budget:
                reasons.append(
                    f"saving its memory needs about {need // MIB} MiB under {SAVE_DIR}, "
                    f"{budget // MIB} MiB free (after the domains saved before it)"
                )
            else:
                budget -= need
        if not reasons:
            moves.save.append(change.name)
        elif config.save_fallback == "restart":
            moves.restart.append(change.name)
            moves.fallbacks[change.name] = "; ".join(reasons)
        else:
            problems.append(
                f"{PREFIX}domain_move = 'save': domain {change.name} cannot be saved: "
                f"{'; '.join(reasons)}; fix: free the disk / remove the device, or set "
                f"{PREFIX}save_fallback = 'restart' (it reboots) or {PREFIX}domain_move = "
                "'restart'"
            )
    if problems:
        raise HostDataError(host, problems)
    return moves


def needs_free_space(config: HostConfig, changes: list[DomainChange]) -> bool:
    """Whether the save directory's free space must be read (one remote command)."""
    return config.domain_move == "save" and any(c.changed and c.running for c in changes)
