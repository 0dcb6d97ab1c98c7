"""Move the domains whose wiring changes: stop (restart mode) or managed-save (save mode)
the running ones, or update their VLANs live; redefine their XML."""

from pyinfra import logger
from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.context import TO_START, get_context
from ovs_hypervisor.operations import libvirt


@deploy("domains")
def domains() -> None:
    ctx = get_context(host)
    c = ctx.config
    moves = ctx.moves
    for name, why in moves.fallbacks.items():
        host.log(f"domain {name} cannot be saved ({why}): restarting it instead", logger.warning)
    libvirt.domains_stopped(
        name=f"Stop domains {', '.join(moves.restart) or '(none to restart)'}",
        domains=moves.restart,
        to_start=TO_START,
        remember=ctx.restart_domains,
        timeout=c.stop_timeout,
        destroy=c.destroy_on_timeout,
        uri=c.libvirt_uri,
        saved=moves.save,
    )
    for change in ctx.plan.changed_domains:
        move = moves.of(change.name)
        what = {
            "save": f"Save domain {change.name}, rewire it onto {c.bridge}",
            "live": f"Update the VLANs of running domain {change.name} live",
        }.get(move, f"Rewire domain {change.name} onto {c.bridge}")
        libvirt.domain_interfaces(
            name=what,
            domain=change.name,
            old_xml=change.old_xml,
            new_xml=change.new_xml,
            backup_dir=ctx.backup_dir,
            uri=c.libvirt_uri,
            move=move,
        )
