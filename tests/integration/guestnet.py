"""The lab's guests as the switch sees them: who answers where (shared by integration tests)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from tests.integration.labctl import lab

HELPERS = Path(__file__).resolve().parents[1] / "helpers"
VLANS = (1234, 1011, 1012, 101, 102)
STATE = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))


@dataclass(frozen=True)
class GuestAddr:
    """One address of one lab guest, as its own OS configured it (lab/guest/README.md)."""

    name: str
    mac: str
    vlan: int
    tagged: bool
    ip: str


def guest_addrs() -> list[GuestAddr]:
    """$OVSLAB_DIR/guests: what `lab/ovslab up` gave hv1's guests on their command lines."""
    found = []
    for line in (STATE / "guests").read_text().splitlines():
        name, mac, vlan, mode, addr = line.split()
        found.append(GuestAddr(name, mac, int(vlan), mode == "tagged", addr.split("/")[0]))
    return found


def same_host_part(ip: str, vlan: int) -> str:
    """The guest's host part in VLAN `vlan`'s subnet (every guest has one host part)."""
    offset = int(ip.rsplit(".", 1)[1]) % 16  # the VM VLANs are /28s, the guests .4-.8
    gw = {1234: "192.0.2.1", 1011: "198.51.100.1", 1012: "198.51.100.17",
          101: "198.51.100.33", 102: "198.51.100.49"}[vlan]  # fmt: skip
    net = int(gw.rsplit(".", 1)[1]) - 1
    return f"{gw.rsplit('.', 1)[0]}.{net + offset}"


def who_answers(addrs: list[GuestAddr]) -> set[tuple[str, int, str]]:
    """ARP for every guest address, and for each guest's host part in every VLAN's subnet, on
    every VLAN's gateway port at once: {(guest, VLAN it answered on, address it answered for)}.
    A reply from a MAC that is no guest's is reported with the MAC as the name."""
    targets = {a.ip for a in addrs} | {same_host_part(a.ip, v) for a in addrs for v in VLANS}
    args = [f"gw{v}={','.join(sorted(targets))}" for v in VLANS]
    out = lab("sw", "--", "python3", str(HELPERS / "arpprobe.py"), *args).stdout
    by_mac = {a.mac: a.name for a in addrs}
    answers = set()
    for line in out.splitlines():
        reply = json.loads(line)
        answers.add((by_mac.get(reply["mac"], reply["mac"]), int(reply["port"][2:]), reply["ip"]))
    return answers


def expected_answers(
    addrs: list[GuestAddr], vlans: dict[str, set[int]]
) -> set[tuple[str, int, str]]:
    """Each guest answers for its own address of VLAN V on V, for every V in vlans[guest]."""
    return {(a.name, a.vlan, a.ip) for a in addrs if a.vlan in vlans.get(a.name, set())}


def console_boots(name: str) -> int:
    """How many times guest NAME of hv1 has booted (its console log is appended to)."""
    log = STATE / "hv1/root/var/log/libvirt/qemu" / f"{name}.console"
    try:
        return log.read_text(errors="replace").count(f"ovslab-guest: {name} up")
    except FileNotFoundError:
        return 0


def wait_booted(boots: dict[str, int], timeout: float = 180) -> None:
    """Wait until every guest in `boots` has booted more often than it had then."""
    deadline = time.monotonic() + timeout
    while pending := [n for n, b in boots.items() if console_boots(n) <= b]:
        if time.monotonic() > deadline:
            raise AssertionError(f"guests did not boot again within {timeout}s: {pending}")
        time.sleep(0.5)
