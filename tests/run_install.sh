#!/bin/sh
# relc installed and used the way users use it, from a prefix in a
# temporary directory: `make install` (and with DESTDIR, and uninstall), the
# man page against --help, a CMake project built with Ninja and with Unix
# Makefiles, a plain make project including relc.mk, and a program built
# with pkg-config.  Each project builds and runs; a rebuild with nothing
# changed rebuilds nothing; touching the schema runs relc once and changes
# nothing downstream, and the next build does nothing; a deleted output is
# made again; editing the schema regenerates and relinks.  make reads the
# dependency file of a schema in a directory named with ' $#:'.
set -u
# The projects' builds count relc's runs in what make echoes: a `make -s
# check` above must not make them silent.
unset MAKEFLAGS MFLAGS MAKELEVEL
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

# The sanitizer runtime: a program built with -fsanitize=address against
# librelc-runtime-asan.a that reads a deleted object's member through a
# dangling pointer is stopped by AddressSanitizer, naming the read; the
# same program reading a live object runs, and so does a getter of the
# deleted object (which answers "", as in a plain build).
mkdir -p "$tmp/asan"
cat > "$tmp/asan/shelf.rel" <<'REL'
schema shelf;
model Shelf { label: string; }
model Item { name: string; shelf: ForeignKey(Shelf, on_delete = CASCADE, related_name = "items"); }
REL
cat > "$tmp/asan/main.c" <<'C'
#include "shelf.h"
#include <stdio.h>
int main(int argc, char **argv)
{
    shelf_store *db = shelf_store_new();
    Shelf *s = Shelf_new(db);
    Item *it = Item_new(db, s);
    (void)argv;
    if (argc > 1)
        Shelf_delete(s);                  /* the item goes with it */
    printf("[%s]\n", Item_name(it));      /* a getter: "" when deleted */
    if (argc > 2)
        printf("%s\n", it->name);         /* a read through a dangling pointer when deleted */
    shelf_store_free(db);
    return 0;
}
C
if "$relc" -o "$tmp/asan" "$tmp/asan/shelf.rel" &&
   cc -std=c99 -g -fsanitize=address -I"$prefix/include/relc" -I"$tmp/asan" -o "$tmp/asan/prog" \
       "$tmp/asan/main.c" "$tmp/asan/shelf.c" "$prefix/lib/librelc-runtime-asan.a" > "$tmp/asan/build.log" 2>&1 &&
   "$tmp/asan/prog" > /dev/null 2>&1 &&
   [ "$("$tmp/asan/prog" deleted 2>&1)" = "[]" ] &&
   ! "$tmp/asan/prog" deleted member > "$tmp/asan/run.log" 2>&1 &&
   grep -q "use-after-poison" "$tmp/asan/run.log"; then ok; else
    bad "librelc-runtime-asan.a: a read of a deleted object is not reported"; cat "$tmp/asan/build.log" "$tmp/asan/run.log" 2>/dev/null | head -20; fi

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
# The runs of relc a build log shows: make echoes the command, which ends
# with the schema; CMake prints the custom command's comment, "relc shelf.rel".
relc_runs() { grep -c 'relc.* shelf\.rel$' "$1"; }

