"""A VLAN twice in a trunk list."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"trunk": [7, 8, 7]}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01'] = {'trunk': [7, 8, 7]}",
    "repeats VLAN 7",
    "fix: list each VLAN once",
]
