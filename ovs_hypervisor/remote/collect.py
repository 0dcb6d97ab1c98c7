"""Read a host's interfaces configuration (and, with --network, its live network): runs ON
the host as ``python3 -c <this file> [--network] [PATH]``; stdlib only, Python >= 3.9,
read-only (it opens files and runs ``ip -j``).  Prints one JSON document:

    {"files": [{"path", "origin": [path, line] | null, "b64": str | null,
                "missing": bool, "error": str | null}, ...],
     # with --network:
     "links": [...], "routes": {"inet": [...], "inet6": [...]}, "ovs_module": {...},
     "kernel": "6.1.0-18-amd64", "errors": [...]}

Files are followed the way ifupdown 0.8 does (checked with ifquery 0.8.41): a ``source``
line's first word is expanded like a shell word (variables, ``~``, quotes) and globbed,
relative to the including file's directory, and missing files are skipped; a
``source-dir*`` line reads the directory's regular files whose names match
``^[a-zA-Z0-9_-]+$``, sorted; included files are followed in turn.  File texts travel
base64-encoded (exact bytes).

The controller imports the line reader (:func:`logical_lines`) and the keyword rule
(:func:`is_source_keyword`) from here too (``ovs_hypervisor.interfaces``), so the host and
the parser split a file into lines and find its ``source`` lines the same way.
"""

from __future__ import annotations

import base64
import glob
import json
import os
import re
import shlex
import subprocess
import sys
from typing import Any

TOP_FILE = "/etc/network/interfaces"
SPACE = " \t\n\r\v\f"  # C isspace(), what ifupdown strips
RUN_PARTS_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
MAX_DEPTH = 20


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) for each non-comment logical line, like ifupdown's get_line.

    A line whose first non-blank character is ``#`` is a comment; a line ending in a
    backslash continues on the next physical line (appended as-is).
    """
    physical = text.split("\n")
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(physical):
        start = i + 1
        line = physical[i].lstrip(SPACE)
        i += 1
        if line.startswith("#"):
            continue
        # The backslash must be the very last character: "x \ " is not a continuation.
        while line.endswith("\\"):
            line = line[:-1]
            if i < len(physical):
                line += physical[i]
                i += 1
        out.append((start, line.rstrip(SPACE)))
    return out


def is_source_keyword(word: str) -> bool:
    """``source`` or ``source-directory`` (ifupdown takes any word starting ``source-dir``)."""
    return word == "source" or word.startswith("source-dir")


def _expand(word: str) -> str:
    try:
        parts = shlex.split(word)
    except ValueError:
        parts = [word]
    first = parts[0] if parts else word
    return os.path.expanduser(os.path.expandvars(first))


def source_targets(keyword: str, rest: str, base: str) -> list[str]:
    """The files one ``source``/``source-directory`` line includes, in reading order."""
    target = _expand(rest)
    if not os.path.isabs(target):
        target = os.path.join(base, target)
    if keyword == "source":
        return sorted(glob.glob(target))
    try:
        names = sorted(os.listdir(target))
    except OSError:
        return []
    return [
        os.path.join(target, n)
        for n in names
        if RUN_PARTS_NAME.match(n) and os.path.isfile(os.path.join(target, n))
    ]


def read_files(top: str) -> list[dict[str, Any]]:
    """The top file and every file it includes, depth first, in ifupdown's reading order."""
    files: list[dict[str, Any]] = []
    seen: set[str] = set()

    def read(path: str, origin: list[Any] | None, depth: int) -> None:
        entry: dict[str, Any] = {
            "path": path,
            "origin": origin,
            "b64": None,
            "missing": False,
            "error": None,
        }
        files.append(entry)
        real = os.path.realpath(path)
        if real in seen:
            entry["error"] = "read before (included twice, or a source loop)"
            return
        seen.add(real)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            entry["missing"] = isinstance(exc, FileNotFoundError)
            entry["error"] = f"cannot read: {exc.strerror or exc}"
            return
        entry["b64"] = base64.b64encode(data).decode()
        if depth >= MAX_DEPTH:
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        for lineno, line in logical_lines(text):
            words = line.split(None, 1)
            if len(words) == 2 and is_source_keyword(words[0]):
                for child in source_targets(words[0], words[1], os.path.dirname(path)):
                    read(child, [path, lineno], depth + 1)

    read(top, None, 0)
    return files


def _ip_json(errors: list[str], *args: str) -> list[Any]:
    what = "ip -j " + " ".join(args)
    try:
        proc = subprocess.run(
            ["ip", "-j", *args],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        errors.append(f"{what}: {exc}")
        return []
    if proc.returncode != 0:
        errors.append(f"{what}: {proc.stderr.strip()[:300]}")
        return []
    try:
        rows = json.loads(proc.stdout or "[]")
    except ValueError as exc:
        errors.append(f"{what}: not JSON: {exc}")
        return []
    return rows if isinstance(rows, list) else []


def links(errors: list[str]) -> list[dict[str, Any]]:
    out = []
    for row in _ip_json(errors, "-d", "addr", "show"):
        info = row.get("linkinfo") or {}
        data = info.get("info_data") or {}
        out.append(
            {
                "name": row.get("ifname"),
                "kind": info.get("info_kind"),
                "slave_kind": info.get("info_slave_kind"),
                "master": row.get("master"),
                "link": row.get("link"),
                "vlan_id": data.get("id") if info.get("info_kind") == "vlan" else None,
                "mac": row.get("address"),
                "up": "UP" in (row.get("flags") or []),
                "addresses": [
                    {
                        "family": a.get("family"),
                        "address": a.get("local"),
                        "prefixlen": a.get("prefixlen"),
                        "scope": a.get("scope"),
                        "dynamic": bool(a.get("dynamic")),
                    }
                    for a in row.get("addr_info") or []
                    if "local" in a
                ],
            }
        )
    return out


def routes(errors: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"inet": [], "inet6": []}
    for family, flag in (("inet", "-4"), ("inet6", "-6")):
        for row in _ip_json(errors, flag, "route", "show", "default"):
            out[family].append({"gateway": row.get("gateway"), "dev": row.get("dev")})
    return out


def ovs_module(release: str) -> dict[str, str]:
    if os.path.isdir("/sys/module/openvswitch"):
        return {"state": "loaded", "detail": "/sys/module/openvswitch"}
    base = "/lib/modules/" + release
    for name in ("modules.builtin", "modules.dep"):
        try:
            with open(os.path.join(base, name)) as f:
                for line in f:
                    if re.search(r"/openvswitch\.ko(\.[a-z]+)?(:|$)", line.strip()):
                        return {"state": "available", "detail": f"{base}/{name}"}
        except OSError:
            continue
    if os.path.isdir(base):
        return {"state": "missing", "detail": f"not in {base}/modules.dep or modules.builtin"}
    return {"state": "missing", "detail": f"no {base}"}


def collect(top: str, network: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"files": read_files(top)}
    if network:
        errors: list[str] = []
        release = os.uname().release
        out.update(
            links=links(errors),
            routes=routes(errors),
            ovs_module=ovs_module(release),
            kernel=release,
            errors=errors,
        )
    return out


def main(argv: list[str]) -> int:
    network = "--network" in argv
    paths = [a for a in argv if a != "--network"]
    print(json.dumps(collect(paths[0] if paths else TOP_FILE, network)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
