"""Property test: render(host data) read back by parse_interfaces and by the real ifquery.

Random valid host data (names, single uplink or bond with options, any IPv4 host address
and prefix, optional gateway and DNS, IPv6 off/SLAAC/static, datapath, an extra stanza)
is rendered with templates/interfaces.j2.  The file must mean exactly what the data says,
to our parser and to Debian's own ``ifquery -i FILE`` (ifupdown 0.8): the same
interfaces, the same options (ifquery adds some defaults of its own, which are ignored),
the same ``auto`` and ``allow-*`` classes.
"""

from __future__ import annotations

import ipaddress
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import HostConfig, load_host_config
from ovs_hypervisor.render import render_interfaces
from tests.helpers.ifquery import assert_ifquery_agrees

ifnames = st.builds(
    "{}{}".format,
    st.sampled_from(["eth", "eno", "enp3s0f", "ens", "bond", "br", "ovsbr", "vlan", "mgmt",
                     "uplink-", "trunk_", "x.", "A", "a-b_c."]),
    st.integers(0, 99999),
).filter(lambda n: len(n) <= 15)  # fmt: skip
vids = st.integers(min_value=1, max_value=4094)
_SPECIAL = [ipaddress.ip_network(n) for n in ("0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/3")]


@st.composite
def ipv4_setups(draw: st.DrawFn) -> tuple[str, str | None]:
    """(host address/prefix, gateway or None): a host address, never the network or
    broadcast address (for prefixes up to /30), gateway inside the subnet."""
    prefix = draw(st.integers(1, 32))
    while True:
        ip = ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1)))
        if not any(ip in n for n in _SPECIAL):
            break
    net = ipaddress.IPv4Network(f"{ip}/{prefix}", strict=False)
    hosts = (
        (int(net.network_address) + 1, int(net.broadcast_address) - 1)
        if prefix <= 30
        else (int(net.network_address), int(net.broadcast_address))
    )
    host = ipaddress.IPv4Address(draw(st.integers(*hosts)))
    if any(host in n for n in _SPECIAL):
        host = ipaddress.IPv4Address("192.0.2.10")
        net = ipaddress.IPv4Network("192.0.2.0/24")
        hosts = (int(net.network_address) + 1, int(net.broadcast_address) - 1)
    gateway = None
    if hosts[1] > hosts[0] and draw(st.booleans()):
        gw = ipaddress.IPv4Address(draw(st.integers(*hosts)))
        if gw != host and not any(gw in n for n in _SPECIAL):  # e.g. 0.0.0.1 in 1.0.0.0/1
            gateway = str(gw)
    return f"{host}/{net.prefixlen}", gateway


@st.composite
def host_data(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(ifnames, min_size=8, max_size=8, unique=True))
    bridge, bond, mgmt, extra_nic, *nics = names
    uplinks = nics[: draw(st.integers(1, 3))]
    ipv4, gateway = draw(ipv4_setups())
    data: dict[str, Any] = {
        "ovs_hv_bridge": bridge,
        "ovs_hv_uplinks": uplinks,
        "ovs_hv_bond_name": bond,
        "ovs_hv_bond_options": draw(
            st.sampled_from(
                ["bond_mode=balance-slb", "bond_mode=balance-tcp lacp=active",
                 "bond_mode=active-backup other_config:bond-miimon-interval=100",
                 "lacp=passive  bond_updelay=200"]
            )
        ),
        "ovs_hv_mgmt_vlan": draw(vids),
        "ovs_hv_mgmt_ipv4": ipv4,
        "ovs_hv_mgmt_gateway": gateway,
        "ovs_hv_mgmt_dns": draw(
            st.lists(st.sampled_from(["192.0.2.53", "198.51.100.53", "2001:db8::53", "127.0.0.53"]),
                     max_size=3, unique=True)
        ),
        "ovs_hv_datapath_type": draw(st.sampled_from(["system", "netdev"])),
        "ovs_hv_mgmt_ipv6": draw(st.sampled_from(["off", "slaac", "static"])),
    }  # fmt: skip
    if draw(st.booleans()):
        data["ovs_hv_mgmt_port"] = mgmt.replace(".", "-")
    if data["ovs_hv_mgmt_ipv6"] == "static":
        plen = draw(st.integers(48, 127))
        net6 = ipaddress.IPv6Network(
            f"2001:db8:{draw(st.integers(0, 65535)):x}::/{plen}", strict=False
        )
        offset = draw(st.integers(1, min(net6.num_addresses - 1, 2**32)))
        data["ovs_hv_mgmt_ipv6_address"] = f"{net6.network_address + offset}/{plen}"
        choice = draw(st.sampled_from(["none", "link-local", "subnet"]))
        if choice == "link-local":
            data["ovs_hv_mgmt_ipv6_gateway"] = "fe80::1"
        elif choice == "subnet" and offset != net6.num_addresses - 1:
            data["ovs_hv_mgmt_ipv6_gateway"] = str(net6.network_address + offset + 1)
    if draw(st.booleans()):
        data["ovs_hv_extra_interfaces"] = draw(
            st.sampled_from(
                [f"auto {extra_nic}\niface {extra_nic} inet static\n    address 198.51.100.7/24\n"
                 "    mtu 9000\n",
                 f"allow-hotplug {extra_nic}\niface {extra_nic} inet dhcp",
                 f"# storage\niface {extra_nic} inet manual\n    up ip link set $IFACE up\n"
                 "    up echo '#not a comment'\n"]
            )
        )  # fmt: skip
    return data


