#!/usr/bin/env bash
# The benchmark's Ansible side, kept out of the project's dependencies: a separate venv
# (.venv-bench) with ansible 10.x -- the last Ansible package that ships the
# openvswitch.openvswitch collection (removed in 11) -- next to community.libvirt and
# community.general; lxml for community.general.xml on the controller. On the hosts (here:
# this machine, whose /usr the lab hosts share) community.libvirt needs python3-lxml.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${OVS_HV_BENCH_VENV:-.venv-bench}
if [ ! -x "$VENV/bin/ansible-playbook" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'ansible>=10,<11' lxml
fi
"$VENV/bin/ansible-playbook" --version | head -1
if ! /usr/bin/python3 -c 'import lxml' 2>/dev/null; then
    apt-get install -y -q python3-lxml >/dev/null
fi
echo "bench: ready ($VENV)"
