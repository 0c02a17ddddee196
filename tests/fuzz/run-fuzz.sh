#!/bin/sh
# run-fuzz.sh SECONDS: build the libFuzzer target for the definition
# parser (tests/fuzz/fuzz_defs.c) with clang in its own build directory,
# seed it from the golden corpus and run it for SECONDS. Exit status: 0
# when nothing was found, 1 on a crash, leak, timeout or property
# violation (the input is kept under $VIRTKIT_FUZZ_BUILDDIR/fuzz-artifacts),
# 77 (skip) when clang is not installed. Inputs that reach new code are
# kept in $VIRTKIT_FUZZ_BUILDDIR/fuzz-corpus for the next run.
#
# Environment: see fuzz-build.sh.
set -eu
fuzz_target=fuzz_defs
. "$(dirname "$0")/fuzz-build.sh"

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT INT TERM
# Seeds: every golden document, with a leading kind byte (fuzz_defs.c:
# 0 domain, 5 network, 6 pool, 7 volume).
seed() {
    for f in "$srcdir"/tests/xml/golden/"$1"/*.xml; do
        { printf "$2"; cat "$f"; } > "$corpus/$1-$(basename "$f")"
    done
}
seed domain '\000'
seed network '\005'
seed pool '\006'
seed volume '\007'

artifacts="$builddir/fuzz-artifacts"
# New inputs go to a corpus kept in the build directory, so successive
# runs (CI's included, when it keeps the directory) start where the last
# one stopped; the seeds are read-only.
kept="$builddir/fuzz-corpus"
mkdir -p "$artifacts" "$kept"
echo "fuzzing for $secs s: $(ls "$corpus" | wc -l) seeds, $(ls "$kept" | wc -l) kept inputs"
# -detect_leaks is on by default with ASan; any finding exits non-zero.
"$builddir/tests/fuzz/fuzz_defs" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -dict="$srcdir/tests/fuzz/domain.dict" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$kept" "$corpus"
