"""Issue 11 point 2: reboot proven on a migrated Debian 12 host (systemd runs the boot unit).

After `systemctl reboot`: the management address answers over VLAN 1234 from the switch, the
bridge is on the kernel datapath, the autostarted nested guest's port carries its VLAN, IPv6
is on only where the data says, `lo` keeps ::1, and verify is clean with no manual step. A
second reboot changes nothing. Builds on test_1_fresh_host (hv1 migrated).
"""

from __future__ import annotations

import pytest

from tests.vm.vmctl import (
    BOND_HOST,
    GUEST,
    GUEST_VLAN,
    bond_members,
    changed_nothing,
    guest_port,
    network_state,
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
H = "hv1"


def wait_guest_running(h: str, domain: str) -> None:
    # autostart happens when libvirtd starts, which may come after SSH is up
    vm(
        h,
        f'for i in $(seq 120); do [ "$(virsh domstate {domain})" = running ] && exit 0; '
        "sleep 1; done; virsh domstate " + domain + "; exit 1",
        timeout=200,
    )


def check_after_boot(h: str) -> None:
    assert pings(h), f"{h}: management address does not answer from the switch"
    assert vm(h, "ovs-vsctl br-exists ovsbr0 && echo yes").strip() == "yes"
    assert "system@ovs-system" in vm(h, "ovs-dpctl show")
    assert ovs_port(h, "vlan1234")["tag"] == "1234"
    wait_guest_running(h, GUEST[h])
    assert ovs_port(h, guest_port(h, GUEST[h]))["tag"] == str(GUEST_VLAN)
    # IPv6: on the management port (SLAAC in the data), off on the uplink and the guest port
    assert vm(h, "sysctl -n net.ipv6.conf.vlan1234.disable_ipv6").strip() == "0"
    assert vm(h, "sysctl -n net.ipv6.conf.eth0.disable_ipv6").strip() == "1"
    assert "inet6 ::1/128" in vm(h, "ip -6 addr show dev lo"), "lo lost ::1"
    if h == BOND_HOST:
        # Shutdown's `ifdown -a` deleted the bond; the boot unit's ifup made it again.
        want = {"eth0": "enabled", "eth1": "enabled", "mode": "balance-slb"}
        assert bond_members(h) == want
        assert vm(h, "sysctl -n net.ipv6.conf.eth1.disable_ipv6").strip() == "1"
    verify_clean(h)


def reboot(h: str) -> None:
    run = vmlab("reboot", h, timeout=1200)
    seconds = seconds_to_ping(run.stderr, h)
    if seconds is not None:
        record_figure("reboot_power_on_to_mgmt_s", seconds)


def test_reboot_after_migration_comes_back_on_ovs(tier: None) -> None:
    assert vm(H, "systemctl is-enabled ovs-hypervisor-ifup.service").strip() == "enabled"
    reboot(H)
    check_after_boot(H)


def test_second_reboot_changes_nothing(tier: None) -> None:
    before = network_state(H)
    reboot(H)
    check_after_boot(H)
    assert network_state(H) == before
    run = pyinfra(limit=H)
    assert changed_nothing(run), output_of(run)
