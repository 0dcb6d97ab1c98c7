# ovslab: the upstream switch (sourced by lab/ovslab): a private userspace OVS in the network
# namespace $P-sw, files in $DIR/sw, bridge sw0 with one tagged internal port gwVLAN per VLAN
# (the VLAN's gateway); each host's eth0 is a trunk port of it (host.sh).
# shellcheck shell=bash

SW_ENV=(OVS_RUNDIR="$DIR/sw" OVS_DBDIR="$DIR/sw" OVS_LOGDIR="$DIR/sw" OVS_SYSCONFDIR="$DIR/sw")
sw_vsctl() { env "${SW_ENV[@]}" ovs-vsctl --timeout=20 "$@"; }
sw_run() { ip netns exec "$SW" env "${SW_ENV[@]}" PATH="$STD_PATH:$PATH" "$@"; }

sw_up() {
    mkdir -p "$DIR/sw"
    ip netns add "$SW"
    ip -n "$SW" link set lo up
    # the switch's netns as a file under $DIR, so lab hosts (private /run) can reach it
    touch "$DIR/sw/netns"
    mount --bind "/run/netns/$SW" "$DIR/sw/netns"
    ovsdb-tool create "$DIR/sw/conf.db" "$SCHEMA"
    sw_run ovsdb-server "$DIR/sw/conf.db" --remote="punix:$DIR/sw/db.sock" \
        --pidfile="$DIR/sw/ovsdb-server.pid" \
        --log-file="$DIR/sw/ovsdb-server.log" -vconsole:off --no-chdir --detach \
        </dev/null 2>>"$DIR/sw/daemons.stderr"
    sw_vsctl --no-wait init
    sw_run ovs-vswitchd "unix:$DIR/sw/db.sock" --pidfile="$DIR/sw/ovs-vswitchd.pid" \
        --log-file="$DIR/sw/ovs-vswitchd.log" \
        -vconsole:off --no-chdir --detach </dev/null 2>>"$DIR/sw/daemons.stderr"
    local args=(-- add-br sw0 -- set bridge sw0 datapath_type=netdev) v
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

wait_ping() { # ip from the switch
    for _ in $(seq 50); do
        ip netns exec "$SW" ping -n -q -c1 -W1 "$1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

