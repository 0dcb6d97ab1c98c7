"""A guest that ignores ACPI shutdown: without permission to destroy, the run stops and names it.

The lab's guests power off on the ACPI power button; `hang` makes one ignore it, like a hung
guest (`virsh shutdown` is then accepted and ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.labctl import guest, hv, pyinfra, write_inventory

pytestmark = pytest.mark.integration


def test_hung_guest_stops_the_run_and_is_not_destroyed(
    legacy_lab: dict[str, str], tmp_path: Path
) -> None:
    assert guest("vm-access", "hang") == "ok"
    before = hv("virsh dumpxml --inactive vm-access")
    inventory = write_inventory(
        tmp_path,
        {
            "ovs_hv_domain_move": "restart",
            "ovs_hv_stop_timeout": 2,
            "ovs_hv_destroy_on_timeout": False,
        },
    )
    run = pyinfra(inventory=inventory)
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert "did not shut down within 2 s" in out, out
    # Never destroyed, never rewired, never cut over: the guest and the network are as before.
    assert "vm-access" in hv("virsh list --name")
    assert hv("virsh dumpxml --inactive vm-access") == before
    assert "bridge1234" in hv("ip -br link")
    assert "allow-ovs" not in hv("cat /etc/network/interfaces")
    assert hv("ls /etc/sysctl.d/60-ovs-hypervisor-ipv6.conf 2>/dev/null", check=False) == ""
