#!/bin/sh
# The hostile-schema catalogue: inputs built to break a compiler.  Each
# must end with exit status 1 (the schema has errors) or 2 (it cannot be
# read), a diagnostic that says what is wrong, no output file touched (the
# earlier NAME.h, NAME.c and dependency file stay as they were, and no
# temporary file is left), and, for the ones that scale, time and memory
# linear in the input: ten times the input may cost at most 25 times the
# time (quadratic would be 100), measured as the best of three runs.
#
#   run_hostile.sh RELC
set -u
relc=$1
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: hostile: $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relc-hostile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out

# run NAME STATUS REGEX [FILE]: relc on FILE (default $tmp/hostile.rel).
run() {
    name=$1 want=$2 regex=$3 file=${4:-$tmp/hostile.rel}
    rm -rf "$out"
    mkdir -p "$out"
    for f in hostile.h hostile.c hostile.d; do echo "earlier $f" > "$out/$f"; done
    touch -d '2001-01-01' "$out"/*
    before=$(ls -lA --time-style=+%s.%N "$out")
    /usr/bin/time -f '%M' -o "$tmp/mem" "$relc" -o "$out" -M "$out/hostile.d" "$file" > "$tmp/stdout" 2> "$tmp/stderr"
    got=$?
    if [ "$got" != "$want" ]; then
        bad "$name: exit status $got, expected $want"; head -5 "$tmp/stderr"; return
    fi
    if ! grep -Eq "$regex" "$tmp/stderr"; then
        bad "$name: no diagnostic matching /$regex/:"; head -5 "$tmp/stderr"; return
    fi
    if [ "$(ls -lA --time-style=+%s.%N "$out")" != "$before" ]; then
        bad "$name: the output directory changed"; ls -lA "$out"; return
    fi
    ok
}

# best_time CMD...: the best wall time of three runs, in seconds.
best_time() {
    best=
    for _ in 1 2 3; do
        t0=$(date +%s%N)
        "$@" > /dev/null 2>&1
        t=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
        best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
    done
    echo "$best"
}

# linear NAME GENERATOR N: the generator (a shell function taking a count
# and writing $tmp/hostile.rel) at N and 10 N.
linear() {
    name=$1 gen=$2 n=$3
    "$gen" "$n"
    t1=$(best_time "$relc" --check "$tmp/hostile.rel")
    "$gen" $((n * 10))
    t10=$(best_time "$relc" --check "$tmp/hostile.rel")
    # A floor of 20 ms on the small run: below it, process start and timer
    # noise (not the algorithm) set the ratio.
    if awk -v a="$t1" -v b="$t10" 'BEGIN { if (a < 0.02) a = 0.02; exit !(b <= 25 * a) }'; then ok; else
        bad "$name: $n took ${t1}s but $((n * 10)) took ${t10}s: not linear"; fi
}

h=$tmp/hostile.rel
: > "$h";                                                  run "empty file" 1 'E102'
printf '// only\n/* comments */\n' > "$h";                  run "only comments" 1 'E102'
printf 'model A { x: string(default = "abc' > "$h";          run "unterminated string at end of file" 1 'unterminated string'
printf 'model A { x: int32; }\n/* never closed' > "$h";      run "unterminated comment at end of file" 1 'unterminated comment'
printf 'model A { x: int32; }\n/* never closed\n\n' > "$h";  run "unterminated comment over lines" 1 'unterminated comment'
printf 'model A\000B { x: int32; }\n' > "$h";               run "NUL byte" 1 'NUL'
printf 'model A { x: int32; } \377\376\n' > "$h";           run "invalid UTF-8" 1 'UTF-8'
printf 'model A { x: string(default = "\377"); }\n' > "$h"; run "invalid UTF-8 in a string" 1 'UTF-8'
printf 'model A { x: int32(default = 99999999999999999999999); y: int8(default = -129); }\n' > "$h"
run "integer literal that overflows" 1 'E115'
printf 'model A { x: string(max_length = 18446744073709551616); }\n' > "$h"
run "max_length that overflows" 1 'E115'

# Every keyword used as a name: relc's own, the type names, C's and C++'s.
{
    echo 'model schema { x: int32; }'
    echo 'model model { x: int32; }'
    for kw in self true false True False bool int32 string ForeignKey ManyToManyField CASCADE \
              int char struct return static inline restrict _Bool class template namespace delete new; do
        echo "model M_$kw { $kw: int32; }"
        echo "model $kw { x: int32; }"
    done
} > "$h"
run "every keyword used as a name" 1 'E120|E100'

awk 'BEGIN { printf "model "; for (i = 0; i < 1048576; i++) printf "A"; print " { x: int32; }" }' > "$h"
run "a 1 MiB identifier" 1 'name is 1048576 characters long'
if [ "$(wc -c < "$tmp/stderr")" -lt 4096 ]; then ok; else bad "a 1 MiB identifier: the diagnostic is $(wc -c < "$tmp/stderr") bytes"; fi

# A 100,000-line file of errors: 50 shown, the rest counted, memory small.
stray_lines() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) print "@ # $ model { ; }" }' > "$h"; }
stray_lines 100000
run "100,000 lines of errors" 1 'more errors'
if [ "$(wc -l < "$tmp/stderr")" -lt 400 ] && [ "$(tail -n 1 "$tmp/mem")" -lt 65536 ]; then ok; else
    bad "100,000 lines of errors: $(wc -l < "$tmp/stderr") lines of output, $(tail -n 1 "$tmp/mem") KiB"; fi
