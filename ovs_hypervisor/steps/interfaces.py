"""Back up what the run replaces; stage + validate the new interfaces file; sysctl file."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.context import INTERFACES, STAGED, get_context
from ovs_hypervisor.operations import network


@deploy("interfaces")
def interfaces() -> None:
    ctx = get_context(host)
    network.backed_up(
        name="Back up interfaces, sysctl and the OVS database",
        backup_dir=ctx.backup_dir,
        needed=ctx.changes,
        interfaces_path=INTERFACES,
        sysctl_path=ctx.config.sysctl_file,
    )
    network.interfaces_file(
        name=f"Stage and validate the new {INTERFACES}",
        content=ctx.interfaces,
        path=INTERFACES,
        staged_path=STAGED,
        current=ctx.interfaces_current,
    )
    network.sysctl_file(
        name="IPv6 off except on the management port (sysctl.d)",
        content=ctx.sysctl,
        path=ctx.config.sysctl_file,
        mgmt_port=ctx.config.mgmt_port_name,
        mgmt_ipv6=ctx.config.mgmt_ipv6 != "off",
        apply=not ctx.cutover_needed,
        current=ctx.sysctl_current,
    )
