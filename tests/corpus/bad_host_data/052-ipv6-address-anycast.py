"""Host bits all zero: the subnet-router anycast address."""

DATA = {"ovs_hv_mgmt_ipv6": "static", "ovs_hv_mgmt_ipv6_address": "2001:db8:0:1::/64"}
EXPECT = [
    "ovs_hv_mgmt_ipv6_address = '2001:db8:0:1::/64'",
    "subnet-router anycast address",
    "fix: use a host address such as 2001:db8:0:1::1/64",
]
