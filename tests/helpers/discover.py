"""Discovery's inputs for tests: the recorded lab facts, and synthetic legacy hosts built
from an interfaces text (links derived from it, as ifup would make them) and domain XML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ovs_hypervisor.discover import (
    Discovery,
    FileFact,
    LinkFact,
    NetworkFacts,
    discover,
    parse_network_facts,
    summary,
)
from ovs_hypervisor.interfaces import parse_interfaces

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
TOP = "/etc/network/interfaces"


def lab(name: str) -> tuple[NetworkFacts, dict[str, Any]]:
    """The facts recorded from the lab (tests/data/discover/NAME.*.json)."""
    network = parse_network_facts((DATA / "discover" / f"{name}.collector.json").read_text())
    domains = json.loads((DATA / "discover" / f"{name}.domains.json").read_text())
    return network, domains


# --- building synthetic facts -------------------------------------------------------------


def make_link(name: str, **kw: Any) -> LinkFact:
    link: LinkFact = {
        "name": name,
        "kind": None,
        "slave_kind": None,
        "master": None,
        "link": None,
        "vlan_id": None,
        "mac": "02:00:00:00:00:01",
        "up": True,
        "addresses": [],
    }
    link.update(kw)  # type: ignore[typeddict-item]
    return link


def live_from(text: str) -> dict[str, LinkFact]:
    """The links `ifup -a` would make from this file (VLAN devices as real 802.1Q)."""
    try:
        parsed = parse_interfaces(text)
    except ValueError:
        return {}
    links: dict[str, LinkFact] = {}
    for name, fams in parsed["interfaces"].items():
        if name == "lo":
            continue
        opts: dict[str, list[str]] = {}
        for fam in fams.values():
            for k, v in fam["options"].items():
                opts.setdefault(k, []).extend(v)
        link = links.setdefault(name, make_link(name))
        if "bridge_ports" in opts:
            link["kind"] = "bridge"
            for port in " ".join(opts["bridge_ports"]).split():
                if port != "none":
                    links.setdefault(port, make_link(port))["master"] = name
        elif m := re.match(r"^vlan(\d+)$|^(.+)\.(\d+)$", name):
            raw = opts.get("vlan_raw_device", [m.group(2)])[0]
            link["kind"], link["link"] = "vlan", raw
            link["vlan_id"] = int(m.group(1) or m.group(3))
            links.setdefault(raw, make_link(raw))
        elif "bond_slaves" in opts:
            link["kind"] = "bond"
            for slave in " ".join(opts["bond_slaves"]).split():
                links.setdefault(slave, make_link(slave))["master"] = name
        inet = fams.get("inet", {"options": {}})["options"]
        for address in inet.get("address", []):
            if "/" in address:
                ip, prefix = address.split("/")
                link["addresses"].append(
                    {
                        "family": "inet",
                        "address": ip,
                        "prefixlen": int(prefix),
                        "scope": "global",
                        "dynamic": False,
                    }
                )
    return links


def facts(
    text: str,
    links: dict[str, LinkFact] | None = None,
    module: str = "available",
    sourced: list[FileFact] | None = None,
    routes: dict[str, list[Any]] | None = None,
) -> NetworkFacts:
    if routes is None:
        routes = {"inet": [], "inet6": []}
        try:
            ifaces = parse_interfaces(text)["interfaces"]
        except ValueError:
            ifaces = {}
        for name, fams in ifaces.items():
            for gw in fams.get("inet", {"options": {}})["options"].get("gateway", []):
                routes["inet"].append({"gateway": gw, "dev": name})
    return {
        "files": [
            {"path": TOP, "origin": None, "text": text, "missing": False, "error": None},
            *(sourced or []),
        ],
        "links": live_from(text) if links is None else links,
        "routes": routes,
        "ovs_module": {"state": module, "detail": "/lib/modules/6.1.0-18-amd64/modules.dep"},
        "kernel": "6.1.0-18-amd64",
        "errors": [],
    }


def domain(
    name: str, *nics: tuple[str, str, str], state: str = "running", persistent: bool = True
) -> dict[str, Any]:
    """nics: (type, source, mac); type bridge | network | direct."""
    parts = []
    for kind, source, mac in nics:
        attr = {"bridge": "bridge", "network": "network", "direct": "dev"}[kind]
        parts.append(
            f"<interface type='{kind}'><mac address='{mac}'/><source {attr}='{source}'/>"
            "<model type='virtio'/></interface>"
        )
    xml = f"<domain type='kvm'><name>{name}</name><devices>{''.join(parts)}</devices></domain>"
    return {
        "state": state,
        "persistent": persistent,
        "autostart": False,
        "xml": xml,
        "live_xml": xml if state == "running" else None,
    }


BASE = """\
# legacy host: one vlanNNN + bridgeNNN pair per VLAN
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet manual

auto vlan1234
iface vlan1234 inet manual
    vlan_raw_device eth0
auto bridge1234
iface bridge1234 inet static
    bridge_ports vlan1234
    bridge_fd 0
    address 192.0.2.10/24
    gateway 192.0.2.1
    dns-nameservers 192.0.2.53

auto vlan1011
iface vlan1011 inet manual
    vlan_raw_device eth0
auto bridge1011
iface bridge1011 inet manual
    bridge_ports vlan1011
    bridge_fd 0

auto vlan1012
iface vlan1012 inet manual
    vlan-raw-device eth0
auto bridge1012
iface bridge1012 inet manual
    bridge_ports vlan1012
    bridge_fd 0
"""

DOMAINS = {
    "web": domain("web", ("bridge", "bridge1011", "52:54:00:00:00:01")),
    "db": domain(
        "db",
        ("bridge", "bridge1012", "52:54:00:00:00:02"),
        ("bridge", "bridge1011", "52:54:00:00:00:03"),
        state="shut off",
    ),
}


def run(
    text: str = BASE,
    domains: dict[str, Any] | None = None,
    current: dict[str, Any] | None = None,
    **kw: Any,
) -> Discovery:
    return discover("kvm1", facts(text, **kw), DOMAINS if domains is None else domains, current)


def problems(d: Discovery) -> str:
    assert not d.ok, summary(d)
    return "\n".join(str(e) for e in d.errors)
