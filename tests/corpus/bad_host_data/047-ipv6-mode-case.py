"""Modes are lower case."""

DATA = {"ovs_hv_mgmt_ipv6": "SLAAC"}
EXPECT = ["ovs_hv_mgmt_ipv6 = 'SLAAC'", "is not one of", "fix:"]
