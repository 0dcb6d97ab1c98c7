"""Cut the network over to OVS (detached, commit-confirmed), then start the stopped domains."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.context import TO_START, get_context
from ovs_hypervisor.operations import libvirt, network, switch


@deploy("cutover")
def cutover() -> None:
    ctx = get_context(host)
    network.cutover(
        name="Cut the network over to Open vSwitch",
        script=ctx.cutover_script,
        state_dir=ctx.state_dir,
        needed=ctx.cutover_needed,
        window=ctx.config.confirm_window,
    )
    switch.ports(name="Reconcile live OVS ports with the data", args=ctx.ovs_fix)
    libvirt.domains_started(
        name=f"Start domains again: {', '.join(ctx.restart_domains) or '(none)'}",
        domains=ctx.restart_domains,
        to_start=TO_START,
        uri=ctx.config.libvirt_uri,
    )
