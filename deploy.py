"""Migrate a libvirt hypervisor onto Open vSwitch:  pyinfra inventory.py deploy.py

The steps are in ovs_hypervisor/steps/ (one module each); ovs_hypervisor.deploys.migrate runs
them.  Your own deploy file can do the same: ``from ovs_hypervisor.deploys import migrate``.
"""

from ovs_hypervisor.deploys import migrate

migrate()
