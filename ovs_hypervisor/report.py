"""Render verification results: a compact table for people, one JSON document for machines.

Pure except :func:`write_json`, which replaces a file atomically.  The JSON format is
described in docs/verify.md; ``FORMAT`` names its version (bumped on incompatible change).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ovs_hypervisor.verify_report import HostReport, NicRow

FORMAT = "ovs-hypervisor-verify/1"

NOT_VERIFIED = (
    "not verified: the host failed before verification (connection, host data or an "
    "earlier operation); see pyinfra's output"
)


def _columns(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r, widths, strict=True)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _gateway(report: HostReport) -> list[str]:
    ping = report.gateway
    if ping is None:
        return []
    target = ping["target"] or "-"
    if ping["reachable"] is True:
        state = "reachable"
    elif ping["reachable"] is False:
        state = "NOT REACHABLE"
    else:
        state = "not pinged"
    return ["gateway", target, state, ping["detail"], "(info)"]


def render_table(report: HostReport) -> str:
    """The per-host table: summary lines, one line per VM NIC, then the differences."""
    n = len(report.differences)
    head = (
        f"{report.host}: OK, matches the data"
        if report.ok
        else f"{report.host}: {n} difference{'s' if n != 1 else ''}"
    )
    lines = [head]
    summary = [[r.role, r.name, r.config, r.detail, r.status] for r in report.rows]
    gateway = _gateway(report)
    if gateway:
        summary.append(gateway)
    ipv6 = ", ".join(report.ipv6_on) or "nowhere"
    summary.append(["ipv6", "on:", ipv6, "", ""])
    lines += _columns(summary)
    if report.nics:
        nic_rows = [["DOMAIN", "MAC", "PORT", "EXPECTED", "ACTUAL", "STATUS"]]
        nic_rows += [
            [x.domain, x.mac, x.port or "-", x.expected_text, x.actual_text, x.status]
            for x in report.nics
        ]
        lines += _columns(nic_rows)
    else:
        lines.append("  (no VM NICs on the bridge)")
    for d in report.differences:
        lines.append(f"  - {d.line()}")
    return "\n".join(lines)


def _nic(row: NicRow) -> dict[str, Any]:
    return {
        "domain": row.domain,
        "mac": row.mac,
        "state": row.state,
        "port": row.port,
        "expected": dict(row.expected) if row.expected is not None else None,
        "expected_text": row.expected_text if row.expected is not None else None,
        "actual": dict(row.actual) if row.actual is not None else None,
        "actual_text": row.actual_text if row.actual is not None else None,
        "status": row.status,
    }


def host_document(report: HostReport) -> dict[str, Any]:
    return {
        "verified": True,
        "ok": report.ok,
        "bridge": report.bridge,
        "ovs_version": report.ovs_version,
        "vswitchd": report.vswitchd,
        "summary": [
            {
                "role": r.role,
                "name": r.name,
                "config": r.config,
                "detail": r.detail,
                "status": r.status,
            }
            for r in report.rows
        ],
        "gateway": dict(report.gateway) if report.gateway is not None else None,
        "ipv6_enabled": list(report.ipv6_on),
        "nics": [_nic(x) for x in report.nics],
        "differences": [d.as_dict() for d in report.differences],
    }


def run_document(
    reports: Mapping[str, HostReport | None], generated: datetime | None = None
) -> dict[str, Any]:
    """One document for a whole run; a host mapped to None was not verified."""
    hosts: dict[str, Any] = {}
    for name in sorted(reports):
        report = reports[name]
        if report is None:
            hosts[name] = {"verified": False, "ok": False, "error": NOT_VERIFIED}
        else:
            hosts[name] = host_document(report)
    when = (generated or datetime.now(UTC)).astimezone(UTC)
    return {
        "format": FORMAT,
        "generated": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "ok": bool(hosts) and all(h["ok"] for h in hosts.values()),
        "hosts": hosts,
    }


def write_json(path: str, document: Mapping[str, Any]) -> None:
    """Replace ``path`` atomically (readers never see half a document)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".verify-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2, sort_keys=False)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
