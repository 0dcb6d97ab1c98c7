"""The gateway written with a prefix length."""

DATA = {"ovs_hv_mgmt_gateway": "192.0.2.1/24"}
EXPECT = [
    "ovs_hv_mgmt_gateway = '192.0.2.1/24'",
    "not an IPv4 address",
    "fix: write the IPv4 gateway without prefix",
]
