"""A Linux bonding mode name, which OVS does not know."""

DATA = {"ovs_hv_uplinks": ["eth0", "eth1"], "ovs_hv_bond_options": "bond_mode=802.3ad"}
EXPECT = [
    "ovs_hv_bond_options = 'bond_mode=802.3ad'",
    "bond_mode=802.3ad is not an Open vSwitch bond_mode",
    "fix: use bond_mode=active-backup or balance-slb or balance-tcp",
]
