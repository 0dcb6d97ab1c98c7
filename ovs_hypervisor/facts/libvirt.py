"""pyinfra fact for libvirt domains, via the host-side helper remote/domctl.py."""

from __future__ import annotations

import json
import shlex
from typing import Any

from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.model import DEFAULT_LIBVIRT_URI
from ovs_hypervisor.remote_commands import domctl_command


class LibvirtDomains(FactBase[dict[str, dict[str, Any]]]):
    """
    Every domain (running and defined-only) with state and XML, in one round trip:

    .. code:: python

        {"vm-access": {"state": "running", "persistent": True, "autostart": False,
                       "xml": "<domain ...>", "live_xml": "<domain ...>"}}
    """

    def command(self, uri: str = DEFAULT_LIBVIRT_URI) -> StringCommand:
        return domctl_command("dump", "--uri", QuoteString(uri))

    def process(self, output: list[str]) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads("\n".join(output))
        except json.JSONDecodeError as exc:
            raise FactProcessError(f"domctl dump did not print JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise FactProcessError("domctl dump: expected a JSON object")
        return data


class FreeBytes(FactBase[int | None]):
    """
    Bytes free to root on the filesystem that holds ``path`` (or its nearest existing
    parent), e.g. libvirt's managed save directory: ``83583275008``; None if unreadable.
    """

    def command(self, path: str) -> StringCommand:
        return StringCommand(
            "p=" + shlex.quote(path) + ';while [ ! -d "$p" ]; do p=$(dirname "$p"); done;'
            "df -PB1 \"$p\" | awk 'NR==2 {print $4}'"
        )

    def process(self, output: list[str]) -> int | None:
        text = "".join(output).strip()
        return int(text) if text.isdigit() else None
