"""A typo in the prefix itself."""

DATA = {"ovs_hb_stop_timeout": 30}
EXPECT = ["ovs_hb_stop_timeout = 30", "unknown key", "did you mean ovs_hv_stop_timeout?"]
