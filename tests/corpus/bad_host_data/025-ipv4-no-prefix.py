"""Address without prefix length."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.10"}
EXPECT = [
    "ovs_hv_mgmt_ipv4 = '192.0.2.10'",
    "has no prefix length",
    "fix: write the host's address and prefix length",
]
