"""DNS servers must be addresses, not names."""

DATA = {"ovs_hv_mgmt_dns": ["ns1.example.net"]}
EXPECT = [
    "ovs_hv_mgmt_dns = ['ns1.example.net']",
    "'ns1.example.net' is not an IP address",
    "fix: list DNS servers as IP addresses",
]
