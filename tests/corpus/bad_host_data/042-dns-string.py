"""A single DNS server as a string."""

DATA = {"ovs_hv_mgmt_dns": "192.0.2.53"}
EXPECT = [
    "ovs_hv_mgmt_dns = '192.0.2.53'",
    "is a str, not a list",
    "--data 'ovs_hv_mgmt_dns=[\"192.0.2.53\"]'",
]
