"""Static IPv6 address without prefix length."""

DATA = {"ovs_hv_mgmt_ipv6": "static", "ovs_hv_mgmt_ipv6_address": "2001:db8::10"}
EXPECT = ["ovs_hv_mgmt_ipv6_address = '2001:db8::10'", "has no prefix length", "fix:"]
