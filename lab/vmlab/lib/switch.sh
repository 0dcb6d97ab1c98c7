# vmlab: the upstream switch (sourced by lab/vmlab/vmlab). Same design as lab/ovslab's: a
# private userspace OVS in its own network namespace, every VM NIC a trunk port (a tap), each
# VLAN's gateway on a tagged internal port. Its ovsdb-server/ovs-vswitchd have their own
# OVS_RUNDIR and --unixctl sockets under $DIR/sw, so they never meet the machine's OVS (or
# another lab's). It also serves the tier's apt repository on the management gateway.
# shellcheck shell=bash

SW_ENV=(OVS_RUNDIR="$DIR/sw" OVS_DBDIR="$DIR/sw" OVS_LOGDIR="$DIR/sw" OVS_SYSCONFDIR="$DIR/sw")
sw_vsctl() { env "${SW_ENV[@]}" ovs-vsctl --db="unix:$DIR/sw/db.sock" --timeout=20 "$@"; }
sw_run() { ip netns exec "$SW" env "${SW_ENV[@]}" PATH="$STD_PATH:$PATH" "$@"; }

sw_up() {
    local v args=(-- add-br sw0 -- set bridge sw0 datapath_type=netdev)
    mkdir -p "$DIR/sw"
    ip netns add "$SW"
    ip -n "$SW" link set lo up
    ovsdb-tool create "$DIR/sw/conf.db" "$SCHEMA"
    sw_run ovsdb-server "$DIR/sw/conf.db" --remote="punix:$DIR/sw/db.sock" \
        --unixctl="$DIR/sw/ovsdb-server.ctl" --pidfile="$DIR/sw/ovsdb-server.pid" \
        --log-file="$DIR/sw/ovsdb-server.log" -vconsole:off --no-chdir --detach \
        </dev/null 2>>"$DIR/sw/daemons.stderr"
    sw_vsctl --no-wait init
    sw_run ovs-vswitchd "unix:$DIR/sw/db.sock" --unixctl="$DIR/sw/ovs-vswitchd.ctl" \
        --pidfile="$DIR/sw/ovs-vswitchd.pid" --log-file="$DIR/sw/ovs-vswitchd.log" \
        -vconsole:off --no-chdir --detach </dev/null 2>>"$DIR/sw/daemons.stderr"
    for v in "${VLANS[@]}"; do
        args+=(-- add-port sw0 "gw$v" "tag=$v" -- set interface "gw$v" type=internal)
    done
    sw_vsctl "${args[@]}"
    {
        echo "link set sw0 up"
        for v in "${VLANS[@]}"; do
            echo "addr add ${GW[$v]} dev gw$v"
            echo "link set gw$v up"
        done
    } | ip -n "$SW" -batch -
}

sw_repo_up() { # serve $IMG/repo on the management gateway, inside the switch namespace
    ip netns exec "$SW" setsid python3 -m http.server --bind "${GW[$MGMT_VLAN]%/*}" \
        --directory "$IMG/repo" "$REPO_PORT" </dev/null >"$DIR/sw/repo-http.log" 2>&1 &
    echo $! >"$DIR/sw/repo-http.pid"
}

sw_tap_add() { # host nic: a persistent tap in the switch namespace, a trunk port of sw0
    local tap
    tap=$(host_tap "$1" "$2")
    if ! ip -n "$SW" link show "$tap" >/dev/null 2>&1; then
        ip -n "$SW" tuntap add dev "$tap" mode tap
    fi
    sw_vsctl --may-exist add-port sw0 "$tap"
    ip -n "$SW" link set "$tap" up
}

sw_pids() { # pids of the switch's daemons (from their pid files)
    local f p
    for f in "$DIR"/sw/*.pid; do
        [ -s "$f" ] || continue
        p=$(cat "$f" 2>/dev/null) || continue
        [ -d "/proc/$p" ] && echo "$p"
    done
    true
}
