"""Reboots and power loss on the lab, emulating Debian 12 (`lab/ovslab reboot [--power-loss]`).

A power loss kills every process of the host at once (the detached cutover script, the
controller's SSH session) and boots it again with the units the deploy enabled, in systemd's
order; a reboot first runs what a clean shutdown runs (guests stopped, `ifdown -a`).  No
controller is involved in the recovery: afterwards the host answers from the switch on its
old network (unconfirmed) or its new one (confirmed), and the next deploy reports and
converges.  The tests run in order on one lab, each starting from where the previous left it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ovs_hypervisor.ovs_show import parse_ovs_show
from tests.integration.labctl import (
    OVSLAB,
    answers,
    deploy_in_background,
    fresh_lab,
    hv,
    lab,
    output_of,
    pyinfra,
    snapshot,
    wait_until,
)

pytestmark = pytest.mark.integration

VAR = "/var/lib/ovs-hypervisor"
# the lab host's /etc/network etc., seen from outside (lab/README.md, "How ... is isolated")
LAB_ROOT = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab")) / "hv1" / "root"
STAGED = "/etc/network/interfaces.ovs-hypervisor.new"
UNITS = sorted(
    [
        "ovs-hypervisor-guard.service",
        "ovs-hypervisor-guard-late.service",
        "ovs-hypervisor-ifup.service",
    ]
)
# Makes the management port's ifup take 8 s, once, while a flag file exists: a slow link, so
# that the test can pull the plug while the new interfaces file is in place and the new
# network is being raised (a test fixture in the lab host's /etc/network, not in the product).
SLOW_IFUP = f"""#!/bin/sh
if [ "$IFACE" = vlan1234 ] && [ "$MODE" = start ] && [ -e {VAR}/test-slow-ifup ]; then
    rm -f {VAR}/test-slow-ifup
    sleep 8
fi
exit 0
"""


@pytest.fixture(scope="module")
def legacy() -> Iterator[dict[str, str]]:
    with fresh_lab() as before:
        yield before


def backups() -> list[str]:
    return hv(f"ls {VAR}/backups 2>/dev/null", check=False).split()


def status(before: list[str]) -> str:
    """Status of the cutover of the run started after `before` was listed ('' if none yet)."""
    new = [name for name in backups() if name not in before]
    if not new:
        return ""
    return hv(f"cat {VAR}/backups/{new[-1]}/cutover/status 2>/dev/null", check=False).strip()


def record() -> dict[str, str]:
    """The boot guard's record (key=value lines), {} if it did not act."""
    text = hv(f"cat {VAR}/boot-recovery 2>/dev/null", check=False)
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def power_loss(controller: subprocess.Popen[bytes] | None = None) -> None:
    """Pull the plug now (the controller dies with its SSH session), then power on again."""
    if controller is not None:
        controller.send_signal(signal.SIGKILL)
        controller.wait()
    lab("reboot", "--power-loss", timeout=300)


def unit_files() -> str:
    return hv("ls /etc/systemd/system | grep ovs-hypervisor", check=False)


def assert_old_network_and_domains(legacy: dict[str, str], cutover_status: str) -> None:
    assert answers(), "192.0.2.10 does not answer over VLAN 1234 after the boot"
    now = snapshot()
    for key in ("interfaces", "domains", "running", "xml", "ovs"):
        assert now[key] == legacy[key], key
    rec = record()
    assert rec["state"] == "recovered", rec
    assert rec["cutover_status"] == cutover_status, rec
    assert rec["started_domains"].split() == legacy["running"].split(), rec
    # the run's backup is intact (and is what came back), the run's boot units are gone
    backup = rec["backup"]
    assert hv(f"cat {backup}/interfaces") == legacy["interfaces"]
    # (the XMLs of the domains rewired before the power went: all 5 once the cutover started)
    xmls = int(hv(f"test -s {backup}/ovsdb.backup && ls {backup}/*.xml | wc -l"))
    assert xmls == 5 or (cutover_status == "not started" and 1 <= xmls <= 5), xmls
    assert unit_files() == ""
    assert "pending" not in hv(f"ls {VAR}").split()


def test_power_loss_while_the_new_file_is_being_applied_boots_the_old_network(
    legacy: dict[str, str],
) -> None:
    hook = LAB_ROOT / "etc/network/if-pre-up.d/000-test-slow"
    hook.write_text(SLOW_IFUP)
    hook.chmod(0o755)
    hv(f"touch {VAR}/test-slow-ifup")
    before = backups()
    try:
        with deploy_in_background() as controller:
            # the new interfaces file is in place, the management port is being raised
            wait_until(
                lambda: hv(f"test -e {VAR}/test-slow-ifup || echo raising", check=False).strip(),
                120,
                "the cutover to raise the new management port",
            )
            assert status(before) == "running"
            new_file = hv(f"test ! -e {STAGED} && cat /etc/network/interfaces")
            assert "generated by ovs-hypervisor" in new_file
            power_loss(controller)
    finally:
        hook.unlink()
    assert_old_network_and_domains(legacy, "running")


def test_power_loss_after_applied_before_confirmation_boots_the_old_network(
    legacy: dict[str, str],
) -> None:
    hv(f"rm -f {VAR}/boot-recovery")  # the previous test's, not reported: no deploy since
    before = backups()
    with deploy_in_background() as controller:
        wait_until(lambda: status(before) == "applied", 180, "the cutover to apply")
        assert answers()  # on the new network, waiting for the confirmation that never comes
        power_loss(controller)
    assert_old_network_and_domains(legacy, "applied")


