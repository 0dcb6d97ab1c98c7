#!/usr/bin/env bash
# Install everything the deploy, the lab and the tests need on a fresh Debian 12 (as root).
# Idempotent: skips apt when the packages are present, reuses .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
    openvswitch-switch openvswitch-common ifupdown
    libvirt-daemon-system libvirt-clients qemu-system-x86 python3-libvirt
    libxml2-utils openssh-server openssh-client socat iproute2 iputils-ping procps
    tcpdump iputils-arping libvirt-dev pkg-config gcc python3-venv bridge-utils vlan ethtool python3
    # lab/guest/build: modinfo, a static libc for rasend
    kmod libc6-dev
    # the real-machine tier (lab/vmlab): image build and its apt repository
    mmdebstrap qemu-utils e2fsprogs zstd apt-utils dpkg-dev
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # Package scripts must not start services on this machine: the lab starts its own.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import ovs_hypervisor, pyinfra, libvirt, pytest" 2>/dev/null \
   || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".[test]"
    touch .venv/.installed
fi
echo "setup: ok ($(.venv/bin/pyinfra --version 2>&1 | head -1))"
