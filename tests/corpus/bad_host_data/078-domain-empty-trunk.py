"""An empty trunk list."""

DATA: dict[str, object] = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"trunk": []}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01'] = {'trunk': []}",
    "the trunk list is empty",
    "fix: list at least one VLAN",
]
