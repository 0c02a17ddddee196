#!/bin/sh
# tests/rpc/ssh.sh: the ssh transport against an sshd this test starts on
# 127.0.0.1 (random port, host and user keys made here, its own config
# file; /etc/ssh is never read or touched). sshd needs its privilege
# separation directory /run/sshd: the test runs sshd in a private mount
# namespace with a tmpfs on /run, so the host's /run is not changed.
#
# Checks: the CLI and the API contract (tests/core/test_api) through
# driver+ssh://; the far side's identity is the ssh user (an access rule
# for uid 0 applies); an unknown host key and a wrong user key are refused
# with ssh's own words.
set -u
B=${VIRTKIT_TEST_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${VIRTKIT_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
V="$B/framework/cli/virtkit"
SSHD=/usr/sbin/sshd
for p in "$SSHD" /usr/bin/ssh /usr/bin/ssh-keygen /usr/bin/unshare python3; do
    command -v "$p" >/dev/null || { echo "SKIP: $p is not installed"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: sshd needs root to start here"; exit 77; }
T=$(mktemp -d /tmp/virtkit-ssh-XXXXXX)
chmod 700 "$T"
SSHPID=
DPID=
cleanup() {
    [ -n "$SSHPID" ] && kill "$SSHPID" 2>/dev/null
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$T/userkey" >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$T/otherkey" >/dev/null
cp "$T/userkey.pub" "$T/authorized_keys"
chmod 600 "$T/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$T/hostkey.pub")" >"$T/known_hosts"
: >"$T/empty_known_hosts"
cat >"$T/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $T/sshd.pid
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
LogLevel ERROR
EOF

# the daemon, with an access rule for the ssh user (root) only
mkdir -p "$T/root"
printf 'uid:0 * all\n' >"$T/access.conf"
printf 'access_file = "%s";\n' "$T/access.conf" >"$T/virtkitd.conf"
"$B/framework/daemon/virtkitd" --root "$T/root" --config "$T/virtkitd.conf" --verbose \
    >"$T/virtkitd.log" 2>&1 &
DPID=$!
SOCK=$T/root/run/virtkit/virtkitd-sock

unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && exec $SSHD -D -e -f $T/sshd_config" \
    >"$T/sshd.log" 2>&1 &
SSHPID=$!
i=0
until [ -S "$SOCK" ] && python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 250 ]; then
        echo "FAIL: sshd or virtkitd did not start"; cat "$T/sshd.log" "$T/virtkitd.log"; exit 1
    fi
    sleep 0.02
done

uri() { # KEY KNOWN_HOSTS
    echo "test+ssh://root@127.0.0.1:$PORT/default?keyfile=$T/$1&known_hosts=$T/$2&proxy=$B/framework/daemon/virtkitd&socket=$SOCK"
}
GOOD=$(uri userkey known_hosts)

out=$("$V" -c "$GOOD" list 2>&1) || fail "list through ssh: $out"
echo "$out" | grep -q ' test ' || fail "list through ssh printed: $out"
out=$("$V" -c "$GOOD" destroy test 2>&1) || fail "destroy through ssh: $out"
grep -q "opened test:///default" "$T/virtkitd.log" || fail "the daemon did not log the open"
grep -q "uid 0 (root)" "$T/virtkitd.log" || fail "the ssh user is not the identity: $(tail -3 "$T/virtkitd.log")"

if VIRTKIT_TEST_URI=$GOOD "$B/tests/core/test_api" >"$T/api.out" 2>&1; then
    echo "ok: test_api through ssh"
else
    fail "test_api through ssh: $(grep -E 'FAIL|ERROR' "$T/api.out" | head -10)"
fi

out=$("$V" -c "$(uri userkey empty_known_hosts)" list 2>&1) && fail "an unknown host key was accepted"
echo "$out" | grep -q "Host key verification failed" || fail "unknown host key: $out"
out=$("$V" -c "$(uri otherkey known_hosts)" list 2>&1) && fail "a wrong key was accepted"
echo "$out" | grep -q "Permission denied" || fail "wrong key: $out"
out=$("$V" -c "test+ssh://root@127.0.0.1:1/default?keyfile=$T/userkey" list 2>&1) && fail "port 1 answered"
echo "$out" | grep -qi "connection refused\|cannot reach virtkitd through ssh" || fail "port 1: $out"

echo "ssh: $fails failure(s)"
[ $fails = 0 ]
