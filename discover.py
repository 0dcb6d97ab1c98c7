"""Discover legacy hypervisors and write their host data:  pyinfra inventory.py discover.py

Read-only on the hosts (two commands each: the network collector and the libvirt domain
dump).  Per host it prints what it found and plans, then writes host_data/<host>.py (the
directory inventory.py reads; OVS_HV_HOST_DATA overrides it) as this run's only change, on
the controller.  `--dry` prints the plans and writes nothing.  A host whose configuration
cannot be mapped without guessing gets no file, and the run fails for it (with --dry the
errors are printed, the exit code stays 0).  See docs/discover.md.
"""

from pathlib import Path

from ovs_hypervisor.deploys import discover

discover(host_data=Path(__file__).resolve().parent / "host_data")
