"""Helpers shared by our operations."""

from __future__ import annotations

from pyinfra import logger
from pyinfra.context import host, state
from pyinfra.operations.util.files import generate_color_diff


def log_diff(path: str, old: str | None, new: str) -> None:
    """Say what changes; the diff itself only with ``--diff``, as pyinfra's files.put does.

    Logged before the first yield so that ``--dry --diff`` shows it.
    """
    verb = "create" if old is None else "modify"
    host.log(f"Will {verb} {path}", logger.info)
    print_diff(old, new)


def print_diff(old: str | None, new: str) -> None:
    """The unified diff old -> new, only when pyinfra runs with ``--diff``."""
    if not state.config.DIFF:
        return
    old_lines = [] if old is None else old.splitlines(keepends=True)
    for line in generate_color_diff(old_lines, new.splitlines(keepends=True)):
        logger.info("  %s", line)
    logger.info("")
