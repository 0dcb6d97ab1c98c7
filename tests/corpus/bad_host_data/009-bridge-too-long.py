"""Linux interface names are at most 15 characters (IFNAMSIZ 16)."""

DATA = {"ovs_hv_bridge": "ovsbr-datacenter"}
EXPECT = [
    "ovs_hv_bridge = 'ovsbr-datacenter'",
    "16 characters, longer than Linux's 15",
    "fix: use 1-15 characters",
]
