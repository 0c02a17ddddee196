#!/bin/sh
# Regenerates the autotools build system. Run once after a fresh clone.
set -e
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all,no-portability
