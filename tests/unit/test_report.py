"""The verify table and JSON document (ovs_hypervisor.report, and how operations/ovs.py
writes it) on recorded lab states."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

import ovs_hypervisor.operations.ovs as ops
from ovs_hypervisor.host_state import parse_verify_probe
from ovs_hypervisor.model import load_host_config
from ovs_hypervisor.operations.ovs import REPORT_ENV, report_path
from ovs_hypervisor.report import FORMAT, NOT_VERIFIED, render_table, run_document, write_json
from ovs_hypervisor.verify import unreadable, verify_host
from ovs_hypervisor.verify_report import HostReport
from tests.conftest import LAB_AFTER as REC
from tests.conftest import LAB_AFTER_DATA

CONFIG = load_host_config("ovsv-hv1", LAB_AFTER_DATA)

WHEN = datetime(2026, 11, 25, 16, 0, 0, tzinfo=UTC)


def report(name: str) -> HostReport:
    lines = (REC / f"verify-probe-{name}.txt").read_text().splitlines()
    return verify_host(CONFIG, parse_verify_probe(lines), host="ovsv-hv1")


def test_clean_table() -> None:
    table = render_table(report("clean"))
    assert table.splitlines() == [
        "ovsv-hv1: OK, matches the data",
        "  bridge   ovsbr0     datapath netdev    OVS 3.1.0, ovs-vswitchd running              ok",
        "  uplink   eth0       trunk (all VLANs)  ofport 1                                     ok",
        "  mgmt     vlan1234   access 1234        192.0.2.10/24, fe80::f0ee:bbff:fe34:1432/64  ok",
        "  gateway  192.0.2.1  reachable          reply in 0.299 ms"
        "                            (info)",
        "  ipv6     on:        vlan1234",
        "  DOMAIN     MAC                PORT   EXPECTED                ACTUAL"
        "                  STATUS",
        "  vm-access  52:54:00:aa:bb:01  vnet5  access 1011             access 1011             ok",
        "  vm-hybrid  52:54:00:aa:bb:03  vnet6  native 101 + trunk 102  native 101 + trunk 102  ok",
        "  vm-multi   52:54:00:aa:bb:04  vnet7  access 1011             access 1011             ok",
        "  vm-multi   52:54:00:aa:bb:05  vnet8  access 1012             access 1012             ok",
        "  vm-off     52:54:00:aa:bb:06  -      access 1012             -"
        "                       shut off",
        "  vm-trunk   52:54:00:aa:bb:02  vnet9  trunk 1011,1012         trunk 1011,1012         ok",
    ]


def test_drift_table_ends_with_the_differences() -> None:
    table = render_table(report("no-uplink")).splitlines()
    assert table[0] == "ovsv-hv1: 2 differences"
    assert table[2].split() == ["uplink", "eth0", "-", "MISSING"]
    assert table[4].split()[:3] == ["gateway", "192.0.2.1", "NOT"]
    assert table[-2:] == [
        "  - uplink port eth0: port missing: expected on bridge ovsbr0, found absent",
        "  - vm-access 52:54:00:aa:bb:01 port vnet5: vnet port VLAN differs from the domain "
        "XML: expected tag=1011, found tag=999; fix: ovs-vsctl set port vnet5 tag=1011 "
        "trunks=[] vlan_mode=[]",
    ]
    vm_access = next(line for line in table if line.startswith("  vm-access"))
    assert vm_access.split()[-3:] == ["access", "999", "DIFFERS"]


def test_no_nics_line() -> None:
    assert "(no VM NICs on the bridge)" in render_table(report("ovsdb-libvirt-down"))


def test_json_document() -> None:
    doc = run_document({"ovsv-hv1": report("tag999"), "other": None}, WHEN)
    assert doc["format"] == FORMAT
    assert doc["generated"] == "2026-11-25T16:00:00Z"
    assert doc["ok"] is False
    assert doc["hosts"]["other"] == {"verified": False, "ok": False, "error": NOT_VERIFIED}
    host = doc["hosts"]["ovsv-hv1"]
    assert (host["verified"], host["ok"], host["bridge"], host["vswitchd"]) == (
        True,
        False,
        "ovsbr0",
        "running",
    )
    assert host["summary"][1] == {
        "role": "uplink",
        "name": "eth0",
        "config": "trunk (all VLANs)",
        "detail": "ofport 1",
        "status": "ok",
    }
    assert host["gateway"]["reachable"] is True
    assert host["ipv6_enabled"] == ["vlan1234"]
    assert host["nics"][0] == {
        "domain": "vm-access",
        "mac": "52:54:00:aa:bb:01",
        "state": "running",
        "port": "vnet5",
        "expected": {"tag": 1011, "trunks": [], "vlan_mode": None},
        "expected_text": "access 1011",
        "actual": {"tag": 999, "trunks": [], "vlan_mode": None},
        "actual_text": "access 999",
        "status": "DIFFERS",
    }
    off = next(n for n in host["nics"] if n["domain"] == "vm-off")
    assert off["port"] is None and off["actual"] is None and off["status"] == "shut off"
    assert host["differences"] == [
        {
            "kind": "vm-port-vlan",
            "subject": "vm-access 52:54:00:aa:bb:01 port vnet5",
            "expected": "tag=1011",
            "actual": "tag=999",
            "fix": "ovs-vsctl set port vnet5 tag=1011 trunks=[] vlan_mode=[]",
            "area": "vm",
            "message": "vm-access 52:54:00:aa:bb:01 port vnet5: vnet port VLAN differs from the "
            "domain XML: expected tag=1011, found tag=999; fix: ovs-vsctl set port vnet5 "
            "tag=1011 trunks=[] vlan_mode=[]",
        }
    ]
    json.dumps(doc)  # plain JSON types only


def test_ok_only_when_every_host_verified_clean() -> None:
    assert run_document({"a": report("clean")}, WHEN)["ok"] is True
    assert run_document({"a": report("clean"), "b": None}, WHEN)["ok"] is False
    assert run_document({}, WHEN)["ok"] is False


def test_write_json_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old")
    write_json(str(path), {"a": 1})
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_report_path_data_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REPORT_ENV, raising=False)
    assert report_path({}) is None
    monkeypatch.setenv(REPORT_ENV, "/env.json")
    assert report_path({}) == "/env.json"
    assert report_path({"verify_json": "/data.json"}) == "/data.json"


def test_one_document_per_run_lists_every_host(tmp_path: Path) -> None:
    path = str(tmp_path / "run.json")
    hosts = [SimpleNamespace(name=n) for n in ("hv-a", "ovsv-hv1")]
    state = SimpleNamespace(limit_hosts=None, inventory=hosts)
    ops._REPORTS.pop(path, None)
    ops._record(state, report("clean"), path)
    doc = json.loads(Path(path).read_text())
    assert doc["ok"] is False  # hv-a has not been verified (yet)
    assert doc["hosts"]["hv-a"]["verified"] is False
    assert doc["hosts"]["ovsv-hv1"]["ok"] is True
    other = report("tag999")
    other.host = "hv-a"
    ops._record(state, other, path)
    doc = json.loads(Path(path).read_text())
    assert [doc["hosts"][h]["ok"] for h in ("hv-a", "ovsv-hv1")] == [False, True]
    assert doc["hosts"]["hv-a"]["differences"][0]["kind"] == "vm-port-vlan"
    # --limit: only the hosts of this run
    state.limit_hosts = [hosts[1]]
    ops._REPORTS.pop(path)
    ops._record(state, report("clean"), path)
    assert json.loads(Path(path).read_text())["ok"] is True


def test_unreadable_host() -> None:
    rep = unreadable(CONFIG, "hv-x")
    assert not rep.ok and rep.differences[0].kind == "host-unreadable"
    assert render_table(rep).splitlines()[0] == "hv-x: 1 difference"
