"""Every hypervisor of a multi-host lab (`OVSLAB_HOSTS=N lab/ovslab up`), with the data of
the default inventory:  pyinfra bench/inventory_many.py deploy.py

Hosts: the ones the running lab recorded in $OVSLAB_DIR/hosts (else OVSLAB_HOSTS, default 1),
named ${OVSLAB_PREFIX}-hvN, in order, in the group `lab` with inventory.py's group data.  Per
host (hv1's tuple in inventory.py, with):

* ovs_hv_mgmt_ipv4 = 192.0.2.(9+N)/24 (the lab's address of hvN);
* ovs_hv_domains: hv1's guest data where the lab gave the host guests (OVSLAB_DOMAINS; the
  lab's MACs are 52:54:00:aa:bb:0K on hv1 and 52:54:00:aa:NN:0K on hvN, NN = N in hex),
  else none.

host_data/<name>.py (or $OVS_HV_HOST_DATA/<name>.py) applies as for any inventory (the
deploys read it), so a test can give one host extra data without a new inventory.
"""

import os
import runpy
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
_LAB = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
_PREFIX = os.environ.get("OVSLAB_PREFIX", "ovslab")

_base = runpy.run_path(str(_ROOT / "inventory.py"))
_lab_hosts_data, _lab_data = _base["lab"]
_hv1_name, _hv1_data = _lab_hosts_data[0]


def _lab_hosts() -> list[str]:
    recorded = _LAB / "hosts"
    if recorded.exists():
        return [line.strip() for line in recorded.read_text().splitlines() if line.strip()]
    return [f"hv{n}" for n in range(1, int(os.environ.get("OVSLAB_HOSTS", "1")) + 1)]


def _mac_prefix(short: str) -> str:
    return "52:54:00:aa:bb" if short == "hv1" else f"52:54:00:aa:{int(short[2:]):02x}"


def _domains(short: str) -> dict[str, Any]:
    if not any((_LAB / short / "domains").glob("*.xml")):
        return {}
    hv1 = _mac_prefix("hv1")
    mine = _mac_prefix(short)
    return {
        domain: {mac.lower().replace(hv1, mine): vlans for mac, vlans in nics.items()}
        for domain, nics in _hv1_data.get("ovs_hv_domains", {}).items()
    }


def _entry(short: str) -> tuple[str, dict[str, Any]]:
    n = int(short[2:])
    data = {k: v for k, v in _hv1_data.items() if k not in ("ovs_hv_domains", "ovs_hv_mgmt_ipv4")}
    data["ovs_hv_mgmt_ipv4"] = f"192.0.2.{9 + n}/24"
    data["ovs_hv_domains"] = _domains(short)
    return (f"{_PREFIX}-{short}", data)


lab = ([_entry(short) for short in _lab_hosts()], _lab_data)
