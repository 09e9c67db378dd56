/* rel_store.c: the store, creating objects, and the mutators that are not
 * hot enough to be inline in rel.h (string setters, a ForeignKey's
 * reverse remove and clear, a many-to-many clear), plus the cold failure
 * paths of the inline helpers.
 *
 * Every function here walks the schema descriptor instead of knowing the
 * models: an object is bytes, its members are found at the offsets that
 * rel_field and rel_relation give, and REL_OBJ(o) is its header.  Every
 * mutator does all that can fail (checks, then every allocation) before
 * it changes anything, so a failure leaves the store as it was.
 */
#include "rel_impl.h"

#include <stdarg.h>
#include <string.h>

const char rel_empty_string[1] = "";

/* ---- the store ------------------------------------------------------------ */

/* Aligns the model states that follow the store in its block. */
typedef struct state_align {
    char c;
    rel_model_state state;
} state_align;

/* One allocation: the store, then its rel_model_state[nmodels], then
 * touched[nmodels].  A store is made once and freed once, and one block
 * is one failure point instead of three. */
rel_store *rel_store_new(const rel_schema *schema)
{
    size_t align = offsetof(state_align, state);
    size_t at = (sizeof(rel_store) + align - 1) / align * align;
    size_t per_model = sizeof(rel_model_state) + sizeof(uint32_t), bytes;
    char *block;
    rel_store *db;
    uint32_t k;

    if (!schema || schema->nmodels > (SIZE_MAX - at) / per_model)
        return NULL;
    bytes = at + (size_t)schema->nmodels * per_model;
    if (!(block = (char *)rel_malloc(bytes)))
        return NULL;
    memset(block, 0, bytes);
    db = (rel_store *)(void *)block;
    db->schema = schema;
    db->models = (rel_model_state *)(void *)(block + at);
    db->touched = (uint32_t *)(void *)(block + at + (size_t)schema->nmodels * sizeof(rel_model_state));
    for (k = 0; k < schema->nmodels; k++)
        rel_pool_init(&db->models[k].pool, schema->models[k].size, offsetof(rel_object, id));
    return db;
}

void rel_free_members(const rel_store *db, uint32_t k, void *const *objects, uint32_t n)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    uint32_t i, j;

    for (j = 0; j < m->nfields; j++) {
        const rel_field *f = &m->fields[j];
        if (f->type != REL_STRING)
            continue;
        for (i = 0; i < n; i++) {
            const char *str = REL_AT(objects[i], f->offset, const char *);
            if (rel_string_owned(f, str))
                rel_free((void *)(uintptr_t)str);
        }
    }
    for (j = 0; j < m->nrelations; j++) {
        const rel_relation *r = &s->relations[m->relations[j]];
        if (r->type != REL_MANY_TO_MANY)
            continue;
        for (i = 0; i < n; i++)
            rel_vec_free(&REL_AT(objects[i], r->fwd, rel_vec));
    }
    /* The reverse sides.  A symmetrical relation's one set is its forward
     * member, freed above; a one-to-one's reverse is a plain pointer. */
    for (j = 0; j < m->nincoming; j++) {
        const rel_relation *r = &s->relations[m->incoming[j]];
        if (r->type == REL_FOREIGN_KEY) {
            for (i = 0; i < n; i++)
                rel_list_free(&REL_AT(objects[i], r->rev, rel_list));
        } else if (r->type == REL_MANY_TO_MANY && !r->symmetrical) {
            for (i = 0; i < n; i++)
                rel_vec_free(&REL_AT(objects[i], r->rev, rel_vec));
        }
    }
}

/* Objects are not put back into their pools one by one: freeing a pool
 * frees every object in it at once. */
void rel_store_free(rel_store *db)
{
    uint32_t k;
    if (!db)
        return;
    for (k = 0; k < db->schema->nmodels; k++) {
        rel_model_state *ms = &db->models[k];
        rel_free_members(db, k, ms->all.items, ms->all.count);
        rel_list_free(&ms->all);
        rel_list_free(&ms->ids);
        rel_list_free(&ms->collected);
        rel_pool_free(&ms->pool);
    }
    rel_free(db);
}

