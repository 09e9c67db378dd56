/* test_pool.c: the object pools' regions (issue 15), with an aligned
 * allocation (rel_set_aligned_alloc) and without one.
 *
 * - The regions the aligned allocation is asked for: REL_REGION-aligned,
 *   small first (1 KiB doubling), then REL_REGION less the trim; each
 *   freed once by free_fn, nothing leaked.
 * - Out of memory in the aligned allocation: every create that needs a
 *   region fails with NULL and leaves the store as it was (verify, count),
 *   and the next create succeeds.
 * - Objects reach their store through the region mask, in every region
 *   (so every region is aligned), and cursors walk every object once.
 * - Slots too big to share a region (object size near or past
 *   REL_REGION): one slot a region, in both modes, which the mask finds.
 * - A relink (rel_fk_set) in either mode, and its failure paths; in the
 *   process's only store, and once there are two (rel_many_stores). */
#include "api.h"
#include "failing_alloc.h"
#include "checks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* failing_alloc.h's hooks (counting the live allocations), failing
 * every allocation from the fail_from-th on (0: none): a create retries
 * its slot on its generic path, so failing one allocation alone would not
 * make it fail. */
static long fail_from;

static bool failing(void) { return fail_from && ++allocs >= fail_from; }
static void *f_malloc(size_t n, void *ud) { return failing() ? NULL : t_malloc(n, ud); }
static void *f_realloc(void *p, size_t n, void *ud) { return failing() ? NULL : t_realloc(p, n, ud); }

/* The aligned allocation: counted with the others (live), failing at
 * fail_at like them, and recording what it was asked. */
enum { MAX_ASKED = 64 };
static size_t asked[MAX_ASKED];
static int nasked, misaligned;

static void *t_aligned(size_t alignment, size_t size, void *ud)
{
    void *p;
    (void)ud;
    if (nasked < MAX_ASKED)
        asked[nasked] = size;
    nasked++;
    if (alignment != REL_REGION)
        misaligned++;
    if (failing() || posix_memalign(&p, alignment, size))
        return NULL;
    live++;
    return p;
}

static void use_hooks(bool aligned)
{
    static const rel_allocator al = { f_malloc, f_realloc, t_free, NULL };
    rel_set_allocator(&al);
    rel_set_aligned_alloc(aligned ? t_aligned : NULL);
}

/* n Authors; every one in its store, by the mask; the cursor sees n. */
static void check_creates(bool aligned, int n)
{
    api_store *db;
    Author **a = (Author **)malloc((size_t)n * sizeof *a);
    int i, seen = 0, wrong = 0;
    use_hooks(aligned);
    live = 0;
    nasked = 0;
    db = api_store_new();
    CHECK(db != NULL && a != NULL);
    for (i = 0; i < n; i++)
        if (!(a[i] = Author_new(db)) || Author_store(a[i]) != db)
            wrong++;
    CHECK(wrong == 0);
    rel_forall(Author, x, Author_all(db))
        seen++;
    CHECK(seen == n);
    /* delete every other one, create as many again: the free list */
    for (i = 0; i < n; i += 2)
        CHECK(Author_delete(a[i]) == REL_OK);
    for (i = 0; i < n; i += 2)
        CHECK((a[i] = Author_new(db)) != NULL && Author_store(a[i]) == db);
    CHECK(api_store_verify(db) == REL_OK);
    CHECK(Author_count(db) == (size_t)n);
    if (aligned) {
        /* 1, 2, 4 ... 32 KiB, then REL_REGION less the trim */
        CHECK(nasked >= (n > 5000 ? 7 : 1) && misaligned == 0);
        for (i = 0; i < 6 && i < nasked; i++)
            CHECK(asked[i] == (size_t)1024 << i);
        for (i = 6; i < nasked && i < MAX_ASKED; i++)
            CHECK(asked[i] == REL_REGION - 128);
    } else {
        CHECK(nasked == 0);
    }
    api_store_free(db);
    CHECK(live == 0);
    free(a);
}

/* Every allocation of a run of creates failing in turn (and every one
 * after it): the create that meets it returns NULL, the store verifies
 * with the count it had; once memory is back the next create succeeds;
 * nothing leaks. */
static void check_oom(bool aligned, int n)
{
    long k;
    int failed = 0;
    for (k = 1; k < 400; k++) {
        api_store *db;
        int i, got = 0;
        use_hooks(aligned);
        live = 0;
        fail_from = 0;
        if (!(db = api_store_new()))
            break;
        allocs = 0;
        fail_from = k;
        for (i = 0; i < n; i++) {
            Author *x = Author_new(db);
            if (x) {
                got++;
                continue;
            }
            failed++;
            CHECK(Author_count(db) == (size_t)got);
            CHECK(api_store_verify(db) == REL_OK);
            break;
        }
        fail_from = 0;
        CHECK(Author_new(db) != NULL);
        CHECK(api_store_verify(db) == REL_OK);
        api_store_free(db);
        CHECK(live == 0);
        if (i == n)   /* the run made fewer than k allocations */
            break;
    }
    /* every allocation point of the run failed a create (at least the
     * first region's, and the one after it) */
    CHECK(failed == k - 1 && failed >= 2);
}

/* A pool of slots of `size` bytes, driven directly: each slot must be the
 * only one of its region when two do not fit, and find its region's
 * header by the mask. */
