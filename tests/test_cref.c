/* test_cref.c: the 32-bit references (rel_cref, "References." in
 * runtime/rel.h) that ForeignKey, OneToOneField and GenericForeignKey
 * members hold, and the pools' free lists with them.
 *
 * A region (64 KiB, aligned) gets a number from a table shared by the
 * whole process when its pool allocates it, and gives it back when the
 * pool frees it; a reference is number << 13 | offset-in-region / 8, and
 * decodes as rel_region_table[number] + reference * 8.  What this shows:
 *
 * 1. Round trip.  Every object, small (a 4-byte struct in a 16-byte slot)
 *    to bigger than a region (a Giant: 65616 bytes, a 128 KiB region), in
 *    the small first regions and in full ones, under each allocation
 *    (posix_memalign; the rel_set_allocator hooks, whose blocks hold
 *    several regions; the hooks with rel_set_aligned_alloc): its
 *    reference decodes to it, and every getter returns what its setter
 *    or constructor set, through deletes, reuse, relinks and a fixture
 *    round trip.  0 decodes to NULL.
 * 2. Numbers are given back.  More regions numbered than the table has
 *    numbers, a few hundred at a time; stores made, grown and freed in
 *    any order, with no new number to be had (rel_cref_limit), keep each
 *    other's references right.
 * 3. Running out.  With no number left, every call that needs a new
 *    region (M_new, a create through a reverse set, a constructor with
 *    required relations, a fixture load) fails as out of memory, changes
 *    nothing and leaks nothing, while calls that need none still work;
 *    once a store is freed, creates succeed, with the next ids.
 * 4. verify.  A reference with a number not issued, one to another
 *    store's or another model's region, one that falls inside an object,
 *    on a region's header, past the slots handed out or in a spare region
 *    is REL_ECORRUPT with a message, read without touching what it does
 *    not name; and a sound store whose region sits at address number <<
 *    16 (its table entry 0) is not reported.
 * 5. Two threads making, filling, checking and freeing stores at once.
 *
 * Usage: test_cref [--threads]: with --threads, part 5 alone (which
 * make check runs again built with ThreadSanitizer, where the compiler
 * has it). */
#include "cref.h"
#include "big.h"
#include "failing_alloc.h"
#include "fingerprint.h"
#include "checks.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* ---- allocations ------------------------------------------------------ */

/* The three ways a pool gets its regions. */
enum { PLAIN, HOOKS, ALIGNED, NMODES };
static const char *const mode_name[NMODES] = {
    "malloc and posix_memalign", "rel_set_allocator hooks: blocks of regions",
    "hooks and rel_set_aligned_alloc: a region each"
};

/* The aligned allocation of ALIGNED, counted in failing_alloc.h's live.
 * When place_at is set, the next region is mapped at that address instead
 * (check_region_at_its_number), and c_free unmaps it. */
static uintptr_t place_at;
static void *placed;
static size_t placed_len;

static void *t_aligned(size_t alignment, size_t size, void *ud)
{
    void *p = NULL;
    (void)ud;
#if defined(__linux__)
    if (place_at) {
        p = mmap((void *)place_at, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            p = NULL;
        } else if (p != (void *)place_at) {
            munmap(p, size);
            p = NULL;
        } else {
            placed = p;
            placed_len = size;
        }
        place_at = 0;
    }
#endif
    if (!p && posix_memalign(&p, alignment, size))
        return NULL;
    live++;
    return p;
}

/* A program's own allocator of regions (check_more_regions_than_numbers):
 * ARENA regions of one block, handed out and taken back from a stack, so
 * that numbering half a million regions costs the runtime's work alone. */
enum { ARENA = 512 };
static char *arena;
static uint32_t arena_free[ARENA], arena_nfree;

static void *arena_aligned(size_t alignment, size_t size, void *ud)
{
    (void)ud;
    if (alignment != REL_REGION || size > REL_REGION || arena_nfree == 0)
        return NULL;
    live++;
    return arena + (size_t)arena_free[--arena_nfree] * REL_REGION;
}

/* The hooks' free: a region of the arena back on its stack, the mapped
 * one unmapped, anything else to free(). */
static void c_free(void *p, void *ud)
{
    uintptr_t at = (uintptr_t)p, base = (uintptr_t)arena;
    if (arena && at >= base && at < base + (uintptr_t)ARENA * REL_REGION) {
        arena_free[arena_nfree++] = (uint32_t)((at - base) / REL_REGION);
        live--;
        return;
    }
#if defined(__linux__)
    if (p && p == placed) {
        munmap(p, placed_len);
        placed = NULL;
        live--;
        return;
    }
#endif
    t_free(p, ud);
}

static void use_mode(int mode)
{
    static const rel_allocator counted = { t_malloc, t_realloc, c_free, NULL };
    rel_set_allocator(mode == PLAIN ? NULL : &counted);
    if (mode == ALIGNED)
        rel_set_aligned_alloc(t_aligned);
    live = 0;
}

/* ---- references ------------------------------------------------------- */

/* Whether object o's reference is right: not 0, the number its region
 * was issued, its offset in the region in 8-byte units, and decoding to
 * o again. */
static bool round_trips(const void *o)
{
    rel_cref c = rel_cref_to(o);
    return c != 0 && rel_cref_issued(c) && rel_deref(c) == o
        && (c & ((1u << REL_CREF_SHIFT) - 1)) == ((uintptr_t)o & (REL_REGION - 1)) >> 3;
}

/* The number of o's region, of region r. */
static uint32_t number_of(const void *o) { return rel_cref_to(o) >> REL_CREF_SHIFT; }
static uint32_t region_number(const rel_region *r) { return (uint32_t)(((uintptr_t)r + r->to_ref) >> 16); }

static rel_store *raw(cref_store *db) { return (rel_store *)(void *)db; }
static rel_pool *pool_of(cref_store *db, int k) { return &raw(db)->models[k].pool; }

/* The whole state of a store: its fingerprint (every member, position
 * and list) and its dumpdata; free() it. */
static char *state_of(cref_store *db)
{
    char *fp = fingerprint_store(raw(db)), *dump = NULL, *both;
    size_t len = 0;
    FILE *f = open_memstream(&dump, &len);
    if (!f || cref_store_dumpdata(db, f, 0) != REL_OK)
        abort();
    fclose(f);
    if (!(both = (char *)malloc(strlen(fp) + len + 2)))
        abort();
    sprintf(both, "%s\n%s", fp, dump);
    free(fp);
    free(dump);
    return both;
}

