"""Migrate a libvirt hypervisor onto Open vSwitch:  pyinfra inventory.py deploy.py

Order keeps VMs recoverable: validate (no change) -> packages -> stage+back up the new
interfaces file -> stop and rewire affected domains -> cut over -> start them -> verify.
"""

from pyinfra import local

for task in ("validate", "packages", "interfaces", "domains", "cutover", "boot", "verify"):
    local.include(f"tasks/{task}.py")
