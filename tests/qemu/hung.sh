#!/bin/sh
# hung.sh: a qemu that greets on QMP and then never answers (a stuck main
# loop), through the real CLI on a qemu:///embed root with 1 s monitor
# timeouts. The capabilities probe is tried twice and then fails naming
# what the process was doing; a domain whose qemu hangs at start fails the
# same way and stays shut off; no fake qemu outlives either.
set -u
B=${VIRTKIT_TEST_BUILDDIR:?run through make check}
S=${VIRTKIT_TEST_SRCDIR:?run through make check}
V="$B/framework/cli/virtkit"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
ROOT=$(mktemp -d /tmp/virtkit-hung-XXXXXX)
chmod 755 "$ROOT"
URI="qemu:///embed?root=$ROOT"
cleanup() {
    pkill -KILL -f "$ROOT/bin/hung-qemu" 2>/dev/null
    rm -rf "$ROOT"
}
trap cleanup EXIT
mkdir -p "$ROOT/bin" "$ROOT/etc/virtkit"
cp "$S/qemu/data/hung-qemu" "$ROOT/bin/hung-qemu"
ln -s hung-qemu "$ROOT/bin/hung-qemu-at-start"
printf 'start_timeout_ms = 1000;\nmonitor_timeout_ms = 1000;\n' >"$ROOT/etc/virtkit/qemu.conf"

fails=0
vk() { "$V" -c "$URI" "$@"; }
check() { # check DESCRIPTION EXPECTED-SUBSTRING OUTPUT
    case "$3" in
    *"$2"*) echo "ok: $1" ;;
    *) echo "FAIL: $1: expected '$2' in:"; echo "$3"; fails=$((fails + 1)) ;;
    esac
}
no_leftover() {
    sleep 0.2
    if pgrep -f "$ROOT/bin/hung-qemu" >/dev/null; then
        echo "FAIL: $1: a hung qemu is still running"; fails=$((fails + 1))
    else
        echo "ok: $1: no hung qemu left"
    fi
}
domain() { # domain NAME EMULATOR
    cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><emulator>$2</emulator></devices>
</domain>
XML
}

domain probe "$ROOT/bin/hung-qemu" >"$ROOT/probe.xml"
out=$(VIRTKIT_LOG_LEVEL=warn VIRTKIT_LOG_FILE="$ROOT/log" vk create "$ROOT/probe.xml" 2>&1)
check "a hung probe fails" "did not answer on QMP in time (it was in state" "$out"
check "the probe names the binary" "cannot probe $ROOT/bin/hung-qemu" "$out"
check "the log says what the fake did" "greeted, now ignoring the monitor" "$out"
check "the probe was tried twice" "timed out; trying once more" "$(cat "$ROOT/log" 2>&1)"
no_leftover "probe"

domain start "$ROOT/bin/hung-qemu-at-start" >"$ROOT/start.xml"
check "define with a qemu that hangs at start" "defined" "$(vk define "$ROOT/start.xml" 2>&1)"
out=$(vk start start 2>&1)
check "a hung start fails" "did not answer on QMP in time (it was in state" "$out"
check "the start error names the domain" "domain 'start': qemu (pid" "$out"
check "the domain stays shut off" "shut off" "$(vk domstate start 2>&1)"
no_leftover "start"
check "undefine" "undefined" "$(vk undefine start 2>&1)"

[ "$fails" = 0 ] || { echo "$fails check(s) failed"; exit 1; }
