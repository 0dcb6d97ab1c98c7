"""VLAN 4095 is reserved by 802.1Q."""

DATA = {"ovs_hv_mgmt_vlan": 4095}
EXPECT = ["ovs_hv_mgmt_vlan = 4095", "above the maximum 4094", "1-4094"]