static void check_big_slots(bool aligned, size_t size)
{
    rel_pool p;
    void *o[5];
    int i;
    use_hooks(aligned);
    live = 0;
    rel_pool_init(&p, NULL, size, 0);
    for (i = 0; i < 5; i++) {
        o[i] = rel_pool_get(&p);
        CHECK(o[i] != NULL);
        if (!o[i])
            break;
        REL_TAG(o[i]) = (uint32_t)i + 1;
        if (REL_REGION_HEADER + 2 * size > REL_REGION - 128)   /* alone in its region */
            CHECK((char *)o[i] == (char *)rel_region_of(o[i]) + REL_REGION_HEADER);
        CHECK(rel_region_of(o[i])->model == p.model);
    }
    {
        rel_cursor c = rel_cursor_of(&p);
        int seen = 0;
        while (rel_cursor_next(&c))
            seen++;
        CHECK(seen == i);
    }
    rel_pool_free(&p);
    CHECK(live == 0);
}

/* Book_set_author: the fast path and each refusal, in either mode. */
static void check_relink(bool aligned)
{
    api_store *db, *other;
    Author *a, *b, *c;
    Book *k;
    use_hooks(aligned);
    live = 0;
    db = api_store_new();
    other = api_store_new();
    a = Author_new(db);
    b = Author_new(db);
    c = Author_new(other);
    k = Book_new(db, a);
    CHECK(k && Book_author(k) == a && Author_books(a).count == 1);
    CHECK(Book_set_author(k, a) == REL_OK && Author_books(a).count == 1);
    CHECK(Book_set_author(k, b) == REL_OK && Book_author(k) == b);
    CHECK(Author_books(a).count == 0 && Author_books(b).count == 1);
    CHECK(Book_set_author(k, NULL) == REL_ENULL && Book_author(k) == b);
    CHECK(Book_set_author(k, c) == REL_EINVAL && Book_author(k) == b);
    CHECK(Book_set_author(NULL, a) == REL_EINVAL);
    CHECK(Book_set_editor(k, a) == REL_OK && Author_edited(a).count == 1);
    CHECK(Book_set_editor(k, NULL) == REL_OK && Author_edited(a).count == 0 && !Book_editor(k));
    CHECK(Book_set_editor(k, NULL) == REL_OK);
    CHECK(Author_delete(a) == REL_OK);
    CHECK(Book_set_author(k, a) == REL_EINVAL && Book_author(k) == b);
    CHECK(api_store_verify(db) == REL_OK && api_store_verify(other) == REL_OK);
    /* out of memory growing b's list (full: 4 of 4): the book stays
     * with its author, and the message names it */
    {
        Author *d = Author_new(db);
        Book *m = Book_new(db, d);
        int i;
        for (i = 0; i < 3; i++)
            CHECK(Book_new(db, b) != NULL);
        CHECK(Author_books(b).count == 4 && ((rel_list *)(void *)((char *)b + offsetof(struct Author, books)))->cap == 4);
        allocs = 0;
        fail_from = 1;
        CHECK(Book_set_author(m, b) == REL_ENOMEM);
        fail_from = 0;
        CHECK(strstr(api_store_errmsg(db), "Book.author") != NULL);
        CHECK(Book_author(m) == d && Author_books(d).count == 1 && Author_books(b).count == 4);
        CHECK(api_store_verify(db) == REL_OK);
        CHECK(Book_set_author(m, b) == REL_OK && Author_books(b).count == 5 && Author_books(d).count == 0);
        CHECK(api_store_verify(db) == REL_OK);
    }
    api_store_free(db);
    api_store_free(other);
    CHECK(live == 0);
}

/* The first store of the process: its relinks do not compare stores
 * (rel_many_stores is still 0) and keep the store whole; a second store
 * turns the comparison on for good. */
static void check_one_store(void)
{
    api_store *db, *db2;
    Author *a, *b;
    Book *k;
    int i;
    CHECK(rel_many_stores == 0);
    db = api_store_new();
    a = Author_new(db);
    b = Author_new(db);
    k = Book_new(db, a);
    CHECK(rel_many_stores == 0);
    for (i = 0; i < 100; i++)
        CHECK(Book_set_author(k, i % 2 ? a : b) == REL_OK);
    CHECK(Book_author(k) == a && Author_books(a).count == 1 && Author_books(b).count == 0);
    CHECK(api_store_verify(db) == REL_OK);
    db2 = api_store_new();
    CHECK(rel_many_stores == 1);
    {
        Author *c = Author_new(db2);
        CHECK(Book_set_author(k, c) == REL_EINVAL && Book_author(k) == a);
        CHECK(strstr(api_store_errmsg(db), "another store") != NULL);
    }
    api_store_free(db2);
    CHECK(rel_many_stores == 1);   /* for good */
    api_store_free(db);
}

int main(void)
{
    int mode;
    check_one_store();
    for (mode = 0; mode < 2; mode++) {
        bool aligned = mode == 1;
        check_creates(aligned, 3);
        check_creates(aligned, 20000);   /* past the small regions, several full ones */
        check_oom(aligned, 3000);
        check_big_slots(aligned, 16);
        check_big_slots(aligned, REL_REGION - 64 - 8);   /* fits a region, alone */
        check_big_slots(aligned, REL_REGION - 56);       /* not a region with the header */
        check_big_slots(aligned, REL_REGION + 1000);
        check_relink(aligned);
    }
    rel_set_allocator(NULL);
    printf("test_pool: %d checks, %d failed\n", nchecks, nfailures);
    return nfailures != 0;
}
