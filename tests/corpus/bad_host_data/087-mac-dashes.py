"""A MAC written with dashes (Windows style)."""

DATA = {"ovs_hv_domains": {"a": {"52-54-00-aa-bb-01": {"vlan": 5}}}}
EXPECT = [
    "ovs_hv_domains['a'] key = '52-54-00-aa-bb-01'",
    "not a MAC address",
    "fix: write the NIC's MAC as `virsh domiflist` shows it",
]
