"""Issue 11 point 7: bonded uplinks, for real.

hv1 has two uplink NICs (eth0, eth1), both trunk ports of the tier's switch; test_1 migrated
it onto the OVSBond bond0 (balance-slb, the kernel datapath) and test_3 rebooted it twice.
Here: the management address survives either member's cable being pulled (QMP set_link: the
VM sees carrier loss), a power loss (OVSDB keeps the bond, and Debian's hook adds bonds
without --may-exist), verify names a missing member and a re-run puts it back, and another
bond mode from the data is applied live and holds with a member down.
"""

from __future__ import annotations

import time

import pytest

from tests.vm.vmctl import (
    BOND_HOST,
    GUEST,
    GUEST_VLAN,
    bond_members,
    changed_nothing,
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

pytestmark = [pytest.mark.vm, pytest.mark.timeout(1800)]
H = BOND_HOST
BOTH_UP = {"eth0": "enabled", "eth1": "enabled"}


def wait_members(want: dict[str, str], timeout: float = 60) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        have = bond_members(H)
        if all(have.get(k) == v for k, v in want.items()) or time.monotonic() > deadline:
            return have
        time.sleep(1)


def answers_steadily(seconds: float = 60, in_a_row: int = 5) -> float | None:
    """Seconds until the management address answered `in_a_row` pings in a row; None if it
    did not within `seconds`."""
    start = time.monotonic()
    streak = 0
    while time.monotonic() - start < seconds:
        streak = streak + 1 if pings(H) else 0
        if streak >= in_a_row:
            return time.monotonic() - start
    return None


def test_the_bond_carries_the_host(tier: None) -> None:
    assert bond_members(H) == {**BOTH_UP, "mode": "balance-slb"}
    assert "system@ovs-system" in vm(H, "ovs-dpctl show")
    ifaces = ["eth0", "eth1", "vlan1234", guest_port(H, GUEST[H])]
    assert vm(H, "ovs-vsctl list-ifaces ovsbr0").split() == sorted(ifaces)
    assert pings(H)


@pytest.mark.parametrize("nic", [0, 1])
def test_either_member_down_keeps_the_management_address(tier: None, nic: int) -> None:
    vmlab("link", H, str(nic), "down")
    try:
        took = answers_steadily()
        assert took is not None, f"{H}: no management address with eth{nic} down"
        record_figure(f"bond_eth{nic}_down_to_steady_mgmt_s", round(took, 1))
        assert wait_members({f"eth{nic}": "disabled"})[f"eth{nic}"] == "disabled"
        assert ovs_port(H, guest_port(H, GUEST[H]))["tag"] == str(GUEST_VLAN)
    finally:
        vmlab("link", H, str(nic), "up")
    assert wait_members(BOTH_UP).items() >= BOTH_UP.items()
    assert answers_steadily() is not None


def test_a_power_loss_keeps_the_bond(tier: None) -> None:
    # OVSDB keeps bond0 across a power loss (no shutdown `ifdown -a` deleted it), and the
    # hook's add-bond has no --may-exist: the boot must still raise the bond and its members.
    vmlab("poweroff-hard", H)
    vmlab("start", H)
    run = vmlab("wait", H, timeout=1200)
    seconds = seconds_to_ping(run.stderr, H)
    if seconds is not None:
        record_figure("bond_power_loss_power_on_to_mgmt_s", seconds)
    assert wait_members(BOTH_UP, timeout=120) == {**BOTH_UP, "mode": "balance-slb"}
    states = vm(H, "ip -br link show dev eth0; ip -br link show dev eth1")
    assert states.count(" UP ") == 2, states
    assert "bond0" in vm(H, "ifquery --state"), "ifupdown does not record the bond as up"
    verify_clean(H)


def test_verify_names_a_missing_member_and_a_rerun_puts_it_back(tier: None) -> None:
    vm(H, "ovs-vsctl del-bond-iface bond0 eth1")
    run = pyinfra("--dry", deploy="verify.py", limit=H, timeout=600)
    out = output_of(run)
    assert run.returncode != 0, out
    assert "bond bond0: bond member missing: expected member eth1, found eth0" in out, out
    run = pyinfra(limit=H)
    assert run.returncode == 0, output_of(run)
    assert wait_members(BOTH_UP) == {**BOTH_UP, "mode": "balance-slb"}
    verify_clean(H)


def test_another_bond_mode_from_the_data_is_applied_live(tier: None) -> None:
    data = ("--data", "ovs_hv_bond_options=bond_mode=active-backup")
    run = pyinfra(*data, limit=H)
    assert run.returncode == 0, output_of(run)
    assert wait_members(BOTH_UP)["mode"] == "active-backup"
    assert "ovs_options bond_mode=active-backup" in vm(H, "cat /etc/network/interfaces")
    active = vm(H, "ovs-appctl bond/show bond0 | sed -n 's/.*active member mac.*(\\(.*\\))/\\1/p'")
    nic = int(active.strip()[-1]) if active.strip() else 0
    vmlab("link", H, str(nic), "down")  # the active member: the backup takes over
    try:
        took = answers_steadily()
        assert took is not None, f"{H}: no management address with its active member down"
        record_figure("bond_active_backup_failover_to_steady_mgmt_s", round(took, 1))
    finally:
        vmlab("link", H, str(nic), "up")
    assert wait_members(BOTH_UP)["mode"] == "active-backup"
    run = pyinfra(*data, limit=H)
    assert changed_nothing(run), output_of(run)
    run = pyinfra("--dry", *data, deploy="verify.py", limit=H, timeout=600)
    assert run.returncode == 0, output_of(run)
