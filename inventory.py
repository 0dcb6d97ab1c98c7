"""Hosts and groups.  By default: the built-in lab hypervisor (lab/ovslab up).

Data precedence (highest first): --data, the host's tuple below, host_data/<host>.py (e.g.
written by discovery), group_data/<group>.py, group_data/all.py.
"""

import os
import runpy
from pathlib import Path

_LAB = os.environ.get("OVSLAB_DIR", "/tmp/ovslab")
_PREFIX = os.environ.get("OVSLAB_PREFIX", "ovslab")
# OVS_HV_HOST_DATA: another host_data directory (tests write discovered data to a temp dir).
_HOST_DATA = Path(
    os.environ.get("OVS_HV_HOST_DATA") or Path(__file__).resolve().parent / "host_data"
)


def host(name: str, data: dict) -> tuple:
    """A host entry: host_data/<name>.py (module-level ovs_hv_* names) under the tuple's data."""
    path = _HOST_DATA / f"{name}.py"
    found = {}
    if path.exists():
        found = {k: v for k, v in runpy.run_path(str(path)).items() if k.startswith("ovs_hv_")}
    return (name, {**found, **data})


hypervisors = [
    host(
        f"{_PREFIX}-hv1",
        {
            # Reach the lab through its switch namespace, over the management VLAN.
            "ssh_config_file": f"{_LAB}/ssh_config",
            # The lab's host key is new on every `lab/ovslab up`: keep it out of ~/.ssh.
            "ssh_known_hosts_file": "/dev/null",
            "ssh_strict_host_key_checking": "off",
            "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
            # The lab runs OVS in userspace (no openvswitch kernel module here).
            "ovs_hv_datapath_type": "netdev",
            # Lab guests power off on the ACPI power button within seconds, so the defaults
            # hold (wait up to 60 s, never destroy): a guest that hangs stops the run.
            "ovs_hv_domains": {
                "vm-trunk": {"52:54:00:aa:bb:02": {"trunk": [1011, 1012]}},
                "vm-hybrid": {"52:54:00:aa:bb:03": {"native": 101, "trunk": [102]}},
            },
        },
    ),
]
