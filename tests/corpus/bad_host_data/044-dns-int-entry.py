"""A DNS entry of the wrong type."""

DATA = {"ovs_hv_mgmt_dns": ["192.0.2.53", 53]}
EXPECT = ["ovs_hv_mgmt_dns[1] = 53", "is an int, not a string", "fix: write each entry as a string"]
