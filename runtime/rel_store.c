/* rel_store.c: the store, creating objects, and the mutators that are not
 * hot enough to be inline in rel.h (string setters, a ForeignKey's
 * reverse remove and clear, a many-to-many clear), plus the cold failure
 * paths of the inline helpers.
 *
 * Every function here walks the schema descriptor instead of knowing the
 * models: an object is bytes, its members are found at the offsets that
 * rel_field and rel_relation give, and its tag (rel.h) is its id.  Every
 * mutator does all that can fail (checks, then every allocation) before
 * it changes anything, so a failure leaves the store as it was.
 */
#include "rel_impl.h"

#include <stdarg.h>
#include <string.h>

const char rel_empty_string[1] = "";

/* Where a failure with no store to name goes (a NULL receiver or store,
 * and no other object): a program that only ever passes live objects and
 * stores never sees it. */
static rel_errmsg nostore;

/* ---- the store ------------------------------------------------------------ */

/* Aligns the model states that follow the store in its block. */
typedef struct state_align {
    char c;
    rel_model_state state;
} state_align;

/* Whether deleting an object of model k can free as it goes (see
 * REL_FAST_DELETE): a walk of what k reaches through CASCADE, with
 * `on_path` catching a model that reaches itself.  Depth is bounded by the
 * number of models; visited[] keeps it linear in the schema. */
enum { UNSEEN, ON_PATH, FAST, SLOW };
static bool fast_delete(const rel_schema *s, uint32_t k, unsigned char *state)
{
    const rel_model *m = &s->models[k];
    uint32_t i;
    if (state[k] == FAST || state[k] == SLOW)
        return state[k] == FAST;
    if (state[k] == ON_PATH)
        return false;
    state[k] = ON_PATH;
    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        if (r->on_delete == REL_PROTECT || r->on_delete == REL_RESTRICT
            || (r->on_delete == REL_CASCADE && !fast_delete(s, r->model, state))) {
            state[k] = SLOW;
            return false;
        }
    }
    state[k] = FAST;
    return true;
}

/* REL_HAS_INIT and REL_HAS_OWNED for model k. */
static uint32_t model_flags(const rel_schema *s, uint32_t k)
{
    const rel_model *m = &s->models[k];
    uint32_t flags = 0, i;
    for (i = 0; i < m->nfields; i++) {
        if (m->fields[i].type == REL_STRING)
            flags |= REL_HAS_INIT | REL_HAS_OWNED | REL_HAS_STRING;
        else if (m->fields[i].def)
            flags |= REL_HAS_INIT;
    }
    for (i = 0; i < m->nrelations; i++)
        if (s->relations[m->relations[i]].type == REL_MANY_TO_MANY)
            flags |= REL_HAS_OWNED;
    for (i = 0; i < m->nincoming; i++)
        if (s->relations[m->incoming[i]].type != REL_ONE_TO_ONE)
            flags |= REL_HAS_OWNED;
    if (m->nuniques)
        flags |= REL_HAS_UNIQUE;
    else if (m->nincoming == 0 && m->nrelations == 1 && !(flags & REL_HAS_OWNED))
        flags |= REL_LEAF;
    for (i = 0; i < m->nrelations; i++)
        if (s->relations[m->relations[i]].serves != REL_NONE)
            flags = (flags | REL_THROUGH) & ~(uint32_t)REL_LEAF;
    return flags;
}

/* One allocation: the store, then its rel_model_state[nmodels], then
 * touched[nmodels] (which first serves fast_delete as its scratch).  A
 * store is made once and freed once, and one block is one failure point
 * instead of three. */
uint32_t rel_many_stores;

/* A store is being made: the second one sets rel_many_stores for good. */
static void count_store(void)
{
#if defined(__GNUC__)
    static uint32_t made;
    if (__atomic_fetch_add(&made, 1, __ATOMIC_RELAXED) != 0)
        __atomic_store_n(&rel_many_stores, 1, __ATOMIC_RELAXED);
#else
    rel_many_stores = 1;   /* no atomics here: compare stores always */
#endif
}

