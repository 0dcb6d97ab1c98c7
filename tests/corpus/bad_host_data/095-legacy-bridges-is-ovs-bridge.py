"""Mapping the OVS bridge itself as legacy would delete it."""

DATA = {"ovs_hv_legacy_bridges": {"ovsbr0": 5}}
EXPECT = [
    "ovs_hv_legacy_bridges['ovsbr0'] = 5",
    "names the Open vSwitch bridge itself",
    "fix: list only the old Linux bridges",
]
