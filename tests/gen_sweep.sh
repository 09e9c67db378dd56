#!/bin/sh
# gen_sweep.sh HEADER: the table of every function of a relc-generated
# header, for tests/test_sweep.c.  Writes C to standard output.
#
# The header is read as the compiler reads it (preprocessed, with rel.h
# from runtime/), so its layout does not matter.  Every function it defines
# (static inline, as relc writes them all) whose name starts with the
# store's prefix or a model's becomes one row: its name, what it returns,
# each parameter's kind and model, and a thunk that calls it with
# arguments from an array.  A return or parameter type this script does not
# know stops it (status 1, saying which), so a new kind of function in the
# generated API cannot slip past the sweep; run_checks.sh checks besides
# that every function of the header is called in the output.
set -eu
h=$1
tmp=${TMPDIR:-/tmp}/gen_sweep.$$
trap 'rm -f "$tmp"' EXIT
${CC:-cc} -std=c99 -E -P -Iruntime "$h" | tr '\n' ' ' | sed -E 's/[[:space:]]+/ /g' > "$tmp"

# The store type: S_store, from the S_store_new that every header defines.
store=$(grep -oE 'static inline [A-Za-z_][A-Za-z0-9_]*_store \*[A-Za-z_][A-Za-z0-9_]*_store_new ?\(' "$tmp" |
        sed -E 's/.* \*([A-Za-z_][A-Za-z0-9_]*)_new ?\(/\1/' | head -1)
[ -n "$store" ] || { echo "gen_sweep.sh: no S_store_new in $h" >&2; exit 1; }
# The models: every `typedef struct M M;` but the store's and the runtime's.
models=$(grep -oE 'typedef struct ([A-Za-z_][A-Za-z0-9_]*) [A-Za-z_][A-Za-z0-9_]*;' "$tmp" |
         awk '$3 ";" == $4 { print $3 }' | grep -vE "^(rel_|$store\$)" | tr '\n' ' ')
[ -n "$models" ] || { echo "gen_sweep.sh: no model in $h" >&2; exit 1; }

