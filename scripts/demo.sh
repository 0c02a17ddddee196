#!/bin/sh
# scripts/demo.sh BUILD_DIR: virtkit's main job. With qemu and the qemu
# plugin available it boots the tiny test guest under qemu
# (tests/guest/demo.sh); otherwise it walks a domain through its life on
# the in-memory test hypervisor. Everything lives under a private root that
# is removed at the end.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$TOP/build}" && pwd)
export VIRTKIT_PLUGIN_DIR="$B/plugin-stage"
export VIRTKIT_SCHEMA_DIR="$TOP/docs/schemas"
V="$B/framework/cli/virtkit"

if [ -x "$TOP/tests/guest/demo.sh" ] && [ -e "$B/plugin-stage/qemu.so" ] &&
    command -v qemu-system-x86_64 >/dev/null; then
    exec "$TOP/tests/guest/demo.sh" "$B"
fi

echo "(qemu or the qemu plugin is not available: demo on the test hypervisor)"
ROOT=$(mktemp -d /tmp/virtkit-demo-XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
cat >"$ROOT/demo.xml" <<'XML'
<domain type='test'>
  <name>demo</name>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/images/demo.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'><source network='default'/></interface>
    <console type='pty'/>
  </devices>
</domain>
XML
cat >"$ROOT/script" <<EOF
plugins
define $ROOT/demo.xml
start demo
list --all
dominfo demo
domstats demo --cpu --balloon --block
suspend demo
domstate demo --reason
resume demo
shutdown demo
domstate demo --reason
undefine demo
EOF
set -x
"$V" -c test:///default <"$ROOT/script"
