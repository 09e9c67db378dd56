/* rel.h: the runtime that relc-generated code uses.
 *
 * Every algorithm is written here once.  A generated schema is a constant
 * descriptor (rel_schema: its models, their fields with names, types and
 * offsets, its relations with kinds, offsets and on_delete) plus typed
 * one-line wrappers in the generated header.  The wrappers of hot calls
 * (getters, setters, relinking, many-to-many add/contains/remove, lookups
 * by id) call the static inline helpers below with constant member
 * offsets, so after inlining they are the code one would write by hand;
 * everything else (creating, deleting, verifying, freeing, error messages)
 * is generic code in rel.c, rel_store.c, rel_delete.c and rel_verify.c that
 * walks the descriptor.
 *
 * Nothing here beyond the C library; nothing here aborts: every failure is
 * a status, and every mutator is all or nothing.
 */
#ifndef REL_H
#define REL_H

#include "rel_version.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== status codes and messages ========================================== */

/* What a call can come back with.  REL_OK is 0, so `if (status)` tests for
 * failure. */
typedef enum rel_status {
    REL_OK = 0,
    REL_ENOMEM,         /* out of memory; nothing changed */
    REL_EPROTECTED,     /* delete refused: a PROTECT relation refers to it */
    REL_ERESTRICTED,    /* delete refused: a RESTRICT relation refers to it */
    REL_EUNIQUE,        /* one-to-one target taken, or a unique value (rel_unique.c) */
    REL_ENULL,          /* NULL where the relation is not null = true */
    REL_ETOOLONG,       /* string longer than its max_length */
    REL_EINVAL,         /* an argument that cannot be right (wrong store, not related) */
    REL_ECORRUPT        /* verify found a broken invariant */
} rel_status;

/* A constant English description ("out of memory", ...). */
const char *rel_strerror(rel_status status);

/* The message of the last failing call on a store. */
typedef struct rel_errmsg {
    char text[256];
} rel_errmsg;

/* Formats into the buffer (truncating) and returns status, so that a
 * failure is `return rel_fail(&db->errmsg, ...)`. */