/* ---- creating objects ------------------------------------------------------- */

/* Bytes of a scalar field's member, by rel_type: what a default copies. */
static size_t scalar_size(uint8_t type)
{
    switch (type) {
    case REL_BOOL:   return sizeof(bool);
    case REL_INT8:   return sizeof(int8_t);
    case REL_INT16:  return sizeof(int16_t);
    case REL_INT32:  return sizeof(int32_t);
    case REL_INT64:  return sizeof(int64_t);
    case REL_UINT8:  return sizeof(uint8_t);
    case REL_UINT16: return sizeof(uint16_t);
    case REL_UINT32: return sizeof(uint32_t);
    case REL_UINT64: return sizeof(uint64_t);
    case REL_FLOAT:  return sizeof(float);
    case REL_DOUBLE: return sizeof(double);
    }
    return 0;
}

/* Why t cannot be the target of relation r for a new object: NULL (only
 * for a required relation), in another store, or a one-to-one target
 * that already has its object.  Sets errmsg; NULL for rel_new to return. */
static REL_COLD void *fail_target(rel_store *db, const rel_relation *r, void *t, const char *who)
{
    const rel_model *models = db->schema->models;
    if (!t)
        rel_fail(&db->errmsg, REL_ENULL, "%s: %s.%s is required (it is not null = true)", rel_who(who),
                 models[r->model].name, r->name);
    else if (REL_OBJ(t)->db != db)
        rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu belongs to another store", rel_who(who),
                 models[r->target].name, REL_ID(t));
    else
        rel_fail(&db->errmsg, REL_EUNIQUE, "%s: %s %llu already has a %s (%s.%s is one-to-one)", rel_who(who),
                 models[r->target].name, REL_ID(t), models[r->model].name, models[r->model].name, r->name);
    return NULL;
}

/* Whether t, in db, may become the target of relation r for a new object. */
static inline bool target_ok(const rel_store *db, const rel_relation *r, const void *t)
{
    return t && REL_COBJ(t)->db == db && !(r->type == REL_ONE_TO_ONE && REL_CAT(t, r->rev, rel_ptr));
}

/* The check of rel_new's `via` and `other`: `other` is the new object's
 * partner, via's target when the new object declares via, else its
 * declaring side.  Sets errmsg; NULL for rel_new to return. */
static REL_COLD void *fail_via(rel_store *db, const rel_relation *via, void *other, bool new_is_model,
                               const char *who)
{
    const rel_model *models = db->schema->models;
    const char *name = models[new_is_model ? via->target : via->model].name;
    if (!other)
        rel_fail(&db->errmsg, REL_EINVAL, "%s: the %s is NULL", rel_who(who), name);
    else if (REL_OBJ(other)->db != db)
        rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu belongs to another store", rel_who(who), name,
                 REL_ID(other));
    else if (via->type != REL_MANY_TO_MANY && !new_is_model)
        /* A new object cannot be a ForeignKey's or one-to-one's target
         * here: that would move `other` away from its old one. */
        rel_fail(&db->errmsg, REL_EINVAL, "%s: a new %s cannot be the target of %s.%s", rel_who(who),
                 models[via->target].name, models[via->model].name, via->name);
    else
        fail_target(db, via, other, who);
    return NULL;
}

static inline bool via_ok(rel_store *db, const rel_relation *via, void *other, bool new_is_model)
{
    if (via->type == REL_MANY_TO_MANY)
        return other && REL_OBJ(other)->db == db;
    return new_is_model && target_ok(db, via, other);
}

/* rel_new with the required targets in an array and the relation `via`
 * as a pointer (NULL: none). */
