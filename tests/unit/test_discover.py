"""Discovery on recorded lab facts and on synthetic legacy hosts (pure, no lab needed).

tests/data/discover/lab-*.json are the two facts discovery reads, recorded from the lab with
tests/data/discover/capture.py: the legacy "before" state and the state after the deploy.
The synthetic hosts below build facts from an interfaces text (links derived from it, as
ifup would make them) and domain XML, to reach the cases the lab does not have.
"""

from __future__ import annotations

import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ovs_hypervisor.discover import (
    NEVER_MATCHES,
    Discovery,
    FileFact,
    discover,
    render_host_data,
    summary,
)
from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import load_host_config
from ovs_hypervisor.plan import plan_host
from tests.helpers.discover import (
    BASE,
    DATA,
    DOMAINS,
    ROOT,
    TOP,
    domain,
    facts,
    lab,
    live_from,
    make_link,
    run,
)

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
    net["links"]["virbr0"] = make_link("virbr0", kind="bridge")
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
    net["links"]["ovsbr0"] = make_link("ovsbr0", kind="openvswitch")
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
