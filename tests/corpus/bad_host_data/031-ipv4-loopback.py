"""A loopback address as management address."""

DATA = {"ovs_hv_mgmt_ipv4": "127.0.0.2/8", "ovs_hv_mgmt_gateway": None}
EXPECT = ["ovs_hv_mgmt_ipv4 = '127.0.0.2/8'", "loopback address", "fix:"]
