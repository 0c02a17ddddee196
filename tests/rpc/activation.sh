#!/bin/sh
# tests/rpc/activation.sh: socket activation as systemd does it
# (systemd-socket-activate passes listening sockets in LISTEN_FDS): the
# daemon starts on the first connection, recognises its read-write and
# read-only sockets by their paths, serves both as such, and leaves the
# socket files alone when it stops (they belong to the activator).
set -u
B=${VIRTKIT_TEST_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
V="$B/framework/cli/virtkit"
command -v systemd-socket-activate >/dev/null ||
    { echo "SKIP: systemd-socket-activate is not installed"; exit 77; }
T=$(mktemp -d /tmp/virtkit-activation-XXXXXX)
APID=
trap '[ -n "$APID" ] && kill "$APID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

RUN=$T/root/run/virtkit
mkdir -p "$RUN"
: >"$T/virtkitd.conf"
systemd-socket-activate -E VIRTKIT_PLUGIN_DIR -E VIRTKIT_SCHEMA_DIR \
    -l "$RUN/virtkitd-sock" -l "$RUN/virtkitd-sock-ro" -- \
    "$B/framework/daemon/virtkitd" --root "$T/root" --config "$T/virtkitd.conf" --verbose \
    >"$T/log" 2>&1 &
APID=$!
i=0
until [ -S "$RUN/virtkitd-sock" ] && [ -S "$RUN/virtkitd-sock-ro" ]; do
    i=$((i + 1)); [ $i -gt 250 ] && { echo "FAIL: the activator did not listen"; cat "$T/log"; exit 1; }
    sleep 0.02
done

RW="test+unix:///default?socket=$RUN/virtkitd-sock"
RO="test+unix:///default?socket=$RUN/virtkitd-sock-ro"
out=$("$V" -c "$RW" list 2>&1) || fail "first connection: $out"
echo "$out" | grep -q ' test ' || fail "listing: $out"
grep -q "ready" "$T/log" || fail "the daemon did not start: $(cat "$T/log")"
out=$("$V" -c "$RO" destroy test 2>&1) && fail "the read-only socket took a destroy"
echo "$out" | grep -q "not allowed on the read-only socket" || fail "read-only socket said: $out"
out=$("$V" -c "$RW" destroy test 2>&1) || fail "destroy on the read-write socket: $out"
kill "$APID"
wait "$APID" 2>/dev/null
APID=
grep -q "stopped" "$T/log" || fail "the daemon did not stop cleanly: $(tail -3 "$T/log")"
[ -S "$RUN/virtkitd-sock" ] || fail "the daemon removed the activator's socket"
echo "activation: $fails failure(s)"
[ $fails = 0 ]
