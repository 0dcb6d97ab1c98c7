"""The string 'false' is truthy in Python."""

DATA = {"ovs_hv_disable_ipv6_elsewhere": "false"}
EXPECT = ["ovs_hv_disable_ipv6_elsewhere = 'false'", "not True or False", "fix:"]
