"""Save mode on the lab: running guests move to OVS without rebooting, and come back the same
way when the host rolls back; VLAN changes on a migrated host are applied live.

One lab, in story order: a domain that cannot be saved stops the run with every domain
untouched; a wrong management VLAN rolls back with the guests resumed from RAM on the legacy
bridges; a real save-mode migration; a day-2 VLAN change applied live; rollback.py back to the
legacy bridges (guests resumed again); a save directory with room for one guest only (the
others restart). "Not rebooted" is read from libvirt (domstate reason `restored`, not
`booted`) and, with real guests, from each guest's boot id and uptime.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from ovs_hypervisor.domain_move import MIB, SAVE_DIR, memory_bytes, save_need
from tests.integration.labctl import (
    answers,
    cutover_status,
    fresh_lab,
    hv,
    lab,
    output_of,
    pyinfra,
    snapshot,
    wait_until,
    write_inventory,
)

pytestmark = pytest.mark.integration

RUNNING = ["vm-access", "vm-hybrid", "vm-multi", "vm-trunk"]
# Save mode saves the guests with access NICs; those with trunk/hybrid NICs (the guest tags
# frames itself) are restarted instead: a restored guest loses its tagged traffic.
SAVED = ["vm-access", "vm-multi"]
TAGGED = ["vm-hybrid", "vm-trunk"]
WINDOW = 20
LAB_DIR = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
CONSOLES = LAB_DIR / "hv1" / "root" / "var" / "log" / "libvirt" / "qemu"


def boots() -> dict[str, list[str]]:
    """Per real lab guest, the boot ids it printed on its serial console (one line per boot,
    the log is appended across boots). Empty while the lab's guests are firmware-only."""
    out = {}
    for name in RUNNING:
        path = CONSOLES / f"{name}.console"
        if path.exists():
            text = path.read_text(errors="replace")
            out[name] = re.findall(r"ovslab-guest: \S+ up, boot_id (\S+)", text)
    return out


def guest_addresses() -> dict[str, list[str]]:
    """name -> its addresses on its VLANs ($OVSLAB_DIR/guests: name mac vlan mode addr/len)."""
    out: dict[str, list[str]] = {}
    path = LAB_DIR / "guests"
    for line in path.read_text().splitlines() if path.exists() else []:
        parts = line.split()
        if len(parts) == 5 and parts[0] in RUNNING:
            out.setdefault(parts[0], []).append(parts[4].split("/")[0])
    return out


def pings(address: str) -> bool:
    """One ping from the switch namespace (through the address's VLAN gateway) answers."""
    return lab("sw", "--", "ping", "-c1", "-W1", address, check=False).returncode == 0


def assert_not_rebooted(before: dict[str, list[str]], names: list[str] = RUNNING) -> None:
    now = {n: ids for n, ids in boots().items() if n in names}
    # No new boot line on any of their consoles since `before`.
    assert now == {n: ids for n, ids in before.items() if n in names}, (before, now)


@pytest.fixture(scope="module")
def legacy() -> Iterator[dict[str, str]]:
    with fresh_lab() as before:
        yield before


def domstates() -> dict[str, str]:
    """name -> `virsh domstate --reason` ("running (booted)", "running (restored)", ...)."""
    out = hv(
        'for d in $(virsh list --all --name); do echo "$d $(virsh domstate --reason $d)"; done'
    )
    return dict(line.split(" ", 1) for line in out.splitlines() if line.strip())


def domain_ids() -> dict[str, str]:
    return {d: hv(f"virsh domid {d}").strip() for d in RUNNING}


def bridges_of(name: str) -> list[str]:
    out = hv(f"virsh domiflist {name}")
    return [line.split()[2] for line in out.splitlines()[2:] if line.strip()]


def port_columns(name: str) -> dict[str, str]:
    """OVSDB tag/trunks/vlan_mode of the vnet port of domain NAME's first NIC."""
    vnet = hv(f"virsh domiflist {name}").splitlines()[2].split()[0]
    out = hv(f"ovs-vsctl get port {vnet} tag trunks vlan_mode").split("\n")
    return dict(zip(("tag", "trunks", "vlan_mode"), out, strict=False))


def saved_images() -> str:
    return hv(f"ls {SAVE_DIR}", check=False).strip()


def small_save_dir(size_mib: int) -> None:
    """A tmpfs over libvirt's save directory inside the lab's mount namespace."""
    hv(f"mount -t tmpfs -o size={size_mib}m tmpfs {SAVE_DIR}")


def test_unsaveable_domains_stop_the_run_before_any_domain_is_touched(
    legacy: dict[str, str], tmp_path: Path
) -> None:
    states = domstates()
    small_save_dir(1)
    try:
        run = pyinfra(
            inventory=write_inventory(
                tmp_path, {"ovs_hv_domain_move": "save", "ovs_hv_save_fallback": "stop"}
            )
        )
    finally:
        hv(f"umount {SAVE_DIR}")
    out = output_of(run)
    assert run.returncode != 0, out
    for name in SAVED:
        assert f"domain {name} cannot be saved: saving its memory needs about" in out, out
    for name in TAGGED:
        assert f"domain {name} cannot be saved: its NIC(s)" in out, out
    assert "ovs_hv_save_fallback = 'restart'" in out  # the fix
    assert snapshot() == legacy
    assert domstates() == states  # not even saved and resumed


