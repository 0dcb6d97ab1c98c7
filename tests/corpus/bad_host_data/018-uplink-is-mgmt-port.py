"""The uplink NIC named like the management port."""

DATA = {"ovs_hv_uplinks": ["vlan1234"]}
EXPECT = [
    "ovs_hv_uplinks = ['vlan1234']",
    "'vlan1234' is also the management port",
    "fix: give the uplink its own name",
]
