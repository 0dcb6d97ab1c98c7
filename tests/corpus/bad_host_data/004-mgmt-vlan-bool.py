"""True is an int in Python; it must not pass as VLAN 1."""

DATA = {"ovs_hv_mgmt_vlan": True}
EXPECT = ["ovs_hv_mgmt_vlan = True", "is a bool, not an integer", "fix:"]
