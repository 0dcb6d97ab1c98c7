"""How running domains move (live VLAN update, managed save, restart), decided from facts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ovs_hypervisor.domain_move import (
    MIB,
    memory_bytes,
    needs_free_space,
    plan_moves,
    save_blockers,
    save_need,
)
from ovs_hypervisor.domain_xml import patch_domain_xml
from ovs_hypervisor.model import HostDataError, load_host_config
from ovs_hypervisor.plan import DomainChange, plan_domains
from tests.conftest import DATA, LAB_DATA

# A dump of the lab after a migration (real libvirt 9.0 XML, running domains on ovsbr0).
AFTER: dict[str, dict[str, Any]] = json.loads((DATA / "lab-after" / "domains.json").read_text())
HOSTDEV = (DATA / "domains" / "net-hostdev.xml").read_text()
LEGACY_FULL = (DATA / "domains" / "legacy-full.xml").read_text()


def config(**over: Any) -> Any:
    return load_host_config("hv1", {**LAB_DATA, **over})


def legacy(name: str) -> dict[str, Any]:
    """The lab domain as it was before the migration: running on its legacy bridge."""
    info = AFTER[name]
    nics = {"52:54:00:aa:bb:01": "bridge1011"}
    xml = info["xml"]
    live = info["live_xml"]
    for mac, bridge in nics.items():
        if mac in xml:
            xml = _legacy_nic(xml, mac, bridge)
            live = _legacy_nic(live, mac, bridge)
    return {**info, "xml": xml, "live_xml": live}


def _legacy_nic(xml: str, mac: str, bridge: str) -> str:
    start = xml.index(f"<mac address='{mac}'/>")
    end = xml.index("</interface>", start)
    body = xml[start:end]
    for block in ("<vlan>", "<virtualport"):
        if block in body:
            b = body.index(block)
            close = "</vlan>" if block == "<vlan>" else "</virtualport>"
            e = body.index(close, b) + len(close)
            body = body[:b] + body[e:]
    body = body.replace("<source bridge='ovsbr0'/>", f"<source bridge='{bridge}'/>")
    return xml[:start] + body + xml[end:]


def changes_for(cfg: Any, domains: dict[str, dict[str, Any]]) -> list[DomainChange]:
    return [c for c in plan_domains(cfg, "hv1", domains) if c.changed]


def test_vlan_only_change_on_ovs_is_live() -> None:
    cfg = config(ovs_hv_domains={"vm-access": {"52:54:00:aa:bb:01": {"vlan": 1012}}})
    domains = {"vm-access": AFTER["vm-access"]}
    changes = changes_for(cfg, domains)
    assert [c.name for c in changes] == ["vm-access"]
    moves = plan_moves(cfg, "hv1", changes, domains, free_bytes=None)
    assert moves.live == ["vm-access"] and moves.save == [] and moves.restart == []
    assert moves.of("vm-access") == "live"
    # Live in restart mode too: nothing to restart for a VLAN change.
    cfg_r = config(
        ovs_hv_domain_move="restart",
        ovs_hv_domains={"vm-access": {"52:54:00:aa:bb:01": {"trunk": [1011, 1012]}}},
    )
    assert plan_moves(cfg_r, "hv1", changes_for(cfg_r, domains), domains, None).live == [
        "vm-access"
    ]


def test_legacy_nic_is_saved_in_save_mode_and_restarted_in_restart_mode() -> None:
    domains = {"vm-access": legacy("vm-access")}
    cfg = config()
    changes = changes_for(cfg, domains)
    assert [c.name for c in changes] == ["vm-access"]
    moves = plan_moves(cfg, "hv1", changes, domains, free_bytes=10**12)
    assert (moves.save, moves.restart, moves.live) == (["vm-access"], [], [])
    cfg_r = config(ovs_hv_domain_move="restart")
    moves = plan_moves(cfg_r, "hv1", changes, domains, free_bytes=10**12)
    assert (moves.save, moves.restart, moves.live) == ([], ["vm-access"], [])


def test_vlan_change_of_a_domain_still_on_a_legacy_bridge_live_is_not_live() -> None:
    # Persistent XML already on OVS (an earlier run), but the running NIC still on bridge1011.
    info = {**AFTER["vm-access"], "live_xml": legacy("vm-access")["live_xml"]}
    cfg = config(ovs_hv_domains={"vm-access": {"52:54:00:aa:bb:01": {"vlan": 1012}}})
    domains = {"vm-access": info}
    moves = plan_moves(cfg, "hv1", changes_for(cfg, domains), domains, None)
    assert moves.save == ["vm-access"] and moves.live == []


def test_not_enough_disk_falls_back_to_restart_or_stops_the_run() -> None:
    domains = {n: legacy(n) for n in ("vm-access",)}
    domains["web01"] = {
        "state": "running",
        "persistent": True,
        "xml": LEGACY_FULL,
        "live_xml": LEGACY_FULL,
    }
    cfg = config()
    changes = changes_for(cfg, domains)
    assert {c.name for c in changes} == {"vm-access", "web01"}
    small = save_need(memory_bytes(domains["vm-access"]["xml"]))
    # Room for the 64 MiB guest, not for the 4 GiB one.
    moves = plan_moves(cfg, "hv1", changes, domains, free_bytes=small + 100 * MIB)
    assert moves.save == ["vm-access"]
    assert moves.restart == ["web01"] and "MiB free" in moves.fallbacks["web01"]
    cfg_stop = config(ovs_hv_save_fallback="stop")
    with pytest.raises(HostDataError) as err:
        plan_moves(cfg_stop, "hv1", changes, domains, free_bytes=small + 100 * MIB)
    text = str(err.value)
    assert "hv1" in text and "ovs_hv_domain_move = 'save'" in text
    assert "cannot be saved" in text and "/var/lib/libvirt/qemu/save" in text
    assert "ovs_hv_save_fallback = 'restart'" in text  # the fix


def test_host_devices_block_saving() -> None:
    assert save_blockers(HOSTDEV) and "host device" in save_blockers(HOSTDEV)[0]
    assert save_blockers(AFTER["vm-access"]["live_xml"]) == []
    pci = LEGACY_FULL.replace(
        "</devices>",
        "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
        "<address domain='0x0000' bus='0x06' slot='0x00' function='0x0'/></source></hostdev>"
        "</devices>",
    )
    assert save_blockers(pci)
    domains = {"web01": {"state": "running", "persistent": True, "xml": pci, "live_xml": pci}}
    cfg = config(ovs_hv_save_fallback="stop")
    with pytest.raises(HostDataError, match="web01 cannot be saved: it has 1 host device"):
        plan_moves(cfg, "hv1", changes_for(cfg, domains), domains, free_bytes=10**12)


def test_memory_units() -> None:
    assert memory_bytes(AFTER["vm-access"]["xml"]) == 64 * MIB
    assert memory_bytes(LEGACY_FULL) == 4 * 1024 * MIB
    xml = "<domain><name>x</name><memory unit='GiB'>2</memory></domain>"
    assert memory_bytes(xml) == 2048 * MIB
    with pytest.raises(ValueError, match="unit"):
        memory_bytes("<domain><memory unit='parsecs'>2</memory></domain>")


def test_free_space_is_read_only_when_something_would_be_saved() -> None:
    domains = {"vm-access": legacy("vm-access")}
    changes = changes_for(config(), domains)
    assert needs_free_space(config(), changes)
    assert not needs_free_space(config(ovs_hv_domain_move="restart"), changes)
    assert not needs_free_space(config(), [])


def test_stopped_domains_are_not_moved() -> None:
    info = {**legacy("vm-access"), "state": "shut off", "live_xml": None}
    domains = {"vm-access": info}
    moves = plan_moves(config(), "hv1", changes_for(config(), domains), domains, 0)
    assert (moves.save, moves.restart, moves.live) == ([], [], [])
    assert moves.of("vm-access") == "define"


def test_patch_then_vlan_change_differs_only_in_vlan() -> None:
    # The live path relies on patch_domain_xml changing only <vlan> for a VLAN change.
    xml = AFTER["vm-trunk"]["xml"]
    new = patch_domain_xml(xml, "ovsbr0", {"52:54:00:aa:bb:02": {"vlan": 1011}})
    assert new != xml and "virtualport" in new


def test_guests_that_tag_frames_are_restarted_not_saved() -> None:
    domains = {"vm-access": legacy("vm-access")}
    cfg = config(ovs_hv_domains={"vm-access": {"52:54:00:aa:bb:01": {"trunk": [1011, 1012]}}})
    moves = plan_moves(cfg, "hv1", changes_for(cfg, domains), domains, free_bytes=10**12)
    assert moves.restart == ["vm-access"] and moves.save == []
    assert "52:54:00:aa:bb:01 carry tagged VLANs" in moves.fallbacks["vm-access"]
