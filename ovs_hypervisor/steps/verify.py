"""Verify the live switch, links and VMs' ports against the data (the same check as verify.py).

Runs when the operations before it have executed; when nothing changes it checks while pyinfra
prepares the run (also under --dry).  A difference fails this operation: the host is not
confirmed (steps/confirm.py) and pyinfra exits non-zero.
"""

from pyinfra.api.deploy import deploy
from pyinfra.context import host

from ovs_hypervisor.context import get_context
from ovs_hypervisor.host_data import merged_data
from ovs_hypervisor.operations import ovs


@deploy("verify")
def verify() -> None:
    ctx = get_context(host)
    ovs.verified(
        name="Verify the switch against the data",
        config=ctx.config,
        legacy=ctx.plan.legacy_bridges + ctx.plan.legacy_members,
        after_changes=ctx.changes,
        json_path=ovs.report_path(merged_data(host)),
    )
