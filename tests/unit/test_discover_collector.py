"""The host-side collector remote/collect.py, run here on temporary files (read-only).

It must follow `source`/`source-directory` exactly as ifupdown does; where `ifquery` is
installed, the interfaces it finds are compared with the ones in the files collected.  The
deploy (facts/files.py InterfacesFiles -> plan.interfaces_texts) and discovery
(facts/discovery.py LegacyNetwork) both read the files through it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ovs_hypervisor.discover import TOP_FILE, parse_network_facts
from ovs_hypervisor.facts.discovery import LegacyNetwork
from ovs_hypervisor.facts.files import InterfacesFiles
from ovs_hypervisor.interfaces import SourceFile, parse_interfaces_files
from ovs_hypervisor.model import HostDataError
from ovs_hypervisor.plan import interfaces_texts
from ovs_hypervisor.remote import script_source
from ovs_hypervisor.remote_commands import collect_command
from tests.helpers.ifquery import run_ifquery

DATA = Path(__file__).resolve().parents[1] / "data" / "discover"


def collect(top: Path, network: bool = True) -> dict[str, Any]:
    flags = ["--network"] if network else []
    out = subprocess.run(
        [sys.executable, "-c", script_source("collect.py"), *flags, str(top)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    found: dict[str, Any] = json.loads(out.stdout)
    return found


def tree(tmp_path: Path) -> Path:
    etc = tmp_path / "etc"
    (etc / "sub").mkdir(parents=True)
    (etc / "dir").mkdir()
    (etc / "q d").mkdir()
    top = etc / "interfaces"
    top.write_text(
        "# top\n"
        "source sub/*\n"
        "auto lo\n"
        "iface lo inet loopback\n"
        "source-directory dir\n"
        'source "q d/x" ignored-second-word\n'
        "source /nonexistent/file\n"
        "source $OVSD_NOT_SET/none*\n"
    )
    (etc / "sub" / "b").write_text("iface s2 inet manual\n")
    (etc / "sub" / "a").write_text("iface s1 inet manual\nsource ../more\n")
    (etc / "more").write_text("iface m1 inet manual\n")
    (etc / "dir" / "ok-name_1").write_text("iface d1 inet manual\n")
    (etc / "dir" / "bad.name").write_text("iface d2 inet manual\n")
    (etc / "dir" / ".hidden").write_text("iface d3 inet manual\n")
    (etc / "q d" / "x").write_text("iface q1 inet manual\n")
    return top


def test_collector_follows_sources_like_ifupdown(tmp_path: Path) -> None:
    top = tree(tmp_path)
    etc = str(top.parent)
    raw = collect(top)
    files = [(f["path"], f["origin"], f["error"]) for f in raw["files"]]
    assert files == [
        (str(top), None, None),
        (f"{etc}/sub/a", [str(top), 2], None),
        (f"{etc}/sub/../more", [f"{etc}/sub/a", 2], None),
        (f"{etc}/sub/b", [str(top), 2], None),
        (f"{etc}/dir/ok-name_1", [str(top), 5], None),
        (f"{etc}/q d/x", [str(top), 6], None),
    ]
    # what the files define, read in ifupdown's order
    net = parse_network_facts(json.dumps(raw))
    sources = [SourceFile(f["path"], f["text"] or "", f["origin"]) for f in net["files"]]
    config = parse_interfaces_files(sources)
    assert list(config.parsed["interfaces"]) == ["s1", "m1", "s2", "lo", "d1", "q1"]
    assert net["ovs_module"]["state"] in ("loaded", "available", "missing")
    assert isinstance(net["links"], dict)

    for name, found in [
        *((n, True) for n in ("s1", "m1", "s2", "lo", "d1", "q1")),
        ("d2", False),
        ("d3", False),
    ]:
        proc = run_ifquery(top, name, check=False)
        assert (proc.returncode == 0) == found, (name, proc.stderr)


def test_collector_reports_loops_and_unreadable_files(tmp_path: Path) -> None:
    top = tmp_path / "interfaces"
    top.write_text("source loop\nsource bin\nsource nodir/x\n")
    (tmp_path / "loop").write_text("source interfaces\n")
    (tmp_path / "bin").write_bytes(b"iface \xff inet manual\n")
    net = parse_network_facts(json.dumps(collect(top)))
    by_path = {f["path"]: f for f in net["files"]}
    assert by_path[f"{tmp_path}/interfaces"]["error"] is not None  # read again via loop
    assert by_path[f"{tmp_path}/interfaces"]["origin"] == (f"{tmp_path}/loop", 1)
    assert by_path[f"{tmp_path}/bin"]["error"] == "is not UTF-8 text"
    assert net["files"][0]["text"] == "source loop\nsource bin\nsource nodir/x\n"


def test_missing_top_file_is_reported(tmp_path: Path) -> None:
    raw = collect(tmp_path / "nope")
    assert raw["files"][0]["error"].startswith("cannot read: No such file")
    assert raw["files"][0]["missing"] is True


def test_fact_wraps_the_collector() -> None:
    fact = LegacyNetwork()
    command = str(fact.command().get_raw_value())
    assert command.startswith("python3 -c ") and command.endswith(f" {TOP_FILE}")
    assert collect_command("/x", network=True).get_raw_value().endswith(" --network /x")
    recorded = (DATA / "lab-legacy.collector.json").read_text().split("\n")
    net = fact.process(recorded)
    assert net["files"][0]["path"] == TOP_FILE and "bridge1234" in net["links"]
    with pytest.raises(Exception, match="discovery collector: did not print JSON"):
        fact.process(["python3: command not found"])


def test_deploy_reads_the_same_files_as_discovery(tmp_path: Path) -> None:
    """The deploy's fact runs the same collector (without the network part) and sees nested
    and $VAR sources, as ifupdown does."""
    top = tree(tmp_path)
    raw = collect(top, network=False)
    assert set(raw) == {"files"}
    fact = InterfacesFiles()
    assert fact.command().get_raw_value().endswith(f" {TOP_FILE}")
    files = fact.process(json.dumps(raw).split("\n"))
    assert files == parse_network_facts(json.dumps(collect(top)))["files"]
    old, sourced = interfaces_texts("kvm1", files)
    assert old == top.read_text()
    etc = str(top.parent)
    assert list(sourced) == [
        f"{etc}/sub/a",
        f"{etc}/sub/../more",  # sourced by sub/a: nested
        f"{etc}/sub/b",
        f"{etc}/dir/ok-name_1",
        f"{etc}/q d/x",
    ]
    with pytest.raises(Exception, match="cannot read the interfaces files: did not print JSON"):
        fact.process(["python3: command not found"])


def test_deploy_stops_on_an_unreadable_sourced_file(tmp_path: Path) -> None:
    top = tmp_path / "interfaces"
    top.write_text("source loop\nsource bin\nsource $HOME_NOT_SET_X/none\n")
    (tmp_path / "loop").write_text("source interfaces\n")
    (tmp_path / "bin").write_bytes(b"iface \xff inet manual\n")
    files = InterfacesFiles().process(json.dumps(collect(top, network=False)).split("\n"))
    with pytest.raises(HostDataError) as info:
        interfaces_texts("kvm1", files)
    # the loop is no error (the file was read once); the binary file is, naming its source
    assert str(info.value).count("fix:") == 1
    assert f"{tmp_path}/bin (sourced at {top}:2): is not UTF-8 text" in str(info.value)
    missing = InterfacesFiles().process(json.dumps(collect(tmp_path / "nope", False)).split("\n"))
    assert interfaces_texts("kvm1", missing) == (None, {})
