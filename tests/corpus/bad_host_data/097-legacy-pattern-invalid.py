"""Not a regular expression."""

DATA = {"ovs_hv_legacy_bridge_pattern": "^bridge(\\d+$"}
EXPECT = [
    "ovs_hv_legacy_bridge_pattern = ",
    "is not a regular expression (missing ), unterminated subpattern",
    "fix:",
]
