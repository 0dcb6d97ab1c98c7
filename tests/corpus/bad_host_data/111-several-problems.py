"""Every problem is reported at once, not one per run."""

DATA = {
    "ovs_hv_mgmt_vlan": 0,
    "ovs_hv_bridge": "a/b",
    "ovs_hv_stop_timeout": -5,
    "ovs_hv_bridg": "x",
}
EXPECT = [
    "4 problem(s)",
    "ovs_hv_mgmt_vlan = 0",
    "ovs_hv_bridge = 'a/b'",
    "ovs_hv_stop_timeout = -5",
    "ovs_hv_bridg = 'x'",
]
