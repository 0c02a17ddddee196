#!/bin/sh
# tests/rpc/through-daemon.sh: the foundation test sets again, through
# virtkitd: the public API contract (tests/core/test_api) and the CLI
# (tests/cli/cli.sh), with $VIRTKIT_TEST_URI naming first the daemon's
# UNIX socket, then TLS with certificates made for the run.
set -u
B=${VIRTKIT_TEST_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
S=${VIRTKIT_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
T=$(mktemp -d /tmp/virtkit-through-XXXXXX)
PKI=$T/pki
. "$S/rpc/pki.sh"
trap 'pki_daemon_stop; rm -rf "$T"' EXIT
fails=0

run_sets() { # LABEL URI
    for t in "$B/tests/core/test_api" "$S/cli/cli.sh"; do
        case $t in *.sh) cmd="sh $t" ;; *) cmd=$t ;; esac
        if VIRTKIT_TEST_URI=$2 $cmd >"$T/out" 2>&1; then
            echo "ok: $(basename "$t") through $1"
        else
            echo "FAIL: $(basename "$t") through $1 ($2):"
            grep -E "FAIL|ERROR|error" "$T/out" | head -20
            fails=$((fails + 1))
        fi
    done
}

TLS=yes
command -v certtool >/dev/null && command -v python3 >/dev/null || TLS=
if [ -n "$TLS" ] && pki_make; then
    PORT=$(pki_free_port)
    pki_daemon "$T/root" "$PORT" "$PKI/server" || exit 1
else
    echo "note: no certtool/python3, TLS part skipped"
    PORT=0
    pki_daemon "$T/root" 0 /nonexistent || exit 1
fi
SOCK=$T/root/run/virtkit/virtkitd-sock
run_sets "the UNIX socket" "test+unix:///default?socket=$SOCK"
[ -n "$TLS" ] && run_sets "TLS" "test+tls://localhost:$PORT/default?pkipath=$PKI/good"
# the daemon survived it all and logged no crash
kill -0 "$DPID" || { echo "FAIL: virtkitd died"; fails=$((fails + 1)); }
echo "through-daemon: $fails failure(s)"
[ $fails = 0 ]
