"""A trunk list with the reserved VLAN 4095."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"trunk": [100, 4095]}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01']['trunk'][1] = 4095",
    "above the maximum 4094",
    "fix:",
]
