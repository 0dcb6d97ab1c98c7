"""The boot guard: its pure helpers, and remote/bootguard.sh run for real on a scratch tree.

The script runs with OVS_HV_VAR / OVS_DBDIR / OVS_RUNDIR pointing into tmp_path and a run.env
whose paths are there too, so it restores files exactly as at boot without touching this
machine (no sysctl.runtime and no domain XML in the backups: those act on the live system).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ovs_hypervisor import bootguard
from ovs_hypervisor.facts.guard import parse_guard

SCRIPT = Path(bootguard.__file__).parent / "remote" / "bootguard.sh"


def test_guard_fact_separates_a_live_script_a_stale_marker_and_the_record() -> None:
    state = parse_guard(
        [
            "live=/var/lib/ovs-hypervisor/backups/R1/cutover",
            "status=applied",
            "marker=/var/lib/ovs-hypervisor/backups/R1",
            "to_start=vm1 vm2",
            "guard_alive=yes",
            "rec_state=recovering",
            "rec_run=R0",
            "rec_log=/x=y.log",
        ]
    )
    assert state["pending"] == "/var/lib/ovs-hypervisor/backups/R1/cutover"
    assert state["pending_status"] == "applied"
    assert state["marker"] == "/var/lib/ovs-hypervisor/backups/R1"
    assert state["to_start"] == ["vm1", "vm2"]
    assert state["guard_alive"] is True
    assert state["recovery"] == {"state": "recovering", "run": "R0", "log": "/x=y.log"}
    empty = parse_guard(["marker=", "to_start="])
    assert empty["pending"] is None and empty["marker"] is None and empty["recovery"] == {}


def test_recovery_report_is_one_paragraph_naming_run_stage_backup_and_domains() -> None:
    record = {
        "state": "recovered",
        "run": "20261202-185025",
        "backup": "/var/lib/ovs-hypervisor/backups/20261202-185025",
        "cutover_status": "applied",
        "started": "2026-12-02T18:50:46Z",
        "finished": "2026-12-02T18:50:55Z",
        "started_domains": "vm-a vm-b",
        "log": "/var/lib/ovs-hypervisor/backups/20261202-185025/boot-recovery.log",
    }
    text = bootguard.recovery_report("hv1", record)
    assert "\n" not in text
    for part in ("'hv1'", "run 20261202-185025", "'applied'", record["backup"], "vm-a, vm-b"):
        assert part in text
    early = bootguard.recovery_report("hv1", {**record, "cutover_status": "not started"})
    assert "cutover had not started yet" in early
    refusal = bootguard.recovering_refusal("hv1", record, alive=True)
    assert "rolling back the unconfirmed run 20261202-185025" in refusal
    assert "wait until it finishes" in refusal
    assert "no guard process runs" in bootguard.recovering_refusal("hv1", record, alive=False)


def test_every_unit_calls_the_installed_script_and_the_units_are_installed_paths() -> None:
    paths = bootguard.installed_paths()
    assert paths[0] == bootguard.SCRIPT
    for unit in bootguard.UNITS:
        assert unit.path in paths and all(link in paths for link in unit.links)
        text = unit.text()
        assert "[Install]" in text
        for line in text.splitlines():
            if line.startswith("ExecStart=") and "bootguard" in line:
                assert bootguard.SCRIPT in line


@pytest.fixture
def scratch(tmp_path: Path) -> dict[str, Path]:
    """A host tree with an unconfirmed run: new files in place, its backup, its marker."""
    var = tmp_path / "var"
    backup = var / "backups" / "R1"
    etc = tmp_path / "etc"
    (backup / "interfaces.d").mkdir(parents=True)
    (backup / "cutover").mkdir()
    (etc / "interfaces.d").mkdir(parents=True)
    (etc / "ovs").mkdir()
    (backup / "interfaces").write_text("auto bridge1234\n")
    (backup / "interfaces.d" / "a").write_text("old a\n")
    (backup / "sysctl.conf").write_text("old sysctl\n")
    (backup / "ovsdb.backup").write_text("OVSDB JSON old\n")
    (backup / "cutover" / "status").write_text("applied\n")
    (etc / "interfaces").write_text("allow-ovs ovsbr0\n")
    (etc / "interfaces.d" / "a").write_text("new a\n")
    (etc / "interfaces.d" / "added").write_text("added by the run\n")
    (etc / "interfaces.new").write_text("staged\n")
    (etc / "sysctl.conf").write_text("new sysctl\n")
    (etc / "ovs" / "conf.db").write_text("OVSDB JSON new\n")
    (backup / "run.env").write_text(
        bootguard.run_env(
            interfaces=str(etc / "interfaces"),
            staged=str(etc / "interfaces.new"),
            sysctl=str(etc / "sysctl.conf"),
            sysctl_staged=str(etc / "sysctl.conf.new"),
            uri="test:///default",
            to_start=str(var / "to-start"),
        )
    )
    (var / "pending").write_text(f"{backup}\n")
    return {"var": var, "backup": backup, "etc": etc, "run": tmp_path / "run"}


def guard(paths: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    paths["run"].mkdir(exist_ok=True)
    env = {
        **os.environ,
        "OVS_HV_VAR": str(paths["var"]),
        "OVS_DBDIR": str(paths["etc"] / "ovs"),
        "OVS_RUNDIR": str(paths["run"]),  # no ovsdb-server answers there: offline restore
    }
    return subprocess.run(
        ["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False
    )


def record_of(var: Path) -> dict[str, str]:
    return bootguard.parse_record((var / "boot-recovery").read_text().splitlines())


def test_early_restores_the_files_and_the_database_offline_and_is_idempotent(
    scratch: dict[str, Path],
) -> None:
    etc, backup, var = scratch["etc"], scratch["backup"], scratch["var"]
    assert guard(scratch, "early").returncode == 0
    assert (etc / "interfaces").read_text() == "auto bridge1234\n"
    assert (etc / "interfaces.d" / "a").read_text() == "old a\n"
    assert not (etc / "interfaces.d" / "added").exists()
    assert not (etc / "interfaces.new").exists()
    assert (etc / "sysctl.conf").read_text() == "old sysctl\n"
    assert (etc / "ovs" / "conf.db").read_text() == "OVSDB JSON old\n"
    first = record_of(var)
    assert first["state"] == "recovering"
    assert first["run"] == "R1" and first["backup"] == str(backup)
    assert first["cutover_status"] == "applied"
    assert "OVSDB restored offline" in (backup / "boot-recovery.log").read_text()
    assert (var / "pending").exists()  # removed only when the domains are back (late)
    # power loss during the recovery: the next boot does it again, same record
    (etc / "interfaces").write_text("allow-ovs ovsbr0\n")
    assert guard(scratch, "early").returncode == 0
    assert (etc / "interfaces").read_text() == "auto bridge1234\n"
    assert record_of(var) == first
    assert not list(etc.rglob("*.tmp.*"))


def test_early_removes_a_sysctl_file_the_host_did_not_have(scratch: dict[str, Path]) -> None:
    (scratch["backup"] / "sysctl.conf").unlink()
    assert guard(scratch, "early").returncode == 0
    assert not (scratch["etc"] / "sysctl.conf").exists()


def test_without_a_marker_the_guard_does_nothing(scratch: dict[str, Path]) -> None:
    (scratch["var"] / "pending").unlink()
    for phase in ("early", "late"):
        assert guard(scratch, phase).returncode == 0
    assert (scratch["etc"] / "interfaces").read_text() == "allow-ovs ovsbr0\n"
    assert not (scratch["var"] / "boot-recovery").exists()


def test_remove_installed_restores_what_existed_and_removes_what_the_run_added(
    tmp_path: Path,
) -> None:
    backup = tmp_path / "backup"
    kept = tmp_path / "etc" / "kept.service"
    added = tmp_path / "etc" / "added.service"
    link = tmp_path / "etc" / "multi-user.target.wants" / "added.service"
    link.parent.mkdir(parents=True)
    kept.write_text("new version\n")
    added.write_text("added\n")
    link.symlink_to(added)
    saved = backup / "installed.d" / str(kept).lstrip("/")
    saved.parent.mkdir(parents=True)
    saved.write_text("old version\n")
    (backup / "installed").write_text(f"{kept}\n{added}\n{link}\n")
    run = subprocess.run(
        ["sh", str(SCRIPT), "remove-installed", str(backup)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert kept.read_text() == "old version\n"
    assert not added.exists() and not link.is_symlink()
