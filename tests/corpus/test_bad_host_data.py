"""The bad host-data corpus: every file in bad_host_data/ must be rejected, before the host
is touched, with one message that names the host, the key, the value and the fix.

Each case is a small Python file (Python, not JSON, so that tuples, sets, floats and
non-string keys can be written):

    DATA    = {...}        # host data merged over BASE (a valid lab host)
    EXPECT  = ["...", ...] # substrings the message must contain
    WITHOUT = ["key", ...] # optional: keys of BASE to drop first

Add a case by adding a file; the number in the name only orders them.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from pyinfra.api.exceptions import DeployError
from pyinfra.api.inventory import Inventory

from ovs_hypervisor.context import build_context
from ovs_hypervisor.model import HostDataError, load_host_config

CASES = sorted((Path(__file__).parent / "bad_host_data").glob("*.py"))
HOST = "kvm7.example.net"
BASE: dict[str, Any] = {
    "ovs_hv_mgmt_vlan": 1234,
    "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
    "ovs_hv_mgmt_gateway": "192.0.2.1",
    "ovs_hv_mgmt_dns": ["192.0.2.53"],
    # Data every pyinfra host carries that is not ours must be ignored.
    "ssh_user": "root",
    "ssh_port": 22,
}


def case_data(path: Path) -> tuple[dict[str, Any], list[str]]:
    case = runpy.run_path(str(path))
    data = {k: v for k, v in BASE.items() if k not in case.get("WITHOUT", [])}
    data.update(case["DATA"])
    return data, case["EXPECT"]


def test_base_is_valid_so_each_case_fails_through_its_own_data() -> None:
    config = load_host_config(HOST, BASE)
    assert (config.mgmt_vlan, config.mgmt_ipv4, config.mgmt_gateway) == (
        BASE["ovs_hv_mgmt_vlan"],
        BASE["ovs_hv_mgmt_ipv4"],
        BASE["ovs_hv_mgmt_gateway"],
    )


def test_cases_are_distinct_and_say_what_they_expect() -> None:
    """A copied case tests nothing new; a case without EXPECT checks no message."""
    seen: dict[str, str] = {}
    for path in CASES:
        data, expect = case_data(path)
        assert expect and all(isinstance(e, str) and e for e in expect), path.name
        key = repr(sorted(data.items(), key=lambda kv: kv[0]))
        assert key not in seen, f"{path.name} repeats {seen.get(key)}"
        seen[key] = path.name


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_rejected_with_a_complete_message(path: Path) -> None:
    data, expect = case_data(path)
    with pytest.raises(HostDataError) as info:
        load_host_config(HOST, data)
    message = str(info.value)
    assert message.startswith(f"host {HOST!r}: invalid host data"), message
    for text in expect:
        assert text in message, f"{text!r} not in:\n{message}"
    # One paragraph: no blank line, no traceback; every problem names key, value and fix.
    assert "\n\n" not in message and "Traceback" not in message
    assert info.value.problems
    for problem in info.value.problems:
        assert "\n" not in problem, problem
        assert " = " in problem or ": required and not set" in problem, problem
        assert "; fix: " in problem, problem
        assert len(problem) < 600, problem


class _UntouchableHost:
    """A pyinfra host stand-in whose only allowed use is reading its data."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.name = HOST
        self._data = data
        # where the deploys read the data layers from: the data as the host's inventory entry
        self.inventory = Inventory(([(HOST, data)], {}))  # type: ignore[no-untyped-call]
        self.groups: list[str] = []

    @property
    def data(self) -> Any:
        host = self

        class _Data:
            override_datas: dict[str, Any] = {}  # noqa: RUF012

            def dict(self) -> dict[str, Any]:
                return dict(host._data)

        return _Data()

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"bad host data reached the host: host.{name} was used")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_deploy_stops_before_touching_the_host(path: Path) -> None:
    """The validate step turns the problem into pyinfra's DeployError (which
    pyinfra prints as one message, see tests/property/test_no_traceback.py) without a
    single fact gathered or command run."""
    data, _ = case_data(path)
    with pytest.raises(DeployError) as info:
        build_context(_UntouchableHost(data))
    assert str(info.value).startswith(f"host {HOST!r}: invalid host data")
