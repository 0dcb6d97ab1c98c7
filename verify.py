"""Verify a migrated hypervisor against its data, read-only:  pyinfra inventory.py verify.py

Per host: a table (bridge, uplink, management port, gateway ping, one line per VM NIC) and the
list of differences; pyinfra exits non-zero when anything differs (also with --dry, which is
the prompt-free way to run it).  Nothing on the host is changed.  JSON for monitoring:
``--data verify_json=/path/report.json`` or ``OVS_HV_VERIFY_JSON=/path/report.json``.
See docs/verify.md.
"""

from ovs_hypervisor.deploys import verify

verify()
