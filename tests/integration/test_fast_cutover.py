"""Make-before-break cutover on the lab (real ifupdown, OVS, libvirt; deploy over SSH).

Collisions are refused before anything changes; a fast cutover that fails right after moving
the uplink into OVS is rolled back to the old network; a successful one leaves exactly what
`ifup --allow=ovs -a` of the rendered file leaves (checked by doing that afterwards).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.labctl import (
    answers,
    fresh_lab,
    hv,
    output_of,
    pyinfra,
    snapshot,
    wait_until,
    write_inventory,
)

pytestmark = pytest.mark.integration

WINDOW = 20
FAILPOINT = "/run/ovs-hypervisor/failpoint"


@pytest.fixture(scope="module")
def legacy() -> Iterator[dict[str, str]]:
    with fresh_lab() as before:
        yield before


def ifupdown_state() -> str:
    return hv(
        "ifquery --state; echo @@; cat /run/network/ifstate; echo @@; "
        'for f in /run/network/ifstate.*; do echo "$f=$(cat $f)"; done'
    )


COLLISIONS = [
    pytest.param(
        "ip link add mgmt0 type veth peer name mgmt0p",
        "ip link del mgmt0",
        {"ovs_hv_mgmt_port": "mgmt0"},
        "ovs_hv_mgmt_port = 'mgmt0': a veth device with that name already exists",
        id="mgmt-port-name-is-a-device",
    ),
    pytest.param(
        "ovs-vsctl add-br other0 -- set bridge other0 datapath_type=netdev -- add-port other0 "
        "mgmt0 -- set interface mgmt0 type=internal",
        "ovs-vsctl del-br other0",
        {"ovs_hv_mgmt_port": "mgmt0"},
        "port name 'mgmt0' is taken: it is a port of the OVS bridge other0",
        id="port-name-taken-on-another-bridge",
    ),
    pytest.param(
        "ip link add br-x type bridge",
        "ip link del br-x",
        {"ovs_hv_bridge": "br-x"},
        "ovs_hv_bridge = 'br-x': a bridge device with that name exists",
        id="bridge-name-not-ours",
    ),
]


@pytest.mark.parametrize(("setup", "teardown", "data", "message"), COLLISIONS)
def test_collision_is_refused_before_the_gap_and_the_old_network_is_untouched(
    legacy: dict[str, str],
    tmp_path: Path,
    setup: str,
    teardown: str,
    data: dict[str, object],
    message: str,
) -> None:
    hv(setup)
    try:
        before = snapshot()
        state = ifupdown_state()
        run = pyinfra(inventory=write_inventory(tmp_path, data))
        out = output_of(run)
        assert run.returncode != 0, out
        assert message in out, out
        assert snapshot() == before
        assert ifupdown_state() == state
        assert answers()
    finally:
        hv(teardown)


# prepared: before the gap; moved: right after the gap's ovs-vsctl move (old devices gone,
# no address anywhere); addressed: the new port answers, no ifupdown bookkeeping done yet.
@pytest.mark.parametrize("step", ["prepared", "moved", "addressed"])
def test_fast_cutover_failing_half_way_rolls_back_to_the_old_network(
    legacy: dict[str, str], tmp_path: Path, step: str
) -> None:
    state = ifupdown_state()
    hv(f"mkdir -p {Path(FAILPOINT).parent} && echo {step} > {FAILPOINT}")
    try:
        run = pyinfra(inventory=write_inventory(tmp_path, {"ovs_hv_confirm_window": WINDOW}))
    finally:
        hv(f"rm -f {FAILPOINT}")
    out = output_of(run)
    assert run.returncode != 0, out
    log = hv("cat /var/lib/ovs-hypervisor/backups/*/cutover/cutover.log")
    assert f"failpoint {step}" in log, log
    wait_until(
        lambda: hv("cat /var/lib/ovs-hypervisor/backups/*/cutover/status").strip() == "rolled-back",
        WINDOW + 40,
        "the rollback",
    )
    wait_until(answers, 15, "192.0.2.10 to answer on the old network")
    now = snapshot()
    for key in ("interfaces", "domains", "running", "xml", "ovs"):
        assert now[key] == legacy[key], key
    assert "192.0.2.10/24" in hv("ip -br addr show dev bridge1234")
    # ifupdown knows the old interfaces again (re-raised ones are listed last now).
    assert sorted(ifupdown_state().split("@@")[0].split()) == sorted(state.split("@@")[0].split())
    hv("rm -rf /var/lib/ovs-hypervisor/backups/*")


def net_state() -> dict[str, Any]:
    """What ifup of the rendered file decides, minus what is random (MACs, uuids, ifindex)."""
    sep = "echo @@;"
    raw = hv(
        "ifquery --state; echo @@; cat /run/network/ifstate; echo @@; "
        'for f in /run/network/ifstate.*; do [ -s $f ] && echo "$f=$(cat $f)"; done; echo @@;'
        "ovs-vsctl --format=json --columns=name,datapath_type,fail_mode,protocols,stp_enable,"
        f"other_config,external_ids list Bridge; {sep}"
        "ovs-vsctl --format=json --columns=name,tag,trunks,vlan_mode,bond_mode,bond_fake_iface,"
        f"lacp,other_config,external_ids list Port; {sep}"
        "ovs-vsctl --format=json --columns=name,type,options,other_config,external_ids,"
        f"mtu_request,error,admin_state,link_state list Interface; {sep}"
        f"ip -j addr; {sep} ip -j route; {sep} ip -j -6 route; {sep}"
        "for d in ovsbr0 eth0 vlan1234 all default; do for k in disable_ipv6 accept_ra autoconf "
        "use_tempaddr; do echo $d.$k=$(cat /proc/sys/net/ipv6/conf/$d/$k); done; done"
    )
    parts = [p.strip() for p in raw.split("@@")]
    skip = ("vnet", "ovs-netdev")

    def rows(text: str) -> list[dict[str, Any]]:
        table = json.loads(text)
        out = [dict(zip(table["headings"], row, strict=True)) for row in table["data"]]
        return sorted((r for r in out if not str(r["name"]).startswith(skip)), key=str)

    links = [
        {
            "name": a["ifname"],
            "up": "UP" in a["flags"],
            "mtu": a["mtu"],
            "addr": sorted(
                (i["family"], i["local"], i["prefixlen"], i.get("broadcast"), i.get("label"))
                for i in a["addr_info"]
                if i.get("scope") != "link"  # fe80:: follows the random MAC of a new port
            ),
        }
        for a in json.loads(parts[6])
        if not a["ifname"].startswith(skip)
    ]
    return {
        "ifquery": parts[0],
        "ifstate": parts[1],
        "ifstate_files": parts[2],
        "bridges": rows(parts[3]),
        "ports": rows(parts[4]),
        "interfaces": rows(parts[5]),
        "links": sorted(links, key=str),
        "routes": sorted(json.dumps(r, sort_keys=True) for r in json.loads(parts[7])),
        "routes6": sorted(
            json.dumps({k: v for k, v in r.items() if k != "expires"}, sort_keys=True)
            for r in json.loads(parts[8])
            if not str(r.get("dev", "")).startswith(skip)
        ),
        "sysctl": parts[9],
    }


def test_fast_cutover_leaves_exactly_what_ifup_of_the_file_leaves(
    legacy: dict[str, str],
) -> None:
    hv(f"rm -f {FAILPOINT}")
    run = pyinfra()  # the default: fast; the deploy ends with verify, which must be clean
    out = output_of(run)
    assert run.returncode == 0, out
    log = hv("cat /var/lib/ovs-hypervisor/backups/*/cutover/cutover.log")
    assert "gap:" in log and "prepare" in log, log
    fast = net_state()
    assert "ovsbr0=ovsbr0" in fast["ifquery"] and "vlan1234=vlan1234" in fast["ifquery"]
    # Now let ifupdown build it from the file: down, then up, as at a reboot.
    hv("ifdown --allow=ovs -a && ifup --allow=ovs -a")
    # (The new port has a new random MAC: our ping refreshes the gateway's ARP entry.)
    hv("ping -c 1 -W 1 192.0.2.1", check=False)
    wait_until(answers, 15, "192.0.2.10 to answer after ifdown/ifup")
    again = net_state()
    for key in fast:
        assert fast[key] == again[key], f"{key}:\nfast: {fast[key]}\nifup: {again[key]}"


def test_rerun_with_a_leftover_legacy_bridge_converges_through_the_fast_path(
    legacy: dict[str, str],
) -> None:
    # (The ifdown/ifup above unplugged the guests' vnet ports: plug them in again.)
    hv("for d in $(virsh list --name); do virsh -q destroy $d; virsh -q start $d; done")
    hv("rm -rf /var/lib/ovs-hypervisor/backups/* && ip link add bridge1011 type bridge")
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    log = hv("cat /var/lib/ovs-hypervisor/backups/*/cutover/cutover.log")
    # Everything was in place already: the gap only re-asserted the address.
    assert "gap:" in log and "could not" not in log, log
    assert "bridge1011" not in hv("ip -br link | awk '{print $1}'").split()
    assert "192.0.2.10/24" in hv("ip -br addr show dev vlan1234")
    assert "ovsbr0=ovsbr0" in hv("ifquery --state")
    assert answers()
