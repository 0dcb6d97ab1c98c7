"""Prefix longer than 32."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.10/33"}
EXPECT = ["ovs_hv_mgmt_ipv4 = '192.0.2.10/33'", "not a valid netmask", "fix:"]
