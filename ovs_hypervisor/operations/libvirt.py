"""pyinfra operations for libvirt domains (through the host-side helper remote/domctl.py)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pyinfra import logger
from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.exceptions import OperationValueError
from pyinfra.api.operation import operation
from pyinfra.context import host

from ovs_hypervisor.model import DEFAULT_LIBVIRT_URI
from ovs_hypervisor.operations.util import log_diff
from ovs_hypervisor.remote_commands import domctl_command


@operation()
def domains_stopped(
    domains: list[str],
    to_start: str,
    remember: list[str],
    timeout: int = 60,
    destroy: bool = False,
    uri: str = DEFAULT_LIBVIRT_URI,
    saved: list[str] | None = None,
) -> Generator[Any, None, None]:
    """
    Stop domains gracefully (ACPI), all at once. After ``timeout``, destroy the ones still
    running only if allowed, else fail naming them (none is destroyed). Domains moved by
    managed save (``domain_interfaces(move="save")``) are not stopped here, only remembered.

    + domains: the running libvirt domains to stop
    + to_start: file on the host listing what to start again, until ``domains_started`` did
    + remember: the names written there (these domains plus any an interrupted run left)
    + timeout: seconds to wait for the guests to shut down
    + destroy: pull the plug on guests that ignore the request
    + uri: libvirt connection URI on the host
    + saved: domains the following operations managed-save (written to ``to_start`` first)

    **Example:**

    .. code:: python

        libvirt.domains_stopped(
            domains=["vm1", "vm2"], to_start="/var/lib/ovs-hypervisor/to-start",
            remember=["vm1", "vm2"], timeout=60,
        )
    """
    if not domains and not saved:
        host.noop("no running domain needs to stop")
        return
    # Written first: a run killed from here on still knows what to start again.
    yield StringCommand(
        "mkdir -p",
        QuoteString(to_start.rsplit("/", 1)[0]),
        "&& echo",
        *(QuoteString(d) for d in remember),
        ">",
        QuoteString(to_start),
    )
    if not domains:
        return
    args: list[str | QuoteString] = ["stop", *(QuoteString(d) for d in domains)]
    args += ["--timeout", str(timeout), "--uri", QuoteString(uri)]
    if destroy:
        args.append("--destroy")
    yield domctl_command(*args)


_MOVES = {
    "define": "",
    "save": "managed save (guest RAM to disk), resumed after the cutover: no reboot",
    "live": "its running NICs' VLANs updated live: no restart",
}


@operation()
def domain_interfaces(
    domain: str,
    old_xml: str,
    new_xml: str,
    backup_dir: str,
    uri: str = DEFAULT_LIBVIRT_URI,
    move: str = "define",
) -> Generator[Any, None, None]:
    """
    Redefine a domain with its patched XML, backing up the current definition first (a
    managed save image is rewired with it).

    + domain: the libvirt domain
    + old_xml: its current persistent XML (from the LibvirtDomains fact)
    + new_xml: the XML to define (from patch_domain_xml)
    + backup_dir: this run's backup directory; the old XML goes to ``<name>.xml`` there
    + uri: libvirt connection URI on the host
    + move: ``define`` (a stopped domain), ``save`` (managed-save the running domain first)
      or ``live`` (only VLANs change: update the running NICs, the guest keeps running)

    **Example:**

    .. code:: python

        libvirt.domain_interfaces(
            domain="vm1", old_xml=old, new_xml=new, backup_dir="/var/lib/x/run", move="save",
        )
    """
    if move not in _MOVES:
        raise OperationValueError(f"move must be one of {', '.join(_MOVES)}, not {move!r}")
    if old_xml == new_xml:
        host.noop(f"domain {domain} is already wired as the data says")
        return
    log_diff(f"domain {domain}", old_xml, new_xml, verb="redefine")
    if _MOVES[move]:
        host.log(f"Domain {domain}: {_MOVES[move]}", logger.info)
    yield domctl_command(
        "update" if move == "live" else move,
        QuoteString(domain),
        "--backup-dir",
        QuoteString(backup_dir),
        "--uri",
        QuoteString(uri),
        stdin=new_xml,
    )


@operation()
def domains_started(
    domains: list[str], to_start: str, uri: str = DEFAULT_LIBVIRT_URI
) -> Generator[Any, None, None]:
    """
    Start the domains that were running before the migration, then forget the list.

    + domains: the libvirt domains to start (already running ones are left alone)
    + to_start: the file ``domains_stopped`` wrote
    + uri: libvirt connection URI on the host
    """
    if not domains:
        host.noop("no domain needs to start")
        return
    for domain in domains:
        yield domctl_command("start", QuoteString(domain), "--uri", QuoteString(uri))
    yield StringCommand("rm -f", QuoteString(to_start))
