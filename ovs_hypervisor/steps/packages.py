"""Install Open vSwitch and what the host needs; nothing (not even apt update) if present."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host
from pyinfra.facts.deb import DebPackages
from pyinfra.operations import apt

from ovs_hypervisor.context import get_context


@deploy("packages")
def packages() -> None:
    ctx = get_context(host)
    installed = host.get_fact(DebPackages)
    missing = [p for p in ctx.config.packages if p not in installed]
    if missing:  # nothing at all (not even a fact) when everything is there
        apt.update(name="Refresh apt lists (packages missing)")
        apt.packages(
            name="Install Open vSwitch and host packages",
            packages=ctx.config.packages,
            _env={"DEBIAN_FRONTEND": "noninteractive"},
        )
