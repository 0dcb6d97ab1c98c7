"""Pure parsers for the batched host-state commands our facts run (no pyinfra here)."""

from __future__ import annotations

import base64
import json
from typing import Any, TypedDict

from ovs_hypervisor.ovs_show import parse_ovs_show
from ovs_hypervisor.ovsdb_json import (
    BRIDGE_COLUMNS,
    INTERFACE_COLUMNS,
    PORT_COLUMNS,
    bridge_rows,
    interface_rows,
    port_rows,
)

MISSING = "@@OVSHV-MISSING@@"


class LinkInfo(TypedDict):
    kind: str | None  # bridge, veth, vlan, openvswitch, tun... None for a plain NIC
    master: str | None
    up: bool
    addresses: list[str]  # CIDR strings, both families


def parse_links(text: str) -> dict[str, LinkInfo]:
    """`ip -j -d addr show` -> {name: LinkInfo}."""
    try:
        rows = json.loads(text or "[]")
    except json.JSONDecodeError as exc:
        raise ValueError(f"`ip -j -d addr show` did not print JSON: {exc}") from None
    out: dict[str, LinkInfo] = {}
    for row in rows:
        info = row.get("linkinfo") or {}
        out[str(row["ifname"])] = {
            "kind": info.get("info_kind"),
            "master": row.get("master"),
            "up": "UP" in (row.get("flags") or []),
            "addresses": [
                f"{a['local']}/{a['prefixlen']}" for a in row.get("addr_info", []) if "local" in a
            ],
        }
    return out


def parse_file_b64(lines: list[str]) -> str | None:
    """Exact file text from `base64 -w0` (line facts lose trailing newlines), None if absent."""
    data = "".join(lines).strip()
    if data == MISSING:
        return None
    return base64.b64decode(data).decode("utf-8")


OVS_SECTIONS = ("@@SHOW", "@@PORT", "@@INTERFACE", "@@BRIDGE")


class OvsSnapshot(TypedDict):
    error: str | None  # why OVS could not be read (no ovs-vsctl, ovsdb-server down)
    show: dict[str, Any]
    ports: dict[str, Any]
    interfaces: dict[str, Any]
    bridges: dict[str, Any]


def ovs_state_command(timeout: int = 5) -> str:
    """One round trip for `show` plus exact Port/Interface/Bridge rows."""
    v = f"ovs-vsctl --timeout={timeout}"
    return (
        "if ! command -v ovs-vsctl >/dev/null 2>&1; then echo '@@ERROR ovs-vsctl is not "
        "installed (package openvswitch-switch)'; exit 0; fi; "
        f'out=$({v} show 2>&1) || {{ echo "@@ERROR ovs-vsctl cannot reach ovsdb-server: '
        '$(echo $out | head -c 300)"; exit 0; }; '
        'echo @@SHOW; printf "%s\\n" "$out"; '
        f"echo @@PORT; {v} --format=json --columns={','.join(PORT_COLUMNS)} list Port; "
        f"echo @@INTERFACE; {v} --format=json --columns={','.join(INTERFACE_COLUMNS)} "
        "list Interface; "
        f"echo @@BRIDGE; {v} --format=json --columns={','.join(BRIDGE_COLUMNS)} list Bridge"
    )


def parse_ovs_state(lines: list[str]) -> OvsSnapshot:
    state: OvsSnapshot = {"error": None, "show": {}, "ports": {}, "interfaces": {}, "bridges": {}}
    if lines and lines[0].startswith("@@ERROR"):
        state["error"] = lines[0][len("@@ERROR ") :]
        return state
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line in OVS_SECTIONS:
            current = sections.setdefault(line, [])
        elif current is not None:
            current.append(line)
    if set(sections) != set(OVS_SECTIONS):
        raise ValueError(f"incomplete OVS state output (sections {sorted(sections)})")
    state["show"] = dict(parse_ovs_show("\n".join(sections["@@SHOW"])))
    state["ports"] = dict(port_rows("\n".join(sections["@@PORT"])))
    state["interfaces"] = dict(interface_rows("\n".join(sections["@@INTERFACE"])))
    state["bridges"] = dict(bridge_rows("\n".join(sections["@@BRIDGE"])))
    return state
