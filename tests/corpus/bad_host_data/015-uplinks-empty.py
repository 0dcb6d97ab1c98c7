"""No uplink at all."""

DATA = {"ovs_hv_uplinks": []}
EXPECT = ["ovs_hv_uplinks = []", "the list is empty", "fix: name at least one uplink"]
