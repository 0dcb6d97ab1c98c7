"""One change at a time per host: the host-side run lock (pure: text in, decisions out).

A deploy or rollback that changes a host first creates ``LOCK`` on it atomically (shell
``noclobber``); its last step removes it.  The lock names the run: controller, its pid, when it
started and what it does.  Another run started meanwhile is refused at once with that text;
two started together both pass the check, and the atomic create lets exactly one go on.

A run that died (killed, failed half-way: pyinfra stops a failed host's operations, so the
release never ran) leaves its lock.  It is stale when the host rebooted since (``LOCK`` is on
tmpfs) or when it was taken from this controller by a pid that no longer runs; otherwise the
message says how to clear it by hand.
"""

from __future__ import annotations

import functools
import os
import shlex
import socket
import time
from dataclasses import dataclass

LOCK = "/run/ovs-hypervisor/lock"


@dataclass(frozen=True)
class LockInfo:
    token: str  # unique per run: <run id>-<controller pid>
    what: str  # deploy | rollback
    controller: str
    pid: int
    started: str

    def line(self) -> str:
        return (
            f"token={self.token} what={self.what} controller={self.controller} "
            f"pid={self.pid} started={self.started}"
        )


@functools.cache
def this_run(what: str, run_id: str) -> LockInfo:
    """This controller run's lock (the same object for every host and call)."""
    pid = os.getpid()
    return LockInfo(
        token=f"{run_id}-{pid}",
        what=what,
        controller=socket.gethostname(),
        pid=pid,
        started=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    )


def parse_lock(text: str | None) -> LockInfo | None:
    """The lock file's content (None: no lock, or one we cannot read: treated as held)."""
    if not text or not text.strip():
        return None
    fields = {}
    for part in text.strip().split(" "):
        key, _, value = part.partition("=")
        fields[key] = value
    # "started" holds spaces: everything after "started="
    started = text.strip().partition("started=")[2]
    try:
        pid = int(fields.get("pid", "0"))
    except ValueError:
        pid = 0
    return LockInfo(
        token=fields.get("token", "?"),
        what=fields.get("what", "?"),
        controller=fields.get("controller", "?"),
        pid=pid,
        started=started or "?",
    )


def is_stale(held: LockInfo, me: LockInfo) -> bool:
    """A lock from this controller whose pid no longer runs (its run died)."""
    if held.controller != me.controller or held.pid <= 0 or held.pid == me.pid:
        return False
    try:
        os.kill(held.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # runs, as another user
        return False
    return False


def refusal(host: str, held: LockInfo) -> str:
    """One paragraph: who holds the host and how to clear a lock left by a dead run."""
    return (
        f"host {host!r}: another run holds this host: {held.what} started {held.started} "
        f"by pid {held.pid} on controller {held.controller!r} (lock {LOCK}). Wait for it to "
        f"end; if that run is dead (no pid {held.pid} on {held.controller}), clear the lock "
        f"with `rm {LOCK}` on the host and run again"
    )


def acquire_script(line: str, stale: str | None = None, path: str = LOCK) -> str:
    """Shell that takes the lock atomically, or fails naming the holder (exit 1).

    Re-taking our own lock succeeds; ``stale``: a dead run's lock text the controller may
    replace (only if the file still holds exactly that text).
    """
    q, ql = shlex.quote(path), shlex.quote(line)
    parts = [f"mkdir -p -m 0755 {shlex.quote(os.path.dirname(path))}"]
    if stale is not None:
        tmp = shlex.quote(f"{path}.{os.getpid()}")
        parts.append(
            f'if [ "$(cat {q} 2>/dev/null)" = {shlex.quote(stale)} ]; then '
            f"echo {ql} > {tmp} && mv -f {tmp} {q}; fi"
        )
    parts.append(
        f'[ "$(cat {q} 2>/dev/null)" = {ql} ] || ( set -o noclobber; echo {ql} > {q} ) '
        f'2>/dev/null || {{ echo "another run holds this host: $(cat {q}) (lock {path}); '
        f'if that run is dead: rm {path} on the host" >&2; exit 1; }}'
    )
    return "; ".join(parts)


def release_script(line: str, path: str = LOCK) -> str:
    """Shell that removes the lock if it is still this run's."""
    q = shlex.quote(path)
    return f'[ "$(cat {q} 2>/dev/null)" != {shlex.quote(line)} ] || rm -f {q}'
