"""pyinfra fact: can a run start now?  (pending cutover, boot recovery, domains left stopped)"""

from __future__ import annotations

from typing import TypedDict

from pyinfra.api.facts import FactBase

from ovs_hypervisor.bootguard import MARKER, RECORD, parse_record
from ovs_hypervisor.cutover import TO_START


class GuardState(TypedDict):
    pending: str | None  # state dir of a cutover/rollback script that still runs
    pending_status: str | None
    to_start: list[str]  # domains an interrupted run stopped and has not started again
    marker: str | None  # backup dir of a run that was never confirmed (see bootguard.py)
    recovery: dict[str, str]  # the boot guard's record, {} if none
    guard_alive: bool  # a boot guard process runs right now


def parse_guard(lines: list[str]) -> GuardState:
    values: dict[str, str] = {}
    record: list[str] = []
    for line in lines:
        if line.startswith("rec_"):
            record.append(line[4:])
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return {
        "pending": values.get("live") or None,
        "pending_status": values.get("status") or None,
        "to_start": (values.get("to_start") or "").split(),
        "marker": values.get("marker") or None,
        "recovery": parse_record(record),
        "guard_alive": values.get("guard_alive") == "yes",
    }


class CutoverGuard(FactBase[GuardState]):
    """
    Whether a cutover still waits for confirmation, whether the boot guard recovered (or is
    recovering) the host, and what a killed run left off:

    .. code:: python

        {"pending": "/var/lib/ovs-hypervisor/backups/20261125-154419/cutover",
         "pending_status": "applied", "to_start": ["vm1"],
         "marker": "/var/lib/ovs-hypervisor/backups/20261125-154419",
         "recovery": {}, "guard_alive": False}
    """

    def command(self) -> str:
        # the detached scripts run as `sh <state dir>/cutover.sh` / `.../rollback.sh`
        return (
            "s=$(pgrep -af '/cutover/cutover[.]sh|/rollback-[0-9-]*/rollback[.]sh' "
            "| awk '{print $NF; exit}'); "
            'if [ -n "$s" ]; then d=${s%/*}; echo live=$d; '
            'echo status=$(cat "$d/status" 2>/dev/null); fi; '
            f"echo marker=$(cat {MARKER} 2>/dev/null); "
            f"echo to_start=$(cat {TO_START} 2>/dev/null); "
            "if pgrep -f 'bootguard[.]sh (early|late)' >/dev/null; then echo guard_alive=yes; fi; "
            f"sed 's/^/rec_/' {RECORD} 2>/dev/null; true"
        )

    def process(self, output: list[str]) -> GuardState:
        return parse_guard(output)
