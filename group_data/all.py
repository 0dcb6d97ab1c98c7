"""Defaults for every host.  Every ovs_hv_* key is listed, with its default, in the README."""

ovs_hv_bridge = "ovsbr0"
ovs_hv_uplinks = ["eth0"]
ovs_hv_mgmt_ipv6 = "slaac"
ovs_hv_disable_ipv6_elsewhere = True
