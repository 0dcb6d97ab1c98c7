"""Issue 11 point 5: live migration between migrated hosts.

The VLAN config lives in the nested guest's XML and moves with it: guest1 live-migrates from
hv1 to hv2 (both migrated onto OVS by test_1_fresh_host) and its port on hv2 carries the same
VLAN; verify is clean on both. It then migrates back, so that the reboot tests find it home.
"""

from __future__ import annotations

import pytest

from tests.vm.vmctl import GUEST, GUEST_VLAN, MGMT_IP, guest_port, ovs_port, verify_clean, vm

pytestmark = [pytest.mark.vm, pytest.mark.timeout(1800)]


def migrate(domain: str, src: str, dst: str) -> None:
    autostart = "Autostart:      enable" in vm(src, f"virsh dominfo {domain}")
    vm(
        src,
        f"virsh migrate --live --persistent --undefinesource --verbose {domain} "
        f"qemu+ssh://{MGMT_IP[dst]}/system --migrateuri tcp://{MGMT_IP[dst]}",
        timeout=600,
    )
    if autostart:  # libvirt does not migrate the autostart flag; an operator sets it again
        vm(dst, f"virsh autostart {domain}")


def test_guest_keeps_its_vlan_across_a_live_migration(tier: None) -> None:
    guest = GUEST["hv1"]
    assert vm("hv1", "ovs-vsctl br-exists ovsbr0 && echo yes").strip() == "yes"
    assert vm("hv2", "ovs-vsctl br-exists ovsbr0 && echo yes").strip() == "yes"
    migrate(guest, "hv1", "hv2")
    try:
        assert vm("hv2", f"virsh domstate {guest}").strip() == "running"
        assert guest not in vm("hv1", "virsh list --all --name").split()
        assert ovs_port("hv2", guest_port("hv2", guest))["tag"] == str(GUEST_VLAN)
        assert f"<tag id='{GUEST_VLAN}'/>" in vm("hv2", f"virsh dumpxml {guest}")
        verify_clean("hv1")
        verify_clean("hv2")
    finally:
        migrate(guest, "hv2", "hv1")
    assert ovs_port("hv1", guest_port("hv1", guest))["tag"] == str(GUEST_VLAN)
    verify_clean("hv1")
    verify_clean("hv2")
