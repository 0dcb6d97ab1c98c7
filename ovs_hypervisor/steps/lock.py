"""One change at a time per host: refuse when another run holds the host, else take the lock
for the steps that change it, and give it back at the end (see ovs_hypervisor/runlock.py)."""

from __future__ import annotations

from pyinfra import logger
from pyinfra.api.deploy import deploy
from pyinfra.api.exceptions import DeployError
from pyinfra.context import host

from ovs_hypervisor.context import RUN_ID
from ovs_hypervisor.facts.batch import fact
from ovs_hypervisor.facts.runlock import RunLock
from ovs_hypervisor.operations import runlock
from ovs_hypervisor.runlock import is_stale, parse_lock, refusal, this_run


def check_lock(what: str) -> str | None:
    """Refuse at once (DeployError) when a live run holds the host.

    Returns the text of a dead run's lock that ``lock`` may replace (None: no lock).
    """
    text = fact(host, RunLock)
    held = parse_lock(text)
    me = this_run(what, RUN_ID)
    if held is None or held.token == me.token:
        return None
    if is_stale(held, me):
        host.log(
            f"the lock of a dead run (pid {held.pid}, {held.what} started {held.started}) "
            "is stale: taking it over",
            logger.warning,
        )
        return text
    raise DeployError(refusal(host.name, held))


@deploy("lock")
def lock(what: str, stale: str | None = None) -> None:
    runlock.held(
        name=f"Lock the host for this {what} ({this_run(what, RUN_ID).token})",
        line=this_run(what, RUN_ID).line(),
        stale=stale,
    )


@deploy("unlock")
def unlock(what: str) -> None:
    runlock.released(name="Unlock the host", line=this_run(what, RUN_ID).line())
