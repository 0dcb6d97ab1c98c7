"""Real guests on their VLANs, before and after the migration (issue 14, points 1, 2 and 5).

The lab's guests boot Linux with an address per VLAN as their own OS configures it (the
wiring after the migration, lab/guest/README.md). From every VLAN's gateway port on the switch
the tests ask (ARP) for every guest address, and for each guest's host part in every VLAN's
subnet: each guest must answer on exactly its VLANs and on no other. Before the migration the
guests sit on the legacy bridges (untagged, one VLAN per NIC), so the trunk guest's tagged
sub-interfaces and the hybrid guest's tagged VLAN are cut off; after it, OVS gives each guest
exactly the VLANs of the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.integration.guestnet import (
    STATE,
    GuestAddr,
    console_boots,
    expected_answers,
    guest_addrs,
    wait_booted,
    who_answers,
)
from tests.integration.labctl import fresh_lab, guest, hv, output_of, pyinfra, sw

pytestmark = pytest.mark.integration

RUNNING = ("vm-access", "vm-trunk", "vm-hybrid", "vm-multi")
# Legacy bridges carry one VLAN untagged: a guest answers only where it is untagged on the
# VLAN of its bridge (the trunk guest is tagged only; the upstream access port drops its frames).
BEFORE = {"vm-access": {1011}, "vm-trunk": set(), "vm-hybrid": {101}, "vm-multi": {1011, 1012}}
# After: the data of the lab inventory (vm-trunk trunk 1011+1012, vm-hybrid native 101 + 102).
AFTER = {"vm-access": {1011}, "vm-trunk": {1011, 1012}, "vm-hybrid": {101, 102},
         "vm-multi": {1011, 1012}}  # fmt: skip


@pytest.fixture(scope="module")
def legacy() -> Iterator[list[GuestAddr]]:
    with fresh_lab():
        yield guest_addrs()


@pytest.fixture(scope="module")
def migrated(legacy: list[GuestAddr]) -> list[GuestAddr]:
    boots = {name: console_boots(name) for name in RUNNING}
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    # Save mode resumes the access guests from RAM (no new boot); the tagged ones restart, and
    # their responders answer only once they have booted again.
    saved = set(re.findall(r"Save domain (\S+), rewire", out))
    wait_booted({name: n for name, n in boots.items() if name not in saved})
    return legacy


def assert_answers_exactly(addrs: list[GuestAddr], vlans: dict[str, set[int]]) -> None:
    got = who_answers(addrs)
    want = expected_answers(addrs, vlans)
    assert got == want, f"missing: {sorted(want - got)}; unexpected: {sorted(got - want)}"


def assert_responders(addrs: list[GuestAddr], vlans: dict[str, set[int]]) -> None:
    """Every expected address answers ping and the TCP responder (from its VLAN's gateway),
    with the guest's own name and one boot_id per guest."""
    boot_ids: dict[str, set[str]] = {}
    for a in addrs:
        if a.vlan not in vlans.get(a.name, set()):
            continue
        sw(f"ping -c1 -W2 {a.ip}")
        out = sw(f"echo id | socat -t 10 -T 15 - TCP:{a.ip}:7000,connect-timeout=5")
        found = re.fullmatch(r"name=(\S+) boot_id=(\S+) uptime=([\d.]+)\n", out)
        assert found and found.group(1) == a.name, (a, out)
        boot_ids.setdefault(a.name, set()).add(found.group(2))
    assert all(len(ids) == 1 for ids in boot_ids.values()), boot_ids


def test_lab_guests_have_addresses_on_their_vlans(legacy: list[GuestAddr]) -> None:
    by_guest = {n: {(a.vlan, a.tagged) for a in legacy if a.name == n} for n in RUNNING}
    assert by_guest == {
        "vm-access": {(1011, False)},
        "vm-trunk": {(1011, True), (1012, True)},
        "vm-hybrid": {(101, False), (102, True)},
        "vm-multi": {(1011, False), (1012, False)},
    }


def test_before_each_guest_answers_on_exactly_its_legacy_vlan(legacy: list[GuestAddr]) -> None:
    assert_answers_exactly(legacy, BEFORE)
    assert_responders(legacy, BEFORE)


# --- the seed's threat: router advertisements from a guest ---------------------------------

ROGUE = "2001:db8:bad::/64"
MGMT_PREFIX = "2001:db8:1234::/64"


def rogue_ra_from_vm_access() -> None:
    """vm-access (VLAN 1011, untagged) sends 4 RAs for ROGUE, one a second."""
    out = guest("vm-access", f"sh rasend eth0 {ROGUE} 1 4")
    assert out.endswith("rc=0"), out


def test_before_a_guest_ra_gives_the_host_an_address_and_a_default_route(
    legacy: list[GuestAddr],
) -> None:
    rogue_ra_from_vm_access()
    # the failure the seed describes: the host is on every VM VLAN and takes the guest's RA
    assert "inet6 2001:db8:bad:" in hv("ip -6 addr show dev bridge1011")
    assert "dev bridge1011" in hv("ip -6 route show default")


def test_after_each_guest_answers_on_exactly_its_vlans(migrated: list[GuestAddr]) -> None:
    assert_answers_exactly(migrated, AFTER)
    assert_responders(migrated, AFTER)


def test_guest_reports_boot_id_and_uptime(migrated: list[GuestAddr]) -> None:
    first = guest("vm-access", "id")
    second = guest("vm-access", "id")
    a = dict(kv.split("=") for kv in first.split())
    b = dict(kv.split("=") for kv in second.split())
    assert a["name"] == "vm-access" and a["boot_id"] == b["boot_id"]
    assert float(b["uptime"]) >= float(a["uptime"]) > 0


def test_after_a_guest_ra_is_not_taken_but_the_management_port_does_slaac(
    migrated: list[GuestAddr],
) -> None:
    rogue_ra_from_vm_access()
    # rasend in the switch's namespace: the management VLAN's router
    sw(f"{STATE}/guest/rasend gw1234 {MGMT_PREFIX} 1 4")
    addrs = hv("ip -6 addr")
    assert "2001:db8:bad:" not in addrs, addrs
    assert "2001:db8:bad" not in hv("ip -6 route"), hv("ip -6 route")
    mgmt = hv("ip -6 addr show dev vlan1234")
    assert re.search(r"inet6 2001:db8:1234:\S+ scope global temporary", mgmt), mgmt
    assert "dev vlan1234" in hv("ip -6 route show default")


def test_after_a_guest_reaches_neither_the_host_nor_another_vlan(
    migrated: list[GuestAddr],
) -> None:
    # on-link routes, so the only question is whether the VLAN 1011 segment has them
    guest(
        "vm-access", "sh ip route add 192.0.2.0/24 dev eth0; ip route add 198.51.100.16/28 dev eth0"
    )
    assert guest("vm-access", "sh ping -c1 -W1 198.51.100.7").endswith("rc=0")  # vm-multi, 1011
    assert guest("vm-access", "sh ping -c2 -W1 198.51.100.23").endswith("rc=1")  # vm-multi, 1012
    assert guest("vm-access", "sh ping -c2 -W1 192.0.2.10").endswith("rc=1")  # the host


def test_after_lo_keeps_ipv6(migrated: list[GuestAddr]) -> None:
    assert "inet6 ::1/128" in hv("ip -6 addr show dev lo")
    hv("ping -6 -c1 -W1 ::1")
    assert hv("sysctl -n net.ipv6.conf.all.disable_ipv6").strip() == "1"
