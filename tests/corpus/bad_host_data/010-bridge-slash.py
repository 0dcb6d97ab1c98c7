"""A '/' can never be in an interface name (it is a path in /sys/class/net)."""

DATA = {"ovs_hv_bridge": "ovs/br0"}
EXPECT = ["ovs_hv_bridge = 'ovs/br0'", "has '/'", "fix: use 1-15 characters"]
