"""pyinfra operations for the host's network files and the guarded cutover."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Generator
from typing import Any

from pyinfra import logger
from pyinfra.api.command import FunctionCommand, QuoteString, StringCommand
from pyinfra.api.exceptions import OperationError
from pyinfra.api.operation import operation
from pyinfra.context import host
from pyinfra.operations.util.files import generate_color_diff

from ovs_hypervisor.facts.net import FileText


def _log_diff(path: str, old: str | None, new: str) -> None:
    # Logged before the first yield so that `--dry --diff` shows it.
    verb = "create" if old is None else "modify"
    host.log(f"Will {verb} {path}", logger.info)
    old_lines = [] if old is None else old.splitlines(keepends=True)
    for line in generate_color_diff(old_lines, new.splitlines(keepends=True)):
        logger.info("  %s", line)
    logger.info("")


@operation()
def interfaces_file(
    content: str,
    backup_dir: str,
    path: str = "/etc/network/interfaces",
    staged_path: str = "/etc/network/interfaces.ovs-hypervisor.new",
) -> Generator[Any, None, None]:
    """
    Back up the interfaces file, then stage and validate its replacement on the host.

    The staged file is moved into place by ``network.cutover``: replacing the live file
    without the cutover would leave the host's file and network disagreeing.

    + content: the full new file
    + backup_dir: this run's backup directory (the old file is copied there first)
    + path: the interfaces file
    + staged_path: where the validated new file waits for the cutover

    **Example:**

    .. code:: python

        network.interfaces_file(content=text, backup_dir="/var/lib/ovs-hypervisor/backups/x")
    """
    current = host.get_fact(FileText, path=path)
    if current == content:
        host.noop(f"{path} is already up to date")
        return
    _log_diff(path, current, content)
    yield StringCommand("mkdir -p -m 0700", QuoteString(backup_dir))
    if current is not None:
        yield StringCommand("cp -a", QuoteString(path), QuoteString(f"{backup_dir}/interfaces"))
    yield StringCommand("cat >", QuoteString(staged_path), _stdin=content)
    # ifquery parses the file with the host's own ifupdown: a syntax error stops us here.
    yield StringCommand("ifquery -i", QuoteString(staged_path), "--list --allow=ovs >/dev/null")


@operation()
def sysctl_file(
    content: str | None, path: str, mgmt_port: str, mgmt_ipv6: bool
) -> Generator[Any, None, None]:
    """
    Write (or remove, when ``content`` is None) our sysctl.d file and apply it now.

    + content: file text, or None to remove our file
    + path: the sysctl.d file
    + mgmt_port: re-enabled after applying, so the management port keeps IPv6
    + mgmt_ipv6: whether the management port speaks IPv6
    """
    current = host.get_fact(FileText, path=path)
    if current == content:
        host.noop(f"{path} is already up to date")
        return
    if content is None:
        host.log(f"Will remove {path}", logger.info)
        yield StringCommand("rm -f", QuoteString(path))
        return
    _log_diff(path, current, content)
    yield StringCommand("cat >", QuoteString(path), _stdin=content)
    yield StringCommand("sysctl -q -p", QuoteString(path))
    if mgmt_ipv6:
        yield StringCommand(
            "sysctl -q -w",
            QuoteString(f"net.ipv6.conf.{mgmt_port}.disable_ipv6=0"),
            "2>/dev/null || true",
        )


def _wait_for_cutover(state: Any, host: Any, status_path: str, timeout: int) -> bool:
    """Poll the detached script's status file, reconnecting if SSH dropped (cf server.reboot)."""
    deadline = time.monotonic() + timeout
    last = "unknown"
    while time.monotonic() < deadline:
        try:
            if not host.connected:
                host.connect(show_errors=False)
            if host.connected:
                ok, output = host.run_shell_command(
                    StringCommand("cat", QuoteString(status_path)), _timeout=10
                )
                if ok:
                    last = output.stdout.strip()
                    if last == "ok":
                        return True
                    if last == "failed":
                        break
        except Exception as exc:  # the connection is expected to break during the cutover
            logger.debug("cutover poll: %s", exc)
            with contextlib.suppress(Exception):  # already gone
                host.disconnect()
        time.sleep(0.5)
    log_path = status_path.rsplit("/", 1)[0] + "/cutover.log"
    raise OperationError(
        f"cutover did not finish (last status: {last}); see {log_path} on the host. "
        "The previous interfaces file is in this run's backup directory."
    )


@operation()
def cutover(
    script: str, state_dir: str, needed: bool, timeout: int = 120
) -> Generator[Any, None, None]:
    """
    Run the cutover script detached on the host and wait until it reports success.

    + script: the shell script (see ovs_hypervisor.cutover.cutover_script)
    + state_dir: where the script keeps its log and status
    + needed: whether anything has to change (decided from facts by the caller)
    + timeout: seconds to wait for the status to become ``ok``
    """
    if not needed:
        host.noop("the network is already on Open vSwitch as the data says")
        return
    script_path = f"{state_dir}/cutover.sh"
    yield StringCommand("mkdir -p -m 0700", QuoteString(state_dir))
    yield StringCommand("rm -f", QuoteString(f"{state_dir}/status"))
    yield StringCommand("cat >", QuoteString(script_path), _stdin=script)
    # setsid + no stdio: the script must outlive this SSH session.
    yield StringCommand("setsid -f sh", QuoteString(script_path), "</dev/null >/dev/null 2>&1")
    yield FunctionCommand(_wait_for_cutover, (f"{state_dir}/status", timeout), {})
