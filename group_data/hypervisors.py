"""Defaults for the `hypervisors` group: the management network of the lab/site."""

ovs_hv_mgmt_vlan = 1234
ovs_hv_mgmt_gateway = "192.0.2.1"
ovs_hv_mgmt_dns = ["192.0.2.53"]
