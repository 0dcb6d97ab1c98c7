"""A package name with a newline would break the apt command line."""

DATA = {"ovs_hv_packages": ["openvswitch-switch\n"]}
EXPECT = [
    "ovs_hv_packages = ['openvswitch-switch\\n']",
    "is not a Debian package name",
    "fix: list plain package names",
]
