# ovs-hypervisor cutover body: runs detached (setsid) ON the hypervisor, after a generated
# header that sets the variables below.  It must not depend on the SSH session that started
# it: the network it replaces is the one that session uses.
#
# Commit confirmed: after applying the new network it waits WINDOW seconds for the
# controller to create $STATE/confirm (the controller does so only after it reconnected over
# the new path and verified the switch).  Without it -- wrong VLAN, wrong gateway, SSH cut,
# controller killed -- it restores everything from $BACKUP and brings the old network back.
#
# Variables (from the header): MODE STATE BACKUP IFACES STAGED SYSCTL SYSCTL_STAGED BRIDGE MGMT_PORT
# MGMT_ADDR DATAPATH GATEWAY IPV6_ON WINDOW DOWN_OLD DELETE_DEVS CHANGED_DOMAINS
# RESTART_DOMAINS SAVED_DOMAINS URI PENDING DOMCTL GUARD FAST MGMT_IP MGMT_NETMASK MGMT_BROADCAST PREP_OVS PREP_UP
# GAP_DEL GAP_FLUSH GAP_ADDR_DEL GAP_OVS GAP_UP OWNED_OVS FORGET DOWN_AFTER FAILPOINT_FILE.  FAST=1: make
# before break (apply_fast, see ovs_hypervisor/fastpath.py); FAST=0: the classic ifdown/ifup.
# MODE=rollback restores $BACKUP and exits (rollback.py).
#
# Power loss: PENDING (persistent, naming $BACKUP) exists from the run's backup until the
# confirmation; the boot guard ($GUARD, installed before the first change) restores $BACKUP
# at boot if it finds it (docs/power-loss.md).  Files are replaced by rename, never rewritten.

