#!/bin/sh
# bench/compare.sh: run the libvirt 9.0 reference benchmark and virtkit-bench
# back to back on this machine and print, per figure, both values and the
# ratio. Figures drift 20-30 % between runs on shared machines: compare
# ratios from one run, not against old tables.
#
# The 1-client call rates of both are bound by how long the kernel takes to
# wake a thread on the other CPU (two such wake-ups per call, ~50 us each in
# some VMs); `taskset -c 0 bench/compare.sh` runs everything on one CPU,
# where the figures show the per-call cost instead.
#
#   bench/compare.sh [BUILD_DIR]        (as root; BUILD_DIR defaults to ./build)
#
# Needs the reference's packages (see ../shared/bench/libvirt-baseline/README.md):
#   apt-get install -y libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients \
#       libvirt-dev libvirt-daemon-system qemu-system-x86
# Env: REF=path of libvirt-baseline, W=work dir, VK_ONLY=1 skips libvirt,
#      LV_ONLY=1 skips virtkit, QEMU_ITERS=N (default 10).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=$(cd "${1:-$here/../build}" && pwd)
REF=${REF:-$here/../../shared/bench/libvirt-baseline}
W=${W:-$(mktemp -d /tmp/virtkit-compare-XXXXXX)}
ITERS=${QEMU_ITERS:-10}
mkdir -p "$W"
LV_OUT=$W/libvirt.txt
VK_OUT=$W/virtkit.txt

run_libvirt() {
    command -v libvirtd >/dev/null || { echo "libvirtd not installed (see the header)" >&2; return 1; }
    make -s -C "$REF" O="$W" CFLAGS="-O2 -g" >/dev/null
    RUN=$W/lv-run
    mkdir -p "$RUN/sock"
    sed "s|@RUN@|$RUN|g" "$REF/libvirtd.conf.in" >"$RUN/libvirtd.conf"
    # virtlogd serves qemu's logs for libvirt; private pid file, default socket.
    virtlogd --pid-file "$RUN/virtlogd.pid" >"$RUN/virtlogd.out" 2>&1 &
    vl=$!
    "$W/reaper" libvirtd --config "$RUN/libvirtd.conf" --pid-file "$RUN/libvirtd.pid" \
        >"$RUN/libvirtd.out" 2>&1 &
    reaper=$!
    i=0
    while [ ! -S "$RUN/sock/libvirt-sock" ] || [ ! -s "$RUN/libvirtd.pid" ]; do
        i=$((i + 1)); [ $i -gt 300 ] && { echo "libvirtd did not start" >&2; cat "$RUN/libvirtd.out" >&2; break; }
        sleep 0.1
    done
    lvpid=$(cat "$RUN/libvirtd.pid")
    "$W/libvirt_bench" -s "$RUN/sock/libvirt-sock" -p "$lvpid" -r "$RUN" -n "$ITERS" -V "$vl" \
        >"$LV_OUT" 2>"$W/libvirt.err" || true
    kill "$lvpid" 2>/dev/null || true
    wait "$reaper" 2>/dev/null || true
    kill "$vl" 2>/dev/null || true
    wait "$vl" 2>/dev/null || true
}

run_virtkit() {
    VIRTKIT_PLUGIN_DIR="$B/plugin-stage" VIRTKIT_BENCH_DAEMON="$B/framework/daemon/virtkitd" \
        "$B/bench/virtkit-bench" -w "$W/vk" -n "$ITERS" >"$VK_OUT" 2>"$W/virtkit.err" || true
}

[ "${VK_ONLY:-0}" = 1 ] || run_libvirt
[ "${LV_ONLY:-0}" = 1 ] || { mkdir -p "$W/vk"; run_virtkit; }

# Join on the figure name. Rates (unit ends in /s) are better higher; times,
# memory and latencies better lower. "x better" says by how much virtkit
# wins (>1) or loses (<1).
touch "$LV_OUT" "$VK_OUT"
awk -v lvfile="$LV_OUT" '
    { file = (FILENAME == lvfile) ? 1 : 2 }
    /^#/ || NF < 3 { next }
    $2 == "not_measured:" { next }
    { val[file, $1] = $2; unit[$1] = $3; order[++n] = $1 }
    END {
        printf "%-36s %14s %14s %-24s %s\n", "figure", "libvirt", "virtkit", "unit", "virtkit x better"
        for (i = 1; i <= n; i++) {
            k = order[i]; if (seen[k]++) continue
            lv = ((1, k) in val) ? val[1, k] : "-"; vk = ((2, k) in val) ? val[2, k] : "-"
            r = "-"
            if (lv != "-" && vk != "-" && lv + 0 != 0 && vk + 0 != 0) {
                if (unit[k] ~ /\/s$/) r = sprintf("%.2f", vk / lv); else r = sprintf("%.2f", lv / vk)
            }
            printf "%-36s %14s %14s %-24s %s\n", k, lv, vk, unit[k], r
        }
    }' "$LV_OUT" "$VK_OUT" 2>/dev/null || true
echo "# raw outputs: $LV_OUT $VK_OUT (stderr next to them)"
grep 'not_measured' "$VK_OUT" 2>/dev/null | sed 's/^/# virtkit: /' || true
