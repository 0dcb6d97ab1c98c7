"""A '.' in the management port breaks its sysctl key net.ipv6.conf.<port>."""

DATA = {"ovs_hv_mgmt_port": "mgmt.1234"}
EXPECT = ["ovs_hv_mgmt_port = 'mgmt.1234'", "has a '.'", "fix: use letters, digits"]
