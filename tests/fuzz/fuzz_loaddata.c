/* fuzz_loaddata.c: loaddata under libFuzzer, on tests/fixtures/fx.rel (every
 * scalar type, every relation kind, self relations, a symmetrical set,
 * a cycle of required relations).
 *
 * Each input is loaded into a store that already holds objects of every
 * model (so that loads update, collide with one-to-one holders and refer
 * to what exists).  Whatever the input:
 *   - the store verifies afterwards;
 *   - a load that fails leaves the store exactly as it was (its whole
 *     fingerprint, tests/fixtures/fingerprint.h), and says where;
 *   - a load that succeeds gives a store whose dump loads into an empty
 *     store and dumps again to the same text.
 * An input that starts with '#' and a byte N fails the Nth allocation of
 * the load (N from 1), so every path that runs out of memory is fuzzed
 * too; the fixture is the rest.  Allocations over 64 MiB fail, so a pk of
 * a billion costs a failed allocation, not the machine's memory.
 *
 * Built two ways (see the Makefile): `make fuzz-loaddata` with libFuzzer,
 * and with replay_main.c for `make check`, which replays every input kept
 * in tests/fuzz/regress-loaddata/ and the seed fixtures.
 */
#include "fx.h"
#include "fingerprint.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long countdown;      /* fail the allocation that brings it to 0; 0: never */

static void *f_malloc(size_t n, void *ud)
{
    (void)ud;
    if (n > ((size_t)64 << 20) || (countdown && --countdown == 0))
        return NULL;
    return malloc(n);
}
static void *f_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (n > ((size_t)64 << 20) || (countdown && --countdown == 0))
        return NULL;
    return realloc(p, n);
}
static void f_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

/* What the store holds before each input. */
static const char base[] =
    "[{\"model\": \"fx.author\", \"pk\": 1, \"fields\": {\"name\": \"Ann\", \"born\": 1950}},"
    " {\"model\": \"fx.author\", \"pk\": 3, \"fields\": {\"name\": \"Bo\", \"flag\": true}},"
    " {\"model\": \"fx.book\", \"pk\": 1, \"fields\": {\"title\": \"One\", \"author\": 1, \"editor\": 3, \"tags\": [1, 2]}},"
    " {\"model\": \"fx.book\", \"pk\": 2, \"fields\": {\"title\": \"Two\", \"author\": 1, \"tags\": [2]}},"
    " {\"model\": \"fx.tag\", \"pk\": 1, \"fields\": {\"name\": \"a\"}},"
    " {\"model\": \"fx.tag\", \"pk\": 2, \"fields\": {\"name\": \"b\"}},"
    " {\"model\": \"fx.user\", \"pk\": 1, \"fields\": {\"name\": \"u\"}},"
    " {\"model\": \"fx.user\", \"pk\": 2, \"fields\": {\"name\": \"v\"}},"
    " {\"model\": \"fx.profile\", \"pk\": 1, \"fields\": {\"user\": 1, \"bio\": \"x\"}},"
    " {\"model\": \"fx.badge\", \"pk\": 1, \"fields\": {\"holder\": 2}},"
    " {\"model\": \"fx.person\", \"pk\": 1, \"fields\": {\"friends\": [2, 1], \"boss\": null, \"follows\": [2], \"partner\": 2}},"
    " {\"model\": \"fx.person\", \"pk\": 2, \"fields\": {\"friends\": [1], \"boss\": 1, \"follows\": [], \"partner\": null}},"
    " {\"model\": \"fx.egg\", \"pk\": 1, \"fields\": {\"hen\": 1}},"
    " {\"model\": \"fx.hen\", \"pk\": 1, \"fields\": {\"first\": 1}}]";

static char *dump(const fx_store *db, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f || fx_store_dumpdata(db, f, 0) != REL_OK)
        abort();
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rel_allocator al = { f_malloc, f_realloc, f_free, NULL };
    fx_store *db;
    char *before, *after;
    const char *text = (const char *)data;
    long fail_at = 0;
    rel_status st;

    rel_set_allocator(&al);
    if (size >= 2 && data[0] == '#') {
        fail_at = data[1] + 1;
        text += 2;
        size -= 2;
    }
    if (!(db = fx_store_new()) || fx_store_loaddata(db, base, sizeof base - 1, "base.json") != REL_OK)
        abort();
    before = fingerprint_store((const rel_store *)db);
    countdown = fail_at;
    st = fx_store_loaddata(db, text, size, "fuzz.json");
    countdown = 0;
    if (fx_store_verify(db) != REL_OK) {
        fprintf(stderr, "verify after loaddata (%d): %s\n", st, fx_store_errmsg(db));
        abort();
    }
    if (st != REL_OK) {
        after = fingerprint_store((const rel_store *)db);
        if (strcmp(before, after) != 0) {
            fprintf(stderr, "loaddata failed (%s) but changed the store\n", fx_store_errmsg(db));
            abort();
        }
        if (strncmp(fx_store_errmsg(db), "fuzz.json:", 10) != 0) {
            fprintf(stderr, "message without its place: %s\n", fx_store_errmsg(db));
            abort();
        }
        free(after);
    } else {
        size_t n1, n2;
        char *d1 = dump(db, &n1), *d2;
        fx_store *again = fx_store_new();
        if (!again || fx_store_loaddata(again, d1, n1, "dump.json") != REL_OK) {
            fprintf(stderr, "the dump does not load: %s\n", again ? fx_store_errmsg(again) : "");
            abort();
        }
        d2 = dump(again, &n2);
        if (n1 != n2 || memcmp(d1, d2, n1) != 0) {
            fprintf(stderr, "the dump loaded and dumped again differs\n");
            abort();
        }
        free(d1);
        free(d2);
        fx_store_free(again);
    }
    free(before);
    fx_store_free(db);
    rel_set_allocator(NULL);
    return 0;
}
