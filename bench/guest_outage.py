"""Benchmark: each guest's network outage during a migration, save mode vs restart mode.

    OVSLAB_PREFIX=ovsg OVSLAB_DIR=/tmp/ovslab-ovsg .venv/bin/python bench/guest_outage.py \
        [--modes save,restart] [--out docs/save-mode-figures.json]

Not a test: it prints a table. Per mode: `lab/ovslab up` (legacy host, real guests), then
from the switch namespace one ping every 50 ms per running guest address (each from its
VLAN's gateway: the switch routes every guest subnet through that VLAN's gateway port), then
the migration (`pyinfra -y inventory.py deploy.py --data ovs_hv_domain_move=MODE`), then the
pings run on for a few seconds. Reported per guest: its longest time without a reply
(outage, measured as bench/outage.py does), whether it rebooted (boot id before vs after,
from the guest's TCP responder) and its uptime before/after; per mode: the migration's wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script, the repository root replaces bench/ as the import base (as for mypy:
# bench/bench.py would shadow the bench directory). One way to measure: bench/outage.py's.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.outage import outage, start_ping, stop_ping  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OVSLAB = ROOT / "lab" / "ovslab"
PYINFRA = Path(sys.executable).with_name("pyinfra")
DIR = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
TAIL = 5.0  # seconds of pinging after the run, so a late guest shows its full outage


def lab(*args: str, check: bool = True, timeout: int = 600) -> str:
    out = subprocess.run(
        [str(OVSLAB), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and out.returncode != 0:
        raise SystemExit(f"lab {' '.join(args)} failed: {out.stderr}{out.stdout}")
    return out.stdout


def guest_addresses() -> dict[str, str]:
    """First untagged address of each running lab guest ($OVSLAB_DIR/guests: name mac vlan
    mode addr). Untagged ones answer before the migration too (the legacy bridges are access
    ports); the trunk guest has none, so it is left out."""
    running = set(lab("exec", "--", "virsh", "list", "--name").split())
    out: dict[str, str] = {}
    for line in (DIR / "guests").read_text().splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] in running and parts[3] == "untagged":
            out.setdefault(parts[0], parts[4].split("/")[0])
    return out


def identity(name: str) -> dict[str, str]:
    """The guest's boot ids from its serial console (one line per boot) and its responder."""
    console = DIR / "hv1" / "root" / "var" / "log" / "libvirt" / "qemu" / f"{name}.console"
    text = console.read_text(errors="replace") if console.exists() else ""
    ids = re.findall(r"ovslab-guest: \S+ up, boot_id (\S+)", text)
    answer = lab("guest", name, "id", check=False, timeout=60)
    found = dict(re.findall(r"(\w+)=(\S+)", answer))
    found.setdefault("boot_id", ids[-1] if ids else "")
    found["boots"] = str(len(ids))
    return found


def run_mode(mode: str) -> dict[str, Any]:
    lab("up")
    try:
        addrs = guest_addresses()
        before = {name: identity(name) for name in addrs}
        pingers = {name: start_ping("ovslab", addr) for name, addr in addrs.items()}
        time.sleep(1)
        measuring = time.time()
        started = time.monotonic()
        run = subprocess.run(
            [
                str(PYINFRA),
                "-y",
                "inventory.py",
                "deploy.py",
                "--data",
                f"ovs_hv_domain_move={mode}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
        total = time.monotonic() - started
        time.sleep(TAIL)
        results = {}
        for name, proc in pingers.items():
            measured = outage(stop_ping(proc), measuring)
            after = identity(name)
            results[name] = {
                "address": addrs[name],
                "outage_s": measured["outage_s"],
                "sent": measured["sent"],
                "received": measured["sent"] - measured["lost"],
                "rebooted": before[name].get("boot_id") != after.get("boot_id")
                or before[name].get("boots") != after.get("boots"),
                "uptime_before": before[name].get("uptime"),
                "uptime_after": after.get("uptime"),
            }
        if run.returncode != 0:
            print(run.stdout[-3000:] + run.stderr[-3000:], file=sys.stderr)
        return {
            "mode": mode,
            "ok": run.returncode == 0,
            "total_s": round(total, 1),
            "guests": results,
        }
    finally:
        lab("down", check=False)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| mode | migration | guest | outage (ping every 100 ms) | rebooted "
        "| uptime before -> after |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        for name, g in sorted(row["guests"].items()):
            lines.append(
                f"| {row['mode']} | {row['total_s']} s{'' if row['ok'] else ' (FAILED)'} | "
                f"{name} | {g['outage_s']} s | {'yes' if g['rebooted'] else 'no'} | "
                f"{g['uptime_before']} -> {g['uptime_after']} s |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="save,restart")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the lab needs root")
    rows = [run_mode(mode) for mode in args.modes.split(",")]
    print(table(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
