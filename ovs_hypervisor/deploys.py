"""The deploys, as ``@deploy`` functions another pyinfra deploy can import and call.

    from ovs_hypervisor.deploys import migrate
    migrate()                         # with the host's data (inventory, group data, --data)
    migrate(_sudo=True)               # pyinfra global arguments apply to every operation

``migrate`` runs the steps in ``ovs_hypervisor/steps/`` (one module each), ``verify`` checks a
host read-only, ``rollback`` restores a backup of an earlier run, ``discover`` writes host data
files for legacy hosts.  The top-level deploy.py, verify.py, rollback.py and discover.py of
the checkout only call these.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from pyinfra import logger
from pyinfra.api.deploy import deploy
from pyinfra.api.exceptions import DeployError
from pyinfra.context import host, state
from pyinfra.operations import python

from ovs_hypervisor.bootguard import recovering_refusal
from ovs_hypervisor.context import INTERFACES, RUN_ID, STAGED, get_context, read_host
from ovs_hypervisor.cutover import CutoverPlan, cutover_script
from ovs_hypervisor.discover import (
    HEADER,
    inventory_overrides,
    render_host_data,
    summary,
)
from ovs_hypervisor.discover import (
    discover as discover_host,
)
from ovs_hypervisor.facts.backups import Backups
from ovs_hypervisor.facts.discovery import LegacyNetwork
from ovs_hypervisor.facts.guard import CutoverGuard
from ovs_hypervisor.facts.libvirt import LibvirtDomains
from ovs_hypervisor.host_data import (
    HOST_DATA_DIR,
    data_defaults,
    data_layers,
    host_config,
    host_data_dir,
    merge_layers,
    merged_data,
    previous_host_data,
    write_host_data,
)
from ovs_hypervisor.model import DEFAULT_LIBVIRT_URI, HostConfig, HostDataError
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.operations import network, ovs
from ovs_hypervisor.steps.backup import backup
from ovs_hypervisor.steps.boot import boot
from ovs_hypervisor.steps.confirm import confirm
from ovs_hypervisor.steps.cutover import cutover
from ovs_hypervisor.steps.domains import domains
from ovs_hypervisor.steps.interfaces import interfaces
from ovs_hypervisor.steps.lock import check_lock, lock, unlock
from ovs_hypervisor.steps.packages import packages
from ovs_hypervisor.steps.validate import validate
from ovs_hypervisor.steps.verify import verify as verify_step

__all__ = ["DATA_DEFAULTS", "discover", "migrate", "rollback", "verify"]

# Order keeps VMs recoverable: validate (no change) -> packages -> back up and mark the run
# unconfirmed -> boot guard + boot units -> stage and validate the new interfaces file -> stop
# and rewire affected domains -> cut over (commit-confirmed, detached on the host) -> start
# them -> verify -> confirm.  Until confirmed, a boot restores the backup (docs/power-loss.md).
STEPS = (validate, packages, backup, boot, interfaces, domains, cutover, verify_step, confirm)


# The package defaults of every key (also what ``data_layers`` applies lowest).
DATA_DEFAULTS = data_defaults()

Data = Mapping[str, Any] | None


@deploy("Migrate to Open vSwitch", data_defaults=DATA_DEFAULTS)
def migrate(host_data: str | Path = HOST_DATA_DIR, data: Data = None) -> None:
    """Migrate the host onto Open vSwitch.  Without the final confirmation the host restores
    the previous network and domains by itself, also across a reboot or power loss.

    + host_data: directory of ``<host>.py`` host data files (discovery writes them there)
    + data: ``ovs_hv_*`` defaults of the caller (below the inventory, above the package's)
    """
    # One remote command reads all the run needs (a run with nothing to do needs no other)
    read_host(host, _config(host_data, data))
    stale = check_lock("deploy")  # first: a busy host is refused before anything else
    validate(host_data=host_data, data=data)
    changes = get_context(host).changes
    if changes:
        lock(what="deploy", stale=stale)
    for step in STEPS[1:]:
        step()
    if changes:
        unlock(what="deploy")


def _config(host_data: str | Path, data: Data) -> HostConfig:
    try:
        return host_config(host, host_data, data)
    except HostDataError as exc:
        raise DeployError(str(exc)) from None


@deploy("Verify Open vSwitch", data_defaults=DATA_DEFAULTS)
def verify(host_data: str | Path = HOST_DATA_DIR, data: Data = None) -> None:
    """Verify the switch, links and VM ports against the data; read-only (see docs/verify.md)."""
    ovs.verified(
        name="Verify the switch against the data",
        config=_config(host_data, data),
        json_path=ovs.report_path(merged_data(host, host_data, data)),
    )


@deploy("Roll back", data_defaults=DATA_DEFAULTS)
def rollback(
    backup: str | None = None, host_data: str | Path = HOST_DATA_DIR, data: Data = None
) -> None:
    """Restore the backup ``backup`` (default: ``--data rollback=NAME``, else the latest)."""
    stale = check_lock("rollback")
    config = _config(host_data, data)
    available = host.get_fact(Backups, backup_dir=config.backup_dir)
    wanted = backup or host.data.get("rollback") or (available[-1] if available else None)
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
            f"host {host.name!r}: a cutover ({guard['pending']}) is still waiting for "
            "confirmation; it rolls back by itself when its window ends"
        )
    lock(what="rollback", stale=stale)
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
    unlock(what="rollback")


def _without_header(text: str | None) -> str | None:
    if text is None:
        return None
    return "\n".join(line for line in text.split("\n") if not line.startswith(HEADER))


def _write(state: Any, host: Any, path: str, text: str) -> bool:
    write_host_data(Path(path), text)
    host.log(f"wrote {path}", logger.info)
    return True


def _failed(state: Any, host: Any, count: int) -> bool:
    host.log(f"discovery found {count} error(s) (listed above): no host data written", logger.error)
    return False


@deploy("Discover host data", data_defaults=DATA_DEFAULTS)
def discover(host_data: str | Path = HOST_DATA_DIR, data: Data = None) -> None:
    """Read a legacy host and write ``<host_data>/<host>.py`` (on the controller).

    Read-only on the host; ``--dry`` prints the plan and writes nothing (docs/discover.md).
    ``OVS_HV_HOST_DATA`` overrides ``host_data``.
    """
    check_lock("discovery")  # read-only itself, but not while another run changes the host
    # Without the package defaults: discovery writes what differs from them.
    layers = data_layers(host, host_data, data)[1:]
    current = {k: v for k, v in merge_layers(layers)[0].items() if k.startswith(PREFIX)}
    legacy = host.get_fact(LegacyNetwork)
    found = host.get_fact(
        LibvirtDomains, uri=current.get(f"{PREFIX}libvirt_uri", DEFAULT_LIBVIRT_URI)
    )

    target = host_data_dir(host_data) / f"{host.name}.py"
    previous_text, previous = previous_host_data(target)
    if legacy is None:
        print(f"{host.name}: python3 is not installed on the host; discovery needs it")
        python.call(name="Discovery failed", function=_failed, count=1)
        return
    result = discover_host(host.name, legacy, found or {}, current)
    print("\n" + summary(result), flush=True)
    if result.ok:
        for note in inventory_overrides(
            result.data,
            state.inventory.get_host_data(host.name),
            previous,
            cast(Any, state).inventory.get_override_data(),
        ):
            print(f"  inventory: {note}", flush=True)
    if result.errors:
        python.call(name="Discovery failed", function=_failed, count=len(result.errors))
    elif result.skipped:
        pass
    else:
        text = render_host_data(result, time.strftime("%Y-%m-%d %H:%M"))
        if _without_header(text) == _without_header(previous_text):
            print(f"  {target} is up to date", flush=True)
            return
        if previous_text is not None:
            diff = difflib.unified_diff(
                (_without_header(previous_text) or "").splitlines(),
                (_without_header(text) or "").splitlines(),
                f"{target} (now)",
                f"{target} (discovered)",
                lineterm="",
            )
            print("\n".join(f"    {line}" for line in diff), flush=True)
        print(f"  will write {target}", flush=True)
        python.call(name=f"Write {target}", function=_write, path=str(target), text=text)
