"""No uplink at all."""

DATA: dict[str, object] = {"ovs_hv_uplinks": []}
EXPECT = ["ovs_hv_uplinks = []", "the list is empty", "fix: name at least one uplink"]
