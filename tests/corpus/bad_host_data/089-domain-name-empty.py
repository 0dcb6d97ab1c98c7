"""An empty domain name."""

DATA = {"ovs_hv_domains": {"": {"52:54:00:aa:bb:01": {"vlan": 5}}}}
EXPECT = ["ovs_hv_domains key = ''", "is empty", "fix: use the name `virsh list --all` shows"]
