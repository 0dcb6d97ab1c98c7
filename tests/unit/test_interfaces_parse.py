"""parse_interfaces on real-world style files, edge cases, and against Debian's own ifquery.

The sample files and their origins are listed in tests/data/interfaces/README.md.  Where
`ifquery` (package ifupdown) is installed, every sample, every example of the installed
openvswitch-switch README.Debian and a stream of random files are also read by it, and
both readings must agree.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.interfaces import (
    KNOWN_METHODS,
    OptionLine,
    SourceFile,
    normalise_key,
    parse_interfaces,
    parse_interfaces_files,
    parse_interfaces_located,
)
from tests.helpers.ifquery import assert_ifquery_agrees, needs_ifquery

DATA = Path(__file__).resolve().parent.parent / "data" / "interfaces"
SAMPLES = sorted(DATA.glob("*.interfaces"))
README_DEBIAN = Path("/usr/share/doc/openvswitch-switch/README.Debian.gz")


def load(name: str) -> str:
    return (DATA / name).read_text()


def opts(parsed: Any, name: str, family: str = "inet") -> dict[str, list[str]]:
    options: dict[str, list[str]] = parsed["interfaces"][name][family]["options"]
    return options


# --- the sample files --------------------------------------------------------------------


def test_legacy_vlan_bridges() -> None:
    parsed = parse_interfaces(load("legacy-bridges.interfaces"))
    assert parsed["source"] == ["/etc/network/interfaces.d/*"]
    assert parsed["auto"] == [
        "lo",
        "eth0",
        "vlan1234",
        "bridge1234",
        "vlan1011",
        "bridge1011",
        "vlan1012",
        "bridge1012",
    ]
    assert parsed["allow"] == {}
    ifaces = parsed["interfaces"]
    assert ifaces["lo"] == {"inet": {"method": "loopback", "options": {}}}
    assert ifaces["eth0"] == {"inet": {"method": "manual", "options": {}}}
    for vlan in ("1234", "1011", "1012"):
        assert opts(parsed, f"vlan{vlan}") == {"vlan_raw_device": ["eth0"]}
        assert opts(parsed, f"bridge{vlan}")["bridge_ports"] == [f"vlan{vlan}"]
    assert ifaces["bridge1234"]["inet"] == {
        "method": "static",
        "options": {
            "bridge_ports": ["vlan1234"],
            "bridge_fd": ["0"],
            "address": ["192.0.2.10/24"],
            "gateway": ["192.0.2.1"],
        },
    }
    assert opts(parsed, "bridge1012")["post_up"] == [
        "echo 1 > /proc/sys/net/ipv6/conf/bridge1012/disable_ipv6"
    ]


def test_ovs_after_file() -> None:
    parsed = parse_interfaces(load("ovs-after.interfaces"))
    assert parsed["auto"] == ["lo"]
    assert parsed["allow"] == {"ovs": ["ovsbr0"], "ovsbr0": ["eth0", "vlan1234"]}
    assert opts(parsed, "ovsbr0") == {"ovs_type": ["OVSBridge"], "ovs_ports": ["eth0 vlan1234"]}
    assert opts(parsed, "eth0") == {"ovs_bridge": ["ovsbr0"], "ovs_type": ["OVSPort"]}
    mgmt = parsed["interfaces"]["vlan1234"]
    assert list(mgmt) == ["inet", "inet6"]
    assert mgmt["inet"]["method"] == "static"
    assert mgmt["inet"]["options"]["ovs_options"] == ["tag=1234"]
    assert mgmt["inet"]["options"]["dns_nameservers"] == ["192.0.2.53"]
    assert mgmt["inet6"] == {
        "method": "auto",
        "options": {
            "privext": ["2"],
            "accept_ra": ["1"],
            "pre_up": ["sysctl -w net.ipv6.conf.vlan1234.disable_ipv6=0"],
        },
    }


def test_openvswitch_readme_examples_file() -> None:
    parsed = parse_interfaces(load("ovs-readme-examples.interfaces"))
    assert parsed["allow"] == {
        "ovs": ["br0", "br1", "br2"],
        "br0": ["eth0"],
        "br1": ["vlan100"],
        "br2": ["bond0"],
    }
    assert opts(parsed, "vlan100")["ovs_extra"] == [
        "set interface ${IFACE} external-ids:iface-id=$(hostname -s)"
    ]
    assert opts(parsed, "bond0")["ovs_bonds"] == ["eth2 eth3"]
    assert opts(parsed, "bond0")["ovs_options"] == ["bond_mode=balance-tcp lacp=active"]
    assert parsed["interfaces"]["br0"]["inet"]["method"] == "dhcp"


def test_proxmox_style_file() -> None:
    parsed = parse_interfaces(load("proxmox-style-ovs.interfaces"))
    assert parsed["auto"] == ["lo", "vmbr0"]
    assert parsed["allow"]["ovs"] == ["vmbr0", "vmbr1"]
    assert parsed["allow"]["vmbr0"] == ["bond0", "vlan50", "patch-vmbr0"]
    bond = opts(parsed, "bond0")
    assert bond["pre_up"] == ["( ip link set enp1s0 mtu 9000 && ip link set enp2s0 mtu 9000 )"]
    assert bond["ovs_options"] == ["bond_mode=balance-tcp lacp=active other_config:lacp-time=fast"]
    assert parsed["interfaces"]["vlan50"]["inet6"]["options"]["address"] == ["2001:db8:50::20"]
    assert opts(parsed, "patch-vmbr1")["ovs_patch_peer"] == ["patch-vmbr0"]


def test_manpage_features_file() -> None:
    parsed = parse_interfaces(load("manpage-features.interfaces"))
    assert parsed["auto"] == ["eth0", "lo", "eth2", "eth3"]  # allow-auto is auto
    assert parsed["allow"] == {"hotplug": ["eth1"]}
    assert parsed["no_auto_down"] == ["eth0"]
    assert parsed["no_scripts"] == ["eth3"]
    assert parsed["rename"] == ["eth9=eth3"]
    assert parsed["source"] == ["interfaces.d/*.cfg"]
    assert parsed["source_directory"] == ["interfaces.d"]
    assert parsed["mapping"] == [
        {
            "pattern": ["eth4", "eth5"],
            "options": {
                "script": ["/usr/share/doc/ifupdown/examples/get-mac-address.sh"],
                "map": ["02:00:00:00:00:04 home", "02:00:00:00:00:05 work"],
            },
        }
    ]
    ifaces = parsed["interfaces"]
    assert ifaces["eth0"] == {
        "inet": {"method": "dhcp", "options": {}},
        "inet6": {"method": "auto", "options": {}},
    }
    assert ifaces["eth1"]["inet6"]["options"]["gateway"] == ["fec0:0:0:1::1"]
    assert ifaces["eth2"]["inet"] == {
        "method": "manual",
        "options": {
            # inherited from "ethernet" first, then its own; then the second stanza's
            "mtu": ["1500", "9000"],
            "hwaddress": ["02:00:00:00:00:01"],
            "up": ["ip link set $IFACE promisc on", "echo one         two", "echo second stanza"],
            "post_up": ['echo "post-up # is not a comment here"'],
            "pre_down": ["echo going-down"],
            "down": ["echo down"],
            "dns_nameservers": ["192.0.2.53 192.0.2.54"],
            "dns_search": ["example.org"],
        },
    }
    assert opts(parsed, "eth3") == {"ovs_type": ["OVSPort"], "ovs_bridge": ["ovsbr0"]}


def test_realworld_legacy_hypervisor_file() -> None:
    """Issue 5 point 5, item by item, on one file written the way admins write them."""
    text = load("legacy-hypervisor-realworld.interfaces")
    parsed = parse_interfaces(text)
    ifaces = parsed["interfaces"]
    # comments (header, between and inside stanzas) are not data
    assert not any("#" in name for name in ifaces)
    # auto / allow-hotplug lines listing several interfaces
    assert parsed["auto"][:5] == ["lo", "eno1", "eno2", "vlan1234", "bridge1234"]
    assert parsed["allow"] == {"hotplug": ["eno3", "eno4"]}
    # source / source-directory are recorded (discovery follows them on the host)
    assert parsed["source"] == ["/etc/network/interfaces.d/*"]
    assert parsed["source_directory"] == ["/etc/network/interfaces.d"]
    # multi-family stanzas for one interface, without continuation lines
    assert ifaces["bridge1234"]["inet"]["method"] == "static"
    assert ifaces["bridge1234"]["inet6"] == {"method": "auto", "options": {"privext": ["2"]}}
    assert ifaces["eno3"]["inet6"] == {"method": "manual", "options": {}}
    # hyphen and underscore spellings are one key
    assert opts(parsed, "vlan1234") == {"vlan_raw_device": ["eno1"]}
    assert opts(parsed, "vlan1012") == {"vlan_raw_device": ["eno1"]}
    assert opts(parsed, "br-dmz") == {"bridge_ports": ["vlan1012"], "bridge_fd": ["0"]}
    assert opts(parsed, "bridge1234")["bridge_stp"] == ["off"]
    # iface x inet manual, with and without options
    assert ifaces["eno2"] == {"inet": {"method": "manual", "options": {}}}
    assert ifaces["eno1.1011"] == {"inet": {"method": "manual", "options": {}}}
    # bridge_ports none is a value like any other
    assert opts(parsed, "br-build") == {"bridge_ports": ["none"], "bridge_stp": ["off"]}
    # pre-up / up / post-up: each key in file order...
    storage = opts(parsed, "eno3")
    assert storage["pre_up"] == ["ip link set eno3 mtu 9000"]
    assert storage["up"] == ["ip route add 10.10.0.0/16 via 10.10.0.1", "echo storage up"]
    assert storage["post_up"] == ["/usr/local/sbin/storage-check eno3"]
    assert storage["pre_down"] == ["echo storage going down"]
    # ...and the located stanza keeps the exact interleaving (what discovery copies)
    eno3 = next(
        s for s in parse_interfaces_located(text) if s.keyword == "iface" and s.args[0] == "eno3"
    )
    assert [o.key for o in eno3.options] == [
        "address",
        "netmask",
        "pre-up",
        "up",
        "post-up",
        "up",
        "pre-down",
    ]
    # mapping stanzas are kept (and reported by discovery)
    assert parsed["mapping"] == [
        {
            "pattern": ["eno4"],
            "options": {
                "script": ["/usr/local/sbin/map-eno4"],
                "map": ["02:00:00:00:00:04 eno4-lab"],
            },
        }
    ]
    # tabs and spaces indent alike; values keep their inner spacing
    assert opts(parsed, "eno1") == {"mtu": ["9000"]}
    assert opts(parsed, "bridge1234")["dns_nameservers"] == ["192.0.2.53 192.0.2.54"]
    assert opts(parsed, "bridge1011")["post_up"] == [
        "echo 1 > /proc/sys/net/ipv6/conf/bridge1011/disable_ipv6"
    ]


# --- several files (source / source-directory) ------------------------------------------


def test_files_are_read_in_place_of_their_source_line() -> None:
    top = "auto lo\nsource d/*\niface lo inet loopback\nauto eth0\n"
    first = "auto vlan5\niface vlan5 inet manual\n  vlan-raw-device eth0\n"
    second = "iface eth0 inet manual\n  mtu 9000\n"
    config = parse_interfaces_files(
        [
            SourceFile("/e/interfaces", top),
            SourceFile("/e/d/a", first, ("/e/interfaces", 2)),
            SourceFile("/e/d/b", second, ("/e/interfaces", 2)),
        ]
    )
    assert config.parsed["auto"] == ["lo", "vlan5", "eth0"]
    assert config.parsed["source"] == ["d/*"]
    assert opts(config.parsed, "vlan5") == {"vlan_raw_device": ["eth0"]}
    assert [(path, s.line, s.keyword) for path, s in config.stanzas] == [
        ("/e/interfaces", 1, "auto"),
        ("/e/interfaces", 2, "source"),
        ("/e/d/a", 1, "auto"),
        ("/e/d/a", 2, "iface"),
        ("/e/d/b", 1, "iface"),
        ("/e/interfaces", 3, "iface"),
        ("/e/interfaces", 4, "auto"),
    ]
    # one file alone reads like parse_interfaces
    alone = parse_interfaces_files([SourceFile("/x", load("legacy-bridges.interfaces"))])
    assert alone.parsed == parse_interfaces(load("legacy-bridges.interfaces"))


FILES_BAD = [
    (
        [
            SourceFile("/e/i", "source d/*\n"),
            SourceFile("/e/d/x", "iface a inet manual\nmtu\n", ("/e/i", 1)),
        ],
        "/e/d/x line 2: option 'mtu' with empty value",
    ),
    (
        [
            SourceFile("/e/i", "iface a inet static\nsource d/*\n"),
            SourceFile("/e/d/x", "iface a inet dhcp\n", ("/e/i", 2)),
        ],
        "/e/d/x line 1: 'iface a inet dhcp' conflicts with 'iface a inet static' at /e/i line 1",
    ),
    (
        [SourceFile("/e/i", "auto lo\n"), SourceFile("/e/d/x", "", ("/e/i", 1))],
        "/e/d/x claims to be included by /e/i line 1",
    ),
    ([], "no interfaces file"),
]


@pytest.mark.parametrize(("files", "message"), FILES_BAD)
def test_files_errors_name_file_and_line(files: list[SourceFile], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_interfaces_files(files)


# --- the format, case by case -----------------------------------------------------------


def test_empty_and_comment_only_files() -> None:
    empty: dict[str, Any] = {
        "interfaces": {},
        "auto": [],
        "allow": {},
        "source": [],
        "source_directory": [],
        "mapping": [],
        "rename": [],
        "no_auto_down": [],
        "no_scripts": [],
    }
    assert parse_interfaces("") == empty
    assert parse_interfaces("# nothing\n\n   \t\n  # still nothing \\\n") == empty


def test_keys_are_normalised_and_repeats_keep_order() -> None:
    text = """\
