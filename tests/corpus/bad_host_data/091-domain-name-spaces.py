"""A domain name with a trailing space would never match."""

DATA = {"ovs_hv_domains": {"web01 ": {"52:54:00:aa:bb:01": {"vlan": 5}}}}
EXPECT = ["ovs_hv_domains key = 'web01 '", "leading or trailing spaces", "fix:"]
