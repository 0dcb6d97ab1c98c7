"""Discovery on recorded lab facts and on synthetic legacy hosts (pure, no lab needed).

tests/data/discover/lab-*.json are the two facts discovery reads, recorded from the lab with
tests/data/discover/capture.py: the legacy "before" state and the state after the deploy.
The synthetic hosts below build facts from an interfaces text (links derived from it, as
ifup would make them) and domain XML, to reach the cases the lab does not have.
"""

from __future__ import annotations

import json
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.discover import (
    NEVER_MATCHES,
    Discovery,
    FileFact,
    LinkFact,
    NetworkFacts,
    discover,
    inventory_overrides,
    parse_network_facts,
    render_host_data,
    summary,
)
from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import load_host_config
from ovs_hypervisor.plan import plan_host

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
TOP = "/etc/network/interfaces"


def lab(name: str) -> tuple[NetworkFacts, dict[str, Any]]:
    network = parse_network_facts((DATA / "discover" / f"{name}.collector.json").read_text())
    domains = json.loads((DATA / "discover" / f"{name}.domains.json").read_text())
    return network, domains


# --- building synthetic facts -------------------------------------------------------------


def _link(name: str, **kw: Any) -> LinkFact:
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
        link = links.setdefault(name, _link(name))
        if "bridge_ports" in opts:
            link["kind"] = "bridge"
            for port in " ".join(opts["bridge_ports"]).split():
                if port != "none":
                    links.setdefault(port, _link(port))["master"] = name
        elif m := re.match(r"^vlan(\d+)$|^(.+)\.(\d+)$", name):
            raw = opts.get("vlan_raw_device", [m.group(2)])[0]
            link.update(kind="vlan", link=raw, vlan_id=int(m.group(1) or m.group(3)))
            links.setdefault(raw, _link(raw))
        elif "bond_slaves" in opts:
            link["kind"] = "bond"
            for slave in " ".join(opts["bond_slaves"]).split():
                links.setdefault(slave, _link(slave))["master"] = name
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


# --- the lab, recorded ---------------------------------------------------------------------

LAB_DATA = {
    "ovs_hv_datapath_type": "netdev",
    "ovs_hv_mgmt_vlan": 1234,
    "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
    "ovs_hv_mgmt_gateway": "192.0.2.1",
    "ovs_hv_mgmt_dns": ["192.0.2.53"],
    "ovs_hv_mgmt_ipv6": "off",
    "ovs_hv_uplinks": ["eth0"],
    "ovs_hv_legacy_bridges": {
        "bridge101": 101,
        "bridge102": 102,
        "bridge1011": 1011,
        "bridge1012": 1012,
        "bridge1234": 1234,
    },
    "ovs_hv_domains": {
        "vm-access": {"52:54:00:aa:bb:01": {"vlan": 1011}},
        "vm-hybrid": {"52:54:00:aa:bb:03": {"vlan": 101}},
        "vm-multi": {"52:54:00:aa:bb:04": {"vlan": 1011}, "52:54:00:aa:bb:05": {"vlan": 1012}},
        "vm-off": {"52:54:00:aa:bb:06": {"vlan": 1012}},
        "vm-trunk": {"52:54:00:aa:bb:02": {"vlan": 1011}},
    },
}


def test_lab_legacy_state_gives_the_lab_data() -> None:
    network, domains = lab("lab-legacy")
    d = discover("ovsd-hv1", network, domains)
    assert d.ok, summary(d)
    assert d.data == LAB_DATA
    assert d.files == [TOP]
    assert [(v.vid, v.device, v.bridge) for v in d.vlans] == [
        (101, "vlan101", "bridge101"),
        (102, "vlan102", "bridge102"),
        (1011, "vlan1011", "bridge1011"),
        (1012, "vlan1012", "bridge1012"),
        (1234, "vlan1234", "bridge1234"),
    ]
    assert d.mgmt is not None and d.mgmt.device == "bridge1234"
    assert d.mgmt.where == "/etc/network/interfaces:19"
    # The lab has no openvswitch kernel module: the one warning says so.
    assert len(d.warnings) == 1 and "no openvswitch kernel module" in d.warnings[0]
    assert {n.mode for n in d.nics} == {"access"}


