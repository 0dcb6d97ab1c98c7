"""Migrate a libvirt hypervisor onto Open vSwitch:  pyinfra inventory.py deploy.py

Order keeps VMs recoverable: validate (no change) -> packages -> back up and mark the run
unconfirmed -> boot guard + boot units -> stage and validate the new interfaces file -> stop and
rewire affected domains -> cut over (commit-confirmed, detached on the host) -> start them ->
verify -> confirm.  Without the final confirmation the host restores the previous network and
domains by itself, also across a reboot or power loss (docs/power-loss.md).
"""

from pyinfra import local

TASKS = (
    "validate",
    "packages",
    "backup",
    "boot",
    "interfaces",
    "domains",
    "cutover",
    "verify",
    "confirm",
)
for task in TASKS:
    local.include(f"tasks/{task}.py")
