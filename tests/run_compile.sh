#!/bin/sh
# Every schema relc accepts becomes C that compiles cleanly, as C99 and as
# C++: proved on schemas nobody wrote by hand (tests/schemagen.c) and on
# every schema in the tree.
#
#   run_compile.sh BUILD_DIR [SEED...]
#
# For the default seed set (SCHEMAGEN_FIRST.., SCHEMAGEN_COUNT schemas;
# SCHEMAGEN_COUNT=0 skips it) and for each SEED given, BUILD_DIR/schemagen
# writes a schema; relc compiles it (every fifth seed also with --prefix p_,
# as its own unit).  Then, for the hand-written regressions tests/compile/*.rel
# and for every other .rel under tests/ and examples/ plus the fuzzer's
# tests/fuzz/regress/ inputs, the same.  For every schema relc accepts
# (exit 0):
#   (a) cc -std=c99 -pedantic -Wall -Wextra -Werror -fkeep-inline-functions -c
#   (b) cc -std=gnu99 -Wall -Wextra -Werror -c
#   (c) c++ -x c++ -Wall -Wextra -pedantic -Werror -c
#       (each with -Iruntime -I<the output directory>, as a user's build has)
#   (d) a second relc run writes byte-identical files
#   (e) relc --emit dot writes a diagram that dot -Tsvg accepts (when dot exists)
# Exit status 1 (relc's "the schema has errors") is a rejection, not a
# failure; any other non-zero status is a failure.  Failing inputs are kept
# under BUILD_DIR/compile-fail/ with the compilers' messages.  Jobs run two
# at a time (xargs -P2).  The last line is "N passed, M failed".
set -u

