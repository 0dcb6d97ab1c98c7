"""The gateway is the subnet's broadcast address."""

DATA = {"ovs_hv_mgmt_gateway": "192.0.2.255"}
EXPECT = [
    "ovs_hv_mgmt_gateway = '192.0.2.255'",
    "network or broadcast address of 192.0.2.0/24",
    "fix:",
]
