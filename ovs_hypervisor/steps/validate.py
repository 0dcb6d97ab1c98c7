"""Validate host data against the host's facts and plan the run; changes nothing."""

from pyinfra import logger
from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.context import build_context


@deploy("validate")
def validate() -> None:
    ctx = build_context(host)
    changed = [d.name for d in ctx.plan.changed_domains]
    files = "change" if ctx.interfaces_changed else "ok"
    host.log(
        f"plan: bridge {ctx.config.bridge}, mgmt {ctx.config.mgmt_port_name} "
        f"(VLAN {ctx.config.mgmt_vlan}), interfaces {files}, "
        f"cutover {'needed' if ctx.cutover_needed else 'not needed'}, "
        f"domains to rewire: {', '.join(changed) or 'none'}",
        logger.info,
    )
