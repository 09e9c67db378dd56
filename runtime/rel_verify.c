/* rel_verify.c: every invariant of a store, checked from the descriptor.
 *
 * For each model: its pool, count and ids agree (every live object has
 * an issued id, is in the id index once that is built, and there are as
 * many as the count says), then each object: its store and mark, its
 * strings, and each relation from both of its ends (what it points at
 * points or lists it back, what lists it points at it).  Objects in
 * relations are checked to be alive first: a deleted object's tag says so
 * and stays readable in the pool, so the check reads nothing else of a
 * dead object.
 *
 * verify is for stores that a program may have written to directly, so
 * it follows nothing it has not checked first: a reference only once the
 * region table names it (rel_cref_unsound), a plain pointer (a list's
 * item, a one-to-one's reverse, a free list's link, an index's entry)
 * only once it is found among the store's regions, sorted into an array
 * at the start (rel_regions; without memory for that, by walking the
 * model's regions), at a slot that its pool handed out.  What
 * it still trusts are the store's own structures (the pools and their
 * regions) and what the allocator returned (a list's items, a string).
 *
 * It reports the first broken invariant as "verify: Book 3: ...".  The
 * store is const to the caller; only its errmsg is written.
 */
#include "rel_impl.h"

/* A string member, for REL_CAT (see rel_ptr). */
typedef const char *text;


/* Sets errmsg to "verify: M ID: what" and returns REL_ECORRUPT. */
static REL_COLD rel_status corrupt(const rel_store *db, uint32_t k, const void *o, const char *what)
{
    rel_store *w = (rel_store *)(uintptr_t)db;  /* for the message only */
    return rel_fail(&w->errmsg, REL_ECORRUPT, "verify: %s %llu: %s", db->schema->models[k].name, REL_ID(o), what);
}

/* Whether x is a live object of model k of this store, found among its
 * regions (rs) before anything of it is read. */
static bool alive(const rel_store *db, const rel_regions *rs, uint32_t k, const void *x)
{
    return rel_slot_known(db, rs, k, x) && rel_alive(x);
}

/* Whether model k's inline-create gate (rel_pool.end, rel_gate) lets
 * no create through that needs the slow path: closed (end == next), or
 * open for whole slots within the newest region, with no slot to reuse,
 * an id left for every slot it lets through, and room for each in the id
 * index once there is one. */
static bool gate_ok(const rel_model_state *ms)
{
    const rel_pool *p = &ms->pool;
    size_t open;
    if (p->end == p->next)
        return true;
    if (!p->last || p->end < p->next || p->end > p->last->end || p->free_head)
        return false;
    open = (size_t)(p->end - p->next);
    return open % p->size == 0 && open / p->size <= (size_t)(REL_ID_MAX - ms->last_id)
        && (!ms->ids.items || open / p->size <= (size_t)(ms->ids.cap - ms->ids.count));
}

/* Model k's pool, count and ids: every live slot has an id that was
 * issued, no mark, and (once the index is built) its place in the index,
 * whose every entry is a slot of the model or NULL; there are as many as
 * the count says. */
static rel_status verify_objects(const rel_store *db, const rel_regions *rs, uint32_t k)
{
    const rel_model_state *ms = &db->models[k];
    rel_cursor c = rel_cursor_of(&ms->pool);
    const void *o;
    uint32_t live = 0, i;

    if (ms->ids.count > ms->ids.cap || ms->collected.count || ms->done
        || (ms->ids.items && ms->ids.count != ms->last_id))
        return rel_fail(&((rel_store *)(uintptr_t)db)->errmsg, REL_ECORRUPT,
                        "verify: the store's lists of %s are inconsistent", db->schema->models[k].name);
    for (i = 0; ms->ids.items && i < ms->ids.count; i++)
        if (ms->ids.items[i] && !rel_slot_known(db, rs, k, ms->ids.items[i]))
            return rel_fail(&((rel_store *)(uintptr_t)db)->errmsg, REL_ECORRUPT,
                            "verify: the id index of %s holds something that is not one of its objects (id %lu)",
                            db->schema->models[k].name, (unsigned long)i + 1);
    while ((o = rel_cursor_next(&c))) {
        uint32_t tag = REL_CTAG(o);
        live++;
        if (rel_store_of(o) != db || (tag & REL_MARK))
            return corrupt(db, k, o, "wrong store, or left marked by a delete");
        if (tag == 0 || tag > ms->last_id)
            return corrupt(db, k, o, "its id was never issued");
        if (ms->ids.items && ms->ids.items[tag - 1] != o)
            return corrupt(db, k, o, "the id index does not find it");
    }
    if (!gate_ok(ms))
        return rel_fail(&((rel_store *)(uintptr_t)db)->errmsg, REL_ECORRUPT,
                        "verify: the inline create's gate of %s is open where it must not be",
                        db->schema->models[k].name);
    if (!rel_free_list_ok(&ms->pool, rs))
        return rel_fail(&((rel_store *)(uintptr_t)db)->errmsg, REL_ECORRUPT,
                        "verify: the free list of %s is broken", db->schema->models[k].name);
    if (live != ms->count) {
        rel_store *w = (rel_store *)(uintptr_t)db;
        return rel_fail(&w->errmsg, REL_ECORRUPT, "verify: the store counts %lu %s but holds %lu",
                        (unsigned long)ms->count, db->schema->models[k].name, (unsigned long)live);
    }
    return REL_OK;
}