iface br0 inet manual
    ovs-type OVSBridge
    up echo 1
    post-up echo 2
    up echo 3
    ovs_type OVSPort
    dns-nameservers 192.0.2.1
    dns_nameservers 192.0.2.2
    MTU 9000
"""
    assert opts(parse_interfaces(text), "br0") == {
        "ovs_type": ["OVSBridge", "OVSPort"],
        "up": ["echo 1", "echo 3"],
        "post_up": ["echo 2"],
        "dns_nameservers": ["192.0.2.1", "192.0.2.2"],
        "MTU": ["9000"],  # case is kept: ifupdown's methods only read "mtu"
    }
    assert normalise_key("vlan-raw-device") == "vlan_raw_device"


def test_values_keep_inner_spacing_and_hash() -> None:
    text = "iface x inet manual\n\tup   echo  a\t b  # c  \t\n  bridge_ports   none\n"
    assert opts(parse_interfaces(text), "x") == {
        "up": ["echo  a\t b  # c"],
        "bridge_ports": ["none"],
    }


def test_line_continuation() -> None:
    text = (
        "auto eth0 \\\n  eth1\n"
        "iface eth0 inet manual\n"
        "  up echo a \\\n      b\\\n# not a comment inside a continuation\n"
        "  down echo x \\ \n"  # a backslash followed by a space does not continue
        "  mtu 1 \\\n\n"  # continued into a blank line
        "  hwaddress 02:00:00:00:00:09 \\"  # the file ends in a continuation
    )
    parsed = parse_interfaces(text)
    assert parsed["auto"] == ["eth0", "eth1"]
    assert opts(parsed, "eth0") == {
        "up": ["echo a       b# not a comment inside a continuation"],
        "down": ["echo x \\"],
        "mtu": ["1"],
        "hwaddress": ["02:00:00:00:00:09"],
    }


def test_stanza_keywords_may_be_indented_and_crlf_is_whitespace() -> None:
    text = "  auto eth0\r\n\tiface eth0 inet static\r\n address 192.0.2.1/24\r\n"
    parsed = parse_interfaces(text)
    assert parsed["auto"] == ["eth0"]
    assert opts(parsed, "eth0") == {"address": ["192.0.2.1/24"]}


def test_auto_and_allow_lines() -> None:
    text = """\
