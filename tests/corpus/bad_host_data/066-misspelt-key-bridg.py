"""A misspelt key."""

DATA = {"ovs_hv_bridg": "ovsbr1"}
EXPECT = ["ovs_hv_bridg = 'ovsbr1'", "unknown key", "did you mean ovs_hv_bridge?"]
