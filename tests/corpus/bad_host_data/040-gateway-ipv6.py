"""An IPv6 gateway in the IPv4 key."""

DATA = {"ovs_hv_mgmt_gateway": "fe80::1"}
EXPECT = ["ovs_hv_mgmt_gateway = 'fe80::1'", "not an IPv4 address", "fix:"]
