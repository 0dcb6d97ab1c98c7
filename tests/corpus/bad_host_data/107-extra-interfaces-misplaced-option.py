"""An option line with no iface above it."""

DATA = {"ovs_hv_extra_interfaces": "    mtu 9000\niface eth2 inet manual\n"}
EXPECT = [
    "ovs_hv_extra_interfaces = ",
    "is not valid interfaces(5) text (line 1: misplaced option 'mtu'",
    "fix: write whole stanzas",
]
