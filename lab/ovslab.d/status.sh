# ovslab: `status` (sourced by lab/ovslab): what exists of the lab; exit 0 only if it is fully up.
# shellcheck shell=bash

cmd_status() {
    local ok=0 h ns u pid f
    recorded_hosts
    say() { printf '%-34s %s\n' "$1" "$2"; }
    if netns_exists "$SW"; then say "netns $SW" present; else say "netns $SW" MISSING; ok=1; fi
    for f in ovsdb-server ovs-vswitchd; do
        pid=$(cat "$DIR/sw/$f.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then say "switch $f" "running (pid $pid)"
        else say "switch $f" DEAD; ok=1; fi
    done
    if [ $ok = 0 ] && sw_vsctl --timeout=2 br-exists sw0 2>/dev/null; then say "switch bridge sw0" present
    else say "switch bridge sw0" MISSING; ok=1; fi
    for h in "${HOSTS[@]}"; do
        ns=$(host_ns "$h")
        if ! netns_exists "$ns"; then say "netns $ns" MISSING; ok=1; continue; fi
        say "netns $ns" present
        if ! is_mounted "$DIR/$h/mnt" || ! is_mounted "$DIR/$h/pid" || ! hv_boot "$h" true 2>/dev/null; then
            say "$h mount/pid/uts namespaces" "MISSING or dead"; ok=1; continue
        fi
        say "$h mount/pid/uts namespaces" "present ($DIR/$h/{mnt,pid,uts})"
        for u in ovsdb-server ovs-vswitchd virtlogd libvirtd ssh; do
            if hv_boot "$h" systemctl -q is-active "$u"; then say "$h $u" running
            else say "$h $u" DEAD; ok=1; fi
        done
        if hv_boot "$h" timeout 10 virsh -q list --all >"$DIR/$h/status.virsh" 2>&1; then
            say "$h libvirt domains" ""
            sed 's/^/    /' "$DIR/$h/status.virsh"
        else
            say "$h libvirt" "NOT ANSWERING"; ok=1
        fi
        if hv_boot "$h" ovs-vsctl --timeout=5 list-br >"$DIR/$h/status.ovs" 2>&1; then
            say "$h OVS bridges" "$(tr '\n' ' ' <"$DIR/$h/status.ovs")"
        fi
    done
    if [ $ok = 0 ]; then echo "lab is UP"; else echo "lab is NOT (fully) up"; fi
    return $ok
}