grep -oE 'static inline [^;{}()]*\([^()]*\) ?\{' "$tmp" | awk -v store="$store" -v models="$models" '
function fail(msg) { print "gen_sweep.sh: " msg > "/dev/stderr"; bad = 1; exit 1 }
function trim(s) { gsub(/^ +| +$/, "", s); return s }
# A type: kind and model into K and M.
function classify(t, is_ret,    m) {
    t = trim(t); K = ""; M = ""
    gsub(/ \*/, "*", t); gsub(/\* /, "*", t)
    if (t == store "*" || t == "const " store "*") { K = "STORE"; return }
    if (t == "const char*") { K = "STRING"; return }
    if (t == "rel_cursor*" && !is_ret) { K = "CURSOR"; return }
    if (t == schema "_delete_result*" && !is_ret) { K = "RESULT"; return }
    if (t == "rel_delete_plan*" && !is_ret) { K = "PLAN"; return }
    if (t == "uint64_t") { K = "U64"; return }
    if (t == "size_t") { K = "SIZE"; return }
    if (t == "FILE*" && !is_ret) { K = "FILE"; return }
    if (t == "int" && !is_ret) { K = "INT"; return }
    # A GenericForeignKey: an object of any model it lists (ANY), the
    # untyped getter (an object, of no one model), which model (an int).
    if (t == "void*" && !is_ret) { K = "ANY"; return }
    if (is_ret && t == "void*") { K = "OBJ"; return }
    if (is_ret && t == "int") { K = "SIZE"; return }
    if (is_ret && (t == "rel_status")) { K = "STATUS"; return }
    if (is_ret && (t == "_Bool" || t == "bool")) { K = "BOOL"; return }
    if (is_ret && t == "rel_cursor") { K = "CURSOR"; return }
    if (is_ret && t == "void") { K = "VOID"; return }
    for (m in ismodel) {
        if (t == m "*" || t == "const " m "*") { K = "OBJ"; M = m; return }
        if (!is_ret && t == m "*const*") { K = "OBJS"; M = m; return }
        if (is_ret && t == m "List") { K = "LIST"; M = m; return }
    }
    fail("unknown " (is_ret ? "return" : "parameter") " type \"" t "\" in " name)
}
# The C expression for argument i of kind k (model m), from sweep_arg a[].
function argexpr(i, k, m) {
    if (k == "STORE") return "(" store " *)a[" i "].p"
    if (k == "OBJ") return "(" m " *)a[" i "].p"
    if (k == "ANY") return "a[" i "].p"
    if (k == "OBJS") return "(" m " *const *)a[" i "].p"
    if (k == "STRING") return "a[" i "].s"
    if (k == "CURSOR") return "(rel_cursor *)a[" i "].p"
    if (k == "RESULT") return "(" schema "_delete_result *)a[" i "].p"
    if (k == "PLAN") return "(rel_delete_plan *)a[" i "].p"
    if (k == "U64") return "a[" i "].u"
    if (k == "FILE") return "(FILE *)a[" i "].p"
    if (k == "INT") return "(int)a[" i "].u"
    return "(size_t)a[" i "].u"
}
BEGIN {
    n = split(models, ml, " ")
    for (i = 1; i <= n; i++) ismodel[ml[i]] = 1
    schema = substr(store, 1, length(store) - 6)
    prefix = "^(" schema "_store_"
    for (i = 1; i <= n; i++) prefix = prefix "|" ml[i] "_"
    prefix = prefix ")"
    nf = 0
}
{
    line = $0
    sub(/^static inline /, "", line); sub(/ ?\{$/, "", line)
    open = index(line, "(")
    head = trim(substr(line, 1, open - 1)); params = substr(line, open + 1)
    sub(/\)$/, "", params)
    match(head, /[A-Za-z_][A-Za-z0-9_]*$/)
    name = substr(head, RSTART); ret = substr(head, 1, RSTART - 1)
    if (name !~ prefix) next
    if (seen[name]++) fail(name " defined twice")
    classify(ret, 1); rk = K; rm = M
    np = 0; args = ""; desc = ""
    params = trim(params)
    if (params != "void") {
        c = split(params, pl, ",")
        for (j = 1; j <= c; j++) {
            p = trim(pl[j])
            match(p, /[A-Za-z_][A-Za-z0-9_]*$/)
            pname = substr(p, RSTART)
            classify(substr(p, 1, RSTART - 1), 0)
            args = args (np ? ", " : "") argexpr(np, K, M)
            desc = desc (np ? ", " : "") "{ SW_" K ", " (M == "" ? "NULL" : "\"" M "\"") ", \"" pname "\" }"
            np++
        }
    }
    if (np > 4) fail(name ": more than 4 parameters")
    call = name "(" args ")"
    if (rk == "STATUS") body = "r->status = " call ";"
    else if (rk == "OBJ" || rk == "STORE") body = "r->p = (void *)" call ";"
    else if (rk == "BOOL") body = "r->b = " call ";"
    else if (rk == "U64" || rk == "SIZE") body = "r->u = (uint64_t)" call ";"
    else if (rk == "STRING") body = "r->s = " call ";"
    else if (rk == "LIST") body = "{ " rm "List l_ = " call "; r->p = (void *)l_.items; r->u = l_.count; }"
    else if (rk == "CURSOR") body = "r->cursor = " call ";"
    else body = call ";"
    printf "static void sweep_call_%d(const sweep_arg *a, sweep_ret *r)\n{ (void)a; (void)r; %s }\n", nf, body
    row[nf] = "    { \"" name "\", SW_" rk ", " (rm == "" ? "NULL" : "\"" rm "\"") ", " np ", { " (desc == "" ? "{ 0, NULL, NULL }" : desc) " }, sweep_call_" nf " },"
    nf++
}
END {
    if (bad) exit 1
    if (nf == 0) fail("no function found")
    print ""
    print "static const sweep_fn sweep_fns[] = {"
    for (i = 0; i < nf; i++) print row[i]
    print "};"
    printf "#define SWEEP_NFNS %d\n", nf
}'
