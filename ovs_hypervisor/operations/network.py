"""pyinfra operations for the host's network files and the guarded cutover."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Generator
from typing import Any

import gevent
from pyinfra import logger
from pyinfra.api.command import FunctionCommand, QuoteString, StringCommand
from pyinfra.api.operation import operation
from pyinfra.context import host

from ovs_hypervisor.facts.net import FileText
from ovs_hypervisor.operations.util import atomic_write, log_diff


@operation()
def interfaces_file(
    content: str,
    path: str = "/etc/network/interfaces",
    staged_path: str = "/etc/network/interfaces.ovs-hypervisor.new",
    current: str | bool | None = False,
) -> Generator[Any, None, None]:
    """
    Stage and validate the replacement of the interfaces file on the host.

    The staged file is moved into place by ``network.cutover``: replacing the live file
    without the cutover would leave the host's file and network disagreeing.

    + content: the full new file
    + path: the interfaces file
    + staged_path: where the validated new file waits for the cutover
    + current: the file's text if the caller already read it (None: absent); saves a round trip

    **Example:**

    .. code:: python

        network.interfaces_file(content=text)
    """
    if current is False:
        current = host.get_fact(FileText, path=path)
    if current == content:
        host.noop(f"{path} is already up to date")
        return
    log_diff(path, current if isinstance(current, str) else None, content)
    yield atomic_write(staged_path, content)
    # ifquery parses the file with the host's own ifupdown: a syntax error stops us here.
    yield StringCommand("ifquery -i", QuoteString(staged_path), "--list --allow=ovs >/dev/null")


@operation()
def sysctl_file(
    content: str | None,
    path: str,
    mgmt_port: str,
    mgmt_ipv6: bool,
    apply: bool = True,
    current: str | bool | None = False,
) -> Generator[Any, None, None]:
    """
    Write (or remove, when ``content`` is None) our sysctl.d file and apply it now.

    + content: file text, or None to remove our file
    + path: the sysctl.d file
    + mgmt_port: re-enabled after applying, so the management port keeps IPv6
    + mgmt_ipv6: whether the management port speaks IPv6
    + apply: write and apply now; False when a cutover follows: the file is staged next to
      ``path`` and the cutover installs and applies it inside its commit-confirmed window
    + current: the file's text if the caller already read it (None: absent)
    """
    if current is False:
        current = host.get_fact(FileText, path=path)
    if current == content:
        host.noop(f"{path} is already up to date")
        return
    if content is None:
        host.log(f"Will remove {path}", logger.info)
        yield StringCommand("rm -f", QuoteString(path))
        return
    log_diff(path, current if isinstance(current, str) else None, content)
    if not apply:
        # The cutover moves it into place inside its commit-confirmed window: a run that
        # stops earlier leaves no file that would disable IPv6 at the next boot.
        yield atomic_write(f"{path}.ovs-hypervisor.new", content)
        return
    yield atomic_write(path, content)
    yield StringCommand("sysctl -q -p", QuoteString(path))
    if mgmt_ipv6:
        yield StringCommand(
            "sysctl -q -w",
            QuoteString(f"net.ipv6.conf.{mgmt_port}.disable_ipv6=0"),
            "2>/dev/null || true",
        )


@operation()
def backed_up(
    backup_dir: str,
    needed: bool,
    interfaces_path: str = "/etc/network/interfaces",
    sysctl_path: str | None = None,
    installs: list[str] | None = None,
    run_env: str = "",
    restart_domains: list[str] | None = None,
    saved_domains: list[str] | None = None,
    domctl: str = "",
    marker: str = "",
) -> Generator[Any, None, None]:
    """
    Copy everything a cutover replaces into this run's backup directory, before any change.

    Interfaces file and interfaces.d, our sysctl.d file (or a note that there was none), the
    live IPv6 sysctls, and an ``ovsdb-client backup`` of the OVS database.  Domain XMLs are
    backed up by ``libvirt.domain_interfaces`` into the same directory.

    + backup_dir: this run's backup directory
    + needed: whether this run changes anything (decided from facts by the caller)
    + interfaces_path: the interfaces file
    + sysctl_path: our sysctl.d file
    + installs: files the run installs for the new network only (boot units, the guard): the
      ones that exist are copied to ``installed.d/<path>``, all are listed in ``installed``, so
      a rollback restores or removes them
    + run_env: ``run.env``, the paths the boot guard restores (bootguard.run_env)
    + restart_domains: domains to start again if the run is rolled back
    + saved_domains: domains the run moves by managed save (a rollback saves them again)
    + domctl: source of remote/domctl.py, kept in the backup: a boot-time recovery restores the
      domains (and rewires their managed save images) with it
    + marker: written last, naming ``backup_dir``, unless an unconfirmed earlier run's marker
      is there: from now on a boot restores the backup unless the run is confirmed
    """
    if not needed:
        host.noop("nothing changes, nothing to back up")
        return
    host.log(f"Backups of this run: {backup_dir}", logger.info)
    yield StringCommand("mkdir -p -m 0700", QuoteString(backup_dir))
    yield from _network_backup(backup_dir, interfaces_path, sysctl_path)
    if installs:
        yield from _installs_backup(backup_dir, installs)
    if run_env:
        yield atomic_write(f"{backup_dir}/run.env", run_env, mode="0600")
    yield atomic_write(f"{backup_dir}/restart-domains", " ".join(restart_domains or []) + "\n")
    yield atomic_write(f"{backup_dir}/saved-domains", " ".join(saved_domains or []) + "\n")
    if domctl:
        yield atomic_write(f"{backup_dir}/domctl.py", domctl)
    if marker:
        yield _marker_command(backup_dir, marker)


def _copy_if_present(test: str, path: str, saved: str) -> StringCommand:
    """``cp -a`` of ``path`` to ``saved`` unless ``test`` (``-e``, ``-d``) finds nothing."""
    return StringCommand(
        f"test ! {test}", QuoteString(path), "|| cp -a", QuoteString(path), QuoteString(saved)
    )


def _network_backup(
    backup_dir: str, interfaces_path: str, sysctl_path: str | None
) -> Generator[StringCommand, None, None]:
    """The interfaces file and interfaces.d, our sysctl.d file, the live IPv6 sysctls, OVSDB."""
    yield _copy_if_present("-e", interfaces_path, f"{backup_dir}/interfaces")
    d = f"{interfaces_path.rsplit('/', 1)[0]}/interfaces.d"
    yield _copy_if_present("-d", d, f"{backup_dir}/interfaces.d")
    if sysctl_path:
        yield _copy_if_present("-e", sysctl_path, f"{backup_dir}/sysctl.conf")
    # The live values too: a rollback must undo `sysctl -p` of our file, not just delete it.
    yield StringCommand(
        # lo last: restoring "all" disables lo as well
        "sysctl -e net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6",
        "net.ipv6.conf.all.accept_ra net.ipv6.conf.default.accept_ra",
        "net.ipv6.conf.lo.disable_ipv6 >",
        QuoteString(f"{backup_dir}/sysctl.runtime"),
    )
    yield StringCommand(
        "ovsdb-client backup >",
        QuoteString(f"{backup_dir}/ovsdb.backup.tmp"),
        "&& mv -f",
        QuoteString(f"{backup_dir}/ovsdb.backup.tmp"),
        QuoteString(f"{backup_dir}/ovsdb.backup"),
    )


def _installs_backup(backup_dir: str, installs: list[str]) -> Generator[StringCommand, None, None]:
    """The installed files that exist, under installed.d/<path>, and the list of all."""
    for path in installs:
        saved = f"{backup_dir}/installed.d{path}"
        yield StringCommand(
            "if test -e",
            QuoteString(path),
            "|| test -L",
            QuoteString(path),
            "; then mkdir -p",
            QuoteString(saved.rsplit("/", 1)[0]),
            "&& cp -a",
            QuoteString(path),
            QuoteString(saved),
            "; fi",
        )
    yield atomic_write(f"{backup_dir}/installed", "".join(f"{p}\n" for p in installs))


def _marker_command(backup_dir: str, marker: str) -> StringCommand:
    """Write the marker naming ``backup_dir``, unless an earlier run's marker is there."""
    m = QuoteString(marker)
    return StringCommand(
        "mkdir -p",
        QuoteString(marker.rsplit("/", 1)[0]),
        "&& { test -e",
        m,
        "|| { echo",
        QuoteString(backup_dir),
        ">",
        QuoteString(f"{marker}.tmp"),
        "&& sync",
        QuoteString(f"{marker}.tmp"),
        "&& mv -f",
        QuoteString(f"{marker}.tmp"),
        m,
        "; }; }",
    )


