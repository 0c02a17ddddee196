#!/bin/sh
# check-abi.sh: the ABI gate (design section 3, docs/abi.md).
#
#   sdk/abi/check-abi.sh [BUILDDIR]            compare with the baselines
#   sdk/abi/check-abi.sh --update [BUILDDIR]   rewrite the baselines, on purpose
#
# BUILDDIR is a configured and built tree (default: the current directory).
# Two corpora are recorded with abidw and compared with abidiff against the
# files committed beside this script:
#   libvirtkit.abi         the public library, BUILDDIR's libvirtkit.so
#   virtkit-plugin-1.abi   the plugin SDK, through sdk-abi.c (the SDK has no
#                          library: that file exports one function per type)
# Any change abidiff reports fails, except what virtkit.abignore allows
# (growth at the tail of size-prefixed tables) and added functions. Since
# libabigail's tail suppression also hides other changes of those structs,
# abi-layout.py checks them strictly: old members keep offset and type, new
# ones only follow the old end. Every symbol of the baseline must also keep
# its version node. --update also regenerates sdk-layout.h, the struct
# table that tests/plugins/sdk-layout-test.c checks without abigail-tools.
#
# Exit: 0 compatible; 1 an incompatible change or an error; 77 (skip) when
# abigail-tools is missing and the script runs under `make check`
# (VIRTKIT_TEST_BUILDDIR set). Run directly (CI), missing tools fail.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
update=no
if [ "${1:-}" = --update ]; then
    update=yes
    shift
fi
build=${1:-${VIRTKIT_TEST_BUILDDIR:-.}}
build=$(cd "$build" && pwd)
cc=${VKT_CC:-${CC:-cc}}

die() {
    echo "check-abi: $*" >&2
    exit 1
}

for tool in abidw abidiff python3; do
    if ! command -v $tool >/dev/null 2>&1; then
        if [ -n "${VIRTKIT_TEST_BUILDDIR:-}" ]; then
            echo "SKIP: $tool not found (install the Debian package abigail-tools, or python3)"
            exit 77
        fi
        die "$tool not found: install the Debian package abigail-tools (python3 for python3)"
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/virtkit-abi-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- every named type of the headers is in the SDK anchor ----------------
# Structs and enums end as "} name;", tables as "struct vkp_x {", callbacks
# as "typedef ... (*name)(...)". A type abidw never sees is a type the gate
# cannot protect, so a new one must be added to sdk-abi.c.
headers="$top/framework/include/virtkit/*.h $top/sdk/include/virtkit-1/*.h"
# shellcheck disable=SC2086
grep -ohE '\} [a-z_0-9]+;$|^struct vkp_[a-z_0-9]+ \{|typedef [^;]*\(\*[a-z_0-9]+\)' $headers |
    sed -E 's/^.*\} ([a-z_0-9]+);$/\1/; s/^struct (vkp_[a-z_0-9]+) \{/\1/; s/.*\(\*([a-z_0-9]+)\).*/\1/' |
    sort -u >"$tmp/types"
missing=$(while read -r t; do
    grep -q "^VKA($t)\$" "$here/sdk-abi.c" || echo "$t"
done <"$tmp/types")
[ -z "$missing" ] || die "types missing from sdk/abi/sdk-abi.c (add a VKA(type) line each):" $missing

# ---- record the current ABI ---------------------------------------------
lib="$build/framework/.libs/libvirtkit.so.0"
[ -e "$lib" ] || die "$lib not found: configure and build in $build first"
lib=$(readlink -f "$lib")
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
    die "$lib has no debug information: build with -g (the default CFLAGS)"
fi

# shellcheck disable=SC2086
$cc -std=c11 -g -O0 -fPIC -shared -I"$top/framework/include" -I"$top/sdk/include" \
    "$here/sdk-abi.c" -o "$tmp/virtkit-plugin-1-abi.so" ||
    die "cannot build the SDK anchor sdk-abi.c with $cc"

abidw_opts="--no-corpus-path --no-show-locs --drop-private-types --type-id-style hash"
# shellcheck disable=SC2086
abidw $abidw_opts --headers-dir "$top/framework/include/virtkit" "$lib" \
    >"$tmp/libvirtkit.abi" || die "abidw failed on $lib"
# shellcheck disable=SC2086
abidw $abidw_opts --headers-dir "$top/framework/include/virtkit" \
    --headers-dir "$top/sdk/include/virtkit-1" "$tmp/virtkit-plugin-1-abi.so" \
    >"$tmp/virtkit-plugin-1.abi" || die "abidw failed on the SDK anchor"

if [ $update = yes ]; then
    python3 "$here/abi-layout.py" header "$tmp/virtkit-plugin-1.abi" \
        "$top/sdk/include/virtkit-1/plugin.h" >"$tmp/sdk-layout.h" ||
        die "cannot generate sdk-layout.h"
    cp "$tmp/libvirtkit.abi" "$tmp/virtkit-plugin-1.abi" "$tmp/sdk-layout.h" "$here/"
    echo "check-abi: baselines rewritten in sdk/abi/: review 'git diff sdk/abi' and say why in the commit"
    exit 0
fi

# ---- compare --------------------------------------------------------------
status=0
for corpus in libvirtkit virtkit-plugin-1; do
    [ -f "$here/$corpus.abi" ] || die "no baseline sdk/abi/$corpus.abi (run with --update once)"
    if abidiff --no-added-syms --suppressions "$here/virtkit.abignore" \
        "$here/$corpus.abi" "$tmp/$corpus.abi" >"$tmp/$corpus.diff" 2>&1; then
        echo "check-abi: $corpus: compatible with the baseline"
    else
        rc=$?
        echo "check-abi: $corpus: INCOMPATIBLE with sdk/abi/$corpus.abi (abidiff exit $rc):"
        sed 's/^/    /' "$tmp/$corpus.diff"
        status=1
    fi
    if ! python3 "$here/abi-layout.py" compare "$here/virtkit.abignore" "$here/$corpus.abi" \
        "$tmp/$corpus.abi" >"$tmp/$corpus.layout"; then
        echo "check-abi: $corpus: a table that may only grow at its tail changed otherwise:"
        cat "$tmp/$corpus.layout"
        status=1
    fi
done

# Symbol versions: a symbol never moves to another node, and additions are
# listed so a reviewer sees which node they went into.
syms() {
    sed -n "s/.*<elf-symbol name='\([^']*\)' version='\([^']*\)'.*/\1@\2/p" "$1" | sort
}
syms "$here/libvirtkit.abi" >"$tmp/syms.old"
syms "$tmp/libvirtkit.abi" >"$tmp/syms.new"
moved=$(comm -23 "$tmp/syms.old" "$tmp/syms.new")
if [ -n "$moved" ]; then
    echo "check-abi: libvirtkit: symbols gone or moved to another version node:"
    echo "$moved" | sed 's/^/    /'
    status=1
fi
added=$(comm -13 "$tmp/syms.old" "$tmp/syms.new")
if [ -n "$added" ]; then
    echo "check-abi: libvirtkit: $(echo "$added" | wc -l) symbols added since the baseline (allowed):"
    echo "$added" | sed 's/^/    /'
fi

[ $status -eq 0 ] || echo "check-abi: if the change is intended, it needs a new major; see docs/abi.md"
exit $status
