#!/bin/sh
# build-guest.sh: builds the tiny test guest that virtkit's qemu tests and
# demo boot: a Debian kernel and a busybox initramfs.
#
#   tests/guest/build-guest.sh [DIR]
#
# DIR defaults to $VIRTKIT_GUEST_DIR, else ./guest. The result is cached:
# DIR/vmlinuz and DIR/initrd.gz are rebuilt only when missing or when this
# script changed (DIR/stamp holds its checksum), so repeated runs take
# milliseconds. Prints DIR on success. Needs apt-get (kernel package via
# `apt-get download`, unpacked with `dpkg -x`, no install) and busybox-static
# (the installed /bin/busybox when static, else downloaded the same way).
#
# The guest's /init mounts proc, sys and devtmpfs, loads the drivers a
# test may hot-plug (virtio, ahci, sd, sr), starts busybox acpid so the ACPI
# power button powers the guest off (virtkit's shutdown), prints the marker
# line "VIRTKIT-GUEST-READY" on ttyS0 and keeps a shell on ttyS0.
set -eu

dir=${1:-${VIRTKIT_GUEST_DIR:-$PWD/guest}}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
sum=$(sha256sum "$self" | cut -d' ' -f1)

if [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.gz" ] && [ -f "$dir/stamp" ] &&
   [ "$(cat "$dir/stamp")" = "$sum" ]; then
    echo "$dir"
    exit 0
fi

mkdir -p "$dir"
work=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
chmod 755 "$work"

# ---------------------------------------------------------------- kernel
meta=linux-image-amd64
pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
if [ -z "$pkg" ]; then
    echo "build-guest: cannot resolve the kernel package behind $meta (apt-get update?)" >&2
    exit 1
fi
(cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) || {
    echo "build-guest: apt-get download $pkg failed" >&2
    exit 1
}
dpkg -x "$work"/linux-image-*.deb "$work/k"
kver=$(ls "$work/k/lib/modules" | head -n1)
vmlinuz=$(ls "$work"/k/boot/vmlinuz-* | head -n1)

# ------------------------------------------------------------- busybox
bb=/bin/busybox
static_bb() {
    [ -x "$1" ] || return 1
    case "$(ldd "$1" 2>&1)" in
    *"not a dynamic executable"* | *"statically linked"*) return 0 ;;
    esac
    return 1
}
if ! static_bb "$bb"; then
    (cd "$work" && apt-get download busybox-static >/dev/null 2>&1) || {
        echo "build-guest: apt-get download busybox-static failed" >&2
        exit 1
    }
    dpkg -x "$work"/busybox-static_*.deb "$work/bb"
    bb=$work/bb/bin/busybox
fi

# ------------------------------------------------------------ initramfs
root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
    "$root/etc/acpi" "$root/lib/modules/$kver" "$root/mnt"
cp "$bb" "$root/bin/busybox"
for a in $("$bb" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done

# Drivers the tests use, plus what they depend on (read from each module's
# .modinfo "depends=" line, so no depmod is needed on the host). evdev gives
# the ACPI power button an event device for acpid; pvpanic_mmio reports a
# guest panic to qemu (on_crash tests).
kmods=$work/k/lib/modules/$kver/kernel
find "$kmods" -name '*.ko' |
    awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko$/, "", n); gsub(/-/, "_", n); print n, $0 }' \
    > "$work/all-modules"
modpath() {
    awk -v n="$(echo "$1" | tr '-' '_')" '$1 == n { print $2; found = 1; exit }
        END { exit !found }' "$work/all-modules"
}
want="button evdev virtio_pci virtio_blk virtio_net virtio_scsi virtio_balloon virtio_rng
      virtio_console ahci ata_piix sd_mod sr_mod pvpanic_mmio"
: > "$work/picked"
# Files are stored under the module's name with '_' (virtio-rng.ko is the
# module virtio_rng) so /init can load them by name.
add_mod() {
    local p d n
    n=$(echo "$1" | tr '-' '_')
    grep -qx "$n" "$work/picked" && return 0
    p=$(modpath "$n") || { echo "build-guest: module $n not in $pkg" >&2; exit 1; }
    for d in $(strings "$p" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_mod "$d"
    done
    echo "$n" >> "$work/picked"
    cp "$p" "$root/lib/modules/$kver/$n.ko"
}
for m in $want; do add_mod "$m"; done
# /init loads them in this order (dependencies first).
cp "$work/picked" "$root/etc/modules"

cat > "$root/etc/acpid.conf" <<'EOF'
PWRF power
EOF
cat > "$root/etc/acpi/power" <<'EOF'
#!/bin/sh
echo "VIRTKIT-GUEST-POWEROFF" > /dev/ttyS0
sync
poweroff -f
EOF
chmod 755 "$root/etc/acpi/power"

cat > "$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
kver=$(uname -r)
while read -r m; do
    insmod "/lib/modules/$kver/$m.ko" 2>/dev/null
done < /etc/modules
acpid -c /etc/acpi -a /etc/acpid.conf -l /tmp/acpid.log -p /tmp/acpid.pid
echo "VIRTKIT-GUEST-READY $(cat /proc/uptime)" > /dev/ttyS0
while true; do
    setsid cttyhack sh -l < /dev/ttyS0 > /dev/ttyS0 2>&1
done
EOF
chmod 755 "$root/init"
cat > "$root/etc/profile" <<'EOF'
PS1='guest# '
export PATH=/bin
EOF

(cd "$root" && find . | "$bb" cpio -o -H newc 2>/dev/null | gzip -9) > "$work/initrd.gz"

cp "$vmlinuz" "$dir/vmlinuz.new"
cp "$work/initrd.gz" "$dir/initrd.gz.new"
chmod 644 "$dir/vmlinuz.new" "$dir/initrd.gz.new"
mv "$dir/vmlinuz.new" "$dir/vmlinuz"
mv "$dir/initrd.gz.new" "$dir/initrd.gz"
echo "$kver" > "$dir/kernel-version"
echo "$sum" > "$dir/stamp"
echo "$dir"
