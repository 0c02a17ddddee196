#!/bin/sh
# install-test.sh: the out-of-tree proof (design section 3, issue 2).
#
#   tests/plugins/install-test.sh                  stage this build tree
#   tests/plugins/install-test.sh --prefix DIR     use virtkit installed in DIR
#
# 1. An installed virtkit: by default this build tree ($VIRTKIT_TEST_BUILDDIR,
#    or .) installed with `make install DESTDIR=<tmp>` (the staging packagers
#    use); with --prefix, a tree configured --prefix=DIR and installed there,
#    whose core then finds its plugin directory with no help at all.
# 2. sdk/examples copied to a directory of its own and built there with
#    nothing but GNU make, a C compiler and pkg-config pointed at that
#    install; `make install` puts example.so and its manifest into the
#    plugin directory the SDK's pkg-config file names.
# 3. The installed, unmodified `virtkit` lists the plugin without loading
#    it, loads it (ABI 1.1) and drives its domains through a whole
#    lifecycle; its errors reach the user.
# 4. The example rebuilt against a newer SDK minor (a copy of the installed
#    plugin.h with VIRTKIT_PLUGIN_ABI_MINOR + 1 first on the include path)
#    is refused by the installed core with "plugin needs a newer core".
#
# Prints one line per check; exit 0 when all pass, 1 otherwise.
set -u

