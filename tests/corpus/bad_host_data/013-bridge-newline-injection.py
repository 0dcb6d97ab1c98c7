"""A newline would inject stanzas into /etc/network/interfaces."""

DATA = {"ovs_hv_bridge": "ovsbr0\nauto eth1"}
EXPECT = ["ovs_hv_bridge = 'ovsbr0\\nauto eth1'", "control character", "fix:"]
