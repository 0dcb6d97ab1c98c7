"""Extra stanzas must not configure the deploy's own interfaces."""

DATA = {"ovs_hv_extra_interfaces": "auto eth0\niface eth0 inet dhcp\n"}
EXPECT = [
    "ovs_hv_extra_interfaces = 'auto eth0",
    "configures eth0 (the uplink)",
    "fix: keep only other interfaces",
]
