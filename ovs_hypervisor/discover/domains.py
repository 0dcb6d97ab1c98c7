"""Each VM NIC's plan: the VLAN of the bridge in its (inactive) domain XML."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ovs_hypervisor.discover.facts import LinkFact
from ovs_hypervisor.discover.findings import (
    BridgeKind,
    LegacyBridge,
    NicMode,
    NicPlan,
    Notes,
    VlanDevice,
)
from ovs_hypervisor.domain_xml import DomainNic, domain_nics


@dataclass(frozen=True)
class DomainPlans:
    nics: list[NicPlan] = field(default_factory=list)
    specs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # ovs_hv_domains


@dataclass(frozen=True)
class _Context:
    """What every NIC's plan is decided from."""

    bridge_name: str  # the OVS bridge
    bridges: dict[str, LegacyBridge]
    links: dict[str, LinkFact]
    legacy: set[str]  # devices the migration removes
    trunk_vids: list[int]  # this host's VLANs but management


# Makes a NicPlan of this NIC: (now, mode, spec, reason) -> NicPlan
_Plan = Callable[[str, NicMode, dict[str, Any] | None, str], NicPlan]

_KEPT_BECAUSE = {
    BridgeKind.ISOLATED: "a bridge without ports, kept as it is",
    BridgeKind.OTHER: "not a legacy VLAN bridge, kept as it is",
    BridgeKind.LIVE: "a live bridge that is not a legacy VLAN bridge (not in the files)",
}


def _on_ovs(dom: str, nic: DomainNic, plan: _Plan, notes: Notes) -> NicPlan:
    """A NIC already on Open vSwitch keeps its <vlan>."""
    now = str(nic["bridge"])
    spec = nic["vlan"]
    if spec is None:
        return plan(now, "unchanged", None, "already on Open vSwitch, no VLAN set")
    if spec.get("native_mode") == "tagged":
        notes.warn(
            f"domain {dom}, NIC {nic['mac']}: native VLAN in tagged mode cannot be "
            "written in the host data: left as it is"
        )
        return plan(now, "unchanged", None, "already on OVS (native tagged)")
    clean = {k: v for k, v in spec.items() if k in ("vlan", "trunk", "native")}
    mode: NicMode = "access" if "vlan" in clean else "hybrid" if "native" in clean else "trunk"
    return plan(now, mode, clean, "already on Open vSwitch: its <vlan> is kept")


def _on_bridge(
    dom: str, nic: DomainNic, ctx: _Context, plan: _Plan, notes: Notes
) -> NicPlan | None:
    mac, br = nic["mac"], str(nic["bridge"])
    if br == ctx.bridge_name or nic["virtualport"] == "openvswitch":
        return _on_ovs(dom, nic, plan, notes)
    if nic["vlan"] is not None:
        notes.warn(
            f"domain {dom}, NIC {mac}: the <vlan> element on Linux bridge {br} has no "
            "effect and is replaced"
        )
    if br not in ctx.bridges and br not in ctx.links:
        notes.error(
            f"domain {dom}",
            f"NIC {mac} is on bridge {br!r} (<source bridge='{br}'/>), but this host has "
            "no such bridge (not in the interfaces files, not live)",
            f"attach the NIC to an existing bridge (`virsh edit {dom}`) or remove it, "
            "then run discovery again",
        )
        return None
    bridge = ctx.bridges.get(br, LegacyBridge(BridgeKind.LIVE))
    if bridge.kind is BridgeKind.VLAN and bridge.vid is not None:
        return plan(br, "access", {"vlan": bridge.vid}, f"{br} carries VLAN {bridge.vid}")
    if bridge.kind is BridgeKind.TRUNK:
        if not ctx.trunk_vids:
            notes.error(
                f"domain {dom}",
                f"NIC {mac} is on the trunk bridge {br}, and this host has no VLANs "
                "besides management to put in its trunk list",
                f"set ovs_hv_domains for {dom} by hand",
            )
            return None
        notes.warn(
            f"domain {dom}, NIC {mac} is on the VLAN-unaware bridge {br} over the raw "
            f"uplink (every VLAN and untagged frames): planned as a trunk of this host's "
            f"VLANs except management ({', '.join(map(str, ctx.trunk_vids))}); untagged "
            "frames and VLANs this host has no device for are no longer passed: edit "
            "ovs_hv_domains if the VM needs others"
        )
        return plan(
            br, "trunk", {"trunk": ctx.trunk_vids}, f"{br} is a trunk bridge over the uplink"
        )
    what = _KEPT_BECAUSE[bridge.kind]
    notes.warn(f"domain {dom}, NIC {mac} stays on {br}: {what}")
    return plan(br, "unchanged", None, what)


