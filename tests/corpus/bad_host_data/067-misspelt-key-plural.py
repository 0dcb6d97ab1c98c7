"""A misspelt key (plural)."""

DATA = {"ovs_hv_mgmt_vlans": 1234}
EXPECT = ["ovs_hv_mgmt_vlans = 1234", "unknown key", "did you mean ovs_hv_mgmt_vlan?"]
