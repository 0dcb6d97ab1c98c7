"""pyinfra fact: the host's run lock (see ``ovs_hypervisor.runlock``)."""

from __future__ import annotations

from pyinfra.api.facts import FactBase

from ovs_hypervisor.runlock import LOCK


class RunLock(FactBase[str | None]):
    """
    The lock file's text, or None when no run holds the host:

    .. code:: python

        "token=20261202-191502-4242 what=deploy controller=ctl1 pid=4242 started=..."
    """

    def command(self) -> str:
        return f"cat {LOCK} 2>/dev/null || true"

    def process(self, output: list[str]) -> str | None:
        return "\n".join(output).strip() or None
