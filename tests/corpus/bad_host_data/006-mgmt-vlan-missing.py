"""The management VLAN has no default."""

DATA: dict[str, object] = {}
EXPECT = ["ovs_hv_mgmt_vlan: required and not set", "fix: set ovs_hv_mgmt_vlan"]
WITHOUT = ["ovs_hv_mgmt_vlan"]
