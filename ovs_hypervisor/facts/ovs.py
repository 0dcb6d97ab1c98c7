"""pyinfra facts for Open vSwitch state (thin shells around ovs_hypervisor.host_state).

A host whose OVS cannot be read (``ovs-vsctl`` not installed, ``ovsdb-server`` down) is not a
fact failure: the facts return ``error`` saying which, so callers decide (validation stops
the run with it; verification reports it as a difference).  Output that cannot be parsed
raises FactProcessError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.host_state import (
    OvsSnapshot,
    VerifySnapshot,
    ovs_state_command,
    parse_ovs_state,
    parse_verify_probe,
    verify_probe_parts,
)
from ovs_hypervisor.model import DEFAULT_LIBVIRT_URI, HostConfig
from ovs_hypervisor.remote_commands import domctl_command

T = TypeVar("T")


def _process(parse: Callable[[list[str]], T], output: list[str], what: str) -> T:
    try:
        return parse(output)
    except ValueError as exc:
        raise FactProcessError(f"cannot parse {what}: {exc}") from exc


class OvsState(FactBase[OvsSnapshot]):
    """
    ``ovs-vsctl show`` plus exact Port/Interface/Bridge rows plus whether ovs-vswitchd
    answers, in one round trip:

    .. code:: python

        {"error": None, "vswitchd": "ovs-vswitchd (Open vSwitch) 3.1.0", "vswitchd_error": None,
         "show": {"ovs_version": "3.1.0", "bridges": {"ovsbr0": {"ports": {...}}}, ...},
         "ports": {"vlan1234": {"tag": 1234, "trunks": [], "vlan_mode": None, ...}},
         "interfaces": {"vnet0": {"ofport": 3, "error": None, "external_ids": {...}}},
         "bridges": {"ovsbr0": {"datapath_type": "netdev", ...}}}

    ``error`` says why OVS could not be read (not installed, ovsdb-server down);
    ``vswitchd_error`` why ovs-vswitchd does not answer (the database still does).
    """

    def command(self) -> str:
        return ovs_state_command()

    def process(self, output: list[str]) -> OvsSnapshot:
        return _process(parse_ovs_state, output, "OVS state")


def verify_args(config: HostConfig) -> dict[str, Any]:
    """``VerifyState``'s arguments for a host's data (the deploy reads it once, verify again)."""
    return {"gateway": config.mgmt_gateway, "uri": config.libvirt_uri}


class VerifyState(FactBase[VerifySnapshot]):
    """
    Everything verification reads, in one round trip: ``OvsState``, the network (links,
    disable_ipv6 of every interface, one ``ping -c1 -W1`` of the gateway) and the libvirt
    domains (state, inactive and live XML):

    .. code:: python

        {"ovs": {...OvsState...},
         "net": {"links": {...}, "ipv6_disabled": {"eth0": True, "vlan1234": False, ...},
                 "ping": {"target": "192.0.2.1", "reachable": True, "rtt_ms": 0.66,
                          "detail": "reply in 0.66 ms"}},
         "domains": {"error": None, "domains": {"vm-access": {"state": "running", ...}}}}
    """

    def command(self, gateway: str | None = None, uri: str = DEFAULT_LIBVIRT_URI) -> StringCommand:
        head, tail = verify_probe_parts(gateway)
        return StringCommand(head, domctl_command("dump", "--uri", QuoteString(uri)), tail)

    def process(self, output: list[str]) -> VerifySnapshot:
        return _process(parse_verify_probe, output, "host state")
