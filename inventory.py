"""The lab's inventory (lab/ovslab up): its hypervisors in the group `lab`, with the lab's
site values as that group's data.

Your own hosts: write an inventory like the README's ("Inventory and host data"); groups and
hosts carry ovs_hv_* data the pyinfra way.  Precedence (highest first): --data, the host's
tuple, host_data/<host>.py (written by discovery; read by the deploys), the groups, then
group_data/all.py, then the package defaults.
"""

import os

_LAB = os.environ.get("OVSLAB_DIR", "/tmp/ovslab")
_PREFIX = os.environ.get("OVSLAB_PREFIX", "ovslab")

lab = (
    [
        (
            f"{_PREFIX}-hv1",
            {
                "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
                "ovs_hv_domains": {
                    "vm-trunk": {"52:54:00:aa:bb:02": {"trunk": [1011, 1012]}},
                    "vm-hybrid": {"52:54:00:aa:bb:03": {"native": 101, "trunk": [102]}},
                },
            },
        ),
    ],
    {
        # Reach the lab through its switch namespace, over the management VLAN.
        "ssh_config_file": f"{_LAB}/ssh_config",
        # The lab's host key is new on every `lab/ovslab up`: keep it out of ~/.ssh.
        "ssh_known_hosts_file": "/dev/null",
        "ssh_strict_host_key_checking": "off",
        # The lab's management network.
        "ovs_hv_mgmt_vlan": 1234,
        "ovs_hv_mgmt_gateway": "192.0.2.1",
        "ovs_hv_mgmt_dns": ["192.0.2.53"],
        # The lab runs OVS in userspace (no openvswitch kernel module here).
        "ovs_hv_datapath_type": "netdev",
        # Lab guests power off on the ACPI power button within seconds, so the defaults hold
        # (wait up to 60 s, never destroy): a guest that hangs stops the run.
    },
)
