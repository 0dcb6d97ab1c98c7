"""Stop (never suspend) the domains whose wiring changes, then redefine their XML."""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.context import TO_START, get_context
from ovs_hypervisor.operations import libvirt


@deploy("domains")
def domains() -> None:
    ctx = get_context(host)
    c = ctx.config
    running = [change.name for change in ctx.plan.changed_domains if change.running]
    libvirt.domains_stopped(
        name=f"Stop domains {', '.join(running) or '(none running)'}",
        domains=running,
        to_start=TO_START,
        remember=ctx.restart_domains,
        timeout=c.stop_timeout,
        destroy=c.destroy_on_timeout,
        uri=c.libvirt_uri,
    )
    for change in ctx.plan.changed_domains:
        libvirt.domain_interfaces(
            name=f"Rewire domain {change.name} onto {c.bridge}",
            domain=change.name,
            old_xml=change.old_xml,
            new_xml=change.new_xml,
            backup_dir=ctx.backup_dir,
            uri=c.libvirt_uri,
        )
