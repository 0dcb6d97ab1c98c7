"""Rendering of /etc/network/interfaces, checked against a golden file and real ifquery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import load_host_config
from ovs_hypervisor.render import render_interfaces, render_sysctl
from tests.conftest import DATA, LAB_DATA
from tests.helpers.ifquery import run_ifquery

GOLDEN = DATA / "golden" / "interfaces-lab"


def lab_text(**over: Any) -> str:
    return render_interfaces(load_host_config("ovslab-hv1", {**LAB_DATA, **over}), "ovslab-hv1")


def ifquery(path: Path, *args: str) -> list[str]:
    return run_ifquery(path, *args).stdout.split("\n")[:-1]


def test_golden() -> None:
    # To accept an intended change: python -c "..." > tests/data/golden/interfaces-lab
    assert lab_text() == GOLDEN.read_text()


def test_shape_of_the_lab_file() -> None:
    parsed = parse_interfaces(lab_text())
    assert parsed["auto"] == ["lo"]  # the bridge is never auto
    assert parsed["allow"]["ovs"] == ["ovsbr0"]
    assert parsed["allow"]["ovsbr0"] == ["eth0", "vlan1234"]
    ifaces = parsed["interfaces"]
    assert ifaces["ovsbr0"]["inet"]["options"]["ovs_type"] == ["OVSBridge"]
    assert ifaces["eth0"]["inet"]["options"]["ovs_type"] == ["OVSPort"]
    mgmt = ifaces["vlan1234"]
    assert mgmt["inet"]["options"]["ovs_type"] == ["OVSIntPort"]
    assert mgmt["inet"]["options"]["ovs_options"] == ["tag=1234"]
    assert mgmt["inet6"]["method"] == "auto"
    assert mgmt["inet6"]["options"]["privext"] == ["2"]
    assert mgmt["inet6"]["options"]["accept_ra"] == ["1"]
    # IPv6 only on the management port
    assert [n for n, f in ifaces.items() if "inet6" in f] == ["vlan1234"]


def test_real_ifquery_agrees(tmp_path: Path) -> None:
    path = tmp_path / "interfaces"
    path.write_text(lab_text())
    assert ifquery(path, "--list", "--allow=ovs") == ["ovsbr0"]
    assert ifquery(path, "--list", "--allow=ovsbr0") == ["eth0", "vlan1234"]
    assert "ovs_type: OVSBridge" in ifquery(path, "ovsbr0")
    opts = ifquery(path, "vlan1234")
    assert "ovs_options: tag=1234" in opts
    assert "address: 192.0.2.10" in opts
    assert "gateway: 192.0.2.1" in opts
    assert "privext: 2" in opts


def test_bond(tmp_path: Path) -> None:
    text = lab_text(ovs_hv_uplinks=["eth0", "eth1"], ovs_hv_bond_options="bond_mode=active-backup")
    ifaces = parse_interfaces(text)["interfaces"]
    bond = ifaces["bond0"]["inet"]["options"]
    assert bond["ovs_type"] == ["OVSBond"]
    assert bond["ovs_bonds"] == ["eth0 eth1"]
    assert bond["ovs_options"] == ["bond_mode=active-backup"]
    assert ifaces["ovsbr0"]["inet"]["options"]["ovs_ports"] == ["bond0 vlan1234"]
    path = tmp_path / "interfaces"
    path.write_text(text)
    assert ifquery(path, "--list", "--allow=ovsbr0") == ["bond0", "vlan1234"]


@pytest.mark.parametrize("mode", ["off", "static"])
def test_ipv6_modes(mode: str) -> None:
    extra: dict[str, Any] = {"ovs_hv_mgmt_ipv6": mode}
    if mode == "static":
        extra["ovs_hv_mgmt_ipv6_address"] = "2001:db8::10/64"
    ifaces = parse_interfaces(lab_text(**extra))["interfaces"]
    if mode == "off":
        assert "inet6" not in ifaces["vlan1234"]
    else:
        assert ifaces["vlan1234"]["inet6"]["method"] == "static"
        assert ifaces["vlan1234"]["inet6"]["options"]["address"] == ["2001:db8::10/64"]


def test_kernel_datapath_has_no_extra() -> None:
    text = lab_text(ovs_hv_datapath_type="system")
    assert "datapath_type" not in text


def test_sysctl_file() -> None:
    c = load_host_config("h", LAB_DATA)
    text = render_sysctl(c)
    assert text is not None and "net.ipv6.conf.default.disable_ipv6 = 1" in text
    off = load_host_config("h", {**LAB_DATA, "ovs_hv_disable_ipv6_elsewhere": False})
    assert render_sysctl(off) is None


def test_sysctl_file_keeps_ipv6_on_lo() -> None:
    # sysctl applies the lines in order and "all" also disables lo (removing ::1), so lo must
    # be re-enabled after it.
    text = render_sysctl(load_host_config("h", LAB_DATA))
    assert text is not None
    keys = [line.split("=")[0].strip() for line in text.splitlines() if "=" in line]
    settings = dict(line.replace(" ", "").split("=") for line in text.splitlines() if "=" in line)
    assert settings["net.ipv6.conf.lo.disable_ipv6"] == "0"
    assert keys.index("net.ipv6.conf.lo.disable_ipv6") > keys.index(
        "net.ipv6.conf.all.disable_ipv6"
    )