def test_lab_data_passes_the_deploys_own_checks() -> None:
    network, domains = lab("lab-legacy")
    d = discover("ovsd-hv1", network, domains)
    config = load_host_config("ovsd-hv1", d.data)
    text = next(f["text"] for f in network["files"] if f["path"] == TOP)
    links = {
        n: {
            "kind": link["kind"],
            "master": link["master"],
            "up": link["up"],
            "addresses": [f"{a['address']}/{a['prefixlen']}" for a in link["addresses"]],
        }
        for n, link in network["links"].items()
    }
    plan = plan_host(config, "ovsd-hv1", domains, links, text)  # type: ignore[arg-type]
    assert sorted(d.name for d in plan.changed_domains) == sorted(domains)
    assert plan.legacy_bridges == sorted(LAB_DATA["ovs_hv_legacy_bridges"])  # type: ignore[call-overload]
    assert plan.legacy_members == ["vlan101", "vlan1011", "vlan1012", "vlan102", "vlan1234"]


def test_lab_after_migration_is_skipped_not_failed() -> None:
    network, domains = lab("lab-migrated")
    d = discover("ovsd-hv1", network, domains)
    assert d.errors == []
    assert d.skipped is not None and "already on Open vSwitch" in d.skipped
    assert not d.ok
    with pytest.raises(ValueError, match="no host data to write"):
        render_host_data(d)
    assert "skipped" in summary(d)


def test_summary_lists_vlans_management_nics_and_warnings() -> None:
    network, domains = lab("lab-legacy")
    text = summary(discover("ovsd-hv1", network, domains))
    for needle in (
        "Discovery of ovsd-hv1",
        "uplink      eth0",
        "datapath    netdev",
        "1011  bridge1011 <- vlan1011  [/etc/network/interfaces:31]",
        "management  VLAN 1234: bridge1234 -> OVS port vlan1234",
        "IPv4 192.0.2.10/24 (live: same)",
        "gateway 192.0.2.1, DNS 192.0.2.53",
        "vm-off (shut off)",
        "52:54:00:aa:bb:03  bridge101",
        "-> access VLAN 101  (bridge101 carries VLAN 101)",
        "warnings (1)",
    ):
        assert needle in text, text


# --- the written file ---------------------------------------------------------------------


def ruff() -> str:
    found = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(found).exists():
        pytest.skip("ruff is not installed")
    return found


