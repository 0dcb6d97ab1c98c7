"""Above the 1 hour maximum."""

DATA = {"ovs_hv_stop_timeout": 86400}
EXPECT = ["ovs_hv_stop_timeout = 86400", "above the maximum 3600", "fix:"]
