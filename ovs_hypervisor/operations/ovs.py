"""pyinfra operation that verifies a host's switch, links and VM ports against the data.

The logic is :func:`ovs_hypervisor.verify.verify_host`; this is the shell: one fact
(``VerifyState``, one round trip), the table in pyinfra's output, the JSON document, and a
failed operation (so a non-zero exit) when anything differs.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pyinfra import logger
from pyinfra.api.command import FunctionCommand
from pyinfra.api.exceptions import OperationError
from pyinfra.api.operation import operation

from ovs_hypervisor.facts.batch import fact
from ovs_hypervisor.facts.ovs import VerifyState, verify_args
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.report import render_table, run_document, write_json
from ovs_hypervisor.verify import unreadable, verify_host
from ovs_hypervisor.verify_report import HostReport

REPORT_DATA_KEY = "verify_json"  # not ovs_hv_*: model.py rejects unknown keys of its own
REPORT_ENV = "OVS_HV_VERIFY_JSON"

_STARTED = datetime.now(UTC)
# JSON path -> host name -> report, for this controller run (one document per run).
_REPORTS: dict[str, dict[str, HostReport]] = {}
# Reports made while pyinfra prepared the run, reused when it executes (nothing changed).
_PREPARED: dict[tuple[str, str], HostReport] = {}


def report_path(data: Mapping[str, Any]) -> str | None:
    """Where the JSON report goes: host data ``verify_json``, else $OVS_HV_VERIFY_JSON."""
    value = data.get(REPORT_DATA_KEY) or os.environ.get(REPORT_ENV)
    return str(value) if value else None


def _run_hosts(state: Any) -> list[str]:
    hosts = state.limit_hosts if state.limit_hosts is not None else list(state.inventory)
    return [h.name for h in hosts]


def _record(state: Any, report: HostReport, path: str) -> None:
    reports = _REPORTS.setdefault(path, {})
    reports[report.host] = report
    everyone: dict[str, HostReport | None] = dict.fromkeys(_run_hosts(state))
    everyone.update(reports)
    write_json(path, run_document(everyone, _STARTED))


def check_host(
    state: Any, host: Any, config: HostConfig, legacy: Iterable[str], json_path: str | None
) -> HostReport:
    """Read the host (one round trip), compare, print the table, record the JSON."""
    snap = fact(host, VerifyState, **verify_args(config))
    if snap is None:  # pyinfra logged why (SSH failure, unparsable output), the host failed
        report = unreadable(config, host.name)
    else:
        report = verify_host(config, snap, legacy, host.name)
    table = render_table(report)
    # pyinfra indents the first line of a message by 4; the others get it here.
    logger.info(table.replace("\n", "\n    "))
    if json_path:
        try:
            _record(state, report, json_path)
        except OSError as exc:
            raise OperationError(f"cannot write the verify report {json_path}: {exc}") from None
    return report


def _summary(report: HostReport) -> str:
    n = len(report.differences)
    return f"{n} difference{'s' if n != 1 else ''} between the host and the data (see above)"


def _verify_now(
    state: Any, host: Any, config: HostConfig, legacy: list[str], json_path: str | None
) -> bool:
    # Runs at execution time, after the operations before it changed the host.
    report = check_host(state, host, config, legacy, json_path)
    if report.ok:
        return True
    host.log(_summary(report), logger.error)
    return False  # fails the operation without a Python traceback


def _differs(state: Any, host: Any, message: str) -> bool:
    host.log(message, logger.error)
    return False


@operation()
def verified(
    config: HostConfig,
    legacy: Iterable[str] = (),
    after_changes: bool = False,
    json_path: str | None = None,
) -> Generator[Any, None, None]:
    """
    Compare the host's switch, links and VM ports with the data; fail if anything differs.

    Prints a table per host; read-only on the host.  The management gateway is pinged once
    (shown, not a failure).

    + config: the validated host data (``load_host_config``)
    + legacy: legacy device names that must be gone (besides the bridgeNNN/vlanNNN that
      verification finds by itself)
    + after_changes: operations before this one change the host: check when this operation
      executes; otherwise check now (also under ``--dry``) and report no change when clean
    + json_path: also write the run's JSON report there

    **Example:**

    .. code:: python

        ovs.verified(
            name="Verify the switch against the data",
            config=load_host_config(host.name, host.data.dict()),
            json_path="/var/lib/monitoring/ovs-verify.json",
        )
    """
    legacy = list(legacy)
    if after_changes:
        yield FunctionCommand(_verify_now, (config, legacy, json_path), {})
        return
    from pyinfra.context import host, state

    key = (host.name, str(host.current_op_hash))
    report = _PREPARED.pop(key, None) if state.is_executing else None
    if report is None:
        report = check_host(state, host, config, legacy, json_path)
        if not state.is_executing:
            _PREPARED[key] = report
            if not report.ok:
                # pyinfra's --dry stops before executing anything; this makes it exit 1 too.
                state.failed_hosts.add(host)
    if report.ok:
        host.noop("the host matches the data")
        return
    yield FunctionCommand(_differs, (_summary(report),), {})
