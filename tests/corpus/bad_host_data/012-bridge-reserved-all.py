"""'all' is a sysctl directory (net.ipv6.conf.all), not a usable name."""

DATA = {"ovs_hv_bridge": "all"}
EXPECT = ["ovs_hv_bridge = 'all'", "reserved by Linux", "fix: choose another bridge name"]
