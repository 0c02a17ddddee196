#!/bin/sh
# cli.sh: the qemu plugin through the real `virtkit` CLI, one process per
# command on a qemu:///embed root (so every command after `start` is a new
# embedded instance that reconnects to the running qemu), then the demo
# (tests/guest/demo.sh) as the README's quick start runs it.
# SKIP (77) when qemu or the tiny guest cannot be had.
set -u
B=${VIRTKIT_TEST_BUILDDIR:?run through make check}
S=${VIRTKIT_TEST_SRCDIR:?run through make check}
V="$B/framework/cli/virtkit"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 is not installed"; exit 77; }
GUEST=$("$S/guest/build-guest.sh" "${VIRTKIT_GUEST_DIR:-$B/tests/guest-cache}" 2>/dev/null) ||
    { echo "SKIP: tests/guest/build-guest.sh cannot build the guest (apt-get download?)"; exit 77; }
chmod 755 "$GUEST"
ROOT=$(mktemp -d /tmp/virtkit-cli-XXXXXX)
chmod 755 "$ROOT"
URI="qemu:///embed?root=$ROOT"
cleanup() {
    "$V" -c "$URI" destroy cli >/dev/null 2>&1
    "$V" -c "$URI" destroy kvm >/dev/null 2>&1
    "$V" -c "$URI" destroy pin >/dev/null 2>&1
    "$V" -c "$URI" destroy tune >/dev/null 2>&1
    rm -rf "$ROOT"
}
trap cleanup EXIT

fails=0
vk() { "$V" -c "$URI" "$@"; }
check() { # check DESCRIPTION EXPECTED-SUBSTRING OUTPUT
    case "$3" in
    *"$2"*) echo "ok: $1" ;;
    *) echo "FAIL: $1: expected '$2' in:"; echo "$3"; fails=$((fails + 1)) ;;
    esac
}
state() { vk domstate cli 2>&1; }

cat >"$ROOT/cli.xml" <<XML
<domain type='qemu'>
  <name>cli</name>
  <memory unit='MiB'>256</memory>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$GUEST/vmlinuz</kernel>
    <initrd>$GUEST/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <features><acpi/></features>
  <devices><serial type='pty'/><console type='pty'/></devices>
</domain>
XML

check "define" "defined" "$(vk define "$ROOT/cli.xml" 2>&1)"
check "list shows it shut off" "shut off" "$(vk list --all 2>&1)"
check "start" "started" "$(vk start cli 2>&1)"
check "console shows the guest's marker" "VIRTKIT-GUEST-READY" \
    "$(vk console cli --timeout 60 </dev/null 2>&1 | sed -n '/VIRTKIT-GUEST-READY/{p;q}')"
check "dominfo (a new instance, reconnected)" "running" "$(vk dominfo cli 2>&1)"
check "domstats" "cpu.time=" "$(vk domstats cli --cpu 2>&1)"
check "dumpxml shows the pty" "/dev/pts/" "$(vk dumpxml cli 2>&1)"
# Two instances at once: the one holding qemu's monitor (a console
# session) and another, which answers queries from the status file and
# defers state changes to the holder instead of fighting over QMP.
vk console cli --timeout 4 </dev/null >/dev/null 2>&1 &
HOLDER=$!
sleep 1.5
check "a second instance answers queries" "running" "$(vk dominfo cli 2>&1)"
check "a second instance defers state changes" "managed by process" \
    "$(vk suspend cli 2>&1)"
wait "$HOLDER"
vk suspend cli >/dev/null 2>&1
check "suspend" "paused" "$(state)"
vk resume cli >/dev/null 2>&1
check "resume" "running" "$(state)"
check "save" "saved" "$(vk save cli "$ROOT/cli.save" 2>&1)"
check "saved domain is off" "shut off" "$(state)"
check "save image holds the definition" "<name>cli</name>" \
    "$(vk save-image-dumpxml "$ROOT/cli.save" 2>&1)"
check "restore" "restored" "$(vk restore "$ROOT/cli.save" 2>&1)"
check "restored guest answers on its console" "restored-ok" \
    "$(printf 'echo restored-""ok\n' | vk console cli --timeout 4 2>&1)"
