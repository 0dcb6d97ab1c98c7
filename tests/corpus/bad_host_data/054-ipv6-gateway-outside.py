"""A global IPv6 gateway outside the host's subnet."""

DATA = {
    "ovs_hv_mgmt_ipv6": "static",
    "ovs_hv_mgmt_ipv6_address": "2001:db8::10/64",
    "ovs_hv_mgmt_ipv6_gateway": "2001:db8:1::1",
}
EXPECT = [
    "ovs_hv_mgmt_ipv6_gateway = '2001:db8:1::1'",
    "neither link-local (fe80::/10) nor inside 2001:db8::/64",
    "fix:",
]
