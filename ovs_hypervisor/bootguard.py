"""The boot guard: what the host needs to recover on its own at boot (pure: data in, text out).

Installed before the first change of a run (docs/power-loss.md): the host-side script
remote/bootguard.sh and three systemd units.  A run writes its marker (MARKER, naming its
backup directory) before it changes anything and removes it once confirmed; a boot that finds
the marker restores that backup.  The guard records what it did in RECORD, which the next
deploy reports (``recovery_report``) and clears.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from importlib.resources import files

from ovs_hypervisor.facts.boot import wants_links
from ovs_hypervisor.render import TEMPLATE_DIR

STATE_DIR = "/var/lib/ovs-hypervisor"
# Exists from the backup of a run until it is confirmed: persistent, so a boot sees it.
MARKER = f"{STATE_DIR}/pending"
# What the boot guard did (key=value lines), until the next deploy reported it.
RECORD = f"{STATE_DIR}/boot-recovery"
SCRIPT = "/usr/local/lib/ovs-hypervisor/bootguard.sh"
UNIT_DIR = "/etc/systemd/system"


@dataclass(frozen=True)
class GuardUnit:
    name: str
    wanted_by: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"{UNIT_DIR}/{self.name}"

    @property
    def links(self) -> list[str]:
        return wants_links(self.path, self.wanted_by)

    def text(self) -> str:
        return (TEMPLATE_DIR / self.name).read_text(encoding="utf-8")


UNITS = (
    GuardUnit("ovs-hypervisor-guard.service", ("multi-user.target",)),
    GuardUnit("ovs-hypervisor-ifup.service", ("multi-user.target", "network-online.target")),
    GuardUnit("ovs-hypervisor-guard-late.service", ("multi-user.target",)),
)


def script_text() -> str:
    return files("ovs_hypervisor.remote").joinpath("bootguard.sh").read_text(encoding="utf-8")


def installed_paths() -> list[str]:
    """Every file the boot task writes: a rollback restores or removes exactly these."""
    paths = [SCRIPT]
    for unit in UNITS:
        paths += [unit.path, *unit.links]
    return paths


def run_env(
    interfaces: str,
    staged: str,
    sysctl: str | None,
    sysctl_staged: str,
    uri: str,
    to_start: str,
) -> str:
    """<backup>/run.env: the paths the boot guard restores, sourced by bootguard.sh."""
    q = shlex.quote
    values = {
        "IFACES": interfaces,
        "STAGED": staged,
        "SYSCTL": sysctl or "",
        "SYSCTL_STAGED": sysctl_staged if sysctl else "",
        "URI": uri,
        "TO_START": to_start,
    }
    return "".join(f"{key}={q(value)}\n" for key, value in values.items())


def parse_record(lines: list[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in lines if "=" in line)


def recovery_report(host: str, record: dict[str, str]) -> str:
    """One paragraph: what the boot guard did since the last deploy."""
    run = record.get("run", "?")
    status = record.get("cutover_status", "not started")
    phase = (
        "its cutover had not started yet (the run was stopping or rewiring domains)"
        if status in ("not started", "")
        else f"its cutover was {status!r}"
    )
    started = record.get("started_domains", "").split()
    domains = f"started again: {', '.join(started)}" if started else "no domain had to start"
    return (
        f"host {host!r}: at boot at {record.get('started', '?')} (after a reboot or power loss) "
        f"the host rolled back the unconfirmed run {run}: {phase} and was never confirmed. "
        f"It restored the interfaces file, sysctl file, OVS database and domain XMLs from "
        f"{record.get('backup', '?')}, came up on its previous network and finished at "
        f"{record.get('finished', '?')} ({domains}); log: {record.get('log', '?')}. "
        "This run starts from that state."
    )


def recovering_refusal(host: str, record: dict[str, str], alive: bool) -> str:
    """Why a deploy must not start while the boot guard restores a backup."""
    what = (
        f"host {host!r}: the boot guard is rolling back the unconfirmed run "
        f"{record.get('run', '?')} (since {record.get('started', '?')}, "
        f"backup {record.get('backup', '?')}, log {record.get('log', '?')})"
    )
    if alive:
        return f"{what}; fix: wait until it finishes (a minute or two), then run again"
    return (
        f"{what}, but it did not finish and no guard process runs; fix: read the log, then "
        "reboot the host (the guard runs again at boot) or restore by hand and remove "
        f"{MARKER} and {RECORD}"
    )
