"""VLAN id written as a string (YAML/CLI habit)."""

DATA = {"ovs_hv_mgmt_vlan": "10"}
EXPECT = [
    "ovs_hv_mgmt_vlan = '10'",
    "is a str, not an integer",
    "fix: set ovs_hv_mgmt_vlan",
    "not '1234'",
]
