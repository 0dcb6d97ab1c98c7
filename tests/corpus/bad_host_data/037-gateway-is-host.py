"""The gateway is the host's own address."""

DATA = {"ovs_hv_mgmt_gateway": "192.0.2.10"}
EXPECT = [
    "ovs_hv_mgmt_gateway = '192.0.2.10'",
    "is the host's own address",
    "fix: write the router's address",
]
