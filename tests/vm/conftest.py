"""The real-machine tier: VMs booted once per test session (lab/vmlab/vmlab up ... down)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.vm.vmctl import BOND_HOST, require_tier, vmlab


@pytest.fixture(scope="session")
def tier() -> Iterator[None]:
    """hv1 (two uplink NICs) and hv2 in their legacy state (cold image build included when
    not cached)."""
    require_tier()
    started = time.monotonic()
    vmlab("up", timeout=3600, env={"VMLAB_BOND_HOSTS": BOND_HOST})
    print(f"\nvmlab up in {time.monotonic() - started:.0f}s")
    try:
        yield
    finally:
        vmlab("down", check=False, timeout=300)
