# ovslab: the guests (sourced by lab/ovslab): which domains a host has, their MACs, addresses
# and kernel command lines, their domain XML (lab/templates/domain*.xml), the guest image,
# waiting for their boot, and `guest NAME REQUEST`.
# shellcheck shell=bash

# Guests boot Debian's cloud kernel + a busybox initramfs (lab/guest/build, cached in $CACHE;
# copied to $DIR/guest by `up`). Each guest's network comes from its kernel command line, as
# its own OS would configure it: ovslab.nicN=MAC,SPEC... with SPEC = ADDR/LEN (untagged) or
# VID:ADDR/LEN (802.1Q sub-interface). It answers on TCP 7000 (id | hang | sh CMD, see
# lab/guest/README.md) and powers off on the ACPI power button.
GUEST_MEM_MIB=96 # the cloud kernel runs out of memory while unpacking the initramfs at 72
# No checksum offload to the guest: on OVS's userspace datapath (the lab's) a guest's partial TX
# checksums would leave uncorrected: ping works, every TCP connection fails. Quiet guests: no
# USB controller (an idle UHCI costs ~50% of a CPU per TCG guest) and no NIC option ROM (iPXE
# would spin for seconds per NIC, DHCPing into the VLANs). The serial console is logged
# (lab-private /var/log: $DIR/HOST/root/var/log/libvirt/qemu/NAME.console).
domain_xml() { # name cmdline interface-xml...: a guest's domain (templates/domain.xml)
    local name=$1 cmdline=$2 interfaces
    shift 2
    printf -v interfaces '%s\n' "$@"
    render domain.xml NAME="$name" MEM_MIB="$GUEST_MEM_MIB" GUEST_DIR="$DIR/guest" \
        CMDLINE="$cmdline" INTERFACES="${interfaces%$'\n'}"
}
# bridge mac [ovs-xml]: one NIC of a domain (templates/domain-interface.xml); ovs-xml, for a
# port of an OVS bridge, goes after <source> (<virtualport type='openvswitch'/>, <vlan>)
domain_interface_xml() {
    render domain-interface.xml BRIDGE="$1" MAC="$2" OVS_PORT="${3:-}"
}

