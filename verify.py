"""Verify a migrated hypervisor against its data, read-only:  pyinfra inventory.py verify.py

Per host: a table (bridge, uplink, management port, gateway ping, one line per VM NIC) and the
list of differences; pyinfra exits non-zero when anything differs (also with --dry, which is
the prompt-free way to run it).  Nothing on the host is changed.  JSON for monitoring:
``--data verify_json=/path/report.json`` or ``OVS_HV_VERIFY_JSON=/path/report.json``.
See docs/verify.md.
"""

from pyinfra import host
from pyinfra.api.exceptions import DeployError

from ovs_hypervisor.model import HostDataError, load_host_config
from ovs_hypervisor.operations import ovs

try:
    config = load_host_config(host.name, host.data.dict())
except HostDataError as exc:
    raise DeployError(str(exc)) from None

ovs.verified(
    name="Verify the switch against the data",
    config=config,
    json_path=ovs.report_path(host.data.dict()),
)
