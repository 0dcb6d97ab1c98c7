"""The same DNS server twice."""

DATA = {"ovs_hv_mgmt_dns": ["192.0.2.53", "192.0.2.53"]}
EXPECT = [
    "ovs_hv_mgmt_dns = ['192.0.2.53', '192.0.2.53']",
    "lists 192.0.2.53 twice",
    "fix: list each server once",
]