def _nic_plan(dom: str, state: str, nic: DomainNic, ctx: _Context, notes: Notes) -> NicPlan | None:
    """One NIC's plan (None: an error noted)."""
    mac = str(nic["mac"])
    kind = nic["type"]

    def plan(now: str, mode: NicMode, spec: dict[str, Any] | None, reason: str) -> NicPlan:
        return NicPlan(dom, state, mac, now, mode, spec, reason)

    if kind == "bridge" and not nic["bridge"]:
        notes.warn(f"domain {dom}, NIC {mac}: type 'bridge' without a source bridge, left as is")
        return plan("no bridge", "unchanged", None, "no <source bridge>")
    if kind == "bridge":
        return _on_bridge(dom, nic, ctx, plan, notes)
    if kind == "network":
        notes.warn(
            f"domain {dom}, NIC {mac} is on libvirt network {nic['network']!r}: left as it "
            "is (discovery does not read network definitions)"
        )
        return plan(f"network {nic['network']}", "unchanged", None, "libvirt network")
    if kind == "direct":
        dev = nic["source_dev"]
        if dev in ctx.legacy:
            notes.error(
                f"domain {dom}",
                f"NIC {mac} is a macvtap on {dev}, which the migration removes",
                f"move the NIC to bridge {ctx.bridge_name} or a VLAN bridge "
                f"(`virsh edit {dom}`), then run discovery again",
            )
            return None
        notes.warn(f"domain {dom}, NIC {mac}: macvtap on {dev}, left as it is")
        return plan(f"direct {dev} (macvtap)", "unchanged", None, "macvtap")
    notes.warn(f"domain {dom}, NIC {mac}: type {kind!r}, left as it is")
    return plan(f"type {kind}", "unchanged", None, f"type {kind}")


def _live_nics(info: Mapping[str, Any]) -> dict[str, DomainNic]:
    if not info.get("live_xml"):
        return {}
    try:
        return {n["mac"]: n for n in domain_nics(str(info["live_xml"])) if n["mac"]}
    except ValueError:
        return {}


def _compare_running(
    dom: str, nic: DomainNic, live: DomainNic | None, links: dict[str, LinkFact], notes: Notes
) -> None:
    """Say where the running NIC differs from its definition (the plan follows the latter)."""
    if live is None or nic["type"] != "bridge":
        return
    mac = nic["mac"]
    if live["bridge"] != nic["bridge"]:
        notes.warn(
            f"domain {dom}, NIC {mac}: defined on {nic['bridge']} but running on "
            f"{live['bridge']}: the plan follows the definition"
        )
    target = live["target"]
    if target and target in links and links[target]["master"] not in (None, nic["bridge"]):
        notes.warn(
            f"domain {dom}, NIC {mac}: its tap {target} is in "
            f"{links[target]['master']}, not {nic['bridge']}"
        )


def domain_plans(
    domains: Mapping[str, Mapping[str, Any]],
    vlandevs: dict[str, VlanDevice],
    bridges: dict[str, LegacyBridge],
    links: dict[str, LinkFact],
    bridge_name: str,
    mgmt_vid: int | None,
    notes: Notes,
) -> DomainPlans:
    """Every NIC of every domain, in domain name order; ``specs`` only the moved ones."""
    legacy = set(vlandevs) | {b for b, br in bridges.items() if br.migrated}
    trunk_vids = sorted({dev.vid for dev in vlandevs.values() if dev.vid != mgmt_vid})
    ctx = _Context(bridge_name, bridges, links, legacy, trunk_vids)
    out = DomainPlans()
    for dom in sorted(domains):
        info = domains[dom]
        state = str(info.get("state", "?"))
        try:
            nics = domain_nics(str(info["xml"]))
        except ValueError as exc:
            notes.error(f"domain {dom}", f"its XML cannot be read ({exc})", "fix the domain")
            continue
        live_nics = _live_nics(info)
        for nic in nics:
            mac = nic["mac"]
            if mac is None:
                notes.warn(f"domain {dom}: a NIC without a MAC address is left as it is")
                continue
            plan = _nic_plan(dom, state, nic, ctx, notes)
            if plan is None:
                continue
            out.nics.append(plan)
            if plan.spec is not None:
                out.specs.setdefault(dom, {})[mac] = plan.spec
            _compare_running(dom, nic, live_nics.get(mac), links, notes)
        if out.specs.get(dom) and info.get("persistent") is False:
            notes.error(
                f"domain {dom}",
                "is transient (not defined): the migration stops it, which would delete it",
                f"`virsh dumpxml {dom} > {dom}.xml && virsh define {dom}.xml`, then run "
                "discovery again",
            )
    return out
