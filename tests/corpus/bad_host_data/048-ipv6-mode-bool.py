"""False instead of 'off'."""

DATA = {"ovs_hv_mgmt_ipv6": False}
EXPECT = ["ovs_hv_mgmt_ipv6 = False", "is not one of", "fix: use 'off', 'slaac' or 'static'"]
