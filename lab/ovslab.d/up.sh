# ovslab: `up` (sourced by lab/ovslab): state dir, client key and ssh_config, the switch, the
# guest image, then the hosts (hv1 first and alone, the others OVSLAB_JOBS at a time).
# shellcheck shell=bash

write_ssh_config() { # $DIR/ssh_config: a Host entry per lab host (templates/ssh_config-host)
    local h
    : >"$DIR/ssh_config"
    # shellcheck disable=SC2153 # HOSTS: common.sh
    for h in "${HOSTS[@]}"; do
        render ssh_config-host ALIAS="$(host_ns "$h")" ADDRESS="$(host_ip "$h")" DIR="$DIR" \
            SW="$SW" >>"$DIR/ssh_config"
    done
}

lab_base() { # state dir, client key, switch
    mkdir -p "$DIR"
    chmod 0700 "$DIR"
    touch "$DIR/.ovslab-state"
    # ns files must live on a private mount (required by unshare --mount=FILE when / is shared)
    mount --bind "$DIR" "$DIR"
    mount --make-private "$DIR"
    ssh-keygen -q -t ed25519 -N '' -C ovslab-client -f "$DIR/id_ed25519"
    printf '%s\n' "${HOSTS[@]}" >"$DIR/hosts"
    phase "state dir, client key"
    sw_up
    write_ssh_config
    phase "switch"
}

cmd_up() {
    local t0 h
    t0=$(now)
    if [ -e "$DIR" ] || [ -n "$(lab_netns)" ]; then
        log "cleaning leftovers first"
        cmd_down
    fi
    [ ! -e "$DIR" ] || die "$DIR exists and is not an ovslab state dir"
    # shellcheck disable=SC2154 # rc: assigned in the trap
    trap 'rc=$?; [ $rc = 0 ] || log "up FAILED (state kept for inspection in $DIR); clean with: $0 down"' EXIT
    phase start
    lab_base
    [ "$DOMAIN_HOSTS" = none ] || guest_image
    # The first host alone: with an empty cache its libvirtd probes QEMU's capabilities (2-4 s)
    # and fills $CACHE for the others, which then boot OVSLAB_JOBS at a time.
    host_up "${HOSTS[0]}" legacy
    host_define_domains "${HOSTS[0]}"
    if [ ${#HOSTS[@]} -gt 1 ]; then
        in_parallel boot_host "${HOSTS[@]:1}"
        phase "hosts ${HOSTS[1]}..${HOSTS[-1]}"
    fi
    if [ ${#HOSTS[@]} -eq 1 ]; then
        check_host "${HOSTS[0]}"
    else
        in_parallel check_host "${HOSTS[@]}"
    fi
    phase "ping + ssh check"
    for h in "${HOSTS[@]}"; do wait_guests "$h"; done
    phase "guests booted"
    trap - EXIT
    local hosts=
    [ ${#HOSTS[@]} -eq 1 ] || hosts=", ${#HOSTS[@]} hosts"
    log "up in $(elapsed "$t0")s$hosts (state dir $DIR; ssh -F $DIR/ssh_config $(host_ns "${HOSTS[0]}"))"
}
boot_host() { # host: one legacy hypervisor, for in_parallel
    host_up "$1" legacy
    host_define_domains "$1"
}
check_host() { # host: reachable from the switch, and over SSH
    wait_ping "$(host_ip "$1")" || die "$(host_ip "$1") does not answer from $SW"
    ssh -F "$DIR/ssh_config" -o ConnectTimeout=10 "$(host_ns "$1")" true ||
        die "ssh to $(host_ns "$1") failed"
}
# in_parallel FUNC HOST...: FUNC HOST for every host, OVSLAB_JOBS (default 6) at a time, each
# in a subshell logging to $DIR/HOST/FUNC.log; waits for all, then fails naming the hosts that
# failed (with the end of their logs).
in_parallel() {
    local fn=$1 h pid max=${OVSLAB_JOBS:-6} failed=
    shift
    [[ $max =~ ^[1-9][0-9]*$ ]] || die "OVSLAB_JOBS must be a positive number (got '$max')"
    local -A host_of=()
    for h in "$@"; do
        while [ "$(jobs -rp | wc -l)" -ge "$max" ]; do
            wait -n -p pid "${!host_of[@]}" || failed+=" ${host_of[$pid]}"
            unset "host_of[$pid]"
        done
        mkdir -p "$DIR/$h"
        ("$fn" "$h") </dev/null >"$DIR/$h/$fn.log" 2>&1 &
        host_of[$!]=$h
    done
    for pid in "${!host_of[@]}"; do
        wait "$pid" || failed+=" ${host_of[$pid]}"
    done
    [ -z "$failed" ] && return 0
    for h in $failed; do
        log "$fn $h FAILED ($DIR/$h/$fn.log):"
        tail -n 5 "$DIR/$h/$fn.log" | sed 's/^/    /' >&2
    done
    die "$fn failed on$failed"
}

