"""Static IPv6 without an address."""

DATA = {"ovs_hv_mgmt_ipv6": "static"}
EXPECT = [
    "ovs_hv_mgmt_ipv6 = 'static'",
    "needs ovs_hv_mgmt_ipv6_address, which is not set",
    "fix: set ovs_hv_mgmt_ipv6_address",
]
