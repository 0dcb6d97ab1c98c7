"""A management port called 'all' would enable IPv6 on every interface."""

DATA = {"ovs_hv_mgmt_port": "all"}
EXPECT = [
    "ovs_hv_mgmt_port = 'all'",
    "reserved by Linux",
    "fix: choose another management port name",
]
