"""The uplink NIC named like the OVS bridge."""

DATA = {"ovs_hv_uplinks": ["ovsbr0"]}
EXPECT = ["ovs_hv_uplinks = ['ovsbr0']", "'ovsbr0' is also the bridge (ovs_hv_bridge)", "fix:"]
