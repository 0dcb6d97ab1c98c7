"""Validate host data against the host's facts and plan the run; changes nothing."""

from pyinfra import logger
from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.bootguard import recovery_report
from ovs_hypervisor.context import build_context


@deploy("validate")
def validate() -> None:
    ctx = build_context(host)
    if ctx.recovery:
        host.log(recovery_report(host.name, ctx.recovery), logger.warning)
    if ctx.interrupted:
        host.log(
            f"an earlier run (backup {ctx.interrupted}) stopped before it was confirmed and "
            "the host has not rebooted since: this run continues from there; until it is "
            "confirmed, a boot restores that backup",
            logger.warning,
        )
    changed = [d.name for d in ctx.plan.changed_domains]
    files = "change" if ctx.interfaces_changed else "ok"
    host.log(
        f"plan: bridge {ctx.config.bridge}, mgmt {ctx.config.mgmt_port_name} "
        f"(VLAN {ctx.config.mgmt_vlan}), interfaces {files}, "
        f"cutover {'needed' if ctx.cutover_needed else 'not needed'}, "
        f"domains to rewire: {', '.join(changed) or 'none'}",
        logger.info,
    )
