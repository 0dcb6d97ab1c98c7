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


@operation(is_idempotent=False)
def usable(bridge: str) -> Generator[Any, None, None]:
    """
    Fail unless ovsdb-server and ovs-vswitchd answer and ``bridge`` is free or an OVS bridge
    (the checks validation makes when OVS is already installed).

    + bridge: the OVS bridge the deploy creates

    **Example:**

    .. code:: python

        switch.usable(bridge="ovsbr0")
    """
    q = QuoteString(bridge)
    yield StringCommand(
        "ovs-vsctl --timeout=10 show >/dev/null || { echo 'Open vSwitch does not answer after "
        "install; fix: systemctl start openvswitch-switch' >&2; exit 1; }; "
        "ovs-appctl -T 10 -t ovs-vswitchd version >/dev/null || { echo 'ovs-vswitchd is not "
        "running after install; fix: systemctl start openvswitch-switch' >&2; exit 1; }; "
        "if ip link show dev",
        q,
        ">/dev/null 2>&1 && ! ovs-vsctl br-exists",
        q,
        "; then echo 'a non-OVS device named'",
        q,
        "'exists; fix: pick a free name for ovs_hv_bridge' >&2; exit 1; fi",
    )
