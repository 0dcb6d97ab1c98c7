"""A float VLAN id."""

DATA = {"ovs_hv_mgmt_vlan": 10.0}
EXPECT = ["ovs_hv_mgmt_vlan = 10.0", "is a float, not an integer", "fix:"]
