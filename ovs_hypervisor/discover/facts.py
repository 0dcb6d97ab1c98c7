"""Discovery's input: what remote/collect.py --network read on the host, typed."""

from __future__ import annotations

from typing import TypedDict

from ovs_hypervisor.host_state import FileFact, parse_collected_files, parse_collected_json

__all__ = ["AddrFact", "FileFact", "LinkFact", "ModuleFact", "NetworkFacts", "RouteFact"]


class AddrFact(TypedDict):
    family: str  # inet | inet6
    address: str
    prefixlen: int
    scope: str | None  # global | link | host
    dynamic: bool  # from SLAAC/DHCP (has a lifetime)


class LinkFact(TypedDict):
    name: str
    kind: str | None  # bridge, vlan, bond, veth, tun, openvswitch... None: a plain NIC
    slave_kind: str | None
    master: str | None
    link: str | None  # a VLAN device's raw device
    vlan_id: int | None
    mac: str | None
    up: bool
    addresses: list[AddrFact]


class RouteFact(TypedDict):
    gateway: str | None
    dev: str | None


class ModuleFact(TypedDict):
    state: str  # loaded | available | missing
    detail: str


class NetworkFacts(TypedDict):
    files: list[FileFact]
    links: dict[str, LinkFact]
    routes: dict[str, list[RouteFact]]  # "inet"/"inet6" -> default routes
    ovs_module: ModuleFact
    kernel: str
    errors: list[str]  # what the collector could not read (ip failed...)


def parse_network_facts(text: str) -> NetworkFacts:
    """remote/collect.py's JSON (with --network) -> NetworkFacts; ValueError if broken."""
    raw = parse_collected_json(text.split("\n"))
    files = parse_collected_files(raw["files"])
    links: dict[str, LinkFact] = {}
    for row in raw.get("links", []):
        links[str(row["name"])] = {
            "name": str(row["name"]),
            "kind": row.get("kind"),
            "slave_kind": row.get("slave_kind"),
            "master": row.get("master"),
            "link": row.get("link"),
            "vlan_id": row.get("vlan_id"),
            "mac": row.get("mac"),
            "up": bool(row.get("up")),
            "addresses": [
                {
                    "family": str(a["family"]),
                    "address": str(a["address"]),
                    "prefixlen": int(a["prefixlen"]),
                    "scope": a.get("scope"),
                    "dynamic": bool(a.get("dynamic")),
                }
                for a in row.get("addresses", [])
            ],
        }
    routes = raw.get("routes") or {}
    module = raw.get("ovs_module") or {}
    return {
        "files": files,
        "links": links,
        "routes": {
            fam: [{"gateway": r.get("gateway"), "dev": r.get("dev")} for r in routes.get(fam, [])]
            for fam in ("inet", "inet6")
        },
        "ovs_module": {
            "state": str(module.get("state", "missing")),
            "detail": str(module.get("detail", "not checked")),
        },
        "kernel": str(raw.get("kernel", "")),
        "errors": [str(e) for e in raw.get("errors", [])],
    }