set -u
mkdir -p "$STATE"
exec >>"$STATE/cutover.log" 2>&1
status() { echo "$1" > "$STATE/status.tmp" && mv -f "$STATE/status.tmp" "$STATE/status"; }
step() { echo "== $(date +%T.%N | cut -c1-12) $*"; }
# The deploy wrote the marker with its backup; an earlier unconfirmed run's marker wins (it
# names the last state that was known good).
mkdir -p "$(dirname "$PENDING")"
[ -e "$PENDING" ] || { echo "$BACKUP" > "$PENDING.tmp" && mv -f "$PENDING.tmp" "$PENDING"; }
status running
if [ "$MODE" = rollback ]; then
    # Standalone rollback of an earlier run: what it rewired and what was running then.
    CHANGED_DOMAINS=$(for x in "$BACKUP"/*.xml; do [ -e "$x" ] && basename "$x" .xml; done)
    RESTART_DOMAINS=$(cat "$BACKUP/restart-domains" 2>/dev/null || true)
    SAVED_DOMAINS=$(cat "$BACKUP/saved-domains" 2>/dev/null || true)
else
    echo "$RESTART_DOMAINS" > "$BACKUP/restart-domains.tmp" && mv -f "$BACKUP/restart-domains.tmp" "$BACKUP/restart-domains"
    echo "$SAVED_DOMAINS" > "$BACKUP/saved-domains.tmp" && mv -f "$BACKUP/saved-domains.tmp" "$BACKUP/saved-domains"
fi

announce() {  # $1: device holding the management address
    # The management MAC changes (Linux bridge <-> OVS internal port); our ARP request to
    # the gateway refreshes its neighbour entry instead of waiting a minute for it to expire.
    [ -n "$GATEWAY" ] || return 0
    if command -v arping >/dev/null; then arping -q -U -c 1 -I "$1" "${MGMT_ADDR%/*}" || true; fi
    if ping -q -c 3 -i 0.2 -W 1 -I "$1" "$GATEWAY" >/dev/null; then
        echo "gateway $GATEWAY answers"
    else
        echo "gateway $GATEWAY does not answer"
    fi
}

delete_legacy() {  # $1: names to leave alone (ours now, or already gone)
    step "delete legacy devices"
    for dev in $DELETE_DEVS; do
        case " $1 " in *" $dev "*) continue ;; esac
        if ip link show dev "$dev" >/dev/null 2>&1; then
            ip link set dev "$dev" down; ip link del dev "$dev"
        fi
    done
}

install_files() {
    if [ -e "$STAGED" ]; then
        step "install new interfaces file"
        mv -f "$STAGED" "$IFACES"
    fi
    if [ -n "$SYSCTL_STAGED" ] && [ -e "$SYSCTL_STAGED" ]; then mv -f "$SYSCTL_STAGED" "$SYSCTL"; fi
    if [ -n "$SYSCTL" ] && [ -e "$SYSCTL" ]; then sysctl -q -p "$SYSCTL" || true; fi
}

finish() {  # after ifup: the columns ifup never fixes, IPv6, announcement, check
    step "reconcile live OVS"
    # Debian's hook uses --may-exist add-port: a changed tag on an existing port is not
    # applied by ifup, so set the values we own explicitly, in one transaction
    # (reconcile.owned_columns_args).
    ovs_tx "$OWNED_OVS" || true
    if [ "$IPV6_ON" = 1 ]; then sysctl -q -w "net.ipv6.conf.$MGMT_PORT.disable_ipv6=0" || true; fi
    announce "$MGMT_PORT"
    step "check"
    if ip -o addr show dev "$MGMT_PORT" 2>/dev/null | grep -q "inet $MGMT_ADDR "; then
        return 0
    fi
    echo "management address $MGMT_ADDR is not on $MGMT_PORT"
    return 1
}

apply_classic() {
    step "deconfigure old interfaces"
    for name in $DOWN_OLD; do ifdown --force -i "$IFACES" "$name" || true; done
    delete_legacy ""
    install_files
    step "ifup"
    # The bridge first (its hook raises its ports), then any port ifupdown thinks is down.
    ifup --allow=ovs -a || true
    ifup --allow="$BRIDGE" -a || true
    finish
}

ovs_tx() {  # $1: an ovs-vsctl argument vector as one word (from the header): one transaction
    eval "set -- $1"
    ovs-vsctl --timeout=10 "$@"
}

failpoint() {  # tests only: fail at step $1 if the failpoint file names it
    if [ -n "$FAILPOINT_FILE" ] && [ "$(cat "$FAILPOINT_FILE" 2>/dev/null)" = "$1" ]; then
        echo "failpoint $1: failing here (test)"
        return 1
    fi
}

forget_state() {  # drop ifupdown's records of "$@" without running their down commands
    d=/run/network
    for name in "$@"; do
        if [ -s "$d/ifstate.$name" ]; then : > "$d/ifstate.$name"; fi
    done
    [ -e "$d/ifstate" ] || return 0
    # The same rewrite ifupdown does (lines "phys=logical"), through a temporary file.
    awk -v drop=" $* " '{ split($0, kv, "="); if (index(drop, " " kv[1] " ") == 0) print }' \
        "$d/ifstate" > "$d/.ifstate.ovs-hypervisor" && mv -f "$d/.ifstate.ovs-hypervisor" "$d/ifstate"
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

apply_fast() {
    step "prepare (the old network still carries traffic): $BRIDGE, free ports, datapath"
    # Devices created from now on get the new defaults (IPv6 off), as after a classic cutover
    # or a reboot; the `all` values, which also reach the old devices, wait for the gap.
    if [ -n "$SYSCTL_STAGED" ] && [ -e "$SYSCTL_STAGED" ]; then
        sed -n 's/^[[:space:]]*\(net\.ipv6\.conf\.default\.[^[:space:]=]*\)[[:space:]]*=[[:space:]]*/\1=/p' \
            "$SYSCTL_STAGED" | while read -r kv; do sysctl -q -w "$kv" || true; done
    fi
    # The same ovs-vsctl commands Debian's hook runs for the new file, in one transaction.
    ovs_tx "$PREP_OVS" || { echo "could not prepare $BRIDGE in OVSDB"; return 1; }
    for dev in $PREP_UP; do ip link set dev "$dev" up || true; done
    # add-br exits 0 even when the datapath cannot be created: check it before the gap.
    dpid=$(ovs-vsctl --timeout=10 get bridge "$BRIDGE" datapath_id 2>/dev/null | tr -d '"[]')
    if [ -z "$dpid" ]; then echo "bridge $BRIDGE has no datapath ($DATAPATH)"; return 1; fi
    failpoint prepared || return 1

    step "gap: legacy devices out of the way, uplink and management port into OVS, address"
    t0=$(now_ms)
    for dev in $GAP_DEL; do ip link del dev "$dev" 2>/dev/null || true; done
    for dev in $GAP_FLUSH; do ip -4 addr flush dev "$dev" || true; done
    for dev in $GAP_ADDR_DEL; do
        ip -4 addr del "$MGMT_ADDR" dev "$dev" || true
        ip route del default dev "$dev" 2>/dev/null || true
    done
    if [ -n "$GAP_OVS" ]; then ovs_tx "$GAP_OVS" || { echo "could not move into OVS"; return 1; }; fi
    failpoint moved || return 1
    for dev in $GAP_UP; do ip link set dev "$dev" up || true; done
    # ifupdown's `inet static` commands for the management stanza.
    # (A re-run may find it there already: only a missing address is fatal.)
    ip addr add "$MGMT_IP/$MGMT_NETMASK" broadcast "$MGMT_BROADCAST" dev "$MGMT_PORT" \
        label "$MGMT_PORT" || ip -o addr show dev "$MGMT_PORT" | grep -q "inet $MGMT_ADDR " ||
        { echo "could not put $MGMT_ADDR on $MGMT_PORT"; return 1; }
    ip link set dev "$MGMT_PORT" up
    if [ -n "$GATEWAY" ]; then
        ip route add default via "$GATEWAY" dev "$MGMT_PORT" onlink || echo "default route not set"
    fi
    # The MAC behind the address changed: tell the segment now (the gateway ping follows).
    if command -v arping >/dev/null; then
        arping -q -U -c 2 -I "$MGMT_PORT" "$MGMT_IP" </dev/null >/dev/null 2>&1 &
    fi
    if [ -n "$GATEWAY" ]; then ping -q -c 1 -W 1 -I "$MGMT_PORT" "$GATEWAY" >/dev/null 2>&1 & fi
    echo "gap: $(( $(now_ms) - t0 )) ms"
    failpoint addressed || return 1

    step "bookkeeping: deconfigure the other old interfaces, delete legacy devices"
    # Records of what is now in OVS (or already gone) go without their down commands.
    forget_state $FORGET
    for name in $DOWN_AFTER; do ifdown --force -i "$IFACES" "$name" || true; done
    delete_legacy "$FORGET"
    install_files
    step "ifup: everything is in place; ifupdown records its state and runs its hooks"
    # The management port's address and route exist already: its `ip addr add` fails with
    # "File exists" in the bridge's nested ifup (harmless), then --ignore-errors records it.
    ifup --allow=ovs -a || true
    ifup --ignore-errors --allow="$BRIDGE" -a || true
    finish
}