# Global arguments that change who runs a command: the polls below run outside pyinfra's
# operation machinery, so they must get them explicitly, or `--sudo` polls a 0700 state
# directory as the SSH user and every cutover looks unreachable (and rolls back).
_PRIVILEGE_ARGS = (
    "_sudo",
    "_sudo_user",
    "_use_sudo_login",
    "_sudo_password",
    "_preserve_sudo_env",
    "_su_user",
    "_use_su_login",
    "_preserve_su_env",
    "_su_shell",
    "_doas",
    "_doas_user",
    "_dzdo",
    "_dzdo_user",
)


def _privilege_args() -> dict[str, Any]:
    """The current operation's sudo/su/doas arguments (while pyinfra generates it)."""
    current: dict[str, Any] = dict(host.current_op_global_arguments or {})
    return {k: current[k] for k in _PRIVILEGE_ARGS if k in current}


def _status(
    host: Any, status_path: str, run_args: dict[str, Any] | None = None, limit: float = 10
) -> str | None:
    """The cutover's status, or None if the host cannot be reached within ``limit`` seconds
    (an SSH connect to a host that lost its address can block for minutes otherwise)."""
    try:
        with gevent.Timeout(limit):
            if not host.connected:
                host.connect(show_errors=False)
            if host.connected:
                ok, output = host.run_shell_command(
                    StringCommand("cat", QuoteString(status_path)),
                    _timeout=limit,
                    **(run_args or {}),
                )
                if ok:
                    return str(output.stdout).strip()
    except (Exception, gevent.Timeout) as exc:  # the connection may break during the cutover
        logger.debug("cutover poll: %s", exc)
        with contextlib.suppress(Exception):  # already gone
            host.disconnect()
    return None


