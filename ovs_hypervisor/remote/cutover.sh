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
# MGMT_ADDR MGMT_VLAN DATAPATH GATEWAY IPV6_ON WINDOW DOWN_OLD DELETE_DEVS CHANGED_DOMAINS
# RESTART_DOMAINS SAVED_DOMAINS URI PENDING DOMCTL.  MODE=rollback restores $BACKUP and exits
# (rollback.py).

set -u
mkdir -p "$STATE"
exec >>"$STATE/cutover.log" 2>&1
status() { echo "$1" > "$STATE/status.tmp" && mv -f "$STATE/status.tmp" "$STATE/status"; }
step() { echo "== $(date +%T.%N | cut -c1-12) $*"; }
mkdir -p "$(dirname "$PENDING")" && echo "$STATE" > "$PENDING"
status running
if [ "$MODE" = rollback ]; then
    # Standalone rollback of an earlier run: what it rewired and what was running then.
    CHANGED_DOMAINS=$(for x in "$BACKUP"/*.xml; do [ -e "$x" ] && basename "$x" .xml; done)
    RESTART_DOMAINS=$(cat "$BACKUP/restart-domains" 2>/dev/null || true)
    SAVED_DOMAINS=$(cat "$BACKUP/saved-domains" 2>/dev/null || true)
else
    echo "$RESTART_DOMAINS" > "$BACKUP/restart-domains"
    echo "$SAVED_DOMAINS" > "$BACKUP/saved-domains"
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

apply() {
    step "deconfigure old interfaces"
    for name in $DOWN_OLD; do ifdown --force -i "$IFACES" "$name" || true; done
    step "delete legacy devices"
    for dev in $DELETE_DEVS; do
        if ip link show dev "$dev" >/dev/null 2>&1; then
            ip link set dev "$dev" down; ip link del dev "$dev"
        fi
    done
    if [ -e "$STAGED" ]; then
        step "install new interfaces file"
        mv -f "$STAGED" "$IFACES"
    fi
    if [ -n "$SYSCTL_STAGED" ] && [ -e "$SYSCTL_STAGED" ]; then mv -f "$SYSCTL_STAGED" "$SYSCTL"; fi
    if [ -n "$SYSCTL" ] && [ -e "$SYSCTL" ]; then sysctl -q -p "$SYSCTL" || true; fi
    step "ifup"
    # The bridge first (its hook raises its ports), then any port ifupdown thinks is down.
    ifup --allow=ovs -a || true
    ifup --allow="$BRIDGE" -a || true
    step "reconcile live OVS"
    # Debian's hook uses --may-exist add-port: a changed tag on an existing port is not
    # applied by ifup, so set the values we own explicitly, in one transaction.
    ovs-vsctl --timeout=10 set port "$MGMT_PORT" tag="$MGMT_VLAN" -- clear port "$MGMT_PORT" \
        trunks vlan_mode -- set bridge "$BRIDGE" datapath_type="$DATAPATH" || true
    if [ "$IPV6_ON" = 1 ]; then sysctl -q -w "net.ipv6.conf.$MGMT_PORT.disable_ipv6=0" || true; fi
    announce "$MGMT_PORT"
    step "check"
    if ip -o addr show dev "$MGMT_PORT" 2>/dev/null | grep -q "inet $MGMT_ADDR "; then
        return 0
    fi
    echo "management address $MGMT_ADDR is not on $MGMT_PORT"
    return 1
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
    if [ -s "$BACKUP/ovsdb.backup" ]; then
        ovsdb-client --force restore < "$BACKUP/ovsdb.backup" || echo "could not restore OVSDB"
    fi
    step "restore files"
    if [ -e "$BACKUP/interfaces" ]; then cp -a "$BACKUP/interfaces" "$IFACES"; fi
    if [ -d "$BACKUP/interfaces.d" ]; then cp -a "$BACKUP/interfaces.d/." "$(dirname "$IFACES")/interfaces.d/"; fi
    if [ -n "$SYSCTL" ]; then
        if [ -e "$BACKUP/sysctl.conf" ]; then cp -a "$BACKUP/sysctl.conf" "$SYSCTL"; else rm -f "$SYSCTL"; fi
    fi
    if [ -e "$BACKUP/sysctl.runtime" ]; then sysctl -q -p "$BACKUP/sysctl.runtime" || true; fi
    step "bring the old network back"
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
            rm -f "$PENDING"
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
