"""pyinfra fact for discovery: a legacy host's network configuration, in one round trip.

The host-side collector ``remote/collect.py --network`` (the same one the deploy reads the
interfaces files with, ``facts/files.py``) prints one JSON document that
:func:`ovs_hypervisor.discover.parse_network_facts` turns into
:class:`ovs_hypervisor.discover.NetworkFacts`.  Domains come from the deploy's own
:class:`ovs_hypervisor.facts.libvirt.LibvirtDomains` (a second round trip).
"""

from __future__ import annotations

from pyinfra.api.command import StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.discover import NetworkFacts, parse_network_facts
from ovs_hypervisor.remote_commands import collect_command

__all__ = ["LegacyNetwork"]


class LegacyNetwork(FactBase[NetworkFacts]):
    """
    The network side of a legacy host, read-only, in one round trip: the interfaces file and
    every file it sources, the links with kind/master/VLAN id/addresses (``ip -j -d addr``),
    the default routes and whether the openvswitch kernel module is there:

    .. code:: python

        {"files": [{"path": "/etc/network/interfaces", "origin": None,
                    "text": "auto lo\\n...", "missing": False, "error": None}],
         "links": {"bridge1234": {"name": "bridge1234", "kind": "bridge", "master": None,
                                  "link": None, "vlan_id": None, "up": True,
                                  "addresses": [{"family": "inet", "address": "192.0.2.10",
                                                 "prefixlen": 24, "scope": "global",
                                                 "dynamic": False}], ...}},
         "routes": {"inet": [{"gateway": "192.0.2.1", "dev": "bridge1234"}], "inet6": []},
         "ovs_module": {"state": "missing", "detail": "/lib/modules/6.1.0 does not exist"},
         "kernel": "6.1.0-18-amd64", "errors": []}
    """

    def command(self, path: str = "/etc/network/interfaces") -> StringCommand:
        return collect_command(path, network=True)

    def requires_command(self, path: str = "/etc/network/interfaces") -> str:
        return "python3"

    def process(self, output: list[str]) -> NetworkFacts:
        try:
            return parse_network_facts("\n".join(output))
        except ValueError as exc:
            raise FactProcessError(f"discovery collector: {exc}") from exc
