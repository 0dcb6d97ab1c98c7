"""Dotted netmask instead of a prefix length (ambiguous with hostmasks)."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.10/255.255.255.0"}
EXPECT = [
    "ovs_hv_mgmt_ipv4 = '192.0.2.10/255.255.255.0'",
    "not written as A.B.C.D/PREFIX",
    "e.g. '192.0.2.10/24'",
]
