# ovslab: the files of a lab host (sourced by lab/ovslab): its lab-private trees and overlays
# under $DIR/HOST, the admin's legacy /etc/network/interfaces, libvirt's settings, sshd.
# The texts come from lab/templates.
# shellcheck shell=bash

legacy_interfaces() { # the admin's /etc/network/interfaces of the "before" state
    local h=$1 v
    render legacy-interfaces
    for v in "${VLANS[@]}"; do # a vlanV + bridgeV stanza pair per VLAN
        if [ "$v" = "$MGMT_VLAN" ]; then
            render legacy-interfaces-mgmt-vlan VLAN="$v" ADDRESS="$(host_ip "$h")/24" \
                GATEWAY="${GW[$v]%/*}" DNS="$DNS"
        else
            render legacy-interfaces-vlan VLAN="$v"
        fi
    done
}

sshd_config() { # host: its sshd's config (key-only root login, VERBOSE log, sftp)
    render sshd_config HOST="$1" HOST_DIR="$DIR/$1"
}

# Lab-private trees of host $1. Everything below $DIR/$h/root is bind-mounted at the same path
# inside the host's mount namespace. Below them, /etc /usr /var are overlays whose upper
# layers ($DIR/$h/overlay/<dir>/upper) catch any other write: the machine's files never change.
OVERLAYS=(/etc /usr /var)
# shellcheck disable=SC2034 # BIND_PATHS: for host_start (host.sh)
BIND_PATHS=(/etc/network /etc/openvswitch /etc/libvirt /etc/sysctl.d /usr/lib/sysctl.d
    /var/lib/openvswitch /var/lib/libvirt /var/lib/ovs-hypervisor /var/cache/libvirt /var/log
    /root)
host_prepare_files() { # host legacy|bare
    local h=$1 R=$DIR/$1/root O=$DIR/$1/overlay u
    mkdir -p "$R" "$DIR/$h"/{ssh,domains,bin}
    for u in "${OVERLAYS[@]}"; do mkdir -p "$O$u"/{upper,work}; done
    touch "$DIR/$h/mnt" "$DIR/$h/uts" "$DIR/$h/pid"
    install -m 0755 "$LAB_SRC/files/lab-init" "$DIR/$h/bin/lab-init"
    # /etc/network: the machine's hook scripts (ifupdown, openvswitch, bridge-utils, vlan), the
    # admin's legacy interfaces file, an empty interfaces.d
    mkdir -p "$R/etc"
    cp -a /etc/network "$R/etc/"
    rm -rf "$R/etc/network/interfaces" "$R/etc/network/interfaces.d"
    mkdir -p "$R/etc/network/interfaces.d"
    # the vlan package's hooks, wrapped: VLAN devices are emulated (see files/lab-vlan-hook)
    for d in if-pre-up.d if-post-down.d; do
        mkdir -p "$R/etc/network/ovslab-orig/$d"
        if [ -e "$R/etc/network/$d/vlan" ]; then
            mv "$R/etc/network/$d/vlan" "$R/etc/network/ovslab-orig/$d/vlan"
        fi
        install -m 0755 "$LAB_SRC/files/lab-vlan-hook" "$R/etc/network/$d/vlan"
    done
    if [ "$2" = legacy ]; then
        legacy_interfaces "$h" >"$R/etc/network/interfaces"
    else
        printf 'auto lo\niface lo inet loopback\n' >"$R/etc/network/interfaces"
    fi
    if [ -d "$CACHE/qemu-capabilities" ]; then
        mkdir -p "$R/var/cache/libvirt/qemu/capabilities"
        cp -p "$CACHE/qemu-capabilities"/*.xml "$R/var/cache/libvirt/qemu/capabilities/" 2>/dev/null || true
    fi
    mkdir -p "$R/etc/openvswitch" "$R/var/lib/openvswitch" "$R/var/lib/ovs-hypervisor" \
        "$R/usr/lib/sysctl.d" "$R/var/lib/libvirt"/{images,boot,dnsmasq,qemu/channel/target} \
        "$R/var/cache/libvirt/qemu" "$R/var/log"/{libvirt/qemu,openvswitch}
    cp -a /etc/sysctl.d "$R/etc/"
    # a fresh root home, as on a new Debian host (not this machine's /root)
    # shellcheck disable=SC2174 # $R exists: only root/ is new
    mkdir -p -m 0700 "$R/root"
    cp /usr/share/base-files/dot.bashrc "$R/root/.bashrc" 2>/dev/null || cp /etc/skel/.bashrc "$R/root/" 2>/dev/null || true
    cp /usr/share/base-files/dot.profile "$R/root/.profile" 2>/dev/null || cp /etc/skel/.profile "$R/root/" 2>/dev/null || true
    # /etc/libvirt: the machine's config files, no domains, no networks, lab settings appended
    cp -a /etc/libvirt "$R/etc/"
    rm -rf "$R/etc/libvirt/qemu" "$R/etc/libvirt/secrets" && mkdir -p "$R/etc/libvirt/qemu"
    render libvirt-qemu.conf >>"$R/etc/libvirt/qemu.conf"
    render libvirt-libvirtd.conf >>"$R/etc/libvirt/libvirtd.conf"
    render libvirt-virtlogd.conf >>"$R/etc/libvirt/virtlogd.conf"
    # /etc overlay upper layer: identity of the lab host + the service shim as init scripts
    u=$O/etc/upper
    echo "$h" >"$u/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n%s\t%s\n' "$h" "$(host_ip "$h")" "$h" >"$u/hosts"
    echo "nameserver $DNS" >"$u/resolv.conf"
    mkdir -p "$u/init.d"
    install -m 0755 "$LAB_SRC/files/lab-systemctl" "$DIR/$h/bin/systemctl"
    for s in openvswitch-switch libvirtd virtlogd ssh networking; do
        install -m 0755 "$LAB_SRC/files/lab-systemctl" "$u/init.d/$s"
    done
    # sshd
    ssh-keygen -q -t ed25519 -N '' -C "ovslab-$h-host" -f "$DIR/$h/ssh/ssh_host_ed25519_key"
    cp "$DIR/id_ed25519.pub" "$DIR/$h/ssh/authorized_keys"
    sshd_config "$h" >"$DIR/$h/ssh/sshd_config"
}
