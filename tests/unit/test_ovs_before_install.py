"""A fresh host without Open vSwitch is planned against an empty switch (the packages step
installs OVS before anything needs it); other OVS errors still stop the run."""

from ovs_hypervisor.host_state import ovs_before_install, parse_ovs_state

PACKAGES = ["openvswitch-common", "openvswitch-switch", "ifupdown", "python3-libvirt"]


def test_not_installed_but_in_packages_is_an_empty_switch() -> None:
    state = parse_ovs_state(["@@ERROR ovs-vsctl is not installed (package openvswitch-switch)"])
    fresh = ovs_before_install(state, PACKAGES)
    assert fresh["error"] is None and fresh["vswitchd_error"] is None
    assert fresh["show"] is not None and fresh["show"]["bridges"] == {}


def test_not_installed_and_not_in_packages_stays_an_error() -> None:
    state = parse_ovs_state(["@@ERROR ovs-vsctl is not installed (package openvswitch-switch)"])
    assert ovs_before_install(state, ["ifupdown"])["error"]


def test_ovsdb_down_stays_an_error() -> None:
    state = parse_ovs_state(["@@ERROR ovs-vsctl cannot reach ovsdb-server: refused"])
    assert ovs_before_install(state, PACKAGES)["error"]
