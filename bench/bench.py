"""Benchmark: pyinfra deploy vs. an equivalent Ansible playbook, on 1, 5 and 20 lab hosts.

    source .venv/bin/activate
    bench/setup.sh                      # once: .venv-bench (ansible 10) + python3-lxml
    OVSLAB_PREFIX=ovsb OVSLAB_DIR=/tmp/ovslab-ovsb python bench/bench.py [--sizes 1,5,20]

Not a test: it prints a table (and writes it as Markdown and JSON with --out). Per size N:

1. `lab/ovslab up` with N legacy hypervisors (guests on hv1 only), then pyinfra:
   (c) `--dry --diff`, (a) the first migration, (b) a re-run with nothing to do;
2. the lab again from zero, then Ansible on the same hosts: (c) `--check --diff`,
   (a) the migration, (b) the re-run;
3. the end state of every host after (a), compared between the two tools (interfaces and
   sysctl files, boot unit, links, addresses, OVS bridge/ports/VLANs, every domain NIC's
   bridge/virtualport/VLAN and run state), so the playbook is shown to be an equivalent.

Measured per run: wall time; remote commands = SSH sessions the hosts' sshd started
("Starting session:" in $OVSLAB_DIR/hvN/ssh/sshd.log, LogLevel VERBOSE: one per command,
shell or sftp channel, whichever tool opens it); remote CPU = CPU time of everything those
sessions ran (sshd included), from each host's sshd listener's cutime+cstime; controller CPU =
the tool's own CPU time and that of its child processes (for Ansible this leaves out the
detached SSH ControlPersist masters, so it is a lower bound).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
OVSLAB = ROOT / "lab" / "ovslab"
PYINFRA = Path(sys.executable).with_name("pyinfra")
INVENTORY = "bench/inventory_many.py"
BENCH_VENV = Path(os.environ.get("OVS_HV_BENCH_VENV", ROOT / ".venv-bench"))
ANSIBLE = BENCH_VENV / "bin" / "ansible-playbook"
PLAYBOOK = ROOT / "bench" / "ansible" / "migrate.yml"
DIR = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Runs inside a lab host (python3 of the machine): its end state, normalised (no vnet names,
# no libvirt-generated ids), as JSON.
SNAPSHOT = r"""
import json, subprocess, os, xml.etree.ElementTree as ET
def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout
def read(path):
    try:
        return open(path).read()
    except OSError:
        return None
unit = "/etc/systemd/system/ovs-hypervisor-ifup.service"
wants = [f"/etc/systemd/system/{t}.wants/ovs-hypervisor-ifup.service"
         for t in ("multi-user.target", "network-online.target")]
out = {
    "interfaces": read("/etc/network/interfaces"),
    "sysctl": read("/etc/sysctl.d/60-ovs-hypervisor-ipv6.conf"),
    "unit": read(unit),
    "unit_links": [os.path.realpath(w) if os.path.islink(w) else None for w in wants],
    "links": sorted(l.split()[0].split("@")[0] for l in sh("ip -br link").splitlines()
                    if not l.startswith("vnet")),
    "addresses": sorted(sh("ip -br -4 addr").split("\n")),
    "datapath": sh("ovs-vsctl get bridge ovsbr0 datapath_type 2>/dev/null").strip(),
}
ports = {}
for p in sh("ovs-vsctl list-ports ovsbr0 2>/dev/null").split():
    vlan = sh(f"ovs-vsctl get port {p} tag trunks vlan_mode").split()
    if p.startswith("vnet"):
        p = "vm " + sh(f"ovs-vsctl get interface {p} external_ids:attached-mac").strip()
    ports[p] = vlan
out["ports"] = ports
doms = {}
running = set(sh("virsh list --name").split())
for d in sh("virsh list --all --name").split():
    root = ET.fromstring(sh(f"virsh dumpxml --inactive {d}"))
    nics = []
    for i in root.iter("interface"):
        vp = i.find("virtualport")
        vlan = i.find("vlan")
        nics.append([i.find("mac").get("address"), i.find("source").get("bridge"),
                     vp.get("type") if vp is not None else None,
                     ET.tostring(vlan, encoding="unicode").strip() if vlan is not None else None])
    doms[d] = {"running": d in running, "nics": sorted(nics)}
