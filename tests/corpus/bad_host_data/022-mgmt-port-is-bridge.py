"""The management port named like the bridge."""

DATA = {"ovs_hv_mgmt_port": "ovsbr0"}
EXPECT = [
    "ovs_hv_mgmt_port = 'ovsbr0'",
    "is also the bridge",
    "fix: give the management port its own name",
]
