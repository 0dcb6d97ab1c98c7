"""Per-host context shared by the steps of one deploy run.

steps/validate.py builds it (validated data + facts -> plan) before any operation that changes
the host; the other steps read it.  pyinfra runs every host's deploy code (prepare)
before executing anything, so a HostDataError here stops the run with the hosts untouched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pyinfra.api.exceptions import DeployError

from ovs_hypervisor.cutover import TO_START, CutoverPlan, cutover_script
from ovs_hypervisor.facts.files import SourcedFiles
from ovs_hypervisor.facts.guard import CutoverGuard
from ovs_hypervisor.facts.libvirt import LibvirtDomains
from ovs_hypervisor.facts.net import FileText, Links
from ovs_hypervisor.facts.ovs import OvsState
from ovs_hypervisor.host_state import ovs_before_install
from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import HostConfig, HostDataError, load_host_config
from ovs_hypervisor.plan import HostPlan, plan_host
from ovs_hypervisor.reconcile import reconcile_args, structural_gaps
from ovs_hypervisor.render import render_interfaces, render_sysctl

INTERFACES = "/etc/network/interfaces"
__all__ = ["INTERFACES", "STAGED", "TO_START", "HostContext", "build_context", "get_context"]
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
    backup_dir: str
    state_dir: str

    @property
    def changes(self) -> bool:
        return (
            self.interfaces_changed
            or self.sysctl_changed
            or self.cutover_needed
            or bool(self.ovs_fix)
            or bool(self.restart_domains)
            or bool(self.plan.changed_domains)
        )


_CONTEXTS: dict[str, HostContext] = {}


def build_context(host: Any) -> HostContext:
    """Validate this host's data against its facts and plan the run (raises DeployError)."""
    try:
        ctx = _build(host)
    except HostDataError as exc:
        raise DeployError(str(exc)) from None
    _CONTEXTS[host.name] = ctx
    return ctx


def get_context(host: Any) -> HostContext:
    if host.name not in _CONTEXTS:
        raise DeployError("the validate step must run before the other steps (deploys.migrate)")
    return _CONTEXTS[host.name]


def _build(host: Any) -> HostContext:
    config = load_host_config(host.name, host.data.dict())
    ovs: Any = ovs_before_install(host.get_fact(OvsState), config.packages)
    if ovs["error"]:
        raise HostDataError(
            host.name,
            [f"Open vSwitch is not usable: {ovs['error']}; install/start openvswitch-switch"],
        )
    guard = host.get_fact(CutoverGuard)
    if guard["pending"]:
        raise HostDataError(
            host.name,
            [
                f"a previous cutover ({guard['pending']}, status {guard['pending_status']}) "
                "is still waiting for confirmation; fix: wait until it rolls back by itself, "
                f"or keep it with `touch {guard['pending']}/confirm` on the host"
            ],
        )
    if ovs["vswitchd_error"]:  # probed by OvsState in the same round trip as `show`
        raise HostDataError(
            host.name,
            [
                "ovs-vswitchd is not running (ovsdb-server answers, but bridges would not "
                "work); fix: start openvswitch-switch (systemctl start openvswitch-switch)"
            ],
        )
    links = host.get_fact(Links)
    ours = config.bridge in ovs["show"].get("bridges", {})
    if config.bridge in links and not ours:
        kind = links[config.bridge]["kind"]
        raise HostDataError(
            host.name,
            [
                f"ovs_hv_bridge = {config.bridge!r}: a {kind or 'non-OVS'} device with that name "
                "exists on the host; fix: pick a free name for the OVS bridge"
            ],
        )
    domains = host.get_fact(LibvirtDomains, uri=config.libvirt_uri)
    old = host.get_fact(FileText, path=INTERFACES)
    sourced = _sourced(host, old)
    plan = plan_host(config, host.name, domains, links, old, sourced)

    interfaces = render_interfaces(config, host.name)
    sysctl = render_sysctl(config)
    interfaces_changed = old != interfaces
    sysctl_current = host.get_fact(FileText, path=config.sysctl_file)
    sysctl_changed = sysctl_current != sysctl
    legacy = plan.legacy_bridges + plan.legacy_members
    cutover_needed = interfaces_changed or bool(structural_gaps(config, ovs, links, legacy))
    # After a cutover the script itself sets these columns; otherwise fix them live.
    ovs_fix = [] if cutover_needed else reconcile_args(config, ovs)

    backup_dir = f"{config.backup_dir}/{RUN_ID}"
    state_dir = f"{backup_dir}/cutover"
    changed = plan.changed_domains
    # Running now, or stopped by an interrupted earlier run: started again at the end.
    restart = sorted(
        {d.name for d in changed if d.running} | (set(guard["to_start"]) & set(domains))
    )
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
            restart_domains=restart,
            window=config.confirm_window,
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
        backup_dir=backup_dir,
        state_dir=state_dir,
    )


def _sourced(host: Any, old: str | None) -> dict[str, str]:
    """Files the old interfaces file sources: their stanzas must not be dropped silently."""
    try:
        parsed = parse_interfaces(old or "")
    except ValueError:
        return {}  # plan_host reports the parse error with its line
    if not parsed["source"] and not parsed["source_directory"]:
        return {}
    found: dict[str, str] = host.get_fact(
        SourcedFiles, sources=parsed["source"], directories=parsed["source_directory"]
    )
    return found