def test_wrong_mgmt_vlan_rolls_back_and_resumes_saved_guests(
    legacy: dict[str, str], tmp_path: Path
) -> None:
    booted = boots()
    inventory = write_inventory(
        tmp_path,
        {"ovs_hv_mgmt_vlan": 1011, "ovs_hv_mgmt_port": "vlan1234", "ovs_hv_confirm_window": WINDOW},
    )
    run = pyinfra(inventory=inventory)
    out = output_of(run)
    assert run.returncode != 0, out
    assert "managed save" in out, out
    wait_until(lambda: cutover_status() == "rolled-back", WINDOW + 40, "the host's rollback")
    wait_until(answers, 15, "192.0.2.10 to answer again")
    now = snapshot()
    for key in ("interfaces", "domains", "running", "xml"):
        assert now[key] == legacy[key], key
    states = domstates()
    for name in RUNNING:
        # Resumed from its saved RAM (not booted), on the legacy bridges again.
        assert states[name] == ("running (restored)" if name in SAVED else "running (booted)")
        assert all(b.startswith("bridge") for b in bridges_of(name)), name
    assert saved_images() == ""
    assert_not_rebooted(booted, SAVED)


@pytest.fixture(scope="module")
def migrated(legacy: dict[str, str]) -> str:
    """A save-mode migration (the default); returns its backup directory's name."""
    hv("rm -rf /var/lib/ovs-hypervisor/backups/*")
    booted = boots()
    run = pyinfra()
    out = output_of(run)
    assert run.returncode == 0, out
    for name in SAVED:
        assert f"Domain {name}: managed save" in out, out
    for name in TAGGED:
        assert f"domain {name} cannot be saved" in out, out
    assert_not_rebooted(booted, SAVED)
    return hv("ls /var/lib/ovs-hypervisor/backups | tail -1").strip()


def test_save_mode_migration_resumes_every_guest(migrated: str) -> None:
    # Real guests answer on every VLAN address they have (tagged ones included, now that
    # the trunk and hybrid NICs really are trunks), without having rebooted.
    for name, addresses in guest_addresses().items():
        for address in addresses:
            wait_until(partial(pings, address), 30, f"{name} at {address}")
    states = domstates()
    for name in RUNNING:
        assert states[name] == ("running (restored)" if name in SAVED else "running (booted)")
        assert bridges_of(name) == ["ovsbr0"] * len(bridges_of(name))
    assert states["vm-off"].startswith("shut off")
    assert port_columns("vm-access")["tag"] == "1011"
    assert port_columns("vm-hybrid") == {
        "tag": "101",
        "trunks": "[101, 102]",
        "vlan_mode": "native-untagged",
    }
    assert saved_images() == ""


def test_day2_vlan_change_is_applied_live(migrated: str, tmp_path: Path) -> None:
    ids = domain_ids()
    booted = boots()
    inventory = write_inventory(
        tmp_path,
        {
            "ovs_hv_domains": {
                "vm-access": {"52:54:00:aa:bb:01": {"vlan": 1012}},
                "vm-trunk": {"52:54:00:aa:bb:02": {"trunk": [1011, 1012, 101]}},
                "vm-hybrid": {"52:54:00:aa:bb:03": {"native": 102, "trunk": [101]}},
            }
        },
    )
    before = snapshot()
    dry = pyinfra("--dry", "--diff", inventory=inventory)
    out = output_of(dry)
    assert dry.returncode == 0, out
    assert "Domain vm-access: its running NICs' VLANs updated live" in out, out
    assert re.search(r"\+\s*<tag id='1012'/>", out), out
    assert snapshot() == before
    run = pyinfra(inventory=inventory)
    out = output_of(run)
    assert run.returncode == 0, out
    assert domain_ids() == ids  # never stopped
    assert port_columns("vm-access")["tag"] == "1012"
    assert port_columns("vm-trunk")["trunks"] == "[101, 1011, 1012]"
    assert port_columns("vm-hybrid") == {
        "tag": "102",
        "trunks": "[101, 102]",
        "vlan_mode": "native-untagged",
    }
    assert "<tag id='1012'/>" in hv("virsh dumpxml --inactive vm-access")
    assert_not_rebooted(booted)
    # Its untagged address (a VLAN 1011 subnet) is no longer reachable from VLAN 1011.
    for address in guest_addresses().get("vm-access", []):
        assert not pings(address), address
    # The next run has nothing to do.
    again = pyinfra(inventory=inventory)
    assert again.returncode == 0 and domain_ids() == ids, output_of(again)


def test_rollback_deploy_resumes_guests_on_the_legacy_bridges(
    legacy: dict[str, str], migrated: str
) -> None:
    run = pyinfra("--data", f"rollback={migrated}", deploy="rollback.py")
    assert run.returncode == 0, output_of(run)
    wait_until(answers, 15, "192.0.2.10 to answer again")
    now = snapshot()
    for key in ("interfaces", "domains", "running", "xml"):
        assert now[key] == legacy[key], key
    states = domstates()
    for name in SAVED:
        assert states[name] == "running (restored)", states
    assert saved_images() == ""
    assert all(len(boots().get(n, [""])) == 1 for n in SAVED), boots()


def test_no_room_for_all_saves_one_and_restarts_the_others(
    legacy: dict[str, str], tmp_path: Path
) -> None:
    hv("rm -rf /var/lib/ovs-hypervisor/backups/*")
    need = save_need(memory_bytes(hv("virsh dumpxml vm-access")))
    small_save_dir(need // MIB + 8)  # room for the first guest (vm-access) only
    try:
        run = pyinfra()
    finally:
        hv(f"umount {SAVE_DIR}")
    out = output_of(run)
    assert run.returncode == 0, out
    for name in RUNNING[1:]:
        assert f"domain {name} cannot be saved" in out and "restarting it instead" in out, out
    states = domstates()
    assert states["vm-access"] == "running (restored)", states
    for name in RUNNING[1:]:
        assert states[name] == "running (booted)", states
        assert bridges_of(name) == ["ovsbr0"] * len(bridges_of(name))
