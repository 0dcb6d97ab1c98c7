"""A negative timeout."""

DATA = {"ovs_hv_stop_timeout": -1}
EXPECT = [
    "ovs_hv_stop_timeout = -1",
    "below the minimum 1",
    "fix: use a whole number of seconds, 1-3600",
]