/* ---- 1. round trip ---------------------------------------------------- */

enum { NA = 5000, NB = 20000, NR = 6000, NT = 6000, NS = 300, ND = 10000 };

/* What each object was given, by index: Book i's author is a[i % NA],
 * Review i's editor a[(7 * i) % NA] but every third NULL, Profile i's
 * author a[i] (for the first NA / 2), Tag i's target an Author, a Shelf
 * or nothing by i % 3. */
typedef struct world {
    cref_store *db;
    Author **a;
    Shelf **s;
    Book **b;
    Review **r;
    Profile **p;
    Tag **t;
    Dot **d;
} world;

static Author *editor_of(const world *w, size_t i) { return i % 3 ? w->a[(7 * i) % NA] : NULL; }

static void make_world(world *w)
{
    size_t i;
    bool ok = true;
    w->db = cref_store_new();
    w->a = (Author **)calloc(NA, sizeof *w->a);
    w->s = (Shelf **)calloc(NS, sizeof *w->s);
    w->b = (Book **)calloc(NB, sizeof *w->b);
    w->r = (Review **)calloc(NR, sizeof *w->r);
    w->p = (Profile **)calloc(NA / 2, sizeof *w->p);
    w->t = (Tag **)calloc(NT, sizeof *w->t);
    w->d = (Dot **)calloc(ND, sizeof *w->d);
    if (!w->db || !w->a || !w->s || !w->b || !w->r || !w->p || !w->t || !w->d)
        abort();
    for (i = 0; i < NA; i++)
        ok &= (w->a[i] = Author_new(w->db)) != NULL;
    for (i = 0; i < NS; i++)
        ok &= (w->s[i] = Shelf_new(w->db)) != NULL;
    /* half through the constructor, half through the author's books */
    for (i = 0; i < NB; i++) {
        w->b[i] = i % 2 ? Book_new(w->db, w->a[i % NA]) : Author_books_create(w->a[i % NA]);
        ok &= w->b[i] && Book_set_pages(w->b[i], (int32_t)i) == REL_OK;
    }
    for (i = 0; i < NR; i++)
        ok &= (w->r[i] = Review_new(w->db, w->a[i % NA])) && Review_set_editor(w->r[i], editor_of(w, i)) == REL_OK;
    for (i = 0; i < NA / 2; i++)
        ok &= (w->p[i] = Profile_new(w->db, w->a[i])) != NULL;
    for (i = 0; i < NT; i++) {
        ok &= (w->t[i] = Tag_new(w->db)) != NULL;
        if (i % 3 == 0)
            ok &= Tag_set_target_Author(w->t[i], w->a[i % NA]) == REL_OK;
        else if (i % 3 == 1)
            ok &= Tag_set_target_Shelf(w->t[i], w->s[i % NS]) == REL_OK;
    }
    for (i = 0; i < ND; i++)
        ok &= (w->d[i] = Dot_new(w->db)) != NULL;
    CHECK(ok);
}

static void free_world(world *w)
{
    cref_store_free(w->db);
    free(w->a);
    free(w->s);
    free(w->b);
    free(w->r);
    free(w->p);
    free(w->t);
    free(w->d);
}

/* Every object of w round trips, and every getter returns what was set. */
static void check_world(const world *w)
{
    size_t i, wrong_ref = 0, wrong_get = 0;
    for (i = 0; i < NA; i++)
        wrong_ref += !round_trips(w->a[i]);
    for (i = 0; i < NS; i++)
        wrong_ref += !round_trips(w->s[i]);
    for (i = 0; i < NB; i++) {
        wrong_ref += !round_trips(w->b[i]);
        wrong_get += Book_author(w->b[i]) != w->a[i % NA] || Book_pages(w->b[i]) != (int32_t)i;
    }
    for (i = 0; i < NR; i++) {
        wrong_ref += !round_trips(w->r[i]);
        wrong_get += Review_author(w->r[i]) != w->a[i % NA] || Review_editor(w->r[i]) != editor_of(w, i);
    }
    for (i = 0; i < NA / 2; i++) {
        wrong_ref += !round_trips(w->p[i]);
        wrong_get += Profile_author(w->p[i]) != w->a[i] || Author_profile(w->a[i]) != w->p[i];
    }
    for (i = 0; i < NT; i++) {
        const Tag *t = w->t[i];
        wrong_ref += !round_trips(t);
        if (i % 3 == 0)
            wrong_get += Tag_target_Author(t) != w->a[i % NA] || Tag_target(t) != (void *)w->a[i % NA]
                || Tag_target_model(t) != cref_Author_model || Tag_target_Shelf(t) != NULL;
        else if (i % 3 == 1)
            wrong_get += Tag_target_Shelf(t) != w->s[i % NS] || Tag_target_Author(t) != NULL;
        else
            wrong_get += Tag_target(t) != NULL || Tag_target_model(t) != -1;
    }
    for (i = 0; i < ND; i++)
        wrong_ref += !round_trips(w->d[i]);
    CHECK(wrong_ref == 0);
    CHECK(wrong_get == 0);
    CHECK(cref_store_verify(w->db) == REL_OK);
}

/* How many regions the objects of items[0..n) lie in (they are in
 * creation order, so a region's objects are together). */
static size_t regions_of(void *const *items, size_t n)
{
    size_t i, regions = 0;
    for (i = 0; i < n; i++)
        regions += i == 0 || rel_region_of(items[i]) != rel_region_of(items[i - 1]);
    return regions;
}

