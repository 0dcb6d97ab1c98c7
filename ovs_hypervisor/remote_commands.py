"""Build the shell commands that run our host-side helper (remote/domctl.py) over SSH."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pyinfra.api.command import QuoteString, StringCommand

DOMCTL = Path(__file__).resolve().parent / "remote" / "domctl.py"


@cache
def domctl_source() -> str:
    return DOMCTL.read_text()


def domctl_command(*args: str | QuoteString, stdin: str | None = None) -> StringCommand:
    """`python3 -c <domctl.py> ARGS`: nothing is uploaded, so facts work on a fresh host."""
    cmd = StringCommand("python3", "-c", QuoteString(domctl_source()), *args)
    if stdin is not None:
        cmd = StringCommand("python3", "-c", QuoteString(domctl_source()), *args, _stdin=stdin)
    return cmd