rel_store *rel_store_new(const rel_schema *schema)
{
    size_t align = offsetof(state_align, state);
    size_t at = (sizeof(rel_store) + align - 1) / align * align;
    size_t per_model = sizeof(rel_model_state) + sizeof(uint32_t), bytes, at_ix;
    unsigned char *state;
    char *block;
    rel_store *db;
    uint32_t k;

    if (!schema || schema->nmodels > (SIZE_MAX - at) / per_model)
        return NULL;
    bytes = at + (size_t)schema->nmodels * per_model;
    /* then the unique indexes, rel_index[nuniques], pointer-aligned */
    at_ix = (bytes + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
    if (schema->nuniques > (SIZE_MAX - at_ix) / sizeof(rel_index))
        return NULL;
    bytes = at_ix + (size_t)schema->nuniques * sizeof(rel_index);
    if (!(block = (char *)rel_malloc(bytes)))
        return NULL;
    memset(block, 0, bytes);
    db = (rel_store *)(void *)block;
    db->schema = schema;
    db->models = (rel_model_state *)(void *)(block + at);
    db->touched = (uint32_t *)(void *)(block + at + (size_t)schema->nmodels * sizeof(rel_model_state));
    db->indexes = schema->nuniques ? (rel_index *)(void *)(block + at_ix) : NULL;
    state = (unsigned char *)db->touched;   /* UNSEEN is 0 */
    for (k = 0; k < schema->nmodels; k++) {
        rel_pool_init(&db->models[k].pool, db, schema->models[k].size, rel_link_offset(schema, k));
        db->models[k].pool.model = k;
        db->models[k].flags = model_flags(schema, k);
        if (fast_delete(schema, k, state))
            db->models[k].flags |= REL_FAST_DELETE;
    }
    for (k = 0; k < schema->nmodels; k++)   /* needs every model's REL_LEAF */
        db->models[k].flags |= rel_parent_flag(schema, db->models, k);
    memset(db->touched, 0, schema->nmodels * sizeof(uint32_t));
    count_store();
    return db;
}

void rel_free_members(const rel_store *db, uint32_t k, void *o)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    uint32_t j;

    for (j = 0; j < m->nfields; j++) {
        const rel_field *f = &m->fields[j];
        const char *str;
        if (f->type != REL_STRING)
            continue;
        str = REL_AT(o, f->offset, const char *);
        if (rel_string_owned(f, str))
            rel_free((void *)(uintptr_t)str);
    }
    for (j = 0; j < m->nrelations; j++) {
        const rel_relation *r = &s->relations[m->relations[j]];
        if (r->type == REL_MANY_TO_MANY)
            rel_vec_free(&REL_AT(o, r->fwd, rel_vec));
    }
    /* The reverse sides.  A symmetrical relation's one set is its forward
     * member, freed above; a one-to-one's reverse is a plain pointer. */
    for (j = 0; j < m->nincoming; j++) {
        const rel_relation *r = &s->relations[m->incoming[j]];
        if (rel_listed(r))
            rel_list_free(&REL_AT(o, r->rev, rel_list));
        else if (r->type == REL_MANY_TO_MANY && !r->symmetrical)
            rel_vec_free(&REL_AT(o, r->rev, rel_vec));
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
        rel_cursor c = rel_cursor_of(&ms->pool);
        void *o;
        while ((o = rel_cursor_next(&c)))
            rel_free_members(db, k, o);
        rel_list_free(&ms->ids);
        rel_list_free(&ms->collected);
        rel_pool_free(&ms->pool);
    }
    rel_unique_free(db);
    rel_free(db);
}

/* The id index: every live object at its id - 1, NULL for ids that were
 * deleted or never used.  Built on the first lookup by id, kept up by
 * every create after it; a delete leaves its entry, which the tag check
 * of rel_get then refuses. */
