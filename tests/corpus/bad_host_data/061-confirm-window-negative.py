"""A negative rollback window."""

DATA = {"ovs_hv_confirm_window": -30}
EXPECT = [
    "ovs_hv_confirm_window = -30",
    "below the minimum 15",
    "fix: use a whole number of seconds, 15-3600",
]
