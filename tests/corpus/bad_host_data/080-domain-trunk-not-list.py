"""A trunk given as one number."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"trunk": 7}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01']['trunk'] = 7",
    "is an int, not a list",
    "fix: write the trunk as a list",
]
