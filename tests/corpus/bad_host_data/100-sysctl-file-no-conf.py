"""systemd-sysctl reads only *.conf files."""

DATA = {"ovs_hv_sysctl_file": "/etc/sysctl.d/ovs-ipv6"}
EXPECT = [
    "ovs_hv_sysctl_file = '/etc/sysctl.d/ovs-ipv6'",
    "does not end in '.conf'",
    "fix: name a file like",
]
