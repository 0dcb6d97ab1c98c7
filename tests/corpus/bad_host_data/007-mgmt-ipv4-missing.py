"""The management address has no default."""

DATA: dict[str, object] = {}
EXPECT = ["ovs_hv_mgmt_ipv4: required and not set", "fix: set ovs_hv_mgmt_ipv4 to ADDRESS/PREFIX"]
WITHOUT = ["ovs_hv_mgmt_ipv4", "ovs_hv_mgmt_gateway"]
