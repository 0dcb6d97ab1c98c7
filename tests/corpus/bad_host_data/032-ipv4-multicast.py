"""A multicast address as management address."""

DATA = {"ovs_hv_mgmt_ipv4": "224.0.0.10/24", "ovs_hv_mgmt_gateway": None}
EXPECT = ["ovs_hv_mgmt_ipv4 = '224.0.0.10/24'", "multicast address", "fix:"]
