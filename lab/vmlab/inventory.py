"""Inventory of the real-machine tier (lab/vmlab/vmlab up): hv1 and hv2, full Debian 12 VMs.

    pyinfra lab/vmlab/inventory.py deploy.py                      # as root
    pyinfra lab/vmlab/inventory.py deploy.py --user deploy --sudo  # as the sudo user

Every key the deploy needs is set here (nothing is taken from group_data/ defaults other
than `all.py`'s): the tier's data must not change when the product's defaults move.  The
prefix of the host names (VMLAB_PREFIX) and the state dir (VMLAB_DIR) follow the tier's.
"""

import os
from pathlib import Path

_DIR = os.environ.get("VMLAB_DIR", "/tmp/vmlab")
_PREFIX = os.environ.get("VMLAB_PREFIX", "vmlab")


def _nics(name: str) -> int:
    """How many uplink NICs `vmlab up` gave the VM (VMLAB_BOND_HOSTS: two)."""
    try:
        return int(Path(_DIR, name, "nics").read_text())
    except (OSError, ValueError):
        return 1


def _host(name: str, number: int) -> tuple[str, dict[str, object]]:
    # A VM with two uplink NICs migrates onto an OVSBond of both.
    bonded = _nics(name) == 2
    return (
        f"{_PREFIX}-{name}",
        {
            # Reach the VM through the switch namespace, over the management VLAN 1234.
            "ssh_config_file": f"{_DIR}/ssh_config",
            # Host keys are new on every `vmlab up`: keep them out of ~/.ssh.
            "ssh_known_hosts_file": "/dev/null",
            "ssh_strict_host_key_checking": "off",
            "ovs_hv_bridge": "ovsbr0",
            "ovs_hv_datapath_type": "system",  # the kernel datapath, for real
            "ovs_hv_uplinks": ["eth0", "eth1"] if bonded else ["eth0"],
            "ovs_hv_bond_name": "bond0",
            # (pyinfra ... --data ovs_hv_bond_options=bond_mode=active-backup: another mode)
            "ovs_hv_bond_options": "bond_mode=balance-slb",
            "ovs_hv_mgmt_vlan": 1234,
            "ovs_hv_mgmt_port": "vlan1234",
            "ovs_hv_mgmt_ipv4": f"192.0.2.{9 + number}/24",
            "ovs_hv_mgmt_gateway": "192.0.2.1",
            "ovs_hv_mgmt_dns": ["192.0.2.53"],
            "ovs_hv_mgmt_ipv6": "slaac",
            "ovs_hv_disable_ipv6_elsewhere": True,
            # The nested guest guestN sits on bridge101: the pattern maps it to access 101.
            "ovs_hv_domains": {},
            "ovs_hv_legacy_bridge_pattern": r"^bridge(\d+)$",
            "ovs_hv_legacy_bridges": {},
            "ovs_hv_legacy_trunk_bridges": [],
            "ovs_hv_remove_legacy": True,
            "ovs_hv_extra_interfaces": "",
            # Nested guests have no OS (no ACPI handler): wait briefly, then destroy.
            "ovs_hv_stop_timeout": 5,
            "ovs_hv_destroy_on_timeout": True,
            # Emulated hosts are slow (a cutover takes ~15 s under TCG): a roomy window.
            "ovs_hv_confirm_window": 180,
            "ovs_hv_libvirt_uri": "qemu:///system",
            "ovs_hv_packages": [
                "openvswitch-common",
                "openvswitch-switch",
                "ifupdown",
                "python3-libvirt",
            ],
        },
    )


hypervisors = [
    _host(name, number)
    for name, number in (("hv1", 1), ("hv2", 2))
    if name in os.environ.get("VMLAB_HOSTS", "hv1 hv2").split()
]
