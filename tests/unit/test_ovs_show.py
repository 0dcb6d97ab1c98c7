"""parse_ovs_show against recorded and format-faithful `ovs-vsctl show` outputs.

Where each sample under tests/data/ovs/ comes from is in tests/data/ovs/README.md:
the ovs-3.1-* files were recorded from a private OVS 3.1.0 on the lab machine
(capture.sh); the others follow the layout of public outputs (OVS 2.0.2 to 2.15) cited
there.  The property tier (tests/property/test_ovs_parsers_props.py) renders random states in
both quoting styles, any indentation, with and without the UUID line, and parses them back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.ovs_show import parse_ovs_show

DATA = Path(__file__).resolve().parent.parent / "data" / "ovs"
SHOW_FILES = sorted(DATA.glob("*.show"))


def load(name: str) -> str:
    return (DATA / name).read_text()


def all_names(parsed: Any) -> list[str]:
    names = list(parsed["bridges"])
    for bridge in parsed["bridges"].values():
        names += list(bridge["ports"])
        for port in bridge["ports"].values():
            names += list(port["interfaces"])
    return names


@pytest.mark.parametrize("path", SHOW_FILES, ids=lambda p: p.name)
def test_every_sample_parses_with_unquoted_names(path: Path) -> None:
    parsed = parse_ovs_show(path.read_text())
    assert parsed["uuid"] is not None and re.fullmatch(r"[0-9a-f-]{36}", parsed["uuid"])
    for name in all_names(parsed):
        assert '"' not in name and name.strip() == name


def test_ovs_31_lab() -> None:
    parsed = parse_ovs_show(load("ovs-3.1-lab.show"))
    assert parsed["ovs_version"] == "3.1.0"
    assert parsed["manager"] == [
        {"target": "punix:/var/run/openvswitch/manager", "is_connected": None}
    ]
    assert set(parsed["bridges"]) == {"ovsbr0", "ovsbr1"}
    br0 = parsed["bridges"]["ovsbr0"]
    assert br0["datapath_type"] == "netdev"
    # keys beyond the documented shape only appear when ovs-vsctl printed them
    assert "fail_mode" not in br0 and "controller" not in br0 and "other" not in br0
    ports = br0["ports"]
    assert set(ports) == {
        "bond0",
        "vlan1234",
        "vnet0",
        "vnet1",
        "vnet2",
        "vnet9",
        "patch-ovsbr1",
        "ovsbr0",
    }
    # exactly the shape DESIGN.md documents when nothing else was printed
    assert ports["vnet0"] == {
        "tag": 1011,
        "trunks": [],
        "interfaces": {"vnet0": {"type": None, "error": None}},
    }
    # access, trunk, native-untagged (show cannot tell vlan_mode; the JSON can)
    assert (ports["vnet0"]["tag"], ports["vnet0"]["trunks"]) == (1011, [])
    assert (ports["vnet1"]["tag"], ports["vnet1"]["trunks"]) == (None, [1011, 1012])
    assert (ports["vnet2"]["tag"], ports["vnet2"]["trunks"]) == (101, [101, 102])
    assert ports["vlan1234"]["tag"] == 1234
    assert ports["vlan1234"]["interfaces"] == {"vlan1234": {"type": "internal", "error": None}}
    # a bond: one Port, two Interfaces, in the order printed
    assert list(ports["bond0"]["interfaces"]) == ["eth1", "eth0"]
    assert all(i["type"] is None for i in ports["bond0"]["interfaces"].values())
    assert ports["vnet9"]["interfaces"]["vnet9"]["error"] == (
        "could not open network device vnet9 (No such device)"
    )
    patch = ports["patch-ovsbr1"]["interfaces"]["patch-ovsbr1"]
    assert patch["type"] == "patch"
    assert patch["options"] == {"peer": "patch-ovsbr0"}

    br1 = parsed["bridges"]["ovsbr1"]
    assert br1["fail_mode"] == "secure"
    assert br1["datapath_type"] == "netdev"
    assert [c["target"] for c in br1["controller"]] == [
        "punix:/var/run/openvswitch/ovsbr1.controller"
    ]
    assert br1["ports"]["patch-ovsbr0"]["interfaces"]["patch-ovsbr0"]["options"] == {
        "peer": "patch-ovsbr1"
    }


def test_old_quoted_format_gives_the_same_result_as_the_new() -> None:
    new = parse_ovs_show(load("ovs-3.1-lab.show"))
    old = parse_ovs_show(load("ovs-2.3-quoted-lab.show"))
    assert old["ovs_version"] == "2.3.0"
    for bridge in new["bridges"].values():
        del bridge["datapath_type"]  # OVS 2.3's show does not print it
    assert old["bridges"] == new["bridges"]
    assert old["manager"] == new["manager"]


def test_empty_show_outputs() -> None:
    empty = parse_ovs_show(load("ovs-3.1-empty.show"))
    expected: dict[str, Any] = {
        "uuid": empty["uuid"],
        "ovs_version": "3.1.0",
        "manager": [],
        "bridges": {},
    }
    assert empty == expected
    assert parse_ovs_show(load("ovs-3.1-empty-no-version.show"))["ovs_version"] is None
    # the minimal literal form, as the brief describes it, with old quoting
    minimal = parse_ovs_show('2f7e1c0a-9a6b-4d3e-8c2f-1b0a9e8d7c6b\n    ovs_version: "2.3.0"\n')
    assert minimal["bridges"] == {} and minimal["ovs_version"] == "2.3.0"


def test_openstack_network_node_mixed_quoting_and_tunnel_options() -> None:
    parsed = parse_ovs_show(load("openstack-network-node-ovs-2.0.show"))
    assert parsed["ovs_version"] == "2.0.2"
    assert list(parsed["bridges"]) == ["br-int", "br-ex", "br-tun"]
    br_int = parsed["bridges"]["br-int"]
    assert br_int["fail_mode"] == "secure"
    assert br_int["ports"]["qr-3c1f0a2b-7d"]["tag"] == 1
    assert br_int["ports"]["patch-tun"]["interfaces"]["patch-tun"]["options"] == {
        "peer": "patch-int"
    }
    vxlan = parsed["bridges"]["br-tun"]["ports"]["vxlan-c0000202"]["interfaces"]["vxlan-c0000202"]
    assert vxlan["type"] == "vxlan"
    # options stay strings, quoted or not ("true" is quoted because it is a keyword)
    assert vxlan["options"] == {
        "df_default": "true",
        "in_key": "flow",
        "local_ip": "192.0.2.1",
        "out_key": "flow",
        "remote_ip": "192.0.2.2",
    }


def test_controllers_and_manager_with_is_connected() -> None:
    parsed = parse_ovs_show(load("mininet-controllers-quoted.show"))
    assert parsed["manager"] == [{"target": "ptcp:6640", "is_connected": True}]
    s1 = parsed["bridges"]["s1"]
    assert s1["fail_mode"] == "secure"
    assert s1["controller"] == [
        {"target": "ptcp:6654", "is_connected": None},
        {"target": "tcp:192.0.2.100:6653", "is_connected": True},
    ]
    assert s1["ports"]["s1"]["interfaces"]["s1"]["type"] == "internal"
    assert [c["is_connected"] for c in parsed["bridges"]["s2"]["controller"]] == [None, None]


def test_error_lines_bonds_and_native_vlan_in_old_format() -> None:
    parsed = parse_ovs_show(load("hypervisor-errors-quoted.show"))
    assert parsed["ovs_version"] == "2.3.0"
    ports = parsed["bridges"]["vmbr0"]["ports"]
    assert list(ports["bond0"]["interfaces"]) == ["eth1", "eth0"]
    assert (ports["vnet6"]["tag"], ports["vnet6"]["trunks"]) == (226, [226, 227])
    errors = {
        iface_name: iface["error"]
        for port in ports.values()
        for iface_name, iface in port["interfaces"].items()
        if iface["error"]
    }
    assert errors == {
        "vnet3": "could not open network device vnet3 (No such device)",
        "veth1.99.2e": "could not open network device veth1.99.2e (No such device)",
    }


def test_newer_unquoted_format() -> None:
    parsed = parse_ovs_show(load("ovs-2.15-unquoted.show"))
    assert parsed["ovs_version"] == "2.15.1-d246dab"
    assert set(parsed["bridges"]["ovsbr2"]["ports"]) == {"en3f1pf1sf0", "ovsbr2", "p1"}
    p0 = parsed["bridges"]["ovsbr1"]["ports"]["p0"]["interfaces"]["p0"]
    assert p0["type"] == "dpdk"
    assert p0["options"] == {"dpdk-devargs": "0000:03:00.0"}


def test_unknown_columns_are_kept_not_fatal() -> None:
    text = """\
