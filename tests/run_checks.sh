#!/bin/sh
# Everything `make check` proves, after the build: the Check suites, the
# diagnostics snapshots, the generated code against its goldens (and
# compiled as C99 and as C++ with warnings as errors), and each example's
# output.  Usage: run_checks.sh BUILD_DIR "EXAMPLES"
#        run_checks.sh BUILD_DIR --update-dot-goldens   (what `make golden`
#        runs: rewrites tests/golden/*.dot with the commands checked below)
set -u
b=$1
examples=$2
CXX=${CXX:-c++}
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The schemas whose `relc --emit dot` diagrams have goldens, as
# tests/golden/NAME.dot for NAME.rel.  emit_dot writes one into $b/dot and
# prints the file's path.
dot_schemas="examples/library/library.rel examples/company/company.rel examples/tagging/tagging.rel tests/diag/ok_dot_keywords.rel tests/through/th.rel"
emit_dot() {
    mkdir -p "$b/dot" && "$b/relc" --emit dot -o "$b/dot" "$1" &&
        printf '%s\n' "$b/dot/$(basename "$1" .rel).dot"
}
if [ "$examples" = --update-dot-goldens ]; then
    for rel in $dot_schemas; do
        out=$(emit_dot "$rel") && cp "$out" tests/golden/ || exit 1
    done
    exit 0
fi

