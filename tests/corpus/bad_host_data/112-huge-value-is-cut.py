"""A huge value is shortened in the message, which stays one short paragraph."""

DATA = {"ovs_hv_uplinks": [f"eth{i}" for i in range(5000)] + ["eth0"]}
EXPECT = [
    "ovs_hv_uplinks = ['eth0', 'eth1', 'eth2', 'eth3', 'eth4', 'eth5', ...]",
    "names eth0 twice",
    "fix: list each NIC once",
]
