"""A trunk written as a comma-separated string."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"trunk": "7,8"}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01']['trunk'] = '7,8'",
    "is a str, not a list",
    "fix: write the trunk as a list",
]
