"""VLAN 0 is priority tagging, not a VLAN."""

DATA = {"ovs_hv_mgmt_vlan": 0}
EXPECT = ["ovs_hv_mgmt_vlan = 0", "below the minimum 1", "1-4094"]
