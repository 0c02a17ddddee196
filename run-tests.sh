#!/bin/sh
# run-tests.sh: the whole test suite, as root on Debian 12 (after
# ./quickstart.sh, or with the packages of .ci/packages installed):
#   1. build in ./build and run `make check` (unit, golden, CLI, plugin
#      loader, daemon/TLS/ssh, node, qemu integration tests)
#   2. a sanitizer build (ASan + UBSan, leak checks on) running the same
#      whole `make check` again: every test binary, the CLI, the daemon and
#      the plugins are the instrumented ones
#   3. the out-of-tree SDK example against an installed staging prefix
#   4. the ABI gate (abidiff against sdk/abi baselines)
#   5. a bounded fuzzing run of the XML and RPC decoders
# Each stage prints a line; the script fails if any stage fails.
#
#   ./run-tests.sh [STAGE...]     stages: check sanitizers sdk abi fuzz (default: all)
# Env: BUILD (default ./build), FUZZ_SECONDS (default 60 per target), JOBS.
set -u
cd "$(dirname "$0")"
TOP=$(pwd)
BUILD=${BUILD:-$TOP/build}
JOBS=${JOBS:-$(nproc)}
STAGES=${*:-check sanitizers sdk abi fuzz}
failed=""
t_start=$(date +%s)

stage() {
    name=$1; desc=$2; shift 2
    s=$(date +%s)
    echo "==> [$name] $desc"
    if "$@"; then
        echo "==> [$name] passed in $(( $(date +%s) - s ))s"
    else
        echo "==> [$name] FAILED after $(( $(date +%s) - s ))s"
        failed="$failed $name"
    fi
}

configure_in() {
    dir=$1; shift
    mkdir -p "$dir" && cd "$dir" || return 1
    [ -f Makefile ] || "$TOP/configure" -q "$@" || return 1
    cd "$TOP"
}

# make check in $1, then the tail of every failed test's log.
check_in() {
    make -C "$1" -j"$JOBS" check
    rc=$?
    [ $rc = 0 ] || grep -l -E '^(FAIL|ERROR)' "$1"/tests/*/*.log 2>/dev/null |
        while read -r f; do echo "---- $f"; tail -40 "$f"; done
    return $rc
}

do_check() {
    configure_in "$BUILD" || return 1
    make -C "$BUILD" -j"$JOBS" >/dev/null || return 1
    check_in "$BUILD"
}

# The same suite with every binary instrumented: the tests run real qemu and
# sshd under timeouts generous enough for the sanitizers' slowdown (the
# whole stage takes about 3 minutes on 2 cores).
do_sanitizers() {
    configure_in "$TOP/build-asan" --enable-sanitizers || return 1
    make -C "$TOP/build-asan" -j"$JOBS" >/dev/null || return 1
    (
        export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
        check_in "$TOP/build-asan"
    )
}

do_sdk() {
    [ -x "$TOP/tests/plugins/out-of-tree.sh" ] || { echo "tests/plugins/out-of-tree.sh missing"; return 1; }
    "$TOP/tests/plugins/out-of-tree.sh" "$BUILD"
}

do_abi() {
    [ -x "$TOP/sdk/abi/check-abi.sh" ] || { echo "sdk/abi/check-abi.sh missing"; return 1; }
    "$TOP/sdk/abi/check-abi.sh" "$BUILD"
}

do_fuzz() {
    secs=${FUZZ_SECONDS:-60}
    ok=0
    for f in "$TOP"/tests/fuzz/run-fuzz.sh "$TOP"/tests/fuzz/run-fuzz-rpc.sh; do
        [ -x "$f" ] || { echo "$f is missing"; ok=1; continue; }
        "$f" "$secs"
        rc=$?
        [ $rc = 77 ] && echo "SKIP: $f (see its message)"
        [ $rc = 0 ] || [ $rc = 77 ] || ok=1
    done
    return $ok
}

[ -x "$TOP/configure" ] || ./autogen.sh >/dev/null
for s in $STAGES; do
    case $s in
    check) stage check "make check in $BUILD" do_check ;;
    sanitizers) stage sanitizers "ASan+UBSan build, the whole make check" do_sanitizers ;;
    sdk) stage sdk "out-of-tree plugin against an installed prefix" do_sdk ;;
    abi) stage abi "abidiff against sdk/abi baselines" do_abi ;;
    fuzz) stage fuzz "bounded fuzzing of the XML and RPC decoders" do_fuzz ;;
    *) echo "unknown stage '$s' (check sanitizers sdk abi fuzz)"; exit 2 ;;
    esac
done
echo "==> total $(( $(date +%s) - t_start ))s"
if [ -n "$failed" ]; then
    echo "==> FAILED stages:$failed"
    exit 1
fi
echo "==> all stages passed"
