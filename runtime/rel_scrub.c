/* rel_scrub.c: what a deleted object reads as (SPEC 6).
 *
 * A deleted object's memory stays the store's until its slot is reused,
 * and the generated getters read members without testing the tag (a test
 * in every getter made the traversals half again as slow).  So the
 * delete leaves nothing stale to read: rel_retire zeroes every member and
 * points every string at "" (a getter then answers as for an empty
 * object: NULL, "", 0, an empty view), and the pool's free list is linked
 * through a word that no getter reads (8 bytes holding an address where
 * the struct has them, else 32 bits), chosen here once per model from
 * the descriptor.  It also retires a parent's leaves in one pass
 * (rel_retire_leaves, rel_retire_live) and checks the free lists for
 * verify.
 */
#include "rel_impl.h"

#include <stdlib.h>
#include <string.h>

/* The bytes of a member of type t. */
static size_t type_size(uint8_t t)
{
    switch (t) {
    case REL_BOOL: return sizeof(bool);
    case REL_INT8: case REL_UINT8: return 1;
    case REL_INT16: case REL_UINT16: return 2;
    case REL_INT32: case REL_UINT32: case REL_FLOAT: return 4;
    case REL_INT64: case REL_UINT64: case REL_DOUBLE: return 8;
    default: return sizeof(void *);   /* a string */
    }
}

/* Which bytes of [lo, hi) of model k's objects some generated getter
 * reads (mark_reads): the tag, a scalar, a forward reference (and a
 * generic one's model), a one-to-one's reverse pointer, a view's items
 * and count (a list's, a ForeignKey's or a generic relation's:
 * rel_listed, or a set's; the two keep them at the same offsets
 * within). */
typedef struct read_span {
    size_t lo, hi;            /* the bytes asked about: [lo, hi) */
    unsigned char *word;      /* one flag a 4-byte word of it, or NULL */
    bool any;                 /* whether some getter reads one of them */
} read_span;

static void mark(read_span *rs, size_t at, size_t n)
{
    size_t w;
    if (at >= rs->hi || at + n <= rs->lo)
        return;
    rs->any = true;
    if (rs->word)
        for (w = at < rs->lo ? rs->lo : at / 4 * 4; w < at + n && w < rs->hi; w += 4)
            rs->word[(w - rs->lo) / 4] = 1;
}

static void mark_set(read_span *rs, bool list, size_t at)
{
    mark(rs, at + (list ? offsetof(rel_list, items) : offsetof(rel_vec, items)), sizeof(void *));
    mark(rs, at + (list ? offsetof(rel_list, count) : offsetof(rel_vec, count)), sizeof(uint32_t));
}

/* One pass over model k's members: whether a getter reads one of the
 * bytes [lo, hi), and with `word` (zeroed, a flag a 4-byte word from lo)
 * which words. */
static bool mark_reads(const rel_schema *s, uint32_t k, size_t lo, size_t hi, unsigned char *word)
{
    const rel_model *m = &s->models[k];
    read_span span, *rs = &span;
    uint32_t i;
    span.lo = lo;
    span.hi = hi;
    span.word = word;
    span.any = false;
    mark(rs, 0, sizeof(uint32_t));
    for (i = 0; i < m->nfields; i++)
        mark(rs, m->fields[i].offset, type_size(m->fields[i].type));
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = &s->relations[m->relations[i]];
        if (r->type == REL_MANY_TO_MANY)
            mark_set(rs, false, r->fwd);
        else
            mark(rs, r->fwd, sizeof(rel_cref));
        if (r->type == REL_GENERIC)   /* M_r_model reads it */
            mark(rs, r->ct, sizeof(uint32_t));
    }
    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        if (r->symmetrical)
            continue;   /* its one set is the forward member, above */
        if (r->type == REL_ONE_TO_ONE)
            mark(rs, r->rev, sizeof(void *));
        else
            mark_set(rs, rel_listed(r), r->rev);
    }
    return span.any;
}

/* Whether no getter of model k reads the word at w (beyond the object:
 * nothing does). */
