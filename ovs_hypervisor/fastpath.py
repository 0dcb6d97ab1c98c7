"""Make-before-break cutover: what to prepare, what the gap does, what comes after (pure).

The classic cutover deconfigures the old network, then runs ``ifup --allow=ovs -a``: the host
is unreachable for all of it.  Here everything that does not need the uplink is built while
the old network still carries traffic, with the very ``ovs-vsctl`` commands Debian's ifupdown
hook runs for the rendered file (so OVSDB ends up the same); the gap only removes the legacy
devices in the way, finishes the OVS side in one transaction, puts the address and default
route on the management port (ifupdown's ``inet static`` commands) and announces it.  The
slow part (ifdown of the other legacy stanzas, then the real ``ifup`` of the new file, which
then finds everything in place and only records its state and runs its hooks) comes after.

Why the uplink can join OVS before the gap: it carries no address, and the kernel hands a
tagged frame to an 802.1Q device on the NIC (``vlanNNN``) before any rx handler (the OVS
datapath) sees it, so the legacy VLAN devices keep receiving their VLANs until they are gone.
An uplink enslaved to a legacy bridge or bond has to be released first: that is in the gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ovs_hypervisor.host_state import LinkInfo
from ovs_hypervisor.model import HostConfig, HostDataError
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.plan import HostPlan
from ovs_hypervisor.reconcile import mgmt_columns_args

# Where the kernel datapath shows OVS ports' master.
OVS_MASTER = "ovs-system"


@dataclass(frozen=True)
class FastPlan:
    prep_ovs: list[str] = field(default_factory=list)  # one ovs-vsctl transaction, before the gap
    prep_up: list[str] = field(default_factory=list)  # `ip link set up` before the gap
    gap_delete: list[str] = field(default_factory=list)  # legacy devices in the way (masters first)
    gap_flush: list[str] = field(default_factory=list)  # uplinks whose IPv4 addresses go
    gap_addr_del: list[str] = field(default_factory=list)  # other holders of the mgmt address
    gap_ovs: list[str] = field(default_factory=list)  # one ovs-vsctl transaction in the gap
    gap_up: list[str] = field(default_factory=list)
    # ifupdown records dropped without running their down commands: they would take down
    # what is now in OVS (eth0's `inet manual` sets it down) or act on devices already gone.
    forget: list[str] = field(default_factory=list)
    down_old: list[str] = field(default_factory=list)  # old stanzas ifdown'ed after the gap


def _bridge_args(config: HostConfig) -> list[str]:
    """The hook's OVSBridge command for the rendered stanza (ovs_extra only off `system`)."""
    args = ["--", "--may-exist", "add-br", config.bridge]
    if config.datapath_type != "system":
        args += ["--", "set", "bridge", config.bridge, f"datapath_type={config.datapath_type}"]
    return args


def _uplink_args(config: HostConfig, existing_ports: set[str]) -> list[str]:
    """The hook's OVSPort / OVSBond command. add-bond has no --may-exist: an existing bond
    gets the options instead (the data may have changed them; ifup never would)."""
    if len(config.uplinks) == 1:
        return ["--", "--may-exist", "add-port", config.bridge, config.uplinks[0]]
    if config.bond_name in existing_ports:
        return ["--", "set", "port", config.bond_name, *config.bond_options.split()]
    return [
        "--",
        "--fake-iface",
        "add-bond",
        config.bridge,
        config.bond_name,
        *config.uplinks,
        *config.bond_options.split(),
    ]


def _mgmt_args(config: HostConfig) -> list[str]:
    """The hook's OVSIntPort command, then the columns ifup would not fix on an existing port."""
    port = config.mgmt_port_name
    return [
        "--",
        "--may-exist",
        "add-port",
        config.bridge,
        port,
        f"tag={config.mgmt_vlan}",
        "--",
        "set",
        "Interface",
        port,
        "type=internal",
        *mgmt_columns_args(config),
    ]


def _ports_of(ovs: Any, bridge: str) -> dict[str, Any]:
    bridges = (ovs.get("show") or {}).get("bridges", {})
    ports: dict[str, Any] = (bridges.get(bridge) or {}).get("ports", {})
    return ports


def plan_fast(
    config: HostConfig,
    host: str,
    plan: HostPlan,
    links: dict[str, LinkInfo],
    ovs: Any,
) -> FastPlan:
    """The make-before-break steps; HostDataError naming the device on any collision."""
    bridges = (ovs.get("show") or {}).get("bridges", {})
    ours = _ports_of(ovs, config.bridge)
    our_names = set(ours) | {i for p in ours.values() for i in p.get("interfaces", {})}
    legacy = set(plan.legacy_bridges) | set(plan.legacy_members)
    # Devices the cutover takes away anyway: legacy plumbing and what the old file raised.
    removable = legacy | set(plan.down_with_old_file)

    problems = _taken_on_other_bridges(config, bridges)
    named_problems, gap_delete = _existing_devices(config, links, our_names, removable)
    uplink_problems, holders, uplinks_free = _uplink_holders(config, links, our_names, removable)
    if problems + named_problems + uplink_problems:
        raise HostDataError(host, problems + named_problems + uplink_problems)
    gap_delete += holders

    address_delete, gap_flush, gap_addr_del = _mgmt_address_holders(config, plan, links, legacy)
    gap_delete += address_delete
    for nic in config.uplinks:
        has_v4 = nic in links and any(":" not in a for a in links[nic]["addresses"])
        if has_v4:  # an OVS port's own address is dead: it goes in the gap, with the move
            gap_flush += [] if nic in gap_flush else [nic]
            uplinks_free = False

    gap_delete = _masters_first(_unique(gap_delete), links)
    uplink_args = _uplink_args(config, set(ours))
    mgmt_free = config.mgmt_port_name in our_names or config.mgmt_port_name not in links
    prep_ovs = _bridge_args(config)
    gap_ovs: list[str] = []
    prep_up = [config.bridge]  # `inet manual` brings the bridge's own port up
    gap_up: list[str] = []
    uplink_devs = [config.uplink_port] + (config.uplinks if len(config.uplinks) > 1 else [])
    if uplinks_free:
        prep_ovs += uplink_args
        prep_up += uplink_devs
    else:
        gap_ovs += uplink_args
        gap_up += uplink_devs
    if mgmt_free:
        prep_ovs += _mgmt_args(config)
        prep_up.append(config.mgmt_port_name)
    else:
        gap_ovs += _mgmt_args(config)
        gap_up.append(config.mgmt_port_name)
    prep_ovs += ["--", "set", "bridge", config.bridge, f"datapath_type={config.datapath_type}"]

    forget = _unique(
        [config.bridge, config.uplink_port, config.mgmt_port_name, *config.uplinks, *gap_delete]
    )
    return FastPlan(
        prep_ovs=prep_ovs,
        prep_up=prep_up,
        gap_delete=gap_delete,
        gap_flush=gap_flush,
        gap_addr_del=gap_addr_del,
        gap_ovs=gap_ovs,
        gap_up=gap_up,
        forget=forget,
        down_old=[n for n in plan.down_with_old_file if n not in forget],
    )


