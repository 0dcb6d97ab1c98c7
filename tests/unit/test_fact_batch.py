"""Many facts in one round trip (ovs_hypervisor/facts/batch.py): the script runs in a real
shell here, and each section must give what the fact alone would have given."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from pyinfra.api.command import StringCommand

from ovs_hypervisor.facts.batch import _command, _process, batch_script, split_sections
from ovs_hypervisor.facts.boot import BootUnit
from ovs_hypervisor.facts.net import FileText, Links
from ovs_hypervisor.facts.runlock import RunLock


def run(script: StringCommand) -> list[str]:
    text = script.get_raw_value()
    out = subprocess.run(["sh", "-c", text], capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_sections_keep_each_commands_output_and_exit_code() -> None:
    commands = [
        StringCommand("printf 'a\\nb\\n'"),
        StringCommand("printf 'no newline'"),
        StringCommand("true"),
        StringCommand("echo half; exit 3"),
        StringCommand("printf '\\n\\nx\\n'"),
    ]
    sections = split_sections(run(batch_script(commands)), len(commands))
    assert sections == {
        0: (0, ["a", "b"]),
        1: (0, ["no newline"]),
        2: (0, []),
        3: (3, ["half"]),
        4: (0, ["", "", "x"]),
    }


def test_a_cut_off_section_is_left_out() -> None:
    lines = run(batch_script([StringCommand("echo one"), StringCommand("echo two")]))
    assert split_sections(lines[:-1], 2) == {0: (0, ["one"])}


def read(cls: Any, **kwargs: Any) -> tuple[bool, Any]:
    (rc, lines) = split_sections(run(batch_script([_command(cls, kwargs)])), 1)[0]
    return _process(cls, rc, lines)


def test_facts_read_in_a_batch_give_what_the_fact_gives(tmp_path: Path) -> None:
    text = "auto lo\niface lo inet loopback\n\n# no final newline kept exactly"
    (tmp_path / "f").write_text(text)
    assert read(FileText, path=str(tmp_path / "f")) == (True, text)
    assert read(FileText, path=str(tmp_path / "missing")) == (True, None)
    unit = tmp_path / "x.service"
    unit.write_text("[Unit]\n")
    link = tmp_path / "multi-user.target.wants" / "x.service"
    link.parent.mkdir()
    link.symlink_to(unit)
    got = read(BootUnit, path=str(unit), links=[str(link)])
    assert got == (True, {"text": "[Unit]\n", "links": {str(link): str(unit)}})


def test_a_missing_required_command_is_left_to_pyinfra() -> None:
    class NeedsNothingHere(Links):
        def requires_command(self) -> str:
            return "no-such-command-here"

    assert read(NeedsNothingHere) == (False, None)


def test_no_output_is_the_facts_default() -> None:
    # RunLock prints nothing when no run holds the host
    assert _process(RunLock, 0, []) == (True, RunLock().default())


def test_failures_are_left_to_pyinfra() -> None:
    # a failed command, a missing required command, unparsable output: pyinfra's get_fact
    # reports them the usual way
    assert _process(FileText, 1, ["x"]) == (False, None)
    assert _process(Links, 0, ["##PYINFRA_NOCMD##"]) == (False, None)
    assert _process(Links, 0, ["not json"]) == (False, None)
