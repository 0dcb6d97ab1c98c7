"""A domain given by its numeric id."""

DATA = {"ovs_hv_domains": {3: {"52:54:00:aa:bb:01": {"vlan": 5}}}}
EXPECT = [
    "ovs_hv_domains key = 3",
    "is an int, not a string",
    "fix: write names and MACs as quoted strings",
]
