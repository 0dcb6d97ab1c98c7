#!/bin/sh
# ovs-hypervisor boot guard: installed on the hypervisor before the first change of a run
# (as /usr/local/lib/ovs-hypervisor/bootguard.sh), run by three systemd units at boot:
#
#   early   ovs-hypervisor-guard.service, before ovsdb-server, networking and libvirtd:
#           if a run left its marker (/var/lib/ovs-hypervisor/pending: the run's backup
#           directory) the run was never confirmed, so the host must not come up on what it
#           half-changed.  Restores, offline, the interfaces file and interfaces.d, the sysctl
#           file (+ the live IPv6 values), the OVS database (as conf.db, before ovsdb-server
#           reads it), and keeps libvirt from autostarting a rewired domain.
#   ports   ovs-hypervisor-ifup.service, after openvswitch-switch, before the allow-ovs ifup:
#           deletes the OVS ports libvirt created (Interface external_ids vm-id / iface-id)
#           whose device no longer exists: a power loss leaves them in OVSDB, where they show
#           "could not open network device" and a new vnetN of the same name may stay deaf.
#   announce  (same unit, after the ifup) makes the gateway learn the management port's new MAC.
#   late    ovs-hypervisor-guard-late.service, after libvirtd: re-defines the domains' old
#           XML, restores their autostart flag, starts the ones that were running, removes
#           what the run installed that belongs only to the new network, then the marker.
#
# What it did is recorded in /var/lib/ovs-hypervisor/boot-recovery (key=value lines), which
# the next deploy reports and clears, and logged in <backup>/boot-recovery.log.
# Every step is idempotent: a power loss during recovery runs it again at the next boot.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
VAR=${OVS_HV_VAR:-/var/lib/ovs-hypervisor}
MARKER=$VAR/pending
RECORD=$VAR/boot-recovery
OVSDB=${OVS_DBDIR:-/etc/openvswitch}/conf.db

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
log() { echo "== $(now) $*"; }
# Atomic write of $1 from stdin (a power loss leaves the old or the new file, never half).
put() { cat >"$1.tmp.$$" && sync "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"; }
restore_file() { # backup target: copy back atomically, keeping mode and owner
    cp -a "$1" "$2.tmp.$$" && sync "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}
record() { # key=value... : rewrite the record with these values replaced
    {
        [ -e "$RECORD" ] && grep -v -e "^\($(for kv in "$@"; do printf '%s\\|' "${kv%%=*}"; done)\)=" "$RECORD"
        for kv in "$@"; do echo "$kv"; done
    } | put "$RECORD"
}
field() { sed -n "s/^$1=//p" "$RECORD" 2>/dev/null | tail -n 1; }

load_run() { # BACKUP and the run's paths (run.env, written by the deploy before any change)
    BACKUP=$(cat "$MARKER" 2>/dev/null) || return 1
    [ -n "$BACKUP" ] && [ -d "$BACKUP" ] || { echo "marker $MARKER names no backup ($BACKUP)"; return 1; }
    IFACES=/etc/network/interfaces STAGED= SYSCTL= SYSCTL_STAGED= URI=qemu:///system TO_START=
    # shellcheck disable=SC1091
    [ -r "$BACKUP/run.env" ] && . "$BACKUP/run.env"
    LOG=$BACKUP/boot-recovery.log
}

early() {
    [ -e "$MARKER" ] || exit 0
    mkdir -p "$VAR"
    load_run || { rm -f "$MARKER"; exit 0; }
    exec >>"$LOG" 2>&1
    status=$(cat "$BACKUP/cutover/status" 2>/dev/null || echo "not started")
    if [ "$(field state)" != recovering ] || [ "$(field backup)" != "$BACKUP" ]; then
        # a new recovery: an older record not reported yet stays in its backup's log
        rm -f "$RECORD"
        record "state=recovering" "run=$(basename "$BACKUP")" "backup=$BACKUP" \
            "cutover_status=$status" "started=$(now)" "log=$LOG"
    fi
    log "boot guard: run $(basename "$BACKUP") was not confirmed (cutover status: $status);" \
        "restoring the state before it"
    rm -f "$STAGED" "$SYSCTL_STAGED"
    if [ -e "$BACKUP/interfaces" ]; then restore_file "$BACKUP/interfaces" "$IFACES"; fi
    if [ -d "$BACKUP/interfaces.d" ]; then
        d=$(dirname "$IFACES")/interfaces.d
        mkdir -p "$d"
        # files the run added to interfaces.d go, the backed-up ones come back
        for f in "$d"/*; do [ -e "$f" ] && [ ! -e "$BACKUP/interfaces.d/${f##*/}" ] && rm -f "$f"; done
        for f in "$BACKUP/interfaces.d"/*; do [ -f "$f" ] && restore_file "$f" "$d/${f##*/}"; done
    fi
    if [ -n "$SYSCTL" ]; then
        if [ -e "$BACKUP/sysctl.conf" ]; then restore_file "$BACKUP/sysctl.conf" "$SYSCTL"; else rm -f "$SYSCTL"; fi
    fi
    # systemd-sysctl already applied the run's file: put the live values back as they were
    if [ -e "$BACKUP/sysctl.runtime" ]; then sysctl -q -p "$BACKUP/sysctl.runtime" || true; fi
    if [ -s "$BACKUP/ovsdb.backup" ]; then
        if ovs-appctl -t ovsdb-server version >/dev/null 2>&1; then
            log "ovsdb-server already runs: restoring OVSDB online"
            ovsdb-client --force restore <"$BACKUP/ovsdb.backup" || log "could not restore OVSDB"
        else
            # `ovsdb-client backup` writes a standalone database file: it IS a conf.db
            restore_file "$BACKUP/ovsdb.backup" "$OVSDB" && log "OVSDB restored offline ($OVSDB)"
        fi
    fi
    # A rewired domain marked autostart would start with its new XML when libvirtd starts:
    # take the flag off until `late` has re-defined it.
    for x in "$BACKUP"/*.xml; do
        [ -e "$x" ] || continue
        name=$(basename "$x" .xml)
        link=/etc/libvirt/qemu/autostart/$name.xml
        if [ -L "$link" ]; then
            echo "$name" >>"$BACKUP/boot-autostart"
            rm -f "$link"
        fi
    done
    sync
    log "files restored; the old network comes up next"
}

ports() {
    # Only rows libvirt made (external_ids vm-id or iface-id on the Interface) and only if
    # the device is gone: never a port the admin made, never a live guest's.
    ovs-vsctl --timeout=10 --format=csv --data=bare --no-headings \
        --columns=name,external_ids list Interface 2>/dev/null |
        while IFS=, read -r name ids; do
            case $ids in *vm-id=* | *iface-id=*) ;; *) continue ;; esac
            [ -e "/sys/class/net/$name" ] && continue
            br=$(ovs-vsctl --timeout=10 port-to-br "$name" 2>/dev/null) || continue
            echo "ovs-hypervisor: removing stale libvirt port $name from $br (device gone)"
            ovs-vsctl --timeout=10 --if-exists del-port "$br" "$name" || true
        done
    exit 0
}

announce() {
    # The management port is an OVS internal port, re-created at boot with a new MAC: the
    # gateway would keep the old one in its ARP cache for minutes.  Our own ARP request (and a
    # gratuitous ARP where arping exists) makes it learn the new one now.
    ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1), $(i + 3)}' |
        while read -r gw dev; do
            addr=$(ip -4 -o addr show dev "$dev" | awk '{print $4; exit}')
            if [ -n "$addr" ] && command -v arping >/dev/null; then
                arping -q -U -c 1 -I "$dev" "${addr%/*}" || true
            fi
            ping -q -c 1 -W 2 -I "$dev" "$gw" >/dev/null 2>&1 || echo "gateway $gw does not answer on $dev"
        done
    exit 0
}

late() {
    [ -e "$MARKER" ] && [ "$(field state)" = recovering ] || exit 0
    load_run || exit 0
    exec >>"$LOG" 2>&1
    # Test hook (integration tests only): hold the recovery open while this file exists, so
    # that a test can show that a deploy during recovery is refused.  Bounded to 10 minutes.
    i=0
    while [ -e "$VAR/test-hold-recovery" ] && [ $i -lt 1200 ]; do sleep 0.5; i=$((i + 1)); done
    log "re-defining the domains' previous XML"
    # domctl (kept in the backup by the deploy) also rewires managed save images, so that a
    # guest saved by the run resumes on the old bridges; plain virsh where it is missing.
    # shellcheck disable=SC2046
    if ! { [ -e "$BACKUP/domctl.py" ] && python3 "$BACKUP/domctl.py" restore --backup-dir "$BACKUP" \
        --uri "$URI" --stop --save $(cat "$BACKUP/saved-domains" 2>/dev/null); }; then
        for x in "$BACKUP"/*.xml; do
            [ -e "$x" ] || continue
            name=$(basename "$x" .xml)
            virsh -q -c "$URI" destroy "$name" >/dev/null 2>&1 || true
            virsh -q -c "$URI" define "$x" >/dev/null || log "could not re-define $name"
        done
    fi
    for name in $(cat "$BACKUP/boot-autostart" 2>/dev/null); do
        virsh -q -c "$URI" autostart "$name" >/dev/null || log "could not mark $name autostart"
    done
    started=
    for name in $(cat "$BACKUP/restart-domains" "$TO_START" 2>/dev/null | tr ' ' '\n' | sort -u); do
        [ "$(virsh -q -c "$URI" domstate "$name" 2>/dev/null)" = running ] && continue
        if virsh -q -c "$URI" start "$name" >/dev/null; then started="$started $name"
        else log "could not start $name"; fi
    done
    [ -z "$TO_START" ] || rm -f "$TO_START"
    remove_installed "$BACKUP"
    [ -d "$BACKUP/cutover" ] && echo rolled-back | put "$BACKUP/cutover/status"
    record "state=recovered" "finished=$(now)" "started_domains=${started# }"
    rm -f "$MARKER"
    sync
    log "recovered: the host runs the state before run $(basename "$BACKUP")"
}

# What the run installed only for the new network (boot units, this script): listed by the
# deploy in <backup>/installed before it wrote them; the ones that existed are in
# <backup>/installed.d/<path> and come back.  Shared with cutover.sh's rollback.
remove_installed() {
    [ -e "$1/installed" ] || return 0
    while read -r path; do
        [ -n "$path" ] || continue
        if [ -e "$1/installed.d$path" ] || [ -L "$1/installed.d$path" ]; then
            cp -a "$1/installed.d$path" "$path.tmp.$$" && mv -f "$path.tmp.$$" "$path"
        else
            rm -f "$path"
        fi
    done <"$1/installed"
    # only under a running systemd (sd_booted's test): it re-reads the unit files
    if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
}

case ${1:-} in
    early) early ;;
    ports) ports ;;
    announce) announce ;;
    late) late ;;
    remove-installed) remove_installed "$2" ;;
    *) echo "usage: $0 early|ports|announce|late|remove-installed BACKUP" >&2; exit 2 ;;
esac
