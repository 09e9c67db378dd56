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
    REL_EUNIQUE,        /* one-to-one target already has its object */
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

/* A many-to-many set: with each partner, in `back`, the position where
 * this object sits in that partner's set, which makes removal O(1). */
typedef struct rel_vec {
    void **items;       /* [cap] */
    uint32_t *back;     /* [cap], in the same block as items */
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

/* A pool of equal-sized objects: the store takes each model's objects from
 * one, so that creating and deleting them costs a pointer push or pop
 * instead of a malloc and a free, and objects of a model sit together in
 * memory.  Chunks come from rel_malloc, grow geometrically and are returned
 * only by rel_pool_free; freed objects wait on a list for reuse.  Under
 * AddressSanitizer a freed object is poisoned until reused, except its
 * first word (the free list's link) and the 32-bit field at keep_offset,
 * which stays readable: it holds the object's id, which delete zeroes, so
 * that looking up a deleted id finds the place taken by 0 or by a newer
 * object's id. */
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
/* Frees every chunk: every object taken from the pool is gone. */
void  rel_pool_free(rel_pool *p);

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

/* ==== the schema descriptor =============================================== */

/* The type of a field.  Scalars first, then the relation kinds. */
typedef enum rel_type {
    REL_BOOL, REL_INT8, REL_INT16, REL_INT32, REL_INT64,
    REL_UINT8, REL_UINT16, REL_UINT32, REL_UINT64,
    REL_FLOAT, REL_DOUBLE, REL_STRING,
    REL_FOREIGN_KEY, REL_ONE_TO_ONE, REL_MANY_TO_MANY
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
    uint32_t fwd;            /* in model: the target pointer, or the rel_vec */
    uint32_t pos;            /* ForeignKey, in model: the uint32_t position
                                in the target's reverse list */
    uint32_t rev;            /* in target: the rel_list (ForeignKey), the
                                pointer back (one-to-one) or the rel_vec
                                (many-to-many; == fwd when symmetrical) */
} rel_relation;

/* A model. */
typedef struct rel_model {
    const char *name;               /* "Book" */
    uint32_t size;                  /* sizeof the struct */
    const rel_field *fields;        /* the scalar fields, in schema order */
    uint32_t nfields;
    const uint32_t *relations;      /* relations it declares, in schema order */
    uint32_t nrelations;
    const uint32_t *required;       /* its ForeignKey and OneToOneField
                                       relations that are not null = true,
                                       in order: the arguments of M_new */
    uint32_t nrequired;
    const uint32_t *incoming;       /* relations whose target it is */
    uint32_t nincoming;
    /* Its scalar fields and relations in declaration order, as Django
     * writes them in a fixture: a value v < nfields is fields[v], else
     * relations[v - nfields].  NULL when that order is the fields, then
     * the relations. */
    const uint32_t *order;
} rel_model;

/* A schema: what every generic algorithm walks. */
typedef struct rel_schema {
    const char *name;               /* the app label: "library" */
    const rel_model *models;
    uint32_t nmodels;
    const rel_relation *relations;
    uint32_t nrelations;
} rel_schema;

/* ==== objects and the store =============================================== */

typedef struct rel_store rel_store;

/* The first member of every generated object: relc's bookkeeping. */
typedef struct rel_object {
    rel_store *db;              /* the store it belongs to */
    uint32_t id;                /* 1, 2, 3 ... per model; 0 once deleted */
    uint32_t pos : 31;          /* in the store's list of every object of its model */
    uint32_t mark : 1;          /* set while a delete collects it */
} rel_object;

#define REL_OBJ(o) ((rel_object *)(void *)(o))
#define REL_COBJ(o) ((const rel_object *)(const void *)(o))
/* The member at byte offset `off` of object o, as type T. */
#define REL_AT(o, off, T) (*(T *)(void *)((char *)(o) + (off)))
#define REL_CAT(o, off, T) (*(const T *)(const void *)((const char *)(o) + (off)))

/* What the store keeps for one model. */
typedef struct rel_model_state {
    rel_list all;               /* every live object, each at its pos */
    rel_list ids;               /* by id - 1, if its id still says so */
    rel_pool pool;              /* where its objects live */
    rel_list collected;         /* a delete's objects of this model */
    uint32_t done;              /* how many collected ones had their
                                   referrers collected */
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
};

/* A new, empty store of the schema; NULL when out of memory. */
rel_store *rel_store_new(const rel_schema *schema);
/* Frees every object and the store; NULL is fine. */
void rel_store_free(rel_store *db);
/* Every invariant: both sides of every relation agree, lists, ids and
 * positions are consistent, required relations are set, strings respect
 * max_length.  REL_ECORRUPT with the first broken one in errmsg. */
rel_status rel_store_verify(const rel_store *db);

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

/* Deletes objects[0..n) of model k and whatever Django's collector says
 * goes with them; all or nothing. */
rel_status rel_delete_many(uint32_t k, void *const *objects, size_t n, const char *who);

/* Setters and set operations that are not hot, written once. */
rel_status rel_set_string(void *o, uint32_t k, uint32_t field, const char *value);
rel_status rel_fk_remove(uint32_t r, void *t, void *m, const char *who);
rel_status rel_fk_clear(uint32_t r, void *t);
rel_status rel_m2m_clear(uint32_t r, void *o, bool o_is_model);

/* The cold halves of the inline helpers below: each formats the message
 * into the store's errmsg and returns the status.  rel_fail_other_store
 * takes the relation's two objects in its order (m declares r, t is its
 * target) and which of them the call was made on; the other one is the
 * stranger.  `who` NULL words the message after the object ("Book 3:
 * Author 4 belongs to another store"), else after the call
 * ("Student_courses_add: Course 4 ..."). */
rel_status rel_fail_null_arg(rel_store *db, const char *who, const char *model);
rel_status rel_fail_required(uint32_t r, void *m);
rel_status rel_fail_other_store(uint32_t r, void *m, void *t, bool m_is_self, const char *who);
rel_status rel_fail_taken(uint32_t r, void *t);
rel_status rel_fail_nomem(uint32_t r, void *self);

/* ==== inline helpers: the hot calls ====================================== */

/* Model k's object with this id, or NULL. */
static inline void *rel_get(const rel_store *db, uint32_t k, uint64_t id)
{
    const rel_list *ids = &db->models[k].ids;
    void *o;
    if (id == 0 || id > ids->count)
        return NULL;
    /* A deleted object's place in the pool has id 0 or a newer object's. */
    o = ids->items[id - 1];
    return o && REL_COBJ(o)->id == id ? o : NULL;   /* NULL: an id a fixture skipped */
}

/* ForeignKey: links m to t at the end of t's reverse list (room reserved). */
static inline void rel_fk_link(void *m, void *t, size_t fwd, size_t pos, size_t rev)
{
    rel_list *l = &REL_AT(t, rev, rel_list);
    REL_AT(m, pos, uint32_t) = l->count;
    l->items[l->count++] = m;
    REL_AT(m, fwd, void *) = t;
}

/* ForeignKey: m leaves its target's reverse list (the last element moves
 * into its place) and points nowhere. */
static inline void rel_fk_unlink(void *m, size_t fwd, size_t pos, size_t rev)
{
    void *t = REL_AT(m, fwd, void *);
    rel_list *l;
    void *last;
    uint32_t at;
    if (!t)
        return;
    l = &REL_AT(t, rev, rel_list);
    at = REL_AT(m, pos, uint32_t);
    last = l->items[--l->count];
    l->items[at] = last;
    REL_AT(last, pos, uint32_t) = at;
    REL_AT(m, fwd, void *) = NULL;
}

/* M_set_r for a ForeignKey: m.r = t, its reverse lists kept in step. */
static inline rel_status rel_fk_set(void *m, void *t, uint32_t r, size_t fwd, size_t pos,
                                    size_t rev, bool null)
{
    if (REL_AT(m, fwd, void *) == t && t)
        return REL_OK;
    if (!t) {
        if (!null)
            return rel_fail_required(r, m);
    } else {
        rel_list *l = &REL_AT(t, rev, rel_list);
        if (REL_OBJ(t)->db != REL_OBJ(m)->db)
            return rel_fail_other_store(r, m, t, true, NULL);
        if (l->count == l->cap && rel_list_grow(l, (size_t)l->count + 1))
            return rel_fail_nomem(r, m);
    }
    rel_fk_unlink(m, fwd, pos, rev);
    if (t)
        rel_fk_link(m, t, fwd, pos, rev);
    return REL_OK;
}

/* M_set_r for a OneToOneField: m.r = t and t's reverse pointer = m; a t
 * that already has another object fails with REL_EUNIQUE. */
static inline rel_status rel_o2o_set(void *m, void *t, uint32_t r, size_t fwd, size_t rev,
                                     bool null)
{
    void *old = REL_AT(m, fwd, void *);
    if (old == t && t)
        return REL_OK;
    if (!t) {
        if (!null)
            return rel_fail_required(r, m);
    } else {
        if (REL_OBJ(t)->db != REL_OBJ(m)->db)
            return rel_fail_other_store(r, m, t, true, NULL);
        if (REL_AT(t, rev, void *))
            return rel_fail_taken(r, t);
    }
    if (old)
        REL_AT(old, rev, void *) = NULL;
    REL_AT(m, fwd, void *) = t;
    if (t)
        REL_AT(t, rev, void *) = m;
    return REL_OK;
}

/* Many-to-many between m (the declaring side, set at ms) and t (set at
 * ts): where t sits in m's set, or UINT32_MAX.  Scans the smaller side. */
static inline uint32_t rel_m2m_find(const void *m, size_t ms, const void *t, size_t ts)
{
    const rel_vec *a = &REL_CAT(m, ms, rel_vec), *b = &REL_CAT(t, ts, rel_vec);
    uint32_t i;
    if (a->count <= b->count) {
        for (i = 0; i < a->count; i++)
            if (a->items[i] == t)
                return i;
    } else {
        for (i = 0; i < b->count; i++)
            if (b->items[i] == m)
                return b->back[i];
    }
    return UINT32_MAX;
}

/* Links m and t (room reserved on both).  A symmetrical relation links an
 * object to itself with one entry. */
static inline void rel_m2m_link(void *m, size_t ms, void *t, size_t ts)
{
    rel_vec *a = &REL_AT(m, ms, rel_vec), *b = &REL_AT(t, ts, rel_vec);
    uint32_t im = a->count, it = b->count;
    if (a == b) {
        a->items[im] = t;
        a->back[im] = im;
        a->count++;
        return;
    }
    a->items[im] = t;
    a->back[im] = it;
    a->count++;
    b->items[it] = m;
    b->back[it] = im;
    b->count++;
}

/* Removes entry i of set v (whose partners keep their sets at `other`):
 * the last entry moves into the hole, and its partner learns the new
 * position. */
static inline void rel_m2m_drop(rel_vec *v, uint32_t i, size_t other)
{
    uint32_t last = --v->count;
    if (i != last) {
        void *moved = v->items[last];
        v->items[i] = moved;
        v->back[i] = v->back[last];
        if (&REL_AT(moved, other, rel_vec) == v)
            v->back[i] = i;  /* an object linked to itself */
        else
            REL_AT(moved, other, rel_vec).back[v->back[i]] = i;
    }
}

/* Removes the link at position im of m's set from both sides. */
static inline void rel_m2m_unlink(void *m, size_t ms, size_t ts, uint32_t im)
{
    rel_vec *a = &REL_AT(m, ms, rel_vec);
    void *t = a->items[im];
    uint32_t it = a->back[im];
    rel_m2m_drop(a, im, ts);
    if (&REL_AT(t, ts, rel_vec) != a)
        rel_m2m_drop(&REL_AT(t, ts, rel_vec), it, ms);
}

/* M_r_add / T_rv_add: links m (declaring side) and t; an existing link
 * changes nothing.  `self` is the object the call was made on. */
static inline rel_status rel_m2m_add(uint32_t r, void *m, size_t ms, void *t, size_t ts,
                                     bool self_is_m, const char *who)
{
    void *self = self_is_m ? m : t, *x = self_is_m ? t : m;
    if (!x)
        return rel_fail_null_arg(REL_OBJ(self)->db, who,
                                 REL_OBJ(self)->db->schema->models[self_is_m ? REL_OBJ(self)->db->schema->relations[r].target
                                                                             : REL_OBJ(self)->db->schema->relations[r].model].name);
    if (REL_OBJ(x)->db != REL_OBJ(self)->db)
        return rel_fail_other_store(r, m, t, self_is_m, who);
    if (rel_m2m_find(m, ms, t, ts) != UINT32_MAX)
        return REL_OK;
    if (rel_vec_reserve(&REL_AT(m, ms, rel_vec), (size_t)REL_AT(m, ms, rel_vec).count + 1)
        || rel_vec_reserve(&REL_AT(t, ts, rel_vec), (size_t)REL_AT(t, ts, rel_vec).count + 1))
        return rel_fail_nomem(r, self);
    rel_m2m_link(m, ms, t, ts);
    return REL_OK;
}

/* M_r_remove / T_rv_remove: unlinks m and t if linked. */
static inline rel_status rel_m2m_remove(void *m, size_t ms, void *t, size_t ts, bool self_is_m,
                                        const char *who)
{
    uint32_t i;
    if (!(self_is_m ? t : m))
        return rel_fail_null_arg(REL_OBJ(self_is_m ? m : t)->db, who, NULL);
    i = rel_m2m_find(m, ms, t, ts);
    if (i != UINT32_MAX)
        rel_m2m_unlink(m, ms, ts, i);
    return REL_OK;
}

#ifdef __cplusplus
}
#endif

#endif
