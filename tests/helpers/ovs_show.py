"""Render an ``ovs-vsctl show`` text from a parsed state, the way ovs-vsctl prints it.

The state has the shape ``parse_ovs_show`` returns, so ``parse_ovs_show(render_show(s))``
must give ``s`` back.  ``old`` picks OVS 2.x quoting (any string holding a digit quoted)
over 2.15+/3.x (only strings that are not identifier-like, or look like a UUID);
``unit``/``base`` shift the indentation as pasted text often is, and ``uuid=False`` leaves
the Open_vSwitch UUID line out.
"""

from __future__ import annotations

import json
import re
from typing import Any

_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")


def quote(s: str, old: bool, ascii_only: bool = False) -> str:
    """ovs-vsctl's rule for bare vs quoted strings, old (<= 2.9) or new (>= 2.15)."""
    allowed = "_-." if old else "_-.0123456789"
    bare = (
        bool(s)
        and (s[0].isascii() and (s[0].isalpha() or s[0] == "_"))
        and all(c.isascii() and (c.isalpha() or c in allowed) for c in s[1:])
        and s not in ("true", "false")
        and (old or not _UUID_RE.match(s))
    )
    return s if bare else json.dumps(s, ensure_ascii=ascii_only)


def render_show(
    state: dict[str, Any],
    *,
    old: bool,
    ascii_only: bool = False,
    uuid: bool = True,
    unit: int = 4,
    base: int = 0,
) -> str:
    def q(s: str) -> str:
        return quote(s, old, ascii_only)

    def line(level: int, text: str) -> None:
        out.append(" " * (base + unit * level) + text)

    out: list[str] = []
    if uuid:
        line(0, state["uuid"])
    top = 1 if uuid else 0
    for remote in state.get("manager", []):
        line(top, f"Manager {q(remote['target'])}")
        if remote["is_connected"] is not None:
            line(top + 1, f"is_connected: {str(remote['is_connected']).lower()}")
    for bname, bridge in state["bridges"].items():
        line(top, f"Bridge {q(bname)}")
        for key in ("fail_mode", "datapath_type"):
            if key in bridge:
                line(top + 1, f"{key}: {q(bridge[key])}")
        for pname, port in bridge["ports"].items():
            line(top + 1, f"Port {q(pname)}")
            if port["tag"] is not None:
                line(top + 2, f"tag: {port['tag']}")
            if port["trunks"]:
                line(top + 2, f"trunks: [{', '.join(map(str, port['trunks']))}]")
            for iname, iface in port["interfaces"].items():
                line(top + 2, f"Interface {q(iname)}")
                if iface["type"] is not None:
                    line(top + 3, f"type: {q(iface['type'])}")
                if "options" in iface:
                    pairs = ", ".join(f"{q(k)}={q(v)}" for k, v in iface["options"].items())
                    line(top + 3, f"options: {{{pairs}}}")
                if iface["error"] is not None:
                    line(top + 3, f"error: {q(iface['error'])}")
    if state["ovs_version"] is not None:
        line(top, f"ovs_version: {q(state['ovs_version'])}")
    return "\n".join(out) + "\n"