9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d
    Bridge br0
        datapath_type: system
        mcast_snooping_enable: true
        Port bond0
            bond_mode: balance-tcp
            lacp: active
            fake_bridge: true
            Interface eth0
                bfd_status: {diagnostic="No Diagnostic", forwarding="true", state=up}
                link_speed: 10000000000
            Interface eth1
        Port "vlan10"
            tag: 10
            trunks: [20]
            Interface "vlan10"
                type: internal
    something_new: [1, 2.5, x]
    ovs_version: "2.17.9"
"""
    parsed = parse_ovs_show(text)
    br0 = parsed["bridges"]["br0"]
    assert br0["datapath_type"] == "system"
    assert br0["other"] == {"mcast_snooping_enable": True}
    bond = br0["ports"]["bond0"]
    assert bond["other"] == {"bond_mode": "balance-tcp", "lacp": "active", "fake_bridge": True}
    eth0 = bond["interfaces"]["eth0"]
    assert eth0["other"] == {
        "bfd_status": {"diagnostic": "No Diagnostic", "forwarding": "true", "state": "up"},
        "link_speed": 10000000000,
    }
    assert br0["ports"]["vlan10"]["trunks"] == [20]
    assert parsed["other"] == {"something_new": [1, 2.5, "x"]}


def test_quoted_names_with_escapes_and_spaces() -> None:
    text = (
        "9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d\r\n"  # CRLF, e.g. pasted from Windows
        '    Bridge "my \\"odd\\" br"\r\n'
        '        Port "p,1=x"\r\n'
        '            Interface "p,1=x"\r\n'
        '                error: "a \\\\ b"\r\n'
    )
    parsed = parse_ovs_show(text)
    port = parsed["bridges"]['my "odd" br']["ports"]["p,1=x"]
    assert port["interfaces"]["p,1=x"]["error"] == "a \\ b"


BAD = [
    ("", "empty input"),
    ("   \n\n", "empty input"),
    ("hello world\n", "line 1: expected 'Record NAME' or 'key: value'"),
    ("Port p0\n    Interface p0\n", "line 1: Port outside any Bridge"),
    ("    Bridge b\n        Port p\n  Bridge c\n", "line 3: inconsistent indentation"),
    ("  Bridge b\n      Port p\n    Port q\n", "line 3: inconsistent indentation"),
    ("Bridge b\n  Port p\n{UUID}\n", "line 3: expected 'Record NAME'"),
    ("{UUID}\n    Port p0\n        Interface p0\n", "line 2: Port outside any Bridge"),
    ("{UUID}\n    Bridge b\n        Interface p0\n", "line 3: Interface outside any Port"),
    ("{UUID}\n    Bridge b\n        Port p\n    Interface p\n", "Interface outside any Port"),
    ("{UUID}\n    Controller c\n", "Controller outside any Bridge"),
    ("{UUID}\n    Bridge b\n        Manager m\n", "Manager must be at the top level"),
    ("{UUID}\n    Bridge b\n        Bridge c\n", "Bridge must be at the top level"),
    ("{UUID}\n    Mirror m\n", "unknown record 'Mirror'"),
    ("{UUID}\n    this is garbage\n", "line 2: expected 'Record NAME' or 'key: value'"),
    ("{UUID}\nBridge b\n", "line 2: not indented under the UUID line"),
    ("{UUID}\n    Bridge b\n        Port p\n      Port q\n", "line 4: inconsistent indentation"),
    ("{UUID}\n\tBridge b\n", "line 2: indent with spaces only"),
    ("{UUID}\n    Bridge b\n        fail_mode: secure\n            Port p\n", "unexpected inden"),
    ("{UUID}\n    Bridge b\n        Port p\n            tag: x\n", "tag: expected an integer"),
    ("{UUID}\n    Bridge b\n        Port p\n            tag: true\n", "tag: expected an integer"),
    ("{UUID}\n    Bridge b\n        Port p\n            trunks: [1, a]\n", "trunks: expected"),
    ("{UUID}\n    Bridge b\n        Port p\n            tag:\n", "'tag' has no value"),
    ("{UUID}\n    Bridge b\n        Port p\n            tag: 1\n            tag: 2\n", "twice"),
    ('{UUID}\n    Bridge "b\n', "unterminated quoted string"),
    ('{UUID}\n    Bridge "b\\q"\n', "bad quoted string"),
    ("{UUID}\n    Bridge b c\n", "unexpected text after the value"),
    ("{UUID}\n    Bridge b\n    Bridge b\n", "Bridge 'b' listed twice"),
    ("{UUID}\n    Bridge a\n        Port p\n    Bridge b\n        Port p\n", "Port 'p' listed"),
    ("{UUID}\n    Bridge b\n        Port p\n            trunks: [1, 2\n", "expected ',' or ']'"),
    ("{IFACE}                options: {a}\n", "'='"),
    ("{IFACE}                options: x\n", "map"),
    ("{IFACE}                type: [a, b]\n", "single string"),
    ("{UUID}\n    Manager m\n        is_connected: yes\n", "is_connected: expected true or false"),
    ("{UUID}\n    ovs_version: 2.3.0 x\n", "unexpected text"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_not_show_output_raises_value_error(text: str, message: str) -> None:
    text = text.replace(
        "{IFACE}", "{UUID}\n    Bridge b\n        Port p\n            Interface i\n"
    )
    text = text.replace("{UUID}", "9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d")
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_ovs_show(text)


def test_flattened_paste_is_rejected() -> None:
    # A web page that lost the indentation is not something to guess at.
    flat = "\n".join(line.strip() for line in load("ovs-3.1-lab.show").splitlines())
    with pytest.raises(ValueError, match="not indented under the UUID line"):
        parse_ovs_show(flat)


# The design notes' example as an admin pastes it: a 4-space indented block, OVS 2.3's
# quoting, no Open_vSwitch UUID line.
SEED_EXAMPLE = """\
    Bridge "ovsbr0"
        Port "ovsbr0"
            Interface "ovsbr0"
                type: internal
        Port "eth0"
            Interface "eth0"
        Port "vlan1234"
            tag: 1234
            Interface "vlan1234"
                type: internal
        Port "vnet0"
            tag: 1011
            Interface "vnet0"
        Port "vnet1"
            trunks: [1011, 1012]
            Interface "vnet1"
    ovs_version: "2.3.0"
