"""Report a boot recovery; back up what the run replaces and mark the run as unconfirmed.

From the marker on, a boot restores this backup unless the run is confirmed (docs/power-loss.md).
"""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor import bootguard
from ovs_hypervisor.context import INTERFACES, STAGED, TO_START, get_context
from ovs_hypervisor.operations import boot as boot_ops
from ovs_hypervisor.operations import network
from ovs_hypervisor.remote import script_source


@deploy("backup")
def backup() -> None:
    ctx = get_context(host)
    boot_ops.recovery_reported(
        name="Keep the boot guard's record with its backup (reported above)",
        record=bootguard.RECORD,
        backup_dir=ctx.recovery.get("backup") if ctx.recovery else None,
    )
    network.backed_up(
        name="Back up interfaces, sysctl, the OVS database and the boot units",
        backup_dir=ctx.backup_dir,
        needed=ctx.changes,
        interfaces_path=INTERFACES,
        sysctl_path=ctx.config.sysctl_file,
        installs=bootguard.installed_paths(),
        run_env=bootguard.run_env(
            interfaces=INTERFACES,
            staged=STAGED,
            sysctl=ctx.config.sysctl_file,
            sysctl_staged=f"{ctx.config.sysctl_file}.ovs-hypervisor.new",
            uri=ctx.config.libvirt_uri,
            to_start=TO_START,
        ),
        restart_domains=ctx.rollback_start,
        saved_domains=ctx.saved_domains,
        domctl=script_source("domctl.py"),
        marker=bootguard.MARKER,
    )
