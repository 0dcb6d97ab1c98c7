"""A timeout written as a string."""

DATA = {"ovs_hv_stop_timeout": "60"}
EXPECT = ["ovs_hv_stop_timeout = '60'", "is a str, not an integer", "fix:"]
