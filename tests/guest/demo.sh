#!/bin/sh
# demo.sh BUILD_DIR: boots the tiny test guest under virtkit's qemu plugin
# with the `virtkit` CLI on a private qemu:///embed root, shows its
# console's first lines, dominfo and stats, then shuts it down through
# ACPI. Each CLI call is its own process: later calls find the running
# qemu through its status file and reconnect to it.
#
# The guest (kernel from Debian's linux-image package, busybox initramfs)
# is built by build-guest.sh and cached in $VIRTKIT_GUEST_DIR (default
# BUILD_DIR/tests/guest-cache). KVM is used only where it can boot
# ordinary guests; elsewhere (TESTBED.md) the guest runs on TCG.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$TOP/build}" && pwd)
export VIRTKIT_PLUGIN_DIR="$B/plugin-stage"
export VIRTKIT_SCHEMA_DIR="$TOP/docs/schemas"
V="$B/framework/cli/virtkit"

GUEST=$("$TOP/tests/guest/build-guest.sh" "${VIRTKIT_GUEST_DIR:-$B/tests/guest-cache}")
chmod 755 "$GUEST"
ROOT=$(mktemp -d /tmp/virtkit-demo-XXXXXX)
# qemu runs as an unprivileged user: it must reach what lives under ROOT.
chmod 755 "$ROOT"
URI="qemu:///embed?root=$ROOT"
cleanup() {
    "$V" -c "$URI" destroy demo >/dev/null 2>&1 || true
    rm -rf "$ROOT"
}
trap cleanup EXIT INT TERM HUP PIPE

TYPE=qemu
if grep -qE '^flags.*\b(vmx|svm)\b' /proc/cpuinfo && [ ! -e /sys/module/kvm_pvm ] &&
    [ -w /dev/kvm ]; then
    TYPE=kvm
fi

cat >"$ROOT/demo.xml" <<XML
<domain type='$TYPE'>
  <name>demo</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$GUEST/vmlinuz</kernel>
    <initrd>$GUEST/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='pty'/>
    <console type='pty'/>
    <controller type='usb' model='none'/>
  </devices>
</domain>
XML

step() {
    echo
    echo "\$ virtkit $*"
    "$V" -c "$URI" "$@"
}

echo "virtkit demo: a $TYPE guest under the qemu plugin, state in $ROOT"
step define "$ROOT/demo.xml"
step start demo
echo
echo "\$ virtkit console demo   (its first lines, then the guest's marker line)"
"$V" -c "$URI" console demo --timeout 90 </dev/null >"$ROOT/console.out" 2>&1 &
CONSOLE=$!
i=0
while ! grep -q VIRTKIT-GUEST-READY "$ROOT/console.out" && [ $i -lt 450 ]; do
    sleep 0.2
    i=$((i + 1))
done
kill "$CONSOLE" 2>/dev/null || true
wait "$CONSOLE" 2>/dev/null || true
tr -d '\r' <"$ROOT/console.out" |
    awk 'NR <= 8 { print } /VIRTKIT-GUEST-READY/ { if (NR > 8) print "    [...]"; print; exit }'
echo
echo "\$ echo 'uname -sr; grep MemTotal /proc/meminfo' | virtkit console demo"
printf 'uname -sr; grep MemTotal /proc/meminfo\n' |
    "$V" -c "$URI" console demo --timeout 3 2>&1 | tr -d '\r' |
    sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' | grep -v '^$' || true
step list --all
step dominfo demo
step domstats demo --state --cpu --balloon --vcpu --block
step shutdown demo --wait
step domstate demo --reason
step undefine demo
echo
echo "virtkit demo: done"
