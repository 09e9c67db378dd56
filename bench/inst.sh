#!/bin/sh
# Instructions per operation of each implementation, counted by callgrind
# (deterministic, so it needs no quiet machine and no hardware counters):
# the bench (with BENCH_PHASES set) dumps callgrind's counts at the end of
# every timed phase, and
# this divides each phase's instructions by its number of operations.
#
#   bench/inst.sh BENCH [BOOKS]
set -eu
bench=$1
books=${2:-100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/relc-inst.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# The operation counts of each phase, as the bench computes them.
ops() {
    awk -v b="$books" -v impl="$1" 'BEGIN {
        a = b / 10; s = b / 10; c = (b / 1000 > 10 ? b / 1000 : 10);
        printf "%d %d %d %d %d %d %d\n", a + b + s + c, b, b, b, s * 10, b, s * 5 }'
}
for impl in generated hand; do
    BENCH_PHASES=1 valgrind --tool=callgrind --dump-instr=no --dump-line=no --compress-strings=no \
        --callgrind-out-file="$dir/$impl.%p" "$bench" --only "$impl" --books "$books" > "$dir/$impl.out" 2>/dev/null
    # One file per dump, in order; the summary line is the phase's count.
    for f in $(ls "$dir/$impl".* | grep -v '\.out$' | sort -V); do
        sed -n 's/^desc: Trigger: Client Request: //p; s/^summary: //p' "$f" | paste -sd' '
    done > "$dir/$impl.phases"
done
# (e) iterate's operations are the links left, which the bench prints.
links=$(sed -n 's/^m2m links iterated  *//p' "$dir/generated.out")
printf '| operation | generated inst/op | hand inst/op | generated/hand |\n|---|---:|---:|---:|\n'
awk -v books="$books" -v links="${links:-0}" '
    FNR == 1 { file++ }
    { name = $0; sub(/ [0-9]+$/, "", name); n = $NF; count[file, name] = n; if (file == 1) order[++k] = name }
    END {
        a = books / 10; s = books / 10; c = (books / 1000 > 10 ? books / 1000 : 10)
        per["(a) create (per object)"] = a + books + s + c
        per["(b) reverse traversal (per book)"] = books
        per["(c) forward (per book)"] = books
        per["(d) relink (per book)"] = books
        per["(e) m2m add"] = s * 10
        per["(e) m2m contains"] = books
        per["(e) m2m remove"] = s * 5
        if (links > 0) per["(e) m2m iterate (per link)"] = links
        per["(f) cascade delete (per object)"] = a + books
        per["walk every Book (Book_all)"] = books
        per["find every Book by id (Book_get)"] = books
        for (i = 1; i <= k; i++) {
            name = order[i]
            if (!(name in per)) continue
            g = count[1, name] / per[name]; h = count[2, name] / per[name]
            if (h > 0) printf "| %s | %.0f | %.0f | %.2f |\n", name, g, h, g / h
            else printf "| %s (generated only) | %.0f | - | - |\n", name, g
        }
    }' "$dir/generated.phases" "$dir/hand.phases"
