"""Migrate a libvirt hypervisor onto Open vSwitch:  pyinfra inventory.py deploy.py

Order keeps VMs recoverable: validate (no change) -> packages -> back up, stage and validate
the new interfaces file -> stop and rewire affected domains -> cut over (commit-confirmed,
detached on the host) -> start them -> boot unit -> verify -> confirm.  Without the final
confirmation the host restores the previous network and domains by itself.
"""

from pyinfra import local

TASKS = ("validate", "packages", "interfaces", "domains", "cutover", "boot", "verify", "confirm")
for task in TASKS:
    local.include(f"tasks/{task}.py")