# Names of functions that the C header $1 declares (function-like macros
# too) starting with one of the prefixes of the extended regex $2, that the
# C file $3 never calls.  Both are read as the compiler reads them, so their
# layout does not matter: the header preprocessed (the function-like macros
# it defines, and its declarations with its macros expanded), the caller
# with its comments removed and its string and character literals emptied
# (a name in a comment or a message is no call).  Fails, saying why, if
# either cannot be read or the header yields no name.
uncalled() {
    w=$b/uncalled
    mkdir -p "$w"
    cc -std=c99 -E -dD -Iruntime "$1" > "$w/decl.i" || { echo " (cannot preprocess $1)"; return 1; }
    cc -fpreprocessed -dD -E -P -x c "$3" > "$w/calls.i" || { echo " (cannot strip the comments of $3)"; return 1; }
    decl=$(sed -E '/^#[[:space:]]*define[[:space:]]+[A-Za-z_][A-Za-z0-9_]*([[:space:]]|$)/d' "$w/decl.i" |
           tr '\n' ' ' | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' | tr -d '( \t' |
           grep -E "^($2)" | LC_ALL=C sort -u)
    [ -n "$decl" ] || { echo " (no function found in $1)"; return 1; }
    sed -E "s/\"([^\"\\\\]|\\\\.)*\"|'([^'\\\\]|\\\\.)*'/\"\"/g" "$w/calls.i" | tr '\n' ' ' > "$w/calls.txt"
    for fn in $decl; do
        grep -qE "(^|[^A-Za-z0-9_])$fn[[:space:]]*\(" "$w/calls.txt" || printf ' %s' "$fn"
    done
}

if "$b/test_front"; then ok; else bad "front-end Check suite"; fi
if "$b/test_runtime"; then ok; else bad "runtime Check suite (hand-written descriptor)"; fi
if "$b/test_api"; then ok; else bad "generated API Check suite"; fi
if "$b/test_api_cxx"; then ok; else bad "generated API Check suite built as C++"; fi
if "$b/test_model"; then ok; else bad "randomized model-based test"; fi
# M_delete's short path for a parent of leaves against the collector.
if "$b/test_delete_one" > "$b/test_delete_one.out"; then ok; else
    bad "M_delete's short path (tests/test_delete_one.c)"; cat "$b/test_delete_one.out"; fi
if "$b/test_pool"; then ok; else bad "object pools and relink (tests/test_pool.c)"; fi
# The 32-bit references: round trips, numbers given back and run out,
# verify on corrupt references, two threads (tests/test_cref.c).
if "$b/test_cref"; then ok; else bad "32-bit references (tests/test_cref.c)"; fi
if [ -x "$b/test_cref_tsan" ]; then   # where the compiler has ThreadSanitizer
    if "$b/test_cref_tsan" --threads; then ok; else bad "test_cref's threads under ThreadSanitizer"; fi
fi
# The inline create and the free lists that deletes hand back.
if "$b/test_create_fast" > "$b/test_create_fast.out"; then ok; else
    bad "the inline create (tests/test_create_fast.c)"; cat "$b/test_create_fast.out"; fi
# Many-to-many relations through a model, with out of memory at every
# allocation of their calls (tests/test_through.c).
if "$b/test_through"; then ok; else bad "through models (tests/test_through.c)"; fi
# Unique fields, unique_together and to_field (tests/test_unique.c).
if "$b/test_unique"; then ok; else bad "unique constraints Check suite"; fi
if "$b/test_unique_cxx"; then ok; else bad "unique constraints Check suite built as C++"; fi
# Django's dumpdata and loaddata: the cases recorded from Django, messages,
# out of memory (tests/test_fixture.c).
if "$b/test_fixture"; then ok; else bad "fixtures (dumpdata and loaddata against Django)"; fi
# Every function the generated api.h declares is called by test_api.c: the
# schema's functions (api_...) and every model's (Model_..., the models of
# tests/api/api.rel).
api_models=$(sed -n 's/^[[:space:]]*model[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1_/p' tests/api/api.rel |
             paste -sd '|' -)
missing=$(uncalled "$b/api/api.h" "api_|$api_models" tests/test_api.c)
if [ $? -eq 0 ] && [ -z "$missing" ]; then ok; else
    bad "functions of api.h that tests/test_api.c never calls:$missing"; fi
# The same check on a header and a caller made for it, which it must fault:
# names with digits, a mention in a comment or a string is no call, a
# declaration split across lines, a function-like macro.
mkdir -p "$b/uncalled"
printf '%s\n' '#define T9_each(x) (x)' '#define T9_MAX (9)' 'int t9_store_new(void);' 'int T9_get2(int);' \
    'int T9_set_x1(int);' 'int' 'T9_count' '    (void);' 'int T9_in_string(void);' > "$b/uncalled/h.h"
printf '%s\n' '/* T9_get2(1) */' '// T9_set_x1(2)' "int q = '\"';" \
    'int f(void) { return t9_store_new() + T9_each(1) + T9_count() + 0 * (int)sizeof "T9_in_string() \" x"; }' \
    > "$b/uncalled/c.c"
missing=$(uncalled "$b/uncalled/h.h" "t9_|T9_" "$b/uncalled/c.c")
if [ "$missing" = " T9_get2 T9_in_string T9_set_x1" ]; then ok; else
    bad "the uncalled-function check reports '$missing', not ' T9_get2 T9_in_string T9_set_x1'"; fi
# Issue 11: the regressions (test_safety), the NULL-and-deleted-argument
# sweep over every function of api.h (test_sweep, whose table
# tests/gen_sweep.sh generates: every function of api.h must be called in
# it), and rel_foreach under -DREL_DEBUG, also compiled as C++.
if "$b/test_safety"; then ok; else bad "issue 11 regressions (tests/test_safety.c)"; fi
if "$b/test_sweep"; then ok; else bad "NULL-and-deleted-argument sweep (tests/test_sweep.c)"; fi
missing=$(uncalled "$b/api/api.h" "api_|$api_models" "$b/sweep/sweep_calls.h")
if [ $? -eq 0 ] && [ -z "$missing" ]; then ok; else
    bad "functions of api.h that the sweep's table never calls:$missing"; fi
if "$b/test_iter_debug"; then ok; else bad "rel_foreach under REL_DEBUG (tests/test_iter_debug.c)"; fi
# Generic relations (SPEC 9): get, set, delete rules, fixtures, out of memory.
if "$b/test_generic"; then ok; else bad "generic relations (tests/test_generic.c)"; fi
# Through models, unique fields and generic relations together
# (tests/test_combo.c).
if "$b/test_combo"; then ok; else bad "through, unique and generic together (tests/test_combo.c)"; fi
if $CXX -x c++ -fsyntax-only -Wall -Wextra -pedantic -Werror -DREL_DEBUG -Iruntime -I"$b/safety" tests/test_iter_debug.c
then ok; else bad "tests/test_iter_debug.c (rel_foreach under REL_DEBUG) as C++"; fi
if cc -std=c99 -Wall -Wextra -pedantic -Werror -Iruntime -c "$b/api/api.c" -o "$b/api/api.c99.o"; then ok; else
    bad "api.c as C99"; fi
if sh tests/run_diag.sh "$b/relc"; then ok; else bad "diagnostics snapshots"; fi

for ex in $examples; do
    for ext in h c; do
        if cmp -s "$b/ex/$ex.$ext" "tests/golden/$ex.$ext"; then ok; else
            bad "generated $ex.$ext differs from tests/golden/$ex.$ext (make golden after a deliberate change)"
            diff -u "tests/golden/$ex.$ext" "$b/ex/$ex.$ext" | head -30
        fi
    done
    if cc -std=c99 -Wall -Wextra -pedantic -Werror -Iruntime -c "$b/ex/$ex.c" -o "$b/ex/$ex.c99.o"; then ok; else
        bad "$ex.c as C99"; fi
    if $CXX -x c++ -Wall -Wextra -pedantic -Werror -Iruntime -c "$b/ex/$ex.c" -o "$b/ex/$ex.cxx.o"; then ok; else
        bad "$ex.c as C++"; fi
    if "$b/ex/$ex-prog" > "$b/ex/$ex.out" 2>&1 && cmp -s "$b/ex/$ex.out" "examples/$ex/expected.txt"; then ok; else
        bad "example $ex: output differs from examples/$ex/expected.txt"
        diff -u "examples/$ex/expected.txt" "$b/ex/$ex.out" | head -30
    fi
done
# related_name = "+" (Book.editor in the library example) generates no
# reverse function: code that calls one must not compile, as C and as C++,
# and for that reason (the function is not declared), while the same code
# calling the visible reverse accessor of Book.author (books) compiles.
for lang in c c++; do
    case $lang in c) comp="cc -std=c99" ;; *) comp="$CXX" ;; esac
    for fn in Author_books_count Author_book_set_count; do
        printf '#include "library.h"\nsize_t f(Author *a);\nsize_t f(Author *a) { return %s(a); }\n' "$fn" \
            > "$b/ex/hidden.c"
        LC_ALL=C $comp -x "$lang" -Wall -Wextra -pedantic -Werror -Iruntime -I"$b/ex" -c "$b/ex/hidden.c" \
            -o "$b/ex/hidden.o" > "$b/ex/hidden.err" 2>&1
        st=$?
        if [ "$fn" = Author_books_count ]; then
            if [ $st -eq 0 ]; then ok; else
                bad "as $lang, a call of the reverse accessor $fn does not compile:"; cat "$b/ex/hidden.err"; fi
        elif [ $st -eq 0 ]; then
            bad "as $lang, a call of the '+'-hidden reverse accessor $fn compiled"
        elif grep -F "$fn" "$b/ex/hidden.err" |
             grep -qiE 'implicit declaration|undeclared (function|identifier)|not declared'; then ok; else
            bad "as $lang, a call of the '+'-hidden $fn fails to compile, but not because it is undeclared:"
            cat "$b/ex/hidden.err"
        fi
    done
