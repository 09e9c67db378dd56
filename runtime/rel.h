/* rel.h: the runtime that relc-generated code uses.
 *
 * Status codes, the allocator hooks, and the growable pointer vectors that
 * hold reverse sides and many-to-many sets.  Nothing here beyond the C
 * library; nothing here aborts: every failure is a status.
 */
#ifndef REL_H
#define REL_H

#include "rel_version.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a call can come back with.  REL_OK is 0, so `if (status)` tests for
 * failure. */
typedef enum rel_status {
    REL_OK = 0,
    REL_ENOMEM,         /* out of memory; nothing changed */
    REL_EPROTECTED,     /* delete refused: a PROTECT relation refers to it */
    REL_ERESTRICTED,    /* delete refused: a RESTRICT relation refers to it */
    REL_EUNIQUE,        /* one-to-one target already has its object */
    REL_ENULL,          /* NULL where the relation is not null = true */
    REL_ETOOLONG,       /* string longer than its max_length */
    REL_EINVAL,         /* an argument that cannot be right (wrong store, not related) */
    REL_ECORRUPT        /* verify found a broken invariant */
} rel_status;

/* A constant English description ("out of memory", ...). */
const char *rel_strerror(rel_status status);

/* The message of the last failing call on a store, and the one way
 * generated code sets it: formats into the buffer (truncating) and returns
 * status, so that a failure is `return rel_fail(&db->errmsg, ...)`. */
typedef struct rel_errmsg {
    char text[256];
} rel_errmsg;

rel_status rel_fail(rel_errmsg *msg, rel_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

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

/* The growable arrays of object pointers that generated code keeps.  It
 * reads and writes the elements through its own typed pointers; the
 * runtime only grows and frees the storage.  Positions and counts are
 * 32-bit, which keeps objects small; an array holds at most REL_VEC_MAX
 * elements, and growing past that fails with REL_ENOMEM.  (So positions
 * and ids fit in 31 bits, which lets an object keep its delete mark in the
 * 32nd.) */
#define REL_VEC_MAX (((uint32_t)1 << 31) - 1)

/* A plain list: a ForeignKey's reverse set, the store's list of every
 * object of a model, its objects by id. */
typedef struct rel_list {
    void *items;        /* T *[cap] */
    uint32_t count, cap;
} rel_list;

/* A many-to-many set: with each partner, in `back`, the position where
 * this object sits in that partner's set, which makes removal O(1). */
typedef struct rel_vec {
    void *items;        /* T *[cap] */
    uint32_t *back;     /* uint32_t[cap] */
    uint32_t count, cap;
} rel_vec;

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

/* A pool of equal-sized objects: the generated store takes each model's
 * objects from one, so that creating and deleting them costs a pointer
 * push or pop instead of a malloc and a free, and objects of a model sit
 * together in memory.  Chunks come from rel_malloc, grow geometrically and
 * are returned only by rel_pool_free; freed objects wait on a list for
 * reuse.  Under AddressSanitizer a freed object is poisoned until reused,
 * except its first word (the free list's link) and the 32-bit field at
 * keep_offset, which stays readable: generated code keeps an object's id
 * there and zeroes it on delete, so that looking up a deleted id finds the
 * place taken by 0 or by a newer object's id. */
typedef struct rel_pool {
    void *free_list;     /* freed objects, linked through their first word */
    char *next, *end;    /* the unused rest of the newest chunk */
    void *chunks;        /* every chunk, linked through its first word */
    size_t size;         /* of one object, a multiple of the pointer size */
    size_t chunk_bytes;  /* of the next chunk */
    size_t keep_offset;  /* of the field that stays readable when freed */
} rel_pool;

void  rel_pool_init(rel_pool *p, size_t object_size, size_t keep_offset);
/* The slow path of rel_pool_get: a freed object under AddressSanitizer
 * (to unpoison it), or a new chunk. */
void *rel_pool_get_slow(rel_pool *p);
void  rel_pool_put(rel_pool *p, void *object);

/* An object of garbage content; NULL when out of memory.  Inline, because
 * every create asks: the common cases are a pop from the free list or a
 * bump in the current chunk. */
static inline void *rel_pool_get(rel_pool *p)
{
#if !defined(__SANITIZE_ADDRESS__)
    void *o = p->free_list;
    if (o) {
        p->free_list = *(void **)o;
        return o;
    }
    if (p->next && (size_t)(p->end - p->next) >= p->size) {
        o = p->next;
        p->next += p->size;
        return o;
    }
#endif
    return rel_pool_get_slow(p);
}
/* Frees every chunk: every object taken from the pool is gone. */
void  rel_pool_free(rel_pool *p);

/* Characters (UTF-8 code points) in a NUL-terminated string: what
 * max_length limits, as Django counts it. */
size_t rel_utf8_length(const char *s);
/* A copy made with rel_malloc; NULL when out of memory. */
char  *rel_strdup(const char *s);

/* Iterates a typed list view:  rel_foreach(Book, b, Author_books(a)) { ... }
 * `list` is evaluated twice, so pass a view or an accessor call (both are
 * cheap and have no side effects); the collection must not change while the
 * loop runs. */
#define rel_foreach(T, var, list)                                              \
    for (T *var = NULL, *const *rel_it_##var = (list).items,                   \
                        *const *rel_end_##var = rel_it_##var                   \
                            ? rel_it_##var + (list).count : rel_it_##var;      \
         rel_it_##var != rel_end_##var && ((var = *rel_it_##var), 1);          \
         rel_it_##var++)

#ifdef __cplusplus
}
#endif

#endif
