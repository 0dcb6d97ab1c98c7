# vmlab: the hypervisor VMs (sourced by lab/vmlab/vmlab).
# shellcheck shell=bash
#
# A VM = $DIR/<h>/disk.qcow2 (an overlay on the cached base image), seed.img (its first-boot
# data, read-only second disk), and one QEMU started in the switch namespace (its taps live
# there). QEMU runs with -no-reboot: a guest reboot ends it and vm_reboot starts a fresh one
# on the same disk (a warm TCG reset is twice as slow); killing it is a power loss.

legacy_interfaces() { # the seed's /etc/network/interfaces: vlanNNN on eth0 + bridgeNNN, IPv6 on
    local h=$1 v
    cat <<EOF2
# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The uplink: a trunk carrying all VLANs
auto eth0
iface eth0 inet manual
EOF2
    for v in "${VLANS[@]}"; do
        printf '\nauto vlan%s\niface vlan%s inet manual\n    vlan_raw_device eth0\n' "$v" "$v"
        printf '\nauto bridge%s\n' "$v"
        if [ "$v" = "$MGMT_VLAN" ]; then
            printf 'iface bridge%s inet static\n' "$v"
            printf '    bridge_ports vlan%s\n    bridge_fd 0\n' "$v"
            printf '    address %s/24\n    gateway %s\n    dns-nameservers %s\n' \
                "$(host_ip "$h")" "${GW[$v]%/*}" "$DNS"
        else
            printf 'iface bridge%s inet manual\n' "$v"
            printf '    bridge_ports vlan%s\n    bridge_fd 0\n' "$v"
        fi
    done
}

guest_xml() { # name bridge mac: a tiny nested TCG guest (no disk; SeaBIOS idles, ignores ACPI)
    cat <<EOF2
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <currentMemory unit='MiB'>64</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='bridge'>
      <mac address='$3'/>
      <source bridge='$2'/>
      <model type='virtio'/>
      <rom enabled='no'/>
    </interface>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF2
}

# Nested guests of host h: "name bridge mac" (autostarted, running after first boot)
host_guests() {
    echo "guest$(host_n "$1") bridge101 $(printf '52:54:00:aa:%02x:01' "$(host_n "$1")")"
}
guest_mac() { host_guests "$1" | awk '{ print $3; exit }'; }

vm_seed() { # host: $DIR/h/seed.img
    local h=$1 S=$DIR/$1/seed name bridge mac
    rm -rf "$S"
    mkdir -p "$S/root/etc/network" "$S/root/root/.ssh" "$S/root/home/deploy/.ssh" \
        "$S/root/var/lib/vmlab/domains"
    echo "$h" >"$S/root/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
        "$h" >"$S/root/etc/hosts"
    for x in "${ALL_HOSTS[@]}"; do printf '%s\t%s\n' "$(host_ip "$x")" "$x" >>"$S/root/etc/hosts"; done
    echo "nameserver $DNS" >"$S/root/etc/resolv.conf"
    legacy_interfaces "$h" >"$S/root/etc/network/interfaces"
    # Debian waits up to 300 s at shutdown for each guest to shut down; the tier's guests have
    # no OS (they ignore ACPI), so every reboot would wait that long
    mkdir -p "$S/root/etc/default"
    printf 'ON_BOOT=ignore\nON_SHUTDOWN=shutdown\nSHUTDOWN_TIMEOUT=10\n' >"$S/root/etc/default/libvirt-guests"
    cp "$DIR/id_ed25519.pub" "$S/root/root/.ssh/authorized_keys"
    cp "$DIR/id_ed25519.pub" "$S/root/home/deploy/.ssh/authorized_keys"
    # VM to VM (live migration over qemu+ssh): one tier-internal root key
    cp "$DIR/peer_ed25519" "$S/root/root/.ssh/id_ed25519"
    cp "$DIR/peer_ed25519.pub" "$S/root/root/.ssh/id_ed25519.pub"
    cat "$DIR/peer_ed25519.pub" >>"$S/root/root/.ssh/authorized_keys"
    printf 'Host *\n    StrictHostKeyChecking no\n    UserKnownHostsFile /dev/null\n    LogLevel ERROR\n' \
        >"$S/root/root/.ssh/config"
    chmod 0600 "$S/root/root/.ssh/id_ed25519"
    {
        echo "# vmlab: the nested guests of $h (first boot)"
        while read -r name bridge mac; do
            guest_xml "$name" "$bridge" "$mac" >"$S/root/var/lib/vmlab/domains/$name.xml"
            echo "virsh -q define /var/lib/vmlab/domains/$name.xml"
            echo "virsh -q autostart $name"
            echo "virsh -q start $name"
        done < <(host_guests "$h")
    } >"$S/root/var/lib/vmlab/guests.sh"
    rm -f "$DIR/$h/seed.img"
    mkfs.ext4 -q -L vmlabseed -d "$S" "$DIR/$h/seed.img" 16M
}

vm_create() { # host nics: fresh disk overlay + seed (a never-booted machine)
    local h=$1
    mkdir -p "$DIR/$h"
    echo "$2" >"$DIR/$h/nics"
    rm -f "$DIR/$h/disk.qcow2"
    qemu-img create -q -f qcow2 -b "$IMG/base.qcow2" -F qcow2 "$DIR/$h/disk.qcow2"
    vm_seed "$h"
}

vm_pid() { # pid of host h's QEMU, if running
    local p
    p=$(cat "$DIR/$1/qemu.pid" 2>/dev/null) || return 1
    [ -n "$p" ] && grep -qa "$P-$1" "/proc/$p/cmdline" 2>/dev/null && echo "$p"
}