done
for src in runtime/rel.c runtime/rel_store.c runtime/rel_delete.c runtime/rel_verify.c runtime/rel_unique.c runtime/rel_json.c \
           runtime/rel_fixture.c runtime/rel_through.c runtime/rel_scrub.c runtime/rel_delete_one.c runtime/rel_m2m.c; do
    obj="$b/$(basename "$src" .c).cxx.o"
    if $CXX -x c++ -Wall -Wextra -pedantic -Werror -Iruntime -c "$src" -o "$obj"; then ok; else
        bad "$src as C++"; fi
done

# `relc --emit dot`: each diagram matches its snapshot, and Graphviz reads
# it without a word (no syntax error, no unknown port) with every model of
# the schema as a node and every relation as an edge.  (A model called Node
# or EDGE written bare would be a keyword: a syntax error, or worse, a
# default attribute statement that silently loses the model.)
for rel in $dot_schemas; do
    ex=$(basename "$rel" .rel)
    if out=$(emit_dot "$rel") && cmp -s "$out" "tests/golden/$ex.dot"; then ok; else
        bad "$ex.dot differs from tests/golden/$ex.dot (make golden after a deliberate change)"
        diff -u "tests/golden/$ex.dot" "$b/dot/$ex.dot" | head -20; fi
    if dot -Tsvg "$b/dot/$ex.dot" -o "$b/dot/$ex.svg" 2> "$b/dot/$ex.err" && [ ! -s "$b/dot/$ex.err" ] &&
       grep -q '<svg' "$b/dot/$ex.svg"; then ok; else
        bad "dot -Tsvg on $ex.dot"; cat "$b/dot/$ex.err"; fi
    nodes=$(dot -Tplain "$b/dot/$ex.dot" | awk '$1 == "node" { print $2 }' | tr -d '"' | LC_ALL=C sort | tr '\n' ' ')
    models=$(sed -n 's/^[[:space:]]*model[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$rel" |
             LC_ALL=C sort | tr '\n' ' ')
    edges=$(dot -Tplain "$b/dot/$ex.dot" | grep -c '^edge ')
    relations=$(grep -v '^[[:space:]]*//' "$rel" | grep -oE '(^|[^A-Za-z0-9_])(ForeignKey|OneToOneField|ManyToManyField)[[:space:]]*\(' |
                wc -l | tr -d ' ')
    # A GenericForeignKey is an edge to each model it lists (its arguments
    # before the first option).
    listed=$(grep -v '^[[:space:]]*//' "$rel" | grep -oE 'GenericForeignKey[[:space:]]*\([^)]*\)' |
             awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { if ($i ~ /=/) break; n++ } t += n } END { print t + 0 }')
    relations=$((relations + listed))
    if [ -n "$models" ] && [ "$nodes" = "$models" ] && [ "$edges" = "$relations" ]; then ok; else
        bad "$ex.dot as Graphviz reads it: nodes '$nodes' for models '$models', $edges edges for $relations relations"; fi
