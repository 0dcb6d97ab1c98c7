"""Explicit management port name equal to the uplink."""

DATA = {"ovs_hv_mgmt_port": "eth0"}
EXPECT = [
    "ovs_hv_uplinks = ['eth0']",
    "'eth0' is also the management port (ovs_hv_mgmt_port)",
    "fix:",
]
