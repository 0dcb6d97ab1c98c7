"""pyinfra operations: take and give back the host's run lock (``ovs_hypervisor.runlock``)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pyinfra.api.operation import operation

from ovs_hypervisor.runlock import LOCK, acquire_script, release_script


@operation(is_idempotent=False)
def held(line: str, stale: str | None = None, path: str = LOCK) -> Generator[Any, None, None]:
    """
    Take the lock atomically; fail, naming the holder, when another run has it.

    + line: this run's lock text (``LockInfo.line()``)
    + stale: the text of a dead run's lock to replace (the controller checked its pid)
    + path: the lock file

    **Example:**

    .. code:: python

        runlock.held(line=this_run("deploy", RUN_ID).line())
    """
    yield acquire_script(line, stale, path)


@operation(is_idempotent=False)
def released(line: str, path: str = LOCK) -> Generator[Any, None, None]:
    """
    Give the lock back (only if it is still this run's).

    + line: this run's lock text
    + path: the lock file

    **Example:**

    .. code:: python

        runlock.released(line=this_run("deploy", RUN_ID).line())
    """
    yield release_script(line, path)
