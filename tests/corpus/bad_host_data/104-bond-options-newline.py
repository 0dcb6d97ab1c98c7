"""A newline in bond options would inject lines into the interfaces file."""

DATA = {
    "ovs_hv_uplinks": ["eth0", "eth1"],
    "ovs_hv_bond_options": "bond_mode=balance-slb\n    up reboot",
}
EXPECT = [
    "ovs_hv_bond_options = 'bond_mode=balance-slb\\n    up reboot'",
    "control character",
    "fix:",
]
