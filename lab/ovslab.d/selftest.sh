# ovslab: `selftest` (sourced by lab/ovslab).
# shellcheck shell=bash disable=SC2016 # (the checks are sh -c scripts run in the lab host)

# Proves, on a scratch host without the legacy state, that the "after" state works in the lab:
# Debian's ifupdown hook via `ifup --allow=ovs -a` (datapath netdev, tagged mgmt port), 802.1Q
# on the wire, and libvirt plugging vnets into the OVS bridge with access / trunk VLANs.
# Destroys the lab first and leaves it DOWN. Its texts: templates/after-interfaces (the "after"
# /etc/network/interfaces), and the scratch domains are the guests' domain XML with OVS NICs.
cmd_selftest() {
    local h=hv1 t0 fail=0 out
    t0=$(now)
    # shellcheck disable=SC2034 # HOSTS: for lab_base (up.sh)
    HOSTS=(hv1)
    check() { # description command...
        local d=$1
        shift
        if out=$("$@" 2>&1); then log "PASS $d"; else log "FAIL $d"; fail=1; fi
        if [ -n "$out" ] && { [ $fail = 1 ] || [ -n "${OVSLAB_VERBOSE:-}" ]; }; then
            printf '%s\n' "$out" | sed 's/^/        | /' >&2
        fi
    }
    cmd_down
    lab_base
    guest_image
    host_up "$h" bare
    render after-interfaces >"$DIR/$h/root/etc/network/interfaces"
    check "ifup --allow=ovs -a (Debian hook, shimmed service manager)" \
        hv_boot "$h" sh -c 'ifup --allow=ovs -a 2>&1 | tee /dev/stderr | (! grep -i -e fail -e error)'
    check "ovsbr0 datapath_type netdev" \
        hv_boot "$h" sh -c '[ "$(ovs-vsctl get bridge ovsbr0 datapath_type)" = netdev ]'
    check "vlan1234 is an internal port with tag 1234" \
        hv_boot "$h" sh -c '[ "$(ovs-vsctl get port vlan1234 tag)" = 1234 ] &&
            [ "$(ovs-vsctl get interface vlan1234 type)" = internal ] &&
            ovs-vsctl get interface eth0 ofport | grep -qv -- -1'
    check "ifquery --state lists ovsbr0 eth0 vlan1234" \
        hv_boot "$h" sh -c 'ifquery --state | tee /dev/stderr | grep -qx ovsbr0=ovsbr0 &&
            ifquery --state | grep -qx eth0=eth0 && ifquery --state | grep -qx vlan1234=vlan1234'
    check "single OVS instance in the host" \
        hv_boot "$h" sh -c '[ $(pgrep -c -x ovs-vswitchd) -ge 1 ] && systemctl -q is-active openvswitch-switch'
    ip netns exec "$SW" timeout 5 tcpdump -l -n -e -c 2 -i "$h-eth0" vlan 1234 and icmp \
        >"$DIR/selftest.tcpdump" 2>/dev/null &
    local tcpd=$!
    sleep 0.5
    check "ping 192.0.2.10 from $SW" wait_ping 192.0.2.10
    wait $tcpd || true
    check "802.1Q vlan 1234 frames on the trunk $h-eth0" grep -q "vlan 1234" "$DIR/selftest.tcpdump"
    check "ssh over the OVS management port" \
        ssh -F "$DIR/ssh_config" -o ConnectTimeout=10 "$(host_ns "$h")" 'ip -br a show vlan1234'
    # scratch domains: name, <vlan> element, expected "tag|trunks|vlan_mode" of its vnet port
    local -a cases=(
        "st-access|<vlan><tag id='1011'/></vlan>|1011||"
        "st-trunk|<vlan trunk='yes'><tag id='1011'/><tag id='1012'/></vlan>||1011 1012|"
        "st-hybrid|<vlan trunk='yes'><tag id='101' nativeMode='untagged'/><tag id='102'/></vlan>|101|101 102|native-untagged"
    )
    local c name vlan expect n=0 script='set -e'
    for c in "${cases[@]}"; do
        IFS='|' read -r name vlan expect <<<"$c"
        n=$((n + 1))
        domain_xml "$name" "ovslab.name=$name" "$(domain_interface_xml ovsbr0 "52:54:00:ee:00:0$n" \
            "<virtualport type='openvswitch'/>$vlan")" >"$DIR/$h/domains/$name.xml"
        script+="; virsh -q define $DIR/$h/domains/$name.xml >/dev/null; virsh -q start $name >/dev/null"
    done
    check "define+start scratch domains on ovsbr0" hv_boot "$h" sh -c "$script"
    for c in "${cases[@]}"; do
        IFS='|' read -r name vlan expect <<<"$c"
        # shellcheck disable=SC2016
        check "$name vnet port: tag|trunks|vlan_mode = $expect" hv_boot "$h" sh -c '
            p=$(virsh domiflist "$1" | awk "NR>2 && \$1 { print \$1 }")
            got=$(ovs-vsctl --format=csv --data=bare --no-headings \
                --columns=tag,trunks,vlan_mode list port "$p" | tr , "|")
            echo "$p: $got" >&2
            [ "$got" = "$2" ]' st "$name" "$expect"
    done
    check "destroy+undefine scratch domains removes their vnet ports" hv_boot "$h" sh -ec '
        for d in st-access st-trunk st-hybrid; do virsh -q destroy $d; virsh -q undefine $d; done
        [ -z "$(ovs-vsctl list-ports ovsbr0 | grep vnet)" ]'
    check "ifdown --allow=ovs -a removes ovsbr0" \
        hv_boot "$h" sh -c 'ifdown --allow=ovs -a && ! ovs-vsctl br-exists ovsbr0'
    cmd_down
    if [ $fail = 0 ]; then log "selftest PASSED in $(elapsed "$t0")s"; else log "selftest FAILED"; fi
    return $fail
}