/* Object o's strings. */
static rel_status verify_strings(const rel_store *db, uint32_t k, const void *o)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t j;
    size_t chars;
    for (j = 0; j < m->nfields; j++) {
        const rel_field *f = &m->fields[j];
        const char *str;
        if (f->type != REL_STRING)
            continue;
        str = REL_CAT(o, f->offset, text);
        if (!str)
            return corrupt(db, k, o, "a string is NULL");
        if (!rel_utf8_valid(str, &chars))
            return corrupt(db, k, o, "a string is not valid UTF-8");
        if (f->max_length && chars > f->max_length)
            return corrupt(db, k, o, "a string is longer than its max_length");
    }
    return REL_OK;
}

/* A GenericForeignKey's relation r that o does not use: the first of its
 * relations checks that the discriminator names a listed model, or none
 * and then the reference is 0 (and null = true allows it).  The one in
 * use checks the rest, as a ForeignKey. */
static rel_status verify_generic(const rel_store *db, uint32_t k, const rel_relation *r, const void *o)
{
    uint32_t ri = (uint32_t)(r - db->schema->relations), ct = REL_CAT(o, r->ct, uint32_t);
    if (ri > 0 && REL_RELATION(db, ri - 1)->type == REL_GENERIC && REL_RELATION(db, ri - 1)->fwd == r->fwd
        && REL_RELATION(db, ri - 1)->model == r->model)
        return REL_OK;   /* not the first of its GenericForeignKey */
    if (ct == 0) {
        if (rel_fwd(o, r->fwd))
            return corrupt(db, k, o, "a GenericForeignKey points at an object but names no model");
        return r->null ? REL_OK : corrupt(db, k, o, "a required relation is NULL");
    }
    if (ct > db->schema->nmodels || rel_gfk_part(db, ri, ct - 1) == REL_NONE)
        return corrupt(db, k, o, "a GenericForeignKey names a model it does not list");
    return REL_OK;
}

/* Relation r from its declaring object o (of model k). */
static rel_status verify_forward(const rel_store *db, const rel_regions *rs, uint32_t k, const rel_relation *r,
                                 const void *o)
{
    uint32_t j;
    if (r->type == REL_MANY_TO_MANY) {
        const rel_vec *v = &REL_CAT(o, r->fwd, rel_vec);
        if (v->count > v->cap)
            return corrupt(db, k, o, "a many-to-many set's count is past its capacity");
        for (j = 0; j < v->count; j++) {
            const void *t = v->items[j];
            const rel_vec *tv;
            uint32_t b = rel_vec_back(v)[j];
            if (!alive(db, rs, r->target, t))
                return corrupt(db, k, o, "a many-to-many set holds a deleted object, or no object of its model "
                                         "in this store");
            tv = &REL_CAT(t, r->rev, rel_vec);
            if (b >= tv->count || tv->items[b] != o || rel_vec_back(tv)[b] != j)
                return corrupt(db, k, o, "a many-to-many link is not on both sides");
        }
        return REL_OK;
    }
    if (r->type == REL_GENERIC && !rel_in_use(r, o))
        return verify_generic(db, k, r, o);
    {
        rel_cref c = REL_CAT(o, r->fwd, rel_cref);
        const char *why = c ? rel_cref_unsound(db, r->target, c) : NULL;
        const void *t;
        if (!c && r->type == REL_GENERIC)
            return corrupt(db, k, o, "a GenericForeignKey names a model but points at nothing");
        if (!c)
            return r->null ? REL_OK : corrupt(db, k, o, "a required relation is NULL");
        if (why)   /* (a GenericForeignKey's target: the model it names) */
            return corrupt(db, k, o, why);
        t = rel_deref(c);   /* a slot of r->target's pool in db: only its tag is left to test */
        if (!rel_alive(t))
            return corrupt(db, k, o, "a relation points at a deleted object");
        if (rel_listed(r)) {
            const rel_list *l = &REL_CAT(t, r->rev, rel_list);
            uint32_t pos = REL_CAT(o, r->pos, uint32_t);
            if (pos >= l->count || l->items[pos] != o)
                return corrupt(db, k, o, "a ForeignKey's target does not list it back");
        } else if (REL_CAT(t, r->rev, rel_ptr) != o) {
            return corrupt(db, k, o, "a OneToOneField's target does not point back");
        }
    }
    return REL_OK;
}