truncate -s -1000 "$ROOT/cli.save"
vk destroy cli >/dev/null 2>&1
check "a truncated image is refused" "truncated" "$(vk restore "$ROOT/cli.save" 2>&1)"
check "shutdown needs it running" "not running" "$(vk shutdown cli 2>&1)"
sed -e "s#$GUEST/vmlinuz#$ROOT/no-such-kernel#" -e 's#<name>cli</name>#<name>cli-bad</name>#' "$ROOT/cli.xml" >"$ROOT/bad.xml"
check "a missing kernel is named" "no-such-kernel" "$(vk create "$ROOT/bad.xml" 2>&1)"
check "undefine" "undefined" "$(vk undefine cli 2>&1)"

# type='kvm' where KVM cannot boot ordinary guests (this test bed's
# kvm_pvm): the guest still boots, on TCG, and the domain's log says so;
# qemu.conf can refuse instead. Where KVM works the guest boots on KVM.
sed -e "s#<domain type='qemu'>#<domain type='kvm'>#" -e 's#<name>cli</name>#<name>kvm</name>#' \
    "$ROOT/cli.xml" >"$ROOT/kvm.xml"
CAPS=$(vk capabilities 2>&1)
boot_kvm() { # boot_kvm: start the type='kvm' copy, wait for its marker, destroy; its log
    check "type='kvm' starts" "created" "$(vk create "$ROOT/kvm.xml" 2>&1)"
    check "type='kvm' boots" "VIRTKIT-GUEST-READY" \
        "$(vk console kvm --timeout 60 </dev/null 2>&1 | sed -n '/VIRTKIT-GUEST-READY/{p;q}')"
    KVMLOG=$(cat "$(find "$ROOT" -name kvm.log | head -1)" 2>&1)
    vk destroy kvm >/dev/null 2>&1
}
case $CAPS in
*"usable='no'"*)
    boot_kvm
    check "the log says type='kvm' ran on TCG" "(TCG), type='kvm' on TCG" "$KVMLOG"
    mkdir -p "$ROOT/refuse/etc/virtkit"
    printf 'unusable_kvm = "refuse";\n' >"$ROOT/refuse/etc/virtkit/qemu.conf"
    check "unusable_kvm = refuse fails the start" "type 'kvm' refused: /dev/kvm opens but" \
        "$("$V" -c "qemu:///embed?root=$ROOT/refuse" create "$ROOT/kvm.xml" 2>&1)"
    ;;
*"<domain type='kvm'/>"*)
    boot_kvm
    check "type='kvm' ran on KVM" "(KVM)" "$KVMLOG"
    ;;
*)
    echo "note: no /dev/kvm here: booting type='kvm' is not checked, only its refusal"
    check "type='kvm' without KVM is refused" "type 'kvm' needs KVM" \
        "$(vk create "$ROOT/kvm.xml" 2>&1)"
    ;;
