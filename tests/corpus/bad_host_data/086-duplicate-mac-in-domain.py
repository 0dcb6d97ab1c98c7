"""One MAC twice in one domain, in two spellings."""

DATA = {
    "ovs_hv_domains": {"a": {"52:54:00:aa:bb:01": {"vlan": 5}, "52:54:00:Aa:bB:01": {"vlan": 6}}}
}
EXPECT = [
    "ovs_hv_domains['a']['52:54:00:Aa:bB:01'] = {'vlan': 6}",
    "already listed under this domain (as '52:54:00:aa:bb:01')",
    "fix:",
]
