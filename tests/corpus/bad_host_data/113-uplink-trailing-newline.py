"""A name with a trailing newline (pasted from a file) would split a rendered line."""

DATA = {"ovs_hv_uplinks": ["eth0\n"]}
EXPECT = [
    "ovs_hv_uplinks = ['eth0\\n']",
    "uplink 'eth0\\n': not a usable Linux uplink name (has '\\n')",
    "fix: use 1-15 characters",
]
