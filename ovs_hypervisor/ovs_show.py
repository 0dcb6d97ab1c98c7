"""Parse the text printed by ``ovs-vsctl show``.

The layout comes from ovs-vsctl's ``cmd_show``: the Open_vSwitch row's UUID on the first
line, then records nested by indentation (4 spaces a level, 2.0 to 3.1 alike):

    <uuid>
        Manager TARGET                 -> is_connected: ...
        Bridge NAME                    -> Controller TARGET, fail_mode:, datapath_type:,
            Port NAME                  -> tag:, trunks:, ...
                Interface NAME         -> type:, options:, error:, bfd_status:, ...
        ovs_version: "X.Y.Z"

Names and values are OVSDB datums in ovs-vsctl's text syntax: a bare word, a JSON
string in double quotes, ``[a, b]`` for a set, ``{k=v, k2=v2}`` for a map.  Which
strings get quoted changed over time: OVS 2.x up to at least 2.9 quoted any string
holding a digit (``Bridge "ovsbr0"``, ``Port "vnet0"``, but ``Bridge br-int``); by 2.15
and in 3.x only strings that are not identifier-like (or look like a UUID) are quoted,
so ``Bridge ovsbr0``.  Both come back unquoted here.

The keys of the documented shape (``ovs_version``, ``manager``, ``bridges``; per port
``tag``, ``trunks``, ``interfaces``; per interface ``type``, ``error``) are always there.
Everything else appears only when ovs-vsctl printed it: ``controller``, ``fail_mode``,
``datapath_type`` on a bridge, ``options`` on an interface, and, decoded, any column this
module does not know in that level's ``other`` dict (so a newer OVS that prints one more
column does not break the parse).  Output pasted into tickets and docs often
lacks the UUID line or is shifted as a whole (the design notes' own example is indented
4 spaces with no UUID): the UUID carries nothing the parser needs, so it is optional
(``uuid`` is then None, as for a redacted ``XXXXXXXX-XXXX-...`` one) and any indentation
is accepted as long as siblings line up and children sit deeper than their parent.
Anything that is not the shape above (a Port
outside a Bridge, an Interface outside a Port, an unknown record word, inconsistent
indentation, an undecodable value) raises ValueError naming the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal, NotRequired, TypedDict

from ovs_hypervisor.short import short

__all__ = [
    "OvsShow",
    "ShowAtom",
    "ShowBridge",
    "ShowInterface",
    "ShowPort",
    "ShowRemote",
    "ShowValue",
    "parse_ovs_show",
]

ShowAtom = str | int | float | bool
ShowValue = ShowAtom | list[ShowAtom] | dict[ShowAtom, ShowAtom]


class ShowRemote(TypedDict):
    """A ``Manager`` (Open_vSwitch level) or ``Controller`` (Bridge level) line."""

    target: str
    is_connected: bool | None
    other: NotRequired[dict[str, ShowValue]]


class ShowInterface(TypedDict):
    type: str | None  # None: the line is absent, i.e. a "system" (plain netdev) interface
    error: str | None
    options: NotRequired[dict[str, str]]
    other: NotRequired[dict[str, ShowValue]]


class ShowPort(TypedDict):
    tag: int | None
    trunks: list[int]
    interfaces: dict[str, ShowInterface]  # a bond has several
    other: NotRequired[dict[str, ShowValue]]


class ShowBridge(TypedDict):
    ports: dict[str, ShowPort]
    controller: NotRequired[list[ShowRemote]]
    fail_mode: NotRequired[str]
    datapath_type: NotRequired[str]  # only newer OVS prints it, and only when it is set
    other: NotRequired[dict[str, ShowValue]]


class OvsShow(TypedDict):
    uuid: str | None  # None when the text starts without the Open_vSwitch UUID line
    ovs_version: str | None  # None when nothing (e.g. ovs-ctl) recorded it in the DB
    manager: list[ShowRemote]
    bridges: dict[str, ShowBridge]
    other: NotRequired[dict[str, ShowValue]]


_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
# A UUID whose author redacted it ("XXXXXXXX-XXXX-..."): still the UUID line, no value.
_REDACTED_UUID_RE = re.compile(r"[0-9a-fA-FxX]+(?:-[0-9a-fA-FxX]+){4}\Z")
_RECORD_RE = re.compile(r"([A-Z][A-Za-z_]*) (\S.*)\Z")
_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?\Z")
# A bare (unquoted) atom stops at whitespace and at the set/map punctuation.
_BARE_RE = re.compile(r'[^\s,\[\]{}="]+')
_INT_RE = re.compile(r"-?[0-9]+\Z")
_REAL_RE = re.compile(r"-?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


_Kind = Literal["root", "manager", "bridge", "controller", "port", "interface", "leaf"]


# ---------------------------------------------------------------------------------------
# OVSDB datum text syntax


def _scan_atom(s: str, pos: int, lineno: int) -> tuple[str, bool, int]:
    """Read one atom at s[pos]; return (text, was_quoted, position after it)."""
    if pos < len(s) and s[pos] == '"':
        end = pos + 1
        while end < len(s) and s[end] != '"':
            end += 2 if s[end] == "\\" else 1
        if end >= len(s):
            raise ValueError(f"line {lineno}: unterminated quoted string in {short(s)}")
        try:
            # ovs-vsctl writes quoted strings with JSON escapes (json_string_unescape).
            text = json.loads(s[pos : end + 1])
        except ValueError as exc:
            raise ValueError(f"line {lineno}: bad quoted string in {short(s)}: {exc}") from None
        if not isinstance(text, str):  # pragma: no cover - a JSON "..." is always a str
            raise ValueError(f"line {lineno}: bad quoted string in {short(s)}")
        return text, True, end + 1
    match = _BARE_RE.match(s, pos)
    if match is None:
        raise ValueError(f"line {lineno}: expected a value at column {pos + 1} of {short(s)}")
    return match.group(), False, match.end()


def _typed(text: str, quoted: bool) -> ShowAtom:
    """Give a bare atom its OVSDB type; quoted atoms are always strings."""
    if quoted:
        return text
    if text in ("true", "false"):
        return text == "true"
    if _INT_RE.match(text):
        return int(text)
    if _REAL_RE.match(text):
        return float(text)
    return text


def _skip_spaces(s: str, pos: int) -> int:
    while pos < len(s) and s[pos] == " ":
        pos += 1
    return pos


def _parse_datum(s: str, lineno: int, *, strings: bool) -> ShowValue:
    """Decode a whole datum.  strings=True keeps every atom a str (string columns)."""

    def atom(pos: int) -> tuple[ShowAtom, int]:
        text, quoted, end = _scan_atom(s, pos, lineno)
        return (text if strings else _typed(text, quoted)), end

    if not s:
        raise ValueError(f"line {lineno}: empty value")
    if s[0] not in "[{":
        value, end = atom(0)
        if end != len(s):
            raise ValueError(f"line {lineno}: unexpected text after the value in {short(s)}")
        return value

    closer = "]" if s[0] == "[" else "}"
    items: list[ShowAtom] = []
    pairs: dict[ShowAtom, ShowAtom] = {}
    pos = _skip_spaces(s, 1)
    if pos < len(s) and s[pos] == closer:
        pos += 1
    else:
        while True:
            key, pos = atom(pos)
            if closer == "}":
                if pos >= len(s) or s[pos] != "=":
                    raise ValueError(f"line {lineno}: expected '=' in map {short(s)}")
                value, pos = atom(pos + 1)
                pairs[key] = value
            else:
                items.append(key)
            pos = _skip_spaces(s, pos)
            if pos < len(s) and s[pos] == ",":
                pos = _skip_spaces(s, pos + 1)
                continue
            if pos < len(s) and s[pos] == closer:
                pos += 1
                break
            raise ValueError(f"line {lineno}: expected ',' or {short(closer)} in {short(s)}")
    if pos != len(s):
        raise ValueError(f"line {lineno}: unexpected text after the value in {short(s)}")
    return pairs if closer == "}" else items


def _string(s: str, lineno: int, what: str) -> str:
    value = _parse_datum(s, lineno, strings=True)
    if not isinstance(value, str):
        raise ValueError(f"line {lineno}: {what}: expected a single string, got {short(s)}")
    return value


def _int(value: ShowValue, lineno: int, what: str) -> int:
    # bool is an int subclass: "tag: true" must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"line {lineno}: {what}: expected an integer, got {short(value)}")
    return value


# ---------------------------------------------------------------------------------------
# The record tree


@dataclass
class _Node:
    kind: _Kind
    lineno: int
    label: str
    child_indent: int | None = None
    keys_seen: set[str] = field(default_factory=set)
    remote: ShowRemote | None = None
    bridge: ShowBridge | None = None
    port: ShowPort | None = None
    iface: ShowInterface | None = None


_PARENT_OF: dict[str, tuple[_Kind, str]] = {
    "Bridge": ("root", "a Bridge must be at the top level"),
    "Manager": ("root", "a Manager must be at the top level"),
    "Controller": ("bridge", "Controller outside any Bridge"),
    "Port": ("bridge", "Port outside any Bridge"),
    "Interface": ("port", "Interface outside any Port"),
}


def _new_remote(target: str) -> ShowRemote:
    return {"target": target, "is_connected": None}


def _add_record(parent: _Node, word: str, raw_name: str, lineno: int, result: OvsShow) -> _Node:
    if word not in _PARENT_OF:
        raise ValueError(
            f"line {lineno}: unknown record {short(word)} (not an ovs-vsctl show line)"
        )
    wanted, message = _PARENT_OF[word]
    if parent.kind != wanted:
        raise ValueError(f"line {lineno}: {message} (found under {parent.label})")
    name = _string(raw_name, lineno, f"{word} name")
    label = f"{word} {short(name)} (line {lineno})"
    if word == "Manager":
        remote = _new_remote(name)
        result["manager"].append(remote)
        return _Node("manager", lineno, label, remote=remote)
    if word == "Bridge":
        if name in result["bridges"]:
            raise ValueError(f"line {lineno}: Bridge {short(name)} listed twice")
        bridge: ShowBridge = {"ports": {}}
        result["bridges"][name] = bridge
        return _Node("bridge", lineno, label, bridge=bridge)
    if word == "Controller":
        assert parent.bridge is not None
        remote = _new_remote(name)
        parent.bridge.setdefault("controller", []).append(remote)
        return _Node("controller", lineno, label, remote=remote)
    if word == "Port":
        assert parent.bridge is not None
        # Port names are unique across the whole OVSDB, not only within a bridge.
        for bridge_name, other_bridge in result["bridges"].items():
            if name in other_bridge["ports"]:
                raise ValueError(
                    f"line {lineno}: Port {short(name)} listed twice "
                    f"(already in {short(bridge_name)})"
                )
        port: ShowPort = {"tag": None, "trunks": [], "interfaces": {}}
        parent.bridge["ports"][name] = port
        return _Node("port", lineno, label, port=port)
    assert parent.port is not None
    if name in parent.port["interfaces"]:
        raise ValueError(f"line {lineno}: Interface {short(name)} listed twice in one Port")
    iface: ShowInterface = {"type": None, "error": None}
    parent.port["interfaces"][name] = iface
    return _Node("interface", lineno, label, iface=iface)


def _set_key(node: _Node, key: str, raw: str, lineno: int, result: OvsShow) -> None:
    if node.kind == "leaf":
        raise ValueError(f"line {lineno}: unexpected indentation under {node.label}")
    if key in node.keys_seen:
        raise ValueError(f"line {lineno}: {short(key)} given twice for {node.label}")
    node.keys_seen.add(key)
    if node.kind == "root":
        if key == "ovs_version":
            result["ovs_version"] = _string(raw, lineno, key)
        else:
            result.setdefault("other", {})[key] = _parse_datum(raw, lineno, strings=False)
    elif node.kind in ("manager", "controller"):
        assert node.remote is not None
        if key == "is_connected":
            value = _parse_datum(raw, lineno, strings=False)
            if not isinstance(value, bool):
                raise ValueError(f"line {lineno}: is_connected: expected true or false")
            node.remote["is_connected"] = value
        else:
            node.remote.setdefault("other", {})[key] = _parse_datum(raw, lineno, strings=False)
    elif node.kind == "bridge":
        assert node.bridge is not None
        if key == "fail_mode":
            node.bridge["fail_mode"] = _string(raw, lineno, key)
        elif key == "datapath_type":
            node.bridge["datapath_type"] = _string(raw, lineno, key)
        else:
            node.bridge.setdefault("other", {})[key] = _parse_datum(raw, lineno, strings=False)
    elif node.kind == "port":
        assert node.port is not None
        if key == "tag":
            node.port["tag"] = _int(_parse_datum(raw, lineno, strings=False), lineno, "tag")
        elif key == "trunks":
            value = _parse_datum(raw, lineno, strings=False)
            items = value if isinstance(value, list) else [value]
            node.port["trunks"] = [_int(v, lineno, "trunks") for v in items]
        else:
            node.port.setdefault("other", {})[key] = _parse_datum(raw, lineno, strings=False)
    else:
        assert node.iface is not None
        if key == "type":
            node.iface["type"] = _string(raw, lineno, key)
        elif key == "error":
            node.iface["error"] = _string(raw, lineno, key)
        elif key == "options":
            value = _parse_datum(raw, lineno, strings=True)
            if not isinstance(value, dict):
                raise ValueError(f"line {lineno}: options: expected a {{key=value}} map")
            node.iface["options"] = {str(k): str(v) for k, v in value.items()}
        else:
            node.iface.setdefault("other", {})[key] = _parse_datum(raw, lineno, strings=False)


def parse_ovs_show(text: str) -> OvsShow:
    """Parse ``ovs-vsctl show`` output (any OVS version from 2.0 to 3.x).

    The leading Open_vSwitch UUID line is optional (``uuid`` is None without it) and
    the whole text may be indented by any amount.
    Returns ``{"uuid", "ovs_version", "manager", "bridges"}`` where ``bridges`` maps
    bridge name -> ``{"ports"}`` (+ ``controller``, ``fail_mode``, ``datapath_type``),
    each port -> ``{"tag", "trunks", "interfaces"}`` and each interface -> ``{"type",
    "error"}`` (+ ``options``); keys in parentheses, and ``other``, only when printed.
    Raises ValueError on anything else.
    """
    lines: list[tuple[int, int, str]] = []
    # Split on "\n" only: a quoted name may hold other line-break characters verbatim.
    for lineno, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.rstrip()
        if not line:
            continue
        content = line.lstrip(" ")
        if content[0].isspace():
            raise ValueError(f"line {lineno}: indent with spaces only (ovs-vsctl prints no tabs)")
        lines.append((lineno, len(line) - len(content), content))
    if not lines:
        raise ValueError("empty input: expected ovs-vsctl show output")

    first_lineno, first_indent, first = lines[0]
    result: OvsShow = {"uuid": None, "ovs_version": None, "manager": [], "bridges": {}}
    if _REDACTED_UUID_RE.match(first):
        result["uuid"] = first.lower() if _UUID_RE.match(first) else None
        root = _Node("root", first_lineno, "the UUID line")
        stack: list[tuple[int, _Node]] = [(first_indent, root)]
        body = lines[1:]
    else:
        # No UUID line: the first line is already at the top level, and its indentation
        # is the top level's.  A virtual root sits above any indentation.
        root = _Node("root", first_lineno, "the top level")
        stack = [(-1, root)]
        body = lines
    if body and body[0][1] <= stack[0][0]:
        raise ValueError(
            f"line {body[0][0]}: not indented under the UUID line: {short(body[0][2])}"
        )
    for lineno, indent, content in body:
        while len(stack) > 1 and indent <= stack[-1][0]:
            stack.pop()
        if indent <= stack[0][0]:
            raise ValueError(f"line {lineno}: not indented under the UUID line: {short(content)}")
        parent = stack[-1][1]
        # Siblings must line up; a line between two levels is not ovs-vsctl output.
        if parent.child_indent is None:
            parent.child_indent = indent
        elif parent.child_indent != indent:
            raise ValueError(f"line {lineno}: inconsistent indentation under {parent.label}")

        key_match = _KEY_RE.match(content)
        if key_match:
            key, raw = key_match.group(1), key_match.group(2)
            if not raw:
                raise ValueError(f"line {lineno}: {short(key)} has no value")
            _set_key(parent, key, raw, lineno, result)
            node = _Node("leaf", lineno, f"the {short(key)} line (line {lineno})")
        else:
            record_match = _RECORD_RE.match(content)
            if record_match is None:
                raise ValueError(
                    f"line {lineno}: expected 'Record NAME' or 'key: value', got {short(content)}"
                )
            if parent.kind == "leaf":
                raise ValueError(f"line {lineno}: unexpected indentation under {parent.label}")
            word, raw_name = record_match.group(1), record_match.group(2)
            node = _add_record(parent, word, raw_name, lineno, result)
        stack.append((indent, node))
    return result