def expected(c: HostConfig) -> dict[str, Any]:
    """What the rendered file must say, straight from the config."""
    mgmt = c.mgmt_port_name
    bridge_opts = {"ovs_type": ["OVSBridge"], "ovs_ports": [f"{c.uplink_port} {mgmt}"]}
    if c.datapath_type != "system":
        bridge_opts["ovs_extra"] = [f"set bridge ${{IFACE}} datapath_type={c.datapath_type}"]
    ifaces: dict[str, dict[str, Any]] = {
        "lo": {"inet": {"method": "loopback", "options": {}}},
        c.bridge: {"inet": {"method": "manual", "options": bridge_opts}},
    }
    if len(c.uplinks) == 1:
        ifaces[c.uplinks[0]] = {
            "inet": {
                "method": "manual",
                "options": {"ovs_bridge": [c.bridge], "ovs_type": ["OVSPort"]},
            }
        }
    else:
        ifaces[c.bond_name] = {
            "inet": {
                "method": "manual",
                "options": {
                    "ovs_bridge": [c.bridge],
                    "ovs_type": ["OVSBond"],
                    "ovs_bonds": [" ".join(c.uplinks)],
                    "ovs_options": [c.bond_options],
                },
            }
        }
    v4: dict[str, list[str]] = {
        "ovs_bridge": [c.bridge],
        "ovs_type": ["OVSIntPort"],
        "ovs_options": [f"tag={c.mgmt_vlan}"],
        "address": [str(c.mgmt_interface.ip)],
        "netmask": [str(c.mgmt_interface.netmask)],
    }
    if c.mgmt_gateway:
        v4["gateway"] = [c.mgmt_gateway]
    if c.mgmt_dns:
        v4["dns_nameservers"] = [" ".join(c.mgmt_dns)]
    ifaces[mgmt] = {"inet": {"method": "static", "options": v4}}
    sysctl = [f"sysctl -w net.ipv6.conf.{mgmt}.disable_ipv6=0"]
    if c.mgmt_ipv6 == "slaac":
        ifaces[mgmt]["inet6"] = {
            "method": "auto",
            "options": {"privext": ["2"], "accept_ra": ["1"], "pre_up": sysctl},
        }
    elif c.mgmt_ipv6 == "static":
        v6: dict[str, list[str]] = {"address": [str(c.mgmt_ipv6_address)]}
        if c.mgmt_ipv6_gateway:
            v6["gateway"] = [c.mgmt_ipv6_gateway]
        v6.update({"accept_ra": ["0"], "pre_up": sysctl})
        ifaces[mgmt]["inet6"] = {"method": "static", "options": v6}
    extra = parse_interfaces(c.extra_interfaces)
    ifaces.update(extra["interfaces"])
    allow = {"ovs": [c.bridge], c.bridge: [c.uplink_port, mgmt]}
    for klass, members in extra["allow"].items():
        allow.setdefault(klass, []).extend(members)
    return {"interfaces": ifaces, "auto": ["lo", *extra["auto"]], "allow": allow}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(data=host_data())
def test_render_means_what_the_data_says(data: dict[str, Any]) -> None:
    config = load_host_config("prop-host", data)
    text = render_interfaces(config, "prop-host")
    parsed = parse_interfaces(text)
    want = expected(config)
    assert parsed["interfaces"] == want["interfaces"]
    assert parsed["auto"] == want["auto"]
    assert parsed["allow"] == want["allow"]
    assert parsed["source"] == [] and parsed["mapping"] == []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "interfaces"
        path.write_text(text)
        assert_ifquery_agrees(path, parsed)
