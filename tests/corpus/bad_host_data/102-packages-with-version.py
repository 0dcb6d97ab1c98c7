"""A version pin the installed-check cannot match."""

DATA = {"ovs_hv_packages": ["openvswitch-switch=3.1.0-2"]}
EXPECT = [
    "ovs_hv_packages = ['openvswitch-switch=3.1.0-2']",
    "'openvswitch-switch=3.1.0-2' is not a Debian package name",
    "fix: list plain package names",
]
