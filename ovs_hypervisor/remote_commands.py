"""Build the shell commands that run our host-side Python scripts (ovs_hypervisor/remote/)."""

from __future__ import annotations

from pyinfra.api.command import QuoteString, StringCommand

from ovs_hypervisor.remote import script_source


def remote_python(script: str, *args: str | QuoteString, stdin: str | None = None) -> StringCommand:
    """`python3 -c <remote/SCRIPT.py> ARGS`: nothing is uploaded, so facts work on a fresh
    host."""
    source = QuoteString(script_source(f"{script}.py"))
    if stdin is None:
        return StringCommand("python3", "-c", source, *args)
    return StringCommand("python3", "-c", source, *args, _stdin=stdin)


def domctl_command(*args: str | QuoteString, stdin: str | None = None) -> StringCommand:
    """remote/domctl.py: libvirt domains (dump/stop/define/start/restore)."""
    return remote_python("domctl", *args, stdin=stdin)


def collect_command(path: str, network: bool = False) -> StringCommand:
    """remote/collect.py: the interfaces file and every file it sources (following
    ``source``/``source-directory`` as ifupdown does) and, with ``network``, the links,
    default routes and the openvswitch module.  Read-only."""
    flags = ["--network"] if network else []
    return remote_python("collect", *flags, QuoteString(path))
