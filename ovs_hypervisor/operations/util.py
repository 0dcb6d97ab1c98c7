"""Helpers shared by our operations."""

from __future__ import annotations

from pyinfra import logger
from pyinfra.context import host
from pyinfra.operations.util.files import generate_color_diff


def log_diff(what: str, old: str | None, new: str, verb: str | None = None) -> None:
    """ "Will <verb> <what>" and the colour diff old -> new (a file path, a domain...)."""
    # Logged before the first yield so that `--dry --diff` shows it.
    verb = verb or ("create" if old is None else "modify")
    host.log(f"Will {verb} {what}", logger.info)
    old_lines = [] if old is None else old.splitlines(keepends=True)
    for line in generate_color_diff(old_lines, new.splitlines(keepends=True)):
        logger.info("  %s", line)
    logger.info("")