# Domains of a host: "name state nic..." (state: running | shutoff). The same five on every
# host that has guests (OVSLAB_DOMAINS); MACs 52:54:00:aa:bb:0K on hv1, 52:54:00:aa:NN:0K on
# hvN (NN = N in hex), so that no two guests on the switch share a MAC.
guest_mac_prefix() {
    if [ "$1" = hv1 ]; then echo 52:54:00:aa:bb; else printf '52:54:00:aa:%02x' "${1#hv}"; fi
}
host_domains() {
    has_domains "$1" || return 0
    local m
    m=$(guest_mac_prefix "$1")
    echo "vm-access running bridge1011=$m:01"
    echo "vm-trunk running bridge1011=$m:02"
    echo "vm-hybrid running bridge101=$m:03"
    echo "vm-multi running bridge1011=$m:04 bridge1012=$m:05"
    echo "vm-off shutoff bridge1012=$m:06"
}
# How each guest's own OS configures its NICs ("MAC-suffix=VLAN[,tVLAN...]", tN = tagged
# 802.1Q sub-interface), i.e. the wiring after the migration (the deploy's lab inventory): the
# access guest untagged, the trunk guest tagged on both trunk VLANs, the hybrid guest untagged
# on its native VLAN and tagged on the other, the two-NIC guest untagged on each NIC.
guest_nets() {
    case $1 in
        vm-access) echo "01=1011" ;;
        vm-trunk) echo "02=t1011,t1012" ;;
        vm-hybrid) echo "03=101,t102" ;;
        vm-multi) echo "04=1011 05=1012" ;;
        vm-off) echo "06=1012" ;;
    esac
}
# Guest K's address on VLAN V is V's subnet + K (K = 4..8: its first MAC's last octet + 3),
# one host part per guest, the same on every VLAN, so that probing it from each VLAN's gateway
# shows exactly where the guest is. Only hv1's guests get addresses (hvN's would collide).
guest_addr() { # K vlan -> address/len
    local ip=${GW[$2]%/*}
    echo "${ip%.*}.$((${ip##*.} - 1 + $1))/${GW[$2]#*/}"
}
guest_cmdline() { # host name: its kernel command line; hv1's addresses go to $DIR/guests
    local h=$1 name=$2 m nic spec k='' n=0 out v a
    m=$(guest_mac_prefix "$h")
    out="ovslab.name=$name"
    [ "$h" = hv1 ] || { echo "$out"; return 0; }
    for nic in $(guest_nets "$name"); do
        n=$((n + 1))
        [ -n "$k" ] || k=$((10#${nic%%=*} + 3))
        spec="$m:${nic%%=*}"
        for v in $(tr , ' ' <<<"${nic#*=}"); do
            a=$(guest_addr "$k" "${v#t}")
            if [[ $v == t* ]]; then spec+=",${v#t}:$a"; else spec+=",$a"; fi
            # name mac vlan tagged|untagged address: what the tests probe
            echo "$name $m:${nic%%=*} ${v#t} $([[ $v == t* ]] && echo tagged || echo untagged) $a" \
                >>"$DIR/guests"
        done
        out+=" ovslab.nic$n=$spec"
    done
    echo "$out"
}

host_define_domains() {
    local h=$1 name state nics nic
    local -a xml
    local script='set -e'
    [ -n "$(host_domains "$h")" ] || return 0
    while read -r name state nics; do
        xml=()
        for nic in $nics; do xml+=("$(domain_interface_xml "${nic%%=*}" "${nic#*=}")"); done
        domain_xml "$name" "$(guest_cmdline "$h" "$name")" "${xml[@]}" >"$DIR/$h/domains/$name.xml"
        script+="
virsh -q define $DIR/$h/domains/$name.xml >/dev/null"
        [ "$state" = running ] && script+="
virsh -q start $name >/dev/null"
    done < <(host_domains "$h")
    hv_boot "$h" sh -c "$script"
    phase "host $h: domains"
}
# The guest image ($DIR/guest: vmlinuz, initrd.img, rasend, busybox) from lab/guest/build.
guest_image() {
    local img
    img=$("$LAB_SRC/guest/build") || die "guest image build failed (lab/guest/build)"
    mkdir -p "$DIR/guest"
    cp -p "$img"/* "$DIR/guest/"
    phase "guest image ($img)"
}
# Wait until every running guest of host $1 has booted (its console says "up"), so that it
# handles the ACPI power button from then on (a guest still booting would miss it).
wait_guests() {
    local h=$1 name state nics pending
    for _ in $(seq 600); do
        pending=
        while read -r name state nics; do
            [ "$state" = running ] || continue
            grep -qs "ovslab-guest: $name up" \
                "$DIR/$h/root/var/log/libvirt/qemu/$name.console" || pending+=" $name"
        done < <(host_domains "$h")
        [ -n "$pending" ] || return 0
        sleep 0.2
    done
    die "guests of $h did not boot within 120 s:$pending (consoles: $DIR/$h/root/var/log/libvirt/qemu)"
}
# `ovslab guest NAME REQUEST...`: ask hv1's guest NAME (id | hang | sh CMD) on its first
# address, from the switch (i.e. from the gateway of that address's VLAN).
cmd_guest() {
    local name=${1:-} addr
    [ $# -ge 2 ] || die "usage: $0 guest NAME id|hang|sh CMD..."
    shift
    [ -s "$DIR/guests" ] || die "the lab has no guests with addresses ($DIR/guests)"
    addr=$(awk -v n="$name" '$1 == n { sub("/.*", "", $5); print $5; exit }' "$DIR/guests")
    [ -n "$addr" ] || die "no guest $name in $DIR/guests"
    echo "$*" | ip netns exec "$SW" socat -t 30 -T 40 - "TCP:$addr:7000,connect-timeout=5"
}

