# ovslab: `down` (sourced by lab/ovslab): kill every process of the lab, unmount its
# namespaces, delete its netns and the state dir. Also the process lookups host.sh's
# host_stop uses.
# shellcheck shell=bash

ns_members() { # nsfs-file...: pids of processes in those mount/PID namespaces
    local f ino inos=
    for f in "$@"; do
        # shellcheck disable=SC2015 # skip unless both hold
        [ -e "$f" ] && is_mounted "$f" || continue
        ino=$(stat -L -c %i "$f" 2>/dev/null) || continue
        inos+=" mnt:[$ino] pid:[$ino]"
    done
    [ -n "$inos" ] || return 0
    # one pass over /proc for all namespaces (a lab of 20 hosts has 40 of them)
    find /proc/[0-9]*/ns/mnt /proc/[0-9]*/ns/pid -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
        awk -v want="$inos" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) ok[w[i]] = 1 }
            $2 in ok { split($1, p, "/"); print p[3] }' || true
}
host_pids() {
    ip netns pids "$(host_ns "$1")" 2>/dev/null || true
    ns_members "$DIR/$1/mnt" "$DIR/$1/pid"
}
lab_pids() {
    local ns f p
    for ns in $(lab_netns); do ip netns pids "$ns" 2>/dev/null || true; done
    # processes in a lab mount or PID namespace (normally also in the lab netns; be thorough)
    ns_members "$DIR"/*/mnt "$DIR"/*/pid
    for f in "$DIR"/sw/*.pid; do
        [ -s "$f" ] || continue
        p=$(cat "$f" 2>/dev/null) || continue
        grep -qa -e ovsdb-server -e ovs-vswitchd "/proc/$p/cmdline" 2>/dev/null && echo "$p"
    done
    true
}
kill_lab_processes() {
    # TERM first (the lab's PID 1 exits on it, and the kernel then kills its whole PID
    # namespace); whatever is left after 0.5 s (e.g. unshare, which ignores TERM) gets KILL.
    local pids i
    for i in $(seq 50); do
        pids=$(lab_pids | sort -un | grep -vx -e "$$" -e "$PPID" || true)
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086
        if [ "$i" = 1 ]; then kill -TERM $pids 2>/dev/null || true
        elif [ "$i" -ge 6 ]; then kill -KILL $pids 2>/dev/null || true; fi
        sleep 0.1
    done
    log "WARNING: processes survived: $pids"
}
cmd_down() {
    local t0 ns f
    t0=$(now)
    kill_lab_processes
    for f in "$DIR"/*/mnt "$DIR"/*/uts "$DIR"/*/pid; do
        while is_mounted "$f"; do umount "$f" 2>/dev/null || umount -l "$f"; done
    done
    for ns in $(lab_netns); do ip netns del "$ns" 2>/dev/null || true; done
    # the private bind mount of the state dir (and anything left below it)
    # shellcheck disable=SC2013 # mount points of the state dir: no blanks in them
    for f in $(awk -v d="$DIR" '$5 == d || index($5, d "/") == 1 { print $5 }' \
        /proc/self/mountinfo | sort -r); do
        umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || true
    done
    while is_mounted "$DIR"; do umount "$DIR" 2>/dev/null || umount -l "$DIR"; done
    if [ -e "$DIR/.ovslab-state" ] || [ -z "$(ls -A "$DIR" 2>/dev/null)" ]; then
        rm -rf --one-file-system "$DIR"
    elif [ -e "$DIR" ]; then
        log "WARNING: $DIR is not an ovslab state dir (no .ovslab-state); not removing it"
    fi
    [ -z "$(lab_netns)" ] || die "netns left over: $(lab_netns | tr '\n' ' ')"
    log "down in $(elapsed "$t0")s"
}

