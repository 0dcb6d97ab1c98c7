"""An access VLAN written as a string."""

DATA = {"ovs_hv_domains": {"web01": {"52:54:00:aa:bb:01": {"vlan": "10"}}}}
EXPECT = [
    "ovs_hv_domains['web01']['52:54:00:aa:bb:01']['vlan'] = '10'",
    "is a str, not an integer",
    "fix: write the VLAN id as a whole number 1-4094",
]
