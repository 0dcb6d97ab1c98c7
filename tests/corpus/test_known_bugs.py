"""Bugs found by the hostile-input work in files this work does not own.

Each test states the wanted behaviour; a strict xfail marks one not fixed yet (when it starts
passing, pytest reports XPASS as a failure, and the marker must go).
"""

from __future__ import annotations

from typing import Any

import pytest

from ovs_hypervisor.host_state import LinkInfo
from ovs_hypervisor.model import HostDataError, load_host_config
from ovs_hypervisor.plan import plan_host

DATA: dict[str, Any] = {
    "ovs_hv_mgmt_vlan": 1234,
    "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
    "ovs_hv_mgmt_gateway": "192.0.2.1",
}
LINKS: dict[str, LinkInfo] = {
    "lo": {"kind": None, "master": None, "up": True, "addresses": []},
    "eth0": {"kind": None, "master": None, "up": True, "addresses": []},
}
OLD = "auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n"


def _xml(name: str, extra: str = "") -> str:
    return (
        f"<domain type='kvm'><name>{name}</name><devices><interface type='bridge'>"
        f"<mac address='52:54:00:aa:bb:01'/><source bridge='bridge1011'/>{extra}"
        "</interface></devices></domain>"
    )


@pytest.mark.parametrize(
    "xml",
    [
        _xml("vm1", "<vlan><tag id='x'/></vlan>"),  # listed domain, unreadable <vlan>
        "<domain><name>vm1",  # truncated XML from the host
    ],
    ids=["bad-vlan-tag", "truncated"],
)
def test_plan_reports_unreadable_domain_xml_as_host_data_error(xml: str) -> None:
    config = load_host_config(
        "hv1", {**DATA, "ovs_hv_domains": {"vm1": {"52:54:00:aa:bb:01": {"vlan": 5}}}}
    )
    with pytest.raises(HostDataError, match="vm1"):
        plan_host(config, "hv1", {"vm1": {"state": "running", "xml": xml}}, LINKS, OLD)


def test_plan_reports_unreadable_unlisted_domain_as_host_data_error() -> None:
    config = load_host_config("hv1", DATA)
    with pytest.raises(HostDataError, match="other"):
        plan_host(config, "hv1", {"other": {"state": "running", "xml": "<domain>"}}, LINKS, OLD)
