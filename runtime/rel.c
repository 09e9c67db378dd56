/* rel.c: the runtime's few functions. */
/* posix_memalign (POSIX, not ISO C), for the default aligned allocation. */
#if !defined(_POSIX_C_SOURCE) && !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif
#include "rel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rel_strerror(rel_status status)
{
    switch (status) {
    case REL_OK:          return "success";
    case REL_ENOMEM:      return "out of memory";
    case REL_EPROTECTED:  return "protected by an on_delete = PROTECT relation";
    case REL_ERESTRICTED: return "restricted by an on_delete = RESTRICT relation";
    case REL_EUNIQUE:     return "not unique: a one-to-one target or a unique value is taken";
    case REL_ENULL:       return "null not allowed";
    case REL_ETOOLONG:    return "string longer than max_length";
    case REL_EINVAL:      return "invalid argument";
    case REL_ECORRUPT:    return "invariant violated";
    }
    return "unknown status";
}

rel_status rel_fail(rel_errmsg *msg, rel_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg->text, sizeof msg->text, fmt, ap);
    va_end(ap);
    return status;
}

/* rel_foreach built with -DREL_DEBUG found its collection changed: a
 * misuse that would read a moved or freed array, so it stops here rather
 * than go on (the one place the runtime aborts, and only in debug builds). */
void rel_iteration_changed(const char *file, int line)
{
    fprintf(stderr, "%s:%d: a collection changed while rel_foreach walked it\n", file, line);
    fflush(stderr);
    abort();
}

/* ---- allocation --------------------------------------------------------- */

static void *std_malloc(size_t size, void *ud) { (void)ud; return malloc(size); }
static void *std_realloc(void *p, size_t size, void *ud) { (void)ud; return realloc(p, size); }
static void  std_free(void *p, void *ud) { (void)ud; free(p); }

static rel_allocator current = { std_malloc, std_realloc, std_free, NULL };

#if defined(__unix__) || defined(__APPLE__)
static void *std_aligned(size_t alignment, size_t size, void *ud)
{
    void *p;
    (void)ud;
    return posix_memalign(&p, alignment, size) ? NULL : p;
}
#define STD_ALIGNED std_aligned
#else
#define STD_ALIGNED NULL   /* no aligned allocation: pools pad their blocks */
#endif

/* The pools' aligned allocation; NULL: none (rel_set_aligned_alloc). */
static rel_aligned_fn current_aligned = STD_ALIGNED;

void rel_set_aligned_alloc(rel_aligned_fn fn) { current_aligned = fn; }

void rel_set_allocator(const rel_allocator *a)
{
    current_aligned = a ? NULL : STD_ALIGNED;
    if (a) {
        current = *a;
    } else {
        current.malloc_fn = std_malloc;
        current.realloc_fn = std_realloc;
        current.free_fn = std_free;
        current.ud = NULL;
    }
}

void *rel_malloc(size_t size) { return current.malloc_fn(size ? size : 1, current.ud); }
void *rel_realloc(void *p, size_t size) { return current.realloc_fn(p, size ? size : 1, current.ud); }
void  rel_free(void *p) { if (p) current.free_fn(p, current.ud); }

/* ---- lists and vectors -------------------------------------------------- */

/* The capacity for `need` elements: doubling from 4; 0 when need is too
 * many. */
static size_t grown_cap(uint32_t cap, size_t need)
{
    size_t c = cap ? cap : 4;
    if (need > REL_VEC_MAX)
        return 0;
    while (c < need)
        c *= 2;
    /* Never more than REL_VEC_MAX, so that no count can pass it through
     * the reserve's fast path (need <= cap) either. */
    return c > REL_VEC_MAX ? REL_VEC_MAX : c;
}

/* Into a new block, copied, rather than with realloc: a list only ever
 * doubles, so realloc could rarely grow in place, and glibc's costs more
 * instructions than a malloc, a copy and a free at these sizes. */
rel_status rel_list_grow(rel_list *l, size_t need)
{
    size_t cap;
    void **items;
    if (need <= l->cap)
        return REL_OK;
    if (!(cap = grown_cap(l->cap, need)) || cap > SIZE_MAX / sizeof(void *)
        || !(items = (void **)rel_malloc(cap * sizeof(void *))))
        return REL_ENOMEM;
    if (l->count)
        memcpy(items, l->items, l->count * sizeof(void *));
    rel_free(l->items);
    l->items = items;
    l->cap = (uint32_t)cap;
    return REL_OK;
}

