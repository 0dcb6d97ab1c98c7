"""Empty bond options would render 'ovs_options' with no value, which ifupdown rejects."""

DATA = {"ovs_hv_uplinks": ["eth0", "eth1"], "ovs_hv_bond_options": ""}
EXPECT = ["ovs_hv_bond_options = ''", "is empty", "fix:"]
