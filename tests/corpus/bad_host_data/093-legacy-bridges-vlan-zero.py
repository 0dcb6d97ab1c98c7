"""A legacy bridge mapped to VLAN 0."""

DATA = {"ovs_hv_legacy_bridges": {"br-dmz": 0}}
EXPECT = [
    "ovs_hv_legacy_bridges['br-dmz'] = 0",
    "below the minimum 1",
    "fix: write the VLAN id as a whole number 1-4094",
]
