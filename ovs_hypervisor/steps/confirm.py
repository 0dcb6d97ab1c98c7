"""Confirm the cutover once verification passed; without this the host rolls back by itself."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.context import get_context
from ovs_hypervisor.operations import network


@deploy("confirm")
def confirm() -> None:
    ctx = get_context(host)
    network.cutover_confirmed(
        name="Confirm the cutover (the switch verified)",
        state_dir=ctx.state_dir,
        needed=ctx.cutover_needed,
    )
