"""An IPv4 address in the IPv6 key."""

DATA = {"ovs_hv_mgmt_ipv6": "static", "ovs_hv_mgmt_ipv6_address": "192.0.2.10/24"}
EXPECT = ["ovs_hv_mgmt_ipv6_address = '192.0.2.10/24'", "not an IPv6 address/prefix", "fix:"]
