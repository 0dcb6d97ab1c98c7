"""Per-host context shared by the steps of one deploy run.

steps/validate.py builds it (validated data + facts -> plan) before any operation that changes
the host; the other steps read it.  pyinfra runs every host's deploy code (prepare)
before executing anything, so a HostDataError here stops the run with the hosts untouched.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyinfra.api.exceptions import DeployError
from pyinfra.facts.deb import DebPackages

from ovs_hypervisor import bootguard
from ovs_hypervisor.bootguard import recovering_refusal
from ovs_hypervisor.cutover import TO_START, CutoverPlan, cutover_script
from ovs_hypervisor.domain_move import SAVE_DIR, DomainMoves, needs_free_space, plan_moves
from ovs_hypervisor.facts.batch import Call, fact, gather, keep_while_executing, key, remember
from ovs_hypervisor.facts.boot import BootUnit
from ovs_hypervisor.facts.files import InterfacesFiles
from ovs_hypervisor.facts.guard import CutoverGuard
from ovs_hypervisor.facts.libvirt import FreeBytes, LibvirtDomains
from ovs_hypervisor.facts.net import FileText, Links
from ovs_hypervisor.facts.ovs import OvsState, VerifyState, verify_args
from ovs_hypervisor.facts.runlock import RunLock
from ovs_hypervisor.fastpath import plan_fast
from ovs_hypervisor.host_data import HOST_DATA_DIR, host_config
from ovs_hypervisor.host_state import empty_switch
from ovs_hypervisor.model import HostConfig, HostDataError
from ovs_hypervisor.plan import HostPlan, interfaces_texts, plan_host
from ovs_hypervisor.reconcile import reconcile_args, structural_gaps
from ovs_hypervisor.render import render_interfaces, render_sysctl

INTERFACES = "/etc/network/interfaces"
__all__ = [
    "INTERFACES",
    "STAGED",
    "TO_START",
    "HostContext",
    "build_context",
    "get_context",
    "read_host",
]
STAGED = "/etc/network/interfaces.ovs-hypervisor.new"

# One id per controller run: names this run's backup directory on every host.
RUN_ID = time.strftime("%Y%m%d-%H%M%S")


@dataclass
class HostContext:
    config: HostConfig
    plan: HostPlan
    interfaces_current: str | None
    sysctl_current: str | None
    interfaces: str
    interfaces_changed: bool
    sysctl: str | None
    sysctl_changed: bool
    cutover_needed: bool
    cutover_script: str
    ovs_fix: list[str]
    restart_domains: list[str]
    moves: DomainMoves
    backup_dir: str
    state_dir: str
    # the boot guard's record of a finished recovery, to report ({} if none)
    recovery: dict[str, str]
    # backup dir of an earlier run that was interrupted unconfirmed, without a reboot since
    interrupted: str | None

    @property
    def rollback_start(self) -> list[str]:
        """What a rollback starts again: the stopped or saved ones and the live-updated ones."""
        return sorted(set(self.restart_domains) | set(self.moves.live))

    @property
    def saved_domains(self) -> list[str]:
        """What a rollback managed-saves again rather than destroying."""
        return sorted(self.moves.save + self.moves.live)

    # Packages the host lacks and OVS is not usable yet: the packages step installs them,
    # then checks OVS before anything else changes.

    install_first: list[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return (
            self.interfaces_changed
            or self.sysctl_changed
            or self.cutover_needed
            or bool(self.ovs_fix)
            or bool(self.restart_domains)
            or bool(self.plan.changed_domains)
            or bool(self.install_first)
        )


_CONTEXTS: dict[str, HostContext] = {}


def build_context(
    host: Any, host_data: str | Path = HOST_DATA_DIR, data: Mapping[str, Any] | None = None
) -> HostContext:
    """Validate this host's data against its facts and plan the run (raises DeployError).

    ``host_data``: the directory of host data files; ``data``: the caller's data defaults.
    """
    try:
        ctx = _build(host, host_config(host, host_data, data))
    except HostDataError as exc:
        raise DeployError(str(exc)) from None
    _CONTEXTS[host.name] = ctx
    # Nothing to change: what was read while preparing still holds when pyinfra executes.
    keep_while_executing(host, not ctx.changes)
    return ctx


def snapshot_calls(config: HostConfig) -> list[Call]:
    """Every fact a run of the migration reads, for one round trip (``read_host``)."""
    calls: list[Call] = [
        (RunLock, {}),
        (CutoverGuard, {}),
        (InterfacesFiles, {"path": INTERFACES}),
        (FileText, {"path": config.sysctl_file}),
        (DebPackages, {}),
        (FreeBytes, {"path": SAVE_DIR}),
        (BootUnit, {"path": bootguard.SCRIPT, "links": []}),
        (VerifyState, verify_args(config)),
    ]
    calls += [(BootUnit, {"path": u.path, "links": u.links}) for u in bootguard.UNITS]
    return calls


def read_host(host: Any, config: HostConfig) -> None:
    """Read what the run needs in one remote command (facts/batch.py); the switch, links and
    domains come out of the verify probe, which reads them all."""
    found = gather(host, snapshot_calls(config))
    snap = found.get(key(VerifyState, verify_args(config)))
    if snap is None:
        return
    derived = {key(OvsState, {}): snap["ovs"], key(Links, {}): snap["net"]["links"]}
    if snap["domains"]["error"] is None:
        derived[key(LibvirtDomains, {"uri": config.libvirt_uri})] = snap["domains"]["domains"]
    remember(host, derived)


def get_context(host: Any) -> HostContext:
    if host.name not in _CONTEXTS:
        raise DeployError("the validate step must run before the other steps (deploys.migrate)")
    return _CONTEXTS[host.name]


def _build(host: Any, config: HostConfig) -> HostContext:
    ovs, install, guard = _usable_host(host, config)
    recovery = guard["recovery"]
    links = fact(host, Links)
    _refuse_foreign_bridge(host.name, config, ovs, links)
    domains = fact(host, LibvirtDomains, uri=config.libvirt_uri)
    # The file and what it sources (nested, as ifupdown reads them): the stanzas of sourced
    # files must not be dropped silently.
    old, sourced = interfaces_texts(host.name, fact(host, InterfacesFiles, path=INTERFACES))
    plan = plan_host(config, host.name, domains, links, old, sourced)
    # Decided before any domain is touched: live VLAN update, managed save, or restart.
    free = None
    if needs_free_space(config, plan.changed_domains):
        free = fact(host, FreeBytes, path=SAVE_DIR)
    moves = plan_moves(config, host.name, plan.changed_domains, domains, free)

    interfaces = render_interfaces(config, host.name)
    sysctl = render_sysctl(config)
    interfaces_changed = old != interfaces
    sysctl_current = fact(host, FileText, path=config.sysctl_file)
    sysctl_changed = sysctl_current != sysctl
    legacy = plan.legacy_bridges + plan.legacy_members
    cutover_needed = interfaces_changed or bool(structural_gaps(config, ovs, links, legacy))
    # After a cutover the script itself sets these columns; otherwise fix them live.
    ovs_fix = [] if cutover_needed else reconcile_args(config, ovs)

    # Collisions (a name taken by something the cutover does not remove) stop the run here,
    # before anything on the host changes.
    fast = (
        plan_fast(config, host.name, plan, links, ovs)
        if cutover_needed and config.cutover_mode == "fast"
        else None
    )

    backup_dir = f"{config.backup_dir}/{RUN_ID}"
    state_dir = f"{backup_dir}/cutover"
    changed = plan.changed_domains
    # Stopped or saved now, or by an interrupted earlier run: started (or resumed) at the
    # end.  Live-updated domains never stop.
    restart = sorted(set(moves.save + moves.restart) | (set(guard["to_start"]) & set(domains)))
    script = cutover_script(
        config,
        CutoverPlan(
            interfaces_path=INTERFACES,
            staged_path=STAGED,
            state_dir=state_dir,
            backup_dir=backup_dir,
            down_with_old_file=plan.down_with_old_file if interfaces_changed else [],
            delete_devices=legacy if config.remove_legacy else [],
            sysctl_path=config.sysctl_file,
            sysctl_staged=f"{config.sysctl_file}.ovs-hypervisor.new" if sysctl_changed else None,
            changed_domains=[d.name for d in changed],
            # A rollback starts these again, saving (not destroying) the ones that can.
            restart_domains=sorted(set(restart) | set(moves.live)),  # = rollback_start
            saved_domains=sorted(moves.save + moves.live),  # = saved_domains
            window=config.confirm_window,
            fast=fast,
        ),
    )
    return HostContext(
        config=config,
        plan=plan,
        interfaces_current=old,
        sysctl_current=sysctl_current,
        interfaces=interfaces,
        interfaces_changed=interfaces_changed,
        sysctl=sysctl,
        sysctl_changed=sysctl_changed,
        cutover_needed=cutover_needed,
        cutover_script=script,
        ovs_fix=ovs_fix,
        restart_domains=restart,
        moves=moves,
        backup_dir=backup_dir,
        state_dir=state_dir,
        recovery=recovery if recovery.get("state") == "recovered" else {},
        interrupted=guard["marker"],
        install_first=install,
    )


def _usable_host(host: Any, config: HostConfig) -> tuple[Any, list[str], Any]:
    """Refuse a host where the deploy cannot run now: OVS installed but not usable, a
    cutover being recovered or awaiting confirmation.  Returns (the OVS state, or an empty
    one before the install; the packages to install first; the cutover guard)."""
    ovs = fact(host, OvsState)
    install: list[str] = []
    if ovs["error"]:
        # A fresh host (the normal start): the packages step installs OVS; what needs OVS is
        # planned as "after install" and checked by that step (switch.usable).
        installed = fact(host, DebPackages)
        install = [p for p in config.packages if p not in installed]
        if not install:
            raise HostDataError(
                host.name,
                [
                    f"Open vSwitch is installed but not usable: {ovs['error']}; "
                    "fix: start it (systemctl start openvswitch-switch) and run again"
                ],
            )
        ovs = empty_switch()
    guard = fact(host, CutoverGuard)
    recovery = guard["recovery"]
    if recovery.get("state") == "recovering":
        raise HostDataError(
            host.name, [recovering_refusal(host.name, recovery, guard["guard_alive"])]
        )
    if guard["pending"]:
        raise HostDataError(
            host.name,
            [
                f"a previous cutover ({guard['pending']}, status {guard['pending_status']}) "
                "is still waiting for confirmation; fix: wait until it rolls back by itself, "
                f"or keep it with `touch {guard['pending']}/confirm` on the host"
            ],
        )
    if ovs["vswitchd_error"] and not install:  # probed by OvsState with `show`
        raise HostDataError(
            host.name,
            [
                "ovs-vswitchd is not running (ovsdb-server answers, but bridges would not "
                "work); fix: start openvswitch-switch (systemctl start openvswitch-switch)"
            ],
        )
    return ovs, install, guard


def _refuse_foreign_bridge(host: str, config: HostConfig, ovs: Any, links: Any) -> None:
    """A non-OVS device named like our bridge (both cutover modes)."""
    ours = config.bridge in ovs["show"].get("bridges", {})
    if config.bridge in links and not ours:
        kind = links[config.bridge]["kind"]
        raise HostDataError(
            host,
            [
                f"ovs_hv_bridge = {config.bridge!r}: a {kind or 'non-OVS'} device with that name "
                "exists on the host; fix: pick a free name for the OVS bridge"
            ],
        )
