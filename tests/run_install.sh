#!/bin/sh
# relc installed and used the way users use it, from a prefix in a
# temporary directory: `make install` (and with DESTDIR, and uninstall), the
# man page against --help, a CMake project built with Ninja and with Unix
# Makefiles, a plain make project including relc.mk, and a program built
# with pkg-config.  Each project builds and runs; a rebuild with nothing
# changed rebuilds nothing; touching the schema changes nothing downstream;
# editing it regenerates and relinks.
set -u
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
top=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
expected=$top/tests/integration/expected.txt

if make -s install SAN= PREFIX="$prefix" > "$tmp/install.log" 2>&1; then ok; else
    bad "make install"; cat "$tmp/install.log"; exit 1; fi
relc=$prefix/bin/relc

# DESTDIR stages under another root with the final PREFIX written in;
# uninstall removes every file install wrote.
make -s install SAN= PREFIX=/opt/relc DESTDIR="$tmp/stage" > /dev/null 2>&1
if [ -x "$tmp/stage/opt/relc/bin/relc" ] && grep -q '^prefix=/opt/relc$' "$tmp/stage/opt/relc/lib/pkgconfig/relc.pc" &&
   grep -q '/opt/relc/bin/relc' "$tmp/stage/opt/relc/share/relc/relc.mk"; then ok; else bad "make install DESTDIR"; fi
make -s uninstall SAN= PREFIX=/opt/relc DESTDIR="$tmp/stage" > /dev/null 2>&1
left=$(find "$tmp/stage" -type f)
if [ -z "$left" ]; then ok; else bad "make uninstall left: $left"; fi

# The man page documents every option --help lists, for this version.
man_text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$prefix/share/man/man1/relc.1")
missing=""
for opt in $("$relc" --help | grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z-]*' | tr -d ' ,' | sort -u); do
    printf '%s\n' "$man_text" | grep -q -- "$opt" || missing="$missing $opt"
done
version=$("$relc" --version | sed -n 's/^relc \([^ ]*\).*/\1/p')
if [ -z "$missing" ]; then ok; else bad "relc.1 does not document:$missing"; fi
if printf '%s\n' "$man_text" | grep -q "^.TH RELC 1 .*\"relc $version\""; then ok; else
    bad "relc.1 is not for relc $version"; fi

stamp() { stat -c %y "$1" 2>/dev/null; }

# project NAME BUILD_COMMAND PROGRAM GENERATED_H [RESTAT]: runs the four
# steps in $tmp/NAME, a copy of tests/integration.  RESTAT=no for CMake's
# Makefiles generator, which touches a custom command's second output
# (shelf.h) whenever the command runs, so a touched schema recompiles.
project() {
    name=$1 build=$2 prog=$3 gen_h=$4 restat=${5:-yes}
    dir=$tmp/$name
    cd "$dir" || return
    if sh -c "$build" > "$tmp/$name.log" 2>&1 && "$prog" > "$tmp/$name.out" && cmp -s "$tmp/$name.out" "$expected"; then ok; else
        bad "$name: build and run"; tail -20 "$tmp/$name.log"; cd "$top"; return; fi
    before=$(stamp "$prog")
    gen_before=$(stamp "$gen_h")
    sh -c "$build" > "$tmp/$name.log" 2>&1
    if [ "$(stamp "$prog")" = "$before" ] && [ "$(stamp "$gen_h")" = "$gen_before" ]; then ok; else
        bad "$name: a rebuild with nothing changed rebuilt something"; fi
    touch shelf.rel
    sh -c "$build" > "$tmp/$name.log" 2>&1
    if grep -q 'relc' "$tmp/$name.log"; then ok; else bad "$name: touching the schema did not run relc"; fi
    if [ "$restat" = no ] || [ "$(stamp "$prog")" = "$before" ]; then ok; else
        bad "$name: touching the schema (same content) relinked the program"; fi
    printf 'model Tag { name: string; }\n' >> shelf.rel
    if sh -c "$build" > "$tmp/$name.log" 2>&1 && grep -q 'Tag_new' "$gen_h" &&
       [ "$(stamp "$prog")" != "$before" ] && "$prog" | cmp -s - "$expected"; then ok; else
        bad "$name: editing the schema did not regenerate and rebuild"; tail -20 "$tmp/$name.log"; fi
    cd "$top" || exit 1
}
copy() { mkdir -p "$tmp/$1" && cp tests/integration/shelf.rel tests/integration/main.c "$tmp/$1/"; }

if command -v cmake > /dev/null 2>&1 && command -v ninja > /dev/null 2>&1; then
    for gen in Ninja "Unix Makefiles"; do
        name=cmake-$(echo "$gen" | tr 'A-Z ' 'a-z-')
        copy "$name"
        cp tests/integration/CMakeLists.txt tests/integration/main_prefixed.c "$tmp/$name/"
        restat=yes
        [ "$gen" = Ninja ] || restat=no
        project "$name" "cmake -S . -B out -G '$gen' -DCMAKE_PREFIX_PATH='$prefix' && cmake --build out" \
            out/shelf out/generated/shelf.h $restat
        if "$tmp/$name/out/shelf_prefixed" | cmp -s - "$expected"; then ok; else
            bad "$name: the program built with relc_generate(... PREFIX app_)"; fi
    done
else
    bad "cmake and ninja are needed (sh .ci/setup installs them)"
fi

copy make
sed "1i RELC_PREFIX = $prefix" tests/integration/Makefile.user > "$tmp/make/Makefile"
project make "make" ./shelf shelf.h

# pkg-config: the compiler's path and the runtime's flags; one command
# builds, so only the first step applies.
copy pkg-config
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
cd "$tmp/pkg-config" || exit 1
if relc_pc=$(pkg-config --variable=relc relc) && "$relc_pc" -o gen shelf.rel &&
   cc -std=c99 -Wall -Wextra -pedantic -Werror -Igen -o prog main.c gen/shelf.c $(pkg-config --cflags --libs relc) &&
   ./prog | cmp -s - "$expected"; then ok; else bad "pkg-config: build and run"; fi
cd "$top" || exit 1

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
