"""Checks across host data keys, run once every key is valid on its own.

Each names the keys involved and their values in whole problem lines (``Located``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.model_messages import line

if TYPE_CHECKING:
    from ovs_hypervisor.model import HostConfig


def cross_key_problems(config: HostConfig) -> list[str]:
    """Every problem between keys: names used twice, gateways, IPv6 mode, bridges, extras."""
    problems, used = _name_clashes(config)
    problems += _ipv4_gateway_problems(config)
    problems += _ipv6_problems(config)
    problems += _legacy_bridge_problems(config)
    problems += _extra_conflicts(config, used)
    return problems


def _name_clashes(config: HostConfig) -> tuple[list[str], dict[str, str]]:
    """Interfaces the deploy creates that share a name; also returns name -> role."""
    problems: list[str] = []
    port_key = f"{PREFIX}mgmt_port" if config.mgmt_port else f"{PREFIX}mgmt_port (default)"
    keys = {
        "bridge": f"{PREFIX}bridge",
        "management port": port_key,
        "bond": f"{PREFIX}bond_name",
        "uplink": f"{PREFIX}uplinks",
    }
    used: dict[str, str] = {config.bridge: "bridge"}
    ports = [(config.mgmt_port_name, "management port")]
    if len(config.uplinks) > 1:
        ports.append((config.bond_name, "bond"))
    ports += [(u, "uplink") for u in config.uplinks]
    for name, role in ports:
        if name in used:
            first = used[name]
            problems.append(
                line(
                    keys[role],
                    config.uplinks if role == "uplink" else name,
                    f"{name!r} is also the {first} ({keys[first]}); one interface cannot be both",
                    f"give the {role} its own name",
                )
            )
        else:
            used[name] = role
    return problems, used


def _ipv4_gateway_problems(config: HostConfig) -> list[str]:
    if config.mgmt_gateway is None:
        return []
    iface = ipaddress.IPv4Interface(config.mgmt_ipv4)
    net = iface.network
    gw = ipaddress.IPv4Address(config.mgmt_gateway)
    key = f"{PREFIX}mgmt_gateway"
    if gw not in net:
        return [
            line(
                key,
                config.mgmt_gateway,
                f"outside the management subnet {net} ({PREFIX}mgmt_ipv4 = {config.mgmt_ipv4!r})",
                "fix the gateway or the prefix length of ovs_hv_mgmt_ipv4",
            )
        ]
    if gw == iface.ip:
        return [
            line(
                key,
                config.mgmt_gateway,
                f"is the host's own address ({PREFIX}mgmt_ipv4 = {config.mgmt_ipv4!r})",
                "write the router's address, or leave the key out",
            )
        ]
    if net.prefixlen <= 30 and gw in (net.network_address, net.broadcast_address):
        return [
            line(
                key,
                config.mgmt_gateway,
                f"is the network or broadcast address of {net}",
                "write the router's address",
            )
        ]
    return []


def _ipv6_problems(config: HostConfig) -> list[str]:
    problems: list[str] = []
    if config.mgmt_ipv6 == "static" and config.mgmt_ipv6_address is None:
        problems.append(
            line(
                f"{PREFIX}mgmt_ipv6",
                "static",
                f"needs {PREFIX}mgmt_ipv6_address, which is not set",
                f"set {PREFIX}mgmt_ipv6_address (e.g. '2001:db8::10/64') or use 'slaac'/'off'",
            )
        )
    for key, value in (
        ("mgmt_ipv6_address", config.mgmt_ipv6_address),
        ("mgmt_ipv6_gateway", config.mgmt_ipv6_gateway),
    ):
        if config.mgmt_ipv6 != "static" and value is not None:
            problems.append(
                line(
                    PREFIX + key,
                    value,
                    f"is only used with {PREFIX}mgmt_ipv6 = 'static' (it is {config.mgmt_ipv6!r})",
                    f"set {PREFIX}mgmt_ipv6 = 'static', or remove {PREFIX}{key}",
                )
            )
    if config.mgmt_ipv6 == "static" and config.mgmt_ipv6_address and config.mgmt_ipv6_gateway:
        problems += _ipv6_gateway_problems(config.mgmt_ipv6_address, config.mgmt_ipv6_gateway)
    return problems


def _ipv6_gateway_problems(address: str, gateway: str) -> list[str]:
    net6 = ipaddress.IPv6Interface(address).network
    gw6 = ipaddress.IPv6Address(gateway)
    if gw6 == ipaddress.IPv6Interface(address).ip:
        return [
            line(
                f"{PREFIX}mgmt_ipv6_gateway",
                gateway,
                "is the host's own IPv6 address",
                "write the router's address",
            )
        ]
    if not gw6.is_link_local and gw6 not in net6:
        return [
            line(
                f"{PREFIX}mgmt_ipv6_gateway",
                gateway,
                f"is neither link-local (fe80::/10) nor inside {net6} "
                f"({PREFIX}mgmt_ipv6_address = {address!r})",
                "write the router's link-local address or one inside the subnet",
            )
        ]
    return []


def _legacy_bridge_problems(config: HostConfig) -> list[str]:
    """The OVS bridge listed among the old Linux bridges the cutover removes."""
    problems: list[str] = []
    if config.bridge in config.legacy_trunk_bridges:
        problems.append(
            line(
                f"{PREFIX}legacy_trunk_bridges",
                config.bridge,
                f"names the Open vSwitch bridge itself ({PREFIX}bridge)",
                "list only the old Linux bridges",
            )
        )
    if config.bridge in config.legacy_bridges:
        problems.append(
            line(
                f"{PREFIX}legacy_bridges[{config.bridge!r}]",
                config.legacy_bridges[config.bridge],
                f"names the Open vSwitch bridge itself ({PREFIX}bridge)",
                "list only the old Linux bridges",
            )
        )
    return problems


def _extra_conflicts(config: HostConfig, ours: Mapping[str, str]) -> list[str]:
    """Interfaces in ovs_hv_extra_interfaces that the deploy writes itself."""
    from ovs_hypervisor.interfaces import parse_interfaces

    if not config.extra_interfaces:
        return []
    parsed = parse_interfaces(config.extra_interfaces)
    mine = {"lo": "loopback", **ours}
    named = list(parsed["interfaces"]) + parsed["auto"]
    named += [n for names in parsed["allow"].values() for n in names]
    clash = sorted({n for n in named if n in mine})
    if not clash:
        return []
    return [
        line(
            f"{PREFIX}extra_interfaces",
            config.extra_interfaces,
            "configures "
            + ", ".join(f"{n} (the {mine[n]})" for n in clash)
            + ", which the deploy writes itself",
            "keep only other interfaces (e.g. a storage NIC) in ovs_hv_extra_interfaces",
        )
    ]
