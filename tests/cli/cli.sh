#!/bin/sh
# tests/cli/cli.sh: drives the real `virtkit` binary against the test
# hypervisor: outputs, --json validity, exit codes and error lines, the
# interactive shell on a pipe, a node file, consoles and volumes.
# $VIRTKIT_TEST_URI picks the connection (the remote tests rerun this
# script through the daemon).
set -u
B=${VIRTKIT_TEST_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${VIRTKIT_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
V="$B/framework/cli/virtkit"
URI=${VIRTKIT_TEST_URI:-test:///default}
T=$(mktemp -d /tmp/virtkit-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
n=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { "$V" -c "$URI" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
# ok CMD...: exit 0
ok() {
    n=$((n + 1)); run "$@"
    [ "$(cat "$T/rc")" = 0 ] || fail "'$*' exited $(cat "$T/rc"): $(cat "$T/err")"
}
# bad RC PATTERN CMD...: exits RC with exactly one error line matching PATTERN
bad() {
    rc=$1; pat=$2; shift 2; n=$((n + 1)); run "$@"
    [ "$(cat "$T/rc")" = "$rc" ] || fail "'$*' exited $(cat "$T/rc"), want $rc"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "'$*' printed $(wc -l <"$T/err") error lines: $(cat "$T/err")"
    grep -q -- "$pat" "$T/err" || fail "'$*' error '$(cat "$T/err")' lacks '$pat'"
}
has() { grep -q -- "$1" "$T/out" || fail "output lacks '$1': $(cat "$T/out")"; }
json() {
    if command -v python3 >/dev/null; then
        python3 -c 'import json,sys; json.load(sys.stdin)' <"$T/out" || fail "invalid JSON: $(cat "$T/out")"
    fi
}

# --- general
ok version; has "Plugin ABI"
ok version --json; json; has '"driver": "test"'
# a log level that names no level is said, not silently dropped
n=$((n + 1)); VIRTKIT_LOG_LEVEL=loud "$V" -c "$URI" version >/dev/null 2>"$T/err"
grep -q "VIRTKIT_LOG_LEVEL='loud' is none of debug, info, warn, error, none" "$T/err" ||
    fail "a bad VIRTKIT_LOG_LEVEL went unreported: $(cat "$T/err")"
ok uri; has "$URI"
"$V" --help >"$T/out" 2>&1 || fail "--help failed"
has "Domain commands"
ok help list; has "Usage: virtkit list"
bad 2 "unknown command 'nosuch'" nosuch
bad 2 "unknown option --bogus" list --bogus
bad 2 "missing argument <domain>" dominfo
bad 2 "unexpected argument" dominfo test extra
bad 1 "help: unknown command" help nosuch
"$V" -c nosuchdriver:///x list >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] || fail "bad URI exit $rc"
grep -q "cannot connect to nosuchdriver:///x" "$T/err" || fail "bad URI message: $(cat "$T/err")"

# --- domains
ok list --all; has " test "; has "running"
ok list --all --json; json; has '"name": "test"'
ok list --name; has "^test$"
ok dominfo test; has "State: *running"; has "Max memory: *8388608 KiB"
ok dominfo test --json; json; has '"max_memory_kib": 8388608'
ok domstate test --reason; has "running (booted)"
bad 1 "no domain named 'nope'" dominfo nope
ok dumpxml test; has "<name>test</name>"
ok domstats --json; json; has '"state.state": 1'
ok domstats test; has "balloon.current=2097152"
# CPU pinning (API 1.1): recorded in the live definition (one shell
# session: test:///default lives as long as its process)
n=$((n + 1))
printf 'vcpupin test 1 0-3\nemulatorpin test 4-7\ndumpxml test\n' |
    "$V" -c "$URI" >"$T/out" 2>"$T/err" || fail "pin session failed: $(cat "$T/err")"
has "<vcpupin vcpu='1' cpuset='0-3'/>"; has "<emulatorpin cpuset='4-7'/>"
bad 1 "has no vcpu 7" vcpupin test 7 0
bad 1 "CPU list 'x': expected a CPU list" vcpupin test 0 x
bad 1 "'x' is not a vcpu number" vcpupin test x 0

cat >"$T/d.xml" <<'XMLEND'
<domain type='test'>
  <name>cli1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <devices><disk type='file' device='disk'><source file='/img/cli1.img'/><target dev='vda' bus='virtio'/></disk></devices>
</domain>
XMLEND
# One shell session keeps one connection, so state carries across lines.
cat >"$T/script" <<SCRIPTEND
define $T/d.xml
list --all
start cli1
suspend cli1
domstate cli1 --reason
resume cli1
save cli1 $T/cli1.save
domstate cli1 --reason
restore $T/cli1.save
domstate cli1 --reason
managedsave cli1
list --all --managed-save
start cli1
setmem cli1 131072 --live
dominfo cli1
destroy cli1
undefine cli1
list --all
SCRIPTEND
n=$((n + 1))
"$V" -c "$URI" <"$T/script" >"$T/out" 2>"$T/err" || fail "shell session failed: $(cat "$T/err")"
[ -s "$T/err" ] && fail "shell session printed errors: $(cat "$T/err")"
has "Domain 'cli1' defined"
has "paused (user)"
has "shut off (saved)"
has "running (restored)"
has "Used memory: *131072 KiB"
has "Domain 'cli1' undefined"
[ "$(grep -c ' cli1 ' "$T/out")" = 2 ] || fail "cli1 should be listed twice: $(cat "$T/out")"

n=$((n + 1))
printf 'start nosuch\nlist\n' | "$V" -c "$URI" >"$T/out" 2>"$T/err"
[ $? = 0 ] || fail "the shell's exit status follows the last command"
grep -q "no domain named 'nosuch'" "$T/err" || fail "shell error line: $(cat "$T/err")"
printf 'echo "unterminated\n' | "$V" -c "$URI" >"$T/out" 2>"$T/err"
grep -q "unterminated quote" "$T/err" || fail "shell quoting error: $(cat "$T/err")"

printf '<domain type="kvm"><name>k</name><memory>1048576</memory></domain>' >"$T/kvm.xml"
bad 1 "type 'kvm' is not supported" create "$T/kvm.xml"
printf '<domain type="test"><name>k</name><memory>1048576</memory><bogus/></domain>' >"$T/bad.xml"
bad 1 "unsupported element <bogus>" define "$T/bad.xml"
bad 1 "cannot open" define "$T/missing.xml"

# --- console: the test driver echoes what it is sent
n=$((n + 1))
echo "hello-console" | "$V" -c "$URI" console test --timeout 3 >"$T/out" 2>"$T/err"
has "test console of domain 'test'"
has "hello-console"

# --- node
ok nodeinfo; has "CPUs: *8"; has "NUMA cells: *2"
ok nodeinfo --json; json; has '"cpus": 8'
ok nodecpumap; has "yyyyyyyy"
ok nodecpustats --json; json; has '"idle"'
ok nodememstats --cell 1; has "total"
bad 1 "cell 9 does not exist" nodememstats --cell 9
ok freecell --all; has "Total"
ok freecell --all --json; json
ok capabilities; has "<capabilities>"
ok nodedev-list --tree; has "computer"; has "      .- block_sda_TEST_DISK_0001"
ok nodedev-list --cap net --json; json; has '"net_eth0_52_54_00_00_00_01"'
ok nodedev-dumpxml block_sda_TEST_DISK_0001; has "<serial>TEST_DISK_0001</serial>"
bad 1 "no node device named 'pci_9'" nodedev-dumpxml pci_9
ok nodedev-list --cap usb_device,scsi_target; has "usb_usb1"; has "scsi_target0_0_0"
bad 1 "unknown capability 'bogus'" nodedev-list --cap pci,bogus

# --- networks, pools, volumes
ok net-list --json; json; has '"name": "default"'
ok net-dhcp-leases default; has "192.168.122.10"
ok pool-list; has "default-pool"
ok pool-info default-pool --json; json; has '"capacity": 107374182400'
printf 'data-to-store\n' >"$T/in.bin"
printf "<volume><name>v1</name><capacity unit='KiB'>64</capacity></volume>" >"$T/vol.xml"
n=$((n + 1))
printf 'vol-create default-pool %s\nvol-upload --pool default-pool v1 %s\nvol-download --pool default-pool --length 14 v1 %s\nvol-info /default-pool/v1\n' \
    "$T/vol.xml" "$T/in.bin" "$T/out.bin" | "$V" -c "$URI" >"$T/out" 2>"$T/err" || fail "volume session: $(cat "$T/err")"
cmp -s "$T/in.bin" "$T/out.bin" || fail "downloaded volume differs from the upload"
has "Capacity: *64.00 KiB"

# --- plugins
ok plugins; has "test"; has "1.0"
ok plugins --json; json; has '"kinds": "hypervisor,storage,network"'

# --- read-only connections refuse changes
n=$((n + 1))
"$V" -r -c "$URI" suspend test >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] || fail "read-only suspend exit $rc"
grep -q "read-only" "$T/err" || fail "read-only message: $(cat "$T/err")"

# --- a node described by a file (in-process only: the path is local)
case "$URI" in
test:///default)
    n=$((n + 1))
    NODE="test://$S/data/node/small-node.xml"
    "$V" -c "$NODE" list --all >"$T/out" 2>"$T/err" || fail "node file: $(cat "$T/err")"
    has "alpha"; has "beta"; has "shut off"; has "paused"
    "$V" -c "$NODE" nodeinfo >"$T/out" 2>&1
    has "CPUs: *4"; has "NUMA cells: *1"
    "$V" -c "$NODE" vol-list lab-pool >"$T/out" 2>&1
    has "seed.img"
    "$V" -c "$NODE" nodedev-list --tree >"$T/out" 2>&1
    has "computer"; has "\`- net_lab0_52_54_00_0a_01_01"
    "$V" -c "test://$S/data/node/bad-node.xml" list >"$T/out" 2>"$T/err"
    grep -q "unknown element <flavour>" "$T/err" || fail "bad node file message: $(cat "$T/err")"
    ;;
esac

echo "$n checks, $fails failures"
[ $fails = 0 ]