def _taken_on_other_bridges(config: HostConfig, bridges: Mapping[str, Any]) -> list[str]:
    """Our new port names that already are ports (or interfaces) of another OVS bridge."""
    problems: list[str] = []
    # (A non-OVS device named like the bridge is refused earlier, for both modes: context.)
    new_ports = [config.mgmt_port_name, config.uplink_port, *config.uplinks]
    for other, info in sorted(bridges.items()):
        if other == config.bridge:
            continue
        taken = set(info.get("ports", {}))
        taken |= {i for p in info.get("ports", {}).values() for i in p.get("interfaces", {})}
        for name in new_ports:
            if name in taken:
                problems.append(
                    f"port name {name!r} is taken: it is a port of the OVS bridge {other}; fix: "
                    f"remove it from {other} (ovs-vsctl del-port {other} {name}) or choose "
                    "another name"
                )
    return problems


def _existing_devices(
    config: HostConfig, links: dict[str, LinkInfo], our_names: set[str], removable: set[str]
) -> tuple[list[str], list[str]]:
    """New port names that are a device now (mgmt port, bond): a legacy one goes in the gap.

    Returns (problems, devices to delete in the gap)."""
    problems: list[str] = []
    gap_delete: list[str] = []
    named = [config.mgmt_port_name] + ([config.bond_name] if len(config.uplinks) > 1 else [])
    for name, key in zip(named, ("mgmt_port", "bond_name"), strict=False):
        if name not in links or name in our_names:
            continue
        if name in removable:
            gap_delete.append(name)
            continue
        problems.append(
            f"{PREFIX}{key} = {name!r}: a {links[name]['kind'] or 'network'} device with that "
            f"name already exists on the host and is not legacy plumbing the cutover removes; "
            f"fix: choose another name (ovs_hv_{key}) or remove the device"
        )
    return problems, gap_delete


def _uplink_holders(
    config: HostConfig, links: dict[str, LinkInfo], our_names: set[str], removable: set[str]
) -> tuple[list[str], list[str], bool]:
    """The uplink must be free to join OVS: a legacy bridge or bond holding it goes in the gap.

    Returns (problems, devices to delete in the gap, whether the uplinks are free now)."""
    problems: list[str] = []
    gap_delete: list[str] = []
    uplinks_free = True
    for nic in config.uplinks:
        master = links[nic]["master"] if nic in links else None
        if nic in our_names or master in (None, OVS_MASTER):
            continue
        uplinks_free = False
        if master in removable:
            gap_delete.append(master)
        else:
            kind = (links[master]["kind"] if master in links else None) or "device"
            problems.append(
                f"{PREFIX}uplinks: {nic} is a port of the {kind} {master}, which is neither "
                "legacy plumbing nor in the old interfaces file, so the cutover would not "
                f"release it; fix: take {nic} out of {master} first, or list {master} in "
                "ovs_hv_legacy_trunk_bridges / ovs_hv_legacy_bridges"
            )
    return problems, gap_delete, uplinks_free


def _mgmt_address_holders(
    config: HostConfig, plan: HostPlan, links: dict[str, LinkInfo], legacy: set[str]
) -> tuple[list[str], list[str], list[str]]:
    """Whoever holds the management address now loses it in the gap.

    Returns the devices to (delete, flush, remove the address from)."""
    mgmt = str(config.mgmt_interface)
    gap_delete: list[str] = []
    gap_flush: list[str] = []
    gap_addr_del: list[str] = []
    for dev, link in sorted(links.items()):
        if mgmt not in link["addresses"] or dev == config.mgmt_port_name:
            continue
        if dev in config.uplinks:
            gap_flush.append(dev)
        elif dev in legacy:
            gap_delete.append(dev)
            gap_delete += [m for m in plan.legacy_members if links[m]["master"] == dev]
        else:
            gap_addr_del.append(dev)
    return gap_delete, gap_flush, gap_addr_del


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _masters_first(names: list[str], links: dict[str, LinkInfo]) -> list[str]:
    """Delete bridges and bonds before their members (a member's deletion never blocks)."""
    return sorted(names, key=lambda n: n not in links or links[n]["kind"] not in ("bridge", "bond"))
