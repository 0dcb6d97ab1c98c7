"""pyinfra operation: install and enable a systemd unit without needing a running systemd."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pyinfra import logger
from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ovs_hypervisor.facts.batch import fact
from ovs_hypervisor.facts.boot import BootUnit, wants_links
from ovs_hypervisor.operations.util import atomic_write, log_diff


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
    name = path.rsplit("/", 1)[1]
    links = wants_links(path, wanted_by)
    state = fact(host, BootUnit, path=path, links=links)
    if state["text"] == content and all(state["links"].get(link) == path for link in links):
        host.noop(f"{name} is installed and enabled")
        return
    if state["text"] != content:
        log_diff(path, state["text"], content)
        yield atomic_write(path, content, mode="0644")
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


@operation()
def script(path: str, content: str) -> Generator[Any, None, None]:
    """
    Install an executable host-side script (root only), written atomically.

    + path: e.g. /usr/local/lib/ovs-hypervisor/bootguard.sh
    + content: its text

    **Example:**

    .. code:: python

        boot.script(path="/usr/local/lib/ovs-hypervisor/bootguard.sh", content=text)
    """
    state = fact(host, BootUnit, path=path, links=[])
    if state["text"] == content:
        host.noop(f"{path} is installed")
        return
    # the whole script as a diff would drown the run's output: name it only
    host.log(f"Will {'update' if state['text'] else 'install'} {path}", logger.info)
    yield StringCommand("mkdir -p", QuoteString(path.rsplit("/", 1)[0]))
    yield atomic_write(path, content, mode="0755")


@operation()
def recovery_reported(record: str, backup_dir: str | None) -> Generator[Any, None, None]:
    """
    Move the boot guard's record of a recovery (already reported) into the run's backup.

    + record: the record file (bootguard.RECORD)
    + backup_dir: the backup the guard restored, where the record is kept; None: no record
    """
    if not backup_dir:
        host.noop("no boot recovery to report")
        return
    yield StringCommand(
        "mv -f", QuoteString(record), QuoteString(f"{backup_dir}/boot-recovery.reported")
    )


@operation()
def run_finished(marker: str, needed: bool) -> Generator[Any, None, None]:
    """
    Remove the run's marker once it verified without a cutover to confirm (a cutover's
    confirmation removes it on the host): from now on a boot keeps what the run did.

    + marker: the marker file (bootguard.MARKER)
    + needed: whether this run changed anything without a cutover
    """
    if not needed:
        host.noop("no unconfirmed change to finish")
        return
    yield StringCommand("rm -f", QuoteString(marker), "&& sync")  # kept across a power loss
