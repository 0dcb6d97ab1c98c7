"""Make-before-break planning: what is prepared, what the gap does, and collisions refused."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from ovs_hypervisor.cutover import CutoverPlan, cutover_script
from ovs_hypervisor.fastpath import FastPlan, plan_fast
from ovs_hypervisor.host_state import LinkInfo
from ovs_hypervisor.model import HostDataError, load_host_config
from ovs_hypervisor.plan import plan_host
from tests.conftest import DATA, LAB_DATA

LEGACY = (DATA / "legacy" / "interfaces").read_text()


def link(kind: str | None, master: str | None = None, *addresses: str) -> LinkInfo:
    return {"kind": kind, "master": master, "up": True, "addresses": list(addresses)}


# The lab's legacy state (veths standing in for the 802.1Q devices).
LINKS = {
    "lo": link(None, None, "127.0.0.1/8"),
    "eth0": link("veth"),
    "vlan1234": link("veth", "bridge1234"),
    "bridge1234": link("bridge", None, "192.0.2.10/24"),
    "vlan1011": link("veth", "bridge1011"),
    "bridge1011": link("bridge"),
}
NO_OVS: dict[str, Any] = {"show": {"bridges": {}}, "ports": {}, "bridges": {}}


def fast(links: dict[str, LinkInfo] = LINKS, ovs: Any = NO_OVS, old: str = LEGACY, **over: Any):  # type: ignore[no-untyped-def]
    config = load_host_config("hv1", {**LAB_DATA, **over})
    plan = plan_host(config, "hv1", {}, links, old)
    return config, plan_fast(config, "hv1", plan, links, ovs)


def test_lab_layout_prepares_bridge_and_uplink_and_moves_the_mgmt_port_in_the_gap() -> None:
    _, f = fast()
    # The uplink is free (no master, no address): it joins OVS before the gap, with the
    # hook's own command; the bridge gets its datapath.
    assert f.prep_ovs[:8] == [
        "--",
        "--may-exist",
        "add-br",
        "ovsbr0",
        "--",
        "set",
        "bridge",
        "ovsbr0",
    ]
    assert f.prep_ovs[9:14] == ["--", "--may-exist", "add-port", "ovsbr0", "eth0"]
    assert f.prep_up == ["ovsbr0", "eth0"]
    # vlan1234 is the legacy device's name: the internal port can only exist after it.
    assert f.gap_delete == ["bridge1234", "vlan1234"]
    assert f.gap_ovs[:7] == [
        "--",
        "--may-exist",
        "add-port",
        "ovsbr0",
        "vlan1234",
        "tag=1234",
        "--",
    ]
    assert f.gap_up == ["vlan1234"]
    assert f.gap_flush == [] and f.gap_addr_del == []
    # ifupdown's records: ours and the gap's are dropped quietly, the rest ifdown'ed after.
    assert set(f.forget) == {"ovsbr0", "eth0", "vlan1234", "bridge1234"}
    assert "bridge1011" in f.down_old and "vlan1011" in f.down_old
    assert not set(f.down_old) & set(f.forget)


def test_free_mgmt_port_name_is_prepared_before_the_gap() -> None:
    _, f = fast(ovs_hv_mgmt_port="mgmt0")
    assert "mgmt0" in f.prep_up and "mgmt0" in f.prep_ovs
    assert f.gap_ovs == []  # the gap is only: delete the old holder, address, route
    assert f.gap_delete == ["bridge1234", "vlan1234"]


def test_uplink_in_a_legacy_trunk_bridge_is_released_in_the_gap() -> None:
    links = {**LINKS, "eth0": link(None, "br0"), "br0": link("bridge")}
    old = LEGACY + "\nauto br0\niface br0 inet manual\n    bridge_ports eth0\n"
    _, f = fast(links, old=old, ovs_hv_legacy_trunk_bridges=["br0"])
    assert f.gap_delete[0] in ("br0", "bridge1234") and "br0" in f.gap_delete
    assert f.gap_ovs[:5] == ["--", "--may-exist", "add-port", "ovsbr0", "eth0"]
    assert "eth0" in f.gap_up and "eth0" not in f.prep_up


def test_legacy_linux_bond_is_replaced_by_the_ovs_bond_in_the_gap() -> None:
    links = {
        **LINKS,
        "eth0": link(None, "bond0"),
        "eth1": link(None, "bond0"),
        "bond0": link("bond"),
    }
    old = LEGACY + "\nauto bond0\niface bond0 inet manual\n    bond_slaves eth0 eth1\n"
    _, f = fast(links, old=old, ovs_hv_uplinks=["eth0", "eth1"])
    assert f.gap_delete.index("bond0") < f.gap_delete.index("vlan1234")  # masters first
    assert f.gap_ovs[:7] == ["--", "--fake-iface", "add-bond", "ovsbr0", "bond0", "eth0", "eth1"]
    assert {"bond0", "eth0", "eth1"} <= set(f.gap_up) and {"eth0", "eth1"} <= set(f.forget)


def test_an_existing_bond_gets_the_options_of_the_data() -> None:
    # A re-run with other bond options: add-bond would fail on the bond, ifup never sets them.
    ovs: dict[str, Any] = {
        "show": {"bridges": {"ovsbr0": {"ports": {"bond0": {"interfaces": {"eth0": {}}}}}}},
        "ports": {},
        "bridges": {},
    }
    links = {**LINKS, "eth1": link(None)}
    opts = "bond_mode=active-backup other_config:bond-detect-mode=miimon"
    _, f = fast(links, ovs, ovs_hv_uplinks=["eth0", "eth1"], ovs_hv_bond_options=opts)
    assert "add-bond" not in f.gap_ovs + f.prep_ovs
    sub = ["--", "set", "port", "bond0", *opts.split()]
    joined = f.gap_ovs + f.prep_ovs
    assert any(joined[i : i + len(sub)] == sub for i in range(len(joined))), joined


def test_address_on_the_uplink_itself_is_flushed_in_the_gap() -> None:
    links = {**LINKS, "eth0": link(None, None, "192.0.2.10/24"), "bridge1234": link("bridge")}
    _, f = fast(links)
    assert f.gap_flush == ["eth0"] and "eth0" in f.gap_up


@pytest.mark.parametrize(
    ("links", "ovs", "over", "named"),
    [
        # a management port name that is already a device, not legacy plumbing
        ({**LINKS, "mgmt0": link("veth")}, NO_OVS, {"ovs_hv_mgmt_port": "mgmt0"}, "'mgmt0'"),
        # a port name taken on another OVS bridge
        (
            LINKS,
            {"show": {"bridges": {"other0": {"ports": {"mgmt0": {"interfaces": {"mgmt0": {}}}}}}}},
            {"ovs_hv_mgmt_port": "mgmt0"},
            "OVS bridge other0",
        ),
        # the uplink held by a bridge that nobody told us to remove
        ({**LINKS, "eth0": link(None, "br-x"), "br-x": link("bridge")}, NO_OVS, {}, "br-x"),
    ],
    ids=["mgmt-port-is-a-device", "port-on-other-bridge", "uplink-in-foreign-bridge"],
)
def test_collisions_are_refused_naming_the_device(
    links: dict[str, LinkInfo], ovs: Any, over: dict[str, Any], named: str
) -> None:
    with pytest.raises(HostDataError, match=re.escape(named)) as exc:
        fast(links, ovs, **over)
    assert "hv1" in str(exc.value) and "fix:" in str(exc.value)


def test_rerun_on_our_bridge_prepares_everything_and_needs_no_ovs_in_the_gap() -> None:
    ports: dict[str, Any] = {
        "eth0": {"interfaces": {"eth0": {}}},
        "vlan1234": {"interfaces": {"vlan1234": {}}},
    }
    ovs: dict[str, Any] = {
        "show": {"bridges": {"ovsbr0": {"ports": ports}}},
        "ports": {},
        "bridges": {},
    }
    links = {
        "lo": link(None),
        "eth0": link("veth"),
        "ovsbr0": link("openvswitch"),
        "vlan1234": link("openvswitch", None, "192.0.2.10/24"),
    }
    _, f = fast(links, ovs, old="")
    assert f.gap_delete == [] and f.gap_ovs == []
    assert "vlan1234" in f.prep_up


def test_header_carries_the_fast_steps_and_the_shell_parses_it() -> None:
    config, f = fast()
    plan = CutoverPlan(interfaces_path="/i", staged_path="/s", state_dir="/x/c", fast=f)
    script = cutover_script(config, plan)
    header = dict(
        line.split("=", 1) for line in script.splitlines() if re.match(r"^[A-Z_]+=", line)
    )
    assert header["FAST"] == "1"
    assert (header["MGMT_IP"], header["MGMT_NETMASK"]) == ("192.0.2.10", "255.255.255.0")
    assert header["MGMT_BROADCAST"] == "192.0.2.255"
    assert header["GAP_DEL"] == "'bridge1234 vlan1234'"
    # The argument vector survives the quoting: `eval set --` in sh gives it back.
    proc = subprocess.run(
        ["sh", "-c", f'X={header["GAP_OVS"]}; eval "set -- $X"; printf \'%s\\n\' "$@"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.splitlines() == f.gap_ovs
    assert subprocess.run(["sh", "-n"], input=script, text=True).returncode == 0


def test_classic_mode_has_no_fast_plan_in_the_header() -> None:
    config = load_host_config("hv1", {**LAB_DATA, "ovs_hv_cutover_mode": "classic"})
    assert config.cutover_mode == "classic"
    script = cutover_script(
        config, CutoverPlan(interfaces_path="/i", staged_path="/s", state_dir="/x/c")
    )
    assert "\nFAST=0\n" in script
    assert FastPlan().gap_ovs == []