bool rel_index_ids(rel_store *db, uint32_t k)
{
    rel_model_state *ms = &db->models[k];
    rel_cursor c;
    void *o;
    if (ms->ids.items)
        return true;
    if (rel_list_grow(&ms->ids, ms->last_id ? ms->last_id : 1)) {
        rel_fail(&db->errmsg, REL_ENOMEM, "out of memory looking up a %s by id", db->schema->models[k].name);
        return false;
    }
    memset(ms->ids.items, 0, (size_t)ms->last_id * sizeof(void *));
    ms->ids.count = ms->last_id;
    rel_gate(ms);   /* open for no more creates than the index has room for */
    c = rel_cursor_of(&ms->pool);
    while ((o = rel_cursor_next(&c)))
        ms->ids.items[rel_id_of(o) - 1] = o;
    return true;
}

/* ---- creating objects ------------------------------------------------------- */


/* Why t cannot be the target of relation r for a new object: NULL (only
 * for a required relation), in another store, or a one-to-one target
 * that already has its object.  Sets errmsg; NULL for rel_new to return. */
static REL_COLD void *fail_target(rel_store *db, const rel_relation *r, void *t, const char *who)
{
    const rel_model *models = db->schema->models;
    if (!t)
        rel_fail(&db->errmsg, REL_ENULL, "%s: %s.%s is required (it is not null = true)", rel_who(who),
                 models[r->model].name, r->name);
    else if (!rel_alive(t))
        rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu was deleted", rel_who(who), models[r->target].name, REL_ID(t));
    else if (rel_store_of(t) != db)
        rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu belongs to another store", rel_who(who),
                 models[r->target].name, REL_ID(t));
    else if (r->type == REL_GENERIC)
        rel_fail_gfk_model((uint32_t)(r - db->schema->relations), NULL, t, rel_who(who));
    else
        rel_fail(&db->errmsg, REL_EUNIQUE, "%s: %s %llu already has a %s (%s.%s is one-to-one)", rel_who(who),
                 models[r->target].name, REL_ID(t), models[r->model].name, models[r->model].name, r->name);
    return NULL;
}

/* Whether t, in db, may become the target of relation r for a new object. */
static inline bool target_ok(const rel_store *db, const rel_relation *r, const void *t)
{
    return rel_alive(t) && rel_store_of(t) == db && !(r->type == REL_ONE_TO_ONE && REL_CAT(t, r->rev, rel_ptr))
        && !(r->type == REL_GENERIC && rel_model_of(t) != r->target);
}

/* Required relation i of model m for target t: a GenericForeignKey's
 * relation to t's model (when it lists it), else the one required. */
static const rel_relation *required_for(const rel_store *db, const rel_model *m, uint32_t i, const void *t)
{
    uint32_t r = m->required[i], part;
    if (REL_RELATION(db, r)->type == REL_GENERIC && rel_alive(t) && rel_store_of(t) == db
        && (part = rel_gfk_part(db, r, rel_model_of(t))) != REL_NONE)
        r = part;
    return REL_RELATION(db, r);
}

/* Links new object o to t through r, a ForeignKey or a generic one. */
static void link_listed(void *o, void *t, const rel_relation *r)
{
    rel_fk_link(o, t, r->fwd, r->pos, r->rev);
    if (r->type == REL_GENERIC)
        REL_AT(o, r->ct, uint32_t) = r->target + 1;
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
        rel_fail(&db->errmsg, REL_EINVAL, "%s: NULL %s", rel_who(who), name);
    else if (!rel_alive(other))
        rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu was deleted", rel_who(who), name, REL_ID(other));
    else if (rel_store_of(other) != db)
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
        return rel_alive(other) && rel_store_of(other) == db;
    return new_is_model && target_ok(db, via, other);
}

/* Every scalar at its default: a string member points at its default
 * text (or ""), so it is never NULL and costs no allocation. */
static void init_fields(const rel_model *m, void *o)
{
    uint32_t i;
    for (i = 0; i < m->nfields; i++) {
        const rel_field *f = &m->fields[i];
        if (f->type == REL_STRING)
            REL_AT(o, f->offset, const char *) = f->def ? (const char *)f->def : rel_empty_string;
        else if (f->def)
            memcpy((char *)o + f->offset, f->def, rel_scalar_size(f->type));
    }
}