done
# The generated header refuses a runtime of another ABI version, saying so.
mkdir -p "$b/oldrt"
cp runtime/rel.h "$b/oldrt/"
printf '#define REL_ABI_VERSION 1\n' > "$b/oldrt/rel_version.h"
abi=$(sed -n 's/^#define REL_ABI_VERSION \([0-9]*\).*/\1/p' runtime/rel_version.h)
if cc -std=c99 -I"$b/oldrt" -I"$b/ex" -c "$b/ex/library.c" -o "$b/oldrt/library.o" 2> "$b/oldrt/err.txt"; then
    bad "generated code compiled against a runtime of ABI 1"
elif grep -q "library.h was generated by relc .* for runtime ABI $abi: regenerate it" "$b/oldrt/err.txt"; then ok; else
    bad "the version guard's message is missing:"; cat "$b/oldrt/err.txt"; fi
# relc --version names the runtime ABI that the guard checks.
if "$b/relc" --version | grep -q "(runtime ABI $abi)"; then ok; else bad "relc --version and rel_version.h disagree"; fi

# Every input the fuzzer ever found, replayed (under the sanitizers in
# `make SAN=1 check`), and the seed schemas with them.
if find tests/fuzz/regress tests/diag examples -type f \( -name '*.rel' -o -path '*/regress/*' \) -print0 2>/dev/null |
   xargs -0 "$b/fuzz-replay" > "$b/fuzz-replay.out" 2>&1; then ok; else
    bad "fuzz regression inputs"; cat "$b/fuzz-replay.out"; fi
# Every fixture the loaddata fuzzer ever found, and its seeds, replayed.
if "$b/fuzz-replay-loaddata" tests/fuzz/regress-loaddata/* tests/fuzz/seeds-loaddata/* \
       > "$b/fuzz-replay-loaddata.out" 2>&1; then ok; else
    bad "loaddata fuzz regression inputs"; cat "$b/fuzz-replay-loaddata.out"; fi
# The benchmark program at a small N: the generated code, the hand-written
# version and SQLite must compute the same checksums.
if "$b/bench/bench" --books 20000 --check; then ok; else bad "benchmark checksums"; fi
if "$b/bench/fixture-bench" --books 20000 --check; then ok; else bad "fixture benchmark: dump, load, dump"; fi
if "$b/bench/through-bench" --check > /dev/null; then ok; else bad "through benchmark: checksums and verify"; fi
if "$b/bench/unique-bench" --users 20000 --check; then ok; else bad "unique benchmark: generated and hand find the same users"; fi
if "$b/bench/generic-bench" --n 20000 --check; then ok; else bad "generic relations benchmark"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
