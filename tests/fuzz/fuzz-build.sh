# fuzz-build.sh: sourced by run-fuzz.sh and run-fuzz-rpc.sh with the
# script's arguments: checks SECONDS, then builds the libFuzzer target
# $fuzz_target with clang in the fuzzing build directory (shared by both).
# Sets secs, srcdir, builddir. Exits 2 on a bad argument, 77 (skip)
# without clang.
#
#   VIRTKIT_FUZZ_BUILDDIR   build directory (default: <srcdir>/build-fuzz)
#   VIRTKIT_FUZZ_JOBS       make -j (default 2)
secs=${1:-}
case $secs in
    ''|*[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 2 ;;
esac
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${VIRTKIT_FUZZ_BUILDDIR:-$srcdir/build-fuzz}
if ! command -v clang >/dev/null 2>&1; then
    echo "SKIP: clang is not installed (apt-get install clang libclang-rt-dev)"
    exit 77
fi
[ -x "$srcdir/configure" ] || (cd "$srcdir" && ./autogen.sh)
if [ ! -f "$builddir/Makefile" ]; then
    mkdir -p "$builddir"
    (cd "$builddir" && "$srcdir/configure" -q CC=clang --enable-fuzzing)
fi
make -C "$builddir" -j"${VIRTKIT_FUZZ_JOBS:-2}" "tests/fuzz/$fuzz_target"
