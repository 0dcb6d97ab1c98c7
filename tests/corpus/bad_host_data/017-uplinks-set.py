"""A set has no order; bond members must be listed in a fixed order."""

DATA = {"ovs_hv_uplinks": {"eth0"}}
EXPECT = ["ovs_hv_uplinks = {'eth0'}", "is a set, not a list", "fix: write a list of NIC names"]
