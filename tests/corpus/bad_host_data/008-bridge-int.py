"""Bridge name of the wrong type."""

DATA = {"ovs_hv_bridge": 0}
EXPECT = ["ovs_hv_bridge = 0", "is an int, not a string", "fix: write the bridge name as a string"]
