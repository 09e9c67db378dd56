#!/bin/sh
# Instructions per operation of each implementation, counted by callgrind
# (deterministic, so it needs no quiet machine and no hardware counters):
# the bench (with BENCH_PHASES set) dumps callgrind's counts at the end of
# every timed phase, and
# this divides each phase's instructions by its number of operations.
#
#   bench/inst.sh BENCH [BOOKS]
#
# With CACHE=1 it also simulates the caches (callgrind --cache-sim) and
# adds each phase's L1 data misses (reads and writes) per operation.  The
# L1 is this machine's (48 KiB, 12 ways, 64-byte lines: a set is picked
# by address bits 6 to 11, which a page does not remap, so the simulated
# sets are the real ones); the simulated last level (2 MiB, 16 ways, like
# the L2) is indexed by virtual addresses where the real one is indexed
# by physical ones, so its counts are not printed.  No prefetcher is
# simulated: the counts compare two versions, they do not predict time.
# About 5 times slower.
set -eu
bench=$1
books=${2:-100000}
cache=${CACHE:-0}
sim=
if [ "$cache" = 1 ]; then
    sim="--cache-sim=yes --D1=49152,12,64 --I1=32768,8,64 --LL=2097152,16,64"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/relc-inst.XXXXXX")
trap 'rm -rf "$dir"' EXIT
for impl in generated hand; do
    # shellcheck disable=SC2086
    BENCH_PHASES=1 valgrind --tool=callgrind $sim --dump-instr=no --dump-line=no --compress-strings=no \
        --callgrind-out-file="$dir/$impl.%p" "$bench" --only "$impl" --books "$books" > "$dir/$impl.out" 2>/dev/null
    # One file per dump, in order; the summary line is the phase's count.
    for f in $(ls "$dir/$impl".* | grep -v '\.out$' | sort -V); do
        sed -n 's/^desc: Trigger: Client Request: //p; s/^summary: //p' "$f" | paste -sd' '
    done > "$dir/$impl.phases"
done
# (e) iterate's operations are the links left, which the bench prints.
links=$(sed -n 's/^m2m links iterated  *//p' "$dir/generated.out")
if [ "$cache" = 1 ]; then
    printf '| operation | generated inst/op | hand inst/op | generated/hand | generated L1 misses/op | hand L1 misses/op |\n'
    printf '|---|---:|---:|---:|---:|---:|\n'
else
    printf '| operation | generated inst/op | hand inst/op | generated/hand |\n|---|---:|---:|---:|\n'
fi
# A phase's line: its name, then callgrind's events (Ir alone, or Ir Dr
# Dw I1mr D1mr D1mw ILmr DLmr DLmw with the cache simulation).
awk -v books="$books" -v links="${links:-0}" -v cache="$cache" '
    FNR == 1 { file++ }
    {
        for (e = NF; e > 1 && $e ~ /^[0-9]+$/; e--) ;
        name = $1; for (j = 2; j <= e; j++) name = name " " $j
        count[file, name] = $(e + 1)
        miss[file, name] = (NF - e >= 6) ? $(e + 5) + $(e + 6) : 0
        if (file == 1) order[++k] = name
    }
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
            if (h > 0) printf "| %s | %.0f | %.0f | %.2f |", name, g, h, g / h
            else printf "| %s (generated only) | %.0f | - | - |", name, g
            if (cache == 1 && h > 0) printf " %.2f | %.2f |", miss[1, name] / per[name], miss[2, name] / per[name]
            else if (cache == 1) printf " %.2f | - |", miss[1, name] / per[name]
            printf "\n"
        }
    }' "$dir/generated.phases" "$dir/hand.phases"