# host name -> when its cutover applied, in this controller run (see give_up_at)
_APPLIED_AT: dict[str, float] = {}


def give_up_at(deadline: float, applied_elsewhere: list[float], window: int | None) -> float:
    """When to stop waiting for a host's cutover to apply.

    pyinfra runs each operation on every host before the next one, so the hosts that applied
    wait for this one before they are verified and confirmed: once the first of them has
    used a third of its window, a host that has not answered is left to roll back by itself
    (``window`` None: a single wait, nobody else's window runs)."""
    if window is None or not applied_elsewhere:
        return deadline
    return min(deadline, min(applied_elsewhere) + window / 3)


def _wait_for_status(
    state: Any,
    host: Any,
    status_path: str,
    wanted: str,
    timeout: int,
    what: str,
    run_args: dict[str, Any] | None = None,
    window: int | None = None,
) -> bool:
    """Poll the detached script's status, reconnecting if SSH dropped (cf server.reboot)."""
    started = time.monotonic()
    deadline = started + timeout
    last: str | None = None
    next_note = started + 5
    while time.monotonic() < (
        deadline := give_up_at(
            deadline, [t for h, t in _APPLIED_AT.items() if h != host.name], window
        )
    ):
        limit = min(10.0, max(1.0, deadline - time.monotonic()))
        last = _status(host, status_path, run_args, limit) or last
        if last == wanted:
            if wanted == "applied":
                _APPLIED_AT[host.name] = time.monotonic()
            return True
        if last in ("rolling-back", "rolled-back") and wanted != "rolled-back":
            break
        if time.monotonic() >= next_note:
            left = int(deadline - time.monotonic())
            host.log(f"{what}: status {last or 'unreachable'}, {left}s left", logger.warning)
            next_note += 5
        time.sleep(0.3)
    log_path = status_path.rsplit("/", 1)[0] + "/cutover.log"
    if last in ("rolling-back", "rolled-back") and wanted != "rolled-back":
        host.log(f"the host rolled back to the previous network (see {log_path})", logger.error)
    else:
        host.log(
            f"{what}: no answer within {deadline - started:.0f}s "
            f"(last status: {last or 'unreachable'}). "
            f"Unless confirmed, the host restores the previous network by itself; see "
            f"{log_path} on the host.",
            logger.error,
        )
    return False