if [ "${1:-}" = --unit ]; then
    # ---- one unit: UNIT_ID SCHEMA PREFIX(0/1) -----------------------------
    id=$2 rel=$3 pfx=$4
    d=$WORK/u/$id
    rm -rf "$d"
    mkdir -p "$d/out" "$d/again" "$d/dot"
    popt=
    [ "$pfx" = 1 ] && popt="--prefix p_"
    res=$d/result
    # shellcheck disable=SC2086
    "$RELC" $popt -o "$d/out" "$rel" > "$d/relc.log" 2>&1
    st=$?
    if [ "$st" -eq 1 ]; then
        echo "rejected" > "$res"
        exit 0
    fi
    if [ "$st" -ne 0 ]; then
        echo "relc exit status $st" > "$d/relc.err"
        cat "$d/relc.log" >> "$d/relc.err"
        echo "accepted relc=fail" > "$res"
        exit 0
    fi
    verdict=accepted
    src=$(ls "$d/out"/*.c 2>/dev/null | head -1)
    if [ -z "$src" ]; then
        echo "relc exited 0 but wrote no .c file" > "$d/relc.err"
        echo "accepted relc=fail" > "$res"
        exit 0
    fi
    inc="-I$ROOT/runtime -I$d/out"
    # shellcheck disable=SC2086
    if ${CC:-cc} -std=c99 -pedantic -Wall -Wextra -Werror -fkeep-inline-functions $inc \
           -c "$src" -o "$d/c99.o" > "$d/c99.err" 2>&1; then
        verdict="$verdict c99=ok"; else verdict="$verdict c99=fail"; fi
    # shellcheck disable=SC2086
    if ${CC:-cc} -std=gnu99 -Wall -Wextra -Werror $inc \
           -c "$src" -o "$d/gnu99.o" > "$d/gnu99.err" 2>&1; then
        verdict="$verdict gnu99=ok"; else verdict="$verdict gnu99=fail"; fi
    # shellcheck disable=SC2086
    if ${CXX:-c++} -x c++ -Wall -Wextra -pedantic -Werror $inc \
           -c "$src" -o "$d/cxx.o" > "$d/cxx.err" 2>&1; then
        verdict="$verdict c++=ok"; else verdict="$verdict c++=fail"; fi
    rm -f "$d"/*.o
    # (d) the same bytes again
    # shellcheck disable=SC2086
    if "$RELC" $popt -o "$d/again" "$rel" > /dev/null 2>&1 \
       && [ "$(cd "$d/out" && ls)" = "$(cd "$d/again" && ls)" ] \
       && (cd "$d/out" && for f in *; do cmp -s "$f" "../again/$f" || exit 1; done); then
        verdict="$verdict same=ok"
    else
        verdict="$verdict same=fail"
        (cd "$d/out" && for f in *; do cmp "$f" "../again/$f"; done) > "$d/same.err" 2>&1
    fi
    # (e) the diagram
    if [ "$HAVE_DOT" = 1 ]; then
        # shellcheck disable=SC2086
        if "$RELC" --emit dot $popt -o "$d/dot" "$rel" > "$d/dot.err" 2>&1 \
           && dg=$(ls "$d"/dot/*.dot | head -1) && [ -n "$dg" ] \
           && dot -Tsvg "$dg" -o "$d/dot/diagram.svg" >> "$d/dot.err" 2>&1 \
           && grep -q '<svg' "$d/dot/diagram.svg"; then
            verdict="$verdict dot=ok"; else verdict="$verdict dot=fail"; fi
    fi
    echo "$verdict" > "$res"
    exit 0
fi

# ---- the driver -----------------------------------------------------------
[ $# -ge 1 ] || { echo "usage: run_compile.sh BUILD_DIR [SEED...]" >&2; exit 2; }
start=$(date +%s)
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd) || exit 2
shift
RELC=$B/relc
GEN=$B/schemagen
WORK=$B/compile
FAILDIR=$B/compile-fail
HAVE_DOT=0
command -v dot > /dev/null 2>&1 && HAVE_DOT=1
export ROOT RELC WORK HAVE_DOT
for t in "$RELC" "$GEN"; do
    [ -x "$t" ] || { echo "run_compile.sh: $t is missing (make $t)" >&2; exit 2; }
done
for s in "$@"; do
    case $s in ''|*[!0-9]*) echo "run_compile.sh: a seed is a number, not '$s'" >&2; exit 2;; esac
done
rm -rf "$WORK" "$FAILDIR"
mkdir -p "$WORK/gen" "$WORK/u" "$WORK/corpus" "$FAILDIR"

first=${SCHEMAGEN_FIRST:-1}
count=${SCHEMAGEN_COUNT:-150}
jobs=$WORK/jobs
: > "$jobs"
# Generated schemas: one unit each, and every fifth seed again with a prefix.
if [ "$count" -gt 0 ]; then
    "$GEN" "$first" "$count" "$WORK/gen" || exit 2
fi
for s in "$@"; do
    "$GEN" "$s" 1 "$WORK/gen" || exit 2
done
for f in "$WORK"/gen/g*.rel; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .rel)
    echo "gen:$n $f 0" >> "$jobs"
    [ $(( ${n#g} % 5 )) -eq 0 ] && echo "gen:$n-p $f 1" >> "$jobs"
done
# Hand-written regressions, then every other schema in the tree and the
# fuzzer's findings (copied under a name that is a usable schema name).
for f in "$ROOT"/tests/compile/*.rel; do
    [ -f "$f" ] && echo "compile:$(basename "$f" .rel) $f 0" >> "$jobs"
done
i=0
find "$ROOT/tests" "$ROOT/examples" -name '*.rel' ! -path "$ROOT/tests/compile/*" | sort |
while read -r f; do
    rel=${f#"$ROOT"/}
    echo "tree:$(printf '%s' "$rel" | tr '/' '_') $f 0"
done >> "$jobs"
if [ -d "$ROOT/tests/fuzz/regress" ]; then
    for f in "$ROOT"/tests/fuzz/regress/*; do
        [ -f "$f" ] || continue
        i=$((i + 1))
        cp "$f" "$WORK/corpus/regress_$i.rel"
        echo "tree:fuzz_regress_$(basename "$f") $WORK/corpus/regress_$i.rel 0" >> "$jobs"
    done
fi

# Unit ids become directory names: ':' is fine, '/' is not (tr'd above).
sed 's/^\([a-z]*\):/\1_/' "$jobs" > "$jobs.u"
xargs -P2 -L1 sh "$self" --unit < "$jobs.u"

# ---- the report -------------------------------------------------------------
passed=0
failed=0
report=$WORK/failures.txt
sums=$WORK/summary.txt
: > "$report"
: > "$sums"
summary() {    # GROUP LABEL: appends to $report and $sums, counts into passed/failed
    g=$1 label=$2
    gen=0 acc=0 rej=0 ok=0 bad=0
    while read -r id rel pfx; do
        gen=$((gen + 1))
        r=$(cat "$WORK/u/$id/result" 2>/dev/null || echo "accepted missing=fail")
        case $r in
        rejected) rej=$((rej + 1))
            # A hand-written regression is a valid schema: rejecting it fails.
            [ "$g" = compile ] || continue
            bad=$((bad + 1))
            mkdir -p "$FAILDIR/$id"
            cp "$rel" "$WORK/u/$id/relc.log" "$FAILDIR/$id/"
            { echo "FAIL: $id (relc rejected a hand-written regression schema)"
              echo "  schema: $rel"
              grep -m 4 'error' "$WORK/u/$id/relc.log" | cut -c1-300 | sed 's/^/    /'; } >> "$report"
            continue ;;
        esac
        acc=$((acc + 1))
        case $r in
        *=fail*) bad=$((bad + 1))
            d=$WORK/u/$id
            keep=$FAILDIR/$id
            mkdir -p "$keep"
            cp "$rel" "$keep/"
            cp "$d"/*.err "$d/relc.log" "$keep/" 2>/dev/null
            cp -r "$d/out" "$keep/out" 2>/dev/null
            {
                echo "FAIL: $id ($r)"
                popt=
                [ "$pfx" = 1 ] && popt=" --prefix p_"
                case $id in gen_*) s=${id#gen_g}; s=${s%-p}
                    echo "  seed $s$popt: $keep/$(basename "$rel")"
                    echo "  again: $GEN $s 1 DIR && $RELC$popt -o DIR DIR/g$s.rel" ;;
                *) echo "  schema: $rel (kept in $keep/)" ;;
                esac
                for k in relc c99 gnu99 cxx same dot; do
                    case $r in *"$( [ $k = cxx ] && echo c++ || echo $k)=fail"*)
                        echo "  $k:"
                        grep -m 4 -E 'error|Error|differ|status|wrote no' "$keep/$k.err" 2>/dev/null | cut -c1-300 | sed 's/^/    /'
                    ;; esac
                done
            } >> "$report" ;;
        *) ok=$((ok + 1)) ;;
        esac
    done < "$WORK/$g.list"
    echo "$label: $gen schemas, $acc accepted, $rej rejected, $ok compiled OK, $bad failed" >> "$sums"
    passed=$((passed + ok))
    failed=$((failed + bad))
}
for g in gen compile tree; do
    grep "^${g}_" "$jobs.u" > "$WORK/$g.list"
done
summary gen "generated (schemagen)"
summary compile "hand-written regressions (tests/compile)"
summary tree "tree schemas (tests/, examples/, tests/fuzz/regress/)"
cat "$report"
echo
cat "$sums"
# The first message of each failing check, with names and numbers blanked,
# most frequent first: a rough picture of the classes of failure.
if [ -s "$report" ]; then
    echo
    echo "first error of each failing check, numbers and names blanked (count, check, message):"
    for k in c99 gnu99 cxx dot relc same; do
        for e in "$FAILDIR"/*/"$k.err"; do
            [ -f "$e" ] && grep -m 1 -E 'error|Error|differ' "$e"
        done |
            sed -e 's/^[^ ]*:[0-9]*:[0-9]*: //' -e 's/^[^ ]*:[0-9]*: //' -e 's/^Error: [^ ]*: /Error: /' \
                -e "s/[‘'][^’']*[’']/‘X’/g" -e 's/[0-9][0-9]*/N/g' | sort | uniq -c |
            sed "s/^ *\([0-9]*\) /  \1  $k  /"
    done | sort -k1,1 -rn | head -30
fi
echo
echo "time: $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