def test_next_deploy_reports_the_recovery_and_converges(legacy: dict[str, str]) -> None:
    backup = record()["backup"]
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    assert "Traceback" not in out
    run_id = backup.rsplit("/", 1)[1]
    assert f"the host rolled back the unconfirmed run {run_id}: its cutover was 'applied'" in out
    assert f"from {backup}" in out
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
    assert hv("virsh list --name | sort") == legacy["running"]
    # reported once: the record moved into its backup
    assert record() == {}
    assert hv(f"cat {backup}/boot-recovery.reported").startswith("run=")
    assert sorted(unit_files().split()) == UNITS


def test_reboot_of_a_migrated_host_comes_back_clean_and_a_second_changes_nothing() -> None:
    lab("reboot", timeout=300)
    assert answers()
    assert hv("ovs-vsctl get bridge ovsbr0 datapath_type").strip() == "netdev"
    assert hv("ip -br -4 addr show dev vlan1234").split()[2] == "192.0.2.10/24"
    run = pyinfra(deploy="verify.py")
    assert run.returncode == 0, output_of(run)
    first = snapshot()
    first_ovs = parse_ovs_show(hv("ovs-vsctl show"))
    lab("reboot", timeout=300)
    assert answers()
    second = snapshot()
    for key in ("interfaces", "domains", "running", "xml", "backups"):
        assert second[key] == first[key], key
    # the same bridge, ports, tags (`show` lists ports in hash order: compare them parsed)
    assert parse_ovs_show(hv("ovs-vsctl show")) == first_ovs
    # the same links (a veth's peer index, `eth0@ifN`, changes with every boot)
    assert re.sub(r"@if\d+", "", second["links"]) == re.sub(r"@if\d+", "", first["links"])


def test_power_loss_with_running_guests_leaves_no_stale_port() -> None:
    hv("for d in vm-access vm-trunk vm-hybrid vm-multi; do virsh -q start $d; done")
    assert hv("ovs-vsctl list-ports ovsbr0 | grep -c vnet").strip() == "5"
    power_loss()
    assert answers()
    # libvirt's rows of the killed guests are gone; the admin's ports are all there
    assert hv("ovs-vsctl list-ports ovsbr0").split() == ["eth0", "vlan1234"]
    assert "could not open" not in hv("ovs-vsctl show")
    run = pyinfra(deploy="verify.py")
    assert run.returncode == 0, output_of(run)
    # the guests come back onto their VLANs
    hv("for d in vm-access vm-trunk vm-hybrid vm-multi; do virsh -q start $d; done")
    run = pyinfra(deploy="verify.py")
    assert run.returncode == 0, output_of(run)


def test_power_loss_right_after_confirmation_keeps_the_new_network(
    legacy: dict[str, str],
) -> None:
    run = pyinfra(deploy="rollback.py")
    assert run.returncode == 0, output_of(run)
    wait_until(answers, 30, "192.0.2.10 after the rollback")
    assert unit_files() == ""  # rollback removed what the migration installed
    before = backups()
    with deploy_in_background() as controller:
        wait_until(lambda: status(before) == "confirmed", 240, "the cutover to be confirmed")
        power_loss(controller)
    assert answers()
    assert record() == {}  # nothing to recover: the guard did nothing
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
    assert sorted(unit_files().split()) == UNITS
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    assert "rolled back" not in out
    # the guests died with the power (none is marked autostart), all are on OVS
    assert all("ovsbr0" in hv(f"virsh dumpxml --inactive {d}") for d in legacy["domains"].split())


def test_a_deploy_during_the_recovery_is_refused(legacy: dict[str, str]) -> None:
    run = pyinfra(deploy="rollback.py")
    assert run.returncode == 0, output_of(run)
    wait_until(answers, 30, "192.0.2.10 after the rollback")
    before = backups()
    with deploy_in_background():
        wait_until(lambda: status(before) == "applied", 180, "the cutover to apply")
        # the guard's test hook holds the recovery open after the old network is up
        hv(f"touch {VAR}/test-hold-recovery")
    booting = subprocess.Popen(
        [str(OVSLAB), "reboot", "--power-loss"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: record().get("state") == "recovering", 120, "the boot guard")
        wait_until(answers, 60, "the old network")
        wait_until(
            lambda: hv("systemctl is-active ssh", check=False).strip() == "active", 60, "ssh"
        )
        run = pyinfra()
        out = output_of(run)
        assert run.returncode != 0, out
        assert "the boot guard is rolling back the unconfirmed run" in out, out
        assert "wait until it finishes" in out, out
        assert "Traceback" not in out
    finally:
        hv(f"rm -f {VAR}/test-hold-recovery", check=False)
        booting.wait(timeout=300)
    assert_old_network_and_domains(legacy, "applied")
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    assert "the host rolled back the unconfirmed run" in out


def test_power_loss_while_domains_are_rewired_boots_the_old_domains(
    legacy: dict[str, str],
) -> None:
    run = pyinfra(deploy="rollback.py")
    assert run.returncode == 0, output_of(run)
    wait_until(answers, 30, "192.0.2.10 after the rollback")
    before = backups()
    newest = f"$(ls -d {VAR}/backups/* | tail -1)"
    with deploy_in_background() as controller:
        # this run's backup exists, domains stopped, the first one re-defined onto ovsbr0
        wait_until(lambda: backups() != before, 60, "the run's backup")
        wait_until(
            lambda: hv(f"ls {newest}/vm-*.xml 2>/dev/null", check=False).strip(),
            120,
            "the first domain to be rewired",
        )
        assert hv(f"test -e {newest}/cutover || echo no-cutover", check=False).strip()
        assert status(before) == ""
        power_loss(controller)
    assert_old_network_and_domains(legacy, "not started")
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    assert "its cutover had not started yet" in out, out
