"""Discovery's output: the summary a person reads, the host data file, inventory notes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ovs_hypervisor.discover.findings import Discovery
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.short import short

HEADER = "# Written by ovs-hypervisor discovery"


def inventory_overrides(
    data: Mapping[str, Any],
    own: Mapping[str, Any],
    previous: Mapping[str, Any],
    overrides: Mapping[str, Any],
) -> list[str]:
    """Warnings for discovered keys that the inventory overrides for this host.

    ``own``: the host's own inventory data (which inventory.py built with the previous
    ``host_data`` file merged in); ``previous``: that file's keys; ``overrides``: ``--data``.
    """

    out = []
    for key, value in data.items():
        if key in overrides and overrides[key] != value:
            out.append(
                f"--data {key}={short(overrides[key])} wins over the discovered {short(value)}"
            )
        elif (
            key in own and (key not in previous or own[key] != previous[key]) and own[key] != value
        ):
            out.append(
                f"the inventory sets {key} = {short(own[key])} for this host, which wins over "
                f"the discovered {short(value)}: remove it from the inventory to use the "
                "discovered value"
            )
    return out


# --------------------------------------------------------------------------- output


def _spec_text(spec: Mapping[str, Any] | None) -> str:
    if spec is None:
        return "left as it is"
    if "vlan" in spec:
        return f"access VLAN {spec['vlan']}"
    trunk = ", ".join(str(v) for v in spec["trunk"])
    if "native" in spec:
        return f"hybrid: native {spec['native']} untagged, trunk {trunk}"
    return f"trunk {trunk}"


def summary(d: Discovery) -> str:
    """What a person reads: VLANs, management, per domain per NIC, warnings and errors."""
    lines = [f"Discovery of {d.host}"]
    if d.files:
        lines.append(f"  read        {', '.join(d.files)}")
    if d.skipped:
        lines.append(f"  skipped     {d.skipped}")
    if d.uplinks:
        bond = f" (bond {d.bond})" if d.bond and len(d.uplinks) > 1 else ""
        lines.append(f"  uplink      {', '.join(d.uplinks)}{bond}")
        lines.append(f"  datapath    {d.datapath}: {d.datapath_reason}")
    if d.vlans:
        lines.append(f"  VLANs       {len(d.vlans)}")
        for v in d.vlans:
            on = f"{v.bridge} <- {v.device}" if v.bridge else f"{v.device} (no bridge)"
            lines.append(f"    {v.vid:>4}  {on}  [{v.where}]")
    if d.mgmt:
        m = d.mgmt
        lines.append(f"  management  VLAN {m.vid}: {m.device} -> OVS port vlan{m.vid}  [{m.where}]")
        notes = f" ({'; '.join(m.notes)})" if m.notes else ""
        lines.append(f"              IPv4 {m.ipv4}{notes}")
        lines.append(
            f"              gateway {m.gateway or 'none'}, DNS {' '.join(m.dns) or 'none'}"
        )
        lines.append(f"              IPv6 {m.ipv6}")
    if d.nics:
        lines.append("  domains")
        current = None
        for nic in d.nics:
            if nic.domain != current:
                current = nic.domain
                lines.append(f"    {nic.domain} ({nic.state})")
            lines.append(
                f"      {nic.mac}  {nic.now:<22} -> {_spec_text(nic.spec)}  ({nic.reason})"
            )
    if d.kept:
        lines.append(f"  kept        {', '.join(d.kept)}")
    if d.warnings:
        lines.append(f"  warnings ({len(d.warnings)})")
        lines += [f"    - {w}" for w in d.warnings]
    if d.errors:
        lines.append(f"  ERRORS ({len(d.errors)}): no host data is written for {d.host}")
        lines += [f"    - {e}" for e in d.errors]
    return "\n".join(lines)


def _literal(value: Any, indent: int, used: int) -> str:
    """A Python literal as ``ruff format`` leaves it: double quotes; a collection inline
    (no trailing comma) when it fits comfortably, else one item a line with trailing commas.
    ``used``: columns already taken on the line where the literal starts."""
    pad = " " * (indent + 4)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "\n" in value:
            body = value.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
            return '"""\\\n' + body + '"""'
        return json.dumps(value)
    if isinstance(value, list | dict):
        if not value:
            return "[]" if isinstance(value, list) else "{}"
        if isinstance(value, list):
            parts = [_literal(v, indent, 0) for v in value]
            items = [f"{pad}{_literal(v, indent + 4, len(pad))},\n" for v in value]
            open_, close = "[", "]"
        else:
            parts = [f"{json.dumps(k)}: {_literal(v, indent, 0)}" for k, v in value.items()]
            items = [
                f"{pad}{json.dumps(k)}: "
                f"{_literal(v, indent + 4, len(pad) + len(json.dumps(k)) + 2)},\n"
                for k, v in value.items()
            ]
            open_, close = "{", "}"
        inline = open_ + ", ".join(parts) + close
        if "\n" not in inline and used + len(inline) <= 72:
            return inline
        return open_ + "\n" + "".join(items) + " " * indent + close
    raise TypeError(f"cannot write {type(value).__name__} into host data")


_KEY_ORDER = (
    "uplinks",
    "bond_name",
    "bond_options",
    "datapath_type",
    "mgmt_vlan",
    "mgmt_ipv4",
    "mgmt_gateway",
    "mgmt_dns",
    "mgmt_ipv6",
    "mgmt_ipv6_address",
    "mgmt_ipv6_gateway",
    "legacy_bridges",
    "legacy_trunk_bridges",
    "legacy_bridge_pattern",
    "extra_interfaces",
    "domains",
)


def render_host_data(d: Discovery, when: str = "") -> str:
    """The text of ``host_data/<host>.py``: module-level ``ovs_hv_*`` assignments."""
    if not d.ok:
        raise ValueError(f"{d.host}: discovery has errors or was skipped: no host data to write")
    nic_of = {(n.domain, n.mac): n for n in d.nics}
    out = [
        f'"""Host data of {d.host}: discovered from the legacy host, read-only."""',
        "",
        f"{HEADER}{' on ' + when if when else ''} (`pyinfra inventory.py discover.py`).",
        "# inventory.py merges these under the host's own inventory data (which wins).",
        "# Running discovery again rewrites this file; see docs/discover.md.",
    ]
    for w in d.warnings:
        first, *rest = _wrap(w, 94)
        out.append(f"# ! {first}")
        out += [f"#   {r}" for r in rest]
    out.append("")
    order = {f"{PREFIX}{k}": i for i, k in enumerate(_KEY_ORDER)}
    for key, value in sorted(d.data.items(), key=lambda kv: order.get(kv[0], len(order))):
        if key == f"{PREFIX}domains":
            continue
        comment = ""
        if key == f"{PREFIX}datapath_type":
            comment = f"  # {d.datapath_reason}"
        elif key == f"{PREFIX}mgmt_vlan" and d.mgmt:
            comment = f"  # {d.mgmt.device}, {d.mgmt.where}"
        text = _literal(value, 0, len(key) + 3)
        line = f"{key} = {text}{comment}"
        if len(line.split("\n")[0]) > 100:
            line = f"{key} = {text}"
        out.append(line)
    domains = d.data.get(f"{PREFIX}domains", {})
    if not domains:
        out.append(f"{PREFIX}domains = {{}}")
    else:
        out.append(f"{PREFIX}domains = {{")
        for dom, nics in domains.items():
            out.append(f"    {json.dumps(dom)}: {{")
            for mac, spec in nics.items():
                nic = nic_of.get((dom, mac))
                why = f"  # on {nic.now}" if nic else ""
                text = _literal(spec, 8, 8 + len(json.dumps(mac)) + 2)
                out.append(f"        {json.dumps(mac)}: {text},{why}")
            out.append("    },")
        out.append("}")
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return [*lines, cur] if cur else lines or [""]
