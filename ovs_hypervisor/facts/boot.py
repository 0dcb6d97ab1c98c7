"""pyinfra fact: our boot unit and its enablement links, in one round trip."""

from __future__ import annotations

import base64
import shlex
from collections.abc import Sequence
from typing import TypedDict

from pyinfra.api.command import StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase


def wants_links(path: str, wanted_by: Sequence[str]) -> list[str]:
    """The symlinks `systemctl enable` makes for the unit at ``path`` (next to it)."""
    base, name = path.rsplit("/", 1)
    return [f"{base}/{target}.wants/{name}" for target in wanted_by]


class BootUnitState(TypedDict):
    text: str | None  # the unit file, None if absent
    links: dict[str, str | None]  # link path -> its target, None if absent


class BootUnit(FactBase[BootUnitState]):
    """
    The unit file's text and where its ``*.wants`` links point:

    .. code:: python

        {"text": "[Unit]...", "links": {"/etc/systemd/system/multi-user.target.wants/x":
                                        "/etc/systemd/system/x"}}
    """

    def command(self, path: str, links: list[str]) -> StringCommand:
        p = shlex.quote(path)
        parts = [f"if test -f {p}; then echo unit $(base64 -w0 {p}); else echo unit; fi"]
        parts += [
            f"echo link {shlex.quote(link)} $(readlink {shlex.quote(link)})" for link in links
        ]
        return StringCommand("; ".join(parts))

    def process(self, output: list[str]) -> BootUnitState:
        state: BootUnitState = {"text": None, "links": {}}
        try:
            for line in output:
                words = line.split()
                if words[0] == "unit" and len(words) > 1:
                    state["text"] = base64.b64decode(words[1]).decode("utf-8")
                elif words[0] == "link":
                    state["links"][words[1]] = words[2] if len(words) > 2 else None
        except (IndexError, ValueError, UnicodeDecodeError) as exc:
            raise FactProcessError(f"cannot read the boot unit state: {exc}") from exc
        return state