static void *new_object(rel_store *db, uint32_t k, void *const *req, const rel_relation *via, void *other,
                        bool new_is_model, const char *who)
{
    const rel_model *m = &db->schema->models[k];
    rel_model_state *ms = &db->models[k];
    void *o;
    uint32_t i;

    for (i = 0; i < m->nrequired; i++) {
        const rel_relation *r = REL_RELATION(db, m->required[i]);
        if (!target_ok(db, r, req[i]))
            return fail_target(db, r, req[i], who);
    }
    if (via && !via_ok(db, via, other, new_is_model))
        return fail_via(db, via, other, new_is_model, who);

    /* Room for every link the new object makes.  Growing a list changes
     * no count, so a failure part way leaves nothing to undo. */
    if (rel_list_reserve(&ms->all, (size_t)ms->all.count + 1)
        || rel_list_reserve(&ms->ids, (size_t)ms->ids.count + 1))
        goto nomem;
    for (i = 0; i < m->nrequired; i++) {
        const rel_relation *r = REL_RELATION(db, m->required[i]);
        rel_list *l;
        if (r->type != REL_FOREIGN_KEY)
            continue;
        l = &REL_AT(req[i], r->rev, rel_list);
        if (rel_list_reserve(l, (size_t)l->count + 1))
            goto nomem;
    }
    if (via && via->type == REL_FOREIGN_KEY) {
        rel_list *l = &REL_AT(other, via->rev, rel_list);
        if (rel_list_reserve(l, (size_t)l->count + 1))
            goto nomem;
    } else if (via && via->type == REL_MANY_TO_MANY) {
        rel_vec *v = &REL_AT(other, new_is_model ? via->rev : via->fwd, rel_vec);
        if (rel_vec_reserve(v, (size_t)v->count + 1))
            goto nomem;
    }
    if (!(o = rel_pool_get(&ms->pool)))
        goto nomem;
    memset(o, 0, m->size);
    if (via && via->type == REL_MANY_TO_MANY
        && rel_vec_reserve(&REL_AT(o, new_is_model ? via->fwd : via->rev, rel_vec), 1)) {
        rel_pool_put(&ms->pool, o);  /* never seen: its id is 0 */
        goto nomem;
    }

    /* Nothing below can fail. */
    REL_OBJ(o)->db = db;
    for (i = 0; i < m->nfields; i++) {
        const rel_field *f = &m->fields[i];
        if (f->type == REL_STRING)
            REL_AT(o, f->offset, const char *) = f->def ? (const char *)f->def : rel_empty_string;
        else if (f->def)
            memcpy((char *)o + f->offset, f->def, scalar_size(f->type));
    }
    REL_OBJ(o)->id = ms->ids.count + 1;
    ms->ids.items[ms->ids.count++] = o;
    REL_OBJ(o)->pos = ms->all.count;
    ms->all.items[ms->all.count++] = o;
    for (i = 0; i < m->nrequired; i++) {
        const rel_relation *r = REL_RELATION(db, m->required[i]);
        if (r->type == REL_FOREIGN_KEY) {
            rel_fk_link(o, req[i], r->fwd, r->pos, r->rev);
        } else {
            REL_AT(o, r->fwd, void *) = req[i];
            REL_AT(req[i], r->rev, void *) = o;
        }
    }
    if (via) {
        if (via->type == REL_FOREIGN_KEY) {
            rel_fk_link(o, other, via->fwd, via->pos, via->rev);
        } else if (via->type == REL_ONE_TO_ONE) {
            REL_AT(o, via->fwd, void *) = other;
            REL_AT(other, via->rev, void *) = o;
        } else if (new_is_model) {
            rel_m2m_link(o, via->fwd, other, via->rev);
        } else {
            rel_m2m_link(other, via->fwd, o, via->rev);
        }
    }
    return o;

nomem:
    rel_fail(&db->errmsg, REL_ENOMEM, "out of memory creating a new %s", m->name);
    return NULL;
}

/* The required targets come as variadic `void *` arguments: gathered into
 * an array on the stack (or, for a model with very many required
 * relations, one allocation that is itself a failure point). */
void *rel_new(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who, ...)
{
    enum { SMALL = 16 };
    void *small[SMALL], **req = small, *o;
    uint32_t i, n;
    va_list ap;

    if (!db)
        return NULL;
    n = db->schema->models[k].nrequired;
    if (n > SMALL && !(req = (void **)rel_malloc(n * sizeof *req))) {
        rel_fail(&db->errmsg, REL_ENOMEM, "out of memory creating a new %s", db->schema->models[k].name);
        return NULL;
    }
    va_start(ap, who);
    for (i = 0; i < n; i++)
        req[i] = va_arg(ap, void *);
    va_end(ap);
    o = new_object(db, k, req, via == REL_NONE ? NULL : REL_RELATION(db, via), other, new_is_model, who);
    if (req != small)
        rel_free(req);
    return o;
}