void rel_init_fields(const rel_store *db, uint32_t k, void *o)
{
    init_fields(&db->schema->models[k], o);
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
        const rel_relation *r;
        if (m->required[i] & REL_ARG_FIELD)
            continue;
        r = required_for(db, m, i, req[i]);
        if (!target_ok(db, r, req[i]))
            return fail_target(db, r, req[i], who);
    }
    if (via && !via_ok(db, via, other, new_is_model))
        return fail_via(db, via, other, new_is_model, who);
    /* Scalar arguments and unique constraints: checked, room reserved. */
    if ((ms->flags & REL_HAS_UNIQUE) && rel_unique_new_check(db, k, req, via, other, new_is_model, who))
        return NULL;

    /* Room for every link the new object makes.  Growing a list changes
     * no count, so a failure part way leaves nothing to undo. */
    if (ms->last_id >= REL_ID_MAX) {
        rel_fail(&db->errmsg, REL_ENOMEM, "%s: no ids left for %s (%lu issued)", rel_who(who), m->name,
                 (unsigned long)ms->last_id);
        return NULL;
    }
    if (ms->ids.items && rel_list_reserve(&ms->ids, (size_t)ms->ids.count + 1))
        goto nomem;
    for (i = 0; i < m->nrequired; i++) {
        const rel_relation *r;
        rel_list *l;
        if (m->required[i] & REL_ARG_FIELD)
            continue;
        r = required_for(db, m, i, req[i]);
        if (!rel_listed(r))
            continue;
        l = &REL_AT(req[i], r->rev, rel_list);
        if (rel_list_reserve(l, (size_t)l->count + 1))
            goto nomem;
    }
    if (via && rel_listed(via)) {
        rel_list *l = &REL_AT(other, via->rev, rel_list);
        if (rel_list_reserve(l, (size_t)l->count + 1))
            goto nomem;
    } else if (via && via->type == REL_MANY_TO_MANY) {
        rel_vec *v = &REL_AT(other, new_is_model ? via->rev : via->fwd, rel_vec);
        if (rel_vec_reserve(v, (size_t)v->count + 1))
            goto nomem;
    }
    if ((ms->flags & REL_THROUGH) && !rel_through_reserve_new(db, k, req, via, other, new_is_model))
        goto nomem;
    if (!(o = rel_pool_get(&ms->pool)))
        goto nomem;
    memset(o, 0, m->size);
    if (ms->flags & REL_HAS_INIT)
        init_fields(m, o);
    if ((ms->flags & REL_HAS_UNIQUE) && !rel_unique_new_args(db, k, req, o)) {
        REL_TAG(o) = REL_DEAD;
        rel_pool_put(&ms->pool, o);
        goto nomem;
    }
    if (via && via->type == REL_MANY_TO_MANY
        && rel_vec_reserve(&REL_AT(o, new_is_model ? via->fwd : via->rev, rel_vec), 1)) {
        if (ms->flags & REL_HAS_UNIQUE)
            rel_unique_drop_args(db, k, o);
        REL_TAG(o) = REL_DEAD;   /* never seen: a slot a cursor skips */
        rel_pool_put(&ms->pool, o);
        goto nomem;
    }

    /* Nothing below can fail. */
    REL_TAG(o) = ++ms->last_id;
    ms->count++;
    if (ms->ids.items)
        ms->ids.items[ms->ids.count++] = o;
    rel_gate(ms);   /* the slot came from the free list, or a new region */
    for (i = 0; i < m->nrequired; i++) {
        const rel_relation *r;
        if (m->required[i] & REL_ARG_FIELD)
            continue;
        r = required_for(db, m, i, req[i]);
        if (rel_listed(r)) {
            link_listed(o, req[i], r);
        } else {
            rel_fwd_set(o, r->fwd, req[i]);
            REL_AT(req[i], r->rev, void *) = o;
        }
    }
    if (via) {
        if (rel_listed(via)) {
            link_listed(o, other, via);
        } else if (via->type == REL_ONE_TO_ONE) {
            rel_fwd_set(o, via->fwd, other);
            REL_AT(other, via->rev, void *) = o;
        } else if (new_is_model) {
            rel_m2m_link(o, via->fwd, other, via->rev);
        } else {
            rel_m2m_link(other, via->fwd, o, via->rev);
        }
    }
    if (ms->flags & REL_THROUGH)
        rel_through_link_new(db, k, o);
    if (ms->flags & REL_HAS_UNIQUE)
        rel_unique_enter(db, k, o);
    return o;

