"""Verify the live switch and the VMs' ports against the data."""

from pyinfra import host

from ovs_hypervisor.context import get_context
from ovs_hypervisor.operations import ovs

ctx = get_context(host)
ovs.verified(
    name="Verify the switch against the data",
    config=ctx.config,
    legacy=ctx.plan.legacy_bridges + ctx.plan.legacy_members,
    after_changes=ctx.changes,
)
