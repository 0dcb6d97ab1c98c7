"""An unreachable host: one paragraph naming the host and what to check, no traceback.

pyinfra reports a failed connection as one line (``[host] SSH error (...)``), but paramiko
logs the same failure with a traceback through Python's last-resort handler.  ``install()``
silences paramiko's logger and adds the checks to pyinfra's line.  It must run before pyinfra
connects: call it from your ``config.py`` (the checkout's config.py does), e.g.::

    from ovs_hypervisor.connect import install
    install()
"""

from __future__ import annotations

import contextlib
import logging
import re

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LINE = re.compile(r"^\s*\[([^\]]+)\]\s*(.+)$", re.S)
_CONNECT_ERRORS = (
    "SSH error",
    "Could not connect",
    "Authentication error",
    "Connection refused",
    "timed out",
    "No existing session",
    "Invalid key",
    "host key",
    "Name or service not known",
    "No route to host",
)


def hint(host: str, error: str) -> str:
    """The paragraph for a host this run could not reach."""
    return (
        f"{host}: this run could not connect over SSH ({error}), so nothing changed on it. "
        "Check: the host is up and reachable from this controller (ssh_hostname, ssh_port, "
        "routes, firewall); the SSH user, key and host key (ssh_user, ssh_key, "
        "ssh_known_hosts_file); if a cutover of this tool ran on it just before, it rolls "
        "back by itself when ovs_hv_confirm_window (default 120 s) ends without a "
        "confirmation, and answers on its old address again. Then run the deploy again."
    )


class _ConnectHint(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        text = _ANSI.sub("", record.getMessage())
        match = _LINE.match(text)
        if match and any(e in match.group(2) for e in _CONNECT_ERRORS):
            host, error = match.group(1).strip(), match.group(2).strip()
            record.msg = f"{record.getMessage()}\n    {hint(host, error)}"
            record.args = ()
        return True


def _quiet_proxy_close() -> None:
    """paramiko's ProxyCommand.close kills the proxy process even when it already exited;
    its atexit hook then prints a ProcessLookupError traceback after every failed connection
    through a ProxyCommand (the lab's and many bastion setups)."""
    from paramiko.proxy import ProxyCommand

    original = ProxyCommand.close
    if getattr(original, "_ovs_hv_quiet", False):
        return

    def close(self: ProxyCommand) -> None:
        with contextlib.suppress(ProcessLookupError):  # the proxy is gone already
            original(self)

    close._ovs_hv_quiet = True  # type: ignore[attr-defined]
    ProxyCommand.close = close  # type: ignore[method-assign]


def install() -> None:
    """Quiet paramiko's tracebacks and explain connection failures (idempotent)."""
    _quiet_proxy_close()
    quiet = logging.getLogger("paramiko")
    if not any(isinstance(h, logging.NullHandler) for h in quiet.handlers):
        quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    pyinfra_logger = logging.getLogger("pyinfra")
    if not any(isinstance(f, _ConnectHint) for f in pyinfra_logger.filters):
        pyinfra_logger.addFilter(_ConnectHint())