auto eth0 eth1
auto eth1 eth2
allow-hotplug eth3 eth4
allow-hotplug eth3
allow-auto eth5
allow-ovs ovsbr0 ovsbr1
allow-ovsbr0 eth0 vlan10
auto
"""
    parsed = parse_interfaces(text)
    assert parsed["auto"] == ["eth0", "eth1", "eth2", "eth5"]
    assert parsed["allow"] == {
        "hotplug": ["eth3", "eth4"],
        "ovs": ["ovsbr0", "ovsbr1"],
        "ovsbr0": ["eth0", "vlan10"],
    }


def test_source_lines_are_recorded_not_followed() -> None:
    text = (
        "source /etc/network/interfaces.d/*\n"
        "source-directory /etc/network/interfaces.d\n"
        "source-dir more.d\n"
        "source /etc/a b\n"
    )
    parsed = parse_interfaces(text)
    assert parsed["source"] == ["/etc/network/interfaces.d/*", "/etc/a b"]
    assert parsed["source_directory"] == ["/etc/network/interfaces.d", "more.d"]


def test_multi_family_and_repeated_stanzas() -> None:
    text = """\
iface vlan1234 inet static
    address 192.0.2.10/24
iface vlan1234 inet6 auto
    privext 2
iface vlan1234 inet static
    address 198.51.100.10/24
    up ip route add 203.0.113.0/24 via 198.51.100.1
