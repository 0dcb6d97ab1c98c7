"""pyinfra facts for links and files (thin shells around ovs_hypervisor.host_state)."""

from __future__ import annotations

from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.host_state import (
    MISSING,
    LinkInfo,
    parse_file_b64,
    parse_links,
)


class Links(FactBase[dict[str, LinkInfo]]):
    """
    Every link with its kind, bridge master and addresses (`ip -j -d addr show`):

    .. code:: python

        {"bridge1011": {"kind": "bridge", "master": None, "up": True, "addresses": []},
         "vlan1011": {"kind": "vlan", "master": "bridge1011", "up": True, "addresses": []}}
    """

    def command(self) -> str:
        return "ip -j -d addr show"

    def requires_command(self) -> str:
        return "ip"

    def process(self, output: list[str]) -> dict[str, LinkInfo]:
        try:
            return parse_links("\n".join(output))
        except ValueError as exc:
            raise FactProcessError(str(exc)) from exc


class FileText(FactBase[str | None]):
    """
    The exact text of a file (newlines preserved), or None if it does not exist.
    """

    def command(self, path: str) -> StringCommand:
        return StringCommand(
            "if test -e",
            QuoteString(path),
            "; then base64 -w0",
            QuoteString(path),
            "; else echo",
            MISSING,
            "; fi",
        )

    def process(self, output: list[str]) -> str | None:
        try:
            return parse_file_b64(output)
        except (ValueError, UnicodeDecodeError) as exc:
            raise FactProcessError(f"cannot decode file: {exc}") from exc
