"""pyinfra operation: install and enable a systemd unit without needing a running systemd."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ovs_hypervisor.facts.boot import BootUnit
from ovs_hypervisor.operations.util import log_diff


@operation()
def unit(path: str, content: str, wanted_by: list[str]) -> Generator[Any, None, None]:
    """
    Write a unit file and enable it (the ``*.wants`` symlinks ``systemctl enable`` makes).

    + path: the unit file, e.g. /etc/systemd/system/x.service
    + content: its text
    + wanted_by: targets, e.g. ["multi-user.target"]

    **Example:**

    .. code:: python

        boot.unit(path="/etc/systemd/system/x.service", content=text,
                  wanted_by=["multi-user.target"])
    """
    base, name = path.rsplit("/", 1)
    links = [f"{base}/{target}.wants/{name}" for target in wanted_by]
    state = host.get_fact(BootUnit, path=path, links=links)
    if state["text"] == content and all(state["links"].get(link) == path for link in links):
        host.noop(f"{name} is installed and enabled")
        return
    if state["text"] != content:
        log_diff(path, state["text"], content)
        yield StringCommand("cat >", QuoteString(path), _stdin=content)
        yield StringCommand("chmod 644", QuoteString(path))
    for link in links:
        if state["links"].get(link) != path:
            yield StringCommand(
                "mkdir -p",
                QuoteString(link.rsplit("/", 1)[0]),
                "&& ln -sfn",
                QuoteString(path),
                QuoteString(link),
            )
    yield StringCommand(
        "if command -v systemctl >/dev/null; then systemctl daemon-reload || true; fi"
    )
