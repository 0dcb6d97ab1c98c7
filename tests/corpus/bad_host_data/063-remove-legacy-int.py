"""1 is not a boolean here."""

DATA = {"ovs_hv_remove_legacy": 1}
EXPECT = ["ovs_hv_remove_legacy = 1", "is an int, not True or False", "fix:"]