apply() {
    if [ "$FAST" = 1 ]; then apply_fast; else apply_classic; fi
}

rollback() {
    status rolling-back
    step "rollback from $BACKUP"
    # domctl: managed-save (else destroy) the running ones, re-define the backups, rewire
    # saved images to them; "start" below then resumes saved guests on the old bridges.
    # shellcheck disable=SC2086
    if ! python3 "$DOMCTL" restore --backup-dir "$BACKUP" --uri "$URI" --stop --save $SAVED_DOMAINS; then
        echo "domctl restore failed; destroying and re-defining with virsh"
        for d in $CHANGED_DOMAINS; do virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true; done
        for x in "$BACKUP"/*.xml; do
            if [ -e "$x" ]; then virsh -q -c "$URI" define "$x" >/dev/null || echo "could not re-define $x"; fi
        done
    fi
    step "take the new network down"
    ifdown --force --allow="$BRIDGE" -a || true
    ifdown --force --allow=ovs -a || true
    # ifupdown may not know the new bridge (a fast cutover stopped before its bookkeeping):
    # remove it as the hook's ifdown would, before the restore.
    ovs-vsctl --timeout=10 --if-exists del-br "$BRIDGE" || true
    if [ -s "$BACKUP/ovsdb.backup" ]; then
        ovsdb-client --force restore < "$BACKUP/ovsdb.backup" || echo "could not restore OVSDB"
    fi
    step "restore files"
    # copy + rename: a power loss here leaves the old or the new file, never half of one
    restore() { cp -a "$1" "$2.tmp.$$" && sync "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }
    if [ -e "$BACKUP/interfaces" ]; then restore "$BACKUP/interfaces" "$IFACES"; fi
    if [ -d "$BACKUP/interfaces.d" ]; then
        for f in "$BACKUP/interfaces.d"/*; do
            [ -f "$f" ] && restore "$f" "$(dirname "$IFACES")/interfaces.d/${f##*/}"
        done
    fi
    if [ -n "$SYSCTL" ]; then
        if [ -e "$BACKUP/sysctl.conf" ]; then restore "$BACKUP/sysctl.conf" "$SYSCTL"; else rm -f "$SYSCTL"; fi
    fi
    # what the run installed for the new network only (boot units, the guard): see bootguard.sh
    if [ -e "$BACKUP/installed" ] && [ -x "$GUARD" ]; then "$GUARD" remove-installed "$BACKUP"; fi
    if [ -e "$BACKUP/sysctl.runtime" ]; then sysctl -q -p "$BACKUP/sysctl.runtime" || true; fi
    step "bring the old network back"
    # Devices the fast path deleted without ifdown are still "configured" for ifupdown, and
    # `ifup -a` would skip them: drop those stale records first.
    forget_state $(awk -F= '{print $1}' /run/network/ifstate 2>/dev/null | while read -r n; do
        [ -e "/sys/class/net/$n" ] || echo "$n"; done)
    ifup -a || true
    ifup --allow=ovs -a || true
    # The old management device: whichever holds the address again.
    dev=$(ip -o addr show | awk -v a="$MGMT_ADDR" '$3 == "inet" && $4 == a {print $2; exit}')
    if [ -n "$dev" ]; then announce "$dev"; fi
    step "start the domains that were running"
    for d in $RESTART_DOMAINS; do virsh -q -c "$URI" start "$d" >/dev/null || echo "could not start $d"; done
    rm -f "$PENDING"
    status rolled-back
    step "rolled back"
}

if [ "$MODE" = rollback ]; then
    rollback
    exit 0
fi
if apply; then
    status applied
    step "applied; waiting ${WINDOW}s for the controller to confirm"
    deadline=$(( $(date +%s) + WINDOW ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if [ -e "$STATE/confirm" ]; then
            # On disk before anyone hears "confirmed": a power loss right after must not
            # find the marker (and roll back a cutover the controller reported as kept).
            rm -f "$PENDING"
            sync
            status confirmed
            step "confirmed"
            exit 0
        fi
        if [ -e "$STATE/rollback" ]; then echo "rollback requested"; break; fi
        sleep 0.5
    done
    [ -e "$STATE/rollback" ] || echo "not confirmed within ${WINDOW}s"
fi
rollback
