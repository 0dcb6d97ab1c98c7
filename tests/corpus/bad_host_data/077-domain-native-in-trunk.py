"""The native (untagged) VLAN also listed as tagged."""

DATA = {"ovs_hv_domains": {"fw": {"52:54:00:aa:bb:01": {"native": 101, "trunk": [101, 102]}}}}
EXPECT = [
    "ovs_hv_domains['fw']['52:54:00:aa:bb:01'] = {",
    "native VLAN 101 is also in the trunk list [101, 102]",
    "fix: the native VLAN is carried untagged: remove 101 from 'trunk'",
]
