"""A multicast MAC can never belong to a NIC."""

DATA = {"ovs_hv_domains": {"a": {"01:00:5e:00:00:01": {"vlan": 5}}}}
EXPECT = ["ovs_hv_domains['a'] key = '01:00:5e:00:00:01'", "multicast MAC", "fix:"]