def _run_detached(script: str, state_dir: str, filename: str) -> Generator[Any, None, None]:
    """Upload a script into state_dir and start it detached from this SSH session."""
    script_path = f"{state_dir}/{filename}"
    yield StringCommand("mkdir -p -m 0700", QuoteString(state_dir))
    yield StringCommand("rm -f", QuoteString(f"{state_dir}/status"))
    yield atomic_write(script_path, script, mode="0700")
    # setsid + no stdio: the script must outlive the SSH session (its network may go away).
    yield StringCommand("setsid -f sh", QuoteString(script_path), "</dev/null >/dev/null 2>&1")


@operation()
def cutover(
    script: str, state_dir: str, needed: bool, window: int = 120
) -> Generator[Any, None, None]:
    """
    Run the commit-confirmed cutover script detached on the host; wait until it applied.

    The host then waits ``window`` seconds for ``network.cutover_confirmed``; without it,
    it restores the previous network and domains by itself.

    + script: the shell script (see ovs_hypervisor.cutover.cutover_script)
    + state_dir: where the script keeps its log and status
    + needed: whether anything has to change (decided from facts by the caller)
    + window: seconds the host waits for confirmation before rolling back
    """
    if not needed:
        host.noop("the network is already on Open vSwitch as the data says")
        return
    host.log(
        f"Cutover is commit-confirmed: the host rolls back unless confirmed within {window}s",
        logger.info,
    )
    yield from _run_detached(script, state_dir, "cutover.sh")
    yield FunctionCommand(
        _wait_for_status,
        (f"{state_dir}/status", "applied", max(window - 5, 10), "waiting for the cutover"),
        {"run_args": _privilege_args(), "window": window},
    )


@operation()
def cutover_confirmed(state_dir: str, needed: bool) -> Generator[Any, None, None]:
    """
    Confirm the cutover (after verification passed), so the host keeps the new network.

    + state_dir: the cutover's state directory
    + needed: whether this run cut over
    """
    if not needed:
        host.noop("no cutover to confirm")
        return
    yield StringCommand("touch", QuoteString(f"{state_dir}/confirm"))
    yield FunctionCommand(
        _wait_for_status,
        (f"{state_dir}/status", "confirmed", 15, "confirming the cutover"),
        {"run_args": _privilege_args()},
    )


@operation(is_idempotent=False)
def rolled_back(script: str, state_dir: str, timeout: int = 180) -> Generator[Any, None, None]:
    """
    Restore a run's backup on the host (detached: the network it restores may drop SSH).

    + script: the rollback script (cutover_script with mode="rollback")
    + state_dir: where it keeps its log and status
    + timeout: seconds to wait for it to finish
    """
    yield from _run_detached(script, state_dir, "rollback.sh")
    yield FunctionCommand(
        _wait_for_status,
        (f"{state_dir}/status", "rolled-back", timeout, "rolling back"),
        {"run_args": _privilege_args()},
    )
