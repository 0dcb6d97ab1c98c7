"""'auto ovsbr0' would raise the bridge the wrong way at boot."""

DATA = {"ovs_hv_extra_interfaces": "auto ovsbr0\n"}
EXPECT = ["ovs_hv_extra_interfaces = 'auto ovsbr0\\n'", "configures ovsbr0 (the bridge)", "fix:"]
