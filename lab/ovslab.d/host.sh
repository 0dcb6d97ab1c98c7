# ovslab: a lab host's power (sourced by lab/ovslab): its namespaces, uplink and boot
# (host_start), power off (host_stop), and `reboot` (clean, or --power-loss).
# shellcheck shell=bash

# Namespaces of host $1, created while inside its netns (so the fresh sysfs shows the lab's
# links): mount ($DIR/$h/mnt), UTS ($DIR/$h/uts, hostname) and PID ($DIR/$h/pid, so that ps,
# pgrep, pkill inside the lab see only the lab). This script runs as PID 1 of the new PID
# namespace, prepares the mounts, then becomes the reaper files/lab-init.
# shellcheck disable=SC2016 # expanded by that sh
MNT_SCRIPT='
set -eu
DIR=$1 H=$2; shift 2
R=$DIR/$H/root O=$DIR/$H/overlay
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -p /run/lock /run/network /run/ovslab /run/sshd
chmod 1777 /run/lock
printf "OVSLAB_DIR=%s\nOVSLAB_HOST=%s\n" "$DIR" "$H" >/run/ovslab/lab.env
# only the per-netns part of /proc/sys is writable: sysctl can never change the machine
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
for p in $OVERLAYS; do
    mount -t overlay overlay -o "lowerdir=$p,upperdir=$O$p/upper,workdir=$O$p/work" "$p"
done
for p in "$@"; do
    mkdir -p "$p"
    mount --bind "$R$p" "$p"
done
mount --bind "$DIR/$H/bin/systemctl" /usr/bin/systemctl
hostname "$H"
touch "$DIR/$H/ready"
exec /usr/bin/python3 "$DIR/$H/bin/lab-init" </dev/null >/dev/null 2>&1
'

host_up() { # host legacy|bare
    host_prepare_files "$1" "$2"
    host_start "$1" fast
}

