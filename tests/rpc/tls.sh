#!/bin/sh
# tests/rpc/tls.sh: virtkitd over TLS with certificates made at test time
# (pki.sh). A good client is accepted; each of these is refused, and the
# client's error says why in words (not just "handshake failed"):
#   unknown CA, expired certificate, DN not on the allow list, no client
#   certificate, a plaintext client, a client that cannot trust the daemon
#   (unknown CA, wrong host name), TLS 1.1.
# Refusals are also lines in the daemon's log.
set -u
B=${VIRTKIT_TEST_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${VIRTKIT_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
V="$B/framework/cli/virtkit"
for p in certtool python3; do
    command -v $p >/dev/null || { echo "SKIP: $p is not installed"; exit 77; }
done
T=$(mktemp -d /tmp/virtkit-tls-XXXXXX)
PKI=$T/pki
. "$S/rpc/pki.sh"
trap 'pki_daemon_stop; rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

pki_make || { echo "FAIL: certtool could not make the test certificates"; exit 1; }
PORT=$(pki_free_port)
pki_daemon "$T/root" "$PORT" "$PKI/server" || exit 1
LOG=$T/root/virtkitd.log

uri() { echo "test+tls://localhost:$PORT/default?pkipath=$PKI/$1${2:+&$2}"; }

# accepted DIR: a listing works
accepted() {
    out=$("$V" -c "$(uri "$1")" list 2>&1) || fail "client '$1' refused: $out"
    echo "$out" | grep -q ' test ' || fail "client '$1' listed: $out"
}
# refused DIR PATTERN [PARAMS]: the command fails with one error line matching
refused() {
    out=$("$V" -c "$(uri "$1" "${3:-}")" list 2>&1) && fail "client '$1' was accepted"
    echo "$out" | grep -q -- "$2" || fail "client '$1': error '$out' lacks '$2'"
    [ "$(echo "$out" | wc -l)" = 1 ] || fail "client '$1': several error lines: $out"
}

accepted good
refused foreign "is not signed by a trusted CA"
refused expired "has expired"
refused intruder "is not on the daemon's list of allowed DNs"
refused nocert "the client sent no certificate"
refused wrongca "the daemon's certificate 'CN=localhost,O=Example' is not signed by a trusted CA"
# no_verify skips the client's check of the daemon (the daemon still checks the client)
out=$("$V" -c "$(uri wrongca no_verify=1)" list 2>&1) || fail "no_verify=1: $out"

for why in "is not signed by a trusted CA" "has expired" "is not on the daemon's list" \
    "sent no certificate"; do
    grep -q "refused: .*$why" "$LOG" || fail "daemon log lacks a refusal line '$why'"
done

# A plaintext client: a virtkit frame on the TLS port is not a handshake.
python3 - "$PORT" <<'EOF' || fail "plaintext client: the daemon did not hang up"
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(struct.pack(">IIIIII", 24, 0x564b5250, (1 << 16) | 0, 1, 1, 0))
data = s.recv(4096)
while data:
    data = s.recv(4096)
EOF
sleep 0.2
grep -q "does not speak TLS\|handshake failed" "$LOG" || fail "daemon log lacks the plaintext refusal"

# TLS 1.1 is refused (TLS 1.2 minimum).
if command -v gnutls-cli >/dev/null; then
    if gnutls-cli -p "$PORT" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.1" \
        --x509cafile "$PKI/ca/cacert.pem" --x509certfile "$PKI/good/clientcert.pem" \
        --x509keyfile "$PKI/good/clientkey.pem" localhost </dev/null >"$T/tls11" 2>&1; then
        fail "a TLS 1.1 handshake succeeded: $(tail -3 "$T/tls11")"
    fi
fi

# The daemon's certificate must name the host connected to.
pki_daemon_stop
PORT=$(pki_free_port)
pki_daemon "$T/root2" "$PORT" "$PKI/wronghost" || exit 1
refused good "does not name host 'localhost'"

# A daemon that cannot load its certificate says which file.
out=$("$B/framework/daemon/virtkitd" --root "$T/root3" --listen 2>&1) && fail "daemon started without certificates"
echo "$out" | grep -q "cannot read the CA certificate '$T/root3/etc/virtkit/pki/cacert.pem'" ||
    fail "daemon without certificates said: $out"

echo "tls: $fails failure(s)"
[ $fails = 0 ]
