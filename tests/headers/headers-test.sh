#!/bin/sh
# headers-test.sh: every public header (framework/include/virtkit/*.h) and
# every plugin SDK header (sdk/include/virtkit-1/*.h) compiles on its own,
# twice in a row (include guards), as strict C11 and as C++11, with
# warnings as errors. An application or a plugin includes one header and
# must not need to know what else to include first, nor which language
# standard we happened to build with (libgit2's tests/headertest idea).
#
# Compilers: VKT_CC (the build's $(CC)) and, when installed, clang; g++
# (or clang++) for C++. Exit 77 (skip) only when no C++ compiler exists at
# all, saying so.
set -u

src=${VIRTKIT_TEST_SRCDIR:-$(dirname "$0")/..}/..
cc=${VKT_CC:-cc}
cxx=
for c in g++ clang++ c++; do
    command -v "$c" >/dev/null 2>&1 && { cxx=$c; break; }
done
if [ -z "$cxx" ]; then
    echo "SKIP: no C++ compiler (g++, clang++ or c++) to check the headers as C++"
    exit 77
fi
ccs=$cc
command -v clang >/dev/null 2>&1 && [ "$cc" != clang ] && ccs="$ccs clang"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/virtkit-headers-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

cflags="-std=c11 -pedantic -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes"
cxxflags="-std=c++11 -pedantic -Wall -Wextra -Werror"
inc="-I$src/framework/include -I$src/sdk/include"

fails=0
checked=0
for h in "$src"/framework/include/virtkit/*.h "$src"/sdk/include/virtkit-1/*.h; do
    rel=${h#"$src"/framework/include/}
    rel=${rel#"$src"/sdk/include/}
    printf '#include <%s>\n#include <%s>\nint vkt_header_test(void);\nint vkt_header_test(void) { return 0; }\n' \
        "$rel" "$rel" >"$tmp/t.c"
    cp "$tmp/t.c" "$tmp/t.cpp"
    for c in $ccs; do
        # The build's CC may carry flags ("gcc -std=gnu99"): let it split.
        # shellcheck disable=SC2086
        if ! $c $cflags $inc -c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/err"; then
            echo "FAIL: <$rel> does not compile alone as C11 with $c:"
            sed 's/^/    /' "$tmp/err"
            fails=$((fails + 1))
        fi
    done
    # shellcheck disable=SC2086
    if ! $cxx $cxxflags $inc -c "$tmp/t.cpp" -o "$tmp/t.o" 2>"$tmp/err"; then
        echo "FAIL: <$rel> does not compile alone as C++11 with $cxx:"
        sed 's/^/    /' "$tmp/err"
        fails=$((fails + 1))
    fi
    checked=$((checked + 1))
done

if [ "$checked" -lt 15 ]; then
    echo "FAIL: found only $checked headers under $src: wrong source directory?"
    exit 1
fi
echo "checked $checked headers with: $ccs $cxx; $fails failures"
[ "$fails" -eq 0 ]
