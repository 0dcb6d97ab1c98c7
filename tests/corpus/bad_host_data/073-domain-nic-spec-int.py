"""A bare VLAN number instead of a NIC spec."""

DATA = {"ovs_hv_domains": {"web01": {"52:54:00:aa:bb:01": 1011}}}
EXPECT = [
    "ovs_hv_domains['web01']['52:54:00:aa:bb:01'] = 1011",
    "is an int, not a dict",
    "fix: write {'vlan': N} (access)",
]
