# vmlab: shared settings and helpers (sourced by lab/vmlab/vmlab).
# shellcheck shell=bash

DIR=${VMLAB_DIR:-/tmp/vmlab}
DIR=${DIR%/}
P=${VMLAB_PREFIX:-vmlab}
CACHE=${VMLAB_CACHE:-/var/tmp/ovs-hv-vmlab-cache}
SW=$P-sw
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
# VMs of the tier (at most two: each costs ~1 GiB and most of a core under TCG)
ALL_HOSTS=(hv1 hv2)
# Same VLANs and gateways as the namespace lab (lab/ovslab)
VLANS=(1234 1011 1012 101 102)
MGMT_VLAN=1234
declare -A GW=([1234]=192.0.2.1/24 [1011]=198.51.100.1/28 [1012]=198.51.100.17/28
    [101]=198.51.100.33/28 [102]=198.51.100.49/28)
DNS=192.0.2.53
# the tier's apt repository (Open vSwitch .debs), served by the switch on the mgmt gateway
REPO_PORT=8080
VM_MEM=${VMLAB_MEM:-1024}

log() { echo "vmlab: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

case "$DIR/" in
    /tmp/?*/ | /var/tmp/?*/ | /srv/?*/ | /work/?*/) ;;
    *) die "VMLAB_DIR must be a directory below /tmp, /var/tmp, /srv or /work (got '$DIR')" ;;
esac
[[ $P =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,5}$ ]] ||
    die "VMLAB_PREFIX must be 1-6 of [A-Za-z0-9_-] (tap names are PREFIX-hvN-eK, 15 chars max)"

host_ip() { # management address: hv1 -> 192.0.2.10, hv2 -> 192.0.2.11 (as in lab/ovslab)
    local n=${1#hv}
    [[ $n =~ ^[0-9]+$ ]] || die "host name must be hvN, got $1"
    echo "192.0.2.$((9 + n))"
}
host_n() { echo "${1#hv}"; }
host_mac() { # stable MAC of NIC $2 (0, 1) of host $1
    printf '52:54:00:c0:%02x:%02x' "$(host_n "$1")" "$2"
}
host_tap() { echo "$P-$1-e$2"; } # switch-side tap of NIC $2
netns_exists() { [ -e "/run/netns/$1" ]; }
valid_host() {
    local h
    for h in "${ALL_HOSTS[@]}"; do [ "$1" = "$h" ] && return 0; done
    die "unknown VM '$1' (the tier has: ${ALL_HOSTS[*]})"
}
