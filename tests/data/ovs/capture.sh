#!/bin/bash
# Re-records the OVS 3.1 samples in this folder from a private, throw-away OVS.
# Everything runs inside a private network namespace with its own run dir, so the
# machine's own network and any system OVS are never touched; no traffic is sent
# (no controller/manager over TCP, no tunnels, internal port left down).
# Usage (root): bash capture.sh OUTDIR
set -euo pipefail
OUT=${1:?outdir}
NS=ovsparse-tmp
D=/tmp/ovsparse-tmp
cleanup() {
    for p in "$D"/ovs-vswitchd.pid "$D"/ovsdb-server.pid; do
        [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
    done
    sleep 0.5
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$D"
}
trap cleanup EXIT
cleanup
mkdir -p "$D"
ip netns add "$NS"
in_ns() { ip netns exec "$NS" env OVS_RUNDIR="$D" OVS_LOGDIR="$D" OVS_DBDIR="$D" "$@"; }
vsctl() { in_ns ovs-vsctl --db="unix:$D/db.sock" "$@"; }

ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema
in_ns ovsdb-server "$D/conf.db" --remote="punix:$D/db.sock" \
    --pidfile="$D/ovsdb-server.pid" --unixctl="$D/ovsdb-server.ctl" \
    --log-file="$D/ovsdb-server.log" --detach
vsctl --no-wait init
vsctl show > "$OUT/ovs-3.1-empty-no-version.show"
# ovs-ctl normally records the version; do the same so `show` prints it.
vsctl --no-wait set Open_vSwitch . ovs_version=3.1.0
vsctl show > "$OUT/ovs-3.1-empty.show"
in_ns ovs-vswitchd "unix:$D/db.sock" --pidfile="$D/ovs-vswitchd.pid" \
    --unixctl="$D/ovs-vswitchd.ctl" --log-file="$D/ovs-vswitchd.log" --detach

# veths that exist only inside the namespace: two bond members and three "vnet" NICs.
for i in eth0 eth1 vnet0 vnet1 vnet2; do
    in_ns ip link add "$i" type veth peer name "$i-peer"
done

vsctl add-br ovsbr0 -- set Bridge ovsbr0 datapath_type=netdev
vsctl add-bond ovsbr0 bond0 eth0 eth1 bond_mode=balance-slb lacp=off
vsctl add-port ovsbr0 vlan1234 tag=1234 -- set Interface vlan1234 type=internal
# libvirt-style access, trunk and native-untagged ports, with libvirt's external_ids.
vsctl add-port ovsbr0 vnet0 tag=1011 -- set Interface vnet0 \
    external_ids:attached-mac=52:54:00:aa:bb:01 \
    external_ids:iface-id=0f8c4c1e-5b7d-4a8e-9a4e-2d1f3c5b6a01 \
    external_ids:iface-status=active \
    external_ids:vm-id=7a2b9d3e-1c4f-4e8a-b6d5-0e9f8a7b6c01
vsctl add-port ovsbr0 vnet1 trunks=1011,1012
vsctl add-port ovsbr0 vnet2 tag=101 trunks=101,102 vlan_mode=native-untagged
# A port whose device does not exist: OVS reports an error and ofport -1.
vsctl add-port ovsbr0 vnet9 tag=1011
# Second bridge joined by a patch pair, with secure fail mode and a passive unix controller.
vsctl add-br ovsbr1 -- set Bridge ovsbr1 datapath_type=netdev fail_mode=secure
vsctl set-controller ovsbr1 "punix:$D/ovsbr1.controller"
vsctl add-port ovsbr0 patch-ovsbr1 -- set Interface patch-ovsbr1 type=patch options:peer=patch-ovsbr0
vsctl add-port ovsbr1 patch-ovsbr0 -- set Interface patch-ovsbr0 type=patch options:peer=patch-ovsbr1
vsctl set-manager "punix:$D/manager"
sleep 1

# Strip the random run dir so the samples are stable.
fix() { sed "s#$D#/var/run/openvswitch#g"; }
vsctl show | fix > "$OUT/ovs-3.1-lab.show"
for t in Bridge Port Interface; do
    vsctl --format=json list "$t" | fix > "$OUT/ovs-3.1-lab-list-$t.json"
done
vsctl --format=json --columns=_uuid,name,tag,trunks,vlan_mode,interfaces,external_ids,bond_mode,lacp list Port \
    | fix > "$OUT/ovs-3.1-lab-columns-Port.json"
vsctl --format=json --columns=_uuid,name,type,ofport,error,external_ids,options list Interface \
    | fix > "$OUT/ovs-3.1-lab-columns-Interface.json"
vsctl --format=json --columns=_uuid,name,ports,datapath_type,datapath_id,fail_mode list Bridge \
    | fix > "$OUT/ovs-3.1-lab-columns-Bridge.json"
