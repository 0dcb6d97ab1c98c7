"""Hyphens instead of underscores (as in interfaces(5) options)."""

DATA = {"ovs-hv-stop-timeout": 30}
EXPECT = ["ovs-hv-stop-timeout = 30", "unknown key", "did you mean ovs_hv_stop_timeout?"]
