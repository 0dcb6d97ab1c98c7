"""An octet above 255."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.300/24"}
EXPECT = ["ovs_hv_mgmt_ipv4 = '192.0.2.300/24'", "not an IPv4 address/prefix", "fix:"]
