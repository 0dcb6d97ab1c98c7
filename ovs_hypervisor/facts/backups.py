"""pyinfra fact: the run backups kept on the host."""

from __future__ import annotations

from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.facts import FactBase


class Backups(FactBase[list[str]]):
    """
    Names of the run backup directories under ``backup_dir``, oldest first:

    .. code:: python

        ["20261125-154419", "20261125-160212"]
    """

    def command(self, backup_dir: str) -> StringCommand:
        return StringCommand("ls -1", QuoteString(backup_dir), "2>/dev/null || true")

    def process(self, output: list[str]) -> list[str]:
        return sorted(line.strip() for line in output if line.strip())
