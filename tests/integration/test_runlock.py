"""One change at a time per host: two deploys started together, a lock held by another
controller, a stale lock of a dead run (real lab, real pyinfra processes)."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator

import pytest

from tests.integration.labctl import PYINFRA, ROOT, fresh_lab, hv, output_of, pyinfra, snapshot

pytestmark = pytest.mark.integration

LOCK = "/run/ovs-hypervisor/lock"
REFUSED = "another run holds this host"


@pytest.fixture(scope="module")
def legacy_lab() -> Iterator[dict[str, str]]:
    with fresh_lab() as before:
        yield before


def start_deploy() -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.Popen(
        [str(PYINFRA), "-y", "inventory.py", "deploy.py"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def together(legacy_lab: dict[str, str]) -> list[tuple[int, str]]:
    runs = [start_deploy(), start_deploy()]
    return [(p.wait(timeout=600), p.communicate()[0]) for p in runs]


def test_exactly_one_of_two_deploys_proceeds(together: list[tuple[int, str]]) -> None:
    codes = sorted(code for code, _ in together)
    assert codes[0] == 0 and codes[1] != 0, together
    (loser,) = [text for code, text in together if code != 0]
    assert REFUSED in loser, loser
    assert "Traceback" not in loser
    # the loser ran no step that changes the host
    for step in ("Back up interfaces", "Stop domains", "Cut the network over"):
        assert not any(step in line and "Success" in line for line in loser.splitlines())


def test_host_ends_migrated_and_no_step_ran_twice(together: list[tuple[int, str]]) -> None:
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
    backups = hv("ls -1 /var/lib/ovs-hypervisor/backups").split()
    assert len(backups) == 1, backups
    log = hv(f"cat /var/lib/ovs-hypervisor/backups/{backups[0]}/cutover/cutover.log")
    assert "confirmed" in log
    assert hv(f"test -e {LOCK} && echo held || echo free").strip() == "free"


def test_lock_of_another_controller_refuses_at_once(together: object) -> None:
    held = "token=T1 what=deploy controller=ctl-elsewhere pid=4242 started=2026-12-02 19:00:00 UTC"
    hv(f"mkdir -p /run/ovs-hypervisor && echo '{held}' > {LOCK}")
    try:
        before = snapshot()
        for deploy in ("deploy.py", "rollback.py", "discover.py"):
            run = pyinfra("--dry", deploy=deploy)
            text = output_of(run)
            assert run.returncode != 0, text
            assert REFUSED in text and "pid 4242" in text, text
            assert "started 2026-12-02 19:00:00 UTC" in text and f"rm {LOCK}" in text, text
            assert "Traceback" not in text
        assert snapshot() == before
    finally:
        hv(f"rm -f {LOCK}")


def test_stale_lock_of_a_dead_run_is_taken_over(together: object) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    me = socket.gethostname()
    held = f"token=T2 what=deploy controller={me} pid={gone.pid} started=2026-12-02 19:00:00 UTC"
    hv(f"mkdir -p /run/ovs-hypervisor && echo '{held}' > {LOCK}")
    run = pyinfra(deploy="rollback.py")
    text = output_of(run)
    assert run.returncode == 0, text
    assert "is stale: taking it over" in text
    assert hv(f"test -e {LOCK} && echo held || echo free").strip() == "free"