static bool unread(const rel_schema *s, uint32_t k, size_t w)
{
    return w >= s->models[k].size || !mark_reads(s, k, w, w + 4, NULL);
}

/* The wide link's search looks at the slot a window at a time, one pass
 * over the members each: a model of n bytes and m members costs
 * n / WINDOW passes of m steps (a word at a time, each a pass, made
 * store_new 225 ms for a model of 16,000 int32 fields). */
enum { WINDOW = 2048 };

uint32_t rel_link_offset(const rel_schema *s, uint32_t k)
{
    const rel_model *m = &s->models[k];
    size_t cand[4], n = 0, i, end = (m->size + 3) / 4 * 4, slot = (m->size + 7) / 8 * 8, lo, w;
    uint32_t j;
    /* A wide link first (rel_pool: a delete then stores the next slot's
     * address as it is): 8 unread bytes, 8-aligned, in the slot as it
     * would be without a link (rel_pool_init's rounding). */
    if (slot < 16)
        slot = 16;
    for (lo = 8; lo + 8 <= slot; lo += WINDOW) {
        unsigned char word[WINDOW / 4];
        memset(word, 0, sizeof word);
        mark_reads(s, k, lo, lo + WINDOW, word);
        for (w = lo; w + 8 <= slot && w < lo + WINDOW; w += 8)
            if (w >= m->size || (!word[(w - lo) / 4] && !word[(w - lo) / 4 + 1]))
                return (uint32_t)w | REL_LINK_WIDE;
    }
    /* Candidates, cheapest to test first: the tag's neighbour (in the
     * cache line a delete writes anyway), the first ForeignKey's position,
     * the capacity of the first set it declares or list or set it keeps
     * for another model, and the slot's tail. */
    cand[n++] = 4;
    for (j = 0; j < m->nrelations && n == 1; j++) {
        const rel_relation *r = &s->relations[m->relations[j]];
        if (r->type == REL_FOREIGN_KEY)
            cand[n++] = r->pos;
        else if (r->type == REL_MANY_TO_MANY)
            cand[n++] = r->fwd + offsetof(rel_vec, cap);
    }
    for (j = 0; j < m->nincoming; j++) {
        const rel_relation *r = &s->relations[m->incoming[j]];
        if (r->type == REL_FOREIGN_KEY || (r->type == REL_MANY_TO_MANY && !r->symmetrical)) {
            cand[n++] = r->rev + (r->type == REL_FOREIGN_KEY ? offsetof(rel_list, cap) : offsetof(rel_vec, cap));
            break;
        }
    }
    cand[n++] = end;   /* in the slot's padding, or 8 bytes more */
    for (i = 0; i + 1 < n; i++)
        if (cand[i] % 4 == 0 && unread(s, k, cand[i]))
            return (uint32_t)cand[i];
    /* The end: in the padding of a slot of 12, 20... bytes, else 8 more
     * bytes, which then hold a wide link as well. */
    return end % 8 ? (uint32_t)end : (uint32_t)end | REL_LINK_WIDE;
}

void rel_scrub_strings(const rel_store *db, uint32_t k, void *o)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t j;
    for (j = 0; j < m->nfields; j++)
        if (m->fields[j].type == REL_STRING)
            REL_AT(o, m->fields[j].offset, const char *) = rel_empty_string;
}

/* Whether the byte of a tag that holds REL_DEAD (with the id's top six
 * bits and REL_MARK) is its fourth in memory, so that a delete can
 * write it alone (kill_live's `blind`). */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BLIND_KILL 1
#else
#define BLIND_KILL 0
#endif

/* Whether retire may kill model k's slots blind: every id it has issued
 * is below 2^24, so the top byte of a live, unmarked tag is 0. */
static bool blind_ok(const rel_model_state *ms)
{
    return BLIND_KILL && ms->last_id < ((uint32_t)1 << 24);
}

