"""0.0.0.0 is not a server."""

DATA = {"ovs_hv_mgmt_dns": ["0.0.0.0"]}
EXPECT = ["ovs_hv_mgmt_dns = ['0.0.0.0']", "cannot be a DNS server", "fix:"]
