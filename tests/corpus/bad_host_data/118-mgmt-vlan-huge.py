"""A number far beyond any VLAN (a typo'd extra digits)."""

DATA = {"ovs_hv_mgmt_vlan": 12340000000000000000000}
EXPECT = [
    "ovs_hv_mgmt_vlan = 12340000000000000000000",
    "above the maximum 4094",
    "fix: set ovs_hv_mgmt_vlan",
]