nomem:
    rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory creating a new %s", rel_who(who), m->name);
    return NULL;
}

void *rel_new_req(rel_store *db, uint32_t k, void **req, uint32_t via, void *other, bool new_is_model,
                  const char *who)
{
    return new_object(db, k, req, via == REL_NONE ? NULL : REL_RELATION(db, via), other, new_is_model, who);
}

/* The required targets come as variadic `void *` arguments: gathered into
 * an array on the stack (or, for a model with very many required
 * relations, one allocation that is itself a failure point). */
static void *new_va(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who,
                    va_list ap)
{
    enum { SMALL = 16 };
    void *small[SMALL], **req = small, *o;
    uint32_t i, n = db->schema->models[k].nrequired;

    if (n > SMALL && !(req = (void **)rel_malloc(n * sizeof *req))) {
        rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory creating a new %s", rel_who(who),
                 db->schema->models[k].name);
        return NULL;
    }
    for (i = 0; i < n; i++)
        req[i] = va_arg(ap, void *);
    o = new_object(db, k, n ? req : NULL, via == REL_NONE ? NULL : REL_RELATION(db, via), other, new_is_model, who);
    if (req != small)
        rel_free(req);
    return o;
}

/* A create given a NULL store: the message goes to the store of an object
 * argument, when there is one, as every other call does. */
static REL_COLD void *no_store(const char *who, const void *a, const void *b)
{
    const void *any = rel_alive(a) ? a : rel_alive(b) ? b : NULL;
    rel_fail(any ? &rel_store_of(any)->errmsg : &nostore, REL_EINVAL, "%s: NULL store", rel_who(who));
    return NULL;
}

void *rel_new(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who, ...)
{
    va_list ap;
    void *o;
    if (!db)   /* the model, so the variadic arguments, unknown: only `other` names a store */
        return no_store(who, NULL, other);
    va_start(ap, who);
    o = new_va(db, k, via, other, new_is_model, who, ap);
    va_end(ap);
    return o;
}

const void *rel_arg_object(const rel_model *m, uint32_t skip1, uint32_t skip2, va_list *ap, const void *any)
{
    uint32_t i;
    for (i = 0; i < m->nrequired; i++) {
        void *v;
        if (m->required[i] == skip1 || m->required[i] == skip2)
            continue;
        v = va_arg(*ap, void *);   /* a field entry's: a pointer to a value */
        if (!any && !(m->required[i] & REL_ARG_FIELD) && rel_alive(v))
            any = v;
    }
    return any;
}

void *rel_new_of(const rel_schema *s, rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model,
                 const char *who, ...)
{
    va_list ap;
    void *o;
    va_start(ap, who);
    if (!db) {
        /* The message goes to the store of an object argument, if any:
         * the schema says which arguments are objects. */
        const void *any = rel_arg_object(&s->models[k], REL_NONE, REL_NONE, &ap, rel_alive(other) ? other : NULL);
        va_end(ap);
        return no_store(who, any, NULL);
    }
    o = new_va(db, k, via, other, new_is_model, who, ap);
    va_end(ap);
    return o;
}

void *rel_new0(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who)
{
    if (!db)
        return no_store(who, NULL, other);
    return new_object(db, k, NULL, via == REL_NONE ? NULL : REL_RELATION(db, via), other, new_is_model, who);
}

void *rel_new1(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who,
               void *a0)
{
    if (!db)
        return no_store(who, a0, other);
    return new_object(db, k, &a0, via == REL_NONE ? NULL : REL_RELATION(db, via), other, new_is_model, who);
}

