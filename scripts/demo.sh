#!/usr/bin/env bash
# Fresh machine -> lab hypervisor in the legacy state -> migrated to OVS with the real deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
lab/ovslab up
echo; echo "### before: the lab's legacy interfaces file and bridges"
lab/ovslab exec -- sh -c 'ip -br link show type bridge; virsh list --all'
echo; echo "### pyinfra inventory.py deploy.py"
pyinfra -y inventory.py deploy.py
echo; echo "### after: ovs-vsctl show on the lab hypervisor"
lab/ovslab exec -- ovs-vsctl show
lab/ovslab exec -- virsh list --all
echo; echo "### the management IP answers over VLAN 1234 from the switch"
lab/ovslab sw -- ping -c 2 -W 1 192.0.2.10
echo; echo "The lab is still up: explore with lab/ovslab exec -- CMD; remove it with lab/ovslab down"
