"""Unsupported datapath type."""

DATA = {"ovs_hv_datapath_type": "dpdk"}
EXPECT = [
    "ovs_hv_datapath_type = 'dpdk'",
    "is not one of 'system' or 'netdev'",
    "fix: use 'system' (kernel datapath) or 'netdev'",
]
