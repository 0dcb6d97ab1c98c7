"""Issue 11 point 3: a power loss at each stage of a cutover is safe, with no controller.

On hv2, from the seed's legacy network: the deploy runs and the VM's power is cut (its QEMU
killed, the controller killed at the same moment) when the VM reports, on its stage port, that
the cutover reached a stage. Power returns (a fresh QEMU), nobody touches the host, and then:

- cut while the files are replaced (the new file installed, `ifup` running), or after
  "applied" before the confirmation: the boot ends on the OLD network with the old domains
  (an unconfirmed cutover never survives a boot), reachable over VLAN 1234, backups intact;
- cut right after the confirmation: the boot ends on the NEW network;
- the next deploy reports what happened and converges.

The stages chain (the deploy after a recovery is the next stage's deploy); a stage whose host
is not back on its legacy network starts from a fresh disk instead. The protection itself is
the product's boot guard (installed before the first change of a run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.vm.vmctl import (
    DIR,
    GUEST,
    GUEST_VLAN,
    MGMT_IP,
    changed_nothing,
    deploy_with_power_cut,
    guest_port,
    output_of,
    ovs_port,
    pings,
    pyinfra,
    record_figure,
    seconds_to_ping,
    verify_clean,
    vm,
    vmlab,
)

pytestmark = [pytest.mark.vm, pytest.mark.timeout(2400)]
H = "hv2"
BACKUPS = "/var/lib/ovs-hypervisor/backups"
# What the next deploy says about a boot that rolled an unconfirmed cutover back.
RECOVERY_REPORT = re.compile(r"(?i)(rolled back|recover)")
STAGES = {
    # the new file is in place and ifup runs ("ifup" classic, "ifup: ..." fast cutover)
    "files": re.compile(r" log == \S+ ifup(:|$)"),
    "applied": re.compile(r"/cutover/status status applied$"),
    "confirmed": re.compile(r"/cutover/status status confirmed$"),
}


@pytest.fixture(scope="module")
def legacy_files(tier: None) -> Iterator[dict[str, str]]:
    """hv2 from a fresh disk (test_1 migrated it): the seed's legacy files, for comparison."""
    vmlab("reset", H, timeout=1200)
    yield {"interfaces": vm(H, "cat /etc/network/interfaces")}


def on_legacy_network(h: str) -> bool:
    if not pings(h):
        return False
    addrs = vm(h, "ip -br -4 addr show dev bridge1234 2>/dev/null || true", check=False)
    return MGMT_IP[h] in addrs


def ensure_legacy(h: str) -> None:
    if not on_legacy_network(h):
        print(f"{h} is not on its legacy network: starting it again from a fresh disk")
        vmlab("reset", h, timeout=1200)


def power_on(h: str, figure: str) -> None:
    """Power returns: a fresh QEMU on the same disk, and nothing else."""
    vmlab("start", h)
    run = vmlab("wait", h, check=False, timeout=900)
    seconds = seconds_to_ping(run.stderr, h)
    if seconds is not None:
        record_figure(figure, seconds)
    assert run.returncode == 0, (
        f"{h} is not reachable over VLAN 1234 after the power came back:\n{run.stderr}\n"
        f"console: {DIR / h / 'console.log'}"
    )


def wait_boot_settled(h: str) -> None:
    """Until systemd finished booting (the guard's late part runs after libvirtd)."""
    vm(h, "systemctl is-system-running --wait || true", timeout=600)


def latest_backup(h: str) -> str:
    return vm(h, f"ls -1d {BACKUPS}/*/ | sort | tail -n 1").strip()


def check_old_network(h: str, legacy: dict[str, str]) -> None:
    wait_boot_settled(h)
    assert on_legacy_network(h), f"{h}: the management address is not on the legacy bridge1234"
    assert vm(h, "cat /etc/network/interfaces") == legacy["interfaces"]
    assert "vlan protocol 802.1Q id 1234" in vm(h, "ip -d link show dev vlan1234")
    # the old domain, on its old bridge, running
    assert vm(h, f"virsh domstate {GUEST[h]}").strip() == "running"
    assert "<source bridge='bridge101'/>" in vm(h, f"virsh dumpxml {GUEST[h]}")
    # backups intact: the run's copy of the legacy file and of the domain
    backup = latest_backup(h)
    assert vm(h, f"cat {backup}interfaces") == legacy["interfaces"]
    assert "bridge101" in vm(h, f"cat {backup}{GUEST[h]}.xml")


def check_new_network(h: str) -> None:
    wait_boot_settled(h)
    assert MGMT_IP[h] in vm(h, "ip -br -4 addr show dev vlan1234")
    assert ovs_port(h, "vlan1234")["tag"] == "1234"
    assert "system@ovs-system" in vm(h, "ovs-dpctl show")
    assert vm(h, f"virsh domstate {GUEST[h]}").strip() == "running"
    assert ovs_port(h, guest_port(h, GUEST[h]))["tag"] == str(GUEST_VLAN)


def test_power_loss_while_files_are_replaced(legacy_files: dict[str, str]) -> None:
    ensure_legacy(H)
    cut = deploy_with_power_cut(H, STAGES["files"])
    print(f"power cut at: {cut.stage}")
    power_on(H, "power_loss_files_power_on_to_mgmt_s")
    check_old_network(H, legacy_files)


def test_power_loss_after_applied_before_confirmation(legacy_files: dict[str, str]) -> None:
    ensure_legacy(H)
    recovered_before = vm(H, f"ls {BACKUPS}/*/cutover/status 2>/dev/null | wc -l").strip() != "0"
    cut = deploy_with_power_cut(H, STAGES["applied"])
    print(f"power cut at: {cut.stage}")
    if recovered_before:
        # this deploy came after a recovery: it must have said so
        assert RECOVERY_REPORT.search(cut.output), cut.output
    power_on(H, "power_loss_applied_power_on_to_mgmt_s")
    check_old_network(H, legacy_files)


def test_power_loss_right_after_confirmation(legacy_files: dict[str, str]) -> None:
    ensure_legacy(H)
    cut = deploy_with_power_cut(H, STAGES["confirmed"])
    print(f"power cut at: {cut.stage}")
    power_on(H, "power_loss_confirmed_power_on_to_mgmt_s")
    check_new_network(H)


def test_next_deploy_converges_after_power_losses(legacy_files: dict[str, str]) -> None:
    run = pyinfra(limit=H)
    assert run.returncode == 0, output_of(run)
    check_new_network(H)
    verify_clean(H)
    again = pyinfra(limit=H)
    assert changed_nothing(again), output_of(again)
