"""pyinfra fact: can a cutover start now?  (pending cutover, domains left stopped)"""

from __future__ import annotations

from typing import TypedDict

from pyinfra.api.facts import FactBase

from ovs_hypervisor.cutover import PENDING, TO_START


class GuardState(TypedDict):
    pending: str | None  # state dir of a cutover still waiting for confirmation
    pending_status: str | None
    to_start: list[str]  # domains an interrupted run stopped and has not started again


def parse_guard(lines: list[str]) -> GuardState:
    values = dict(line.split("=", 1) for line in lines if "=" in line)
    pending = values.get("pending") or None
    alive = values.get("alive") == "yes"
    status = values.get("status") or None
    return {
        # A pending file whose script is gone (host crashed mid-run) blocks nothing.
        "pending": pending if alive else None,
        "pending_status": status,
        "to_start": (values.get("to_start") or "").split(),
    }


class CutoverGuard(FactBase[GuardState]):
    """
    Whether a previous cutover still waits for confirmation, and what a killed run left off:

    .. code:: python

        {"pending": "/var/lib/ovs-hypervisor/backups/20261125-154419/cutover",
         "pending_status": "applied", "to_start": ["vm1"]}
    """

    def command(self) -> str:
        return (
            f"p=$(cat {PENDING} 2>/dev/null); echo pending=$p; "
            'if [ -n "$p" ]; then echo status=$(cat "$p/status" 2>/dev/null); '
            'if pgrep -f "$p/cutover.sh" >/dev/null; then echo alive=yes; fi; fi; '
            f"echo to_start=$(cat {TO_START} 2>/dev/null)"
        )

    def process(self, output: list[str]) -> GuardState:
        return parse_guard(output)