void *rel_new2(rel_store *db, uint32_t k, uint32_t via, void *other, bool new_is_model, const char *who,
               void *a0, void *a1)
{
    void *req[2];
    if (!db)
        return no_store(who, a0 ? a0 : a1, other);
    req[0] = a0;
    req[1] = a1;
    return new_object(db, k, req, via == REL_NONE ? NULL : REL_RELATION(db, via), other, new_is_model, who);
}

void *rel_new_from_of(const rel_schema *s, const void *self, uint32_t sk, uint32_t k, uint32_t via, void *other,
                      bool new_is_model, const char *who, ...)
{
    va_list ap;
    void *o;
    va_start(ap, who);
    if (!rel_alive(self)) {
        /* The message goes to the store of another argument, if any: the
         * schema says how many required targets follow. */
        const void *any = rel_arg_object(&s->models[k], REL_NONE, REL_NONE, &ap, rel_alive(other) ? other : NULL);
        va_end(ap);
        rel_fail_arg_of(s, self, sk, any, who);
        return NULL;
    }
    o = new_va(rel_store_of(self), k, via, other, new_is_model, who, ap);
    va_end(ap);
    return o;
}

/* ---- whole-store code ---------------------------------------------------- */

uint64_t rel_model_last_id(const rel_store *db, uint32_t k)
{
    return db->models[k].last_id;
}

void *rel_obj_create(rel_store *db, uint32_t k, uint64_t id)
{
    const rel_model *m = &db->schema->models[k];
    rel_model_state *ms = &db->models[k];
    void *o;

    if (id == 0 || id > REL_ID_MAX || !rel_index_ids(db, k) || rel_list_reserve(&ms->ids, (size_t)id))
        return NULL;
    if (!(o = rel_pool_get(&ms->pool)))
        return NULL;
    memset(o, 0, m->size);
    init_fields(m, o);
    REL_TAG(o) = (uint32_t)id;
    ms->count++;
    while (ms->ids.count < id)   /* ids a fixture skipped: nobody's */
        ms->ids.items[ms->ids.count++] = NULL;
    ms->ids.items[id - 1] = o;
    if (id > ms->last_id)
        ms->last_id = (uint32_t)id;
    rel_gate(ms);
    return o;
}

void rel_obj_discard(rel_store *db, uint32_t k, void *o)
{
    rel_model_state *ms = &db->models[k];
    uint32_t id = rel_id_of(o);
    if (ms->ids.items && id <= ms->ids.count && ms->ids.items[id - 1] == o)
        ms->ids.items[id - 1] = NULL;
    rel_retire(db, k, o);
}

/* The creates were undone: the highest id is `last` again, and the index
 * (which they extended, with NULLs for the ids they skipped) ends there. */
void rel_model_restore_last_id(rel_store *db, uint32_t k, uint64_t last)
{
    rel_model_state *ms = &db->models[k];
    if (last < ms->last_id)
        ms->last_id = (uint32_t)last;
    if (ms->ids.items && last < ms->ids.count)
        ms->ids.count = (uint32_t)last;
    rel_gate(ms);
}

/* rel_new_fast's slow slot (rel.h).  Called only with the gate closed;
 * whatever closed it is handled here in the generic create's order (the
 * id space, then room in the index, then the slot), and the gate set
 * again after, so that the first create after a free list drains, or
 * after a new region, opens it for the creates that follow. */
void *rel_new_slot(rel_model_state *ms)
{
    rel_pool *p = &ms->pool;
    rel_list *ids = &ms->ids;
    void *o;
    if (ms->last_id >= REL_ID_MAX)
        return NULL;
    if (ids->items && rel_list_reserve(ids, (size_t)ids->count + 1))
        return NULL;
    /* The slow get: the free list first, else a bump against the region's
     * own limit (the gate, p->end, is closed). */
    if (!(o = rel_pool_get_slow(p)))
        return NULL;
    if (ids->items)   /* room reserved above; the caller cannot fail */
        ids->items[ids->count++] = o;
    rel_gate_issued(ms, ms->last_id + 1);   /* the caller takes the next id */
    return o;
}

/* ---- setters and set operations --------------------------------------------- */

