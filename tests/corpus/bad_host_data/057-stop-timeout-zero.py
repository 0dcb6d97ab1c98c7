"""Zero would destroy (or fail) every domain at once."""

DATA = {"ovs_hv_stop_timeout": 0}
EXPECT = ["ovs_hv_stop_timeout = 0", "below the minimum 1", "fix:"]
