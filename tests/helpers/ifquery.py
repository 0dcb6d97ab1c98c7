"""Run Debian's real `ifquery` (ifupdown 0.8) on a file, to hold our parser against it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from ovs_hypervisor.interfaces import InterfacesFile, normalise_key

# Options ifquery adds by itself (method defaults and values it derives).
IFQUERY_DERIVED = frozenset(
    {
        "broadcast",
        "netmask",
        "network",
        "autoconf",
        "preferred_lifetime",
        "dad_attempts",
        "dad_interval",
        "accept_ra",
        "request_prefix",
        "ll_attempts",
        "ll_interval",
    }
)
# ifupdown runs these under another name.
IFUPDOWN_ALIASES = {"post_up": "up", "pre_down": "down"}


def find_ifquery() -> str | None:
    found = shutil.which("ifquery")
    if found:
        return found
    for path in ("/usr/sbin/ifquery", "/sbin/ifquery"):
        if os.access(path, os.X_OK):
            return path
    return None


IFQUERY = find_ifquery()
needs_ifquery = pytest.mark.skipif(IFQUERY is None, reason="ifquery (package ifupdown) missing")


def run_ifquery(path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`ifquery --no-mappings -i PATH ARGS` (never a mapping script), run from /."""
    if IFQUERY is None:
        pytest.skip("ifquery (package ifupdown) is not installed")
    proc = subprocess.run(
        [IFQUERY, "--no-mappings", "-i", str(path), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd="/",
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def ifquery(path: Path, *args: str) -> str:
    """What ifquery prints (it must succeed)."""
    return run_ifquery(path, *args).stdout


def ifquery_options(path: Path, iface: str) -> list[tuple[str, str]]:
    """`ifquery IFACE` prints `key: value`; repeated plain options come out as one value
    with newline-separated parts, printed as bare continuation lines.  (key, value) pairs
    in ifquery's order, keys normalised."""
    out: list[tuple[str, str]] = []
    key: str | None = None
    for line in ifquery(path, iface).split("\n")[:-1]:
        match = re.match(r"([^\s:]+): ?(.*)\Z", line)
        if match:
            key = normalise_key(match.group(1))
            out.append((key, match.group(2)))
        else:
            assert key is not None, line
            out.append((key, line))
    return out


def _ours(parsed: InterfacesFile, iface: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for stanza in parsed["interfaces"][iface].values():
        for key, values in stanza["options"].items():
            key = IFUPDOWN_ALIASES.get(key, key)
            for value in values:
                # ifquery shows address/prefix split into address + netmask
                out.append((key, value.split("/")[0] if key == "address" else value))
    return out


def assert_ifquery_agrees(path: Path, parsed: InterfacesFile) -> None:
    """ifquery reads the file at PATH as we parsed it: the same auto and allow- classes in
    the same order, and every interface with the same options (ifquery may add derived
    ones, but never lose ours)."""
    # ifupdown always puts "lo" first in the auto class, before reading the file.
    auto = ["lo", *(name for name in parsed["auto"] if name != "lo")]
    assert ifquery(path, "--list").split() == auto
    for klass, names in parsed["allow"].items():
        assert ifquery(path, "--list", f"--allow={klass}").split() == names, klass
    for iface in parsed["interfaces"]:
        theirs = Counter(ifquery_options(path, iface))
        ours = Counter(_ours(parsed, iface))
        for key in {k for k, _ in theirs} | {k for k, _ in ours}:
            mine = Counter({kv: n for kv, n in ours.items() if kv[0] == key})
            real = Counter({kv: n for kv, n in theirs.items() if kv[0] == key})
            if key in IFQUERY_DERIVED:
                assert not mine - real, (iface, key)
            else:
                assert mine == real, (iface, key)
