"""A longer prefix leaves the old gateway outside."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.200/26"}
EXPECT = [
    "ovs_hv_mgmt_gateway = '192.0.2.1'",
    "outside the management subnet 192.0.2.192/26",
    "ovs_hv_mgmt_ipv4 = '192.0.2.200/26'",
]
