"""Restore a backup of an earlier run:  pyinfra inventory.py rollback.py [--data rollback=NAME]

NAME is a directory under ovs_hv_backup_dir on the host (default: the latest).  Restores the
interfaces file, interfaces.d, the sysctl file and live IPv6 sysctls, the OVS database and the
domain XMLs of that run, brings the old network back and starts the domains that were running.
"""

from pyinfra import host
from pyinfra.api.exceptions import DeployError

from ovs_hypervisor.bootguard import recovering_refusal
from ovs_hypervisor.context import INTERFACES, RUN_ID, STAGED
from ovs_hypervisor.cutover import CutoverPlan, cutover_script
from ovs_hypervisor.facts.backups import Backups
from ovs_hypervisor.facts.guard import CutoverGuard
from ovs_hypervisor.model import HostDataError, load_host_config
from ovs_hypervisor.operations import network

try:
    config = load_host_config(host.name, host.data.dict())
except HostDataError as exc:
    raise DeployError(str(exc)) from None
available = host.get_fact(Backups, backup_dir=config.backup_dir)
wanted = host.data.get("rollback") or (available[-1] if available else None)
if wanted is None or wanted not in available:
    raise DeployError(
        f"host {host.name!r}: no backup {wanted!r} in {config.backup_dir} "
        f"(available: {', '.join(available) or 'none'}); fix: --data rollback=NAME"
    )
guard = host.get_fact(CutoverGuard)
if guard["recovery"].get("state") == "recovering":
    raise DeployError(recovering_refusal(host.name, guard["recovery"], guard["guard_alive"]))
if guard["pending"]:
    raise DeployError(
        f"host {host.name!r}: a cutover ({guard['pending']}) is still waiting for confirmation; "
        "it rolls back by itself when its window ends"
    )
backup_dir = f"{config.backup_dir}/{wanted}"
state_dir = f"{backup_dir}/rollback-{RUN_ID}"
network.rolled_back(
    name=f"Roll back to the state before run {wanted}",
    script=cutover_script(
        config,
        CutoverPlan(
            interfaces_path=INTERFACES,
            staged_path=STAGED,
            state_dir=state_dir,
            backup_dir=backup_dir,
            sysctl_path=config.sysctl_file,
            mode="rollback",
        ),
    ),
    state_dir=state_dir,
)
