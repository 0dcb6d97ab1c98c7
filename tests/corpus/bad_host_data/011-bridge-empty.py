"""An empty bridge name."""

DATA = {"ovs_hv_bridge": ""}
EXPECT = ["ovs_hv_bridge = ''", "empty bridge name", "fix:"]
