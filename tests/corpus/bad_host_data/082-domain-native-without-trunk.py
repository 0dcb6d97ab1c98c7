"""A native VLAN with no trunk list."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"native": 5}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01'] = {'native': 5}",
    "has 'native' but no 'trunk' list",
    "fix:",
]