"""
    ifaces = parse_interfaces(text)["interfaces"]
    assert ifaces["vlan1234"]["inet"] == {
        "method": "static",
        "options": {
            "address": ["192.0.2.10/24", "198.51.100.10/24"],
            "up": ["ip route add 203.0.113.0/24 via 198.51.100.1"],
        },
    }
    assert ifaces["vlan1234"]["inet6"] == {"method": "auto", "options": {"privext": ["2"]}}


def test_inherits() -> None:
    text = """\
iface base inet static
    mtu 1500
iface base inet6 auto
    privext 2
iface eth0 inet static inherits base
    address 192.0.2.1/24
iface eth1 inherits base
iface eth2 inet6 inherits base
iface eth3 inherits eth0
"""
    ifaces = parse_interfaces(text)["interfaces"]
    assert ifaces["eth0"]["inet"]["options"] == {"mtu": ["1500"], "address": ["192.0.2.1/24"]}
    # without a family: the first stanza of that name, whatever its family
    assert ifaces["eth1"] == {"inet": {"method": "static", "options": {"mtu": ["1500"]}}}
    assert ifaces["eth2"] == {"inet6": {"method": "auto", "options": {"privext": ["2"]}}}
    assert ifaces["eth3"]["inet"]["options"] == {"mtu": ["1500"], "address": ["192.0.2.1/24"]}


def test_mapping_stanzas() -> None:
    text = "mapping eth*\n  script /bin/map.sh\n  map a b\n  map c\nmapping wlan0\n  script s\n"
    assert parse_interfaces(text)["mapping"] == [
        {"pattern": ["eth*"], "options": {"script": ["/bin/map.sh"], "map": ["a b", "c"]}},
        {"pattern": ["wlan0"], "options": {"script": ["s"]}},
    ]


def test_every_known_method_is_accepted() -> None:
    for family, methods in KNOWN_METHODS.items():
        for method in methods:
            parsed = parse_interfaces(f"iface x {family} {method}\n")
            assert parsed["interfaces"]["x"][family]["method"] == method


BAD = [
    ("address 192.0.2.1\niface eth0 inet manual\n", "line 1: misplaced option 'address'"),
    ("# c\n\n   mtu 9000\n", "line 3: misplaced option 'mtu'"),
    ("iface eth0 inet manual\nauto eth1\n  mtu 9000\n", "line 3: misplaced option 'mtu'"),
    ("iface eth0 inet manual\nsource x\n  mtu 9000\n", "line 3: misplaced option"),
    ("iface eth0 inet manual\nrename a=b\n  mtu 9000\n", "line 3: misplaced option"),
    ("iface eth0 inet manual\n  mtu\n", "line 2: option 'mtu' with empty value"),
    ("iface eth0 inet manual\n  bridge_ports   \t\n", "line 2: option 'bridge_ports' with"),
    ("iface\n", "line 1: iface without a name"),
    ("iface eth0\n", "line 1: iface eth0: no address family"),
    ("\n\niface eth0 inet\n", "line 3: iface eth0: no method"),
    ("iface eth0 ipv4 static\n", "unknown address family 'ipv4'"),
    ("iface eth0 inet6 slaac\n", "unknown inet6 method 'slaac'"),
    ("iface eth0 inet auto\n", "unknown inet method 'auto'"),
    ("iface eth0 inet static 192.0.2.1\n", "line 1: iface eth0: unexpected '192.0.2.1'"),
    ("iface eth0 inet static inherits\n", "unexpected 'inherits'"),
    ("iface eth0 inet static inherits a b\n", "unexpected 'inherits a b'"),
    ("iface eth0 inet manual inherits nope\n", "line 1: iface eth0: unknown iface to inherit"),
    ("iface a inet6 auto\niface b inet manual inherits a\n", "unknown iface to inherit from: a"),
    ("iface eth0 inet static\niface eth0 inet dhcp\n", "line 2: 'iface eth0 inet dhcp' conflicts"),
    ("mapping\n", "line 1: mapping without an interface pattern"),
    ("mapping eth0\n  script a\n  mtu 1\n", "line 3: misplaced option 'mtu' in a mapping"),
    ("mapping eth0\n  script a\n  script b\n", "line 3: duplicate script"),
    ("mapping eth0\n  map\n", "line 2: map with empty value"),
    ("source\n", "line 1: source without a path"),
    ("source-directory\n", "line 1: source-directory without a path"),
    ("allow- eth0\n", "line 1: misplaced option 'allow-'"),
    ("iface eth0 inet manual\n  up a \\\n\n  mtu\n", "line 4: option 'mtu' with empty value"),
    ("iface x inet manual\n  up a \\\n  b\n  down\n", "line 4: option 'down' with empty value"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_input_raises_value_error_with_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_interfaces(text)


def test_located_stanzas_carry_line_numbers() -> None:
    text = "# head\nauto eth0\n\niface eth0 inet manual\n  up a \\\n   b\n  mtu 9000\n"
    stanzas = parse_interfaces_located(text)
    assert [(s.line, s.keyword, s.args) for s in stanzas] == [
        (2, "auto", ("eth0",)),
        (4, "iface", ("eth0", "inet", "manual")),
    ]
    assert stanzas[1].options == (
        OptionLine(line=5, key="up", value="a    b"),
        OptionLine(line=7, key="mtu", value="9000"),
    )
    located = parse_interfaces_located(load("ovs-after.interfaces"))
    vlan = [s for s in located if s.keyword == "iface" and s.args[0] == "vlan1234"]
    assert [(s.line, s.args[1]) for s in vlan] == [(15, "inet"), (23, "inet6")]
    assert vlan[1].options[2] == OptionLine(
        26, "pre-up", "sysctl -w net.ipv6.conf.vlan1234.disable_ipv6=0"
    )


# --- against the real ifupdown ----------------------------------------------------------


def sandboxed(tmp_path: Path, text: str) -> tuple[Path, str]:
    # Point absolute "source" lines into the temporary directory, so ifquery never reads
    # this machine's /etc/network/interfaces.d.
    text = text.replace("/etc/network/interfaces.d", str(tmp_path / "interfaces.d"))
    path = tmp_path / "interfaces"
    path.write_text(text)
    return path, text


@needs_ifquery
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_ifquery_agrees_on_samples(sample: Path, tmp_path: Path) -> None:
    path, text = sandboxed(tmp_path, sample.read_text())
    assert_ifquery_agrees(path, parse_interfaces(text))


def readme_examples() -> list[tuple[str, str]]:
    if not README_DEBIAN.exists():
        return []
    text = gzip.decompress(README_DEBIAN.read_bytes()).decode()
    parts = re.split(r"^(ex \d+):.*$", text, flags=re.MULTILINE)
    examples = []
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        body = body.split("\n -- ")[0]  # the signature after the last example
        if "iface " in body:  # "ex 8" is shell commands, not a file
            examples.append((title, body))
    return examples


@needs_ifquery
@pytest.mark.skipif(not README_DEBIAN.exists(), reason="openvswitch-switch docs not installed")
@pytest.mark.parametrize(("title", "body"), readme_examples() or [("none", "")])
def test_installed_readme_debian_examples(title: str, body: str, tmp_path: Path) -> None:
    parsed = parse_interfaces(body)
    assert parsed["allow"]["ovs"], title
    for stanzas in parsed["interfaces"].values():
        assert stanzas["inet"]["options"]["ovs_type"][0].startswith("OVS")
    path, text = sandboxed(tmp_path, body)
    assert_ifquery_agrees(path, parse_interfaces(text))
