"""Access VLAN 0."""

DATA = {"ovs_hv_domains": {"web01": {"52:54:00:aa:bb:01": {"vlan": 0}}}}
EXPECT = ["ovs_hv_domains['web01']['52:54:00:aa:bb:01']['vlan'] = 0", "below the minimum 1", "fix:"]
