#!/bin/sh
# Diagnostics snapshots: each tests/diag/NAME.rel is checked with
# `relc --check` and its exit status and messages are compared with
# tests/diag/NAME.expected.  UPDATE=1 rewrites the expected files instead
# (review the diff like code).  Usage: run_diag.sh RELC
set -u
relc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/diag" || exit 2
pass=0
fail=0
for schema in *.rel; do
    name=${schema%.rel}
    actual=$( { "$relc" --check "$schema" 2>&1; echo "exit status: $?"; } )
    if [ "${UPDATE:-0}" = 1 ]; then
        printf '%s\n' "$actual" > "$name.expected"
        pass=$((pass + 1))
    elif [ -f "$name.expected" ] && [ "$actual" = "$(cat "$name.expected")" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: diagnostics of tests/diag/$schema differ from $name.expected:"
        printf '%s\n' "$actual" | diff -u "$name.expected" - | head -40
    fi
done
echo "diagnostics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
