"""Parse ``ovs-vsctl --format=json [--columns=...] list|find TABLE`` output.

The output is ``{"data": [[cell, ...], ...], "headings": [column, ...]}`` with each cell
in OVSDB's JSON wire form (RFC 7047 section 5.1):

* a scalar atom: string, integer, real or boolean;
* ``["uuid", "..."]`` (or ``["named-uuid", "..."]``) for a reference;
* ``["set", [atom, ...]]`` for a set -- but a set of exactly one element is written as
  the bare atom, so a one-interface Port's ``interfaces`` is ``["uuid", "..."]`` while a
  bond's is ``["set", [["uuid", ...], ["uuid", ...]]]``, and an unset optional column
  (``tag``, ``error``, ``ofport``...) is ``["set", []]``;
* ``["map", [[key, value], ...]]`` for a map.

``parse_ovsdb_list`` decodes every cell as-is (uuid -> str, set -> list, map -> dict,
scalar -> scalar).  The typed helpers ``port_rows``, ``interface_rows`` and
``bridge_rows`` then know each column's schema type and smooth the one-element-set
quirk away.  Ask ovs-vsctl for the columns they need with ``--columns=`` and the
``*_COLUMNS`` tuples below; a needed column that is missing raises ValueError rather
than being read as "empty" (an empty trunk list and a forgotten column must not look the
same).
"""

from __future__ import annotations

import json
from typing import Final, TypedDict

from ovs_hypervisor.short import short

__all__ = [
    "BRIDGE_COLUMNS",
    "INTERFACE_COLUMNS",
    "PORT_COLUMNS",
    "BridgeState",
    "InterfaceState",
    "OvsdbAtom",
    "OvsdbValue",
    "PortState",
    "bridge_rows",
    "interface_rows",
    "parse_ovsdb_list",
    "port_rows",
]

OvsdbAtom = str | int | float | bool
OvsdbValue = OvsdbAtom | list[OvsdbAtom] | dict[OvsdbAtom, OvsdbAtom]

# Columns each helper reads.  "_uuid" is optional (uuid is None without it) but needed to
# join Bridge.ports -> Port and Port.interfaces -> Interface.
PORT_COLUMNS: Final = (
    "_uuid",
    "name",
    "tag",
    "trunks",
    "vlan_mode",
    "interfaces",
    "external_ids",
    "bond_mode",
    "lacp",
)
INTERFACE_COLUMNS: Final = ("_uuid", "name", "type", "ofport", "error", "external_ids", "options")
BRIDGE_COLUMNS: Final = ("_uuid", "name", "ports", "datapath_type", "datapath_id", "fail_mode")


class PortState(TypedDict):
    uuid: str | None
    tag: int | None
    trunks: list[int]
    vlan_mode: str | None  # None: unset, OVS then infers access/trunk from tag/trunks
    interfaces: list[str]  # Interface UUIDs
    external_ids: dict[str, str]
    bond_mode: str | None  # None: unset (OVS: active-backup)
    lacp: str | None  # None: unset (OVS: off)


class InterfaceState(TypedDict):
    uuid: str | None
    type: str  # "" is OVSDB's spelling of "system" (a plain kernel/netdev device)
    ofport: int | None  # -1 when the interface failed; None before vswitchd assigned one
    error: str | None
    external_ids: dict[str, str]  # libvirt sets attached-mac, iface-id, iface-status, vm-id
    options: dict[str, str]


class BridgeState(TypedDict):
    uuid: str | None
    ports: list[str]  # Port UUIDs
    datapath_type: str  # "" means the default ("system")
    datapath_id: str | None  # None when vswitchd could not create the datapath
    fail_mode: str | None


def _decode_atom(value: object, where: str) -> OvsdbAtom:
    if isinstance(value, str | int | float | bool):
        return value
    if (
        isinstance(value, list)
        and len(value) == 2
        and value[0] in ("uuid", "named-uuid")
        and isinstance(value[1], str)
    ):
        return value[1]
    raise ValueError(f"{where}: expected an OVSDB atom, got {short(value)}")


def _decode_value(value: object, where: str) -> OvsdbValue:
    if isinstance(value, list) and len(value) == 2 and value[0] == "set":
        if not isinstance(value[1], list):
            raise ValueError(f"{where}: malformed set {short(value)}")
        return [_decode_atom(item, where) for item in value[1]]
    if isinstance(value, list) and len(value) == 2 and value[0] == "map":
        if not isinstance(value[1], list):
            raise ValueError(f"{where}: malformed map {short(value)}")
        result: dict[OvsdbAtom, OvsdbAtom] = {}
        for pair in value[1]:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(f"{where}: malformed map entry {short(pair)}")
            result[_decode_atom(pair[0], where)] = _decode_atom(pair[1], where)
        return result
    return _decode_atom(value, where)


