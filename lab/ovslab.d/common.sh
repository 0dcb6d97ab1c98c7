# ovslab: settings, checks of the environment, logging, names and namespaces of the lab, and
# `render` for the texts in lab/templates (sourced by lab/ovslab).
# shellcheck shell=bash disable=SC2034 # (settings used by the other pieces)

DIR=${OVSLAB_DIR:-/tmp/ovslab}
P=${OVSLAB_PREFIX:-ovslab}
DIR=${DIR%/}
# libvirt's QEMU capabilities probe (validated by libvirt itself) survives `down` here
CACHE=${OVSLAB_CACHE:-/var/tmp/ovslab-cache}
SW=$P-sw
MAX_HOSTS=40 # hvN's address is 192.0.2.(9+N); stay below the DNS address 192.0.2.53
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
TEMPLATES=$LAB_SRC/templates # the texts the lab writes, see render

# VLANs of the upstream switch: id -> gateway address (held by the switch's internal port gwID)
VLANS=(1234 1011 1012 101 102)
MGMT_VLAN=1234
declare -A GW=([1234]=192.0.2.1/24 [1011]=198.51.100.1/28 [1012]=198.51.100.17/28
    [101]=198.51.100.33/28 [102]=198.51.100.49/28)
DNS=192.0.2.53

log() { echo "ovslab: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
PHASE_T=
phase() { # log the time since the previous phase when OVSLAB_VERBOSE is set
    local t
    t=$(now)
    [ -n "${OVSLAB_VERBOSE:-}" ] && [ -n "$PHASE_T" ] && log "$(elapsed "$PHASE_T")s $1"
    PHASE_T=$t
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

case "$DIR/" in
    /*) ;;
    *) die "OVSLAB_DIR must be an absolute path (got '$DIR')" ;;
esac
case "$DIR/" in
    / | /etc/* | /usr/* | /var/* | /root/* | /run/* | /proc/* | /sys/* | /dev/*)
        die "OVSLAB_DIR=$DIR must not be / or below /etc /usr /var /root /run /proc /sys /dev:" \
            "the lab host mounts its own layers there and could not see the state dir" ;;
esac
[[ $P =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,8}$ ]] || die "OVSLAB_PREFIX must be 1-9 of [A-Za-z0-9_-]"

# The hypervisors: `up` builds hv1..hvN (OVSLAB_HOSTS=N) and records them in $DIR/hosts; the
# other commands act on the recorded ones. Every host-specific step takes the host name.
N_HOSTS=${OVSLAB_HOSTS:-1}
# shellcheck disable=SC2015 # die if any test fails
[[ $N_HOSTS =~ ^[0-9]+$ ]] && [ "$N_HOSTS" -ge 1 ] && [ "$N_HOSTS" -le $MAX_HOSTS ] ||
    die "OVSLAB_HOSTS must be a number from 1 to $MAX_HOSTS (got '$N_HOSTS')"
HOSTS=()
for ((i = 1; i <= N_HOSTS; i++)); do HOSTS+=("hv$i"); done
recorded_hosts() { # HOSTS := the hosts the running lab was built with
    if [ -s "$DIR/hosts" ]; then mapfile -t HOSTS <"$DIR/hosts"; fi
}
# Hosts with the legacy guests (host_domains): guests cost CPU (TCG), so by default only hv1.
DOMAIN_HOSTS=${OVSLAB_DOMAINS:-hv1}
DOMAIN_HOSTS=${DOMAIN_HOSTS//,/ }
for i in $DOMAIN_HOSTS; do
    [[ $i =~ ^(all|none|hv[1-9][0-9]?)$ ]] ||
        die "OVSLAB_DOMAINS: '$i' is not all, none or a host name hvN"
done
has_domains() { case " $DOMAIN_HOSTS " in *" all "* | *" $1 "*) return 0 ;; esac; return 1; }

host_ns() { echo "$P-$1"; }
host_mac() { # stable MAC of a host's eth0: 02:00:c0:00:02:<last octet of its mgmt IP>
    printf '02:00:c0:00:02:%02x' "$(($(host_ip "$1" | cut -d. -f4)))"
}
host_ip() { # management address of a host: hv1 -> 192.0.2.10, hvN -> 192.0.2.(9+N)
    local n=${1#hv}
    [[ $n =~ ^[0-9]+$ ]] || die "host name must be hvN, got $1"
    echo "192.0.2.$((9 + n))"
}
is_mounted() { awk -v p="$1" '$5 == p { f = 1 } END { exit !f }' /proc/self/mountinfo; }
netns_exists() { [ -e "/run/netns/$1" ]; }
lab_netns() { ip netns list 2>/dev/null | awk -v p="$P-" 'index($1, p) == 1 { print $1 }'; }

# Run a command inside host $1's namespaces with a clean, boot-like environment.
hv_boot() {
    local h=$1
    shift
    nsenter --net="/run/netns/$(host_ns "$h")" --mount="$DIR/$h/mnt" --uts="$DIR/$h/uts" \
        --pid="$DIR/$h/pid" -- env -i PATH="$STD_PATH" HOME=/root LANG=C.UTF-8 "$@"
}
# Run a command inside host $1's namespaces keeping the caller's environment (minus the lab
# switch's OVS variables), e.g. for `ovslab exec`.
hv_exec() {
    local h=$1
    shift
    # shellcheck disable=SC2015 # die if any test fails
    netns_exists "$(host_ns "$h")" && is_mounted "$DIR/$h/mnt" && is_mounted "$DIR/$h/pid" ||
        die "lab host $h is not up"
    exec nsenter --net="/run/netns/$(host_ns "$h")" --mount="$DIR/$h/mnt" --uts="$DIR/$h/uts" \
        --pid="$DIR/$h/pid" -- env -u OVS_RUNDIR -u OVS_DBDIR -u OVS_LOGDIR -u OVS_SYSCONFDIR \
        -u LIBVIRT_DEFAULT_URI -u VIRSH_DEFAULT_CONNECT_URI -u VIRTUAL_ENV PATH="$STD_PATH" "$@"
}

# render TEMPLATE NAME=VALUE...: the text of lab/templates/TEMPLATE with each @NAME@ replaced by
# its VALUE, verbatim (no escaping, no trailing newline added or removed). A placeholder
# without a value is an error; placeholders are @ + capitals/underscores + @, nothing else in
# a template is special (a literal ${IFACE} or %h stays as it is).
render() {
    local file=$TEMPLATES/$1 text='' out='' kv name
    local -A value=()
    shift
    for kv in "$@"; do value[${kv%%=*}]=${kv#*=}; done
    [ -r "$file" ] || die "template $file is missing"
    IFS= read -r -d '' text <"$file" || true
    while [[ $text =~ @([A-Z][A-Z_]*)@ ]]; do
        name=${BASH_REMATCH[1]}
        [ -n "${value[$name]+set}" ] || die "template $file: no value for @$name@"
        out+=${text%%"@$name@"*}${value[$name]}
        text=${text#*"@$name@"}
    done
    printf '%s' "$out$text"
}
