"""What the host needs at boot, installed before the first change of the run: the boot guard
(rolls back an unconfirmed run, see docs/power-loss.md) and the unit that raises the allow-ovs
stanzas (templates/ovs-hypervisor-*.service)."""

from pyinfra.api.deploy import deploy

from ovs_hypervisor import bootguard
from ovs_hypervisor.operations import boot as boot_ops


@deploy("boot")
def boot() -> None:
    boot_ops.script(
        name=f"Boot: install the boot guard {bootguard.SCRIPT}",
        path=bootguard.SCRIPT,
        content=bootguard.script_text(),
    )
    for unit in bootguard.UNITS:
        boot_ops.unit(
            name=f"Boot: install and enable {unit.name}",
            path=unit.path,
            content=unit.text(),
            wanted_by=list(unit.wanted_by),
        )
