"""Host bits all zero: the network address, not a host address."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.0/24"}
EXPECT = [
    "ovs_hv_mgmt_ipv4 = '192.0.2.0/24'",
    "network address of 192.0.2.0/24 (host bits all zero)",
    "fix: use a host address between 192.0.2.1 and 192.0.2.254",
]
