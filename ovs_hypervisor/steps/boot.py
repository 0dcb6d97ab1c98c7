"""Make the host raise the OVS stanzas at boot (see templates/ovs-hypervisor-ifup.service)."""

from pyinfra.api.deploy import deploy

from ovs_hypervisor.operations import boot as boot_ops
from ovs_hypervisor.render import TEMPLATE_DIR

UNIT = "ovs-hypervisor-ifup.service"


@deploy("boot")
def boot() -> None:
    boot_ops.unit(
        name=f"Boot: install and enable {UNIT} (raises allow-ovs stanzas)",
        path=f"/etc/systemd/system/{UNIT}",
        content=(TEMPLATE_DIR / UNIT).read_text(),
        wanted_by=["multi-user.target", "network-online.target"],
    )
