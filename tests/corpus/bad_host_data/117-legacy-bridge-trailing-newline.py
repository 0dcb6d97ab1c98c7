"""A legacy bridge name with a trailing newline."""

DATA = {"ovs_hv_legacy_bridges": {"br-dmz\n": 77}}
EXPECT = [
    "ovs_hv_legacy_bridges key 'br-dmz\\n' = 77",
    "has '\\n'",
    "fix: use 1-15 characters",
]
