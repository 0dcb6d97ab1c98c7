"""libvirt refuses '/' in domain names."""

DATA = {"ovs_hv_domains": {"web/01": {"52:54:00:aa:bb:01": {"vlan": 5}}}}
EXPECT = ["ovs_hv_domains key = 'web/01'", "contains '/'", "fix:"]
