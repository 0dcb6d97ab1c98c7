"""One MAC under two domains (case differs)."""

DATA = {
    "ovs_hv_domains": {
        "a": {"52:54:00:aa:bb:01": {"vlan": 5}},
        "b": {"52:54:00:AA:BB:01": {"vlan": 6}},
    }
}
EXPECT = [
    "ovs_hv_domains['b']['52:54:00:AA:BB:01'] = {'vlan': 6}",
    "MAC 52:54:00:aa:bb:01 is already listed under domain 'a'",
    "fix: a MAC belongs to one NIC of one domain",
]
