"""Extra stanzas as a list of lines."""

DATA = {"ovs_hv_extra_interfaces": ["iface eth2 inet manual"]}
EXPECT = [
    "ovs_hv_extra_interfaces = ['iface eth2 inet manual']",
    "is a list, not a string",
    "fix: write the extra stanzas as one (multi-line) string",
]