/* ---- whole-store code ---------------------------------------------------- */

uint64_t rel_model_last_id(const rel_store *db, uint32_t k)
{
    return db->models[k].ids.count;
}

void *rel_obj_create(rel_store *db, uint32_t k, uint64_t id)
{
    const rel_model *m = &db->schema->models[k];
    rel_model_state *ms = &db->models[k];
    void *o;
    uint32_t i;

    if (id == 0 || id > REL_VEC_MAX || rel_list_reserve(&ms->all, (size_t)ms->all.count + 1)
        || rel_list_reserve(&ms->ids, (size_t)id) || !(o = rel_pool_get(&ms->pool)))
        return NULL;
    memset(o, 0, m->size);
    REL_OBJ(o)->db = db;
    for (i = 0; i < m->nfields; i++) {
        const rel_field *f = &m->fields[i];
        if (f->type == REL_STRING)
            REL_AT(o, f->offset, const char *) = f->def ? (const char *)f->def : rel_empty_string;
        else if (f->def)
            memcpy((char *)o + f->offset, f->def, scalar_size(f->type));
    }
    REL_OBJ(o)->id = (uint32_t)id;
    while (ms->ids.count < id)   /* ids a fixture skipped: nobody's */
        ms->ids.items[ms->ids.count++] = NULL;
    ms->ids.items[id - 1] = o;
    REL_OBJ(o)->pos = ms->all.count;
    ms->all.items[ms->all.count++] = o;
    return o;
}

void rel_obj_discard(rel_store *db, uint32_t k, void *o)
{
    rel_model_state *ms = &db->models[k];
    uint32_t id = REL_OBJ(o)->id, pos = REL_OBJ(o)->pos;
    void *last = ms->all.items[--ms->all.count];
    ms->all.items[pos] = last;
    REL_OBJ(last)->pos = pos;
    if (ms->ids.items[id - 1] == o)
        ms->ids.items[id - 1] = NULL;
    REL_OBJ(o)->id = 0;
    rel_pool_put(&ms->pool, o);
}

void rel_model_restore_last_id(rel_store *db, uint32_t k, uint64_t last)
{
    rel_model_state *ms = &db->models[k];
    if (last < ms->ids.count)
        ms->ids.count = (uint32_t)last;
}

/* ---- setters and set operations --------------------------------------------- */

rel_status rel_set_string(void *o, uint32_t k, uint32_t field, const char *value)
{
    rel_store *db = REL_OBJ(o)->db;
    const rel_model *m = &db->schema->models[k];
    const rel_field *f = &m->fields[field];
    const char *old;
    char *copy;

    if (!value)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s_set_%s: the value is NULL", m->name, f->name);
    if (f->max_length && rel_utf8_length(value) > f->max_length)
        return rel_fail(&db->errmsg, REL_ETOOLONG, "%s %llu: %s is longer than its max_length, %llu", m->name,
                        REL_ID(o), f->name, (unsigned long long)f->max_length);
    if (!(copy = rel_strdup(value)))
        return rel_fail(&db->errmsg, REL_ENOMEM, "out of memory setting %s.%s", m->name, f->name);
    old = REL_AT(o, f->offset, const char *);
    if (rel_string_owned(f, old))
        rel_free((void *)(uintptr_t)old);
    REL_AT(o, f->offset, const char *) = copy;
    return REL_OK;
}

/* t's reverse set loses m: m.r becomes NULL.  The generated code has this
 * only for null = true; the check keeps a required relation set anyway. */
rel_status rel_fk_remove(uint32_t ri, void *t, void *m, const char *who)
{
    rel_store *db = REL_OBJ(t)->db;
    const rel_schema *s = db->schema;
    const rel_relation *r = REL_RELATION(db, ri);
    if (!m || REL_AT(m, r->fwd, void *) != t)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s: the %s is not in this %s's %s", rel_who(who),
                        s->models[r->model].name, s->models[r->target].name, r->accessor ? r->accessor : r->name);
    if (!r->null)
        return rel_fail_required(ri, m);
    if (r->type == REL_ONE_TO_ONE) {
        REL_AT(t, r->rev, void *) = NULL;
        REL_AT(m, r->fwd, void *) = NULL;
    } else {
        rel_fk_unlink(m, r->fwd, r->pos, r->rev);
    }
    return REL_OK;
}