esac
# CPU pinning: vCPU 0 on CPU 0 (the <vcpu cpuset> default), vCPU 1 and
# every other qemu thread on CPU 1, read back from /proc.
if [ "$(nproc)" -ge 2 ]; then
    sed -e 's#<name>cli</name>#<name>pin</name>#' \
        -e "s#<memory unit='MiB'>256</memory>#&<vcpu cpuset='0'>2</vcpu><cputune><vcpupin vcpu='1' cpuset='1'/><emulatorpin cpuset='1'/></cputune>#" \
        "$ROOT/cli.xml" >"$ROOT/pin.xml"
    check "a pinned domain starts" "created" "$(vk create "$ROOT/pin.xml" 2>&1)"
    PID=$(pgrep -f 'guest=pin,' | head -1)
    pins() { # "thread name:allowed CPUs;" for every thread of qemu
        for t in /proc/$PID/task/*; do
            printf '%s:%s;' "$(cat "$t/comm")" \
                "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")"
        done
    }
    PINS=$(pins)
    check "vCPU 0 runs on CPU 0" "CPU 0/TCG:0;" "$PINS"
    check "vCPU 1 runs on CPU 1" "CPU 1/TCG:1;" "$PINS"
    check "the main thread runs on CPU 1" "qemu-system-x86:1;" "$PINS"
    case $PINS in
    *":0-1;"*) echo "FAIL: a qemu thread was left unpinned: $PINS"; fails=$((fails + 1)) ;;
    esac
    # and re-pinned while it runs
    vk vcpupin pin 0 1 >/dev/null 2>&1
    vk emulatorpin pin 0 >/dev/null 2>&1
    PINS=$(pins)
    check "vcpupin moves vCPU 0 to CPU 1" "CPU 0/TCG:1;" "$PINS"
    check "emulatorpin moves the main thread to CPU 0" "qemu-system-x86:0;" "$PINS"
    check "vCPU 1 stays on CPU 1" "CPU 1/TCG:1;" "$PINS"
    check "the live XML records the pins" "<vcpupin vcpu='0' cpuset='1'/>" "$(vk dumpxml pin 2>&1)"
    check "a vcpu the domain lacks is refused" "has no vcpu 5" "$(vk vcpupin pin 5 0 2>&1)"
    check "a transient domain has no config to pin" "transient" \
        "$(vk vcpupin pin 0 1 --config 2>&1)"
    vk destroy pin >/dev/null 2>&1
    sed -e "s#<vcpupin vcpu='1' cpuset='1'/>#<vcpupin vcpu='1' cpuset='1000'/>#" "$ROOT/pin.xml" >"$ROOT/pin-bad.xml"
    check "a pin to an absent CPU fails the start" "cannot pin vcpu 1" "$(vk create "$ROOT/pin-bad.xml" 2>&1)"
    if pgrep -f 'guest=pin,' >/dev/null; then
        echo "FAIL: the failed pinned start left qemu running"; fails=$((fails + 1))
    else
        echo "ok: the failed pinned start left no qemu running"
    fi
else
    echo "note: one CPU here: pinning is not checked"
fi
# cgroup limits of <cputune> and <memtune>, read back from qemu's group
# (cgroup v1 or v2 names, whichever this host has).
sed -e 's#<name>cli</name>#<name>tune</name>#' \
    -e "s#<memory unit='MiB'>256</memory>#&<cputune><shares>2048</shares><global_period>50000</global_period><global_quota>25000</global_quota></cputune><memtune><hard_limit unit='MiB'>1024</hard_limit><soft_limit unit='MiB'>512</soft_limit></memtune>#" \
    "$ROOT/cli.xml" >"$ROOT/tune.xml"
out=$(vk create "$ROOT/tune.xml" 2>&1)
case $out in
*"limits need a cgroup"*)
    echo "note: no writable cgroup here: the limits are refused, as they should be: $out" ;;
*)
    check "a tuned domain starts" "created" "$out"
    knob() { # knob FILE: its value in the domain's group, wherever the hierarchy is
        f=$(find /sys/fs/cgroup -maxdepth 4 -path "*/virtkit/qemu-*-tune/$1" 2>/dev/null | head -1)
        [ -n "$f" ] && cat "$f"
    }
    if [ -n "$(knob cpu.max)" ]; then
        check "cpu.weight from shares" "79" "$(knob cpu.weight)"
        check "cpu.max from the global quota and period" "25000 50000" "$(knob cpu.max)"
        check "memory.max from hard_limit" "1073741824" "$(knob memory.max)"
        check "memory.high from soft_limit" "536870912" "$(knob memory.high)"
    else
        check "cpu.shares" "2048" "$(knob cpu.shares)"
        check "cpu.cfs_period_us" "50000" "$(knob cpu.cfs_period_us)"
        check "cpu.cfs_quota_us" "25000" "$(knob cpu.cfs_quota_us)"
        check "memory.limit_in_bytes from hard_limit" "1073741824" "$(knob memory.limit_in_bytes)"
        check "memory.soft_limit_in_bytes from soft_limit" "536870912" \
            "$(knob memory.soft_limit_in_bytes)"
    fi
    vk destroy tune >/dev/null 2>&1
    ;;
esac
sed -e 's#<global_quota>25000#<global_quota>-1#' -e 's#<name>tune</name>#<name>tune2</name>#' \
    -e 's#<cputune>#<cputune><period>100000</period>#' "$ROOT/tune.xml" >"$ROOT/tune2.xml"
check "per-vCPU period is refused by name" "element <cputune/period> is not supported" \
    "$(vk create "$ROOT/tune2.xml" 2>&1)"
mkdir -p "$ROOT/badconf/etc/virtkit"
printf 'unusable_kvm = "maybe";\n' >"$ROOT/badconf/etc/virtkit/qemu.conf"
check "a bad unusable_kvm is named" 'unusable_kvm = "maybe" is none of' \
    "$("$V" -c "qemu:///embed?root=$ROOT/badconf" list 2>&1)"

DEMO=$("$S/guest/demo.sh" "$B" 2>&1)
check "the demo boots, reports and shuts down its guest" "Domain 'demo' is shut off" "$DEMO"
check "the demo shows the console" "VIRTKIT-GUEST-READY" "$DEMO"

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
