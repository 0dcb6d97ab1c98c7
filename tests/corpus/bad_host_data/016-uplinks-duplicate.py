"""The same NIC twice would make a bond with itself."""

DATA = {"ovs_hv_uplinks": ["eth0", "eth1", "eth0"]}
EXPECT = [
    "ovs_hv_uplinks = ['eth0', 'eth1', 'eth0']",
    "names eth0 twice",
    "fix: list each NIC once",
]
