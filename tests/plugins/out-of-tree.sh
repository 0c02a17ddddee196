#!/bin/sh
# out-of-tree.sh [BUILD]: CI's out-of-tree SDK stage (run-tests.sh sdk).
#
# `make check` already runs install-test.sh against a DESTDIR staging of the
# build tree, where the core must be told where its plugins went. This
# stage does it for real: a fresh tree configured with the options of BUILD
# (when given) plus --prefix=<tmp>/prefix, installed there, then
# install-test.sh --prefix against that install. The installed core finds
# its own plugin directory; the example is built against the installed SDK
# with pkg-config, loaded by the installed CLI, and its newer-minor rebuild
# is refused.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$top/configure" ] || { echo "out-of-tree: run ./autogen.sh first (no $top/configure)"; exit 1; }
opts=
if [ -n "${1:-}" ] && [ -x "$1/config.status" ]; then
    # The options BUILD was configured with, less any --prefix.
    opts=$("$1/config.status" --config | sed "s/'--prefix=[^']*'//g")
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/virtkit-oot-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/build"
cd "$tmp/build"
echo "out-of-tree: configure --prefix=$tmp/prefix $opts"
eval "\"$top/configure\" -q --prefix=\"$tmp/prefix\" $opts" || { echo "out-of-tree: configure failed"; exit 1; }
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
make -j"$jobs" >build.log 2>&1 || { tail -30 build.log; echo "out-of-tree: build failed"; exit 1; }
make install >install.log 2>&1 || { tail -30 install.log; echo "out-of-tree: make install failed"; exit 1; }
cd "$top"
env -u VIRTKIT_TEST_BUILDDIR -u VIRTKIT_TEST_SRCDIR "$top/tests/plugins/install-test.sh" \
    --prefix "$tmp/prefix"
