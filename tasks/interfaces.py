"""Stage + validate the new /etc/network/interfaces (old one backed up) and the sysctl file."""

from pyinfra import host

from ovs_hypervisor.context import INTERFACES, STAGED, get_context
from ovs_hypervisor.operations import network

ctx = get_context(host)
network.interfaces_file(
    name=f"Back up, stage and validate {INTERFACES}",
    content=ctx.interfaces,
    backup_dir=ctx.backup_dir,
    path=INTERFACES,
    staged_path=STAGED,
)
network.sysctl_file(
    name="IPv6 off except on the management port (sysctl.d)",
    content=ctx.sysctl,
    path=ctx.config.sysctl_file,
    mgmt_port=ctx.config.mgmt_port_name,
    mgmt_ipv6=ctx.config.mgmt_ipv6 != "off",
)