rel_status rel_fail(rel_errmsg *msg, rel_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ==== allocation ========================================================== */

/* The allocator every allocation of the runtime and of generated code goes
 * through.  realloc_fn must accept NULL like realloc; ud is passed back.
 * rel_set_allocator(NULL) restores malloc, realloc and free.  Set it before
 * creating any store: memory must be freed by the allocator that made it. */
typedef struct rel_allocator {
    void *(*malloc_fn)(size_t size, void *ud);
    void *(*realloc_fn)(void *ptr, size_t size, void *ud);
    void  (*free_fn)(void *ptr, void *ud);
    void *ud;
} rel_allocator;

void  rel_set_allocator(const rel_allocator *allocator);
void *rel_malloc(size_t size);
void *rel_realloc(void *ptr, size_t size);
void  rel_free(void *ptr);

/* Optional: `size` bytes at an address that is a multiple of `alignment`
 * (a power of two, REL_REGION for now), freed with the allocator's
 * free_fn; NULL when out of memory.  ud is the allocator's.  The object
 * pools take their regions from it one at a time, each sized to what it
 * holds; without it they take blocks of several regions from malloc_fn,
 * each one region larger than its regions for the alignment, and the last
 * block is partly unused until the pool grows into it (at a million
 * 24-byte objects, about 4 bytes an object more).  rel_set_allocator(NULL)
 * restores the default (posix_memalign where there is one); setting other
 * hooks with rel_set_allocator sets none, so call this after it (and, like
 * it, before creating any store); NULL turns it off. */
typedef void *(*rel_aligned_fn)(size_t alignment, size_t size, void *ud);
void  rel_set_aligned_alloc(rel_aligned_fn fn);

/* ==== collections ========================================================= */

/* Positions and counts are 32-bit, which keeps objects small; an array
 * holds at most REL_VEC_MAX elements, and growing past that fails with
 * REL_ENOMEM.  (So positions and ids fit in 31 bits, which lets an object
 * keep its delete mark in the 32nd.) */
#define REL_VEC_MAX (((uint32_t)1 << 31) - 1)

/* A plain list of object pointers: a ForeignKey's reverse set, the store's
 * list of every object of a model, its objects by id. */
typedef struct rel_list {
    void **items;       /* [cap] */
    uint32_t count, cap;
} rel_list;

/* A many-to-many set: with each partner, the position where this object
 * sits in that partner's set (its "back" position), which makes removal
 * O(1).  The back positions follow the items in the same block, at
 * items + cap (see rel_vec_back), so the set is 16 bytes, not 24 with a
 * pointer to them: the objects that embed it are smaller. */
typedef struct rel_vec {
    void **items;       /* [cap] pointers, then [cap] uint32_t back positions */
    uint32_t count, cap;
} rel_vec;

/* The back positions of v, at items + cap.  Only for a set with room
 * (items not NULL): an empty set without a block has none, and pointer
 * arithmetic on NULL is undefined, so callers ask only for an entry that
 * is there (j < count). */
static inline uint32_t *rel_vec_back(const rel_vec *v)
{
    return (uint32_t *)(void *)(v->items + v->cap);
}

/* Grow to room for `need` elements; nothing changes on failure. */
rel_status rel_list_grow(rel_list *l, size_t need);
rel_status rel_vec_grow(rel_vec *v, size_t need);
void rel_list_free(rel_list *l);
void rel_vec_free(rel_vec *v);

/* Room for `need` elements; the common case (room already there) is
 * inline, because every add and every create asks. */
static inline rel_status rel_list_reserve(rel_list *l, size_t need)
{
    return need <= l->cap ? REL_OK : rel_list_grow(l, need);
}
static inline rel_status rel_vec_reserve(rel_vec *v, size_t need)
{
    return need <= v->cap ? REL_OK : rel_vec_grow(v, need);
}

/* Characters (UTF-8 code points) in a NUL-terminated string: what
 * max_length limits, as Django counts it. */
size_t rel_utf8_length(const char *s);
/* Whether s is well-formed UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF); *chars (if not NULL) gets its code points. */
bool   rel_utf8_valid(const char *s, size_t *chars);
/* A copy made with rel_malloc; NULL when out of memory. */
char  *rel_strdup(const char *s);

/* Iterates a typed list view:  rel_foreach(Book, b, Author_books(a)) { ... }
 * `list` is evaluated more than once, so pass a view or an accessor call
 * (both are cheap and have no side effects); the collection must not
 * change while the loop runs (no add, remove, clear, create, delete or
 * setter that touches it): the view would go on reading the array that
 * the change moved or freed.  Built with -DREL_DEBUG, the loop evaluates
 * `list` again before each step and compares its array and count with
 * the ones it started with; on a difference it calls
 * rel_iteration_changed, which reports the loop's file and line and
 * aborts. */
void rel_iteration_changed(const char *file, int line);
#ifdef REL_DEBUG
#define rel_foreach(T, var, list)                                              \
    for (T *var = NULL, *const *rel_it_##var = (list).items,                   \
                        *const *rel_base_##var = rel_it_##var,                 \
                        *const *rel_end_##var = rel_it_##var                   \
                            ? rel_it_##var + (list).count : rel_it_##var;      \
         ((list).items != rel_base_##var                                       \
          || (list).count != (size_t)(rel_end_##var - rel_base_##var)          \
              ? rel_iteration_changed(__FILE__, __LINE__) : (void)0),          \
         rel_it_##var != rel_end_##var && ((var = *rel_it_##var), 1);          \
         rel_it_##var++)
#else
#define rel_foreach(T, var, list)                                              \
    for (T *var = NULL, *const *rel_it_##var = (list).items,                   \
                        *const *rel_end_##var = rel_it_##var                   \
                            ? rel_it_##var + (list).count : rel_it_##var;      \
         rel_it_##var != rel_end_##var && ((var = *rel_it_##var), 1);          \
         rel_it_##var++)
#endif

/* ==== the schema descriptor =============================================== */

/* The type of a field.  Scalars first, then the relation kinds. */
typedef enum rel_type {
    REL_BOOL, REL_INT8, REL_INT16, REL_INT32, REL_INT64,
    REL_UINT8, REL_UINT16, REL_UINT32, REL_UINT64,
    REL_FLOAT, REL_DOUBLE, REL_STRING,
    REL_FOREIGN_KEY, REL_ONE_TO_ONE, REL_MANY_TO_MANY,
    REL_GENERIC         /* one listed model of a GenericForeignKey */
} rel_type;

/* A relation's on_delete (REL_NO_ACTION for many-to-many). */
typedef enum rel_on_delete {
    REL_NO_ACTION, REL_CASCADE, REL_PROTECT, REL_RESTRICT, REL_SET_NULL
} rel_on_delete;

/* A scalar field of a model. */
typedef struct rel_field {
    const char *name;        /* as in the schema: "title" */
    uint32_t offset;         /* of its member */
    uint8_t type;            /* rel_type, a scalar */
    /* The value a new object starts with: a pointer to a constant of the
     * member's C type, or for a string the text itself (the member points
     * at it until set, so a default costs no allocation).  NULL: zero. */
    const void *def;
    uint64_t max_length;     /* strings: in code points; 0: unlimited */
} rel_field;

/* A relation: field `name` of model `model` pointing at model `target`. */
typedef struct rel_relation {
    const char *name;        /* the field: "author" */
    const char *accessor;    /* the reverse accessor ("books"); NULL when
                                hidden ('+') or symmetrical */
    uint32_t model, target;  /* model indexes */
    uint8_t type;            /* REL_FOREIGN_KEY, REL_ONE_TO_ONE, REL_MANY_TO_MANY */
    uint8_t on_delete;       /* rel_on_delete */
    uint8_t null;            /* null = true */
    uint8_t symmetrical;     /* a symmetrical many-to-many to its own model */
    uint32_t fwd;            /* in model: the target's rel_cref, or the rel_vec */
    uint32_t pos;            /* ForeignKey, in model: the uint32_t position
                                in the target's reverse list */
    uint32_t rev;            /* in target: the rel_list (ForeignKey), the
                                pointer back (one-to-one) or the rel_vec
                                (many-to-many; == fwd when symmetrical) */
    uint32_t to_field;       /* 1 + the target's scalar field that fixtures
                                write for it (Django's to_field); 0: the pk */
    uint8_t in_unique;       /* a member of a unique constraint of model:
                                every change goes through rel_unique.c */
    /* REL_GENERIC: a GenericForeignKey is one relation per model it lists,
     * numbered in a row, sharing name, fwd (a rel_cref), pos and this: in
     * model, the uint32_t that says which model fwd points at (0: none,
     * else the target's model number + 1).  Such a relation is in use
     * only when it names its target.  The target's rev is a rel_list,
     * whether or not a GenericRelation names it (accessor). */
    uint32_t ct;
    /* REL_GENERIC: the names of Django's two concrete fields, as fixtures
     * write them ("content_type", "object_id", or ct_field, fk_field). */
    const char *ct_name, *fk_name;
    /* Through models (rel_through.c).  A many-to-many with a through
     * model: `through` is that model and through_src, through_dst the
     * relation indexes of its ForeignKeys to the declaring model and to
     * the target; its sets then hold one entry per through object whose
     * two ForeignKeys are set.  A ForeignKey that is one of those two:
     * `serves` is the many-to-many.  REL_NONE (UINT32_MAX) otherwise. */
    uint32_t through, through_src, through_dst;
    uint32_t serves;
} rel_relation;

/* The last four members of a relation without a through model. */
#define REL_NO_THROUGH REL_NONE, REL_NONE, REL_NONE, REL_NONE

/* In rel_model.required and rel_unique.members, an entry with this bit
 * names scalar field (entry & ~REL_ARG_FIELD) of the model; without it, an
 * entry is a relation index. */
#define REL_ARG_FIELD ((uint32_t)1 << 31)

/* A unique constraint: a field with unique = true, or one group of
 * Django's unique_together.  No two live objects of `model` have equal
 * values in every member; an object with a NULL relation among them is
 * distinct from every other (as in SQL).  Strings compare bytes; floats
 * compare as numbers (+0.0 equals -0.0) but every NaN equals every NaN. */
typedef struct rel_unique {
    uint32_t model;
    const uint32_t *members;        /* relation index or REL_ARG_FIELD | field */
    uint32_t nmembers;
} rel_unique;

/* A model. */
typedef struct rel_model {
    const char *name;               /* "Book" */
    uint32_t size;                  /* sizeof the struct */
    const rel_field *fields;        /* the scalar fields, in schema order */
    uint32_t nfields;
    const uint32_t *relations;      /* relations it declares, in schema order */
    uint32_t nrelations;
    const uint32_t *required;       /* the arguments of M_new, in order: its
                                       ForeignKey and OneToOneField relations
                                       that are not null = true, and (with
                                       REL_ARG_FIELD) its scalars in a unique
                                       constraint, which come as a pointer
                                       to the value */
    uint32_t nrequired;
    const uint32_t *incoming;       /* relations whose target it is */
    uint32_t nincoming;
    /* Its scalar fields and relations in declaration order, as Django
     * writes them in a fixture: a value v < nfields is fields[v], else
     * relations[v - nfields].  NULL when that order is the fields, then
     * the relations. */
    const uint32_t *order;
    const uint32_t *uniques;        /* its unique constraints (rel_schema.uniques) */
    uint32_t nuniques;
} rel_model;

/* A schema: what every generic algorithm walks. */
typedef struct rel_schema {
    const char *name;               /* the app label: "library" */
    const rel_model *models;
    uint32_t nmodels;
    const rel_relation *relations;
    uint32_t nrelations;
    const rel_unique *uniques;      /* every model's, model by model */
    uint32_t nuniques;
} rel_schema;

/* ==== objects and the store =============================================== */

typedef struct rel_store rel_store;

/* Every generated object starts with a 32-bit tag (the member rel_tag):
 * its id in the low bits, and two flags.  An object's memory stays the
 * store's after a delete (until its slot is reused), so a deleted object
 * is known by its tag, and its id can still be named. */
#define REL_ID_MAX (((uint32_t)1 << 30) - 1)   /* ids per model */
#define REL_MARK ((uint32_t)1 << 30)           /* collected by a delete */
#define REL_DEAD ((uint32_t)1 << 31)           /* deleted */
#define REL_TAG(o) (*(uint32_t *)(void *)(o))
#define REL_CTAG(o) (*(const uint32_t *)(const void *)(o))

/* The id (1, 2, 3 ... per model, never reused), dead or alive. */
static inline uint32_t rel_id_of(const void *o) { return REL_CTAG(o) & REL_ID_MAX; }
/* Not NULL and not deleted. */
static inline bool rel_alive(const void *o) { return o && !(REL_CTAG(o) & REL_DEAD); }

/* REL_ASAN: built with AddressSanitizer (GCC's macro, or Clang's
 * feature test).  The runtime then poisons a deleted object's slot. */
#if defined(__SANITIZE_ADDRESS__)
#define REL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REL_ASAN 1
#endif
#endif

/* What a generated getter returns: `member` of object o.  A delete leaves
 * a deleted object's members empty (zero, NULL, "", an empty list), so a
 * getter of a deleted object returns `empty` without testing anything;
 * only under AddressSanitizer, where the runtime poisons the deleted
 * object's slot (to report other reads of it), does the getter test the
 * tag instead of reading the member. */
#ifdef REL_ASAN
#define REL_GET(o, member, empty) (rel_alive(o) ? (member) : (empty))
#else
#define REL_GET(o, member, empty) (member)
#endif

/* For an inline fast path that must stay inline in the caller's loop
 * with its constant sizes and offsets, whatever the compiler's size
 * heuristics decide for a big caller (GCC put rel_new_fast out of line
 * once run_generated of the benchmark grew, which cost create a call and
 * its constant-size stores). */
#if defined(__GNUC__)
#define REL_INLINE_ALWAYS static inline __attribute__((always_inline))
#else
#define REL_INLINE_ALWAYS static inline
#endif

/* The member at byte offset `off` of object o, as type T. */
#define REL_AT(o, off, T) (*(T *)(void *)((char *)(o) + (off)))
#define REL_CAT(o, off, T) (*(const T *)(const void *)((const char *)(o) + (off)))

/* Objects live in regions: REL_REGION bytes at an address that is a
 * multiple of REL_REGION, starting with this header, so that an object
 * finds its store with one mask and one load instead of carrying a
 * pointer.  A region holds objects of one model from REL_REGION_HEADER on;
 * an object too big to share one gets a region of its own, as long as it
 * needs. */
#define REL_REGION ((uintptr_t)1 << 16)
#define REL_REGION_HEADER 64
typedef struct rel_region {
    rel_store *db;              /* the store its objects belong to */
    struct rel_region *next;    /* the pool's regions, in order */
    char *end;                  /* end of the slots handed out */
    void *block;                /* what rel_malloc returned, in the first
                                   region of a block; NULL in the others */
    /* What added to the address of one of its objects and shifted
     * right by 3 gives a reference to that object (rel_cref_to): its
     * number in rel_region_table << 16, less its address. */
    uintptr_t to_ref;
    uint32_t model;             /* the model number of its objects */
} rel_region;

static inline rel_region *rel_region_of(const void *o)
{
    return (rel_region *)((uintptr_t)o & ~(REL_REGION - 1));
}

/* References.  A ForeignKey, OneToOneField or GenericForeignKey member
 * holds its target as a rel_cref: 32 bits instead of a 64-bit pointer,
 * which makes an object such as a Book (its id, a ForeignKey, the
 * position in the target's list, an int) 16 bytes instead of 24.  Every
 * region has a number n, issued when it is allocated and given back when
 * it is freed (for the whole process: a reference is decoded without
 * knowing its store); a reference to an object is n << 13 plus the
 * object's offset in its region in 8-byte units (slots are 8-aligned).
 * rel_region_table[n] holds the region's address less n << 16, so that
 * the object's address is that entry plus the reference times 8: a
 * shift, a load, and an addressing mode (x86's base + index * 8), no
 * mask.  0 is NULL: number 0 is never issued, and its entry stays 0.
 * An entry is written before any object of the region exists and read
 * only through references to such objects, so readers take no lock
 * (numbers are issued under one).  At most REL_CREF_REGIONS - 1 regions
 * exist at once (at 64 KiB each, 32 GiB of objects); a create past that
 * fails as out of memory. */
typedef uint32_t rel_cref;
#define REL_CREF_SHIFT 13                               /* REL_REGION / 8 */
#define REL_CREF_REGIONS ((uint32_t)1 << (32 - REL_CREF_SHIFT))
extern uintptr_t rel_region_table[];   /* [REL_CREF_REGIONS] */

/* The object a reference names; NULL for 0. */
static inline void *rel_deref(rel_cref r)
{
    return (void *)(rel_region_table[r >> REL_CREF_SHIFT] + ((uintptr_t)r << 3));
}
/* A reference to object o, not NULL: one load (its region's header, in
 * a line that the region's objects share), an add and a shift. */
static inline rel_cref rel_cref_to(const void *o)
{
    return (rel_cref)(((uintptr_t)o + rel_region_of(o)->to_ref) >> 3);
}
/* A reference to o, which may be NULL. */
static inline rel_cref rel_cref_of(const void *o) { return o ? rel_cref_to(o) : 0; }
/* The object that the reference at byte offset `off` of o names. */
static inline void *rel_fwd(const void *o, size_t off)
{
    return rel_deref(*(const rel_cref *)(const void *)((const char *)o + off));
}
/* Whether r names a region that has a number now (verify's test before
 * it decodes a reference that it does not trust; 0 is not issued). */
bool rel_cref_issued(rel_cref r);
/* Points the reference at byte offset `off` of o at t (NULL: nowhere). */
static inline void rel_fwd_set(void *o, size_t off, const void *t)
{
    *(rel_cref *)(void *)((char *)o + off) = rel_cref_of(t);
}
/* The store an object belongs to (deleted or not). */
static inline rel_store *rel_store_of(const void *o) { return rel_region_of(o)->db; }
/* Its model number: what an untyped object (a GenericForeignKey's
 * target) is. */
static inline uint32_t rel_model_of(const void *o) { return rel_region_of(o)->model; }

/* The objects of one model: slots carved from regions in blocks that grow
 * geometrically, and freed slots reused first in, first out (a deleted
 * object stays recognisable as long as possible).  A freed slot keeps its
 * tag (REL_DEAD set); the rest of it was scrubbed by the delete (members
 * zero, strings ""), so that a getter of a deleted object reads it as
 * empty.  The free list is linked through a word at offset `link` of
 * each freed slot, one that no getter reads (rel_store_new picks it from
 * the descriptor: padding, a ForeignKey's position, a list's
 * capacity..., or 8 more bytes at the end of the slot when the model has
 * none).  A wide link (8 such bytes, 8-aligned) holds the next slot's
 * address; a 32-bit one a reference to it (rel_cref).  The tail's link
 * is not set.
 * With an aligned allocation (rel_set_aligned_alloc) a block is one region,
 * the first few of a pool small.
 * Regions are returned only by rel_pool_free.  Under AddressSanitizer a
 * freed slot is poisoned but for its tag, so that reading a deleted
 * object's members other than through the generated getters (which then
 * test the tag) is reported. */
typedef struct rel_pool {
    void *free_head, *free_tail;
    /* next: where the newest region's unused slots begin.  end: the gate
     * of the inline create (rel_new_fast) and bump (rel_pool_get), not
     * the region's limit (that is last->end, in whole slots): next + some
     * whole slots while the next creates need nothing but a bump, next
     * itself (closed) while one must take the slow path: the free list
     * has slots to reuse first, the model's id index must get each new
     * object, or fewer ids are left than slots (rel_gate in rel_impl.h
     * keeps it).  One compare then covers every unusual case. */
    char *next, *end;
    rel_region *first, *last;   /* the regions slots were taken from */
    rel_region *spare;          /* the rest of the newest block's regions */
    rel_store *db;
    uint32_t size;              /* of a slot */
    uint32_t grow;              /* regions in the next block */
    uint32_t nregions;          /* the regions taken */
    uint32_t link;              /* offset of a freed slot's link */
    uint32_t model;             /* its regions' model number */
    /* Whether the link is wide: 8 bytes at an 8-aligned offset that no
     * getter reads (both halves), holding the next slot's address, which
     * a delete stores without working out a region and an offset. */
    uint32_t wide;
} rel_pool;

/* In the link offset rel_pool_init takes: the link is wide. */
#define REL_LINK_WIDE ((uint32_t)1 << 31)

/* The free-list link of freed slot o (not the tail): the next one. */
static inline void *rel_link_get(const rel_pool *p, const void *o)
{
    if (p->wide)
        return *(void *const *)(const void *)((const char *)o + p->link);
    return rel_fwd(o, p->link);
}
/* Points freed slot o's link at slot next. */
static inline void rel_link_set(const rel_pool *p, void *o, const void *next)
{
    if (p->wide)
        REL_AT(o, p->link, const void *) = next;
    else
        REL_AT(o, p->link, rel_cref) = rel_cref_to(next);
}

/* A pool of slots of object_size bytes (rounded up to 8, at least 16),
 * linking freed slots through the word at `link` (beyond object_size:
 * the slot grows to hold it). */
void  rel_pool_init(rel_pool *p, rel_store *db, size_t object_size, uint32_t link);
void *rel_pool_get_slow(rel_pool *p);
void  rel_pool_put_asan(rel_pool *p, void *o);
void  rel_pool_free(rel_pool *p);

/* The free list's head (p->free_head, not NULL), taken off it. */
static inline void *rel_pool_pop(rel_pool *p)
{
    void *o = p->free_head;
    if (o == p->free_tail)
        p->free_head = p->free_tail = NULL;
    else
        p->free_head = rel_link_get(p, o);
    return o;
}

/* A slot of garbage content; NULL when out of memory.  Inline: the
 * common cases are a pop from the free list or a bump in the current
 * region, the bump only while the gate (end) is open; the slow get tests
 * the region's own limit.  A model's caller sets the gate after
 * (rel_gate). */
static inline void *rel_pool_get(rel_pool *p)
{
#ifndef REL_ASAN
    void *o;
    if (p->free_head)
        return rel_pool_pop(p);
    if (p->next != p->end) {
        o = p->next;
        p->next += p->size;
        return o;
    }
#endif
    return rel_pool_get_slow(p);
}

/* Back to the pool; its tag must already say REL_DEAD.  The inline
 * create's gate is closed (rel_pool.end): the slot is reused first. */
static inline void rel_pool_put(rel_pool *p, void *o)
{
#ifdef REL_ASAN
    rel_pool_put_asan(p, o);   /* poisons all of it but the tag */
#else
    if (p->free_tail) {
        rel_link_set(p, p->free_tail, o);
    } else {
        p->free_head = o;
        /* The gate closes: reuse comes first.  Only here: while the
         * free list is not empty, nothing opens it. */
        p->end = p->next;
    }
    p->free_tail = o;
#endif
}

/* Walks a model's live objects, region by region, allocation-free and
 * unable to fail.  Deleting objects while walking is safe (a deleted
 * object is skipped); objects created while walking may or may not be
 * seen. */
typedef struct rel_cursor {
    const rel_pool *pool;
    const rel_region *region;
    const char *at, *end;
    size_t size;                /* of a slot */
} rel_cursor;

static inline rel_cursor rel_cursor_of(const rel_pool *p)
{
    rel_cursor c;
    c.pool = p;
    c.size = p->size;
    c.region = p->first;
    c.at = c.region ? (const char *)c.region + REL_REGION_HEADER : NULL;
    c.end = !c.region ? NULL : c.region == p->last ? p->next : c.region->end;
    return c;
}

static inline void *rel_cursor_next(rel_cursor *c)
{
    for (;;) {
        while (c->at < c->end) {
            const char *o = c->at;
            c->at += c->size;
            if (!(REL_CTAG(o) & REL_DEAD))
                return (void *)o;
        }
        if (!c->region || !(c->region = c->region->next))
            return NULL;
        c->at = (const char *)c->region + REL_REGION_HEADER;
        c->end = c->region == c->pool->last ? c->pool->next : c->region->end;
    }
}

/* Iterates a cursor:  rel_forall(Book, b, Book_all(db)) { ... } */
#define rel_forall(T, var, cursor)                                            \
    for (rel_cursor rel_c_##var = (cursor), *rel_once_##var = &rel_c_##var;   \
         rel_once_##var; rel_once_##var = NULL)                               \
        for (T *var; (var = (T *)rel_cursor_next(&rel_c_##var)) != NULL;)

/* What the store keeps for one model. */
typedef struct rel_model_state {
    rel_pool pool;              /* where its objects live */
    uint32_t count;             /* live objects */
    uint32_t last_id;           /* the highest id issued */
    rel_list ids;               /* objects by id - 1, built on the first
                                   lookup by id (ids.items NULL before) */
    rel_list collected;         /* a delete's objects of this model */
    uint32_t done;              /* how many collected ones had their
                                   referrers collected */
    uint32_t flags;             /* rel_store.c's precomputed facts */
} rel_model_state;

/* A store: the generated S_store type is this (the generated header
 * declares it opaque and casts). */
struct rel_store {
    const rel_schema *schema;
    rel_model_state *models;    /* [schema->nmodels] */
    uint32_t *touched;          /* [schema->nmodels]: models a delete has
                                   collected objects of, in order */
    uint32_t ntouched;
    rel_errmsg errmsg;          /* why the last failing call failed */
    struct rel_index *indexes;  /* [schema->nuniques] (rel_unique.c) */
};

/* The hash index of one unique constraint: open addressing with linear
 * probing over object pointers (the keys are read from the objects),
 * cap a power of two or 0, at most three quarters full. */
typedef struct rel_index {
    void **slots;
    uint32_t cap, count;
} rel_index;

/* A new, empty store of the schema; NULL when out of memory. */
rel_store *rel_store_new(const rel_schema *schema);
/* Frees every object and the store; NULL is fine. */
void rel_store_free(rel_store *db);
/* Every invariant: both sides of every relation agree, every object a
 * relation holds is alive and in this store, counts and ids are
 * consistent, required relations are set, strings are valid UTF-8 within
 * max_length.  REL_ECORRUPT with the first broken one in errmsg.  It
 * follows no pointer before finding it among the store's regions (a
 * sorted array of them, or without memory for one, a walk). */
rel_status rel_store_verify(const rel_store *db);
/* Model k's objects, for rel_forall. */
static inline rel_cursor rel_all(const rel_store *db, uint32_t k) { return rel_cursor_of(&db->models[k].pool); }
/* The id index, built on first use; false (errmsg set) when out of memory. */
bool rel_index_ids(rel_store *db, uint32_t k);

/* Django's dumpdata and loaddata (runtime/rel_fixture.c; docs/api.md).
 * rel_dumpdata writes every object of the store as manage.py dumpdata
 * writes a JSON fixture (app label: the schema name), with indent 0 as
 * without --indent; REL_ENOMEM or REL_EINVAL (the stream failed) with
 * errmsg set, the output then incomplete.  rel_loaddata loads such a
 * fixture as manage.py loaddata does, all or nothing: on failure the
 * store is as it was and errmsg says "source_name:line:col: ...". */
rel_status rel_dumpdata(const rel_store *db, FILE *out, int indent);
rel_status rel_loaddata(rel_store *db, const char *text, size_t len, const char *source_name);

/* "No relation" where a relation index is expected. */
#define REL_NONE UINT32_MAX

/* The generic calls below name models, scalar fields and relations by
 * their index in the descriptor (rel_schema.models, rel_model.fields,
 * rel_schema.relations) and find the descriptor through the store. */

/* A new object of model k.  The variadic arguments are the model's
 * required relations' targets as `void *`, in rel_model.required order
 * (NULL, a target in another store, or a one-to-one target that already
 * has its object make it fail).  When `via` is not REL_NONE, the new
 * object is also linked to `other` through that relation: as its declaring
 * side when new_is_model, else as its target (a ForeignKey's reverse
 * create with null = true, or a many-to-many create).  All or nothing;
 * NULL with errmsg set on failure.  `who` names the call in messages
 * ("Book_new"). */
void *rel_new(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model,
              const char *who, ...);
/* rel_new with the schema, which the generated M_new passes: given a NULL
 * store, the message goes to the store of an object argument. */
void *rel_new_of(const rel_schema *s, rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model,
                 const char *who, ...);
/* rel_new for models with no, one or two required relations: the same
 * without a variadic call, which costs a create more than the rest of it
 * for small models. */
void *rel_new0(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who);
void *rel_new1(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who,
               void *a0);
void *rel_new2(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who,
               void *a0, void *a1);
/* The same, for a create through a relation of `self` (of model sk):
 * the store is self's, and a NULL or deleted self fails as any argument
 * does, reporting in the store of another object argument if there is
 * one (the schema says which arguments are objects). */
void *rel_new_from_of(const rel_schema *s, const void *self, uint32_t sk, uint32_t k, uint32_t via, void *other,
                      bool new_is_model, const char *who, ...);

/* Deletes objects[0..n) of model k and whatever Django's collector says
 * goes with them; all or nothing. */
rel_status rel_delete_many(uint32_t k, void *const *objects, size_t n, const char *who);

/* rel_delete_many that also says what it removed, as Django's delete()
 * returns (n, {model: n}): *total and per_model[nmodels] (either may be
 * NULL), zero unless the delete succeeds. */
rel_status rel_delete_ex_of(const rel_schema *s, uint32_t k, void *const *objects, size_t n, size_t *total,
                            size_t *per_model, uint32_t nmodels, const char *who);

/* One object in a delete plan: its model, the relation through which it
 * is reached (REL_NONE for an object the delete removes), and the object. */
typedef struct rel_ref {
    uint32_t model, relation;
    void *object;
} rel_ref;

/* What deleting some objects would do, without doing it (Django's
 * Collector, with ProtectedError.protected_objects and
 * RestrictedError.restricted_objects): status is what the delete would
 * return (REL_OK, REL_EPROTECTED, REL_ERESTRICTED); deleted lists what
 * would go (per model counts in per_model), set_null the referrers whose
 * relation would become NULL, blockers every referrer that refuses.
 * rel_delete_plan_free releases the lists. */
typedef struct rel_delete_plan {
    rel_status status;
    size_t total;
    size_t *per_model;              /* [nmodels] */
    rel_ref *deleted, *set_null, *blockers;
    size_t ndeleted, nset_null, nblockers;
} rel_delete_plan;

rel_status rel_delete_plan_of(const rel_schema *s, uint32_t k, void *const *objects, size_t n,
                              rel_delete_plan *plan, const char *who);
void rel_delete_plan_free(rel_delete_plan *plan);

/* Setters and set operations that are not hot, written once. */
rel_status rel_set_string(void *o, uint32_t k, uint32_t field, const char *value);
rel_status rel_fk_remove(uint32_t r, void *t, void *m, const char *who);
rel_status rel_fk_clear(uint32_t r, void *t);
rel_status rel_m2m_clear(uint32_t r, void *o, bool o_is_model);

/* Many-to-many relations with a through model (rel_through.c; r is the
 * many-to-many, m its declaring side's object, t the target's, self_is_m
 * which of them the call was made on).  rel_through_fk_set is M_set_r
 * for a ForeignKey that carries such a relation (fk its index), keeping
 * the sets in step.  rel_through_add links m and t with a new through
 * object (its other required relations follow, as void *, in
 * rel_model.required order); an existing pair changes nothing.
 * rel_through_find: the pair's through object with the lowest id, or
 * NULL.  rel_through_remove deletes every through object of the pair,
 * rel_through_clear every through object of o (o_is_model: o is on the
 * declaring side), with the collector, all or nothing.
 * rel_through_create makes a new partner of self (its required targets
 * as variadic void *, then the through object's as for add) and adds it;
 * NULL with nothing changed on failure. */
rel_status rel_through_fk_set(void *m, void *t, uint32_t fk, const char *who);
rel_status rel_through_add(uint32_t r, void *m, void *t, bool self_is_m, const char *who, ...);
void *rel_through_find(uint32_t r, const void *m, const void *t);
rel_status rel_through_remove(uint32_t r, void *m, void *t, bool self_is_m, const char *who);
rel_status rel_through_clear(const rel_schema *s, uint32_t r, void *o, bool o_is_model, const char *who);
void *rel_through_create(const rel_schema *s, uint32_t r, void *self, bool self_is_m, const char *who, ...);

/* The cold halves of the inline helpers below: each formats the message
 * into the store's errmsg and returns the status.  rel_fail_other_store
 * takes the relation's two objects in its order (m declares r, t is its
 * target) and which of them the call was made on; the other one is the
 * stranger.  `who` NULL words the message after the object ("Book 3:
 * Author 4 belongs to another store"), else after the call
 * ("Student_courses_add: Course 4 ..."). */
rel_status rel_fail_null_arg(rel_store *db, const char *who, const char *model);
/* A NULL or deleted object where a live one of model k was needed: "NULL
 * Author" or "Book 17 was deleted", in the errmsg of its store, or of
 * `other`'s when it is NULL (which may be NULL too: then of no store, and
 * rel_errmsg_nostore() has it).  REL_EINVAL. */
rel_status rel_fail_arg(const void *o, uint32_t k, const void *other, const char *who);
const char *rel_errmsg_nostore(void);
rel_status rel_fail_required(uint32_t r, void *m);
rel_status rel_fail_other_store(uint32_t r, void *m, void *t, bool m_is_self, const char *who);
rel_status rel_fail_taken(uint32_t r, void *t);
/* A NULL or deleted object among m and t (relation r's two sides; which
 * one the call was made on), for rel_fail_arg. */
rel_status rel_fail_link(uint32_t r, const void *m, const void *t, bool m_is_self, const char *who);
rel_status rel_fail_nomem(uint32_t r, void *self);

/* Unique constraints (rel_unique.c).  rel_get_by finds model's object
 * whose members of constraint u equal *vals[i] (each points at a value
 * of the member's C type; a relation's at the target pointer); NULL if
 * none.  rel_set_unique sets scalar field `field` of o (model k) to
 * *(const T *)value, refusing with REL_EUNIQUE a value another object
 * has.  rel_set_rel_unique is M_set_r (and the reverse add) for a
 * ForeignKey or OneToOneField r in a unique constraint: m.r = t. */
void *rel_get_by(const rel_store *db, uint32_t u, const void *const *vals);
rel_status rel_set_unique(void *o, uint32_t k, uint32_t field, const void *value);
rel_status rel_set_rel_unique(void *m, void *t, uint32_t r);

/* The calls above that can be given nothing but NULL objects (a setter or
 * clear of NULL, M_delete(NULL), a create through a NULL object), with
 * the schema, which the generated code passes: without a store, the
 * message in rel_errmsg_nostore() still names the model ("Author_delete:
 * NULL Author"), and a create through a NULL or deleted object reports
 * in the store of its other arguments (the schema says how many required
 * targets follow).  Otherwise the same as without _of. */
rel_status rel_fail_arg_of(const rel_schema *s, const void *o, uint32_t k, const void *other, const char *who);
rel_status rel_delete_many_of(const rel_schema *s, uint32_t k, void *const *objects, size_t n, const char *who);
/* M_delete: rel_delete_many_of of one object, with a shorter path for a
 * model whose delete nothing can refuse and that only leaves refer to. */
rel_status rel_delete_one_of(const rel_schema *s, uint32_t k, void *o, const char *who);

/* GenericForeignKey (runtime/rel_generic.c).  r is the relation of one
 * listed model: any for the head's calls.  rel_gfk_set_any points m (of
 * model k) at x of any listed model (REL_EINVAL for another model or
 * store); rel_gfk_remove deletes m when it points at t (Django's
 * GenericRelation remove), rel_gfk_clear every object that does, with
 * the collector, all or nothing; rel_gfk_unlink takes m out of the
 * reverse list of the model it points at, which is not r's. */
rel_status rel_gfk_set_any(void *m, uint32_t k, void *x, uint32_t r, const char *who);
rel_status rel_gfk_remove(uint32_t r, void *t, void *m, const char *who);
rel_status rel_gfk_clear(uint32_t r, void *t, const char *who);
void rel_gfk_unlink(void *m, uint32_t r);
rel_status rel_fail_gfk_model(uint32_t r, void *m, const void *x, const char *who);

/* ==== inline helpers: the hot calls ====================================== */

/* Model k's object with this id, or NULL (also when the index cannot be
 * built for want of memory; errmsg says so). */
static inline void *rel_get(const rel_store *db, uint32_t k, uint64_t id)
{
    const rel_model_state *ms = &db->models[k];
    void *o;
    if (id == 0 || id > ms->last_id)
        return NULL;
    if (!ms->ids.items && !rel_index_ids((rel_store *)db, k))
        return NULL;
    o = ms->ids.items[id - 1];
    return o && REL_CTAG(o) == (uint32_t)id ? o : NULL;   /* not deleted, not a reuse */
}

/* ForeignKey: links m to t at the end of t's reverse list (room reserved). */
static inline void rel_fk_link(void *m, void *t, size_t fwd, size_t pos, size_t rev)
{
    rel_list *l = &REL_AT(t, rev, rel_list);
    REL_AT(m, pos, uint32_t) = l->count;
    l->items[l->count++] = m;
    rel_fwd_set(m, fwd, t);
}

/* ForeignKey: m leaves the reverse list of t, its target (the last
 * element moves into its place); m's reference is left as it is. */
static inline void rel_fk_leave(void *m, void *t, size_t pos, size_t rev)
{
    rel_list *l = &REL_AT(t, rev, rel_list);
    uint32_t at = REL_AT(m, pos, uint32_t);
    void *last = l->items[--l->count];
    l->items[at] = last;
    REL_AT(last, pos, uint32_t) = at;
}

/* ForeignKey: m leaves its target's reverse list and points nowhere. */
static inline void rel_fk_unlink(void *m, size_t fwd, size_t pos, size_t rev)
{
    void *t = rel_fwd(m, fwd);
    if (!t)
        return;
    rel_fk_leave(m, t, pos, rev);
    rel_fwd_set(m, fwd, NULL);
}

/* Whether this process has made more than one store (rel_store_new; it
 * never goes back to false).  While it has made one, every live object is
 * of that store, so rel_fk_set, rel_m2m_add and the inline create skip
 * comparing two objects' stores (two region-header loads) for one load
 * of this.  Set atomically with GCC and Clang; with other compilers it is
 * true from the first store on (the comparison is then always made). */
extern uint32_t rel_many_stores;
static inline bool rel_maybe_other_store(void)
{
#if defined(__GNUC__)
    return __atomic_load_n(&rel_many_stores, __ATOMIC_RELAXED) != 0;
#else
    return rel_many_stores != 0;
#endif
}

/* rel_fk_set's cases other than a live m to a live t: a NULL or deleted
 * argument (REL_EINVAL), or t NULL (REL_ENULL for a required relation,
 * else m leaves its target's list). */
rel_status rel_fk_set_cold(void *m, void *t, uint32_t r, size_t fwd, size_t pos, size_t rev, bool null);

/* M_set_r for a ForeignKey: m.r = t, its reverse lists kept in step.  m
 * must be alive, and t alive or NULL.  The common case (two live objects
 * of one store) is written for the fewest instructions: both tags tested
 * with one OR, the NULL target and every failure out of line, t's count
 * and items read once (the unlink writes nothing of t's list: t is not
 * the old target), m's old position and reference written only once, and
 * the stores compared only when there can be two (rel_many_stores). */
static inline rel_status rel_fk_set(void *m, void *t, uint32_t r, size_t fwd, size_t pos,
                                    size_t rev, bool null)
{
    void **items;
    rel_list *l;
    rel_cref old, ref;
    uint32_t n;
    if (!m || !t || ((REL_CTAG(m) | REL_CTAG(t)) & REL_DEAD))
        return rel_fk_set_cold(m, t, r, fwd, pos, rev, null);
    old = REL_CAT(m, fwd, rel_cref);
    ref = rel_cref_to(t);
    if (old == ref)
        return REL_OK;
    if (rel_maybe_other_store() && rel_store_of(t) != rel_store_of(m))
        return rel_fail_other_store(r, m, t, true, NULL);
    l = &REL_AT(t, rev, rel_list);
    if (l->count == l->cap && rel_list_grow(l, (size_t)l->count + 1))
        return rel_fail_nomem(r, m);
    n = l->count;
    items = l->items;
    /* A live object's required relation is never NULL (verify checks it),
     * so for one the old target needs no test. */
    if (!null || old)
        rel_fk_leave(m, rel_deref(old), pos, rev);
    REL_AT(m, pos, uint32_t) = n;
    items[n] = m;
    l->count = n + 1;
    REL_AT(m, fwd, rel_cref) = ref;
    return REL_OK;
}

/* M_set_r_T for a GenericForeignKey: m points at t, of model tk, through
 * relation r (whose offsets these are), or at nothing; its discriminator
 * (ct) and both reverse lists kept in step. */
static inline rel_status rel_gfk_set(void *m, void *t, uint32_t r, size_t fwd, size_t pos, size_t ct,
                                     size_t rev, uint32_t tk, bool null)
{
    uint32_t old;
    if (!rel_alive(m) || (t && !rel_alive(t)))
        return rel_fail_link(r, m, t, true, NULL);
    old = REL_AT(m, ct, uint32_t);
    if (t) {
        rel_list *l = &REL_AT(t, rev, rel_list);
        if (old == tk + 1 && rel_fwd(m, fwd) == t)
            return REL_OK;
        if (rel_store_of(t) != rel_store_of(m))
            return rel_fail_other_store(r, m, t, true, NULL);
        if (rel_model_of(t) != tk)
            return rel_fail_gfk_model(r, m, t, NULL);
        if (l->count == l->cap && rel_list_grow(l, (size_t)l->count + 1))
            return rel_fail_nomem(r, m);
    } else if (!null) {
        return rel_fail_required(r, m);
    }
    if (old == tk + 1)
        rel_fk_unlink(m, fwd, pos, rev);
    else if (old)
        rel_gfk_unlink(m, r);
    REL_AT(m, ct, uint32_t) = t ? tk + 1 : 0;
    if (t)
        rel_fk_link(m, t, fwd, pos, rev);
    return REL_OK;
}

/* M_set_r for a OneToOneField: m.r = t and t's reverse pointer = m; a t
 * that already has another object fails with REL_EUNIQUE. */
static inline rel_status rel_o2o_set(void *m, void *t, uint32_t r, size_t fwd, size_t rev,
                                     bool null)
{
    void *old;
    if (!rel_alive(m) || (t && !rel_alive(t)))
        return rel_fail_link(r, m, t, true, NULL);
    old = rel_fwd(m, fwd);
    if (old == t && t)
        return REL_OK;
    if (!t) {
        if (!null)
            return rel_fail_required(r, m);
    } else {
        if (rel_store_of(t) != rel_store_of(m))
            return rel_fail_other_store(r, m, t, true, NULL);
        if (REL_AT(t, rev, void *))
            return rel_fail_taken(r, t);
    }
    if (old)
        REL_AT(old, rev, void *) = NULL;
    rel_fwd_set(m, fwd, t);
    if (t)
        REL_AT(t, rev, void *) = m;
    return REL_OK;
}

/* Whether x is in items[0..count), and where (*at).  Two entries a turn
 * (an odd one first): per entry a compare and a branch, and the loop's
 * own add, compare and branch only every second one, which makes the
 * scans of contains, add and remove cheaper than a plain loop.  A found
 * flag rather than a UINT32_MAX position: the compiler then needs no test
 * that a position found is not UINT32_MAX.  Positions here are size_t,
 * as later in rel_m2m_remove: an index into items needs 64 bits, and a
 * uint32_t would be extended again at each use.  items may be NULL when
 * count is 0: nothing is read and no pointer arithmetic is done. */
static inline bool rel_ptr_find(void *const *items, uint32_t count, const void *x, size_t *at)
{
    size_t n = count, i = n & 1;   /* size_t: no zero extension per entry */
    if (i && items[0] == x) {
        *at = 0;
        return true;
    }
    for (; i < n; i += 2) {
        if (items[i] == x) {
            *at = i;
            return true;
        }
        if (items[i + 1] == x) {
            *at = i + 1;
            return true;
        }
    }
    return false;
}

/* Many-to-many between m (the declaring side, set at ms) and t (set at
 * ts): where t sits in m's set, or UINT32_MAX.  Scans the smaller side. */
static inline uint32_t rel_m2m_find(const void *m, size_t ms, const void *t, size_t ts)
{
    const rel_vec *a = &REL_CAT(m, ms, rel_vec), *b = &REL_CAT(t, ts, rel_vec);
    size_t i;
    if (a->count <= b->count)
        return rel_ptr_find(a->items, a->count, t, &i) ? (uint32_t)i : UINT32_MAX;
    return rel_ptr_find(b->items, b->count, m, &i) ? rel_vec_back(b)[i] : UINT32_MAX;
}

/* Links m and t (room reserved on both).  A symmetrical relation links an
 * object to itself with one entry; sym says whether the relation can be
 * symmetrical (a constant in the generated calls, so that the test folds
 * away for every other relation).  Items, back positions and counts are
 * read before anything is written: a store through a uint32_t * could be
 * a count, so the compiler would otherwise read them again after each
 * store. */
static inline void rel_m2m_link_at(void *m, size_t ms, void *t, size_t ts, bool sym)
{
    rel_vec *a = &REL_AT(m, ms, rel_vec), *b = &REL_AT(t, ts, rel_vec);
    uint32_t im = a->count, it = b->count;
    void **ai = a->items, **bi = b->items;
    uint32_t *aback = rel_vec_back(a), *bback = rel_vec_back(b);
    if (sym && a == b) {
        a->count = im + 1;
        ai[im] = t;
        aback[im] = im;
        return;
    }
    a->count = im + 1;
    b->count = it + 1;
    ai[im] = t;
    aback[im] = it;
    bi[it] = m;
    bback[it] = im;
}

/* rel_m2m_link_at for the runtime's own calls: a symmetrical relation has
 * both sets at one offset. */
static inline void rel_m2m_link(void *m, size_t ms, void *t, size_t ts)
{
    rel_m2m_link_at(m, ms, t, ts, ms == ts);
}

/* Removes entry i of set v (whose partners keep their sets at `other`):
 * the last entry moves into the hole, and its partner learns the new
 * position.  can_self: whether v's partners can hold their entry in v
 * itself (an object linked to itself by a symmetrical relation); false
 * when the caller knows v's own offset differs from `other`, which skips
 * the test. */
static inline void rel_m2m_drop_at(rel_vec *v, size_t i, size_t other, bool can_self)
{
    void **items = v->items;
    uint32_t *back = rel_vec_back(v), last = v->count - 1;
    v->count = last;
    if (i != last) {
        size_t pos = back[last];
        void *moved = items[last];
        rel_vec *mv = &REL_AT(moved, other, rel_vec);
        items[i] = moved;
        if (can_self && mv == v) {
            back[i] = (uint32_t)i;  /* an object linked to itself */
        } else {
            back[i] = (uint32_t)pos;
            rel_vec_back(mv)[pos] = (uint32_t)i;
        }
    }
}

/* rel_m2m_drop_at for a set whose partners may be linked to themselves. */
static inline void rel_m2m_drop(rel_vec *v, uint32_t i, size_t other)
{
    rel_m2m_drop_at(v, i, other, true);
}

/* Removes the link between entry im of m's set (at ms) and entry it of
 * t's set (at ts) from both sides, once for a link of an object to itself
 * (only where sym: the relation can be symmetrical). */
static inline void rel_m2m_unlink_at(void *m, size_t ms, void *t, size_t ts, size_t im, size_t it, bool sym)
{
    rel_vec *a = &REL_AT(m, ms, rel_vec), *b = &REL_AT(t, ts, rel_vec);
    rel_m2m_drop_at(a, im, ts, sym);
    if (!sym || a != b)
        rel_m2m_drop_at(b, it, ms, sym);
}

/* Removes the link at position im of m's set from both sides. */
static inline void rel_m2m_unlink(void *m, size_t ms, size_t ts, uint32_t im)
{
    const rel_vec *a = &REL_CAT(m, ms, rel_vec);
    rel_m2m_unlink_at(m, ms, a->items[im], ts, im, rel_vec_back(a)[im], ms == ts);
}

/* Field defaults of a new object of model k (the strings, and scalars
 * whose default is not zero). */
void rel_init_fields(const rel_store *db, uint32_t k, void *o);


/* n bytes from src to dst, which may hold members of any type: memcpy,
 * without <string.h>, whose names (index, strspn...) a schema may give
 * its models. */
static inline void rel_put_bytes(void *dst, const void *src, size_t n)
{
#if defined(__GNUC__)
    __builtin_memcpy(dst, src, n);
#else
    size_t i;
    for (i = 0; i < n; i++)
        ((unsigned char *)dst)[i] = ((const unsigned char *)src)[i];
#endif
}

/* Word w (8 bytes) of a new object: the tag `tag` in word 0, when
 * `linked` the reference `ref` at fwd and the position `at` at pos, zero
 * elsewhere.  Two 32-bit stores, not one of 8 bytes: a word of a
 * reference and a position would be put together with a shift and an or
 * first (and an 8-byte copy of the pair is stored from a vector
 * register), 130 instructions a create in make bench against 128.  The
 * tag is stored as the tag (REL_TAG): the compiler then knows what a
 * getter's or setter's test of it right after the create reads, and
 * (with rel_new_fast's bound on the id) folds the test away. */
REL_INLINE_ALWAYS void rel_new_word(char *o, size_t w, uint32_t tag, bool linked, rel_cref ref, size_t fwd,
                                    size_t pos, uint32_t at)
{
    uint32_t half[2];
    half[0] = 0;
    half[1] = 0;
    if (linked && fwd / 8 * 8 == w)
        half[fwd % 8 / 4] = ref;
    if (linked && pos / 8 * 8 == w)
        half[pos % 8 / 4] = at;
    if (w == 0)
        REL_TAG(o) = tag;
    else
        rel_put_bytes(o + w, &half[0], sizeof half[0]);
    rel_put_bytes(o + w + 4, &half[1], sizeof half[1]);
}

/* Writes the words of a new object of `size` bytes (its slot has room
 * for it rounded up to 8) from byte `from` up to `to` (a multiple of
 * 8): with constant arguments, two 32-bit stores a word, the words that hold
 * members written with their values rather than zeroed first.
 * rel_new_fast writes word 0 (the tag), word 1 and the rest apart, with
 * its other stores between, so that a compiler does not pair words in a
 * vector register, which takes more instructions than it saves. */
REL_INLINE_ALWAYS void rel_new_words(char *o, size_t size, size_t from, size_t to, uint32_t tag, bool linked,
                                     rel_cref ref, size_t fwd, size_t pos, uint32_t at)
{
    size_t w;
    if (sizeof(void *) != 8 || size > 64) {   /* no words: the members one by one */
        if (from == 0) {
            REL_TAG(o) = tag;
        } else if (from == 8) {
            for (w = 4; w < size; w++)   /* a constant size: a few stores */
                o[w] = 0;
            if (linked) {
                REL_AT(o, pos, uint32_t) = at;
                REL_AT(o, fwd, rel_cref) = ref;
            }
        }
        return;
    }
    for (w = from; w < to && w < size; w += 8)   /* unrolled: at most 8 */
        rel_new_word(o, w, tag, linked, ref, fwd, pos, at);
}

/* A slot for a new object of the model whose state is ms when the
 * inline create's gate (rel_pool.end) is closed: the free list's head, or
 * a bump, the region full or not; the id space checked, and the slot
 * already entered in the id index if there is one (so the caller must
 * then make the object, which nothing can stop).  The gate is set again
 * for the creates after it.  NULL with nothing changed when out of ids
 * or memory (the generic path then reports it). */
void *rel_new_slot(rel_model_state *ms);

/* The fast path of creating an object of model k (size bytes, `init`
 * when it has defaults to set) with no required relation, or with one
 * required ForeignKey r to t (fwd, pos, rev its offsets; t NULL for none):
 * the common case of rel_new0/rel_new1, inline with constant sizes and
 * offsets (t's list grows here too, out of line).  Its one test for
 * everything unusual about the slot and the id is the gate, p->end
 * (rel_pool): a slot to reuse, the id index to fill, the id space near
 * its end, the region full all close it, and rel_new_slot (out of line)
 * handles them.  A bad argument, or no ids or memory left, goes to the
 * generic path, which reports errors as usual.  The stores are compared
 * only when the process has made more than one (rel_maybe_other_store). */
REL_INLINE_ALWAYS void *rel_new_fast(rel_store *db, uint32_t k, size_t size, bool init, uint32_t r, void *t,
                                 size_t fwd, size_t pos, size_t rev, const char *who)
{
    rel_model_state *ms;
    rel_pool *p;
    rel_list *l = NULL;
    uint32_t id, at = 0;
    rel_cref ref = 0;
    char *o;
    if (!db || (r != REL_NONE && (!rel_alive(t) || (rel_maybe_other_store() && rel_store_of(t) != db))))
        goto slow;
    ms = &db->models[k];
    if (r != REL_NONE) {
        /* Growing the target's list changes no count: a failure after it
         * has nothing to undo.  The count is read once: the stores below
         * (last_id, count) are uint32_t too, so the compiler would read
         * it again after them. */
        l = &REL_AT(t, rev, rel_list);
        at = l->count;
        if (at == l->cap && rel_list_grow(l, (size_t)at + 1))
            goto slow;   /* which reports it */
        ref = rel_cref_to(t);
    }
    p = &ms->pool;
    o = p->next;
    if (o != p->end) {   /* the gate: open, a bump is all it takes */
        p->next = o + p->size;
        if (ms->ids.items)   /* once M_get built the id index (room: the gate) */
            ms->ids.items[ms->ids.count++] = o;
    } else if (!(o = (char *)rel_new_slot(ms)))
        goto slow;
    id = ms->last_id + 1;
#if defined(__GNUC__)
    /* True by the gate (open for no more slots than ids are left) and by
     * rel_new_slot's test: the compiler then knows that the new tag has
     * no REL_DEAD, and the tests of it that follow fold away. */
    if (id > REL_ID_MAX)
        __builtin_unreachable();
#endif
    rel_new_words(o, size, 16, 64, id, r != REL_NONE, ref, fwd, pos, at);
    ms->last_id = id;
    rel_new_words(o, size, 8, 16, id, r != REL_NONE, ref, fwd, pos, at);
    ms->count++;
    if (l) {
        l->items[at] = o;
        l->count = at + 1;
    }
    rel_new_words(o, size, 0, 8, id, r != REL_NONE, ref, fwd, pos, at);
    if (init)
        rel_init_fields(db, k, o);
    return o;
slow:
    return r == REL_NONE ? rel_new0(db, k, REL_NONE, NULL, false, who)
                         : rel_new1(db, k, REL_NONE, NULL, false, who, t);
}

/* The cold half of rel_m2m_add's checks (rel_m2m.c): m or t NULL or
 * deleted (as rel_fail_link), else of two stores (as
 * rel_fail_other_store). */
rel_status rel_fail_pair(uint32_t r, void *m, void *t, bool m_is_self, const char *who);

/* M_r_add / T_rv_add: links m (declaring side) and t; an existing link
 * changes nothing.  `self` is the object the call was made on; sym: the
 * relation is symmetrical (see rel_m2m_link_at).  The
 * checks are one test of both tags, which are read anyway, and, once the
 * process has made a second store (rel_maybe_other_store), one of both
 * regions' stores; what failed is sorted out off the fast path. */
static inline rel_status rel_m2m_add(uint32_t r, void *m, size_t ms, void *t, size_t ts, bool sym,
                                     bool self_is_m, const char *who)
{
    rel_vec *a, *b;
    if (!m || !t || ((REL_CTAG(m) | REL_CTAG(t)) & REL_DEAD)
        || (rel_maybe_other_store() && rel_store_of(m) != rel_store_of(t)))
        return rel_fail_pair(r, m, t, self_is_m, who);
    if (rel_m2m_find(m, ms, t, ts) != UINT32_MAX)
        return REL_OK;
    a = &REL_AT(m, ms, rel_vec);
    b = &REL_AT(t, ts, rel_vec);
    /* Growing a changes no count: if b then fails, a is only bigger. */
    if ((a->count == a->cap && rel_vec_grow(a, (size_t)a->count + 1))
        || (b->count == b->cap && rel_vec_grow(b, (size_t)b->count + 1)))
        return rel_fail_nomem(r, self_is_m ? m : t);
    rel_m2m_link_at(m, ms, t, ts, sym);
    return REL_OK;
}

/* M_r_remove / T_rv_remove: unlinks m and t if linked.  The side it scans
 * gives both positions (the one it finds and its back position), so
 * nothing is read twice. */
static inline rel_status rel_m2m_remove(uint32_t r, void *m, size_t ms, void *t, size_t ts, bool sym,
                                        bool self_is_m, const char *who)
{
    const rel_vec *a, *b;
    size_t im, it;
    if (!m || !t || ((REL_CTAG(m) | REL_CTAG(t)) & REL_DEAD))
        return rel_fail_link(r, m, t, self_is_m, who);
    a = &REL_CAT(m, ms, rel_vec);
    b = &REL_CAT(t, ts, rel_vec);
    if (a->count <= b->count) {
        if (!rel_ptr_find(a->items, a->count, t, &im))
            return REL_OK;
        it = rel_vec_back(a)[im];
    } else {
        if (!rel_ptr_find(b->items, b->count, m, &it))
            return REL_OK;
        im = rel_vec_back(b)[it];
    }
    rel_m2m_unlink_at(m, ms, t, ts, im, it, sym);
    return REL_OK;
}

/* contains: false for a NULL or deleted object, which no set holds. */
static inline bool rel_m2m_contains(const void *m, size_t ms, const void *t, size_t ts)
{
    const rel_vec *a, *b;
    size_t i;
    if (!m || !t || ((REL_CTAG(m) | REL_CTAG(t)) & REL_DEAD))
        return false;
    a = &REL_CAT(m, ms, rel_vec);
    b = &REL_CAT(t, ts, rel_vec);
    return a->count <= b->count ? rel_ptr_find(a->items, a->count, t, &i) : rel_ptr_find(b->items, b->count, m, &i);
}

#ifdef __cplusplus
}
#endif

#endif
