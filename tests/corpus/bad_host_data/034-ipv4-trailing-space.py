"""A trailing space (copy and paste)."""

DATA = {"ovs_hv_mgmt_ipv4": "192.0.2.10/24 "}
EXPECT = ["ovs_hv_mgmt_ipv4 = '192.0.2.10/24 '", "not written as A.B.C.D/PREFIX", "fix:"]
