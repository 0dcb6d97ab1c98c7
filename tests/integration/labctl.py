"""Drive the lab and pyinfra from integration tests (real processes, real SSH)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.tiers import require

ROOT = Path(__file__).resolve().parents[2]
OVSLAB = ROOT / "lab" / "ovslab"
PYINFRA = Path(sys.executable).with_name("pyinfra")


SKIP_ENV = "OVSLAB_SKIP"


def why_lab_cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root (network and mount namespaces)"
    for binary in (
        "ovs-vswitchd",
        "libvirtd",
        "virtlogd",
        "ifup",
        "sshd",
        "socat",
        "qemu-system-x86_64",
        "brctl",
        "ethtool",
        "unshare",
        "nsenter",
    ):
        if shutil.which(binary) is None and not Path("/usr/sbin", binary).exists():
            return f"{binary} is not installed (run scripts/setup.sh)"
    return None


def require_lab() -> None:
    """Fail (not skip) when the lab cannot run: a skipped tier proves nothing. OVSLAB_SKIP=1
    skips it on purpose (or deselect it: -m "not integration")."""
    require(
        "the integration tier",
        SKIP_ENV,
        why_lab_cannot_run(),
        f'Run it as root after scripts/setup.sh, or leave it out: -m "not integration" '
        f"(or {SKIP_ENV}=1).",
    )


def lab(
    *args: str, check: bool = True, timeout: int = 180, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`lab/ovslab ARGS` (OVSLAB_PREFIX/OVSLAB_DIR from the environment, plus ``env``)."""
    run = subprocess.run(
        [str(OVSLAB), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if check and run.returncode != 0:
        raise AssertionError(
            f"ovslab {' '.join(args)} -> {run.returncode}\n{run.stdout}{run.stderr}"
        )
    return run


def hv(cmd: str, check: bool = True) -> str:
    """Run a shell command inside the lab hypervisor's namespaces."""
    out = lab("exec", "--", "sh", "-c", cmd, check=False)
    if check and out.returncode != 0:
        raise AssertionError(f"hv: {cmd!r} failed ({out.returncode}): {out.stderr}{out.stdout}")
    return out.stdout


def sw(cmd: str, check: bool = True) -> str:
    """Run a shell command in the switch namespace (its own OVS)."""
    out = lab("sw", "--", "sh", "-c", cmd, check=False)
    if check and out.returncode != 0:
        raise AssertionError(f"sw: {cmd!r} failed ({out.returncode}): {out.stderr}{out.stdout}")
    return out.stdout


def guest(name: str, request: str) -> str:
    """Ask lab guest NAME (id | hang | sh CMD) over TCP from its VLAN's gateway on the switch."""
    out = lab("guest", name, request, check=False, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"guest {name} {request!r}: {out.returncode} {out.stderr}{out.stdout}")
    return out.stdout.strip()


def pyinfra(
    *args: str, inventory: str = "inventory.py", timeout: int = 600, deploy: str = "deploy.py"
) -> subprocess.CompletedProcess[str]:
    """`pyinfra INVENTORY DEPLOY ARGS` from the repository root, as a user would run it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        # -y skips change detection, so a dry run would print no diff: only for real runs.
        [str(PYINFRA), *([] if "--dry" in args else ["-y"]), *args, inventory, deploy],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def snapshot() -> dict[str, str]:
    """What a run must not change when it is told not to (dry run, bad data)."""
    return {
        "interfaces": hv("cat /etc/network/interfaces"),
        "links": hv("ip -br link | awk '{print $1}' | sort"),
        "domains": hv("virsh list --all --name | sort"),
        "running": hv("virsh list --name | sort"),
        "xml": hv(
            "for d in $(virsh list --all --name | sort); do virsh dumpxml --inactive $d; done"
        ),
        "ovs": hv("ovs-vsctl show | grep -v -e '^[0-9a-f-]*$'"),
        "backups": hv("find /var/lib/ovs-hypervisor 2>/dev/null | sort"),
    }


@contextmanager
def fresh_lab() -> Iterator[dict[str, str]]:
    """A lab built from zero in its legacy state (snapshot given), destroyed afterwards."""
    require_lab()
    started = time.monotonic()
    lab("up", timeout=300)
    print(f"\nlab up in {time.monotonic() - started:.1f}s")
    try:
        yield snapshot()
    finally:
        lab("down", check=False)


def output_of(run: subprocess.CompletedProcess[str]) -> str:
    return run.stdout + run.stderr


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> float:
    """Poll until predicate() is true; seconds it took (fails naming `what` on timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def write_inventory(tmp_path: Path, extra: dict[str, object]) -> str:
    """An inventory like the default one, with some host data replaced."""
    text = textwrap.dedent(
        f"""
        import os
        import runpy
        base = runpy.run_path({str(ROOT / "inventory.py")!r})
        _hosts, _lab_data = base["lab"]
        name, data = _hosts[0]
        data = {{**data, **{extra!r}}}
        lab = ([(name, data)], _lab_data)
        """
    )
    path = tmp_path / "inventory.py"
    path.write_text(text)
    return str(path)


def answers(address: str = "192.0.2.10") -> bool:
    """The host answers a ping from the switch (the controller's side of the network)."""
    return lab("sw", "--", "ping", "-c1", "-W1", address, check=False).returncode == 0


def cutover_status() -> str:
    return hv(
        "cat /var/lib/ovs-hypervisor/backups/*/cutover/status 2>/dev/null | tail -1", check=False
    ).strip()


@contextmanager
def deploy_in_background(inventory: str = "inventory.py") -> Iterator[subprocess.Popen[bytes]]:
    """A deploy the test interrupts; killed (with its SSH session) on the way out, whatever
    happened in between."""
    controller = subprocess.Popen(
        [str(PYINFRA), "-y", inventory, "deploy.py"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        yield controller
    finally:
        if controller.poll() is None:
            controller.send_signal(signal.SIGKILL)
        controller.wait()