vm_start() { # host: power on (returns once QEMU runs; see vm_wait)
    local h=$1 n nics i args=()
    vm_pid "$h" >/dev/null && die "$h is already running"
    IMG=$(cat "$DIR/image")
    nics=$(cat "$DIR/$h/nics")
    for ((i = 0; i < nics; i++)); do
        sw_tap_add "$h" "$i"
        args+=(-netdev "tap,id=n$i,ifname=$(host_tap "$h" "$i"),script=no,downscript=no,vnet_hdr=off"
            -device "virtio-net-pci,netdev=n$i,mac=$(host_mac "$h" "$i")")
    done
    n=$(host_n "$h")
    echo "=== vmlab: power on $(date -u +%FT%T.%NZ)" >>"$DIR/$h/console.log"
    date +%s.%N >"$DIR/$h/power-on"
    ip netns exec "$SW" qemu-system-x86_64 -name "$P-$h" \
        -uuid "$(printf '00000000-0000-4000-8000-%012d' "$n")" \
        -accel tcg,tb-size=256 -cpu max -smp 1 -m "$VM_MEM" \
        -nodefaults -display none -vga none -no-reboot \
        -kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" \
        -append "root=/dev/vda rw console=ttyS0,115200 net.ifnames=0 mitigations=off" \
        -drive "file=$DIR/$h/disk.qcow2,if=virtio,format=qcow2" \
        -drive "file=$DIR/$h/seed.img,if=virtio,format=raw,readonly=on" \
        "${args[@]}" -device virtio-rng-pci \
        -chardev "file,id=con,path=$DIR/$h/console.log,append=on" -serial chardev:con \
        -chardev "file,id=stg,path=$DIR/$h/stage.log,append=on" -serial chardev:stg \
        -qmp "unix:$DIR/$h/qmp.sock,server=on,wait=off" \
        -pidfile "$DIR/$h/qemu.pid" -daemonize
}

vm_ping() { ip netns exec "$SW" ping -n -q -c1 -W1 "$(host_ip "$1")" >/dev/null 2>&1; }
vm_ssh() { # host cmd...: as root over the management VLAN
    local h=$1
    shift
    ssh -F "$DIR/ssh_config" -o ConnectTimeout=10 -o BatchMode=yes "$P-$h" "$@"
}

vm_wait() { # host [timeout]: until the management address answers ping and SSH
    local h=$1 timeout=${2:-${VMLAB_BOOT_TIMEOUT:-600}} t0 pinged=
    t0=$(date +%s)
    while [ $(($(date +%s) - t0)) -lt "$timeout" ]; do
        vm_pid "$h" >/dev/null || die "$h: QEMU is not running (console: $DIR/$h/console.log)"
        if [ -z "$pinged" ] && vm_ping "$h"; then
            pinged=1
            log "$h: $(host_ip "$h") answers ping $(since_power_on "$h")s after power-on"
        fi
        if [ -n "$pinged" ] && vm_ssh "$h" true 2>/dev/null; then
            log "$h: SSH up $(since_power_on "$h")s after power-on"
            return 0
        fi
        sleep 1
    done
    die "$h: no management address/SSH after ${timeout}s (console: $DIR/$h/console.log)"
}
since_power_on() { elapsed "$(cat "$DIR/$1/power-on")"; }

vm_kill() { # host: power loss (SIGKILL QEMU), returns when it is gone
    local h=$1 p i
    p=$(vm_pid "$h") || return 0
    kill -KILL "$p"
    for i in $(seq 100); do
        [ -d "/proc/$p" ] || return 0
        sleep 0.1
    done
    die "$h: QEMU $p survived SIGKILL"
}

vm_link() { # host nic up|down: pull or plug NIC's cable (QMP set_link: the VM sees carrier loss)
    local h=$1 nic=$2 state=$3 up reply
    case $state in up) up=true ;; down) up=false ;; *) die "link state: up or down, not $state" ;; esac
    [ "$nic" -ge 0 ] 2>/dev/null && [ "$nic" -lt "$(cat "$DIR/$h/nics")" ] ||
        die "$h has no NIC $nic (NICs: 0..$(($(cat "$DIR/$h/nics") - 1)))"
    vm_pid "$h" >/dev/null || die "$h is not running"
    reply=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
        "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n$nic\",\"up\":$up}}" |
        socat -t 2 - "UNIX-CONNECT:$DIR/$h/qmp.sock")
    # one greeting, then one reply per command: both must be "return"
    [ "$(grep -c '"return"' <<<"$reply")" = 2 ] || die "$h: QMP set_link failed: $reply"
    log "$h: NIC $nic (eth$nic) link $state"
}

vm_reboot() { # host: systemctl reboot inside, a fresh QEMU when the old one exits
    local h=$1 p t0 i
    p=$(vm_pid "$h") || die "$h is not running"
    t0=$(now)
    vm_ssh "$h" 'systemctl reboot' || true
    for i in $(seq "${VMLAB_SHUTDOWN_TIMEOUT:-300}"); do
        [ -d "/proc/$p" ] || break
        sleep 1
    done
    if [ -d "/proc/$p" ]; then
        log "WARNING: $h did not shut down in ${VMLAB_SHUTDOWN_TIMEOUT:-300}s; cutting the power"
        vm_kill "$h"
    fi
    log "$h: shut down in $(elapsed "$t0")s"
    vm_start "$h"
    vm_wait "$h"
}