rel_status rel_fk_clear(uint32_t ri, void *t)
{
    const rel_relation *r = REL_RELATION(REL_OBJ(t)->db, ri);
    rel_list *l = &REL_AT(t, r->rev, rel_list);
    if (!r->null && l->count)
        return rel_fail_required(ri, l->items[l->count - 1]);
    /* From the end: each unlink then moves nothing. */
    while (l->count)
        rel_fk_unlink(l->items[l->count - 1], r->fwd, r->pos, r->rev);
    return REL_OK;
}

rel_status rel_m2m_clear(uint32_t ri, void *o, bool o_is_model)
{
    const rel_relation *r = REL_RELATION(REL_OBJ(o)->db, ri);
    if (o_is_model) {
        rel_vec *v = &REL_AT(o, r->fwd, rel_vec);
        while (v->count)
            rel_m2m_unlink(o, r->fwd, r->rev, v->count - 1);
    } else {
        rel_vec *v = &REL_AT(o, r->rev, rel_vec);
        while (v->count) {
            uint32_t last = v->count - 1;
            rel_m2m_unlink(v->items[last], r->fwd, r->rev, v->back[last]);
        }
    }
    return REL_OK;
}

/* ---- the cold paths of the inline helpers -------------------------------------- */

REL_COLD rel_status rel_fail_null_arg(rel_store *db, const char *who, const char *model)
{
    if (!db)
        return REL_EINVAL;
    if (model)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s: the %s is NULL", rel_who(who), model);
    return rel_fail(&db->errmsg, REL_EINVAL, "%s: an argument is NULL", rel_who(who));
}

REL_COLD rel_status rel_fail_required(uint32_t ri, void *m)
{
    rel_store *db = REL_OBJ(m)->db;
    const rel_relation *r = REL_RELATION(db, ri);
    return rel_fail(&db->errmsg, REL_ENULL, "%s %llu: %s cannot be NULL (it is not null = true)",
                    db->schema->models[r->model].name, REL_ID(m), r->name);
}

REL_COLD rel_status rel_fail_other_store(uint32_t ri, void *m, void *t, bool m_is_self, const char *who)
{
    void *self = m_is_self ? m : t, *x = m_is_self ? t : m;
    rel_store *db = REL_OBJ(self)->db;
    const rel_relation *r = REL_RELATION(db, ri);
    const rel_model *models = db->schema->models;
    const char *xname = models[m_is_self ? r->target : r->model].name;
    if (who)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu belongs to another store", who, xname, REL_ID(x));
    return rel_fail(&db->errmsg, REL_EINVAL, "%s %llu: %s %llu belongs to another store",
                    models[m_is_self ? r->model : r->target].name, REL_ID(self), xname, REL_ID(x));
}

REL_COLD rel_status rel_fail_taken(uint32_t ri, void *t)
{
    rel_store *db = REL_OBJ(t)->db;
    const rel_relation *r = REL_RELATION(db, ri);
    const rel_model *models = db->schema->models;
    return rel_fail(&db->errmsg, REL_EUNIQUE, "%s %llu already has a %s (%s.%s is one-to-one)",
                    models[r->target].name, REL_ID(t), models[r->model].name, models[r->model].name, r->name);
}

REL_COLD rel_status rel_fail_nomem(uint32_t ri, void *o)
{
    rel_store *db = REL_OBJ(o)->db;
    const rel_relation *r = REL_RELATION(db, ri);
    const char *model = db->schema->models[r->model].name;
    if (r->type == REL_MANY_TO_MANY)
        return rel_fail(&db->errmsg, REL_ENOMEM, "out of memory adding to %s.%s", model, r->name);
    return rel_fail(&db->errmsg, REL_ENOMEM, "out of memory setting %s.%s", model, r->name);
}