@pytest.mark.parametrize("case", ["lab", "realworld", "trunk"])
def test_host_data_file_round_trips_and_is_ruff_clean(case: str, tmp_path: Path) -> None:
    if case == "lab":
        d = discover("ovsd-hv1", *lab("lab-legacy"))
    elif case == "realworld":
        d = realworld()
    else:
        d = trunk_host()
    assert d.ok, summary(d)
    text = render_host_data(d, "2024-01-01 12:00")
    path = tmp_path / "kvm1.py"
    path.write_text(text)
    found = {k: v for k, v in runpy.run_path(str(path)).items() if k.startswith("ovs_hv_")}
    assert found == d.data
    config = ["--config", str(ROOT / "pyproject.toml")]
    fmt = subprocess.run([ruff(), "format", "--check", *config, str(path)], capture_output=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr + text.encode()
    lint = subprocess.run([ruff(), "check", *config, str(path)], capture_output=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert text.startswith('"""Host data of')
    assert "# Written by ovs-hypervisor discovery on 2024-01-01 12:00" in text


def test_host_data_file_comments_each_nic() -> None:
    text = render_host_data(discover("ovsd-hv1", *lab("lab-legacy")))
    assert '"52:54:00:aa:bb:05": {"vlan": 1012},  # on bridge1012' in text
    assert "ovs_hv_mgmt_vlan = 1234  # bridge1234, /etc/network/interfaces:19" in text
    assert "# ! no openvswitch kernel module" in text


# --- synthetic hosts: mapping ----------------------------------------------------------------


def test_base_host() -> None:
    d = run()
    assert d.ok, summary(d)
    assert d.warnings == []
    assert d.data == {
        "ovs_hv_datapath_type": "system",
        "ovs_hv_mgmt_vlan": 1234,
        "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
        "ovs_hv_mgmt_gateway": "192.0.2.1",
        "ovs_hv_mgmt_dns": ["192.0.2.53"],
        "ovs_hv_mgmt_ipv6": "off",
        "ovs_hv_uplinks": ["eth0"],
        "ovs_hv_legacy_bridges": {"bridge1011": 1011, "bridge1012": 1012, "bridge1234": 1234},
        "ovs_hv_domains": {
            "db": {"52:54:00:00:00:02": {"vlan": 1012}, "52:54:00:00:00:03": {"vlan": 1011}},
            "web": {"52:54:00:00:00:01": {"vlan": 1011}},
        },
    }


def test_module_loaded_gives_system_without_warning() -> None:
    d = run(module="loaded")
    assert d.data["ovs_hv_datapath_type"] == "system" and d.warnings == []
    d = run(module="missing")
    assert d.data["ovs_hv_datapath_type"] == "netdev"
    assert "no openvswitch kernel module" in d.warnings[0]


def test_dot_style_vlans_netmask_and_ipv6_slaac() -> None:
    text = """\
auto eth1
iface eth1 inet manual
auto eth1.1234
iface eth1.1234 inet manual
auto br1234
iface br1234 inet static
    bridge_ports eth1.1234
    address 192.0.2.10
    netmask 255.255.255.0
    gateway 192.0.2.1
    dns-nameservers 192.0.2.53 192.0.2.54
iface br1234 inet6 auto
    privext 2
auto eth1.0077
iface eth1.0077 inet manual
auto br77
iface br77 inet manual
    bridge_ports eth1.0077
"""
    doms = {"x": domain("x", ("bridge", "br77", "52:54:00:00:00:09"))}
    d = run(text, doms)
    assert d.ok, summary(d)
    assert d.data["ovs_hv_uplinks"] == ["eth1"]
    assert d.data["ovs_hv_mgmt_ipv4"] == "192.0.2.10/24"
    assert d.data["ovs_hv_mgmt_dns"] == ["192.0.2.53", "192.0.2.54"]
    assert d.data["ovs_hv_mgmt_ipv6"] == "slaac"
    assert d.data["ovs_hv_legacy_bridges"] == {"br77": 77, "br1234": 1234}
    assert d.data["ovs_hv_domains"] == {"x": {"52:54:00:00:00:09": {"vlan": 77}}}


def test_ipv6_static_and_prefix_as_netmask() -> None:
    text = BASE + "iface bridge1234 inet6 static\n    address 2001:db8::10\n    netmask 64\n"
    text += "    gateway 2001:db8::1\n"
    d = run(text)
    assert d.ok, summary(d)
    assert d.data["ovs_hv_mgmt_ipv6"] == "static"
    assert d.data["ovs_hv_mgmt_ipv6_address"] == "2001:db8::10/64"
    assert d.data["ovs_hv_mgmt_ipv6_gateway"] == "2001:db8::1"


def test_ipv6_from_live_slaac_without_stanza() -> None:
    net = facts(BASE)
    net["links"]["bridge1234"]["addresses"].append(
        {
            "family": "inet6",
            "address": "2001:db8::5054:ff:fe00:1",
            "prefixlen": 64,
            "scope": "global",
            "dynamic": True,
        }
    )
    d = discover("kvm1", net, DOMAINS)
    assert d.data["ovs_hv_mgmt_ipv6"] == "slaac", summary(d)


def trunk_host() -> Discovery:
    text = BASE + "auto br0\niface br0 inet manual\n    bridge_ports eth0\n"
    doms = {**DOMAINS, "router": domain("router", ("bridge", "br0", "52:54:00:00:00:0a"))}
    return run(text, doms)


def test_nic_on_bridge_over_the_raw_uplink_is_a_trunk_with_a_reason() -> None:
    d = trunk_host()
    assert d.ok, summary(d)
    assert d.data["ovs_hv_domains"]["router"] == {"52:54:00:00:00:0a": {"trunk": [1011, 1012]}}
    nic = next(n for n in d.nics if n.domain == "router")
    assert nic.mode == "trunk" and "trunk bridge" in nic.reason
    text = "\n".join(d.warnings)
    assert "planned as a trunk of this host's VLANs except management (1011, 1012)" in text
    # br0 is legacy plumbing the deploy removes at cutover, and the deploy accepts the data
    assert d.data["ovs_hv_legacy_trunk_bridges"] == ["br0"]
    assert "the deploy will refuse" not in text
    assert "copy those stanzas" not in text


def test_bond_uplink_becomes_an_ovs_bond() -> None:
    text = BASE.replace("vlan_raw_device eth0", "vlan_raw_device bond0").replace(
        "vlan-raw-device eth0", "vlan-raw-device bond0"
    )
    text = text.replace(
        "auto eth0\niface eth0 inet manual\n",
        "auto bond0\niface bond0 inet manual\n    bond-slaves eno1 eno2\n    bond-mode 802.3ad\n"
        "    bond-lacp-rate fast\n    bond-miimon 100\n",
    )
    d = run(text)
    assert d.ok, summary(d)
    assert d.data["ovs_hv_uplinks"] == ["eno1", "eno2"]
    assert d.data["ovs_hv_bond_name"] == "bond0"
    assert d.data["ovs_hv_bond_options"] == (
        "bond_mode=balance-tcp lacp=active other_config:lacp-time=fast"
    )
    assert any("becomes an OVS bond of eno1, eno2" in w for w in d.warnings)
    d = run(text.replace("802.3ad", "balance-alb").replace("    bond-lacp-rate fast\n", ""))
    assert d.data["ovs_hv_bond_options"] == "bond_mode=balance-slb"
    assert any("no exact OVS equivalent" in w for w in d.warnings)


def realworld() -> Discovery:
    text = (DATA / "interfaces" / "legacy-hypervisor-realworld.interfaces").read_text()
    doms = {
        "mail": domain("mail", ("bridge", "br-dmz", "52:54:00:00:01:01")),
        "app": domain("app", ("bridge", "bridge1011", "52:54:00:00:01:02")),
        "build": domain("build", ("bridge", "br-build", "52:54:00:00:01:03")),
        "nat": domain("nat", ("network", "default", "52:54:00:00:01:04")),
    }
    net = facts(text)
    net["links"]["virbr0"] = _link("virbr0", kind="bridge")
    return discover("kvm07", net, doms)


def test_realworld_file_is_discovered_and_the_rest_kept_verbatim() -> None:
    d = realworld()
    assert d.ok, summary(d)
    data = d.data
    assert data["ovs_hv_uplinks"] == ["eno1"]
    assert data["ovs_hv_mgmt_vlan"] == 1234
    assert data["ovs_hv_mgmt_ipv4"] == "192.0.2.17/24"
    assert data["ovs_hv_mgmt_dns"] == ["192.0.2.53", "192.0.2.54"]
    assert data["ovs_hv_mgmt_ipv6"] == "slaac"
    assert data["ovs_hv_legacy_bridges"] == {"bridge1011": 1011, "br-dmz": 1012, "bridge1234": 1234}
    assert data["ovs_hv_domains"] == {
        "app": {"52:54:00:00:01:02": {"vlan": 1011}},
        "mail": {"52:54:00:00:01:01": {"vlan": 1012}},
    }
    extra = data["ovs_hv_extra_interfaces"]
    assert extra.startswith("auto eno2\niface eno2 inet manual\n\nallow-hotplug eno3\n")
    assert "\tpost-up /usr/local/sbin/storage-check eno3\n\tup echo storage up\n" in extra
    assert "iface eno3 inet6 manual" in extra
    assert "auto br-build\niface br-build inet manual\n  bridge_ports none\n" in extra
    assert "mapping eno4\n\tscript /usr/local/sbin/map-eno4\n" in extra
    assert parse_interfaces(extra)["allow"] == {"hotplug": ["eno3"]}
    warnings = "\n".join(d.warnings)
    for needle in (
        "legacy-hypervisor-realworld" and "`mtu 9000` of eno1 is not carried over",
        "`dns-search example.net` of bridge1234 is not carried over",
        "IPv6 tweaks of 1 legacy VLAN interface(s) are dropped",
        "mapping stanza `eno4` kept verbatim",
        "domain build, NIC 52:54:00:00:01:03 stays on br-build",
        "libvirt network 'default': left as it is",
        "kept verbatim in ovs_hv_extra_interfaces",
    ):
        assert needle in warnings, warnings
    # bridge1234's own lines are not reported as dropped: they became the management port
    assert "bridge_fd" not in warnings and "privext" not in warnings
    assert "the deploy will refuse" not in warnings


def test_bridge_name_and_vlan_disagree_explicit_map_wins() -> None:
    text = BASE.replace("bridge1011", "bridge100")
    d = run(text, {"x": domain("x", ("bridge", "bridge100", "52:54:00:00:00:01"))})
    assert d.ok, summary(d)
    assert d.data["ovs_hv_legacy_bridges"]["bridge100"] == 1011
    assert d.data["ovs_hv_domains"] == {"x": {"52:54:00:00:00:01": {"vlan": 1011}}}
    assert "ovs_hv_legacy_bridge_pattern" not in d.data


def test_non_vlan_bridge_matching_the_pattern_turns_the_pattern_off() -> None:
    text = BASE + "auto bridge999\niface bridge999 inet manual\n    bridge_ports none\n"
    doms = {"iso": domain("iso", ("bridge", "bridge999", "52:54:00:00:00:07"))}
    d = run(text, doms)
    assert d.ok, summary(d)
    assert d.data["ovs_hv_legacy_bridge_pattern"] == NEVER_MATCHES
    assert "bridge999" not in d.data["ovs_hv_legacy_bridges"]
    assert d.data["ovs_hv_domains"] == {}
    assert "bridge999" in d.data["ovs_hv_extra_interfaces"]
    config = load_host_config("kvm1", d.data)
    assert config.legacy_vlan("bridge999") is None and config.legacy_vlan("bridge1011") == 1011
    assert not any("the deploy will refuse" in w for w in d.warnings), d.warnings


def test_sourced_files_are_read_and_their_legacy_stanzas_flagged() -> None:
    top = "source /etc/network/interfaces.d/*\nauto lo\niface lo inet loopback\n"
    top += "auto eth0\niface eth0 inet manual\n"
    vlans = BASE.split("auto vlan1234\n", 1)[1]
    sourced: list[FileFact] = [
        {
            "path": "/etc/network/interfaces.d/vlans",
            "origin": (TOP, 1),
            "text": "auto vlan1234\n" + vlans,
            "missing": False,
            "error": None,
        }
    ]
    d = discover("kvm1", facts(top, live_from(top + vlans), sourced=sourced), DOMAINS)
    assert d.ok, summary(d)
    assert d.files == [TOP, "/etc/network/interfaces.d/vlans"]
    assert d.data["ovs_hv_mgmt_vlan"] == 1234
    assert d.mgmt is not None and d.mgmt.where == "/etc/network/interfaces.d/vlans:5"
    assert any("legacy stanzas in sourced files" in w for w in d.warnings)


def test_gateway_from_the_live_route_when_the_file_has_none() -> None:
    text = BASE.replace("    gateway 192.0.2.1\n", "")
    routes = {"inet": [{"gateway": "192.0.2.254", "dev": "bridge1234"}], "inet6": []}
    d = run(text, routes=routes)
    assert d.data["ovs_hv_mgmt_gateway"] == "192.0.2.254"
    assert any("the live default route via 192.0.2.254" in w for w in d.warnings)
    d = run(BASE, routes=routes)
    assert d.data["ovs_hv_mgmt_gateway"] == "192.0.2.1"
    assert any("the file's gateway is 192.0.2.1" in w for w in d.warnings)


def test_nic_already_on_ovs_keeps_its_vlan() -> None:
    xml = (
        "<domain type='kvm'><name>r</name><devices><interface type='bridge'>"
        "<mac address='52:54:00:00:00:0b'/><source bridge='ovsbr0'/>"
        "<virtualport type='openvswitch'/><vlan trunk='yes'><tag id='101' "
        "nativeMode='untagged'/><tag id='102'/></vlan></interface></devices></domain>"
    )
    doms = {"r": {"state": "shut off", "persistent": True, "xml": xml, "live_xml": None}}
    net = facts(BASE)
    net["links"]["ovsbr0"] = _link("ovsbr0", kind="openvswitch")
    d = discover("kvm1", net, doms)
    assert d.ok, summary(d)
    assert d.data["ovs_hv_domains"] == {"r": {"52:54:00:00:00:0b": {"trunk": [102], "native": 101}}}
    assert d.nics[0].mode == "hybrid"


def test_live_and_defined_bridge_differ_warns() -> None:
    dom = domain("web", ("bridge", "bridge1011", "52:54:00:00:00:01"))
    dom["live_xml"] = dom["xml"].replace("bridge1011", "bridge1012")
    d = run(domains={"web": dom})
    assert d.ok
    assert any("defined on bridge1011 but running on bridge1012" in w for w in d.warnings)


# --- bad input: errors name file and line, and what to do; nothing is written ----------------

BAD = [
    pytest.param(
        BASE + "    mtu 9000\nauto eth1\n  mtu 1500\n",
        None,
        "/etc/network/interfaces:36: misplaced option 'mtu'",
        id="unparsable",
    ),
    pytest.param(
        BASE.replace("bridge_ports vlan1012", "bridge_ports vlan1012 vlan1011"),
        None,
        "/etc/network/interfaces:32: bridge bridge1012 has 2 VLAN ports (vlan1012 (VLAN 1012), "
        "vlan1011 (VLAN 1011))",
        id="bridge-with-two-vlan-ports",
    ),
    pytest.param(
        BASE.replace(
            "    bridge_ports vlan1011\n",
            "    bridge_ports vlan1011\n    address 198.51.100.2/28\n",
        ).replace("iface bridge1011 inet manual", "iface bridge1011 inet static"),
        None,
        "the host has IPv4 on 2 VLAN interfaces (bridge1234 (VLAN 1234, 192.0.2.10/24, "
        "/etc/network/interfaces:15); bridge1011 (VLAN 1011, 198.51.100.2/28, "
        "/etc/network/interfaces:25))",
        id="ip-on-two-bridges",
    ),
    pytest.param(
        BASE.replace("vlan1012", "vlan4095"),
        None,
        "/etc/network/interfaces:28: VLAN device vlan4095: VLAN id 4095 is out of range (1-4094)",
        id="vlan-id-out-of-range",
    ),
    pytest.param(
        BASE,
        {"web": domain("web", ("bridge", "bridge1099", "52:54:00:00:00:01"))},
        "domain web: NIC 52:54:00:00:00:01 is on bridge 'bridge1099' (<source "
        "bridge='bridge1099'/>), but this host has no such bridge",
        id="nic-on-missing-bridge",
    ),
    pytest.param(
        BASE.replace("vlan_raw_device eth0", "vlan_raw_device eth1", 1),
        None,
        "the VLANs ride on 2 NICs (eth0: VLAN 1011, 1012; eth1: VLAN 1234)",
        id="vlans-on-two-nics",
    ),
    pytest.param(
        BASE.replace("iface bridge1234 inet static", "iface bridge1234 inet dhcp").replace(
            "    address 192.0.2.10/24\n", ""
        ),
        None,
        "/etc/network/interfaces:12: bridge1234 (the management bridge) takes its address by DHCP",
        id="dhcp-management",
    ),
    pytest.param(
        BASE.replace("iface eth0 inet manual", "iface eth0 inet static\n    address 10.0.0.5/24"),
        None,
        "the host has an untagged IPv4 address on eth0",
        id="untagged-management",
    ),
    pytest.param(
        BASE.replace("bridge_ports vlan1011", "bridge_ports vlan1011 eth0"),
        None,
        "bridge bridge1011 mixes VLAN port vlan1011 with eth0",
        id="bridge-mixing-vlan-and-uplink",
    ),
    pytest.param(
        BASE.replace("    address 192.0.2.10/24\n", "").replace(
            "iface bridge1234 inet static", "iface bridge1234 inet manual"
        ),
        None,
        "no VLAN bridge holds an IPv4 address: cannot tell the management VLAN",
        id="no-management-address",
    ),
    pytest.param(
        BASE.replace("    address 192.0.2.10/24\n", ""),
        None,
        "/etc/network/interfaces:12: bridge1234 has no IPv4 address",
        id="static-without-address",
    ),
    pytest.param(
        BASE + "allow-ovs ovsbr0\niface ovsbr0 inet manual\n    ovs_type OVSBridge\n",
        None,
        "/etc/network/interfaces:36: ovsbr0 is already an Open vSwitch interface (`ovs_type "
        "OVSBridge`) while ",
        id="half-migrated",
    ),
    pytest.param(
        BASE,
        {"t": domain("t", ("bridge", "bridge1011", "52:54:00:00:00:01"), persistent=False)},
        "domain t: is transient (not defined)",
        id="transient-domain",
    ),
    pytest.param(
        BASE,
        {"m": domain("m", ("direct", "vlan1011", "52:54:00:00:00:01"))},
        "domain m: NIC 52:54:00:00:00:01 is a macvtap on vlan1011, which the migration removes",
        id="macvtap-on-legacy-vlan",
    ),
    pytest.param(
        BASE.replace("auto vlan1012\niface vlan1012", "auto eth0.1011\niface eth0.1011")
        .replace("bridge_ports vlan1012", "bridge_ports eth0.1011")
        .replace("    vlan-raw-device eth0\n", ""),
        None,
        "eth0.1011 and vlan1011 are both VLAN 1011 on eth0",
        id="same-vlan-twice",
    ),
    pytest.param(
        BASE.replace("address 192.0.2.10/24", "address 192.0.2.10"),
        None,
        "/etc/network/interfaces:15: bridge1234: address 192.0.2.10 has no prefix length",
        id="address-without-prefix",
    ),
]


@pytest.mark.parametrize(("text", "doms", "message"), BAD)
def test_bad_input_is_an_error_naming_where_and_what_to_do(
    text: str, doms: dict[str, Any] | None, message: str
) -> None:
    d = discover("kvm1", facts(text), DOMAINS if doms is None else doms)
    out = problems(d)
    assert message in out, out
    assert all("; fix: " in str(e) for e in d.errors)
    assert "ERRORS" in summary(d) and "no host data is written for kvm1" in summary(d)
    with pytest.raises(ValueError):
        render_host_data(d)


def test_live_address_disagreeing_with_the_file_is_an_error() -> None:
    net = facts(BASE)
    net["links"]["bridge1234"]["addresses"][0]["address"] = "192.0.2.99"
    out = problems(discover("kvm1", net, DOMAINS))
    assert (
        "/etc/network/interfaces:15: bridge1234: the file says 192.0.2.10/24, but the live" in out
    )


def test_same_ip_on_two_links_is_an_error() -> None:
    net = facts(BASE)
    net["links"]["eth5"] = _link(
        "eth5",
        addresses=[
            {
                "family": "inet",
                "address": "192.0.2.10",
                "prefixlen": 24,
                "scope": "global",
                "dynamic": False,
            }
        ],
    )
    assert "192.0.2.10 is on both bridge1234 and eth5" in problems(discover("kvm1", net, DOMAINS))


def test_unreadable_or_missing_files_are_errors() -> None:
    net = facts(BASE)
    net["files"][0] = {
        "path": TOP,
        "origin": None,
        "text": None,
        "error": "cannot read: No such file or directory",
    }
    assert "this host is not configured with Debian's ifupdown" in problems(discover("k", net, {}))
    net = facts(BASE)
    net["files"].append(
        {
            "path": "/etc/network/interfaces.d/x",
            "origin": (TOP, 2),
            "text": None,
            "error": "is not UTF-8 text",
        }
    )
    out = problems(discover("k", net, {}))
    assert (
        "/etc/network/interfaces.d/x: is not UTF-8 text (sourced at /etc/network/interfaces:2)"
        in out
    )


def test_unparsable_sourced_file_names_that_file() -> None:
    top = "source /etc/network/interfaces.d/*\n" + BASE
    bad: list[FileFact] = [
        {
            "path": "/etc/network/interfaces.d/extra",
            "origin": (TOP, 1),
            "text": "# extra\niface eth3 inet static\n    address\n",
            "missing": False,
            "error": None,
        }
    ]
    d = discover("kvm1", facts(top, sourced=bad), DOMAINS)
    assert "/etc/network/interfaces.d/extra:3: option 'address' with empty value" in problems(d)


# --- the collector's JSON, overrides ------------------------------------------------------------


def test_parse_network_facts() -> None:
    raw = {
        "files": [
            {"path": TOP, "origin": None, "b64": "YXV0byBsbwo=", "error": None},
            {"path": "/e/x", "origin": [TOP, 3], "b64": "/w==", "error": None},
        ],
        "links": [{"name": "eth0", "addresses": []}],
        "kernel": "6.1.0",
    }
    net = parse_network_facts(json.dumps(raw))
    assert net["files"][0]["text"] == "auto lo\n"
    assert net["files"][1] == {
        "path": "/e/x",
        "origin": (TOP, 3),
        "text": None,
        "missing": False,
        "error": "is not UTF-8 text",
    }
    assert net["links"]["eth0"]["kind"] is None
    assert net["ovs_module"]["state"] == "missing"
    with pytest.raises(ValueError, match="did not print JSON"):
        parse_network_facts("Traceback (most recent call last):")


def test_inventory_overrides() -> None:
    data = {"ovs_hv_mgmt_vlan": 1234, "ovs_hv_domains": {"a": {}}, "ovs_hv_uplinks": ["eth0"]}
    own = {"ovs_hv_mgmt_vlan": 99, "ovs_hv_domains": {"b": {"x": 1}}, "ovs_hv_uplinks": ["eth0"]}
    # keys that came from the previous host_data file are not the inventory's
    notes = inventory_overrides(data, own, {"ovs_hv_domains": {"b": {"x": 1}}}, {})
    assert notes == [
        "the inventory sets ovs_hv_mgmt_vlan = 99 for this host, which wins over the discovered "
        "1234: remove it from the inventory to use the discovered value"
    ]
    notes = inventory_overrides(data, {}, {}, {"ovs_hv_uplinks": ["eth1"]})
    assert notes == ["--data ovs_hv_uplinks=['eth1'] wins over the discovered ['eth0']"]


def test_policy_keys_of_the_inventory_are_honoured() -> None:
    # a host whose OVS bridge is called br-ovs: NICs already there are recognised
    xml = (
        "<domain type='kvm'><name>r</name><devices><interface type='bridge'>"
        "<mac address='52:54:00:00:00:0c'/><source bridge='br-ovs'/>"
        "<vlan><tag id='1011'/></vlan></interface></devices></domain>"
    )
    doms = {"r": {"state": "shut off", "persistent": True, "xml": xml, "live_xml": None}}
    net = facts(BASE)
    net["links"]["br-ovs"] = _link("br-ovs", kind="openvswitch")
    d = discover("kvm1", net, doms, {"ovs_hv_bridge": "br-ovs"})
    assert d.ok, summary(d)
    assert d.data["ovs_hv_domains"] == {"r": {"52:54:00:00:00:0c": {"vlan": 1011}}}


def test_vlan_ports_named_only_in_bridge_ports() -> None:
    """bridge-utils creates `DEV.N` ports itself: no stanza is needed for them."""
    text = """\
auto eth0
iface eth0 inet manual
auto br1234
iface br1234 inet static
    bridge_ports eth0.1234
    address 192.0.2.10/24
auto br1011
iface br1011 inet manual
    bridge_ports eth0.1011
"""
    d = run(text, {"web": domain("web", ("bridge", "br1011", "52:54:00:00:00:01"))})
    assert d.ok, summary(d)
    assert d.data["ovs_hv_legacy_bridges"] == {"br1011": 1011, "br1234": 1234}
    assert d.data["ovs_hv_domains"] == {"web": {"52:54:00:00:00:01": {"vlan": 1011}}}
    assert [(v.vid, v.device, v.where) for v in d.vlans] == [
        (1011, "eth0.1011", "/etc/network/interfaces:8"),
        (1234, "eth0.1234", "/etc/network/interfaces:4"),
    ]
    bad = run(text.replace("eth0.1011", "eth0.5000"))
    assert "/etc/network/interfaces:9: bridge port eth0.5000: VLAN id 5000 is out of range" in (
        problems(bad)
    )


def test_migrated_host_with_a_kept_bridge_is_skipped_not_half_migrated() -> None:
    text = """\
allow-ovs ovsbr0
iface ovsbr0 inet manual
    ovs_type OVSBridge
    ovs_ports eth0 vlan1234
allow-ovsbr0 vlan1234
iface vlan1234 inet static
    ovs_bridge ovsbr0
    ovs_type OVSIntPort
    ovs_options tag=1234
    address 192.0.2.10/24
auto br-build
iface br-build inet manual
    bridge_ports none
"""
    d = run(text, {})
    assert d.errors == [] and d.skipped is not None, summary(d)


def test_dns_and_gateway_of_kept_stanzas_stay_with_them() -> None:
    text = BASE + "auto eth3\niface eth3 inet static\n    address 10.0.0.5/24\n"
    text += "    gateway 10.0.0.1\n    dns-nameservers 10.0.0.53\n"
    d = run(text)
    assert d.ok, summary(d)
    assert d.data["ovs_hv_mgmt_dns"] == ["192.0.2.53"]
    assert "dns-nameservers 10.0.0.53" in d.data["ovs_hv_extra_interfaces"]
    assert any("eth3 also has a gateway: kept with its stanza" in w for w in d.warnings)
    # ...while a dropped stanza's DNS servers move to the management port
    d = run(
        BASE.replace(
            "iface eth0 inet manual", "iface eth0 inet manual\n    dns-nameservers 9.9.9.9"
        )
    )
    assert d.data["ovs_hv_mgmt_dns"] == ["192.0.2.53", "9.9.9.9"]
    assert any("DNS servers 9.9.9.9 of eth0 move to the management port" in w for w in d.warnings)


def test_strings_with_backslashes_and_quotes_round_trip(tmp_path: Path) -> None:
    extra = 'iface eth9 inet manual\n    up echo "a \\\n  b" """x\'\'\'\n'
    d = Discovery(host="kvm9", data={"ovs_hv_extra_interfaces": extra, "ovs_hv_mgmt_dns": ['a"b']})
    path = tmp_path / "kvm9.py"
    path.write_text(render_host_data(d))
    found = runpy.run_path(str(path))
    assert found["ovs_hv_extra_interfaces"] == extra
    assert found["ovs_hv_mgmt_dns"] == ['a"b']
    assert found["ovs_hv_domains"] == {}
