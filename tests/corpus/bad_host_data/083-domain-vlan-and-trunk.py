"""Access and trunk at once."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"vlan": 5, "trunk": [6]}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01'] = {",
    "gives both 'vlan' and 'trunk'/'native'",
    "fix:",
]
