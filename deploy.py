"""Migrate a libvirt hypervisor onto Open vSwitch:  pyinfra inventory.py deploy.py

The steps are in ovs_hypervisor/steps/ (one module each); ovs_hypervisor.deploys.migrate runs
them.  Your own deploy file can do the same: ``from ovs_hypervisor.deploys import migrate``.
"""

from pathlib import Path

from ovs_hypervisor.deploys import migrate

# host_data/ next to this file (discovery writes there), wherever pyinfra runs from
migrate(host_data=Path(__file__).resolve().parent / "host_data")
