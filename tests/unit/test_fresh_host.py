"""A fresh hypervisor without Open vSwitch: validation plans the run "after install" instead of
refusing; OVS installed but broken still stops the run before anything changes.

The host's facts are the ones a fresh Debian host reports (OvsState's error when ovs-vsctl is
missing, dpkg without openvswitch-*); planning is the real code.
"""

from __future__ import annotations

from typing import Any

import pytest
from pyinfra.api.exceptions import DeployError
from pyinfra.api.inventory import Inventory

from ovs_hypervisor.context import build_context
from ovs_hypervisor.facts.guard import parse_guard
from ovs_hypervisor.host_state import LinkInfo
from tests.conftest import DATA, LAB_DATA

LEGACY = (DATA / "legacy" / "interfaces").read_text()
NO_OVS: dict[str, Any] = {
    "error": "ovs-vsctl: command not found",
    "vswitchd": None,
    "vswitchd_error": None,
    "show": None,
    "ports": {},
    "interfaces": {},
    "bridges": {},
}


def link(kind: str | None, master: str | None = None) -> LinkInfo:
    return {"kind": kind, "master": master, "up": True, "addresses": []}


class FreshHost:
    """Answers the facts validation reads, as a host without Open vSwitch would."""

    def __init__(self, packages: dict[str, list[str]], ovs: dict[str, Any]) -> None:
        self.name = "fresh-hv"
        self.groups: list[str] = []
        self.inventory = Inventory(([(self.name, dict(LAB_DATA))], {}))  # type: ignore[no-untyped-call]
        self.packages = packages
        self.ovs = ovs

        class _Data:
            override_datas: dict[str, Any] = {}  # noqa: RUF012

        self.data = _Data()

    def get_fact(self, fact: type, **kwargs: Any) -> Any:
        answers: dict[str, Any] = {
            "OvsState": self.ovs,
            "DebPackages": self.packages,
            "CutoverGuard": parse_guard([]),  # what the fact makes of a host with no run
            "Links": {
                "lo": link(None),
                "eth0": link(None),
                "vlan1234": link("vlan", "bridge1234"),
                "bridge1234": link("bridge"),
            },
            "LibvirtDomains": {},
            "InterfacesFiles": [
                {
                    "path": "/etc/network/interfaces",
                    "origin": None,
                    "text": LEGACY,
                    "missing": False,
                    "error": None,
                }
            ],
            "FileText": None,
            "FreeBytes": 10**12,
        }
        return answers[fact.__name__]


BASE = {"ifupdown": ["0.8.41"], "python3-libvirt": ["9.0.0-1"]}


def test_without_ovs_the_run_is_planned_after_install() -> None:
    ctx = build_context(FreshHost(BASE, NO_OVS))
    assert ctx.install_first == ["openvswitch-common", "openvswitch-switch"]
    assert ctx.cutover_needed and ctx.changes
    assert ctx.ovs_fix == []  # nothing to reconcile live: the cutover builds the bridge
    assert "allow-ovs ovsbr0" in ctx.interfaces


def test_ovs_installed_but_not_usable_stops_the_run() -> None:
    installed = {**BASE, "openvswitch-common": ["3.1.0"], "openvswitch-switch": ["3.1.0"]}
    with pytest.raises(DeployError) as err:
        build_context(FreshHost(installed, NO_OVS))
    text = str(err.value)
    assert "'fresh-hv'" in text and "installed but not usable" in text
    assert "systemctl start openvswitch-switch" in text
