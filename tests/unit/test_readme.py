"""The README's host data table: every key is listed, and every default it states is the
model's (the brief asks for the table; this keeps it true)."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from ovs_hypervisor.model import known_keys, load_host_config
from ovs_hypervisor.model_keys import PREFIX
from tests.conftest import ROOT

REQUIRED = {f"{PREFIX}mgmt_vlan": 7, f"{PREFIX}mgmt_ipv4": "192.0.2.10/24"}


def table() -> dict[str, str]:
    """key -> the default column, as written."""
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith(f"| `{PREFIX}"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[1]
    return rows


def documented(cell: str) -> tuple[bool, Any]:
    """(is a value, the value) of a default cell: a `literal`, none, or prose."""
    if cell == "none":
        return True, None
    if not (cell.startswith("`") and cell.endswith("`")) or cell.count("`") != 2:
        return False, None
    text = cell[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return True, text[1:-1]  # verbatim: a regex keeps its backslashes
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False, None


def test_every_key_is_in_the_readme_table() -> None:
    listed = set(table())
    assert sorted(set(known_keys()) - listed) == []
    assert sorted(listed - set(known_keys())) == []


@pytest.mark.parametrize("key", sorted(table()))
def test_documented_default_is_the_models(key: str) -> None:
    cell = table()[key]
    config = load_host_config("h", REQUIRED)
    value = getattr(config, key.removeprefix(PREFIX))
    if cell == "required":
        assert key in REQUIRED
        return
    is_value, want = documented(cell)
    if key == f"{PREFIX}packages":  # a list of words
        assert value == cell.strip("`").split()
    elif key == f"{PREFIX}mgmt_port":  # derived from the VLAN
        assert value is None and config.mgmt_port_name == f"vlan{REQUIRED[PREFIX + 'mgmt_vlan']}"
    else:
        assert is_value, f"{key}: the README's default {cell} is not a `literal` or none"
        assert value == want, f"{key}: README says {cell}, the model defaults to {value!r}"
