"""A legacy bridge name that cannot exist."""

DATA = {"ovs_hv_legacy_bridges": {"br/dmz": 77}}
EXPECT = ["ovs_hv_legacy_bridges key 'br/dmz' = 77", "has '/'", "fix:"]
