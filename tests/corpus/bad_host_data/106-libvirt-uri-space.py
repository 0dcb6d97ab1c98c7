"""A URI with a space."""

DATA = {"ovs_hv_libvirt_uri": "qemu:///system "}
EXPECT = [
    "ovs_hv_libvirt_uri = 'qemu:///system '",
    "is not a libvirt URI",
    "fix: write e.g. 'qemu:///system'",
]
