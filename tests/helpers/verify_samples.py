"""The recorded lab states (tests/data/lab-after: real `VerifyState` outputs of a migrated lab)
and the lab's host data, as the verify tests read them."""

from __future__ import annotations

from typing import Any

from ovs_hypervisor.host_state import VerifySnapshot, parse_verify_probe
from ovs_hypervisor.model import HostConfig, load_host_config
from tests.conftest import LAB_AFTER, LAB_AFTER_DATA


def probe(name: str) -> VerifySnapshot:
    return parse_verify_probe((LAB_AFTER / f"verify-probe-{name}.txt").read_text().splitlines())


def config(**over: Any) -> HostConfig:
    return load_host_config("ovsv-hv1", {**LAB_AFTER_DATA, **over})
