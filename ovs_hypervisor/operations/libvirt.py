"""pyinfra operations for libvirt domains (through the host-side helper remote/domctl.py)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pyinfra import logger
from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ovs_hypervisor.operations.util import print_diff
from ovs_hypervisor.remote_commands import domctl_command


@operation()
def domains_stopped(
    domains: list[str],
    to_start: str,
    remember: list[str],
    timeout: int = 60,
    destroy: bool = False,
    uri: str = "qemu:///system",
) -> Generator[Any, None, None]:
    """
    Stop domains gracefully (ACPI), all at once; never suspend. After ``timeout``, destroy
    the ones still running only if allowed, else fail naming them (none is destroyed).

    + domains: the running libvirt domains to stop
    + to_start: file on the host listing what to start again, until ``domains_started`` did
    + remember: the names written there (these domains plus any an interrupted run left)
    + timeout: seconds to wait for the guests to shut down
    + destroy: pull the plug on guests that ignore the request
    + uri: libvirt connection URI on the host

    **Example:**

    .. code:: python

        libvirt.domains_stopped(
            domains=["vm1", "vm2"], to_start="/var/lib/ovs-hypervisor/to-start",
            remember=["vm1", "vm2"], timeout=60,
        )
    """
    if not domains:
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
    args: list[str | QuoteString] = ["stop", *(QuoteString(d) for d in domains)]
    args += ["--timeout", str(timeout), "--uri", QuoteString(uri)]
    if destroy:
        args.append("--destroy")
    yield domctl_command(*args)


@operation()
def domain_interfaces(
    domain: str,
    old_xml: str,
    new_xml: str,
    backup_dir: str,
    uri: str = "qemu:///system",
) -> Generator[Any, None, None]:
    """
    Redefine a domain with its patched XML, backing up the current definition first.

    + domain: the libvirt domain
    + old_xml: its current persistent XML (from the LibvirtDomains fact)
    + new_xml: the XML to define (from patch_domain_xml)
    + backup_dir: this run's backup directory; the old XML goes to ``<name>.xml`` there
    + uri: libvirt connection URI on the host
    """
    if old_xml == new_xml:
        host.noop(f"domain {domain} is already wired as the data says")
        return
    host.log(f"Will redefine domain {domain}", logger.info)
    print_diff(old_xml, new_xml)
    yield domctl_command(
        "define",
        QuoteString(domain),
        "--backup-dir",
        QuoteString(backup_dir),
        "--uri",
        QuoteString(uri),
        stdin=new_xml,
    )


@operation()
def domains_started(
    domains: list[str], to_start: str, uri: str = "qemu:///system"
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
