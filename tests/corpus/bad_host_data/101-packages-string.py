"""Packages as one string."""

DATA = {"ovs_hv_packages": "openvswitch-switch ifupdown"}
EXPECT = [
    "ovs_hv_packages = 'openvswitch-switch ifupdown'",
    "is a str, not a list",
    "fix: write a list of package names",
]
