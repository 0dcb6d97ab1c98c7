"""Issue 11 point 4: a fresh Debian 12 host for real.

The VMs have never had Open vSwitch: the deploy, run as the sudo user `deploy`, installs it
from the tier's repository, migrates both hosts, and their nested guests are back on their
VLAN -- on the kernel datapath, over real 802.1Q. Later tests in tests/vm build on this state.
"""

from __future__ import annotations

import pytest

from tests.vm.vmctl import (
    GUEST,
    GUEST_VLAN,
    MGMT_IP,
    changed_nothing,
    guest_port,
    output_of,
    ovs_port,
    pings,
    pyinfra,
    verify_clean,
    vm,
)

pytestmark = [pytest.mark.vm, pytest.mark.timeout(3600)]
HOSTS = ("hv1", "hv2")


def test_legacy_hosts_have_no_openvswitch(tier: None) -> None:
    for h in HOSTS:
        assert vm(h, "dpkg-query -W -f '${Status}' openvswitch-switch 2>/dev/null || true") in (
            "",
            "unknown ok not-installed",
        ), f"{h} already has Open vSwitch"
        assert "192.0.2." in vm(h, "ip -br -4 addr show dev bridge1234")
        # real 802.1Q: vlan1234 is an 8021q device on eth0, enslaved to bridge1234
        assert "vlan protocol 802.1Q id 1234" in vm(h, "ip -d link show dev vlan1234")
        assert "master bridge1234" in vm(h, "ip link show dev vlan1234")
        assert vm(h, "virsh domiflist " + GUEST[h]).split().count("bridge101") == 1
        # the sudo user works the way pyinfra --sudo uses it
        assert vm(h, "sudo -n id -u", user="deploy").strip() == "0"


def test_a_user_without_sudo_is_refused_before_any_change(tier: None) -> None:
    h = "hv1"
    vm(
        h,
        "id nosudo >/dev/null 2>&1 || useradd -m -s /bin/sh nosudo; "
        "install -d -o nosudo -m 700 ~nosudo/.ssh; "
        "install -o nosudo -m 600 /root/.ssh/authorized_keys ~nosudo/.ssh/",
    )
    # (ls exits 2 while the deploy's state directory does not exist: the listing is the point)
    state = (
        "cat /etc/network/interfaces; ls -R /var/lib/ovs-hypervisor /etc/systemd/system 2>&1; true"
    )
    before = vm(h, state)
    run = pyinfra("--user", "nosudo", "--sudo", limit=h)
    out = output_of(run)
    assert run.returncode != 0, out
    assert "--sudo cannot run commands as root for nosudo" in out and "NOPASSWD" in out, out
    assert "Traceback" not in out, out
    assert vm(h, state) == before


def test_1_fresh_hosts_migrate_over_the_sudo_user(tier: None) -> None:
    run = pyinfra("--user", "deploy", "--sudo")
    out = output_of(run)
    assert run.returncode == 0, out
    for h in HOSTS:
        # installed from the tier's repository, not preinstalled
        policy = vm(h, "apt-cache policy openvswitch-switch")
        assert "192.0.2.1:8080" in policy, policy
        assert "Installed: (none)" not in policy, policy
        # the kernel datapath: the bridge is a datapath of the openvswitch module
        assert vm(h, "ovs-vsctl get bridge ovsbr0 datapath_type").strip() in ('""', "system")
        assert "system@ovs-system" in vm(h, "ovs-dpctl show")
        assert vm(h, "lsmod | grep -c '^openvswitch '").strip() == "1"
        assert MGMT_IP[h] in vm(h, "ip -br -4 addr show dev vlan1234")
        assert ovs_port(h, "vlan1234")["tag"] == "1234"
        assert pings(h)
        # the nested guest is back on its VLAN
        assert vm(h, "virsh domstate " + GUEST[h]).strip() == "running"
        assert ovs_port(h, guest_port(h, GUEST[h]))["tag"] == str(GUEST_VLAN)
        # nothing legacy left
        links = vm(h, "ip -br link | awk '{print $1}'").split()
        assert not [x for x in links if x.startswith("bridge")], links


def test_verify_is_clean_and_a_rerun_changes_nothing(tier: None) -> None:
    for h in HOSTS:
        verify_clean(h)
    run = pyinfra("--user", "deploy", "--sudo")
    assert changed_nothing(run), output_of(run)
