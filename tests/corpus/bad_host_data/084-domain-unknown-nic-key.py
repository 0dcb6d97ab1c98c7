"""A misspelt NIC spec key."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"vlans": 5}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01']['vlans'] = 5",
    "'vlans' is not a NIC spec key (did you mean 'vlan'?)",
    "fix: the keys are",
]
