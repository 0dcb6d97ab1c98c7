"""pyinfra facts for links, IPv6 settings, the gateway ping and files (thin shells around
ovs_hypervisor.host_state)."""

from __future__ import annotations

from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.host_state import (
    MISSING,
    LinkInfo,
    NetSnapshot,
    net_state_command,
    parse_file_b64,
    parse_links,
    parse_net_state,
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


class HostNet(FactBase[NetSnapshot]):
    """
    Links, every interface's ``disable_ipv6`` and one bounded ping of the management
    gateway (``ping -n -c1 -W1``; none without ``gateway``), in one round trip:

    .. code:: python

        {"links": {"vlan1234": {"kind": "tun", "master": "ovs-system", "up": True,
                                "addresses": ["192.0.2.10/24", "fe80::1/64"]}, ...},
         "ipv6_disabled": {"all": True, "default": True, "eth0": True, "vlan1234": False},
         "ping": {"target": "192.0.2.1", "reachable": True, "rtt_ms": 0.66,
                  "detail": "reply in 0.66 ms"}}

    ``ipv6_disabled`` is None when the kernel has no IPv6; ``ping.reachable`` is None when
    no ping was tried (no gateway given, no ``ping`` binary).
    """

    def command(self, gateway: str | None = None) -> str:
        return net_state_command(gateway)

    def process(self, output: list[str]) -> NetSnapshot:
        try:
            return parse_net_state(output)
        except ValueError as exc:
            raise FactProcessError(f"cannot parse network state: {exc}") from exc


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