/* Items and back positions share one block: [items...][back...]. */
rel_status rel_vec_grow(rel_vec *v, size_t need)
{
    size_t cap, item = sizeof(void *);
    char *block;

    if (need <= v->cap)
        return REL_OK;
    if (!(cap = grown_cap(v->cap, need)) || cap > SIZE_MAX / (item + sizeof(uint32_t))
        || !(block = (char *)rel_malloc(cap * (item + sizeof(uint32_t)))))
        return REL_ENOMEM;
    if (v->count) {
        memcpy(block, v->items, v->count * item);
        memcpy(block + cap * item, rel_vec_back(v), v->count * sizeof(uint32_t));
    }
    rel_free(v->items);
    v->items = (void **)(void *)block;
    v->cap = (uint32_t)cap;
    return REL_OK;
}

void rel_list_free(rel_list *l)
{
    rel_free(l->items);
    l->items = NULL;
    l->count = l->cap = 0;
}

void rel_vec_free(rel_vec *v)
{
    rel_free(v->items);
    v->items = NULL;
    v->count = v->cap = 0;
}

/* ---- object pools ------------------------------------------------------- */

#ifdef REL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Regions per block: the first block of a pool is one region, and each
 * next one doubles, up to 64 regions (4 MiB), so that a small store stays
 * small and a large one makes few allocations.  (Without an aligned
 * allocation: rel_set_aligned_alloc.) */
enum { FIRST_BLOCK = 1, LAST_BLOCK = 64 };

/* With an aligned allocation, every region is an allocation of its own:
 * the first ones of a pool small (SMALL_REGION bytes, doubling), so that a
 * store with a few objects of a model takes a little memory for them, then
 * REL_REGION less TRIM.  The trim is what lets an allocator that aligns by
 * taking alignment + size + its headers from its heap and giving back what
 * it does not use serve a region from its heap with next to nothing lost:
 * glibc's does so below its 128 KiB mmap threshold, which REL_REGION - 80
 * bytes stay under (measured: consecutive regions 64 KiB apart, 0.02% over
 * what was asked); asked for a whole REL_REGION, it maps 128 KiB and keeps
 * the unused half (53% over). */
enum { SMALL_REGION = 1024, SMALL_REGIONS = 6, TRIM = 128 };

void rel_pool_init(rel_pool *p, rel_store *db, size_t object_size, uint32_t link)
{
    size_t size = (object_size + 7) / 8 * 8;
    uint32_t wide = link & REL_LINK_WIDE;
    size_t bytes = wide ? 8 : sizeof(uint32_t);
    link &= ~REL_LINK_WIDE;
    if (link + bytes > size)   /* the link beyond the object: 8 more bytes */
        size = (link + bytes + 7) / 8 * 8;
    memset(p, 0, sizeof *p);
    p->db = db;
    p->size = (uint32_t)(size < 16 ? 16 : size);
    p->grow = FIRST_BLOCK;
    p->link = link;
    p->wide = wide != 0;
}

/* ---- region numbers (rel_cref) --------------------------------------- */

uintptr_t rel_region_table[REL_CREF_REGIONS];

/* Numbers are issued from table_next up, or reused from a stack of
 * numbers given back (table_free, 0 when empty), which a given-back
 * number's own entry links, made odd (a region's entry is a multiple of
 * REL_REGION): no reference names a region once it is freed, so its
 * entry is read by nothing else.  A spin lock guards both (a region is
 * numbered once per 64 KiB of objects, so it is never held long);
 * without GCC's or Clang's atomics there is none, and stores must be
 * made and freed by one thread at a time. */
static uint32_t table_next = 1, table_free;
static char table_lock;

/* Numbers from rel_cref_limit up are not issued (numbers given back are
 * still reused): a test lowers it to run out of numbers without making
 * half a million regions (rel_impl.h). */
uint32_t rel_cref_limit = REL_CREF_REGIONS;

static void table_enter(void)
{
#if defined(__GNUC__)
    while (__atomic_test_and_set(&table_lock, __ATOMIC_ACQUIRE))
        ;
#endif
}

static void table_leave(void)
{
#if defined(__GNUC__)
    __atomic_clear(&table_lock, __ATOMIC_RELEASE);
#endif
}

/* table_next is read without the lock (rel_cref_issued): stored whole. */
static void table_next_store(uint32_t next)
{
#if defined(__GNUC__)
    __atomic_store_n(&table_next, next, __ATOMIC_RELAXED);
#else
    table_next = next;
#endif
}

/* Numbers region r (its to_ref, its entry); false when every number is
 * in use. */
