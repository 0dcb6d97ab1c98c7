"""Property tests for the ovs-vsctl parsers (ovs_show.py, ovsdb_json.py).

* ``ovs-vsctl show`` text generated from a random switch, in the quoting of old (2.x: any
  string with a digit quoted) and new (2.15+/3.x: only non-identifiers quoted) OVS, with
  names that need JSON escapes, any consistent indentation, with or without the UUID
  line, parses back to the same switch (renderer: tests/helpers/ovs_show.py);
* ``ovs-vsctl --format=json list`` output generated from random Port/Interface/Bridge rows,
  with OVSDB's one-element-set shortcut, parses back to the same rows;
* random damage to the recorded samples, and arbitrary text/JSON, raise ValueError or
  parse; nothing else escapes.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovs_hypervisor.ovs_show import parse_ovs_show
from ovs_hypervisor.ovsdb_json import bridge_rows, interface_rows, parse_ovsdb_list, port_rows
from tests.helpers.ovs_show import render_show

DATA = Path(__file__).resolve().parent.parent / "data"
SHOW_SAMPLES = sorted(DATA.glob("ovs/*.show")) + sorted(DATA.glob("realworld/ovs/*.show"))
JSON_SAMPLES = sorted(DATA.glob("ovs/*.json"))
UUID_LINE = "0bc05ef1-2a7e-4f5d-9e65-7a1f4be61c5c\n"
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Port/interface names as they occur (vnet0, tap1f2e-3c, qr-..., eth0.100) plus hostile ones.
names = st.one_of(
    st.builds(
        "{}{}".format,
        st.sampled_from(["vnet", "eth", "bond", "vlan", "br-", "qr-", "tap", "patch-", "s1-eth"]),
        st.integers(0, 9999),
    ),
    st.sampled_from(
        ["ovsbr0", "br-int", "true", "123", "eth0.100", "a b", 'q"uote', "back\\slash"]
    ),
    st.text(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\n"),
        min_size=1,
        max_size=8,
    ),
)
vids = st.integers(min_value=0, max_value=4095)


@st.composite
def switches(draw: st.DrawFn) -> dict[str, Any]:
    """A random switch in the shape parse_ovs_show returns."""
    used: set[str] = set()

    def fresh() -> str:
        name = draw(names)
        if name in used:
            name += f"-{len(used)}"
        used.add(name)
        return name

    bridges: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 3))):
        bname = fresh()
        ports: dict[str, Any] = {}
        for _ in range(draw(st.integers(0, 5))):
            pname = fresh()
            ifaces: dict[str, Any] = {}
            for _ in range(draw(st.integers(1, 3))):
                iname = fresh()
                ifaces[iname] = {
                    "type": draw(st.sampled_from([None, "internal", "patch", "vxlan", "dpdk"])),
                    "error": draw(st.one_of(st.none(), st.text(max_size=30))),
                }
                options = draw(
                    st.dictionaries(
                        st.sampled_from(["peer", "remote_ip", "key", "dpdk-devargs"]),
                        st.text(min_size=1, max_size=10),
                        max_size=2,
                    )
                )
                if options:
                    ifaces[iname]["options"] = options
            ports[pname] = {
                "tag": draw(st.one_of(st.none(), vids)),
                "trunks": draw(st.lists(vids, max_size=4, unique=True)),
                "interfaces": ifaces,
            }
        bridges[bname] = {"ports": ports}
        for key, values in (
            ("fail_mode", ["secure", "standalone"]),
            ("datapath_type", ["netdev", "system"]),
        ):
            value = draw(st.sampled_from([None, *values]))
            if value is not None:
                bridges[bname][key] = value
    return {
        "uuid": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)))),
        "ovs_version": draw(st.sampled_from([None, "2.0.2", "2.3.0", "2.15.1-1.56", "3.1.0"])),
        "manager": [],
        "bridges": bridges,
    }


@SETTINGS
@given(
    sw=switches(),
    old=st.booleans(),
    ascii_only=st.booleans(),
    with_uuid=st.booleans(),
    unit=st.integers(1, 8),
    base=st.integers(0, 9),
)
def test_show_round_trip(
    sw: dict[str, Any], old: bool, ascii_only: bool, with_uuid: bool, unit: int, base: int
) -> None:
    """Any quoting, any consistent indentation, with or without the UUID line."""
    text = render_show(sw, old=old, ascii_only=ascii_only, uuid=with_uuid, unit=unit, base=base)
    if not text.strip():  # an empty switch without its UUID line prints nothing
        with pytest.raises(ValueError, match="empty input"):
            parse_ovs_show(text)
        return
    assert parse_ovs_show(text) == {**sw, "uuid": sw["uuid"] if with_uuid else None}


@contextlib.contextmanager
def refused_cleanly() -> Iterator[None]:
    """Let a ValueError through only if its message is one short line."""
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 600, message


def test_a_huge_line_gives_a_short_message() -> None:
    for text in ("x" * 1_000_000, UUID_LINE + "    Bridge " + '"' * 500_000):
        with pytest.raises(ValueError) as info:
            parse_ovs_show(text)
        assert len(str(info.value)) < 600
    with pytest.raises(ValueError) as info:
        parse_ovsdb_list('{"data": [[' + "1," * 100_000 + '1]], "headings": ["a"]}')
    assert len(str(info.value)) < 600


def _damage(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 6))
        junk = data.draw(
            st.sampled_from(["", " ", "    ", "\t", '"', "\\", "[", "]", "{", "}", "=", ",", ":",
                             "\n", "Port x\n", "tag: ", "\x00", "é", "\r"])
        )  # fmt: skip
        text = text[:pos] + junk + text[pos + cut :]
    return text


@SETTINGS
@given(data=st.data())
def test_damaged_show_raises_value_error_or_parses(data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from(SHOW_SAMPLES))
    text = _damage(sample.read_text(encoding="utf-8"), data)
    with refused_cleanly():
        parse_ovs_show(text)


@SETTINGS
@given(text=st.text(max_size=300))
def test_any_text_raises_value_error_or_parses(text: str) -> None:
    for candidate in (text, UUID_LINE + text):
        with refused_cleanly():
            parse_ovs_show(candidate)


# --------------------------------------------------------------------------- JSON


def _set(items: list[Any]) -> Any:
    """OVSDB wire form of a set: one element is written bare."""
    return items[0] if len(items) == 1 else ["set", items]


def _map(d: dict[str, str]) -> Any:
    return ["map", [[k, v] for k, v in d.items()]]


uuids = st.integers(0, 2**128 - 1).map(lambda i: str(uuid.UUID(int=i)))
strmaps = st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=3)


@st.composite
def port_tables(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    rows, want = [], {}
    for name in draw(st.lists(names, max_size=5, unique=True)):
        row: dict[str, Any] = {
            "uuid": draw(uuids),
            "tag": draw(st.one_of(st.none(), vids)),
            "trunks": draw(st.lists(vids, max_size=4, unique=True)),
            "vlan_mode": draw(st.sampled_from([None, "access", "trunk", "native-untagged"])),
            "interfaces": draw(st.lists(uuids, min_size=1, max_size=3, unique=True)),
            "external_ids": draw(strmaps),
            "bond_mode": draw(st.sampled_from([None, "active-backup", "balance-slb"])),
            "lacp": draw(st.sampled_from([None, "active", "off"])),
        }
        want[name] = row
        rows.append(
            [
                ["uuid", row["uuid"]],
                name,
                _set([] if row["tag"] is None else [row["tag"]]),
                _set(row["trunks"]),
                _set([] if row["vlan_mode"] is None else [row["vlan_mode"]]),
                _set([["uuid", u] for u in row["interfaces"]]),
                _map(row["external_ids"]),
                _set([] if row["bond_mode"] is None else [row["bond_mode"]]),
                _set([] if row["lacp"] is None else [row["lacp"]]),
            ]
        )
    headings = [
        *("_uuid", "name", "tag", "trunks", "vlan_mode", "interfaces", "external_ids"),
        *("bond_mode", "lacp"),
    ]
    return json.dumps({"data": rows, "headings": headings}), want


@SETTINGS
@given(table=port_tables())
def test_port_rows_round_trip(table: tuple[str, dict[str, Any]]) -> None:
    text, want = table
    got = port_rows(text)
    assert list(got) == list(want)
    for name, row in want.items():
        assert got[name] == row


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(
            names,
            st.sampled_from(["", "internal", "patch"]),
            st.one_of(st.none(), st.integers(-1, 65279)),
            st.one_of(st.none(), st.text(max_size=20)),
            strmaps,
        ),
        max_size=5,
        unique_by=lambda r: r[0],
    )
)
def test_interface_rows_round_trip(rows: list[tuple[str, str, Any, Any, dict[str, str]]]) -> None:
    data = [
        [name, kind, _set([] if ofport is None else [ofport]), _set([] if err is None else [err]),
         _map(ext), _map({})]
        for name, kind, ofport, err, ext in rows
    ]  # fmt: skip
    headings = ["name", "type", "ofport", "error", "external_ids", "options"]
    got = interface_rows(json.dumps({"data": data, "headings": headings}))
    for name, kind, ofport, err, ext in rows:
        assert got[name] == {
            "uuid": None,
            "type": kind,
            "ofport": ofport,
            "error": err,
            "external_ids": ext,
            "options": {},
        }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


@SETTINGS
@given(
    doc=st.one_of(
        json_values,
        st.fixed_dictionaries({"data": json_values, "headings": json_values}),
        st.fixed_dictionaries(
            {
                "data": st.lists(st.lists(json_values, min_size=3, max_size=3), max_size=3),
                "headings": st.just(["name", "tag", "trunks"]),
            }
        ),
    )
)
def test_any_json_raises_value_error_or_parses(doc: Any) -> None:
    text = json.dumps(doc)
    for parse in (parse_ovsdb_list, port_rows, interface_rows, bridge_rows):
        with refused_cleanly():
            parse(text)


@SETTINGS
@given(data=st.data())
def test_damaged_json_samples_raise_value_error_or_parse(data: st.DataObject) -> None:
    sample = data.draw(st.sampled_from(JSON_SAMPLES))
    text = _damage(sample.read_text(encoding="utf-8"), data)
    for parse in (parse_ovsdb_list, port_rows, interface_rows, bridge_rows):
        with refused_cleanly():
            parse(text)


def test_deeply_nested_json_is_a_value_error() -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"data": ' + "[" * 50_000 + "]" * 50_000 + "}"):
        with refused_cleanly():
            parse_ovsdb_list(text)