out["domains"] = doms
print(json.dumps(out, sort_keys=True))
"""


@dataclass
class Run:
    tool: str
    hosts: int
    step: str  # dry | first | noop
    seconds: float
    commands: int
    remote_cpu: float
    controller_cpu: float
    rc: int

    @property
    def per_host(self) -> float:
        return self.commands / self.hosts


def lab(*args: str, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    run = subprocess.run(
        [str(OVSLAB), *args], capture_output=True, text=True, timeout=timeout, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"ovslab {' '.join(args)} failed:\n{run.stderr}{run.stdout}")
    return run.stdout + run.stderr


def hosts() -> list[str]:
    return (DIR / "hosts").read_text().split()


def sessions() -> int:
    total = 0
    for h in hosts():
        with contextlib.suppress(OSError):
            total += (DIR / h / "ssh" / "sshd.log").read_text().count("Starting session:")
    return total


def remote_cpu() -> float:
    """CPU seconds of every finished SSH session of every lab host (sshd listeners' cutime +
    cstime: sessions are their children, the commands the sessions' children)."""
    configs = {f"{DIR}/{h}/ssh/sshd_config" for h in hosts()}
    ticks = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "[listener]" not in cmdline or not any(c in cmdline for c in configs):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLK_TCK


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def close_masters(control_dir: str | None) -> None:
    """End the run's SSH ControlPersist masters (their sessions' CPU reaches sshd then)."""
    if not control_dir:
        return
    for sock in Path(control_dir).iterdir():
        subprocess.run(["ssh", "-S", str(sock), "-O", "exit", "x"], capture_output=True,
                       timeout=10, check=False)  # fmt: skip


def measure(tool: str, step: str, cmd: list[str], env: dict[str, str], log: Path) -> Run:
    s0, r0, c0 = sessions(), remote_cpu(), children_cpu()
    started = time.monotonic()
    with log.open("w") as out:
        rc = subprocess.run(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1", "TERM": "dumb", **env}, timeout=900,
            check=False,
        ).returncode  # fmt: skip
    took = time.monotonic() - started
    close_masters(env.get("ANSIBLE_SSH_CONTROL_PATH_DIR"))
    time.sleep(0.3)  # let the last sessions close (their CPU reaches the listener then)
    run = Run(
        tool, len(hosts()), step, took, sessions() - s0, remote_cpu() - r0,
        children_cpu() - c0, rc,
    )  # fmt: skip
    flag = "" if rc == 0 else f"  EXIT {rc} (log: {log})"
    print(
        f"  {tool:8} {step:5} {took:6.1f}s  {run.commands:4d} cmds ({run.per_host:.1f}/host)  "
        f"remote CPU {run.remote_cpu:5.1f}s  controller CPU {run.controller_cpu:5.1f}s{flag}",
        flush=True,
    )
    return run


def snapshot() -> dict[str, Any]:
    state = {}
    for h in hosts():
        out = lab("exec", "--", "python3", "-c", SNAPSHOT, env={"OVSLAB_HOST": h})
        state[h] = json.loads(out.strip().splitlines()[-1])
    return state


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    diffs = []
    for h in sorted(set(a) | set(b)):
        for key in sorted(set(a.get(h, {})) | set(b.get(h, {}))):
            if a.get(h, {}).get(key) != b.get(h, {}).get(key):
                diffs.append(f"{h}: {key}")
    return diffs


def pyinfra_runs(n: int, logs: Path) -> tuple[list[Run], dict[str, Any]]:
    base = [str(PYINFRA), INVENTORY, "deploy.py"]
    runs = [
        measure("pyinfra", "dry", [*base, "--dry", "--diff"], {}, logs / f"pyinfra-{n}-dry.log"),
        measure("pyinfra", "first", [str(PYINFRA), "-y", *base[1:]], {},
                logs / f"pyinfra-{n}-first.log"),
    ]  # fmt: skip
    state = snapshot()
    runs.append(
        measure("pyinfra", "noop", [str(PYINFRA), "-y", *base[1:]], {},
                logs / f"pyinfra-{n}-noop.log")
    )  # fmt: skip
    return runs, state


def ansible_runs(n: int, logs: Path, work: Path) -> tuple[list[Run], dict[str, Any]]:
    from ansible_inventory import inventory  # type: ignore[import-not-found]  # bench/ on sys.path

    inv = work / f"inventory-{n}.json"
    inv.write_text(json.dumps(inventory(INVENTORY), indent=2))
    env = {
        "ANSIBLE_CONFIG": str(PLAYBOOK.parent / "ansible.cfg"),
        # a fresh SSH multiplexing dir per run: no run reuses another's connections
        "ANSIBLE_SSH_CONTROL_PATH_DIR": "",
    }
    base = [str(ANSIBLE), "-i", str(inv), str(PLAYBOOK), "-e", f"bench_workdir={work}/x{n}"]
    runs = []
    for step, extra in (("dry", ["--check", "--diff"]), ("first", []), ("noop", [])):
        env["ANSIBLE_SSH_CONTROL_PATH_DIR"] = tempfile.mkdtemp(prefix="cp-", dir=work)
        log = logs / f"ansible-{n}-{step}.log"
        runs.append(measure("ansible", step, [*base, *extra], env, log))
        if step == "first":
            state = snapshot()
    return runs, state


def table(runs: list[Run], up: dict[int, tuple[float, float]]) -> str:
    by = {(r.tool, r.hosts, r.step): r for r in runs}
    sizes = sorted({r.hosts for r in runs})
    lines = [
        "| hosts | step | pyinfra wall | pyinfra cmds (per host) | Ansible wall | "
        "Ansible cmds (per host) | wall ratio pyinfra/Ansible | remote CPU pyinfra / Ansible "
        "| controller CPU pyinfra / Ansible |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {"first": "(a) first migration", "noop": "(b) no-op re-run", "dry": "(c) dry + diff"}
    for n in sizes:
        for step in ("first", "noop", "dry"):
            p, a = by.get(("pyinfra", n, step)), by.get(("ansible", n, step))
            if p is None:
                continue

            def cell(r: Run | None) -> tuple[str, str]:
                if r is None:
                    return "-", "-"
                bad = "" if r.rc == 0 else f" (exit {r.rc})"
                return f"{r.seconds:.1f} s{bad}", f"{r.commands} ({r.per_host:.1f})"

            pw, pc = cell(p)
            aw, ac = cell(a)
            ratio = f"{p.seconds / a.seconds:.2f}x" if a else "-"
            rcpu = f"{p.remote_cpu:.1f} / {a.remote_cpu:.1f} s" if a else f"{p.remote_cpu:.1f} s"
            ccpu = (
                f"{p.controller_cpu:.1f} / {a.controller_cpu:.1f} s"
                if a
                else f"{p.controller_cpu:.1f} s"
            )
            lines.append(f"| {n} | {names[step]} | {pw} | {pc} | {aw} | {ac} | {ratio} | {rcpu} "
                         f"| {ccpu} |")  # fmt: skip
    lines.append("")
    lines.append("| hosts | `lab/ovslab up` | `lab/ovslab down` |")
    lines.append("|---|---|---|")
    for n, (u, d) in sorted(up.items()):
        lines.append(f"| {n} | {u:.1f} s | {d:.1f} s |")
    return "\n".join(lines)


def targets(runs: list[Run]) -> list[str]:
    by = {(r.tool, r.hosts, r.step): r for r in runs}
    out = []
    for (tool, n, step), r in sorted(by.items()):
        if tool != "pyinfra":
            continue
        if step == "noop":
            a = by.get(("ansible", n, "noop"))
            if a:
                ok = r.seconds <= 0.5 * a.seconds
                out.append(f"{'MET ' if ok else 'MISSED'} no-op {n} host(s): pyinfra "
                           f"{r.seconds:.1f} s = {r.seconds / a.seconds:.2f}x Ansible's "
                           f"{a.seconds:.1f} s (target <= 0.5x)")  # fmt: skip
            ok = r.per_host <= 12
            out.append(f"{'MET ' if ok else 'MISSED'} no-op {n} host(s): {r.per_host:.1f} "
                       "remote commands per host (target <= 12)")  # fmt: skip
        one = by.get((tool, 1, step))
        if n > 1 and one:
            ok = r.seconds <= 2 * one.seconds
            out.append(f"{'MET ' if ok else 'MISSED'} {step} {n} hosts: {r.seconds:.1f} s = "
                       f"{r.seconds / one.seconds:.1f}x the 1-host {one.seconds:.1f} s "
                       "(target <= 2x)")  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,5,20")
    parser.add_argument("--no-ansible", action="store_true")
    parser.add_argument("--out", help="also write FILE.md and FILE.json")
    parser.add_argument("--keep", action="store_true", help="leave the last lab up")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if not PYINFRA.exists():
        sys.exit("run with the project's venv (pyinfra next to python)")
    if not args.no_ansible and not ANSIBLE.exists():
        sys.exit(f"{ANSIBLE} missing: run bench/setup.sh first (or --no-ansible)")
    work = Path(tempfile.mkdtemp(prefix="ovs-hv-bench-"))
    logs = work / "logs"
    logs.mkdir()
    print(f"logs in {logs}", flush=True)
    runs: list[Run] = []
    up: dict[int, tuple[float, float]] = {}
    equal: dict[int, list[str]] = {}
    started = time.monotonic()
    try:
        for n in sizes:
            env = {"OVSLAB_HOSTS": str(n)}
            lab("down")
            t = time.monotonic()
            lab("up", env=env)
            u = time.monotonic() - t
            print(f"{n} host(s): lab up {u:.1f}s", flush=True)
            p_runs, p_state = pyinfra_runs(n, logs)
            runs += p_runs
            if not args.no_ansible:
                t = time.monotonic()
                lab("down")
                d = time.monotonic() - t
                lab("up", env=env)
                a_runs, a_state = ansible_runs(n, logs, work)
                runs += a_runs
                equal[n] = compare(p_state, a_state)
                print(
                    "  end state pyinfra == Ansible on every host"
                    if not equal[n]
                    else f"  end state DIFFERS: {', '.join(equal[n])}",
                    flush=True,
                )
            else:
                t = time.monotonic()
                lab("down")
                d = time.monotonic() - t
            up[n] = (u, d)
    finally:
        if not args.keep:
            lab("down")
    print(f"\nbenchmark took {time.monotonic() - started:.0f} s\n")
    text = table(runs, up)
    print(text)
    print()
    for line in targets(runs):
        print(line)
    for n, diffs in equal.items():
        if diffs:
            print(f"end state differs with {n} host(s): {', '.join(diffs)}")
    if args.out:
        Path(f"{args.out}.md").write_text(text + "\n")
        Path(f"{args.out}.json").write_text(
            json.dumps({"runs": [asdict(r) for r in runs], "up_down": up, "equal": equal},
                       indent=2)
        )  # fmt: skip
    print(f"logs in {logs}")
    return 0 if all(r.rc == 0 for r in runs) and not any(equal.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
