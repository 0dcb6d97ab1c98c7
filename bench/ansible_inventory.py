"""The Ansible benchmark's inventory, from the same host data pyinfra uses.

    python bench/ansible_inventory.py [PYINFRA_INVENTORY] > inventory.json

Loads PYINFRA_INVENTORY (default bench/inventory_many.py) with pyinfra's own loader (so
group_data/ applies), validates each host's data with the project's model, and writes what
bench/ansible/migrate.yml needs per host: ``c`` (the same fields templates/interfaces.j2
reads), the packages, the libvirt URI, and ``nics``: every NIC of every domain with its VLANs.

An Ansible user writes ``nics`` by hand: the playbook has no legacy-bridge discovery. Here it
is derived from the domain XMLs the lab defined ($OVSLAB_DIR/hvN/domains/*.xml, on this
machine) with the deploy's own rule: the VLANs in ovs_hv_domains for a listed MAC, else the
number of the legacy bridge the NIC sits on (bridgeNNN -> access VLAN NNN).
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ovs_hypervisor.host_data import merged_data  # noqa: E402
from ovs_hypervisor.model import HostConfig, load_host_config  # noqa: E402


def pyinfra_hosts(inventory: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, resolved data) per host, in order, as `pyinfra INVENTORY` sees them."""
    from pyinfra.api.state import State
    from pyinfra.context import ctx_state
    from pyinfra_cli.inventory import make_inventory

    with ctx_state.use(State()):
        inv = make_inventory(inventory, cwd=str(ROOT))
        return [(host.name, merged_data(host)) for host in inv]


def _spec(config: HostConfig, listed: dict[str, Any], mac: str, bridge: str) -> dict[str, Any]:
    spec = listed.get(mac.lower())
    if spec is None:
        vlan = config.legacy_vlan(bridge)
        if vlan is None:
            raise SystemExit(f"{mac} on {bridge}: not listed and not on a legacy bridge")
        spec = {"vlan": vlan}
    if "vlan" in spec:
        return {"trunk": False, "tags": [{"tag": {"id": str(spec["vlan"])}}]}
    tags = [{"tag": {"id": str(v)}} for v in spec["trunk"]]
    if "native" in spec:
        tags.insert(0, {"tag": {"id": str(spec["native"]), "nativeMode": "untagged"}})
    return {"trunk": True, "tags": tags}


def lab_nics(config: HostConfig, data: dict[str, Any], short: str) -> list[dict[str, Any]]:
    lab = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
    listed = {
        mac.lower(): spec
        for nics in (data.get("ovs_hv_domains") or {}).values()
        for mac, spec in nics.items()
    }
    out = []
    for path in sorted((lab / short / "domains").glob("*.xml")):
        root = ET.parse(path).getroot()
        domain = root.findtext("name")
        for iface in root.iter("interface"):
            mac = iface.find("mac").get("address", "")  # type: ignore[union-attr]
            bridge = iface.find("source").get("bridge")  # type: ignore[union-attr]
            out.append(
                {
                    "domain": domain,
                    "mac": mac,
                    "xpath": f"/domain/devices/interface[mac/@address='{mac}']",
                    **_spec(config, listed, mac, bridge or ""),
                }
            )
    return out


def host_vars(name: str, data: dict[str, Any]) -> dict[str, Any]:
    config = load_host_config(name, data)
    short = name.rsplit("-", 1)[-1]
    nics = lab_nics(config, data, short)
    return {
        "ansible_host": name,  # the lab's ssh_config alias (ProxyCommand into its switch)
        "ansible_user": "root",
        "ansible_python_interpreter": "/usr/bin/python3",
        "ansible_ssh_common_args": f"-F {data['ssh_config_file']}",
        "c": {
            "bridge": config.bridge,
            "datapath_type": config.datapath_type,
            "uplinks": list(config.uplinks),
            "uplink_port": config.uplink_port,
            "bond_name": config.bond_name,
            "bond_options": config.bond_options,
            "mgmt_vlan": config.mgmt_vlan,
            "mgmt_port_name": config.mgmt_port_name,
            "mgmt_interface": {
                "ip": str(config.mgmt_interface.ip),
                "netmask": str(config.mgmt_interface.netmask),
                "with_prefixlen": config.mgmt_interface.with_prefixlen,
            },
            "mgmt_gateway": config.mgmt_gateway,
            "mgmt_dns": list(config.mgmt_dns),
            "mgmt_ipv6": config.mgmt_ipv6,
            "mgmt_ipv6_address": config.mgmt_ipv6_address,
            "mgmt_ipv6_gateway": config.mgmt_ipv6_gateway,
            "extra_interfaces": config.extra_interfaces,
            "sysctl_file": config.sysctl_file,
            "libvirt_uri": config.libvirt_uri,
        },
        "backup_dir": config.backup_dir,
        "packages": [*config.packages, "python3-lxml"],  # community.libvirt needs lxml
        "stop_timeout": config.stop_timeout,
        "domains": sorted({nic["domain"] for nic in nics}),
        "nics": nics,
    }


def inventory(pyinfra_inventory: str = "bench/inventory_many.py") -> dict[str, Any]:
    hosts = pyinfra_hosts(pyinfra_inventory)
    return {
        "hypervisors": {"hosts": {name: host_vars(name, data) for name, data in hosts}},
    }


if __name__ == "__main__":
    json.dump(inventory(*sys.argv[1:2]), sys.stdout, indent=2)
    sys.stdout.write("\n")
