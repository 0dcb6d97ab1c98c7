"""Drive the real-machine tier (lab/vmlab/vmlab) and pyinfra from the VM tests.

Real processes only: QEMU VMs running Debian 12 with systemd, reached over SSH through the
tier's switch namespace.  Shared by the tests in tests/vm (no test imports another test).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.tiers import require

ROOT = Path(__file__).resolve().parents[2]
VMLAB = ROOT / "lab" / "vmlab" / "vmlab"
INVENTORY = ROOT / "lab" / "vmlab" / "inventory.py"
PYINFRA = Path(sys.executable).with_name("pyinfra")
DIR = Path(os.environ.get("VMLAB_DIR", "/tmp/vmlab"))
PREFIX = os.environ.get("VMLAB_PREFIX", "vmlab")
CACHE = Path(os.environ.get("VMLAB_CACHE", "/var/tmp/ovs-hv-vmlab-cache"))
SKIP_ENV = "VMLAB_SKIP"
MGMT_IP = {"hv1": "192.0.2.10", "hv2": "192.0.2.11"}
GUEST = {"hv1": "guest1", "hv2": "guest2"}
GUEST_MAC = {"hv1": "52:54:00:aa:01:01", "hv2": "52:54:00:aa:02:01"}
GUEST_VLAN = 101  # the nested guests sit on the seed's bridge101
# hv1 has two uplink NICs (eth0, eth1): lab/vmlab/inventory.py migrates it onto bond0.
BOND_HOST = "hv1"
# What the tier needs on the controller (scripts/setup.sh installs all of it).
TOOLS = {
    "mmdebstrap": "mmdebstrap",
    "qemu-img": "qemu-utils",
    "qemu-system-x86_64": "qemu-system-x86",
    "apt-ftparchive": "apt-utils",
    "mkfs.ext4": "e2fsprogs",
    "socat": "socat",
    "ovs-vswitchd": "openvswitch-switch",
    "zstd": "zstd",
}
SPACE_GIB = 10  # bootstrap tarball + raw image while it is made + overlays


def host_name(h: str) -> str:
    return f"{PREFIX}-{h}"


def why_tier_cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "the VM tier needs root (network namespaces, taps)"
    for binary, package in TOOLS.items():
        if shutil.which(binary) is None and not Path("/usr/sbin", binary).exists():
            return f"{binary} is not installed (Debian package {package}; run scripts/setup.sh)"
    CACHE.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(CACHE).free / 2**30
    if free < SPACE_GIB and not any(CACHE.glob("image-*/.complete")):
        return f"only {free:.1f} GiB free in {CACHE}, the image build needs {SPACE_GIB} GiB"
    return None


def require_tier() -> None:
    """Fail (not skip) when the tier cannot run, unless VMLAB_SKIP=1 asks to skip it."""
    require(
        "the VM tier (tests/vm)",
        SKIP_ENV,
        why_tier_cannot_run(),
        f"Set {SKIP_ENV}=1 to skip it on purpose (local fast runs only).",
    )


def vmlab(
    *args: str, check: bool = True, timeout: int = 900, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [str(VMLAB), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if check and run.returncode != 0:
        raise AssertionError(f"vmlab {' '.join(args)} failed ({run.returncode}):\n{run.stderr}")
    return run


def ssh_args(h: str, user: str = "root") -> list[str]:
    return [
        "ssh",
        "-F",
        str(DIR / "ssh_config"),
        "-o",
        "ConnectTimeout=10",
        "-o",
        "BatchMode=yes",
        "-l",
        user,
        host_name(h),
    ]


def vm(h: str, cmd: str, check: bool = True, user: str = "root", timeout: int = 120) -> str:
    """Run a shell command on VM h over SSH (its management address)."""
    run = subprocess.run(
        [*ssh_args(h, user), cmd], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and run.returncode != 0:
        raise AssertionError(f"{h}: {cmd!r} failed ({run.returncode}): {run.stderr}{run.stdout}")
    return run.stdout


def sw(cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """A shell command in the switch namespace."""
    run = subprocess.run(
        [str(VMLAB), "sw", "--", "sh", "-c", cmd], capture_output=True, text=True, timeout=120
    )
    if check and run.returncode != 0:
        raise AssertionError(f"sw: {cmd!r} failed ({run.returncode}): {run.stderr}{run.stdout}")
    return run


def pings(h: str) -> bool:
    """Does VM h's management address answer from the switch (over VLAN 1234)?"""
    return sw(f"ping -n -q -c1 -W2 {MGMT_IP[h]}", check=False).returncode == 0


def pyinfra_cmd(*args: str, deploy: str = "deploy.py", limit: str | None = None) -> list[str]:
    extra = ["--limit", host_name(limit)] if limit else []
    return [
        str(PYINFRA),
        *([] if "--dry" in args else ["-y"]),
        *extra,
        *args,
        str(INVENTORY),
        deploy,
    ]


def pyinfra_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "TERM": "dumb"}


def pyinfra(
    *args: str, deploy: str = "deploy.py", limit: str | None = None, timeout: int = 1500
) -> subprocess.CompletedProcess[str]:
    """`pyinfra lab/vmlab/inventory.py DEPLOY ARGS` from the repository root, as a user would."""
    return subprocess.run(
        pyinfra_cmd(*args, deploy=deploy, limit=limit),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=pyinfra_env(),
        stdin=subprocess.DEVNULL,
    )


