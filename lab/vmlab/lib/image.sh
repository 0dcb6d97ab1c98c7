# vmlab: the Debian 12 image (sourced by lab/vmlab/vmlab).
# shellcheck shell=bash
#
# Two cached stages under $CACHE, each keyed by a hash of its inputs:
#   rootfs-<key>.tar.zst + ovs-debs-<key>/   mmdebstrap (the slow part, Debian's packages
#       through the machine's own apt sources, passed at run time: no address in the repo)
#   image-<key>/   base.qcow2, vmlinuz, initrd.img, repo/ (the local apt repository of
#       Open vSwitch), made from the tarball + lab/vmlab/files, with libvirt's QEMU
#       capabilities cache baked in by one boot of the image.

# What the hypervisor image has: a Debian 12 libvirt host of the seed's kind. Open vSwitch
# is deliberately absent: the deploy installs it (from the tier's repository).
IMAGE_PACKAGES=(linux-image-amd64 initramfs-tools systemd-sysv udev dbus kmod procps netbase
    ifupdown vlan bridge-utils iproute2 iputils-ping openssh-server sudo python3
    python3-libvirt libvirt-daemon-system libvirt-clients qemu-system-x86 netcat-openbsd)
# What the deploy installs and the tier serves from its repository (with their dependencies
# missing from the image)
REPO_PACKAGES=(openvswitch-switch openvswitch-common)