srcdir=${VIRTKIT_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
top=$(cd "$srcdir/.." && pwd)
builddir=${VIRTKIT_TEST_BUILDDIR:-.}
prefix=
if [ "${1:-}" = --prefix ]; then
    prefix=$(cd "${2:?--prefix needs a directory}" && pwd) || exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/virtkit-install-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0

ok() { echo "ok: $*"; }
bad() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
die() {
    echo "FAIL: $*"
    exit 1
}
# check DESCRIPTION FILE NEEDLE: FILE contains the fixed string NEEDLE.
check() {
    if grep -qF -- "$3" "$2"; then
        ok "$1"
    else
        bad "$1: '$3' not in the output:"
        sed 's/^/    /' "$2"
    fi
}

# ---- 1. the install -------------------------------------------------------
unset VIRTKIT_PLUGIN_DIR PKG_CONFIG_SYSROOT_DIR
if [ -n "$prefix" ]; then
    root=$prefix
    export PKG_CONFIG_PATH="$root/lib/pkgconfig"
else
    stage="$tmp/stage"
    # The enclosing `make check` must not hand its jobserver to this make.
    if ! (cd "$builddir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make install \
        DESTDIR="$stage") >"$tmp/install.log" 2>&1; then
        tail -20 "$tmp/install.log"
        die "make install DESTDIR=$stage failed in $builddir"
    fi
    # The tree's prefix, as configured (the staged files live below it).
    pc=$(find "$stage" -name virtkit-plugin-1.pc -path '*/pkgconfig/*' | head -1)
    [ -n "$pc" ] || die "make install did not install virtkit-plugin-1.pc"
    root=$(dirname "$(dirname "$(dirname "$pc")")")
    # pkg-config's sysroot maps the .pc's paths into the staging area, as
    # for any staged or cross build.
    export PKG_CONFIG_PATH="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
fi
virtkit="$root/bin/virtkit"
[ -x "$virtkit" ] || die "no installed CLI at $virtkit"
pkg-config --exists virtkit-plugin-1 || die "pkg-config finds no virtkit-plugin-1 in $PKG_CONFIG_PATH"
plugindir=$(pkg-config --variable=plugindir virtkit-plugin-1)
case $plugindir in
"$root"/*) ok "pkg-config names the installed plugin directory $plugindir" ;;
*) die "pkg-config's plugindir '$plugindir' is not under the install $root" ;;
esac
[ -d "$plugindir" ] || die "plugin directory $plugindir was not installed"

# The installed library first (a system copy must not stand in for it).
export LD_LIBRARY_PATH="$root/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export VIRTKIT_ROOT="$tmp/root"
mkdir -p "$VIRTKIT_ROOT"
unset VIRTKIT_DEFAULT_URI VIRTKIT_LOG
# A staged core was built for its final prefix, so it is told where its
# plugins are now; a --prefix install finds them on its own.
[ -n "$prefix" ] || export VIRTKIT_PLUGIN_DIR="$plugindir"

# ---- 2. the example, out of tree ----------------------------------------
ex="$tmp/example"
cp -R "$top/sdk/examples" "$ex" && chmod -R u+w "$ex"
if (cd "$ex" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make) >"$tmp/build.log" 2>&1; then
    ok "sdk/examples builds out of tree against the install"
else
    cat "$tmp/build.log"
    die "sdk/examples does not build against the install"
fi
exports=$(nm -D --defined-only "$ex/example.so" | awk '$2 == "T" || $2 == "D" { print $3 }')
if [ "$exports" = virtkit_plugin_entry_v1 ]; then
    ok "example.so exports only virtkit_plugin_entry_v1"
else
    bad "example.so exports more than its entry point:" $exports
fi
if (cd "$ex" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make install) >"$tmp/inst.log" 2>&1 &&
    [ -f "$plugindir/example.so" ] && [ -f "$plugindir/example.plugin" ]; then
    ok "make install put example.so and example.plugin into $plugindir"
else
    cat "$tmp/inst.log"
    die "the example's make install did not reach $plugindir"
fi

# ---- 3. the installed CLI drives it --------------------------------------
"$virtkit" plugins --json >"$tmp/plugins0" 2>&1
check "listed from its manifest without loading" "$tmp/plugins0" \
    '"name": "example", "version": "1.0.0", "abi": "1.1", "kinds": "hypervisor", "schemes": "example", "state": "available"'
"$virtkit" plugins --load --json >"$tmp/plugins1" 2>&1
check "loads, ABI 1.1" "$tmp/plugins1" \
    '"name": "example", "version": "1.0.0", "abi": "1.1", "kinds": "hypervisor", "schemes": "example", "state": "loaded"'

if "$virtkit" -c example:///default list --all >"$tmp/list" 2>&1; then
    check "list --all shows the default domain" "$tmp/list" "demo   running"
else
    bad "virtkit -c example:///default list --all failed:"
    cat "$tmp/list"
fi

cat >"$tmp/web1.xml" <<'EOF'
<domain type='test'>
  <name>web1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
EOF
# One connection for the whole session: example:///default lives as long
# as its connection, so the commands go to the interactive shell.
"$virtkit" -c example:///default >"$tmp/session" 2>&1 <<EOF
define $tmp/web1.xml
list --all
start web1
suspend web1
domstate web1
resume web1
dominfo web1
shutdown web1
domstate web1
start web1
destroy web1
dumpxml web1
undefine web1
list --all
EOF
# The answers, in this order (each after the previous one's line).
in_order() {
    file=$1
    shift
    line=0
    for want in "$@"; do
        at=$(awk -v from="$line" -v s="$want" 'NR > from && index($0, s) { print NR; exit }' "$file")
        if [ -z "$at" ]; then
            bad "lifecycle: '$want' missing after line $line of the session:"
            sed 's/^/    /' "$file"
            return
        fi
        line=$at
    done
    ok "lifecycle: define, start, suspend, resume, dominfo, shutdown, destroy, dumpxml, undefine"
}
in_order "$tmp/session" "Domain 'web1' defined from $tmp/web1.xml" " -    web1   shut off" \
    "Domain 'web1' started" "Domain 'web1' suspended" "paused" "Domain 'web1' resumed" \
    "State:        running" "CPUs:         2" "Max memory:   262144 KiB" \
    "Domain 'web1' is being shut down" "shut off" "Domain 'web1' started" \
    "Domain 'web1' destroyed" "<name>web1</name>" ">2</vcpu>" "Domain 'web1' undefined" \
    " 1    demo   running"
if [ "$(grep -c ' web1 ' "$tmp/session")" = 1 ]; then
    ok "web1 is gone from the last listing after undefine"
else
    bad "web1 still listed after undefine"
    cat "$tmp/session"
fi

if "$virtkit" -c example:///default start demo >"$tmp/err1" 2>&1; then
    bad "starting a running domain succeeded"
else
    check "errors reach the user" "$tmp/err1" "cannot start domain 'demo': it is running"
fi
if "$virtkit" -c example:///elsewhere list >"$tmp/err2" 2>&1; then
    bad "example:///elsewhere was served"
else
    check "a URI the plugin declines is refused" "$tmp/err2" \
        "plugin 'example' does not serve URI 'example:///elsewhere'"
fi

# ---- 4. a plugin built against a newer SDK minor -------------------------
sdkinc=$(pkg-config --cflags-only-I virtkit-plugin-1 | sed 's/^-I//; s/ *$//')
[ -f "$sdkinc/virtkit-1/plugin.h" ] || die "no installed plugin.h under '$sdkinc'"
mkdir -p "$tmp/newer-sdk/virtkit-1"
minor=$(sed -n 's/^#define VIRTKIT_PLUGIN_ABI_MINOR \([0-9][0-9]*\)$/\1/p' "$sdkinc/virtkit-1/plugin.h")
[ -n "$minor" ] || die "no VIRTKIT_PLUGIN_ABI_MINOR in $sdkinc/virtkit-1/plugin.h"
sed "s/^#define VIRTKIT_PLUGIN_ABI_MINOR $minor\$/#define VIRTKIT_PLUGIN_ABI_MINOR $((minor + 1))/" \
    "$sdkinc/virtkit-1/plugin.h" >"$tmp/newer-sdk/virtkit-1/plugin.h"
if (cd "$ex" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make clean all install \
    CPPFLAGS="-I$tmp/newer-sdk") >"$tmp/newer.log" 2>&1; then
    ok "example rebuilt against SDK 1.$((minor + 1)) and installed"
else
    cat "$tmp/newer.log"
    die "cannot rebuild the example against the patched SDK"
fi
if "$virtkit" -c example:///default list --all >"$tmp/newer" 2>&1; then
    bad "the installed core accepted a plugin built against a newer SDK minor"
    cat "$tmp/newer"
else
    check "a newer-minor plugin is refused, saying why" "$tmp/newer" \
        "plugin needs a newer core: built against SDK 1.$((minor + 1)), this core implements ABI 1.$minor"
fi
"$virtkit" plugins --load --json >"$tmp/plugins2" 2>&1
check "plugins shows it refused, with the ABI it was built for" "$tmp/plugins2" \
    "\"abi\": \"1.$((minor + 1))\", \"kinds\": \"hypervisor\", \"schemes\": \"example\", \"state\": \"refused: plugin needs a newer core"
# The other plugins are not affected by one refused plugin.
check "the test plugin still loads" "$tmp/plugins2" '"schemes": "test", "state": "loaded"'
"$virtkit" -c test:///default list --all >"$tmp/testlist" 2>&1
check "test:///default still works" "$tmp/testlist" "test   running"

[ "$failures" -eq 0 ] && echo "install-test: all checks passed" && exit 0
echo "install-test: $failures checks failed"
exit 1