static bool number_region(rel_region *r)
{
    uint32_t n;
    uintptr_t shifted;
    table_enter();
    if ((n = table_free) != 0)
        table_free = (uint32_t)(rel_region_table[n] >> 1);
    else if (table_next < REL_CREF_REGIONS && table_next < rel_cref_limit)
        table_next_store((n = table_next) + 1);
    shifted = (uintptr_t)n << 16;
    if (n)
        rel_region_table[n] = (uintptr_t)r - shifted;
    table_leave();
    r->to_ref = shifted - (uintptr_t)r;
    return n != 0;
}

/* Gives region r's number back. */
static void unnumber_region(const rel_region *r)
{
    uint32_t n = (uint32_t)(((uintptr_t)r + r->to_ref) >> 16);
    table_enter();
    rel_region_table[n] = (uintptr_t)table_free << 1 | 1;
    table_free = n;
    table_leave();
}

/* A number below table_next was issued once, and its entry is odd once
 * given back.  A live region's entry is any multiple of REL_REGION, 0
 * too (a region at address n << 16 numbered n), so 0 does not tell a
 * number never issued. */
bool rel_cref_issued(rel_cref r)
{
    uint32_t n = r >> REL_CREF_SHIFT, next;
#if defined(__GNUC__)
    next = __atomic_load_n(&table_next, __ATOMIC_RELAXED);
#else
    next = table_next;
#endif
    return n != 0 && n < next && !(rel_region_table[n] & 1);
}

/* The bytes of a region that holds slots of this pool: REL_REGION, or for
 * a slot too big to share one, enough for that slot alone. */
static size_t region_bytes(const rel_pool *p)
{
    size_t need = REL_REGION_HEADER + (size_t)p->size;
    return need <= REL_REGION ? REL_REGION : (need + REL_REGION - 1) / REL_REGION * REL_REGION;
}

/* A new region, numbered, r->end its limit (how far slots may go), on
 * the spare list (its number already given: number_region). */
static void add_spare(rel_pool *p, char *at, size_t limit, void *block)
{
    rel_region *r = (rel_region *)(void *)at;
    r->db = p->db;
    r->model = p->model;
    r->end = at + limit;
    r->block = block;
    r->next = p->spare;
    p->spare = r;
}

/* The limit of a region of `bytes`: all of it, but one slot alone when
 * the slot does not fit REL_REGION with the header (a second one would
 * start past the first REL_REGION, where the mask does not find the
 * header). */
static size_t region_limit(const rel_pool *p, size_t bytes)
{
    size_t need = REL_REGION_HEADER + (size_t)p->size;
    return need <= REL_REGION - TRIM ? bytes : need;
}

/* One region from the aligned allocation (rel_set_aligned_alloc). */
static bool new_region_aligned(rel_pool *p, rel_aligned_fn fn, void *ud)
{
    size_t need = REL_REGION_HEADER + (size_t)p->size, bytes = REL_REGION - TRIM;
    char *at;
    if (p->nregions < SMALL_REGIONS && (size_t)SMALL_REGION << p->nregions < bytes)
        bytes = (size_t)SMALL_REGION << p->nregions;
    if (bytes < need)
        bytes = need;
    if (!(at = (char *)fn(REL_REGION, bytes, ud)))
        return false;
    if (!number_region((rel_region *)(void *)at)) {
        rel_free(at);
        return false;
    }
    add_spare(p, at, region_limit(p, bytes), at);
    return true;
}

/* A new block of regions from rel_malloc, aligned to REL_REGION: one
 * region's worth more than needed is asked for, and the first aligned
 * address used.  Its regions go to the spare list, and so does the pad
 * past the last one when a slot fits there: it starts aligned, so it is a
 * short region (a whole one when rel_malloc's address was aligned). */
static bool new_block(rel_pool *p)
{
    size_t rb = region_bytes(p), n = rb == REL_REGION ? p->grow : 1, n_tail = 0, i, tail;
    char *raw, *at;

    if (current_aligned)
        return new_region_aligned(p, current_aligned, current.ud);
    if (n > (SIZE_MAX - REL_REGION) / rb || !(raw = (char *)rel_malloc(n * rb + REL_REGION)))
        return false;
    at = raw + ((REL_REGION - (uintptr_t)raw % REL_REGION) % REL_REGION);
    tail = REL_REGION - (size_t)(at - raw);
    if (rb == REL_REGION && tail >= REL_REGION_HEADER + (size_t)p->size)
        n_tail = 1;
    for (i = 0; i < n + n_tail; i++)   /* numbered first: that can fail */
        if (!number_region((rel_region *)(void *)(at + i * rb))) {
            while (i-- > 0)
                unnumber_region((rel_region *)(void *)(at + i * rb));
            rel_free(raw);
            return false;
        }
    if (n_tail)
        add_spare(p, at + n * rb, region_limit(p, tail), NULL);   /* comes off last */
    for (i = n; i-- > 0;)   /* pushed last first, so they come off in order */
        add_spare(p, at + i * rb, region_limit(p, rb), i == 0 ? raw : NULL);
    if (p->grow < LAST_BLOCK && rb == REL_REGION)
        p->grow *= 2;
    return true;
}

