"""Build the shell commands that run our host-side helper (remote/domctl.py) over SSH."""

from __future__ import annotations

from functools import cache

from pyinfra.api.command import QuoteString, StringCommand

from ovs_hypervisor.remote import domctl_source


@cache
def _source() -> str:
    return domctl_source()


def domctl_command(*args: str | QuoteString, stdin: str | None = None) -> StringCommand:
    """`python3 -c <domctl.py> ARGS`: nothing is uploaded, so facts work on a fresh host."""
    if stdin is None:
        return StringCommand("python3", "-c", QuoteString(_source()), *args)
    return StringCommand("python3", "-c", QuoteString(_source()), *args, _stdin=stdin)
