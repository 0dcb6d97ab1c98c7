"""An upper-case key (environment-variable habit)."""

DATA = {"OVS_HV_BRIDGE": "ovsbr1"}
EXPECT = ["OVS_HV_BRIDGE = 'ovsbr1'", "unknown key", "did you mean ovs_hv_bridge?"]