void *rel_pool_get_slow(rel_pool *p)
{
    void *o;
    rel_region *r;
    if (p->free_head) {
        UNPOISON(p->free_head, p->size);   /* its link, and what the caller writes */
        return rel_pool_pop(p);
    }
    /* Full: p->end is only the inline create's gate; the limit of the
     * newest region is its end (whole slots). */
    if (!p->last || p->next == p->last->end) {
        if (!p->spare && !new_block(p))
            return NULL;
        /* The next spare region becomes the one slots come from; the one
         * left behind records how far it was used, for cursors. */
        r = p->spare;
        p->spare = r->next;
        r->next = NULL;
        p->nregions++;
        if (p->last) {
            p->last->end = p->next;
            p->last->next = r;
        } else {
            p->first = r;
        }
        p->last = r;
        p->next = (char *)r + REL_REGION_HEADER;
        /* Its limit, until it is left behind, in whole slots. */
        r->end = p->next + (size_t)(r->end - p->next) / p->size * p->size;
    }
    o = p->next;
    p->next += p->size;
    /* The gate stays closed (rel_pool.end): the model's code (rel_gate)
     * opens it, which knows whether a bump is all the next create needs. */
    p->end = p->next;
    return o;
}

/* rel_pool_put under AddressSanitizer: the links are written with the
 * slot unpoisoned for that moment, and all of the slot but its tag (bytes
 * 0 to 3, which the liveness checks read) stays poisoned while free.  The
 * slow get unpoisons a slot whole before reading its link. */
void rel_pool_put_asan(rel_pool *p, void *o)
{
    if (p->free_tail) {
        UNPOISON((char *)p->free_tail + p->link, p->wide ? 8 : sizeof(uint32_t));
        rel_link_set(p, p->free_tail, o);
        POISON((char *)p->free_tail + p->link, p->wide ? 8 : sizeof(uint32_t));
    } else {
        p->free_head = o;
        p->end = p->next;   /* the gate closes, as in rel_pool_put */
    }
    p->free_tail = o;
    POISON((char *)o + 4, p->size - 4);
}

/* Moves the regions of list r that begin a block onto *blocks (through
 * their next links, which are read first). */
static void collect_blocks(rel_region *r, rel_region **blocks)
{
    rel_region *next;
    for (; r; r = next) {
        next = r->next;
        UNPOISON(r, (size_t)(r->end - (char *)r));
        unnumber_region(r);
        if (r->block) {
            r->next = *blocks;
            *blocks = r;
        }
    }
}

/* A block is freed through its first region, which holds what rel_malloc
 * returned.  The spare regions share the newest block with the last one,
 * so every link is read before any block goes. */
void rel_pool_free(rel_pool *p)
{
    rel_region *blocks = NULL, *next;
    if (p->last)
        p->last->end = p->next;   /* how far it was used: what may be poisoned */
    collect_blocks(p->first, &blocks);
    collect_blocks(p->spare, &blocks);
    for (; blocks; blocks = next) {
        next = blocks->next;
        rel_free(blocks->block);
    }
    {
        uint32_t model = p->model;
        rel_pool_init(p, p->db, p->size, p->link | (p->wide ? REL_LINK_WIDE : 0));
        p->model = model;
    }
}

/* ---- strings ------------------------------------------------------------ */

size_t rel_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Well-formed UTF-8 as Unicode defines it (RFC 3629): no stray
 * continuation byte, no truncated sequence, no overlong form, no
 * surrogate, nothing past U+10FFFF.  *chars gets the code points. */
bool rel_utf8_valid(const char *text, size_t *chars)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0;
    while (*s) {
        unsigned c = *s, len, cp, i;
        if (c < 0x80) {
            s++;
            n++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return false;   /* a continuation byte, C0, C1 or F5..FF */
        for (i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return false;   /* includes the terminating NUL */
            cp = cp << 6 | (s[i] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        s += len;
        n++;
    }
    if (chars)
        *chars = n;
    return true;
}

char *rel_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = (char *)rel_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