def parse_ovsdb_list(text: str) -> list[dict[str, OvsdbValue]]:
    """Decode ``ovs-vsctl --format=json list TABLE`` output into one dict per row."""
    try:
        doc = json.loads(text)
    except RecursionError:
        raise ValueError("ovs-vsctl JSON output is nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"not ovs-vsctl JSON output: {exc}") from None
    if not isinstance(doc, dict) or set(doc) != {"data", "headings"}:
        raise ValueError('expected a JSON object with exactly "data" and "headings"')
    headings, data = doc["headings"], doc["data"]
    if not isinstance(headings, list) or not all(isinstance(h, str) for h in headings):
        raise ValueError('"headings" must be a list of column names')
    if len(set(headings)) != len(headings):
        raise ValueError(f'"headings" repeats a column: {short(headings)}')
    if not isinstance(data, list):
        raise ValueError('"data" must be a list of rows')
    rows: list[dict[str, OvsdbValue]] = []
    for index, row in enumerate(data, start=1):
        if not isinstance(row, list) or len(row) != len(headings):
            raise ValueError(
                f"row {index}: expected a list of {len(headings)} cells, got {short(row)}"
            )
        rows.append(
            {
                column: _decode_value(cell, f"row {index}, column {short(column)}")
                for column, cell in zip(headings, row, strict=True)
            }
        )
    return rows


# ---------------------------------------------------------------------------------------
# Typed views


class _Row:
    """One decoded row plus the schema-aware accessors the helpers share."""

    def __init__(self, row: dict[str, OvsdbValue], index: int, table: str) -> None:
        self.row = row
        name = row.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"{table} row {index}: missing or empty 'name' column")
        self.name = name
        self.where = f"{table} row {index} ({short(name)})"

    def _get(self, column: str) -> OvsdbValue:
        if column not in self.row:
            raise ValueError(f"{self.where}: column {short(column)} missing; list it in --columns")
        return self.row[column]

    def uuid(self) -> str | None:
        value = self.row.get("_uuid")
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"{self.where}: _uuid: expected a UUID, got {short(value)}")
        return value

    def atoms(self, column: str) -> list[OvsdbAtom]:
        # A set column holding one element arrives as the bare atom.
        value = self._get(column)
        if isinstance(value, dict):
            raise ValueError(f"{self.where}: {column}: expected a set, got a map")
        return value if isinstance(value, list) else [value]

    def optional(self, column: str) -> OvsdbAtom | None:
        items = self.atoms(column)
        if len(items) > 1:
            raise ValueError(
                f"{self.where}: {column}: expected at most one value, got {short(items)}"
            )
        return items[0] if items else None

    def opt_int(self, column: str) -> int | None:
        value = self.optional(column)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{self.where}: {column}: expected an integer, got {short(value)}")
        return value

    def opt_str(self, column: str) -> str | None:
        value = self.optional(column)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{self.where}: {column}: expected a string, got {short(value)}")
        return value

    def string(self, column: str) -> str:
        value = self._get(column)
        if not isinstance(value, str):
            raise ValueError(f"{self.where}: {column}: expected a string, got {short(value)}")
        return value

    def ints(self, column: str) -> list[int]:
        items = self.atoms(column)
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int):
                raise ValueError(f"{self.where}: {column}: expected integers, got {short(item)}")
        return [int(item) for item in items]

    def strings(self, column: str) -> list[str]:
        result: list[str] = []
        for item in self.atoms(column):
            if not isinstance(item, str):
                raise ValueError(
                    f"{self.where}: {column}: expected strings/UUIDs, got {short(item)}"
                )
            result.append(item)
        return result

    def string_map(self, column: str) -> dict[str, str]:
        value = self._get(column)
        if isinstance(value, list) and not value:
            return {}  # defensive: an empty map is sometimes shown as an empty set
        if not isinstance(value, dict):
            raise ValueError(f"{self.where}: {column}: expected a map, got {short(value)}")
        result: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not isinstance(item, str):
                raise ValueError(
                    f"{self.where}: {column}: expected string keys and values, "
                    f"got {short(key)}={short(item)}"
                )
            result[key] = item
        return result


def _rows_by_name(text: str, table: str) -> list[_Row]:
    rows = [_Row(row, i, table) for i, row in enumerate(parse_ovsdb_list(text), start=1)]
    seen: set[str] = set()
    for row in rows:
        if row.name in seen:
            raise ValueError(f"{row.where}: name listed twice")
        seen.add(row.name)
    return rows


def port_rows(text: str) -> dict[str, PortState]:
    """Port name -> state, from ``--format=json --columns=<PORT_COLUMNS> list Port``."""
    result: dict[str, PortState] = {}
    for row in _rows_by_name(text, "Port"):
        result[row.name] = {
            "uuid": row.uuid(),
            "tag": row.opt_int("tag"),
            "trunks": row.ints("trunks"),
            "vlan_mode": row.opt_str("vlan_mode"),
            "interfaces": row.strings("interfaces"),
            "external_ids": row.string_map("external_ids"),
            "bond_mode": row.opt_str("bond_mode"),
            "lacp": row.opt_str("lacp"),
        }
    return result


def interface_rows(text: str) -> dict[str, InterfaceState]:
    """Interface name -> state, from ``... --columns=<INTERFACE_COLUMNS> list Interface``."""
    result: dict[str, InterfaceState] = {}
    for row in _rows_by_name(text, "Interface"):
        result[row.name] = {
            "uuid": row.uuid(),
            "type": row.string("type"),
            "ofport": row.opt_int("ofport"),
            "error": row.opt_str("error"),
            "external_ids": row.string_map("external_ids"),
            "options": row.string_map("options"),
        }
    return result


def bridge_rows(text: str) -> dict[str, BridgeState]:
    """Bridge name -> state, from ``... --columns=<BRIDGE_COLUMNS> list Bridge``."""
    result: dict[str, BridgeState] = {}
    for row in _rows_by_name(text, "Bridge"):
        result[row.name] = {
            "uuid": row.uuid(),
            "ports": row.strings("ports"),
            "datapath_type": row.string("datapath_type"),
            "datapath_id": row.opt_str("datapath_id"),
            "fail_mode": row.opt_str("fail_mode"),
        }
    return result