rel_status rel_set_string(void *o, uint32_t k, uint32_t field, const char *value)
{
    rel_store *db;
    const rel_model *m;
    const rel_field *f;
    const char *old;
    char *copy;
    size_t chars;

    if (!rel_alive(o))
        return rel_fail_arg(o, k, NULL, NULL);
    db = rel_store_of(o);
    m = &db->schema->models[k];
    f = &m->fields[field];
    if (!value)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s %llu: %s: the value is NULL", m->name, REL_ID(o), f->name);
    if (!rel_utf8_valid(value, &chars))
        return rel_fail(&db->errmsg, REL_EINVAL, "%s %llu: %s: the value is not valid UTF-8", m->name, REL_ID(o),
                        f->name);
    if (f->max_length && chars > f->max_length)
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
    rel_store *db;
    const rel_schema *s;
    const rel_relation *r;
    if (!rel_alive(t) || !rel_alive(m))
        return rel_fail_link(ri, m, t, false, who);
    db = rel_store_of(t);
    s = db->schema;
    r = REL_RELATION(db, ri);
    if (rel_fwd(m, r->fwd) != t)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s: the %s is not in this %s's %s", rel_who(who),
                        s->models[r->model].name, s->models[r->target].name, r->accessor ? r->accessor : r->name);
    if (!r->null)
        return rel_fail_required(ri, m);
    if (r->serves != REL_NONE)
        rel_through_detach(db, ri, m);
    if (r->in_unique)
        rel_unique_unset(db, ri, m);
    if (r->type == REL_ONE_TO_ONE) {
        REL_AT(t, r->rev, void *) = NULL;
        rel_fwd_set(m, r->fwd, NULL);
    } else {
        rel_fk_unlink(m, r->fwd, r->pos, r->rev);
    }
    return REL_OK;
}

rel_status rel_fk_clear(uint32_t ri, void *t)
{
    const rel_relation *r;
    rel_list *l;
    if (!rel_alive(t))   /* a deleted t still knows its store, and so the model */
        return rel_fail_arg(t, t ? REL_RELATION(rel_store_of(t), ri)->target : UINT32_MAX, NULL, NULL);
    r = REL_RELATION(rel_store_of(t), ri);
    l = &REL_AT(t, r->rev, rel_list);
    if (!r->null && l->count)
        return rel_fail_required(ri, l->items[l->count - 1]);
    /* From the end: each unlink then moves nothing. */
    while (l->count) {
        if (r->serves != REL_NONE)
            rel_through_detach(rel_store_of(t), ri, l->items[l->count - 1]);
        if (r->in_unique)
            rel_unique_unset(rel_store_of(t), ri, l->items[l->count - 1]);
        rel_fk_unlink(l->items[l->count - 1], r->fwd, r->pos, r->rev);
    }
    return REL_OK;
}

rel_status rel_m2m_clear(uint32_t ri, void *o, bool o_is_model)
{
    const rel_relation *r;
    if (!rel_alive(o)) {
        const rel_relation *ro = o ? REL_RELATION(rel_store_of(o), ri) : NULL;
        return rel_fail_arg(o, ro ? (o_is_model ? ro->model : ro->target) : UINT32_MAX, NULL, NULL);
    }
    r = REL_RELATION(rel_store_of(o), ri);
    if (o_is_model) {
        rel_vec *v = &REL_AT(o, r->fwd, rel_vec);
        while (v->count)
            rel_m2m_unlink(o, r->fwd, r->rev, v->count - 1);
    } else {
        rel_vec *v = &REL_AT(o, r->rev, rel_vec);
        while (v->count) {
            uint32_t last = v->count - 1;
            rel_m2m_unlink(v->items[last], r->fwd, r->rev, rel_vec_back(v)[last]);
        }
    }
    return REL_OK;
}

/* ---- the cold paths of the inline helpers -------------------------------------- */

const char *rel_errmsg_nostore(void) { return nostore.text; }

REL_COLD rel_status rel_fail_null_arg(rel_store *db, const char *who, const char *model)
{
    rel_errmsg *msg = db ? &db->errmsg : &nostore;
    if (model)
        return rel_fail(msg, REL_EINVAL, "%s: NULL %s", rel_who(who), model);
    return rel_fail(msg, REL_EINVAL, "%s: an argument is NULL", rel_who(who));
}

