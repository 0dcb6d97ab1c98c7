"""Discovery: read a legacy hypervisor (facts in) and write its host data (plan out). Pure.

Input: :class:`NetworkFacts` (the interfaces file and the files it sources, live links,
default routes, the openvswitch kernel module; see ``facts/discovery.py``) and the libvirt
domains (``facts/libvirt.py``).  Output: a :class:`Discovery` with the ``ovs_hv_*`` host data
for ``host_data/<host>.py``, a per-NIC plan, warnings (what was decided and why, what is not
carried over) and errors (input that cannot be mapped without guessing; with any error no
data may be written).

What is read, and from where:

* the uplink: the raw device under the VLAN devices (``vlanNNN`` + ``vlan-raw-device``, or
  ``DEV.NNN``); a Linux bond there becomes an OVS bond of its slaves;
* each legacy bridge's VLAN: its ``bridge_ports`` (one VLAN device); a bridge over the raw
  uplink itself is a trunk bridge; a bridge with no ports or other ports is kept as it is;
* management: the one VLAN bridge (or VLAN device) with an IPv4 address -> VLAN, address and
  prefix (``address A/N`` or ``address`` + ``netmask``), gateway, DNS, IPv6 mode, each
  cross-checked with the live links and routes;
* each VM NIC: the VLAN of the bridge in its (inactive) domain XML: access on a VLAN bridge,
  trunk on a trunk bridge, left as it is anywhere else, always with the reason.

The package's modules follow that path, each function taking what it needs and returning
a typed finding (``findings.py``): ``facts`` (the collector's JSON) -> ``files`` (the
interfaces files) -> ``vlans`` (VLAN devices, uplink) -> ``bridges`` -> ``mgmt`` ->
``keep`` (kept/dropped stanzas, datapath, legacy map) -> ``domains`` (per NIC); ``run``
calls them in that order and ``output`` writes the summary and the host data file.
"""

from ovs_hypervisor.discover.facts import (
    AddrFact,
    FileFact,
    LinkFact,
    ModuleFact,
    NetworkFacts,
    RouteFact,
    parse_network_facts,
)
from ovs_hypervisor.discover.files import TOP_FILE
from ovs_hypervisor.discover.findings import (
    BridgeKind,
    Discovery,
    LegacyBridge,
    MgmtInfo,
    NicPlan,
    Problem,
    VlanInfo,
)
from ovs_hypervisor.discover.keep import NEVER_MATCHES
from ovs_hypervisor.discover.output import HEADER, inventory_overrides, render_host_data, summary
from ovs_hypervisor.discover.run import discover

__all__ = [
    "HEADER",
    "NEVER_MATCHES",
    "TOP_FILE",
    "AddrFact",
    "BridgeKind",
    "Discovery",
    "FileFact",
    "LegacyBridge",
    "LinkFact",
    "MgmtInfo",
    "ModuleFact",
    "NetworkFacts",
    "NicPlan",
    "Problem",
    "RouteFact",
    "VlanInfo",
    "discover",
    "inventory_overrides",
    "parse_network_facts",
    "render_host_data",
    "summary",
]
