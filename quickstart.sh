#!/bin/sh
# quickstart.sh: on a fresh Debian 12 machine, as root: install what virtkit
# needs from Debian's packages, build it in ./build, and run the main job:
# boot a tiny real guest under the qemu plugin and show it running (its
# console, dominfo, stats), then shut it down. Where qemu cannot run, the
# demo runs on the in-memory test hypervisor instead, and says so.
#
#   ./quickstart.sh            (BUILD=dir to build elsewhere)
set -eu
cd "$(dirname "$0")"
TOP=$(pwd)
BUILD=${BUILD:-$TOP/build}

if [ "$(id -u)" != 0 ]; then
    echo "quickstart.sh installs packages and starts guests: run it as root" >&2
    exit 1
fi

echo "==> installing build and runtime dependencies (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2046
apt-get install -y -qq --no-install-recommends $(cat .ci/packages) >/dev/null

echo "==> building in $BUILD"
./autogen.sh >/dev/null
mkdir -p "$BUILD"
cd "$BUILD"
[ -f Makefile ] || "$TOP/configure" -q
make -j"$(nproc)" >/dev/null
cd "$TOP"

echo "==> the main job"
exec "$TOP/scripts/demo.sh" "$BUILD"
