#!/bin/sh
# run-fuzz-rpc.sh SECONDS: build the libFuzzer target for the wire
# protocol's frame and body decoders (tests/fuzz/fuzz_rpc.c) in the same
# fuzzing build directory as run-fuzz.sh and run it for SECONDS. Exit
# status: 0 nothing found, 1 a crash, leak or timeout (the input is kept
# under $VIRTKIT_FUZZ_BUILDDIR/fuzz-rpc-artifacts), 77 when clang is absent.
set -eu
secs=${1:-}
case $secs in
    ''|*[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 2 ;;
esac
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${VIRTKIT_FUZZ_BUILDDIR:-$srcdir/build-fuzz}
jobs=${VIRTKIT_FUZZ_JOBS:-2}
if ! command -v clang >/dev/null 2>&1; then
    echo "SKIP: clang is not installed (apt-get install clang libclang-rt-dev)"
    exit 77
fi
[ -x "$srcdir/configure" ] || (cd "$srcdir" && ./autogen.sh)
if [ ! -f "$builddir/Makefile" ]; then
    mkdir -p "$builddir"
    (cd "$builddir" && "$srcdir/configure" -q CC=clang --enable-fuzzing)
fi
make -C "$builddir" -j"$jobs" tests/fuzz/fuzz_rpc
artifacts="$builddir/fuzz-rpc-artifacts"
kept="$builddir/fuzz-rpc-corpus"
mkdir -p "$artifacts" "$kept"
echo "fuzzing the RPC decoders for $secs s: $(ls "$kept" | wc -l) kept inputs"
"$builddir/tests/fuzz/fuzz_rpc" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "$kept"
