"""Domains as a list instead of a dict."""

DATA = {"ovs_hv_domains": ["web01"]}
EXPECT = ["ovs_hv_domains = ['web01']", "is a list, not a dict", "fix: write {domain: {MAC: spec}}"]
