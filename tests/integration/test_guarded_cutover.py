"""Guarded cutover on the lab: nothing is lost when the new network does not work.

Real components only: the deploy runs over SSH, the host runs the detached commit-confirmed
script, and recovery is checked from the switch namespace (the controller's side).
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.labctl import (
    PYINFRA,
    ROOT,
    answers,
    cutover_status,
    fresh_lab,
    hv,
    pyinfra,
    snapshot,
    wait_until,
    write_inventory,
)

pytestmark = pytest.mark.integration

WINDOW = 20  # the lab's confirm window: short, so rollbacks happen within the test


@pytest.fixture(scope="module")
def legacy() -> Iterator[dict[str, str]]:
    with fresh_lab() as before:
        yield before


def assert_as_before(legacy: dict[str, str]) -> None:
    now = snapshot()
    for key in ("interfaces", "domains", "running", "xml", "ovs"):
        assert now[key] == legacy[key], key


def test_vswitchd_down_is_refused_and_nothing_changes(
    legacy: dict[str, str], tmp_path: Path
) -> None:
    hv("ovs-appctl -t ovs-vswitchd exit")
    try:
        run = pyinfra()
        out = run.stdout + run.stderr
        assert run.returncode != 0, out
        assert "ovs-vswitchd is not running" in out, out
        assert "Traceback" not in out
    finally:
        hv("systemctl start ovs-vswitchd")
    assert snapshot() == legacy


def test_wrong_management_vlan_rolls_back_by_itself(legacy: dict[str, str], tmp_path: Path) -> None:
    # VLAN 1011 exists on the switch, but the controller's management subnet is on 1234:
    # after the cutover the controller cannot reach the host.
    inventory = write_inventory(
        tmp_path,
        {"ovs_hv_mgmt_vlan": 1011, "ovs_hv_mgmt_port": "vlan1234", "ovs_hv_confirm_window": WINDOW},
    )
    run = pyinfra(inventory=inventory)
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert "rolls back unless confirmed within 20s" in out, out
    wait_until(lambda: cutover_status() == "rolled-back", WINDOW + 30, "the host's rollback")
    wait_until(answers, 15, "192.0.2.10 to answer again")
    assert_as_before(legacy)
    assert "bridge1234" in hv("ip -br link")


def test_controller_killed_mid_cutover_then_rerun_converges(
    legacy: dict[str, str], tmp_path: Path
) -> None:
    hv("rm -rf /var/lib/ovs-hypervisor/backups/*")
    inventory = write_inventory(tmp_path, {"ovs_hv_confirm_window": WINDOW})
    proc = subprocess.Popen(
        [str(PYINFRA), "-y", inventory, "deploy.py"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: cutover_status() in ("running", "applied"), 60, "the cutover to start")
    finally:
        proc.send_signal(signal.SIGKILL)  # the SSH session dies with it
        proc.wait()
    # While the host waits for a confirmation that will never come, a new run is refused.
    run = pyinfra(inventory=inventory)
    out = run.stdout + run.stderr
    assert run.returncode != 0 and "still waiting for confirmation" in out, out
    wait_until(lambda: cutover_status() == "rolled-back", WINDOW + 30, "the host's rollback")
    wait_until(answers, 15, "192.0.2.10 to answer again")
    assert_as_before(legacy)
    # Killed at any step, a re-run converges to the migrated state.
    run = pyinfra(inventory=inventory)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
    assert answers()
    assert "confirmed" in hv("cat /var/lib/ovs-hypervisor/backups/*/cutover/status")


def test_rollback_deploy_restores_a_named_or_the_latest_backup(
    legacy: dict[str, str], tmp_path: Path
) -> None:
    run = pyinfra("--data", "rollback=19990101-000000", deploy="rollback.py")
    out = run.stdout + run.stderr
    assert run.returncode != 0 and "no backup '19990101-000000'" in out, out
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")  # nothing changed

    run = pyinfra(deploy="rollback.py")  # the latest: the migration of the previous test
    assert run.returncode == 0, run.stdout + run.stderr
    wait_until(answers, 15, "192.0.2.10 to answer")
    assert_as_before(legacy)


def test_run_killed_while_stopping_domains_then_rerun_converges(
    legacy: dict[str, str], tmp_path: Path
) -> None:
    proc = subprocess.Popen(
        [str(PYINFRA), "-y", "inventory.py", "deploy.py"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: hv("cat /var/lib/ovs-hypervisor/to-start 2>/dev/null", check=False).strip(),
            60,
            "the domains to be stopping",
        )
        time.sleep(1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    run = pyinfra()
    assert run.returncode == 0, run.stdout + run.stderr
    # Every domain that ran before the killed run runs again, now on OVS.
    assert hv("virsh list --name | sort") == legacy["running"]
    assert hv("cat /var/lib/ovs-hypervisor/to-start 2>/dev/null", check=False) == ""
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
