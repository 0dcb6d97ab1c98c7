"""pyinfra operation: fix the live OVSDB columns we own (the --may-exist class of bugs)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pyinfra import logger
from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.operation import operation
from pyinfra.context import host


@operation()
def ports(args: list[str]) -> Generator[Any, None, None]:
    """
    Apply one ``ovs-vsctl`` transaction (from ``reconcile.reconcile_args``), if any.

    + args: the transaction's arguments, e.g. ``["--", "set", "port", "vlan1234", "tag=1234"]``

    **Example:**

    .. code:: python

        switch.ports(args=reconcile_args(config, host.get_fact(OvsState)))
    """
    if not args:
        host.noop("the live OVS ports match the data")
        return
    host.log(f"Will fix live OVS: ovs-vsctl {' '.join(args)}", logger.info)
    yield StringCommand("ovs-vsctl --timeout=10", *(QuoteString(a) for a in args))
