"""pyinfra fact: the interfaces file and every file it sources, read on the host."""

from __future__ import annotations

from pyinfra.api.command import StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.host_state import FileFact, parse_collected_files, parse_collected_json
from ovs_hypervisor.remote_commands import collect_command


class InterfacesFiles(FactBase[list[FileFact]]):
    """
    The interfaces file, then every file its ``source``/``source-directory`` lines include,
    followed as ifupdown does (nested, ``$VAR`` and globs expanded; remote/collect.py, the
    same reader discovery uses), in ifupdown's reading order:

    .. code:: python

        [{"path": "/etc/network/interfaces", "origin": None, "text": "source vlans\\n",
          "missing": False, "error": None},
         {"path": "/etc/network/vlans", "origin": ("/etc/network/interfaces", 1),
          "text": "auto vlan1011\\n...", "missing": False, "error": None}]
    """

    def command(self, path: str = "/etc/network/interfaces") -> StringCommand:
        return collect_command(path)

    def requires_command(self, path: str = "/etc/network/interfaces") -> str:
        return "python3"

    def process(self, output: list[str]) -> list[FileFact]:
        try:
            return parse_collected_files(parse_collected_json(output)["files"])
        except ValueError as exc:
            raise FactProcessError(f"cannot read the interfaces files: {exc}") from exc