/* Kills slot x (`size` bytes, at least 16; its tag neither marked nor
 * deleted): the tag gets REL_DEAD (the id stays), every other byte zero
 * but for the 8 at `skip` (a wide link's, which the chain writes; 0:
 * none) and, when `at` is not 0, the 32-bit link at `at` (4, 8 or 12),
 * which gets `ref`.  With constant arguments: the first 16 bytes are
 * one store (the tag read and or'ed first), then one store a word.
 *
 * `blind` (blind_ok): the tag is not read.  Its top byte becomes
 * REL_DEAD's and its three low bytes, the id, stay as they are, with two
 * 8-byte stores, at 3 and at 8.  A cascade's slots are spread over
 * memory, and reading each one's tag is a load that misses the cache and
 * holds the loop up until it comes back; a store that misses does not
 * (make bench's cascade: 1.37 to 1.51 times the hand-written version
 * with the read, 0.99 to 1.16 without). */
REL_INLINE_ALWAYS void kill_live(char *x, size_t size, size_t skip, size_t at, rel_cref ref, bool blind)
{
    uint32_t head[4];
    size_t w;
    if (BLIND_KILL && blind) {
        /* bytes 3 to 10, then 8 to 15 (not with a wide link there) */
        uint64_t lo = (REL_DEAD >> 24) | (at == 4 ? (uint64_t)ref << 8 : 0);
        uint64_t hi = at == 8 ? (uint64_t)ref : at == 12 ? (uint64_t)ref << 32 : 0;
        memcpy(x + 3, &lo, 8);
        if (skip != 8)
            memcpy(x + 8, &hi, 8);
    } else {
        head[0] = REL_TAG(x) | REL_DEAD;
        head[1] = head[2] = head[3] = 0;
        if (at)
            head[at / 4] = ref;
        memcpy(x, head, skip == 8 ? 8 : 16);
    }
    for (w = 16; w < size; w += 8)
        if (w != skip)
            memset(x + w, 0, 8);
}

/* rel_link_set with the pool's layout as constants (`wide`, `link`),
 * which the retire loops are specialised on. */
REL_INLINE_ALWAYS void set_link(char *x, size_t link, bool wide, const char *next)
{
    if (wide)
        REL_AT(x, link, const char *) = next;
    else
        REL_AT(x, link, rel_cref) = rel_cref_to(next);
}

/* Kills slot x of a pool linked at `link` (wide or not) and links it to
 * `next`: with a narrow link in the first 16 bytes, one store for both. */
REL_INLINE_ALWAYS void kill_link(char *x, size_t size, size_t link, bool wide, const char *next, bool blind)
{
    if (!wide && link < 16) {
        kill_live(x, size, 0, link, rel_cref_to(next), blind);
    } else {
        kill_live(x, size, wide ? link : 0, 0, 0, blind);
        set_link(x, link, wide, next);
    }
}

/* The loop over items[j..count), after the first slot (`last`): each
 * slot killed and linked to the one before it, so that the chain runs
 * backwards: every store of a slot is to that slot (the stores of a miss
 * bound loop are what holds it up), and the pool gets the last slot as
 * the chain's head.  Its tag is tested first when `check` (the
 * collector's marked and deleted ones are skipped and counted in
 * *skipped).  `wide`: the pool's link is wide, at `link`; the callers
 * pass constants for the common layouts, so that each copy of the loop
 * is a few stores a slot.  `blind`: kill_live's (never with `check`).
 * Returns the last slot. */
REL_INLINE_ALWAYS char *chain(void *const *items, uint32_t j, uint32_t count, char *last, size_t size, size_t link,
                              bool wide, bool check, bool blind, uint32_t *skipped)
{
    /* Live slots two at a time: the loop's own instructions (the
     * pointer, the test, the branch, the copy of `last`) once for two. */
    void *const *it = items + j, *const *end2 = items + j + (count - j) / 2 * 2;
    for (; !check && it != end2; it += 2) {
        char *x = (char *)it[0], *y = (char *)it[1];
        kill_link(x, size, link, wide, last, blind);
        kill_link(y, size, link, wide, x, blind);
        last = y;
    }
    if (!check)
        j += (uint32_t)(end2 - (items + j));
    for (; j < count; j++) {
        char *x = (char *)items[j];
        if (check && (REL_TAG(x) & (REL_MARK | REL_DEAD))) {
            ++*skipped;
            continue;
        }
        kill_link(x, size, link, wide, last, blind);
        last = x;
    }
    return last;
}

