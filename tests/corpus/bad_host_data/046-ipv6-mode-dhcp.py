"""Unknown IPv6 mode (DHCPv6 is not offered)."""

DATA = {"ovs_hv_mgmt_ipv6": "dhcp"}
EXPECT = [
    "ovs_hv_mgmt_ipv6 = 'dhcp'",
    "is not one of 'off', 'slaac' or 'static'",
    "fix: use 'off', 'slaac' or 'static'",
]
