"""Build the host-side cutover script (pure: data in, shell text out).

The cutover replaces the network the controller is connected through, so it runs on the host
as one detached script (remote/cutover.sh), not as a series of SSH commands: a dropped SSH
session half-way must not leave the host half-migrated.  It is commit-confirmed: unless the
controller confirms within the window, the host restores the backups and the old network.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from ovs_hypervisor.bootguard import MARKER, SCRIPT
from ovs_hypervisor.fastpath import FastPlan
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.reconcile import owned_columns_args
from ovs_hypervisor.remote import script_source

# Names the backup of a run until it is confirmed; persistent, so that a boot in between
# restores that backup (the boot guard, see bootguard.py).  Written before the first change.
PENDING = MARKER
# Tests only: a step name written here makes the cutover fail at that step (see cutover.sh).
FAILPOINT = "/run/ovs-hypervisor/failpoint"
# Domains this tool stopped and must start again; survives a killed run (and a reboot).
TO_START = "/var/lib/ovs-hypervisor/to-start"


@dataclass(frozen=True)
class CutoverPlan:
    interfaces_path: str  # /etc/network/interfaces
    staged_path: str  # the validated new file, moved into place by the script
    state_dir: str  # status + log of this run
    backup_dir: str = ""  # what a rollback restores from
    # Interfaces configured by the old file that must be deconfigured first (never lo, never
    # an OVS bridge: that would unplug running VMs' vnet ports).
    down_with_old_file: list[str] = field(default_factory=list)
    # Legacy Linux bridges and their VLAN member devices, deleted after ifdown.
    delete_devices: list[str] = field(default_factory=list)
    sysctl_path: str | None = None
    sysctl_staged: str | None = None  # our new sysctl file, moved into place by the script
    changed_domains: list[str] = field(default_factory=list)  # rewired by this run
    restart_domains: list[str] = field(default_factory=list)  # were running: start on rollback
    # Moved without a reboot (managed save, live VLAN update): a rollback managed-saves them
    # again rather than destroying them, so their guests resume on the old bridges.
    saved_domains: list[str] = field(default_factory=list)
    window: int = 120
    mode: str = "cutover"  # or "rollback": restore backup_dir and exit
    # Make-before-break steps (None: the classic ifdown-everything-then-ifup cutover).
    fast: FastPlan | None = None


def _words(values: list[str]) -> str:
    return shlex.quote(" ".join(values))


def _args(values: list[str]) -> str:
    """An argument vector as one shell word; the body splits it back with `eval set --`."""
    return shlex.quote(" ".join(shlex.quote(v) for v in values))


def cutover_script(config: HostConfig, plan: CutoverPlan) -> str:
    q = shlex.quote
    fast = plan.fast or FastPlan()
    mgmt = config.mgmt_interface
    header = {
        "MODE": q(plan.mode),
        "STATE": q(plan.state_dir),
        "BACKUP": q(plan.backup_dir or plan.state_dir.rsplit("/", 1)[0]),
        "IFACES": q(plan.interfaces_path),
        "STAGED": q(plan.staged_path),
        "SYSCTL": q(plan.sysctl_path or ""),
        "SYSCTL_STAGED": q(plan.sysctl_staged or ""),
        "BRIDGE": q(config.bridge),
        "MGMT_PORT": q(config.mgmt_port_name),
        "MGMT_ADDR": q(str(config.mgmt_interface)),
        "DATAPATH": q(config.datapath_type),
        "GATEWAY": q(config.mgmt_gateway or ""),
        "IPV6_ON": "1" if config.mgmt_ipv6 != "off" else "0",
        "WINDOW": str(plan.window),
        # Word lists: every item is a validated interface or domain name; the body splits
        # them on spaces, so quote the list as one word here.
        "DOWN_OLD": _words(plan.down_with_old_file),
        "DELETE_DEVS": _words(plan.delete_devices),
        "CHANGED_DOMAINS": _words(plan.changed_domains),
        "RESTART_DOMAINS": _words(plan.restart_domains),
        "SAVED_DOMAINS": _words(plan.saved_domains),
        "URI": q(config.libvirt_uri),
        "PENDING": q(PENDING),
        "FAST": "1" if plan.fast else "0",
        # ifupdown's `inet static` spelling of the address (netmask and broadcast).
        "MGMT_IP": q(str(mgmt.ip)),
        "MGMT_NETMASK": q(str(mgmt.netmask)),
        "MGMT_BROADCAST": q(str(mgmt.network.broadcast_address)),
        "PREP_OVS": _args(fast.prep_ovs),
        "PREP_UP": _words(fast.prep_up),
        "GAP_DEL": _words(fast.gap_delete),
        "GAP_FLUSH": _words(fast.gap_flush),
        "GAP_ADDR_DEL": _words(fast.gap_addr_del),
        "GAP_OVS": _args(fast.gap_ovs),
        "GAP_UP": _words(fast.gap_up),
        "OWNED_OVS": _args(owned_columns_args(config)),
        "FORGET": _words(fast.forget),
        "DOWN_AFTER": _words(fast.down_old),
        "FAILPOINT_FILE": q(FAILPOINT),
        "GUARD": q(SCRIPT),
    }
    lines = ["#!/bin/sh", "# ovs-hypervisor cutover: generated header, then remote/cutover.sh"]
    lines += [f"{key}={value}" for key, value in header.items()]
    lines += _domctl_file()
    return "\n".join(lines) + "\n" + script_source("cutover.sh")


_DOMCTL_EOF = "OVS_HV_DOMCTL_EOF"


def _domctl_file() -> list[str]:
    """Header lines writing domctl.py into the backup directory: the rollback restores the
    domains (and rewires their managed save images) with it, and so can a later recovery
    that finds the backup directory (the host has no copy of this package)."""
    source = script_source("domctl.py")
    if _DOMCTL_EOF in source:
        raise ValueError(f"domctl.py must not contain {_DOMCTL_EOF}")
    return [
        'DOMCTL="$BACKUP/domctl.py"',
        f'mkdir -p "$BACKUP" && cat > "$DOMCTL" <<\'{_DOMCTL_EOF}\'',
        source.rstrip("\n"),
        _DOMCTL_EOF,
    ]
