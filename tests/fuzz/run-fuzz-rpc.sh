#!/bin/sh
# run-fuzz-rpc.sh SECONDS: build the libFuzzer target for the wire
# protocol's frame and body decoders (tests/fuzz/fuzz_rpc.c) in the same
# fuzzing build directory as run-fuzz.sh and run it for SECONDS. Exit
# status: 0 nothing found, 1 a crash, leak or timeout (the input is kept
# under $VIRTKIT_FUZZ_BUILDDIR/fuzz-rpc-artifacts), 77 when clang is absent.
set -eu
fuzz_target=fuzz_rpc
. "$(dirname "$0")/fuzz-build.sh"
artifacts="$builddir/fuzz-rpc-artifacts"
kept="$builddir/fuzz-rpc-corpus"
mkdir -p "$artifacts" "$kept"
echo "fuzzing the RPC decoders for $secs s: $(ls "$kept" | wc -l) kept inputs"
"$builddir/tests/fuzz/fuzz_rpc" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "$kept"
