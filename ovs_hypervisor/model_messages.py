"""Problem lines for bad host data: one line per problem, naming key, value, what and fix.

Checks raise :class:`Problem` (what is wrong, the fix) and pydantic adds where it found the
value; checks across keys raise :class:`Located` with whole lines.  :func:`problem_lines`
turns each of pydantic's errors into our lines, :func:`unknown_key` reports typos of keys.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from ovs_hypervisor.domain_xml import NIC_SPEC_FIX
from ovs_hypervisor.model_keys import KEY_FIX, LIST_FIELDS, NIC_KEYS, PREFIX
from ovs_hypervisor.short import short

VLAN_FIX = "write the VLAN id as a whole number 1-4094 (e.g. 1011, not '1011')"
_PLAIN_KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]+\Z", re.ASCII)


class Problem(ValueError):
    """One value's problem: what is wrong and how to fix it.

    The key and the value are added from where pydantic found it (the error's ``loc``).
    """

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}; fix: {fix}")
        self.what = what
        self.fix = fix


class Located(ValueError):
    """Problems that name their keys and values themselves (checks across keys)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def line(key: str, value: Any, what: str, fix: str) -> str:
    """One problem as printed: key, value, what is wrong, fix."""
    return f"{key} = {short(value)}: {what}; fix: {fix}"


def kind_of(value: Any) -> str:
    """The type as in "is an int, not a string" (None as itself)."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def _format_loc(loc: tuple[int | str, ...]) -> tuple[str, str]:
    key = PREFIX + str(loc[0]) if loc else "(host data)"
    rest = "".join(f"[{p!r}]" for p in loc[1:])
    return key, rest


def _fix_for(loc: tuple[int | str, ...], err: Mapping[str, Any]) -> str:
    field = str(loc[0])
    depth = len(loc)
    if field == "domains":
        last = loc[-1]
        if depth >= 4 and (last in NIC_KEYS or loc[3] in NIC_KEYS):
            if loc[3] == "trunk" and depth == 4 and err["type"] == "list_type":
                return "write the trunk as a list, e.g. [1011, 1012]"
            return VLAN_FIX
        if depth == 3:
            return NIC_SPEC_FIX
        if depth == 2:
            return "map each MAC to a NIC spec, e.g. {'52:54:00:aa:bb:01': {'vlan': 1011}}"
    if field == "legacy_bridges" and depth == 2:
        return VLAN_FIX
    if field in LIST_FIELDS and depth == 2:
        return "write each entry as a string"
    return KEY_FIX.get(field, "see the README's host data table")


def _what(err: Mapping[str, Any], value: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    wanted = {
        "int_type": "an integer",
        "int_parsing": "an integer",
        "int_from_float": "an integer",
        "string_type": "a string",
        "bool_type": "True or False",
        "bool_parsing": "True or False",
        "list_type": "a list",
        "dict_type": "a dict",
        "model_type": "a dict",
        "model_attributes_type": "a dict",
    }
    if kind in wanted:
        return f"is {kind_of(value)}, not {wanted[kind]}"
    if kind == "greater_than_equal":
        return f"is below the minimum {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"is above the maximum {ctx.get('le')}"
    if kind == "literal_error":
        return f"is not one of {ctx.get('expected')}"
    return str(err["msg"]).removeprefix("Value error, ")


def problem_lines(err: Mapping[str, Any]) -> list[str]:
    """One of pydantic's errors as our problem lines (a check across keys gives several)."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, Located):
        return cause.problems
    loc = tuple(err["loc"])
    value = err.get("input")
    if loc and loc[-1] == "[key]":  # a dict key of the wrong type
        key, rest = _format_loc(loc[:-2])
        return [
            line(
                f"{key}{rest} key",
                value,
                f"is {kind_of(value)}, not a string",
                "write names and MACs as quoted strings",
            )
        ]
    key, rest = _format_loc(loc)
    if err["type"] == "missing":
        return [f"{key}: required and not set; fix: {KEY_FIX.get(str(loc[0]), 'set it')}"]
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), NIC_KEYS, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [
            line(
                f"{key}{rest}",
                value,
                f"{loc[-1]!r} is not a NIC spec key{hint}",
                "the keys are 'vlan' (access), 'trunk' and 'native' (hybrid)",
            )
        ]
    if isinstance(cause, Problem):
        return [line(f"{key}{rest}", value, cause.what, cause.fix)]
    return [line(f"{key}{rest}", value, _what(err, value), _fix_for(loc, err))]


def unknown_key(key: str, value: Any, keys: list[str]) -> str | None:
    """A problem line for a key that looks like ours but is not; None for foreign keys."""
    norm = key.lower().replace("-", "_")
    if norm in keys:
        best: str | None = norm
    elif norm.startswith(PREFIX):
        close = difflib.get_close_matches(norm, keys, n=1, cutoff=0.6)
        best = close[0] if close else None
    elif norm.startswith("ovs"):
        # Near-misses of the prefix itself (ovs_hb_bridge, ovshv_bridge, OVS-HV-BRIDGE).
        close = difflib.get_close_matches(norm, keys, n=1, cutoff=0.85)
        if not close:
            return None
        best = close[0]
    else:
        return None
    hint = (
        f"did you mean {best}? rename the key"
        if best
        else "see the README's host data table for the keys"
    )
    shown = key if _PLAIN_KEY_RE.match(key) else short(key)  # a key with odd characters
    return line(shown, value, "unknown key", hint)
