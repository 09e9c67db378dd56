#!/bin/sh
# Diagnostics snapshots: each tests/diag/NAME.rel, and each example schema
# with a NAME.expected beside it, is checked with `relc --check`; its exit
# status and messages must equal NAME.expected.  UPDATE=1 rewrites the
# expected files instead (review the diff like code).
# Usage: run_diag.sh RELC
set -u
relc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
for schema in tests/diag/*.rel examples/*/*.rel; do
    dir=$(dirname "$schema")
    name=$(basename "$schema" .rel)
    expected="$dir/$name.expected"
    case $dir in tests/diag) ;; *) [ -f "$expected" ] || continue ;; esac
    actual=$(cd "$dir" && { "$relc" --check "$name.rel" 2>&1; echo "exit status: $?"; })
    if [ "${UPDATE:-0}" = 1 ]; then
        printf '%s\n' "$actual" > "$expected"
        pass=$((pass + 1))
    elif [ -f "$expected" ] && [ "$actual" = "$(cat "$expected")" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: diagnostics of $schema differ from $expected:"
        printf '%s\n' "$actual" | diff -u "$expected" - | head -40
    fi
done
echo "diagnostics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
