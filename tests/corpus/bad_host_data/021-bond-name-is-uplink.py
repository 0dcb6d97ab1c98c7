"""The bond's port named like one of its members."""

DATA = {"ovs_hv_uplinks": ["eth0", "eth1"], "ovs_hv_bond_name": "eth1"}
EXPECT = ["ovs_hv_uplinks = ['eth0', 'eth1']", "'eth1' is also the bond (ovs_hv_bond_name)", "fix:"]