# Start ("power on") host $1 from its files: namespaces, uplink, then the services.
# Boot order "debian" is Debian 12's systemd order (ovsdb-server, ovs-vswitchd, networking =
# ifup -a, then libvirtd, ssh). "fast" (used by `up`) starts libvirtd before networking so that
# its one-off QEMU capabilities probe (~2-4 s when not cached) overlaps with ifup -a; nothing
# is autostarted then, so the difference is not observable. In legacy mode ifup -a builds the
# whole "before" state from the admin's interfaces file (vlanN via the lab's vlan hook).
host_start() { # host fast|debian
    local h=$1 order=$2 ns i
    ns=$(host_ns "$h")
    rm -f "$DIR/$h/ready"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    OVERLAYS="${OVERLAYS[*]}" setsid nsenter --net="/run/netns/$ns" \
        unshare --mount="$DIR/$h/mnt" --uts="$DIR/$h/uts" --pid="$DIR/$h/pid" \
        --fork --kill-child --propagation private \
        /bin/sh -c "$MNT_SCRIPT" ovslab-init "$DIR" "$h" "${BIND_PATHS[@]}" \
        </dev/null >"$DIR/$h/init.log" 2>&1 &
    for i in $(seq 100); do
        [ -e "$DIR/$h/ready" ] && break
        kill -0 $! 2>/dev/null || { cat "$DIR/$h/init.log" >&2; die "namespaces of $h failed"; }
        sleep 0.02
    done
    [ -e "$DIR/$h/ready" ] || die "namespaces of $h: timeout"
    # uplink: eth0 in the host (a stable MAC, like a real NIC), $h-eth0 a trunk port of sw0.
    # Links are created directly in their namespaces: none ever exists in the default netns.
    ip link add "$h-eth0" netns "$SW" type veth peer name eth0 address "$(host_mac "$h")" netns "$ns"
    # (a del-port + add-port of the same name in ONE transaction would keep OVS's stale
    # socket of a previous, deleted veth: no frames would be received)
    sw_vsctl --if-exists del-port sw0 "$h-eth0"
    sw_vsctl add-port sw0 "$h-eth0"
    ip -n "$SW" link set "$h-eth0" up
    phase "host $h: namespaces and links"
    # debian: files/lab-boot runs Debian 12's boot order with the units enabled on the host
    local boot="python3 $LAB_SRC/files/lab-boot boot $DIR/$h/overlay/etc/upper"
    if [ "$order" = fast ]; then
        boot='systemctl start openvswitch-switch
        systemctl start libvirtd
        virsh -q domcapabilities --virttype qemu >/dev/null 2>&1 &
        systemctl start networking
        systemctl start ssh
        wait'
    fi
    if ! hv_boot "$h" sh -ec "$boot" >"$DIR/$h/boot.log" 2>&1; then
        cat "$DIR/$h/boot.log" >&2
        die "boot of $h failed (log: $DIR/$h/boot.log)"
    fi
    # keep the capabilities probe for the next lab (-u: only a newer probe is written, so
    # hosts booting in parallel, or other labs, do not rewrite the same files all the time)
    mkdir -p "$CACHE/qemu-capabilities"
    cp -pu "$DIR/$h/root/var/cache/libvirt/qemu/capabilities"/*.xml \
        "$CACHE/qemu-capabilities/" 2>/dev/null || true
    phase "host $h: boot (ovs, ifup -a, libvirtd, sshd)"
}

# "Power off" host $1: every process and link of it is gone, its files stay. With "kill"
# (power loss) every process gets SIGKILL at once: nothing can clean up.
host_stop() {
    local h=$1 pids i f first=TERM
    [ "${2:-}" = kill ] && first=KILL
    for i in $(seq 50); do
        pids=$(host_pids "$h" | sort -un | grep -vx -e "$$" -e "$PPID" || true)
        [ -n "$pids" ] || break
        # shellcheck disable=SC2086
        if [ "$i" = 1 ]; then kill -$first $pids 2>/dev/null || true
        elif [ "$i" -ge 6 ]; then kill -KILL $pids 2>/dev/null || true; fi
        sleep 0.1
    done
    for f in "$DIR/$h/mnt" "$DIR/$h/uts" "$DIR/$h/pid"; do
        while is_mounted "$f"; do umount "$f" 2>/dev/null || umount -l "$f"; done
    done
    ip netns del "$(host_ns "$h")" 2>/dev/null || true
    rm -f "$DIR/$h/ready"
    # The netns (and with it the host ends of its veths) goes when its last process is reaped,
    # which may be later after SIGKILL: delete the switch ends now (that deletes the pairs).
    for f in $(ip -n "$SW" -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
        grep -E "^$h-(eth0|v[0-9]+)\$" || true); do
        ip -n "$SW" link del "$f" 2>/dev/null || true
    done
    # its switch ports lost their veths with the netns
    local ports
    ports=$(sw_vsctl list-ports sw0 | grep -E "^$h-(eth0|v[0-9]+)\$" || true)
    for f in $ports; do sw_vsctl --if-exists del-port sw0 "$f"; done
}

cmd_reboot() { # [--power-loss]
    local h=${OVSLAB_HOST:-hv1} t0 how=reboot
    case ${1:-} in
        "") ;;
        --power-loss) how="power loss" ;;
        *) die "usage: $0 reboot [--power-loss]" ;;
    esac
    t0=$(now)
    [ -d "$DIR/$h/root" ] || die "lab host $h does not exist (run: $0 up)"
    if [ "$how" = reboot ]; then
        # a clean `systemctl reboot`: guests stopped, libvirtd, networking (ifdown -a), OVS
        hv_boot "$h" python3 "$LAB_SRC/files/lab-boot" shutdown "$DIR/$h/overlay/etc/upper" \
            >"$DIR/$h/shutdown.log" 2>&1 || log "WARNING: shutdown of $h: see $DIR/$h/shutdown.log"
        host_stop "$h"
    else
        host_stop "$h" kill
    fi
    host_start "$h" debian
    log "$h: $how, booted in $(elapsed "$t0")s (boot log: $DIR/$h/boot.log)"
    # a reboot into a broken network config is a legitimate outcome: report, do not fail
    if wait_ping "$(host_ip "$h")"; then
        log "$(host_ip "$h") answers from $SW"
    else
        log "WARNING: $(host_ip "$h") does NOT answer from $SW after the reboot"
    fi
}

