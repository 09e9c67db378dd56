#!/bin/sh
# Everything `make check` proves, after the build: the Check suites, the
# diagnostics snapshots, the generated code against its goldens (and
# compiled as C99 and as C++ with warnings as errors), and each example's
# output.  Usage: run_checks.sh BUILD_DIR "EXAMPLES"
set -u
b=$1
examples=$2
CXX=${CXX:-c++}
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

if "$b/test_front"; then ok; else bad "front-end Check suite"; fi
if "$b/test_api"; then ok; else bad "generated API Check suite"; fi
if "$b/test_api_cxx"; then ok; else bad "generated API Check suite built as C++"; fi
# Every function the generated api.h declares is called by test_api.c.
missing=$(grep -oE '[A-Za-z_]+\(' "$b/api/api.h" | tr -d '(' |
          grep -E '^(api_|[A-Z][A-Za-z0-9]*_[a-z])' | sort -u |
          while read -r fn; do grep -q "\<$fn\>" tests/test_api.c || printf ' %s' "$fn"; done)
if [ -z "$missing" ]; then ok; else bad "functions of api.h that tests/test_api.c never calls:$missing"; fi
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
# reverse function: code that calls one must not compile.
printf '#include "library.h"\nsize_t f(Author *a) { return Author_book_set_count(a); }\n' > "$b/ex/hidden.c"
if cc -std=c99 -Werror -Iruntime -I"$b/ex" -c "$b/ex/hidden.c" -o "$b/ex/hidden.o" 2>/dev/null; then
    bad "a '+'-hidden reverse accessor compiled"; else ok; fi
if $CXX -x c++ -Wall -Wextra -pedantic -Werror -Iruntime -c runtime/rel.c -o "$b/rel.cxx.o"; then ok; else
    bad "runtime as C++"; fi

# Every input the fuzzer ever found, replayed (under the sanitizers in
# `make SAN=1 check`), and the seed schemas with them.
if find tests/fuzz/regress tests/diag examples -type f \( -name '*.rel' -o -path '*/regress/*' \) -print0 2>/dev/null |
   xargs -0 "$b/fuzz-replay" > "$b/fuzz-replay.out" 2>&1; then ok; else
    bad "fuzz regression inputs"; cat "$b/fuzz-replay.out"; fi
# The benchmark program at a small N: the generated code, the hand-written
# version and SQLite must compute the same checksums.
if "$b/bench/bench" --books 20000 --check; then ok; else bad "benchmark checksums"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
