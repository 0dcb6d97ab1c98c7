"""Seconds with a fraction."""

DATA = {"ovs_hv_stop_timeout": 2.5}
EXPECT = ["ovs_hv_stop_timeout = 2.5", "is a float, not an integer", "fix:"]
