"""Converge or say how: a libvirt-owned vnet port whose VLAN differs from its domain's XML is
left alone, and the run ends with the exact command that fixes it (real lab).  Drift the
deploy owns is fixed by the next deploy: test_deploy.py::test_live_drift_is_reconciled."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.integration.labctl import fresh_lab, hv, output_of, pyinfra

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def migrated() -> Iterator[None]:
    with fresh_lab():
        run = pyinfra()
        assert run.returncode == 0, output_of(run)
        yield


def test_vnet_drift_ends_with_the_command_that_fixes_it(migrated: None) -> None:
    port = hv("virsh domiflist vm-access | awk '/vnet/{print $1}'").strip()
    hv(f"ovs-vsctl set port {port} tag=999")
    run = pyinfra()
    text = output_of(run)
    assert run.returncode != 0, text
    assert hv(f"ovs-vsctl get port {port} tag").strip() == "999"  # not touched by the deploy
    found = re.search(r"fix: (ovs-vsctl set port \S+ tag=\S+ trunks=\S+ vlan_mode=\S+)", text)
    assert found, text
    assert found.group(1) == f"ovs-vsctl set port {port} tag=1011 trunks=[] vlan_mode=[]"
    hv(found.group(1))  # the admin runs the command the run printed
    again = pyinfra()
    assert again.returncode == 0, output_of(again)
