"""Helpers shared by our operations."""

from __future__ import annotations

from pyinfra import logger
from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.context import host, state
from pyinfra.operations.util.files import generate_color_diff


def log_diff(what: str, old: str | None, new: str, verb: str | None = None) -> None:
    """ "Will <verb> <what>" (a file path, a domain...); the diff itself only with ``--diff``,
    as pyinfra's files.put does.

    Logged before the first yield so that ``--dry --diff`` shows it.
    """
    verb = verb or ("create" if old is None else "modify")
    host.log(f"Will {verb} {what}", logger.info)
    print_diff(old, new)


def print_diff(old: str | None, new: str) -> None:
    """The unified diff old -> new, only when pyinfra runs with ``--diff``."""
    if not state.config.DIFF:
        return
    old_lines = [] if old is None else old.splitlines(keepends=True)
    for line in generate_color_diff(old_lines, new.splitlines(keepends=True)):
        logger.info("  %s", line)
    logger.info("")


def atomic_write(path: str, content: str, mode: str = "0644") -> StringCommand:
    """Write ``path`` through a temporary file, fsync'd, then renamed over it: a power loss
    leaves the old file or the new one, never a half-written one (the rename is atomic on one
    file system; ``sync FILE`` needs coreutils >= 8.24, Debian 9+)."""
    p = QuoteString(path)
    return StringCommand(
        't=$(mktemp "$(dirname',
        p,
        ')/.ovs-hypervisor.XXXXXX") && cat >"$t" && chmod',
        mode,
        '"$t" && sync "$t" && mv -f "$t"',
        p,
        '&& sync "$(dirname',
        p,
        ')"',
        _stdin=content,
    )