/* retire's work on pool p with slots of `size` bytes linked at `link`
 * (constants for the common layouts): the slots killed and chained (the
 * first live one before the loop: the chain's tail) and handed to the
 * pool at once.  Returns how many were skipped. */
REL_INLINE_ALWAYS uint32_t run(rel_pool *p, void *const *items, uint32_t count, size_t size, size_t link, bool wide,
                               bool check, bool blind)
{
    uint32_t j = 0, skipped = 0;
    char *head, *tail;
    for (; check && j < count && (REL_TAG(items[j]) & (REL_MARK | REL_DEAD)); j++)
        skipped++;
    if (j == count)
        return skipped;
    tail = (char *)items[j];
    kill_live(tail, size, 0, 0, 0, blind);   /* its link (the chain's tail) zero */
    head = chain(items, j + 1, count, tail, size, link, wide, check, blind, &skipped);
    if (!p->free_tail) {
        p->free_head = head;
        p->end = p->next;   /* the inline create's gate closes: reuse first */
    } else {
        set_link((char *)p->free_tail, link, wide, head);
    }
    p->free_tail = tail;
    return skipped;
}

/* run for the layouts other than retire's first: out of line, so that
 * the common case keeps a small frame. */
REL_INLINE_ALWAYS uint32_t run_other(rel_pool *p, void *const *items, uint32_t count, bool check, bool blind)
{
    size_t size = p->size, link = p->link;
    if (!p->wide)
        return run(p, items, count, size, link, false, check, blind);
    if (size == 24 && link == 16)
        return run(p, items, count, 24, 16, true, check, blind);
    if (size == 24 && link == 8)
        return run(p, items, count, 24, 8, true, check, blind);
    if (size == 16 && link == 8)
        return run(p, items, count, 16, 8, true, check, blind);
    return run(p, items, count, size, link, true, check, blind);
}
REL_NOINLINE static uint32_t run_other_checked(rel_pool *p, void *const *items, uint32_t count)
{
    return run_other(p, items, count, true, false);
}
REL_NOINLINE static uint32_t run_other_live(rel_pool *p, void *const *items, uint32_t count, bool blind)
{
    return blind ? run_other(p, items, count, false, true) : run_other(p, items, count, false, false);
}

/* rel_retire for items[0..count) of model k (a REL_LEAF one, so no
 * string to scrub): every one when !check, else those neither marked
 * nor deleted. */
REL_INLINE_ALWAYS void retire(rel_store *db, uint32_t k, void *const *items, uint32_t count, bool check)
{
    rel_model_state *ms = &db->models[k];
    rel_pool *p = &ms->pool;
    uint32_t skipped;
#ifdef REL_ASAN
    for (skipped = 0; skipped < count; skipped++)   /* each slot poisoned as it goes */
        if (!check || !(REL_TAG(items[skipped]) & (REL_MARK | REL_DEAD)))
            rel_retire(db, k, items[skipped]);
    return;
#endif
    if (!p->wide && p->size == 16 && p->link == 12) {   /* a ForeignKey and a 32-bit field: Book */
        if (check)
            skipped = run(p, items, count, 16, 12, false, true, false);
        else if (blind_ok(ms))
            skipped = run(p, items, count, 16, 12, false, false, true);
        else
            skipped = run(p, items, count, 16, 12, false, false, false);
    } else {
        skipped = check ? run_other_checked(p, items, count) : run_other_live(p, items, count, blind_ok(ms));
    }
    ms->count -= count - skipped;
}

void rel_retire_leaves(rel_store *db, uint32_t k, void *const *items, uint32_t count)
{
    retire(db, k, items, count, true);
}

void rel_retire_live(rel_store *db, uint32_t k, void *const *items, uint32_t count)
{
    retire(db, k, items, count, false);
}

/* Whether slot o could be one of pool p's: in a region of its model and
 * store, at a slot's offset. */