"""


def test_seed_example_verbatim() -> None:
    parsed = parse_ovs_show(SEED_EXAMPLE)
    assert parsed["uuid"] is None
    assert parsed["ovs_version"] == "2.3.0"
    assert parsed["manager"] == []
    ports = parsed["bridges"]["ovsbr0"]["ports"]
    assert list(ports) == ["ovsbr0", "eth0", "vlan1234", "vnet0", "vnet1"]
    assert ports["vlan1234"] == {
        "tag": 1234,
        "trunks": [],
        "interfaces": {"vlan1234": {"type": "internal", "error": None}},
    }
    assert ports["eth0"]["interfaces"] == {"eth0": {"type": None, "error": None}}
    assert ports["vnet0"]["tag"] == 1011
    assert ports["vnet1"]["tag"] is None and ports["vnet1"]["trunks"] == [1011, 1012]


@pytest.mark.parametrize("path", SHOW_FILES, ids=lambda p: p.name)
def test_uuid_line_and_indentation_carry_no_information(path: Path) -> None:
    text = path.read_text()
    full = parse_ovs_show(text)
    uuid_line, _, rest = text.partition("\n")
    assert full["uuid"] == uuid_line.strip().lower()
    if not rest.strip():  # an empty switch without its UUID line is no output at all
        with pytest.raises(ValueError, match="empty input"):
            parse_ovs_show(rest)
        return
    assert parse_ovs_show(rest) == {**full, "uuid": None}
    # Re-indent: 2 spaces a level instead of 4, the whole block shifted by 3.
    reindented = "\n".join(
        " " * (3 + (len(ln) - len(ln.lstrip(" "))) // 2) + ln.lstrip(" ") if ln else ln
        for ln in text.split("\n")
    )
    assert parse_ovs_show(reindented) == full
    assert parse_ovs_show(reindented.partition("\n")[2]) == {**full, "uuid": None}
