"""pyinfra operation that verifies the switch at execution time (after the cutover)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pyinfra import logger
from pyinfra.api.command import FunctionCommand
from pyinfra.api.exceptions import OperationError
from pyinfra.api.operation import operation

from ovs_hypervisor.facts.libvirt import LibvirtDomains
from ovs_hypervisor.facts.net import Links
from ovs_hypervisor.facts.ovs import OvsState
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.verify import check_domains, check_host_links, check_switch


def _verify_now(
    state: Any,
    host: Any,
    config: HostConfig,
    legacy: list[str],
    check_vms: bool,
    executing: bool = True,
) -> bool:
    # Facts are read here, at execution time, so they see the network after the cutover.
    ovs = host.get_fact(OvsState)
    diffs = check_switch(config, ovs)
    diffs += check_host_links(config, host.get_fact(Links), legacy)
    if check_vms:
        diffs += check_domains(config, ovs, host.get_fact(LibvirtDomains, uri=config.libvirt_uri))
    if diffs:
        message = "the switch differs from the data:\n" + "\n".join(f"  - {d}" for d in diffs)
        if not executing:
            raise OperationError(message)
        # At execution time a False return fails the op without a Python traceback.
        host.log(message, logger.error)
        return False
    host.log("switch verified: bridge, uplink, management port and VM ports match", logger.info)
    return True


@operation()
def verified(
    config: HostConfig, legacy: list[str], after_changes: bool, check_vms: bool = True
) -> Generator[Any, None, None]:
    """
    Check the live switch against the data; fail with the list of differences.

    + config: the validated host data
    + legacy: legacy device names that must be gone
    + after_changes: earlier operations change the host, so check at execution time;
      otherwise check now, from facts, and report no change
    + check_vms: also compare running VMs' vnet ports with their XML
    """
    if after_changes:
        yield FunctionCommand(_verify_now, (config, legacy, check_vms), {})
        return
    from pyinfra.context import host, state

    _verify_now(state, host, config, legacy, check_vms, executing=False)
    host.noop("the switch matches the data")
