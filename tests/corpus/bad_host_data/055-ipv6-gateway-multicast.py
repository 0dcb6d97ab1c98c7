"""A multicast IPv6 gateway."""

DATA = {
    "ovs_hv_mgmt_ipv6": "static",
    "ovs_hv_mgmt_ipv6_address": "2001:db8::10/64",
    "ovs_hv_mgmt_ipv6_gateway": "ff02::2",
}
EXPECT = ["ovs_hv_mgmt_ipv6_gateway = 'ff02::2'", "cannot be a gateway", "fix:"]
