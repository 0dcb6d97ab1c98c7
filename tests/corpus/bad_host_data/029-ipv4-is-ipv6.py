"""An IPv6 address where IPv4 is expected."""

DATA = {"ovs_hv_mgmt_ipv4": "2001:db8::10/64"}
EXPECT = ["ovs_hv_mgmt_ipv4 = '2001:db8::10/64'", "not written as A.B.C.D/PREFIX", "fix:"]
