"""An IPv6 address while the mode is SLAAC: it would be ignored."""

DATA = {"ovs_hv_mgmt_ipv6_address": "2001:db8::10/64"}
EXPECT = [
    "ovs_hv_mgmt_ipv6_address = '2001:db8::10/64'",
    "only used with ovs_hv_mgmt_ipv6 = 'static' (it is 'slaac')",
    "fix: set ovs_hv_mgmt_ipv6 = 'static'",
]