linear "lines of errors" stray_lines 20000
unknown_types() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "model M%d { x: nosuch; }\n", i }' > "$h"; }
unknown_types 100000
run "100,000 models with an unknown type each" 1 'more errors'
linear "models with errors" unknown_types 5000

# 100,000 models, the last a duplicate: every check runs, linearly.
models() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "model M%d { x: int32; peer: ForeignKey(M%d, on_delete = CASCADE, null = true); }\n", i, (i * 7) % n; print "model M0 { }" }' > "$h"; }
models 100000
run "100,000 models" 1 'E110'
linear "models" models 5000

# Models whose ForeignKeys to one model share a related_name: each clash
# (E304) is reported once, found by grouping accessors, not by comparing
# every pair (40,000 of them took 27 s, 113 times 4,000).
shared_related_name() { awk -v n="$1" 'BEGIN { print "model T { x: int32; }"; for (i = 0; i < n; i++) printf "model M%d { t: ForeignKey(T, on_delete = CASCADE, related_name = \"items\"); }\n", i }' > "$h"; }
shared_related_name 40000
run "40,000 models sharing one related_name" 1 'E304'
linear "models sharing one related_name" shared_related_name 4000

# Deep nesting: parentheses and comment openers.
parens() { awk -v n="$1" 'BEGIN { printf "model A { x: int32"; for (i = 0; i < n; i++) printf "("; print "; }" }' > "$h"; }
parens 100000
run "100,000 nested parentheses" 1 'brackets nested more than 64 deep'
linear "nested parentheses" parens 100000
awk 'BEGIN { printf "model A { x = "; for (i = 0; i < 100000; i++) printf "[("; print "; }" }' > "$h"
run "100,000 nested lists in a model option" 1 'brackets nested more than 64 deep'
comments() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "/* "; print "*/" }' > "$h"; }
comments 100000
run "100,000 comment openers" 1 'E102'
linear "comment openers" comments 100000

# CRLF line endings are accepted, with the columns right.
printf 'model A {\r\n    x: nosuch;\r\n}\r\n' > "$h"
run "CRLF line endings" 1 'hostile.rel:2:8: error: unknown type'

# Not a schema at all.
mkdir -p "$tmp/dir.rel"
run "a directory" 2 'is a directory' "$tmp/dir.rel"
mkfifo "$tmp/fifo.rel"
run "a FIFO" 2 'not a regular file' "$tmp/fifo.rel"
run "a missing file" 2 'cannot' "$tmp/missing.rel"
truncate -s 300M "$tmp/huge.rel"
run "a 300 MiB file" 2 'too large|larger' "$tmp/huge.rel"

echo "hostile: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
