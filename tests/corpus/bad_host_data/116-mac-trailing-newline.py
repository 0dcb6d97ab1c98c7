"""A MAC with a trailing newline would never match a NIC."""

DATA = {"ovs_hv_domains": {"web01": {"52:54:00:aa:bb:01\n": {"vlan": 5}}}}
EXPECT = [
    "ovs_hv_domains['web01'] key = '52:54:00:aa:bb:01\\n'",
    "not a MAC address",
    "fix: write the NIC's MAC",
]
