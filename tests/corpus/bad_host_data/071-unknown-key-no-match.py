"""A key with our prefix that resembles nothing."""

DATA = {"ovs_hv_zzzzzz": 1}
EXPECT = ["ovs_hv_zzzzzz = 1", "unknown key", "fix: see the README"]
