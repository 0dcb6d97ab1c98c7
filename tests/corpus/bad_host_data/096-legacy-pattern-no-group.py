"""A pattern without the group that captures the VLAN."""

DATA = {"ovs_hv_legacy_bridge_pattern": "^bridge\\d+$"}
EXPECT = [
    "ovs_hv_legacy_bridge_pattern = '^bridge\\\\d+$'",
    "has 0 capturing groups",
    "fix: write a regular expression with one group",
]
