"""A single uplink given as a string instead of a list (e.g. --data ovs_hv_uplinks=eth1)."""

DATA = {"ovs_hv_uplinks": "eth1"}
EXPECT = ["ovs_hv_uplinks = 'eth1'", "is a str, not a list", "--data 'ovs_hv_uplinks=[\"eth1\"]'"]
