"""'yes' is not a boolean."""

DATA = {"ovs_hv_destroy_on_timeout": "yes"}
EXPECT = [
    "ovs_hv_destroy_on_timeout = 'yes'",
    "is a str, not True or False",
    "fix: use True or False",
]
