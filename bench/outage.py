"""Benchmark: management and guest network outage of a migration, classic vs fast cutover.

    OVSLAB_PREFIX=fst OVSLAB_DIR=/tmp/ovslab-fst .venv/bin/python bench/outage.py \
        [--modes classic,fast] [--repeat 1] [--json out.json]
    VMLAB_PREFIX=ou VMLAB_DIR=/tmp/vmlab-ou .venv/bin/python bench/outage.py --tier vmlab

Not a test: it prints a table. Per mode (and repeat): the tier is built from zero in its
legacy state, then from the switch's namespace one `ping -i 0.05` to the management address
and one per running guest address (when the lab's guests answer: `$OVSLAB_DIR/guests`, lines
`name mac vlan mode addr/len`), then the whole migration (`pyinfra -y inventory.py deploy.py
--data ovs_hv_cutover_mode=MODE`), then the pings run on for a few seconds. Reported: the
longest time without a reply per target (the outage, from the replies' timestamps), lost/sent, the
migration's wall time, and the cutover script's own "gap" figure (fast mode).

Tiers: `ovslab` is the namespace lab (`lab/ovslab`, inventory `inventory.py`, hv1 and its
guests). `vmlab` is the full-VM tier (`lab/vmlab/vmlab`, inventory `lab/vmlab/inventory.py`):
hv1 alone, a full Debian 12 VM on the kernel datapath under emulation; its nested guests have
no OS, so only the management address is measured there. `--inventory` overrides.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PYINFRA = Path(sys.executable).with_name("pyinfra")
DIR = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
TOOLS = {"ovslab": ROOT / "lab" / "ovslab", "vmlab": ROOT / "lab" / "vmlab" / "vmlab"}
INVENTORIES = {"ovslab": "inventory.py", "vmlab": "lab/vmlab/inventory.py"}
# A shell command line on hv1.
ON_HOST = {"ovslab": ("exec", "--", "sh", "-c"), "vmlab": ("ssh", "hv1", "--")}
INTERVAL = 0.05
TAIL = 4.0  # seconds of pinging after the run: a late target shows its full outage
MGMT = "192.0.2.10"


def run(tier: str, *args: str, timeout: int = 1800) -> str:
    out = subprocess.run(
        [str(TOOLS[tier]), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "VMLAB_HOSTS": "hv1"},
    )
    if out.returncode != 0:
        raise SystemExit(f"{tier} {' '.join(args)} failed: {out.stderr}{out.stdout}")
    return out.stdout


def guest_addresses(tier: str) -> dict[str, str]:
    """First address of each running guest that has one (none: the guests do not answer)."""
    path = DIR / "guests"
    if tier != "ovslab" or not path.exists():
        return {}
    running = set(run(tier, *ON_HOST[tier], "virsh list --name").split())
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] in running and parts[0] not in out:
            out[parts[0]] = parts[4].split("/")[0]
    return out


class Pinger(NamedTuple):
    proc: subprocess.Popen[str]
    out: IO[str]  # ping's output: a file, as a pipe read only at the end fills and blocks it


def start_ping(tier: str, addr: str) -> Pinger:
    # -D: each reply with its arrival time. The outage is measured in time, not in sequence
    # numbers: while the neighbour entry is unresolved, sendmsg fails (ENOBUFS) and ping
    # neither counts nor numbers those probes, so a gap in icmp_seq hides most of the outage.
    out = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed in stop_ping)
    proc = subprocess.Popen(
        [str(TOOLS[tier]), "sw", "--", "ping", "-D", "-n", "-i", str(INTERVAL), "-W", "1", addr],
        stdout=out,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # SIGINT to the group reaches ping, which prints its summary
    )
    return Pinger(proc, out)


def stop_ping(pinger: Pinger) -> tuple[str, float]:
    stopped = time.time()
    os.killpg(pinger.proc.pid, signal.SIGINT)
    pinger.proc.wait(timeout=20)
    pinger.out.seek(0)
    text = pinger.out.read()
    pinger.out.close()
    return text, stopped


def outage(ping: tuple[str, float], started: float) -> dict[str, Any]:
    """Longest time without a reply (seconds, less one interval) between `started` and the
    stop, sent and lost, from `ping -D -n` output."""
    text, stopped = ping
    replies = [float(t) for t in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", text, re.M)]
    summary = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    sent = int(summary.group(1)) if summary else len(replies)
    times = [started, *replies, stopped]
    longest = max((b - a for a, b in itertools.pairwise(times)), default=0.0)
    return {
        "outage_s": round(max(longest - INTERVAL, 0.0), 2),
        "sent": sent,
        "lost": sent - len(replies),
    }


def run_mode(tier: str, mode: str, inventory: str) -> dict[str, Any]:
    run(tier, "down")
    run(tier, "up")
    try:
        targets = {"management": MGMT, **guest_addresses(tier)}
        pingers = {name: start_ping(tier, addr) for name, addr in targets.items()}
        time.sleep(1.0)
        measuring = time.time()
        started = time.monotonic()
        deploy = subprocess.run(
            [str(PYINFRA), "-y", inventory, "deploy.py", "--data", f"ovs_hv_cutover_mode={mode}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "VMLAB_HOSTS": "hv1"},
        )
        wall = time.monotonic() - started
        time.sleep(TAIL)
        results = {name: outage(stop_ping(p), measuring) for name, p in pingers.items()}
        if deploy.returncode != 0:
            raise SystemExit(f"{mode}: the deploy failed:\n{deploy.stdout}{deploy.stderr}")
        log = run(tier, *ON_HOST[tier], "cat /var/lib/ovs-hypervisor/backups/*/cutover/cutover.log")
        gap = re.search(r"^gap: (\d+) ms", log, re.M)
        return {
            "mode": mode,
            "wall_s": round(wall, 1),
            "gap_ms": int(gap.group(1)) if gap else None,
            "targets": results,
        }
    finally:
        run(tier, "down")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="classic,fast")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--tier", default="ovslab", choices=["ovslab", "vmlab"])
    parser.add_argument("--inventory", default="")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    inventory = args.inventory or INVENTORIES[args.tier]
    rows = [
        run_mode(args.tier, mode, inventory)
        for _ in range(args.repeat)
        for mode in args.modes.split(",")
    ]
    print(
        f"\ntier {args.tier}: outage = longest time without a reply, "
        f"ping every {INTERVAL * 1000:.0f} ms"
    )
    print(f"{'mode':8} {'target':12} {'outage':>8} {'lost/sent':>10} {'wall':>7} {'gap':>7}")
    for row in rows:
        for name, r in row["targets"].items():
            gap = f"{row['gap_ms']} ms" if row["gap_ms"] is not None else "-"
            print(
                f"{row['mode']:8} {name:12} {r['outage_s']:7.2f}s {r['lost']:>4}/{r['sent']:<5}"
                f" {row['wall_s']:6.1f}s {gap:>7}"
            )
    for mode in args.modes.split(","):
        mgmt = [r["targets"]["management"]["outage_s"] for r in rows if r["mode"] == mode]
        print(f"{mode}: management outage median {statistics.median(mgmt):.2f}s over {len(mgmt)}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
