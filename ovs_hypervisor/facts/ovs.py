"""pyinfra facts for Open vSwitch state (thin shells around ovs_hypervisor.host_state)."""

from __future__ import annotations

from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.host_state import OvsSnapshot, ovs_state_command, parse_ovs_state


class OvsState(FactBase[OvsSnapshot]):
    """
    `ovs-vsctl show` plus exact Port/Interface/Bridge rows, in one round trip:

    .. code:: python

        {"error": None,
         "show": {"ovs_version": "3.1.0", "bridges": {"ovsbr0": {"ports": {...}}}},
         "ports": {"vlan1234": {"tag": 1234, "trunks": [], "vlan_mode": None, ...}},
         "interfaces": {"vnet0": {"ofport": 3, "error": None, "external_ids": {...}}},
         "bridges": {"ovsbr0": {"datapath_type": "netdev", ...}}}

    ``error`` says why OVS could not be read (not installed, ovsdb-server down).
    """

    def command(self) -> str:
        return ovs_state_command()

    def process(self, output: list[str]) -> OvsSnapshot:
        try:
            return parse_ovs_state(output)
        except ValueError as exc:
            raise FactProcessError(f"cannot parse OVS state: {exc}") from exc