static bool slot_of(const rel_pool *p, const void *o)
{
    const rel_region *r = rel_region_of(o);
    uintptr_t at = (uintptr_t)o & (REL_REGION - 1);
    return o && r->db == p->db && r->model == p->model && at >= REL_REGION_HEADER
        && (at - REL_REGION_HEADER) % p->size == 0;
}

/* Whether slot o of pool p was handed out (it is live, or deleted since):
 * one of its slots (slot_of) short of how far its region is used, in a
 * region the pool took, not a spare one (only without an aligned
 * allocation are there any, the rest of the newest block). */
static bool handed_out(const rel_pool *p, const void *o)
{
    const rel_region *r = rel_region_of(o), *s;
    if (!slot_of(p, o) || (const char *)o >= (r == p->last ? p->next : r->end))
        return false;
    for (s = p->spare; s; s = s->next)
        if (s == r)
            return false;
    return true;
}

static int region_order(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (const rel_region *const *)a, y = (uintptr_t) * (const rel_region *const *)b;
    return (x > y) - (x < y);
}

void rel_regions_of(const rel_store *db, rel_regions *rs)
{
    const rel_region *r;
    uint32_t k;
    size_t n = 0;
    rs->n = 0;
    for (k = 0; k < db->schema->nmodels; k++)
        for (r = db->models[k].pool.first; r; r = r->next)
            n++;
    if (!(rs->at = (const rel_region **)rel_malloc(n ? n * sizeof *rs->at : 1)))
        return;
    for (k = 0; k < db->schema->nmodels; k++)
        for (r = db->models[k].pool.first; r; r = r->next)
            rs->at[rs->n++] = r;
    qsort(rs->at, rs->n, sizeof *rs->at, region_order);
}

void rel_regions_free(rel_regions *rs)
{
    rel_free(rs->at);
    rs->at = NULL;
    rs->n = 0;
}

bool rel_slot_known(const rel_store *db, const rel_regions *rs, uint32_t k, const void *o)
{
    const rel_pool *p = &db->models[k].pool;
    uintptr_t r = (uintptr_t)rel_region_of(o);
    size_t lo = 0, hi = rs->n;
    const rel_region *s;
    if (!rs->at) {   /* no memory for the array: model k's regions */
        for (s = p->first; s && (uintptr_t)s != r; s = s->next)
            ;
        return s && handed_out(p, o);
    }
    while (lo < hi) {   /* the first region at r or after it */
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)rs->at[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < rs->n && (uintptr_t)rs->at[lo] == r && handed_out(p, o);
}

bool rel_free_list_ok(const rel_pool *p, const rel_regions *rs)
{
    const rel_region *r;
    const char *o;
    size_t dead = 0, n = 0;
    for (r = p->first; r; r = r->next) {
        const char *end = r == p->last ? p->next : r->end;
        for (o = (const char *)r + REL_REGION_HEADER; o < end; o += p->size)
            dead += (REL_CTAG(o) & REL_DEAD) != 0;
    }
#ifdef REL_ASAN
    return (dead == 0) == (p->free_head == NULL);   /* the links are poisoned */
#endif
    if (!p->free_head)
        return !p->free_tail && dead == 0;
    for (o = (const char *)p->free_head;; o = (const char *)rel_link_get(p, o)) {
        if (++n > dead || !rel_slot_known(p->db, rs, p->model, o) || !(REL_CTAG(o) & REL_DEAD))
            return false;
        if (o == p->free_tail)
            return n == dead;
        if (!p->wide && !rel_cref_issued(REL_CAT(o, p->link, rel_cref)))
            return false;
    }
}

const char *rel_cref_unsound(const rel_store *db, uint32_t k, rel_cref c)
{
    const void *o;
    if (!rel_cref_issued(c))
        return "a reference names no region (a number not issued)";
    o = rel_deref(c);   /* a region's header, which these read, is there */
    if (rel_store_of(o) != db)
        return "a relation points at a deleted object or one of another store";
    if (rel_model_of(o) != k)
        return "a relation points at an object of another model than its target";
    if (!handed_out(&db->models[k].pool, o))
        return "a reference names no object (no slot its region handed out)";
    return NULL;
}
