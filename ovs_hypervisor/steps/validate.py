"""Validate host data against the host's facts and plan the run; changes nothing."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pyinfra import logger
from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.bootguard import recovery_report
from ovs_hypervisor.context import build_context
from ovs_hypervisor.host_data import HOST_DATA_DIR


@deploy("validate")
def validate(host_data: str | Path = HOST_DATA_DIR, data: Mapping[str, Any] | None = None) -> None:
    ctx = build_context(host, host_data, data)
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
    if ctx.install_first:
        host.log(
            "Open vSwitch is not installed: the packages step will install "
            f"{', '.join(ctx.install_first)}, then check that OVS runs before anything else "
            "changes (the plan above assumes no OVS bridge yet)",
            logger.info,
        )
