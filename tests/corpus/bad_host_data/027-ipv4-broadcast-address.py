"""Host bits all one: the broadcast address."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.127/25", "ovs_hv_mgmt_gateway": "192.0.2.1"}
EXPECT = [
    "ovs_hv_mgmt_ipv4 = '192.0.2.127/25'",
    "broadcast address of 192.0.2.0/25 (host bits all one)",
    "between 192.0.2.1 and 192.0.2.126",
]