# project NAME BUILD_COMMAND PROGRAM GENERATED_H RUNS [REGENERATES]: the
# steps below in $tmp/NAME, a copy of tests/integration.  RUNS is how many
# times a touched schema must run relc (once per relc_generate).
# REGENERATES=no for CMake's Makefiles generator, which has no rule for a
# custom command's byproducts and so does not notice a deleted output.
project() {
    name=$1 build=$2 prog=$3 gen_h=$4 runs=$5 regenerates=${6:-yes}
    dir=$tmp/$name
    cd "$dir" || return
    if sh -c "$build" > "$tmp/$name.log" 2>&1 && "$prog" > "$tmp/$name.out" && cmp -s "$tmp/$name.out" "$expected"; then ok; else
        bad "$name: build and run"; tail -20 "$tmp/$name.log"; cd "$top"; return; fi
    before=$(stamp "$prog")
    gen_before=$(stamp "$gen_h")
    sh -c "$build" > "$tmp/$name.log" 2>&1
    if [ "$(stamp "$prog")" = "$before" ] && [ "$(stamp "$gen_h")" = "$gen_before" ] &&
       [ "$(relc_runs "$tmp/$name.log")" = 0 ]; then ok; else
        bad "$name: a rebuild with nothing changed rebuilt something"; fi
    # A touched schema runs relc exactly once and rebuilds nothing (the
    # outputs did not change); the build after that does nothing at all.
    touch shelf.rel
    sh -c "$build" > "$tmp/$name.log" 2>&1
    if [ "$(relc_runs "$tmp/$name.log")" = "$runs" ]; then ok; else
        bad "$name: touching the schema ran relc $(relc_runs "$tmp/$name.log") times, not $runs"; fi
    if [ "$(stamp "$prog")" = "$before" ] && [ "$(stamp "$gen_h")" = "$gen_before" ]; then ok; else
        bad "$name: touching the schema (same content) rebuilt the program"; fi
    sh -c "$build" > "$tmp/$name.log" 2>&1
    if [ "$(relc_runs "$tmp/$name.log")" = 0 ] && [ "$(stamp "$prog")" = "$before" ]; then ok; else
        bad "$name: the build after touching the schema ran relc again"; tail -5 "$tmp/$name.log"; fi
    if [ "$regenerates" = yes ]; then
        rm "$gen_h"
        if sh -c "$build" > "$tmp/$name.log" 2>&1 && [ -f "$gen_h" ] && "$prog" | cmp -s - "$expected"; then ok; else
            bad "$name: a deleted output was not made again"; tail -5 "$tmp/$name.log"; fi
        before=$(stamp "$prog")
    fi
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
        regenerates=yes
        [ "$gen" = Ninja ] || regenerates=no
        project "$name" "cmake -S . -B out -G '$gen' -DCMAKE_PREFIX_PATH='$prefix' && cmake --build out" \
            out/shelf out/generated/shelf.h 2 $regenerates
        if "$tmp/$name/out/shelf_prefixed" | cmp -s - "$expected"; then ok; else
            bad "$name: the program built with relc_generate(... PREFIX app_)"; fi
    done
else
    bad "cmake and ninja are needed (sh .ci/setup installs them)"
fi

copy make
sed "1i RELC_PREFIX = $prefix" tests/integration/Makefile.user > "$tmp/make/Makefile"
project make "make" ./shelf shelf.h 1

# Dependency files escape what make would misread: make reads one written
# for a directory named 'a b$c#d:e' (a space, '$', '#', ':') and wants
# relc run again exactly when that schema is newer than the stamp.
odd='a b$c#d:e'
mkdir -p "$tmp/depfile/$odd"
cp tests/integration/shelf.rel "$tmp/depfile/$odd/"
cd "$tmp/depfile" || exit 1
"$relc" -o "$odd" -M "$odd/shelf.d" --deptarget "$odd/shelf.stamp" "$odd/shelf.rel"
touch "$odd/shelf.stamp"
cp "$odd/shelf.d" dep.mk
printf 'include dep.mk\n%%.stamp:\n\t@echo run relc\n' > Makefile
make -q "$odd/shelf.stamp" > /dev/null 2>&1
up_to_date=$?
touch -d '2001-01-01' "$odd/shelf.stamp"
make -q "$odd/shelf.stamp" > /dev/null 2>&1
stale=$?
if [ "$up_to_date" = 0 ] && [ "$stale" = 1 ]; then ok; else
    bad "make misreads a dependency file for '$odd': $(cat dep.mk)"; make -q "$odd/shelf.stamp"; fi
cd "$top" || exit 1

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
