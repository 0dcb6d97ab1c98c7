"""ovsdb_json against `ovs-vsctl --format=json list` output recorded from OVS 3.1.0.

The ovs-3.1-lab-* files were recorded from a private OVS in a network namespace on the lab
machine by tests/data/ovs/capture.sh (see tests/data/ovs/README.md); the show output of
the same state is ovs-3.1-lab.show, so the two views are cross-checked here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.ovs_show import parse_ovs_show
from ovs_hypervisor.ovsdb_json import (
    BRIDGE_COLUMNS,
    INTERFACE_COLUMNS,
    PORT_COLUMNS,
    bridge_rows,
    interface_rows,
    parse_ovsdb_list,
    port_rows,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "ovs"


def load(name: str) -> str:
    return (DATA / name).read_text()


def test_generic_decoding_of_atoms_sets_and_maps() -> None:
    text = json.dumps(
        {
            "headings": ["_uuid", "name", "tag", "trunks", "one", "none", "ids", "flag", "r"],
            "data": [
                [
                    ["uuid", "6a3feaca-b86d-4055-800c-ade52a9229e7"],
                    "vnet0",
                    1011,
                    ["set", [101, 102]],
                    ["uuid", "c86cc922-1e03-49f0-9bdb-0ea77c7a7e61"],
                    ["set", []],
                    ["map", [["vm-id", "x"], ["n", 1]]],
                    False,
                    1.5,
                ]
            ],
        }
    )
    assert parse_ovsdb_list(text) == [
        {
            "_uuid": "6a3feaca-b86d-4055-800c-ade52a9229e7",
            "name": "vnet0",
            "tag": 1011,
            "trunks": [101, 102],
            "one": "c86cc922-1e03-49f0-9bdb-0ea77c7a7e61",  # a one-element set is bare
            "none": [],
            "ids": {"vm-id": "x", "n": 1},
            "flag": False,
            "r": 1.5,
        }
    ]
    assert parse_ovsdb_list('{"data": [], "headings": ["name"]}') == []


@pytest.mark.parametrize("table", ["Bridge", "Port", "Interface"])
def test_full_rows_decode(table: str) -> None:
    rows = parse_ovsdb_list(load(f"ovs-3.1-lab-list-{table}.json"))
    assert rows
    for row in rows:
        assert isinstance(row["_uuid"], str) and re.fullmatch(r"[0-9a-f-]{36}", row["_uuid"])
        assert isinstance(row["name"], str)
        assert isinstance(row["external_ids"], dict)
        assert isinstance(row["other_config"], dict)


def test_port_rows() -> None:
    ports = port_rows(load("ovs-3.1-lab-columns-Port.json"))
    assert set(ports) == {
        "bond0",
        "vlan1234",
        "vnet0",
        "vnet1",
        "vnet2",
        "vnet9",
        "patch-ovsbr1",
        "patch-ovsbr0",
        "ovsbr0",
        "ovsbr1",
    }
    vnet0, vnet1, vnet2 = ports["vnet0"], ports["vnet1"], ports["vnet2"]
    assert (vnet0["tag"], vnet0["trunks"], vnet0["vlan_mode"]) == (1011, [], None)
    assert (vnet1["tag"], vnet1["trunks"], vnet1["vlan_mode"]) == (None, [1011, 1012], None)
    assert (vnet2["tag"], vnet2["trunks"], vnet2["vlan_mode"]) == (
        101,
        [101, 102],
        "native-untagged",
    )
    assert ports["vlan1234"]["tag"] == 1234
    assert len(ports["bond0"]["interfaces"]) == 2  # a real set
    assert len(ports["vnet0"]["interfaces"]) == 1  # a bare uuid, made a list
    assert all(p["external_ids"] == {} for p in ports.values())
    assert all(isinstance(p["uuid"], str) for p in ports.values())


def test_interface_rows() -> None:
    ifaces = interface_rows(load("ovs-3.1-lab-columns-Interface.json"))
    assert ifaces["vnet0"]["external_ids"] == {
        "attached-mac": "52:54:00:aa:bb:01",
        "iface-id": "0f8c4c1e-5b7d-4a8e-9a4e-2d1f3c5b6a01",
        "iface-status": "active",
        "vm-id": "7a2b9d3e-1c4f-4e8a-b6d5-0e9f8a7b6c01",
    }
    assert ifaces["vnet9"]["error"] == "could not open network device vnet9 (No such device)"
    assert ifaces["vnet9"]["ofport"] == -1
    assert ifaces["vnet0"]["error"] is None
    assert ifaces["vnet0"]["type"] == ""  # OVSDB's "system"
    assert ifaces["vlan1234"]["type"] == "internal"
    assert ifaces["ovsbr0"]["ofport"] == 65534  # the bridge's local port
    assert ifaces["patch-ovsbr1"]["type"] == "patch"
    assert ifaces["patch-ovsbr1"]["options"] == {"peer": "patch-ovsbr0"}
    assert all(i["ofport"] is not None for i in ifaces.values())


def test_bridge_rows() -> None:
    bridges = bridge_rows(load("ovs-3.1-lab-columns-Bridge.json"))
    assert set(bridges) == {"ovsbr0", "ovsbr1"}
    assert bridges["ovsbr0"]["datapath_type"] == "netdev"
    assert bridges["ovsbr0"]["fail_mode"] is None
    assert bridges["ovsbr1"]["fail_mode"] == "secure"
    assert re.fullmatch(r"[0-9a-f]{16}", bridges["ovsbr0"]["datapath_id"] or "")
    assert len(bridges["ovsbr0"]["ports"]) == 8
    assert len(bridges["ovsbr1"]["ports"]) == 2


@pytest.mark.parametrize(
    ("helper", "table"),
    [(port_rows, "Port"), (interface_rows, "Interface"), (bridge_rows, "Bridge")],
)
def test_full_listing_and_columns_listing_agree(helper: Any, table: str) -> None:
    assert helper(load(f"ovs-3.1-lab-list-{table}.json")) == helper(
        load(f"ovs-3.1-lab-columns-{table}.json")
    )


def test_columns_constants_match_the_recorded_headings() -> None:
    for columns, table in [
        (PORT_COLUMNS, "Port"),
        (INTERFACE_COLUMNS, "Interface"),
        (BRIDGE_COLUMNS, "Bridge"),
    ]:
        headings = json.loads(load(f"ovs-3.1-lab-columns-{table}.json"))["headings"]
        assert tuple(headings) == columns


def test_json_and_show_describe_the_same_switch() -> None:
    show = parse_ovs_show(load("ovs-3.1-lab.show"))
    bridges = bridge_rows(load("ovs-3.1-lab-columns-Bridge.json"))
    ports = port_rows(load("ovs-3.1-lab-columns-Port.json"))
    ifaces = interface_rows(load("ovs-3.1-lab-columns-Interface.json"))
    port_by_uuid = {p["uuid"]: name for name, p in ports.items()}
    iface_by_uuid = {i["uuid"]: name for name, i in ifaces.items()}
    for bname, bridge in bridges.items():
        shown = show["bridges"][bname]
        assert {port_by_uuid[u] for u in bridge["ports"]} == set(shown["ports"])
        assert bridge["fail_mode"] == shown.get("fail_mode")
        assert bridge["datapath_type"] == shown.get("datapath_type")
        for pname, shown_port in shown["ports"].items():
            port = ports[pname]
            assert (port["tag"], port["trunks"]) == (shown_port["tag"], shown_port["trunks"])
            assert {iface_by_uuid[u] for u in port["interfaces"]} == set(shown_port["interfaces"])
            for iname, shown_iface in shown_port["interfaces"].items():
                iface = ifaces[iname]
                assert iface["error"] == shown_iface["error"]
                assert (iface["type"] or None) == shown_iface["type"]
                assert iface["options"] == shown_iface.get("options", {})


def rows(headings: list[str], *data: list[Any]) -> str:
    return json.dumps({"headings": headings, "data": list(data)})


PORT_H = list(PORT_COLUMNS)
PORT_OK = [
    ["uuid", "u1"], "p", ["set", []], ["set", []], ["set", []], ["uuid", "i1"], ["map", []],
    ["set", []], ["set", []],
]  # fmt: skip


def test_missing_column_is_an_error_not_an_empty_value() -> None:
    text = rows(["name", "tag"], ["p", 5])
    with pytest.raises(ValueError, match=r"Port row 1 \('p'\): column 'trunks' missing"):
        port_rows(text)


def test_uuid_column_is_optional() -> None:
    text = rows(PORT_H[1:], PORT_OK[1:])
    assert port_rows(text)["p"]["uuid"] is None


BAD_LIST = [
    ("", "not ovs-vsctl JSON output"),
    ("ovs-vsctl: no row", "not ovs-vsctl JSON output"),
    ("[1, 2]", 'exactly "data" and "headings"'),
    ('{"data": []}', 'exactly "data" and "headings"'),
    ('{"data": [], "headings": "name"}', '"headings" must be a list'),
    ('{"data": [], "headings": ["a", "a"]}', "repeats a column"),
    ('{"data": {}, "headings": []}', '"data" must be a list'),
    ('{"data": [["x"]], "headings": ["a", "b"]}', "row 1: expected a list of 2 cells"),
    ('{"data": [[null]], "headings": ["a"]}', "row 1, column 'a': expected an OVSDB atom"),
    ('{"data": [[["set", 5]]], "headings": ["a"]}', "malformed set"),
    ('{"data": [[["map", [[1]]]]], "headings": ["a"]}', "malformed map entry"),
    ('{"data": [[["map", 1]]], "headings": ["a"]}', "malformed map"),
    ('{"data": [[["uuid", 5]]], "headings": ["a"]}', "expected an OVSDB atom"),
    ('{"data": [[["set", [["set", []]]]]], "headings": ["a"]}', "expected an OVSDB atom"),
    ('{"data": [[{"a": 1}]], "headings": ["a"]}', "expected an OVSDB atom"),
    ("[" * 100000, "nested too deeply"),
]


@pytest.mark.parametrize(("text", "message"), BAD_LIST)
def test_parse_ovsdb_list_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_ovsdb_list(text)


def bad_port(**changes: Any) -> str:
    row = dict(zip(PORT_H, PORT_OK, strict=True))
    row.update(changes)
    return rows(list(row), list(row.values()))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (bad_port(name=""), "missing or empty 'name'"),
        (bad_port(name=["set", []]), "missing or empty 'name'"),
        (rows(PORT_H, PORT_OK, PORT_OK), "name listed twice"),
        (bad_port(tag="x"), "tag: expected an integer"),
        (bad_port(tag=True), "tag: expected an integer"),
        (bad_port(tag=["set", [1, 2]]), "tag: expected at most one value"),
        (bad_port(trunks=["set", [1, "a"]]), "trunks: expected integers"),
        (bad_port(trunks=["map", []]), "trunks: expected a set, got a map"),
        (bad_port(vlan_mode=3), "vlan_mode: expected a string"),
        (bad_port(interfaces=["set", [1]]), "interfaces: expected strings/UUIDs"),
        (bad_port(external_ids=["map", [["a", 1]]]), "expected string keys and values"),
        (bad_port(external_ids="x"), "external_ids: expected a map"),
        (bad_port(_uuid=5), "_uuid: expected a UUID"),
    ],
)
def test_port_rows_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        port_rows(text)


def test_interface_and_bridge_rows_reject_wrong_types() -> None:
    iface = rows(
        list(INTERFACE_COLUMNS),
        [["uuid", "u"], "i", ["set", []], -1, "err", ["map", []], ["map", []]],
    )
    with pytest.raises(ValueError, match="type: expected a string"):
        interface_rows(iface)
    bridge = rows(list(BRIDGE_COLUMNS), [["uuid", "u"], "b", ["set", []], "", 7, ["set", []]])
    with pytest.raises(ValueError, match="datapath_id: expected a string"):
        bridge_rows(bridge)


def test_unset_optional_columns_are_none() -> None:
    iface = rows(
        list(INTERFACE_COLUMNS),
        [["uuid", "u"], "i", "", ["set", []], ["set", []], ["map", []], ["map", []]],
    )
    assert interface_rows(iface)["i"]["ofport"] is None
    bridge = rows(
        list(BRIDGE_COLUMNS), [["uuid", "u"], "b", ["set", []], "", ["set", []], ["set", []]]
    )
    state = bridge_rows(bridge)["b"]
    assert (state["datapath_id"], state["fail_mode"], state["ports"]) == (None, None, [])