static void check_round_trip(int mode)
{
    world w;
    size_t i;
    use_mode(mode);
    make_world(&w);
    /* the sizes the references make */
    CHECK(sizeof(Book) == 16 && sizeof(Review) == 24 && sizeof(Profile) == 8 && sizeof(Dot) == 4);
    /* Books: in several regions (4092 a full one), the first ones small
     * with an aligned allocation (1 KiB: 60 Books) */
    CHECK(regions_of((void *const *)w.b, NB) >= (mode == HOOKS ? 5u : 10u));
    if (mode != HOOKS)
        CHECK(rel_region_of(w.b[60]) != rel_region_of(w.b[59]));
    check_world(&w);

    /* 0 is NULL both ways */
    CHECK(rel_deref(0) == NULL && rel_cref_of(NULL) == 0 && !rel_cref_issued(0));

    /* deletes: every third Book and Review; the slots come back through
     * the free lists (linked by references) in the order of the deletes,
     * holding new objects */
    {
        size_t moved = 0;
        void *old;
        for (i = 0; i < NB; i += 3)
            CHECK(Book_delete(w.b[i]) == REL_OK);
        for (i = 0; i < NB; i += 3) {
            old = w.b[i];
            w.b[i] = Book_new(w.db, w.a[i % NA]);
            CHECK(w.b[i] && Book_set_pages(w.b[i], (int32_t)i) == REL_OK);
            moved += (void *)w.b[i] != old;
        }
        for (i = 0; i < NR; i += 3)
            CHECK(Review_delete(w.r[i]) == REL_OK);
        for (i = 0; i < NR; i += 3) {
            old = w.r[i];
            w.r[i] = Author_reviews_create(w.a[i % NA]);
            CHECK(w.r[i] && Review_set_editor(w.r[i], editor_of(&w, i)) == REL_OK);
            moved += (void *)w.r[i] != old;
        }
        CHECK(moved == 0);
    }
    check_world(&w);

    /* relinks: every Book to the next author and back */
    {
        size_t wrong = 0;
        for (i = 0; i < NB; i++)
            wrong += Book_set_author(w.b[i], w.a[(i + 1) % NA]) != REL_OK || Book_author(w.b[i]) != w.a[(i + 1) % NA];
        for (i = 0; i < NB; i++)
            wrong += Book_set_author(w.b[i], w.a[i % NA]) != REL_OK;
        CHECK(wrong == 0);
    }
    check_world(&w);

    /* dumpdata, loaddata into a new store: the same store, its own
     * references right */
    {
        char *dump = NULL, *again = NULL;
        size_t len = 0, len2 = 0, wrong = 0;
        FILE *f = open_memstream(&dump, &len);
        cref_store *db2 = cref_store_new();
        CHECK(f && db2 && cref_store_dumpdata(w.db, f, 0) == REL_OK);
        fclose(f);
        CHECK(cref_store_loaddata(db2, dump, len, "round.json") == REL_OK);
        CHECK(cref_store_verify(db2) == REL_OK);
        f = open_memstream(&again, &len2);
        CHECK(f && cref_store_dumpdata(db2, f, 0) == REL_OK);
        fclose(f);
        CHECK(len == len2 && memcmp(dump, again, len) == 0);
        rel_forall(Book, x, Book_all(db2))
            wrong += !round_trips(x) || Author_store(Book_author(x)) != db2
                || Author_id(Book_author(x)) != Author_id(Book_author(Book_get(w.db, Book_id(x))));
        CHECK(wrong == 0 && Book_count(db2) == NB);
        free(dump);
        free(again);
        cref_store_free(db2);
    }
    free_world(&w);
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* Objects near and past a region's size (tests/cref/big.sh), and a few
 * small ones beside them. */
static void check_big_objects(int mode)
{
    enum { NW = 100, NH = 6, NG = 4 };
    big_store *db;
    Anchor *an[3];
    Wide *w[NW];
    Hulk *h[NH];
    Giant *g[NG];
    size_t i, wrong = 0;
    use_mode(mode);
    db = big_store_new();
    CHECK(db != NULL);
    CHECK(sizeof(Wide) == 2056 && sizeof(Hulk) == 65296 && sizeof(Giant) == 65616);
    for (i = 0; i < 3; i++)
        CHECK((an[i] = Anchor_new(db)) != NULL);
    for (i = 0; i < NW; i++)
        wrong += !(w[i] = Wide_new(db, an[i % 3])) || Wide_set_f254(w[i], (int64_t)i) != REL_OK;
    for (i = 0; i < NH; i++)
        wrong += !(h[i] = Anchor_hulks_create(an[i % 3])) || Hulk_set_f8159(h[i], -(int64_t)i) != REL_OK;
    for (i = 0; i < NG; i++)
        wrong += !(g[i] = Giant_new(db, an[i % 3])) || Giant_set_f8199(g[i], (int64_t)i * 3) != REL_OK;
    CHECK(wrong == 0);
    if (wrong)
        return;
    /* a Hulk and a Giant are alone in their regions, right after the
     * header: their references are their region's number << 13 | 8 */
    for (i = 0; i < NH; i++)
        wrong += (char *)h[i] != (char *)rel_region_of(h[i]) + REL_REGION_HEADER
            || rel_cref_to(h[i]) != (number_of(h[i]) << REL_CREF_SHIFT | REL_REGION_HEADER / 8);
    for (i = 0; i < NG; i++)
        wrong += (char *)g[i] != (char *)rel_region_of(g[i]) + REL_REGION_HEADER
            || rel_cref_to(g[i]) != (number_of(g[i]) << REL_CREF_SHIFT | REL_REGION_HEADER / 8);
    CHECK(wrong == 0);
    CHECK(regions_of((void *const *)w, NW) >= 4);   /* 31 Wides to a full region */
    for (i = 0; i < 3; i++)
        wrong += !round_trips(an[i]);
    for (i = 0; i < NW; i++)
        wrong += !round_trips(w[i]) || Wide_anchor(w[i]) != an[i % 3] || Wide_f254(w[i]) != (int64_t)i;
    for (i = 0; i < NH; i++)
        wrong += !round_trips(h[i]) || Hulk_anchor(h[i]) != an[i % 3] || Hulk_f8159(h[i]) != -(int64_t)i;
    for (i = 0; i < NG; i++)
        wrong += !round_trips(g[i]) || Giant_anchor(g[i]) != an[i % 3] || Giant_f8199(g[i]) != (int64_t)i * 3;
    CHECK(wrong == 0);
    /* a deleted Hulk's slot comes back (its free list linked by
     * reference), in the same region */
    {
        Hulk *old = h[2];
        CHECK(Hulk_delete(h[1]) == REL_OK && Hulk_delete(h[2]) == REL_OK);
        h[1] = Hulk_new(db, an[0]);
        h[2] = Hulk_new(db, an[1]);
        CHECK(h[1] && h[2] && h[2] == old && round_trips(h[2]) && Hulk_anchor(h[2]) == an[1]);
    }
    CHECK(big_store_verify(db) == REL_OK);
    big_store_free(db);
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* A pool driven directly, for each slot size from the smallest to three
 * regions: each slot's reference decodes to it; once the pool is freed,
 * its numbers are no longer issued. */
static void check_pool_sizes(int mode)
{
    static const size_t sizes[] = { 16, 24, 2056, REL_REGION - 64 - 8, REL_REGION - 56, REL_REGION + 1000,
                                    3 * REL_REGION };
    size_t s, i, got;
    use_mode(mode);
    for (s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        enum { N = 40 };
        rel_pool p;
        rel_cref refs[N];
        size_t wrong = 0, freed = 0;
        void *o;
        rel_pool_init(&p, NULL, sizes[s], 0);
        for (got = 0; got < N && (o = rel_pool_get(&p)) != NULL; got++) {
            REL_TAG(o) = (uint32_t)got + 1;
            refs[got] = rel_cref_to(o);
            wrong += !round_trips(o);
        }
        for (i = 0; i < got; i++)
            wrong += REL_CTAG(rel_deref(refs[i])) != i + 1;
        rel_pool_free(&p);
        for (i = 0; i < got; i++)
            freed += !rel_cref_issued(refs[i]);
        CHECK(got == N && wrong == 0 && freed == N);
    }
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* ---- 2. numbers are given back ---------------------------------------- */

/* The numbers of every region of store db's pools, taken and spare. */
static size_t numbers_of_store(cref_store *db, uint32_t *nums, size_t cap)
{
    size_t n = 0;
    int k;
    for (k = 0; k < cref_NMODELS; k++) {
        const rel_pool *p = pool_of(db, k);
        const rel_region *r;
        for (r = p->first; r; r = r->next)
            if (n < cap)
                nums[n++] = region_number(r);
        for (r = p->spare; r; r = r->next)
            if (n < cap)
                nums[n++] = region_number(r);
    }
    return n;
}

/* A store built to a rule, so that it can be checked without a record:
 * Book id j's author is Author id (j - 1) % na + 1, Tag id j's target
 * Author or Shelf id (j - 1) % na + 1 by j's parity. */
typedef struct ruled {
    cref_store *db;
    uint32_t na;
} ruled;

static bool ruled_grow(ruled *s, uint32_t books)
{
    uint32_t j;
    bool ok = true;
    for (j = 0; ok && j < books; j++) {
        uint32_t next = (uint32_t)Book_count(s->db) + 1;
        uint32_t tag = (uint32_t)Tag_count(s->db) + 1;
        Author *a = Author_get(s->db, (next - 1) % s->na + 1);
        Tag *t;
        ok = Book_new(s->db, a) != NULL;
        if (ok && j % 4 == 0) {
            ok = (t = Tag_new(s->db)) != NULL;
            if (ok && tag % 2)
                ok = Tag_set_target_Author(t, Author_get(s->db, (tag - 1) % s->na + 1)) == REL_OK;
            else if (ok)
                ok = Tag_set_target_Shelf(t, Shelf_get(s->db, (tag - 1) % s->na + 1)) == REL_OK;
        }
    }
    return ok;
}

static bool ruled_make(ruled *s, uint32_t na, uint32_t books)
{
    uint32_t i;
    bool ok;
    s->na = na;
    if (!(s->db = cref_store_new()))
        return false;
    for (i = 0, ok = true; ok && i < na; i++)
        ok = Author_new(s->db) && Shelf_new(s->db) && Dot_new(s->db);
    return ok && ruled_grow(s, books);
}

/* Whether every object of s round trips and points where the rule says. */
static bool ruled_right(ruled *s)
{
    size_t wrong = 0;
    rel_forall(Book, b, Book_all(s->db))
        wrong += !round_trips(b) || Author_id(Book_author(b)) != (Book_id(b) - 1) % s->na + 1
            || Author_store(Book_author(b)) != s->db;
    rel_forall(Tag, t, Tag_all(s->db)) {
        const void *x = Tag_target(t);
        wrong += !round_trips(t) || !x || !round_trips(x)
            || Tag_target_model(t) != (Tag_id(t) % 2 ? cref_Author_model : cref_Shelf_model)
            || (Tag_id(t) % 2 ? Author_id(Tag_target_Author(t)) : Shelf_id(Tag_target_Shelf(t)))
                   != (Tag_id(t) - 1) % s->na + 1;
    }
    rel_forall(Dot, d, Dot_all(s->db))
        wrong += !round_trips(d);
    return wrong == 0 && cref_store_verify(s->db) == REL_OK;
}

/* More regions numbered than the table has numbers: a pool of slots a
 * region each (one number each) takes 512 regions of an arena and frees
 * them, 1025 times.  The number freed last is the next one issued. */
static void check_more_regions_than_numbers(void)
{
    rel_pool p;
    uint32_t round, i, failed = 0, n;
    void *o;
    use_mode(HOOKS);
    if (posix_memalign((void **)&arena, REL_REGION, (size_t)ARENA * REL_REGION))
        abort();
    for (i = 0; i < ARENA; i++)
        arena_free[arena_nfree++] = i;
    rel_set_aligned_alloc(arena_aligned);
    rel_pool_init(&p, NULL, REL_REGION - REL_REGION_HEADER - 8, 0);
    for (round = 0; round * ARENA <= REL_CREF_REGIONS; round++) {
        for (i = 0; i < ARENA; i++)
            failed += (o = rel_pool_get(&p)) == NULL || !round_trips(o);
        CHECK(rel_pool_get(&p) == NULL);   /* the arena is all used */
        rel_pool_free(&p);
    }
    CHECK(failed == 0 && round * ARENA > REL_CREF_REGIONS);
    o = rel_pool_get(&p);
    n = number_of(o);
    rel_pool_free(&p);
    CHECK((o = rel_pool_get(&p)) != NULL && number_of(o) == n);
    rel_pool_free(&p);
    CHECK(live == 0 && arena_nfree == ARENA);
    free(arena);
    arena = NULL;
    arena_nfree = 0;
}

/* Stores A, B, C; B freed; D made like B takes B's numbers (the last
 * given back are the first issued again), as many as it numbers (with
 * blocks of regions, a block's tail may make that a few more or fewer),
 * and A's and C's references still decode. */
static void check_reuse_in_order(int mode)
{
    enum { CAP = 256 };
    ruled a, b, c, d;
    uint32_t nb[CAP], nd[CAP];
    size_t i, j, kb, kd, shared = 0;
    use_mode(mode);
    CHECK(ruled_make(&a, 50, 9000) && ruled_make(&b, 70, 12000) && ruled_make(&c, 30, 5000));
    kb = numbers_of_store(b.db, nb, CAP);
    cref_store_free(b.db);
    CHECK(ruled_right(&a) && ruled_right(&c));
    CHECK(ruled_make(&d, 70, 12000));
    kd = numbers_of_store(d.db, nd, CAP);
    for (i = 0; i < kd; i++) {
        for (j = 0; j < kb && nb[j] != nd[i]; j++)
            ;
        shared += j < kb;
    }
    CHECK(kb > 7 && shared == (kd < kb ? kd : kb));
    CHECK(ruled_right(&a) && ruled_right(&c) && ruled_right(&d));
    cref_store_free(a.db);
    CHECK(ruled_right(&c) && ruled_right(&d));
    cref_store_free(d.db);
    CHECK(ruled_right(&c));
    cref_store_free(c.db);
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* Wide free-list links (the next slot's address, in 8 bytes no getter
 * reads): a Dot (its tag alone) and a Profile (its tag and a
 * OneToOneField's reference) have them.  Dots deleted one at a time
 * (rel_pool_put) and Profiles retired by their authors' cascades (the
 * collector's chain) come back first in, first out, and verify walks the
 * lists between. */
static void check_wide_links(int mode)
{
    enum { N = 40 };
    cref_store *db;
    Dot *dots[N];
    Author *authors[N];
    void *profiles[N];
    size_t i;
    use_mode(mode);
    db = cref_store_new();
    CHECK(db != NULL);
    if (!db)
        return;
    CHECK(((rel_store *)db)->models[cref_Dot_model].pool.wide && ((rel_store *)db)->models[cref_Profile_model].pool.wide);
    for (i = 0; i < N; i++) {
        dots[i] = Dot_new(db);
        authors[i] = Author_new(db);
        profiles[i] = Profile_new(db, authors[i]);
        CHECK(dots[i] && authors[i] && profiles[i]);
    }
    for (i = 0; i < N; i += 2) {   /* every other one, oldest first */
        CHECK(Dot_delete(dots[i]) == REL_OK);
        CHECK(Author_delete(authors[i]) == REL_OK);   /* cascades to its Profile */
    }
    CHECK(cref_store_verify(db) == REL_OK);
    for (i = 0; i < N; i += 2) {   /* the same slots, in the order they went */
        Author *a = Author_new(db);
        CHECK(Dot_new(db) == dots[i]);
        CHECK(a && Profile_new(db, a) == profiles[i]);
    }
    CHECK(Dot_count(db) == N && Profile_count(db) == N && cref_store_verify(db) == REL_OK);
    cref_store_free(db);
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* A small deterministic generator (xorshift). */
static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(uint32_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state % n;
}

/* Up to 6 stores made, grown and freed in a random order, 2000 steps,
 * with no new number issued (rel_cref_limit 1): only numbers given back
 * are there to take, some hundreds, while the run numbers thousands of
 * regions.  After each step the store it touched is right, and after a
 * free every other. */
static void check_random_order(int mode)
{
    enum { LIVE = 6, STEPS = 2000 };
    ruled s[LIVE];
    int step, i, wrong = 0, made = 0;
    use_mode(mode);
    memset(s, 0, sizeof s);
    rel_cref_limit = 1;
    for (step = 0; step < STEPS; step++) {
        i = (int)rnd(LIVE);
        if (!s[i].db) {
            wrong += !ruled_make(&s[i], 1 + rnd(40), rnd(800)) || !ruled_right(&s[i]);
            made++;
        } else if (rnd(3) == 0) {
            cref_store_free(s[i].db);
            s[i].db = NULL;
            for (i = 0; i < LIVE; i++)
                wrong += s[i].db && !ruled_right(&s[i]);
        } else {
            wrong += !ruled_grow(&s[i], rnd(600)) || !ruled_right(&s[i]);
        }
    }
    rel_cref_limit = REL_CREF_REGIONS;
    CHECK(wrong == 0 && made > 300);
    for (i = 0; i < LIVE; i++)
        cref_store_free(s[i].db);
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* ---- 3. running out --------------------------------------------------- */

/* Runs the table out of numbers: none issued new (rel_cref_limit 1), and
 * each one given back taken by a pool of region-sized slots (one number
 * a slot, whatever the allocation).  give_numbers_back frees them. */
static rel_pool hog;

static size_t take_every_number(void)
{
    size_t n = 0;
    rel_cref_limit = 1;
    rel_pool_init(&hog, NULL, REL_REGION, 0);
    while (rel_pool_get(&hog))
        n++;
    return n;
}

static void give_numbers_back(void)
{
    rel_pool_free(&hog);
    rel_cref_limit = REL_CREF_REGIONS;
}

/* Whether model k's pool has a slot for the next create without a new
 * region: a free one, one left in its newest region, a spare region. */
static bool room(cref_store *db, int k)
{
    const rel_pool *p = pool_of(db, k);
    return p->free_head || p->spare || (p->last && p->next < p->last->end);
}

/* The calls that need a slot, on store xdb. */
static cref_store *xdb;
static Author *xa, *xb;
static uint32_t xauthor;   /* the next author without a profile */

static bool do_dot(void) { return Dot_new(xdb) != NULL; }
static bool do_books_create(void) { return Author_books_create(xa) != NULL; }
static bool do_book_new(void) { return Book_new(xdb, xa) != NULL; }
static bool do_edited_create(void) { return Author_edited_create(xa, xb) != NULL; }
static bool do_profile_new(void)
{
    Author *a = Author_get(xdb, xauthor);
    if (!a || !Profile_new(xdb, a))
        return false;
    xauthor++;
    return true;
}
static bool do_tags_create(void) { return Author_tags_create(xb) != NULL; }
static rel_status load_status;
static bool do_loaddata(void)
{
    char text[160];
    int n = snprintf(text, sizeof text, "[{\"model\": \"cref.book\", \"pk\": %u, \"fields\": {\"author\": 1, \"pages\": 7}}]",
                     (unsigned)raw(xdb)->models[cref_Book_model].last_id + 1);
    load_status = cref_store_loaddata(xdb, text, (size_t)n, "one.json");
    return load_status == REL_OK;
}

typedef struct slot_call {
    const char *name;
    bool (*call)(void);
    int model;
} slot_call;

/* With no number left: call fills model k's pool to its last slot, then
 * fails as out of memory, the store as it was, nothing leaked. */
static void check_fails_when_out(const slot_call *c, int mode)
{
    char *before, *after;
    long live_before;
    uint32_t n = 0, last_id;
    (void)mode;
    bool ok = true;
    while (ok && room(xdb, c->model) && n++ < 100000)
        ok = c->call();
    CHECK(ok && !room(xdb, c->model));
    before = state_of(xdb);
    last_id = raw(xdb)->models[c->model].last_id;
    live_before = live;
    CHECK(!c->call());
    if (c->call == do_loaddata)
        CHECK(load_status == REL_ENOMEM);
    if (!strstr(cref_store_errmsg(xdb), "out of memory"))
        fprintf(stderr, "%s (%s): errmsg \"%s\"\n", c->name, mode_name[mode], cref_store_errmsg(xdb));
    CHECK(strstr(cref_store_errmsg(xdb), "out of memory") != NULL);
    after = state_of(xdb);
    CHECK(strcmp(before, after) == 0);
    CHECK(raw(xdb)->models[c->model].last_id == last_id);
    CHECK(cref_store_verify(xdb) == REL_OK);
    /* The same call again: nothing more allocated.  (The first may have
     * grown a target's list, which the store keeps, as after any failed
     * create.) */
    live_before = live;
    CHECK(!c->call() && live == live_before);
    free(after);
    after = state_of(xdb);
    CHECK(strcmp(before, after) == 0);
    free(before);
    free(after);
}

static void check_run_out(int mode)
{
    static const slot_call calls[] = {
        { "Dot_new", do_dot, cref_Dot_model },
        { "Author_books_create", do_books_create, cref_Book_model },
        { "Book_new", do_book_new, cref_Book_model },
        { "Author_edited_create", do_edited_create, cref_Review_model },
        { "Profile_new", do_profile_new, cref_Profile_model },
        { "Author_tags_create", do_tags_create, cref_Tag_model },
        { "loaddata", do_loaddata, cref_Book_model },
    };
    size_t i, taken;
    uint32_t last[cref_NMODELS];
    cref_store *empty, *other;
    use_mode(mode);
    /* another store, whose regions come back when it is freed */
    other = cref_store_new();
    for (i = 0; i < 60000 && Dot_new(other); i++)
        ;
    CHECK(i == 60000);
    xdb = cref_store_new();
    for (i = 0; i < 20; i++)
        CHECK(Author_new(xdb) != NULL);
    xa = Author_get(xdb, 1);
    xb = Author_get(xdb, 2);
    xauthor = 1;
    CHECK(Book_new(xdb, xa) && Dot_new(xdb));

    taken = take_every_number();
    CHECK(taken > 0);
    /* a new store costs no number; its first object needs one */
    CHECK((empty = cref_store_new()) != NULL && Dot_new(empty) == NULL);
    CHECK(strstr(cref_store_errmsg(empty), "out of memory") != NULL && Dot_count(empty) == 0);
    cref_store_free(empty);
    for (i = 0; i < sizeof calls / sizeof *calls; i++)
        check_fails_when_out(&calls[i], mode);
    /* what needs no new slot still works: a relink, a load that changes
     * an existing object */
    {
        Book *b = Book_get(xdb, 1);
        static const char edit[] = "[{\"model\": \"cref.book\", \"pk\": 1, \"fields\": {\"author\": 2, \"pages\": 3}}]";
        CHECK(Book_set_author(b, xb) == REL_OK && Book_author(b) == xb);
        CHECK(cref_store_loaddata(xdb, edit, sizeof edit - 1, "edit.json") == REL_OK);
        CHECK(Book_author(b) == xb && Book_pages(b) == 3);
    }
    for (i = 0; i < cref_NMODELS; i++)
        last[i] = raw(xdb)->models[i].last_id;

    /* the other store freed, its numbers back (and still no new one):
     * each call succeeds, with the next id */
    cref_store_free(other);
    for (i = 0; i < sizeof calls / sizeof *calls; i++) {
        int k = calls[i].model;
        CHECK(calls[i].call());
        CHECK(raw(xdb)->models[k].last_id == ++last[k]);
    }
    CHECK(cref_store_verify(xdb) == REL_OK);
    give_numbers_back();
    cref_store_free(xdb);
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* ---- 4. verify -------------------------------------------------------- */

/* verify on db with *member set to c: REL_ECORRUPT, the message holding
 * `says`; then the member back, and verify clean. */
static void corrupt_with(cref_store *db, rel_cref *member, rel_cref c, const char *says)
{
    rel_cref saved = *member;
    *member = c;
    CHECK(cref_store_verify(db) == REL_ECORRUPT);
    if (!strstr(cref_store_errmsg(db), says))
        fprintf(stderr, "verify said \"%s\", not \"...%s...\"\n", cref_store_errmsg(db), says);
    CHECK(strstr(cref_store_errmsg(db), says) != NULL);
    *member = saved;
    CHECK(cref_store_verify(db) == REL_OK);
}

/* verify on db: REL_ECORRUPT saying `says`; with the hooks ours, once
 * more with verify's one allocation (its array of the store's regions)
 * failing, where it walks each model's regions instead. */
static void expect_corrupt(cref_store *db, int mode, const char *says)
{
    int pass;
    for (pass = 0; pass < (mode == PLAIN ? 1 : 2); pass++) {
        allocs = 0;
        fail_at = pass;
        CHECK(cref_store_verify(db) == REL_ECORRUPT);
        CHECK(pass == 0 || allocs == 1);
        fail_at = 0;
        if (!strstr(cref_store_errmsg(db), says))
            fprintf(stderr, "verify said \"%s\", not \"...%s...\"\n", cref_store_errmsg(db), says);
        CHECK(strstr(cref_store_errmsg(db), says) != NULL);
    }
}

/* The same for a plain pointer: *member set to x, then back. */
static void corrupt_ptr(cref_store *db, int mode, void **member, void *x, const char *says)
{
    void *saved = *member;
    *member = x;
    expect_corrupt(db, mode, says);
    *member = saved;
    CHECK(cref_store_verify(db) == REL_OK);
}

/* Plain pointers in db that point where no object of theirs is: verify
 * finds each among the store's regions before it reads anything through
 * it, so it reports them, and under AddressSanitizer reads nothing it
 * should not.  Author a lists Books (one appended past the count is the
 * corrupt one, so that no Book's own check sees it first) and has no
 * Profile; other is another store. */
static void check_verify_pointers(cref_store *db, cref_store *other, Author *a, int mode)
{
    static char junk[64];   /* in no region */
    rel_list *books = &REL_AT(a, offsetof(struct Author, books), rel_list);
    Author *lone = Author_new(db), *stranger = Author_new(other);
    Book *b = Book_new(db, a);
    Dot *d1 = Dot_new(db), *d2 = Dot_new(db);
    const char *listed = "a reverse set holds a deleted object, or no object of its model in this store";
    const char *o2o = "a one-to-one reverse points at a deleted object, or no object of its model";
    const char *ids = "verify: the id index of Author holds something that is not one of its objects";
#if !defined(REL_ASAN)
    const char *free_list;
#endif
    rel_pool *dp = pool_of(db, cref_Dot_model);
    void *wild[7];
    size_t i;
    CHECK(lone && stranger && b && d1 && d2 && Author_profile(lone) == NULL);
    if (!lone || !stranger || !b || !d1 || !d2)
        return;
    CHECK(rel_list_grow(books, (size_t)books->count + 1) == REL_OK);
    wild[0] = junk;                                             /* outside every region */
    wild[1] = (char *)b + 4;                                    /* inside a Book */
    wild[2] = rel_region_of(b);                                 /* a region's header */
    wild[3] = (char *)pool_of(db, cref_Book_model)->next;       /* past the Books handed out */
    wild[4] = lone;                                             /* an object of another model */
    wild[5] = Book_new(other, stranger);                        /* another store's Book */
    wild[6] = (void *)(uintptr_t)0x100000040;                   /* nothing mapped there */
    for (i = 0; i < sizeof wild / sizeof *wild; i++) {
        books->items[books->count++] = wild[i];
        expect_corrupt(db, mode, listed);
        books->count--;
        CHECK(cref_store_verify(db) == REL_OK);
        corrupt_ptr(db, mode, &REL_AT(lone, offsetof(struct Author, profile), void *), wild[i], o2o);
    }
    /* the id index (Author_get reads its entries) */
    CHECK(Author_get(db, 1) == a);
    corrupt_ptr(db, mode, &raw(db)->models[cref_Author_model].ids.items[0], junk, ids);
    corrupt_ptr(db, mode, &raw(db)->models[cref_Author_model].ids.items[0], b, ids);
    /* a free list's head, and a wide link (a Dot's: the next freed
     * slot's address); under AddressSanitizer freed slots are poisoned
     * and verify reads no link */
    CHECK(Dot_delete(d1) == REL_OK && Dot_delete(d2) == REL_OK && dp->wide && dp->free_head == d1);
#if !defined(REL_ASAN)
    free_list = "verify: the free list of Dot is broken";
    corrupt_ptr(db, mode, &dp->free_head, junk, free_list);
    corrupt_ptr(db, mode, &dp->free_head, b, free_list);
    if (dp->wide && dp->free_head == d1) {
        corrupt_ptr(db, mode, &REL_AT(d1, dp->link & ~REL_LINK_WIDE, void *), junk, free_list);
        corrupt_ptr(db, mode, &REL_AT(d1, dp->link & ~REL_LINK_WIDE, void *), (char *)d2 + 8, free_list);
        corrupt_ptr(db, mode, &REL_AT(d1, dp->link & ~REL_LINK_WIDE, void *), b, free_list);
    }
#endif
}

static void check_verify(int mode)
{
    cref_store *db, *other, *gone;
    Author *a, *dead, *foreign;
    Book *b;
    Tag *t;
    Shelf *s;
    Profile *p;
    rel_cref given_back;
    uint32_t i;
    use_mode(mode);
    db = cref_store_new();
    other = cref_store_new();
    gone = cref_store_new();
    a = Author_new(db);
    dead = Author_new(db);
    b = Book_new(db, a);
    s = Shelf_new(db);
    t = Tag_new(db);
    p = Profile_new(db, dead);
    foreign = Author_new(other);
    CHECK(b && s && t && p && foreign && Tag_set_target_Author(t, a) == REL_OK);
    for (i = 0; i < 5000; i++)   /* Books over a few regions */
        CHECK(Book_new(db, a) != NULL);
    given_back = rel_cref_to(Author_new(gone));
    cref_store_free(gone);
    CHECK(cref_store_verify(db) == REL_OK);

    /* numbers not issued: one never reached, one given back */
    CHECK(!rel_cref_issued((REL_CREF_REGIONS - 1) << REL_CREF_SHIFT | 8) && !rel_cref_issued(given_back));
    corrupt_with(db, &b->author, (REL_CREF_REGIONS - 1) << REL_CREF_SHIFT | 8, "Book 1: a reference names no region");
    corrupt_with(db, &b->author, given_back, "Book 1: a reference names no region");
    /* a region of another store, of another model */
    corrupt_with(db, &b->author, rel_cref_to(foreign), "Book 1: a relation points at a deleted object or one of another store");
    corrupt_with(db, &b->author, rel_cref_to(b), "Book 1: a relation points at an object of another model");
    corrupt_with(db, &t->target, rel_cref_to(s), "Tag 1: a relation points at an object of another model");
    corrupt_with(db, &p->author, rel_cref_to(b), "Profile 1: a relation points at an object of another model");
    /* the right region, but no object there: inside one, the region's
     * header, the slot after the last one handed out */
    corrupt_with(db, &b->author, rel_cref_to(a) + 1, "Book 1: a reference names no object");
    corrupt_with(db, &b->author, rel_cref_to(a) & ~((1u << REL_CREF_SHIFT) - 1), "Book 1: a reference names no object");
    corrupt_with(db, &b->author, rel_cref_to(Author_get(db, 2)) + sizeof(Author) / 8,
                 "Book 1: a reference names no object");
    /* a spare region (its number issued, its slots never handed out):
     * only blocks of several regions have them, once a block of two is
     * taken */
    if (mode == HOOKS) {
        const rel_pool *ap = pool_of(db, cref_Author_model);
        for (i = 0; !ap->spare && i < 100000; i++)
            CHECK(Author_new(db) != NULL);
        CHECK(ap->spare != NULL);
        if (ap->spare)
            corrupt_with(db, &b->author, rel_cref_to((char *)ap->spare + REL_REGION_HEADER),
                         "Book 1: a reference names no object");
    }
    /* a deleted object: what was already reported */
    CHECK(Profile_set_author(p, a) == REL_OK && Author_delete(dead) == REL_OK);
    corrupt_with(db, &p->author, rel_cref_to(dead), "Profile 1: a relation points at a deleted object");
    /* the link of a free list of 32-bit links, a reference too: a number
     * not issued; a slot of the first region past those handed out (with
     * an aligned allocation, past the 1 KiB the region has, so not to be
     * read).  Under AddressSanitizer a free slot is poisoned, and verify
     * reads no link. */
    {
        rel_pool *bp = pool_of(db, cref_Book_model);
        rel_cref far = region_number(bp->first) << REL_CREF_SHIFT | (REL_REGION_HEADER + 2000 * 16) / 8;
        Book *b1 = Book_new(db, a), *b2 = Book_new(db, a);
        CHECK(b1 && b2 && Book_delete(b1) == REL_OK && Book_delete(b2) == REL_OK && !bp->wide);
#if !defined(REL_ASAN)
        if (b1 && b2 && !bp->wide) {
            corrupt_with(db, &REL_AT(b1, bp->link, rel_cref), (REL_CREF_REGIONS - 1) << REL_CREF_SHIFT,
                         "verify: the free list of Book is broken");
            corrupt_with(db, &REL_AT(b1, bp->link, rel_cref), far, "verify: the free list of Book is broken");
        }
#else
        (void)far;
#endif
    }
    check_verify_pointers(db, other, a, mode);
    cref_store_free(db);
    cref_store_free(other);
    if (mode != PLAIN)
        CHECK(live == 0);
}

/* A region at address n << 16 that gets number n has table entry 0
 * (its address less n << 16): still issued, so its store verifies, its
 * free list too.  The region is mapped there by the aligned allocation;
 * where the address is taken, the check is skipped. */
static void check_region_at_its_number(void)
{
#if defined(__linux__)
    cref_store *db;
    Author *a, *x;
    uint32_t n;
    use_mode(ALIGNED);
    /* the number an Author's first region takes, given back: the next
     * region numbered gets it */
    db = cref_store_new();
    n = number_of(Author_new(db));
    cref_store_free(db);
    place_at = (uintptr_t)n << 16;
    db = cref_store_new();
    a = Author_new(db);
    if (!placed || rel_region_of(a) != placed) {
        printf("test_cref: address %#lx not to be had, region-at-its-number check skipped\n", (unsigned long)(n << 16));
        place_at = 0;
        cref_store_free(db);
        return;
    }
    CHECK(number_of(a) == n && rel_region_table[n] == 0 && round_trips(a));
    x = Author_new(db);
    CHECK(x && Author_new(db) && Book_new(db, a) && Review_new(db, a));
    CHECK(Author_delete(x) == REL_OK && Author_delete(Author_get(db, 3)) == REL_OK);   /* a free list */
    CHECK(cref_store_verify(db) == REL_OK);
    cref_store_free(db);
    CHECK(live == 0 && !placed);
#endif
}

/* ---- 5. two threads --------------------------------------------------- */

/* Each thread makes, fills, checks and frees its own stores: numbers are
 * issued and given back under the table's lock, and each thread's
 * references stay right whatever the other does. */
static void *thread_main(void *arg)
{
    uint32_t round, seed = (uint32_t)(uintptr_t)arg;
    uintptr_t wrong = 0;
    for (round = 0; round < 60; round++) {
        ruled s[2];
        uint32_t k;
        for (k = 0; k < 2; k++)
            wrong += !ruled_make(&s[k], 10 + (seed + round + k) % 50, 3000 + 500 * ((round + k) % 7));
        for (k = 0; k < 2; k++) {
            wrong += !ruled_right(&s[k]);
            cref_store_free(s[k].db);
        }
    }
    return (void *)wrong;
}

static void check_threads(void)
{
    pthread_t th[2];
    void *wrong[2] = { NULL, NULL };
    int i, started = 0;
    use_mode(PLAIN);   /* the counting hooks are not for threads */
    for (i = 0; i < 2; i++)
        started += pthread_create(&th[i], NULL, thread_main, (void *)(uintptr_t)(i + 1)) == 0;
    CHECK(started == 2);
    for (i = 0; i < started; i++)
        CHECK(pthread_join(th[i], &wrong[i]) == 0 && wrong[i] == NULL);
}

int main(int argc, char **argv)
{
    int mode;
    const char *only = argc > 1 ? argv[1] : "";
    if (strcmp(only, "--threads") == 0) {   /* the build under ThreadSanitizer */
        check_threads();
        printf("test_cref --threads: %d checks, %d failed\n", nchecks, nfailures);
        return nfailures != 0;
    }
    for (mode = 0; mode < NMODES; mode++) {
        check_round_trip(mode);
        check_big_objects(mode);
        check_pool_sizes(mode);
        check_reuse_in_order(mode);
        check_run_out(mode);
        check_verify(mode);
        check_wide_links(mode);
        if (nfailures)
            fprintf(stderr, "(with %s)\n", mode_name[mode]);
    }
    /* Under valgrind (make valgrind passes --memcheck), the half million
     * regions and the threads, which take most of its time there and are
     * table logic rather than memory handling, are left to the plain and
     * sanitizer runs. */
    if (strcmp(only, "--memcheck") != 0)
        check_more_regions_than_numbers();
    check_random_order(HOOKS);
    check_region_at_its_number();
    if (strcmp(only, "--memcheck") != 0)
        check_threads();
    rel_set_allocator(NULL);
    printf("test_cref: %d checks, %d failed\n", nchecks, nfailures);
    return nfailures != 0;
}