apt_sources() { # the machine's configured apt source files, as apt itself lists them
    local f parts list
    eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d)"
    [ -s "$list" ] && echo "$list"
    for f in "$parts"/*.list "$parts"/*.sources; do [ -s "$f" ] && echo "$f"; done
    true
}

bootstrap_key() {
    local f
    {
        echo "v1 ${IMAGE_PACKAGES[*]} | ${REPO_PACKAGES[*]}"
        # a change of the configured sources (another snapshot, another suite) is a new image
        for f in $(apt_sources); do cat "$f"; done
        declare -f bootstrap_run
    } | sha256sum | cut -c1-16
}

image_key() {
    {
        bootstrap_key
        cat "$VMLAB_SRC/lib/image.sh" "$VMLAB_SRC"/files/*
    } | sha256sum | cut -c1-16
}

bootstrap_run() { # out-tarball debs-dir
    local out=$1 debs=$2 sources=() includes
    mapfile -t sources < <(apt_sources)
    [ ${#sources[@]} -gt 0 ] || die "no apt sources configured on this machine (apt-config)"
    includes=$(IFS=,; echo "${IMAGE_PACKAGES[*]}")
    mkdir -p "$debs"
    # The repository's .debs: what apt in the finished image would download for the deploy's
    # packages (Recommends on, as on a default Debian), i.e. exactly those the image lacks.
    # The image's own sources and .debs are removed afterwards.
    mmdebstrap --mode=root --variant=minbase --include="$includes" \
        --aptopt='Acquire::Languages "none"' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --customize-hook='APT_CONFIG=$MMDEBSTRAP_APT_CONFIG apt-get -q clean' \
        --customize-hook="APT_CONFIG=\$MMDEBSTRAP_APT_CONFIG apt-get -q -y -o APT::Install-Recommends=true install --download-only ${REPO_PACKAGES[*]}" \
        --customize-hook="cp \"\$1\"/var/cache/apt/archives/*.deb '$debs/'" \
        --customize-hook='APT_CONFIG=$MMDEBSTRAP_APT_CONFIG apt-get -q clean' \
        --customize-hook='rm -f "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/*' \
        bookworm "$out" "${sources[@]}"
}

# Stage 1: mmdebstrap -> $CACHE/rootfs-KEY.tar.zst and $CACHE/ovs-debs-KEY/
image_bootstrap() {
    local key t0
    key=$(bootstrap_key)
    TARBALL=$CACHE/rootfs-$key.tar.zst
    DEBS=$CACHE/ovs-debs-$key
    if [ -s "$TARBALL" ] && [ -e "$DEBS/.complete" ]; then return 0; fi
    command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (scripts/setup.sh installs it)"
    need_space "$CACHE" 3
    t0=$(now)
    log "bootstrapping Debian 12 (mmdebstrap, a few minutes; log $CACHE/bootstrap-$key.log)"
    rm -rf "$DEBS" "$TARBALL.tmp.tar.zst"
    if ! bootstrap_run "$TARBALL.tmp.tar.zst" "$DEBS" >"$CACHE/bootstrap-$key.log" 2>&1; then
        tail -n 20 "$CACHE/bootstrap-$key.log" >&2
        die "mmdebstrap failed (log: $CACHE/bootstrap-$key.log)"
    fi
    ls "$DEBS"/openvswitch-switch_*.deb >/dev/null 2>&1 || die "no openvswitch-switch .deb downloaded"
    mv "$TARBALL.tmp.tar.zst" "$TARBALL"
    touch "$DEBS/.complete"
    log "bootstrap done in $(elapsed "$t0")s"
}

need_space() { # dir GiB
    mkdir -p "$1"
    local avail
    avail=$(df -Pk "$1" | awk 'NR == 2 { print int($4 / 1048576) }')
    [ "$avail" -ge "$2" ] || die "not enough space in $1: ${avail} GiB free, the tier needs $2 GiB"
}

# Stage 2: the bootable image -> $IMG/{base.qcow2,vmlinuz,initrd.img,repo/}
image_build() {
    local key tmp R t0
    image_bootstrap
    key=$(image_key)
    IMG=$CACHE/image-$key
    if [ -e "$IMG/.complete" ]; then return 0; fi
    command -v qemu-img >/dev/null || die "qemu-img is not installed (qemu-utils; scripts/setup.sh)"
    command -v apt-ftparchive >/dev/null || die "apt-ftparchive is not installed (apt-utils; scripts/setup.sh)"
    need_space "$CACHE" 8
    t0=$(now)
    tmp=$CACHE/image-$key.tmp
    rm -rf "$tmp"
    R=$tmp/root
    mkdir -p "$R" "$tmp/repo"
    tar -C "$R" --zstd --numeric-owner --xattrs --xattrs-include='*' -xpf "$TARBALL"
    image_customise "$R"
    cp "$(ls "$R"/boot/vmlinuz-* | sort -V | tail -n1)" "$tmp/vmlinuz"
    cp "$(ls "$R"/boot/initrd.img-* | sort -V | tail -n1)" "$tmp/initrd.img"
    mkfs.ext4 -q -L vmlabroot -d "$R" "$tmp/base.raw" 6G
    rm -rf "$R"
    qemu-img convert -O qcow2 "$tmp/base.raw" "$tmp/base.qcow2"
    rm -f "$tmp/base.raw"
    # the local apt repository of the packages the deploy installs
    cp "$DEBS"/*.deb "$tmp/repo/"
    (cd "$tmp/repo" && apt-ftparchive -q packages . >Packages && apt-ftparchive -q release . >Release)
    log "image made in $(elapsed "$t0")s; baking libvirt's QEMU capabilities (one boot)"
    image_bake "$tmp"
    mv "$tmp" "$IMG"
    touch "$IMG/.complete"
    log "image $IMG ready in $(elapsed "$t0")s"
}

image_customise() { # root
    local R=$1 f
    install -m 0755 "$VMLAB_SRC/files/vmlab-provision" "$VMLAB_SRC/files/vmlab-bake" \
        "$VMLAB_SRC/files/vmlab-stagewatch" "$R/usr/local/sbin/"
    for f in vmlab-provision.service vmlab-guests.service vmlab-bake.service vmlab-stagewatch.service; do
        install -m 0644 "$VMLAB_SRC/files/$f" "$R/etc/systemd/system/$f"
    done
    systemctl --root="$R" -q enable vmlab-provision.service vmlab-guests.service \
        vmlab-bake.service vmlab-stagewatch.service
    # nothing periodic that would steal the emulated CPU from the tests
    systemctl --root="$R" -q mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
        fstrim.timer man-db.timer 2>/dev/null || true
    printf '/dev/vda / ext4 rw,errors=remount-ro 0 0\n' >"$R/etc/fstab"
    echo debian >"$R/etc/hostname"
    : >"$R/etc/machine-id"
    rm -f "$R"/etc/ssh/ssh_host_*
    # the tier's repository (served by the switch on the management gateway)
    echo "deb [trusted=yes] http://${GW[$MGMT_VLAN]%/*}:$REPO_PORT/ ./" >"$R/etc/apt/sources.list.d/vmlab.list"
    printf 'Acquire::Languages "none";\n' >"$R/etc/apt/apt.conf.d/90vmlab"
    # the sudo user pyinfra can log in as
    chroot "$R" useradd -m -s /bin/bash -G libvirt deploy
    echo 'deploy ALL=(ALL:ALL) NOPASSWD: ALL' >"$R/etc/sudoers.d/deploy"
    chmod 0440 "$R/etc/sudoers.d/deploy"
    mkdir -p -m 0700 "$R/root/.ssh" "$R/home/deploy/.ssh"
    # no libvirt NAT network (its dnsmasq is not installed, and not what a hypervisor runs)
    rm -f "$R/etc/libvirt/qemu/networks/autostart/default.xml"
}

image_bake() { # image dir: one boot that writes libvirt's capabilities cache, then powers off
    local d=$1 pid i
    rm -f "$d/bake.console"
    qemu-system-x86_64 -name vmlab-bake -accel tcg,tb-size=256 -cpu max -smp 1 -m "$VM_MEM" \
        -nodefaults -display none -vga none -no-reboot \
        -kernel "$d/vmlinuz" -initrd "$d/initrd.img" \
        -append "root=/dev/vda rw console=ttyS0,115200 net.ifnames=0 mitigations=off vmlab.bake" \
        -drive "file=$d/base.qcow2,if=virtio,format=qcow2" \
        -chardev "file,id=con,path=$d/bake.console" -serial chardev:con \
        -pidfile "$d/bake.pid" -daemonize
    pid=$(cat "$d/bake.pid")
    for i in $(seq 900); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid"
        die "bake boot did not power off in 900 s (console: $d/bake.console)"
    fi
    grep -q "vmlab-bake: capabilities cached" "$d/bake.console" ||
        die "bake boot did not cache libvirt's capabilities (console: $d/bake.console)"
}
