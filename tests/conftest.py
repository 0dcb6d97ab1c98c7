"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

LAB_DATA = {
    "ovs_hv_mgmt_vlan": 1234,
    "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
    "ovs_hv_mgmt_gateway": "192.0.2.1",
    "ovs_hv_mgmt_dns": ["192.0.2.53"],
    "ovs_hv_datapath_type": "netdev",
}


# The lab after its migration, as recorded (tests/data/lab-after), and the host data it was
# migrated with.
LAB_AFTER = DATA / "lab-after"
LAB_AFTER_DATA = {
    **LAB_DATA,
    "ovs_hv_domains": {
        "vm-trunk": {"52:54:00:aa:bb:02": {"trunk": [1011, 1012]}},
        "vm-hybrid": {"52:54:00:aa:bb:03": {"native": 101, "trunk": [102]}},
    },
}
