"""Install Open vSwitch and what the host needs; nothing (not even apt update) if present."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.deb import DebPackages
from pyinfra.operations import apt

from ovs_hypervisor.context import get_context
from ovs_hypervisor.facts.batch import fact
from ovs_hypervisor.operations import switch


@deploy("packages")
def packages() -> None:
    ctx = get_context(host)
    installed = fact(host, DebPackages)
    missing = [p for p in ctx.config.packages if p not in installed]
    if missing:  # nothing at all (not even a fact) when everything is there
        apt.update(name="Refresh apt lists (packages missing)")
        apt.packages(
            name="Install Open vSwitch and host packages",
            packages=ctx.config.packages,
            _env={"DEBIAN_FRONTEND": "noninteractive"},
        )
    if ctx.install_first:
        # Validation could not check these before OVS existed: check them now, before any
        # step that changes the network.
        switch.usable(name="Check Open vSwitch runs (after install)", bridge=ctx.config.bridge)