/* "NULL Author" or "Book 17 was deleted"; k is o's model (UINT32_MAX:
 * unknown, only for a deleted o, whose model the message then leaves
 * out). */
REL_COLD rel_status rel_fail_arg(const void *o, uint32_t k, const void *other, const char *who)
{
    return rel_fail_arg_of(NULL, o, k, other, who);
}

REL_COLD rel_status rel_fail_arg_of(const rel_schema *s, const void *o, uint32_t k, const void *other,
                                    const char *who)
{
    rel_store *db = o ? rel_store_of(o) : other ? rel_store_of(other) : NULL;
    rel_errmsg *msg = db ? &db->errmsg : &nostore;
    const rel_schema *schema = db ? db->schema : s;
    const char *name = schema && k != UINT32_MAX ? schema->models[k].name : NULL;
    const char *sep = who ? ": " : "";
    if (!o)
        return rel_fail(msg, REL_EINVAL, "%s%sNULL %s", who ? who : "", sep, name ? name : "object");
    return rel_fail(msg, REL_EINVAL, "%s%s%s %llu was deleted", who ? who : "", sep, name ? name : "object",
                    REL_ID(o));
}

REL_COLD rel_status rel_fail_link(uint32_t ri, const void *m, const void *t, bool m_is_self, const char *who)
{
    /* The object in fault, and which model it is of: the receiver first. */
    const void *self = m_is_self ? m : t, *x = m_is_self ? t : m;
    const void *any = self ? self : x;
    const rel_relation *r = any ? REL_RELATION(rel_store_of(any), ri) : NULL;
    uint32_t kself = r ? (m_is_self ? r->model : r->target) : UINT32_MAX;
    uint32_t kx = r ? (m_is_self ? r->target : r->model) : UINT32_MAX;
    if (!rel_alive(self))
        return rel_fail_arg(self, kself, x, who);
    return rel_fail_arg(x, kx, self, who);
}

REL_COLD rel_status rel_fk_set_cold(void *m, void *t, uint32_t r, size_t fwd, size_t pos, size_t rev, bool null)
{
    if (!rel_alive(m) || (t && !rel_alive(t)))
        return rel_fail_link(r, m, t, true, NULL);
    if (!null)
        return rel_fail_required(r, m);
    rel_fk_unlink(m, fwd, pos, rev);   /* t is NULL: the only case left */
    return REL_OK;
}

REL_COLD rel_status rel_fail_required(uint32_t ri, void *m)
{
    rel_store *db = rel_store_of(m);
    const rel_relation *r = REL_RELATION(db, ri);
    return rel_fail(&db->errmsg, REL_ENULL, "%s %llu: %s cannot be NULL (it is not null = true)",
                    db->schema->models[r->model].name, REL_ID(m), r->name);
}

REL_COLD rel_status rel_fail_other_store(uint32_t ri, void *m, void *t, bool m_is_self, const char *who)
{
    void *self = m_is_self ? m : t, *x = m_is_self ? t : m;
    rel_store *db = rel_store_of(self);
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
    rel_store *db = rel_store_of(t);
    const rel_relation *r = REL_RELATION(db, ri);
    const rel_model *models = db->schema->models;
    return rel_fail(&db->errmsg, REL_EUNIQUE, "%s %llu already has a %s (%s.%s is one-to-one)",
                    models[r->target].name, REL_ID(t), models[r->model].name, models[r->model].name, r->name);
}

REL_COLD rel_status rel_fail_nomem(uint32_t ri, void *o)
{
    rel_store *db = rel_store_of(o);
    const rel_relation *r = REL_RELATION(db, ri);
    const char *model = db->schema->models[r->model].name;
    if (r->type == REL_MANY_TO_MANY)
        return rel_fail(&db->errmsg, REL_ENOMEM, "out of memory adding to %s.%s", model, r->name);
    return rel_fail(&db->errmsg, REL_ENOMEM, "out of memory setting %s.%s", model, r->name);
}