/* Relation r from its target object o (of model k): the reverse side. */
static rel_status verify_reverse(const rel_store *db, const rel_regions *rs, uint32_t k, const rel_relation *r,
                                 const void *o)
{
    uint32_t j;
    if (rel_listed(r)) {
        const rel_list *l = &REL_CAT(o, r->rev, rel_list);
        if (l->count > l->cap)
            return corrupt(db, k, o, "a reverse set's count is past its capacity");
        for (j = 0; j < l->count; j++) {
            const void *x = l->items[j];
            if (!alive(db, rs, r->model, x))
                return corrupt(db, k, o, "a reverse set holds a deleted object, or no object of its model in "
                                         "this store");
            if (!rel_in_use(r, x))
                return corrupt(db, k, o, "a generic reverse set holds an object that names another model");
            if (rel_fwd(x, r->fwd) != o || REL_CAT(x, r->pos, uint32_t) != j)
                return corrupt(db, k, o, "a reverse set holds an object that points elsewhere");
        }
    } else if (r->type == REL_ONE_TO_ONE) {
        const void *x = REL_CAT(o, r->rev, rel_ptr);
        if (x && !alive(db, rs, r->model, x))
            return corrupt(db, k, o, "a one-to-one reverse points at a deleted object, or no object of its model "
                                     "in this store");
        if (x && rel_fwd(x, r->fwd) != o)
            return corrupt(db, k, o, "a one-to-one reverse points at an object that points elsewhere");
    } else if (!r->symmetrical) {  /* a symmetrical set is its forward one */
        const rel_vec *v = &REL_CAT(o, r->rev, rel_vec);
        if (v->count > v->cap)
            return corrupt(db, k, o, "a many-to-many set's count is past its capacity");
        for (j = 0; j < v->count; j++) {
            const void *x = v->items[j];
            const rel_vec *xv;
            uint32_t b = rel_vec_back(v)[j];
            if (!alive(db, rs, r->model, x))
                return corrupt(db, k, o, "a many-to-many set holds a deleted object, or no object of its model "
                                         "in this store");
            xv = &REL_CAT(x, r->fwd, rel_vec);
            if (b >= xv->count || xv->items[b] != o || rel_vec_back(xv)[b] != j)
                return corrupt(db, k, o, "a many-to-many link is not on both sides");
        }
    }
    return REL_OK;
}

static rel_status verify_model(const rel_store *db, const rel_regions *rs, uint32_t k)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    rel_cursor c = rel_cursor_of(&db->models[k].pool);
    const void *o;
    rel_status st;
    uint32_t j;

    if ((st = verify_objects(db, rs, k)) != REL_OK)
        return st;
    while ((o = rel_cursor_next(&c))) {
        if ((st = verify_strings(db, k, o)) != REL_OK)
            return st;
        for (j = 0; j < m->nrelations; j++)
            if ((st = verify_forward(db, rs, k, &s->relations[m->relations[j]], o)) != REL_OK)
                return st;
        for (j = 0; j < m->nincoming; j++)
            if ((st = verify_reverse(db, rs, k, &s->relations[m->incoming[j]], o)) != REL_OK)
                return st;
        if ((st = rel_through_verify(db, k, o)) != REL_OK)
            return st;
    }
    return REL_OK;
}

rel_status rel_store_verify(const rel_store *db)
{
    rel_status st = REL_OK;
    rel_regions rs;
    uint32_t k;
    if (!db)
        return rel_fail_null_arg(NULL, "verify", "store");
    if (db->ntouched)
        return rel_fail(&((rel_store *)(uintptr_t)db)->errmsg, REL_ECORRUPT,
                        "verify: a delete left models marked as touched");
    rel_regions_of(db, &rs);
    for (k = 0; st == REL_OK && k < db->schema->nmodels; k++)
        st = verify_model(db, &rs, k);
    if (st == REL_OK)
        st = rel_unique_verify(db, &rs);
    rel_regions_free(&rs);
    return st;
}
