"""The gateway is not on the management subnet."""

DATA = {"ovs_hv_mgmt_gateway": "198.51.100.1"}
EXPECT = [
    "ovs_hv_mgmt_gateway = '198.51.100.1'",
    "outside the management subnet 192.0.2.0/24",
    "fix: fix the gateway or the prefix length",
]