def output_of(run: subprocess.CompletedProcess[str]) -> str:
    return run.stdout + run.stderr


def verify_clean(h: str) -> None:
    run = pyinfra("--dry", deploy="verify.py", limit=h, timeout=600)
    assert run.returncode == 0, f"verify on {h} is not clean:\n{output_of(run)}"


def ovs_port(h: str, port: str) -> dict[str, str]:
    """tag, trunks, vlan_mode of an OVS port on VM h."""
    out = vm(
        h,
        "ovs-vsctl --format=csv --data=bare --no-headings --columns=tag,trunks,vlan_mode "
        f"list port {port}",
    ).strip()
    tag, trunks, mode = [*out.split(","), "", "", ""][:3]
    return {"tag": tag, "trunks": trunks, "vlan_mode": mode}


def bond_members(h: str, bond: str = "bond0") -> dict[str, str]:
    """Member -> enabled/disabled, as ovs-vswitchd sees the bond (`ovs-appctl bond/show`);
    also the mode, under the key "mode"."""
    out = vm(h, f"ovs-appctl bond/show {bond}")
    found = dict(re.findall(r"^(?:member|slave) (\S+): (enabled|disabled)", out, re.M))
    mode = re.search(r"^bond_mode: (\S+)", out, re.M)
    return {**found, "mode": mode.group(1) if mode else "?"}


def guest_port(h: str, domain: str) -> str:
    """The vnet port of a running domain's first NIC."""
    out = vm(h, f"virsh -q domiflist {domain}")
    names = [line.split()[0] for line in out.splitlines() if line.split()]
    assert names and names[0].startswith("vnet"), f"{h}: {domain} has no vnet port: {out!r}"
    return names[0]


def stage_log(h: str) -> Path:
    return DIR / h / "stage.log"


@dataclass
class PowerCut:
    stage: str  # the stage line the power was cut at
    output: str  # what pyinfra printed until then


def deploy_with_power_cut(h: str, stage: re.Pattern[str], timeout: int = 1200) -> PowerCut:
    """Run the deploy against VM h and cut its power (kill QEMU) as soon as the VM reports a
    cutover stage matching `stage` on its stage port (lab/vmlab/files/vmlab-stagewatch). The
    controller is killed at the same moment: nothing but the host decides what happens next."""
    log = stage_log(h)
    offset = log.stat().st_size if log.exists() else 0
    out_path = DIR / h / "power-cut.out"
    with out_path.open("w") as out:
        proc = subprocess.Popen(
            pyinfra_cmd(limit=h),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=pyinfra_env(),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        hit = None
        try:
            while hit is None and time.monotonic() < deadline:
                with log.open(errors="replace") as f:
                    f.seek(offset)
                    for line in f:
                        if stage.search(line):
                            hit = line.strip()
                            break
                if hit is None:
                    if proc.poll() is not None:
                        break
                    time.sleep(0.05)
            if hit is not None:
                vmlab("poweroff-hard", h)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = out_path.read_text(errors="replace")
    if hit is None:
        stages = log.read_text(errors="replace")[offset:]
        raise AssertionError(
            f"{h}: stage {stage.pattern!r} never came (deploy exit {proc.returncode});\n"
            f"stages seen:\n{stages}\ndeploy output:\n{output}"
        )
    return PowerCut(stage=hit, output=output)


def changed_nothing(run: subprocess.CompletedProcess[str]) -> bool:
    """pyinfra's closing table: every operation of every host reported "No change"."""
    totals = re.search(r"Grand total\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)", output_of(run))
    if run.returncode != 0 or totals is None:
        return False
    ops, success, error, no_change = totals.groups()
    return (success, error, no_change) == ("-", "-", ops)


def network_state(h: str) -> dict[str, str]:
    """What a reboot or a re-run must not change (names and settings, no counters)."""
    return {
        "interfaces": vm(h, "cat /etc/network/interfaces"),
        "links": vm(h, "ip -br link | awk '{print $1, $2}' | sort"),
        "addresses": vm(h, "ip -br -4 addr | sort"),
        "ovs": vm(
            h,
            "ovs-vsctl --format=csv --data=bare --no-headings --columns=name,tag,trunks,vlan_mode "
            "list port | grep -v '^vnet' | sort",
        ),
        "bridge": vm(h, "ovs-vsctl get bridge ovsbr0 datapath_type"),
        "domains": vm(h, "virsh list --all --name | sort"),
    }


FIGURES_ENV = "VMLAB_FIGURES"


def record_figure(name: str, value: object) -> None:
    """Append a measured figure (JSON line) to $VMLAB_FIGURES, for lab/vmlab/bench.py.
    Figures are reported, never asserted on."""
    path = os.environ.get(FIGURES_ENV)
    print(f"figure {name}: {value}")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"name": name, "value": value}) + "\n")


def seconds_to_ping(vmlab_stderr: str, h: str) -> float | None:
    """From `vmlab start/wait/reboot` output: seconds from power-on to the first answer."""
    found = re.findall(rf"{h}: \S+ answers ping ([0-9.]+)s after power-on", vmlab_stderr)
    return float(found[-1]) if found else None
