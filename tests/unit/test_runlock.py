"""The host-side run lock: its shell run by a real sh on a temporary path, and the decisions."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from ovs_hypervisor.runlock import (
    LockInfo,
    acquire_script,
    is_stale,
    parse_lock,
    refusal,
    release_script,
    this_run,
)


def info(token: str, pid: int = 4242, controller: str = "ctl1") -> LockInfo:
    return LockInfo(token, "deploy", controller, pid, "2026-12-02 19:15:02 UTC")


def sh(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=False)


def test_first_run_takes_the_lock_second_is_refused_naming_the_first(tmp_path: Path) -> None:
    path = str(tmp_path / "run" / "lock")
    a, b = info("A"), info("B", pid=77)
    assert sh(acquire_script(a.line(), path=path)).returncode == 0
    assert Path(path).read_text().strip() == a.line()
    refused = sh(acquire_script(b.line(), path=path))
    assert refused.returncode == 1
    assert "pid=4242" in refused.stderr and f"rm {path}" in refused.stderr
    assert Path(path).read_text().strip() == a.line()
    # the owner may take it again (a re-executed operation)
    assert sh(acquire_script(a.line(), path=path)).returncode == 0


def test_release_only_removes_our_own_lock(tmp_path: Path) -> None:
    path = str(tmp_path / "lock")
    a, b = info("A"), info("B")
    assert sh(acquire_script(a.line(), path=path)).returncode == 0
    assert sh(release_script(b.line(), path=path)).returncode == 0
    assert Path(path).exists()
    assert sh(release_script(a.line(), path=path)).returncode == 0
    assert not Path(path).exists()
    assert sh(release_script(a.line(), path=path)).returncode == 0  # nothing to release


def test_a_stale_lock_is_replaced_only_while_it_is_the_same(tmp_path: Path) -> None:
    path = str(tmp_path / "lock")
    dead, me, other = info("DEAD"), info("ME"), info("OTHER")
    Path(path).write_text(dead.line() + "\n")
    assert sh(acquire_script(me.line(), stale=dead.line(), path=path)).returncode == 0
    assert Path(path).read_text().strip() == me.line()
    # someone else took it after our check: not replaced, refused
    Path(path).write_text(other.line() + "\n")
    assert sh(acquire_script(info("LATE").line(), stale=dead.line(), path=path)).returncode == 1
    assert Path(path).read_text().strip() == other.line()


def test_runs_started_together_exactly_one_gets_the_lock(tmp_path: Path) -> None:
    path = str(tmp_path / "lock")
    procs = [
        subprocess.Popen(
            ["sh", "-c", acquire_script(info(f"R{i}").line(), path=path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(12)
    ]
    codes = [p.wait() for p in procs]
    assert codes.count(0) == 1, codes
    winner = codes.index(0)
    assert parse_lock(Path(path).read_text()) == info(f"R{winner}")


def test_parse_round_trips_and_tolerates_garbage() -> None:
    assert parse_lock(info("T").line()) == info("T")
    assert parse_lock("") is None and parse_lock(None) is None
    odd = parse_lock("something else")
    assert odd is not None and odd.pid == 0  # held by something we cannot name: never stale


def test_stale_only_for_a_dead_pid_of_this_controller() -> None:
    me = this_run("deploy", "20261202-191502")
    gone = subprocess.Popen(["true"])
    gone.wait()
    here = socket.gethostname()
    assert is_stale(info("X", pid=gone.pid, controller=here), me)
    assert not is_stale(info("X", pid=gone.pid, controller="elsewhere"), me)
    live = subprocess.Popen(["sleep", "30"])
    try:
        assert not is_stale(info("X", pid=live.pid, controller=here), me)
    finally:
        live.kill()
        live.wait()


def test_refusal_names_run_pid_start_and_how_to_clear() -> None:
    text = refusal("hv1", info("T"))
    for needed in ("'hv1'", "deploy started 2026-12-02 19:15:02 UTC", "pid 4242", "'ctl1'"):
        assert needed in text
    assert "rm /run/ovs-hypervisor/lock" in text and "\n" not in text
