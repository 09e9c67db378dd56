/* rel_delete.c: Django's collector, over the schema descriptor.
 *
 * A delete runs in two halves.  The first decides: it marks the objects
 * given (each object's header has a mark bit), collects what they cascade
 * to until nothing new turns up (a PROTECT referrer refuses at once), and
 * then checks RESTRICT against the final set, where a referrer that is
 * itself collected does not count.  It writes nothing but marks and the
 * store's collected lists, so a refusal or an allocation failure undoes
 * itself by clearing the marks.  The second half applies the set, and
 * nothing in it can fail: SET_NULL clears the referrers that stay, every
 * link from a collected object to one that stays is unlinked on both
 * sides, and the collected objects leave the store.  That split is what
 * makes a delete all or nothing.
 *
 * Each step runs only for the models the collector touched (db->touched,
 * in the order it first collected each), so a delete costs nothing for the
 * rest of a large schema.  Steps that cannot change the outcome's order
 * loop relation by relation and object by object within it, so the inner
 * loops see one relation's offsets and nothing else; collecting and
 * RESTRICT go object by object, which fixes the order of the collected
 * lists (and so of what stays in each model's list of all) and which
 * blocker a refusal names.
 */
#include "rel_impl.h"

#include <stdlib.h>
#include <string.h>

/* ---- the deciding half ---------------------------------------------------------- */

/* A growable list of rel_ref, for plans. */
typedef struct refs {
    rel_ref *items;
    size_t count, cap;
} refs;

/* A plan in the making: a delete that only looks.  It records every
 * blocker instead of stopping at the first. */
typedef struct planner {
    refs blockers;
    bool protect, restricted;
} planner;

static bool refs_add(refs *l, uint32_t model, uint32_t relation, void *object)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        rel_ref *items;
        if (cap > SIZE_MAX / sizeof *items || !(items = (rel_ref *)rel_realloc(l->items, cap * sizeof *items)))
            return false;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count].model = model;
    l->items[l->count].relation = relation;
    l->items[l->count].object = object;
    l->count++;
    return true;
}

static REL_COLD rel_status fail_nomem(rel_store *db, uint32_t k, void *o)
{
    return rel_fail(&db->errmsg, REL_ENOMEM, "out of memory deleting %s %llu", db->schema->models[k].name,
                    REL_ID(o));
}

/* A referrer x blocks deleting o (model k) through relation r. */
static REL_COLD rel_status fail_blocked(rel_store *db, const rel_relation *r, void *o, void *x)
{
    const rel_model *models = db->schema->models;
    bool protect = r->on_delete == REL_PROTECT;
    return rel_fail(&db->errmsg, protect ? REL_EPROTECTED : REL_ERESTRICTED,
                    "cannot delete %s %llu: %s %llu refers to it through %s.%s, which is on_delete = %s",
                    models[r->target].name, REL_ID(o), models[r->model].name, REL_ID(x), models[r->model].name,
                    r->name, protect ? "PROTECT" : "RESTRICT");
}

/* Adds o (of model k) to the delete, once. */
static inline rel_status mark(rel_store *db, uint32_t k, void *o)
{
    rel_model_state *ms;
    if (REL_TAG(o) & REL_MARK)
        return REL_OK;
    ms = &db->models[k];
    if (rel_list_reserve(&ms->collected, (size_t)ms->collected.count + 1))
        return fail_nomem(db, k, o);
    if (ms->collected.count == 0)
        db->touched[db->ntouched++] = k;
    REL_TAG(o) |= REL_MARK;
    ms->collected.items[ms->collected.count++] = o;
    return REL_OK;
}

/* Whether some relation into model m (a ForeignKey or one-to-one) has
 * on_delete = a or b: whether a step has anything to do for m. */
static bool any_incoming(const rel_schema *s, const rel_model *m, int a, int b)
{
    uint32_t i;
    for (i = 0; i < m->nincoming; i++) {
        int od = s->relations[m->incoming[i]].on_delete;
        if (od == a || od == b)
            return true;
    }
    return false;
}

/* Collects what model k's objects not yet looked at cascade to; a PROTECT
 * referrer refuses.  *more says that some object was looked at. */
static rel_status collect(rel_store *db, uint32_t k, bool *more, planner *pl)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    rel_model_state *ms = &db->models[k];
    rel_status st;
    uint32_t i, j;

    if (ms->done == ms->collected.count)
        return REL_OK;
    *more = true;
    if (!any_incoming(s, m, REL_CASCADE, REL_PROTECT)) {
        ms->done = ms->collected.count;
        return REL_OK;
    }
    /* Marking may grow ms->collected (a model cascading to itself), so
     * read it afresh each time round. */
    while (ms->done < ms->collected.count) {
        void *o = ms->collected.items[ms->done++];
        for (i = 0; i < m->nincoming; i++) {
            const rel_relation *r = &s->relations[m->incoming[i]];
            if (r->on_delete == REL_CASCADE) {
                if (rel_listed(r)) {
                    const rel_list *l = &REL_AT(o, r->rev, rel_list);
                    for (j = 0; j < l->count; j++)
                        if ((st = mark(db, r->model, l->items[j])) != REL_OK)
                            return st;
                } else {
                    void *x = REL_AT(o, r->rev, void *);
                    if (x && (st = mark(db, r->model, x)) != REL_OK)
                        return st;
                }
            } else if (r->on_delete == REL_PROTECT) {
                /* Refused even when the referrer goes too, as Django
                 * refuses: PROTECT means the referrer must go first.  A
                 * plan lists every one. */
                void *x;
                if (rel_listed(r)) {
                    const rel_list *l = &REL_AT(o, r->rev, rel_list);
                    x = l->count ? l->items[0] : NULL;
                    for (j = 0; pl && j < l->count; j++)
                        if (!refs_add(&pl->blockers, r->model, m->incoming[i], l->items[j]))
                            return fail_nomem(db, k, o);
                } else {
                    x = REL_AT(o, r->rev, void *);
                    if (pl && x && !refs_add(&pl->blockers, r->model, m->incoming[i], x))
                        return fail_nomem(db, k, o);
                }
                if (x && !pl)
                    return fail_blocked(db, r, o, x);
                if (x)
                    pl->protect = true;
            }
        }
    }
    return REL_OK;
}

/* RESTRICT against the final set: a referrer that stays refuses. */
static rel_status check_restrict(rel_store *db, uint32_t k, planner *pl)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    const rel_list *c = &db->models[k].collected;
    uint32_t n, i, j;

    if (!any_incoming(s, m, REL_RESTRICT, REL_RESTRICT))
        return REL_OK;
    for (n = 0; n < c->count; n++) {
        void *o = c->items[n];
        for (i = 0; i < m->nincoming; i++) {
            const rel_relation *r = &s->relations[m->incoming[i]];
            if (r->on_delete != REL_RESTRICT)
                continue;
            if (rel_listed(r)) {
                const rel_list *l = &REL_AT(o, r->rev, rel_list);
                for (j = 0; j < l->count; j++) {
                    void *x = l->items[j];
                    if (REL_TAG(x) & REL_MARK)
                        continue;
                    if (!pl)
                        return fail_blocked(db, r, o, x);
                    if (!refs_add(&pl->blockers, r->model, m->incoming[i], x))
                        return fail_nomem(db, k, o);
                    pl->restricted = true;
                }
            } else {
                void *x = REL_AT(o, r->rev, void *);
                if (x && !(REL_TAG(x) & REL_MARK)) {
                    if (!pl)
                        return fail_blocked(db, r, o, x);
                    if (!refs_add(&pl->blockers, r->model, m->incoming[i], x))
                        return fail_nomem(db, k, o);
                    pl->restricted = true;
                }
            }
        }
    }
    return REL_OK;
}

/* ---- the applying half: nothing here can fail ------------------------------------- */

/* SET_NULL: referrers of model k's collected objects that stay lose their
 * reference.  The collected object's reverse list goes with it, so only the
 * referrer's side is written. */
static void set_null(rel_store *db, uint32_t k)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    const rel_list *c = &db->models[k].collected;
    uint32_t n, i, j;

    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        size_t fwd = r->fwd, rev = r->rev;
        if (r->on_delete != REL_SET_NULL)
            continue;
        if (rel_listed(r)) {
            for (n = 0; n < c->count; n++) {
                const rel_list *l = &REL_AT(c->items[n], rev, rel_list);
                for (j = 0; j < l->count; j++)
                    if (!(REL_TAG(l->items[j]) & REL_MARK)) {
                        if (r->in_unique)
                            rel_unique_unset(db, m->incoming[i], l->items[j]);
                        rel_null_out(r, l->items[j]);
                    }
            }
        } else {
            for (n = 0; n < c->count; n++) {
                void *x = REL_AT(c->items[n], rev, void *);
                if (x && !(REL_TAG(x) & REL_MARK)) {
                    if (r->in_unique)
                        rel_unique_unset(db, m->incoming[i], x);
                    rel_fwd_set(x, fwd, NULL);
                }
            }
        }
    }
}

/* Unlinks model k's collected objects from every object that stays: the
 * targets of the relations k declares, and the declaring side of each
 * many-to-many into k.  Links between two collected objects stay; both
 * ends are freed.  Sets are walked from the end, so that the entry an
 * unlink moves into the hole has been looked at already. */
static void unlink_staying(rel_store *db, uint32_t k)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    const rel_list *c = &db->models[k].collected;
    uint32_t n, i, j;

    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = &s->relations[m->relations[i]];
        size_t fwd = r->fwd, rev = r->rev;
        if (rel_listed(r)) {
            size_t pos = r->pos;
            for (n = 0; n < c->count; n++) {
                void *o = c->items[n], *t = rel_fwd(o, fwd);
                if (t && !(REL_TAG(t) & REL_MARK) && rel_in_use(r, o))
                    rel_fk_unlink(o, fwd, pos, rev);
            }
        } else if (r->type == REL_ONE_TO_ONE) {
            for (n = 0; n < c->count; n++) {
                void *o = c->items[n], *t = rel_fwd(o, fwd);
                if (t && !(REL_TAG(t) & REL_MARK)) {
                    REL_AT(t, rev, void *) = NULL;
                    rel_fwd_set(o, fwd, NULL);
                }
            }
        } else {
            for (n = 0; n < c->count; n++) {
                void *o = c->items[n];
                const rel_vec *v = &REL_AT(o, fwd, rel_vec);
                for (j = v->count; j-- > 0;)
                    if (!(REL_TAG(v->items[j]) & REL_MARK))
                        rel_m2m_unlink(o, fwd, rev, j);
            }
        }
    }
    /* The reverse side of many-to-many relations into k.  A symmetrical
     * one has no reverse set: its forward pass above did it. */
    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        size_t fwd = r->fwd, rev = r->rev;
        if (r->type != REL_MANY_TO_MANY || r->symmetrical)
            continue;
        for (n = 0; n < c->count; n++) {
            const rel_vec *v = &REL_AT(c->items[n], rev, rel_vec);
            for (j = v->count; j-- > 0;) {
                void *x = v->items[j];
                if (!(REL_TAG(x) & REL_MARK))
                    rel_m2m_unlink(x, fwd, rev, rel_vec_back(v)[j]);
            }
        }
    }
}

/* Collected through objects whose two sides both stay take their pairs
 * out of the sets (rel_through.c); before unlink_staying, which clears
 * their ForeignKeys. */
static void through_pairs(rel_store *db, uint32_t k)
{
    const rel_list *c = &db->models[k].collected;
    uint32_t n;
    if (!(db->models[k].flags & REL_THROUGH))
        return;
    for (n = 0; n < c->count; n++)
        rel_through_leave(db, k, c->items[n]);
}

/* Model k's collected objects leave the unique indexes, before any of
 * their relations is undone (their keys are read from them). */
static void leave_indexes(rel_store *db, uint32_t k)
{
    const rel_list *c = &db->models[k].collected;
    uint32_t n;
    if (!(db->models[k].flags & REL_HAS_UNIQUE))
        return;
    for (n = 0; n < c->count; n++)
        rel_unique_leave(db, k, c->items[n]);
}

/* Model k's collected objects leave the store: their memory freed, their
 * tag marked deleted (what rel_get and a cursor look for), back to the
 * pool. */
static void remove_collected(rel_store *db, uint32_t k)
{
    const rel_list *c = &db->models[k].collected;
    uint32_t n;
    for (n = 0; n < c->count; n++) {
        rel_free_members(db, k, c->items[n]);
        rel_retire(db, k, c->items[n]);
    }
}

/* Ready for the next delete; a refused one also clears its marks (an
 * applied one retired the objects that had them). */
static void end(rel_store *db, uint32_t k, bool applied)
{
    rel_model_state *ms = &db->models[k];
    uint32_t n;
    if (!applied)
        for (n = 0; n < ms->collected.count; n++)
            REL_TAG(ms->collected.items[n]) &= ~REL_MARK;
    ms->collected.count = 0;
    ms->done = 0;
}

/* ---- one object, freed as it goes -------------------------------------------------- */

/* The end of a single-pass delete of o (model k): its links to objects
 * that stay are undone (links to marked or deleted ones are left: their
 * lists go with them), its memory freed, its slot retired.  Inline, so
 * that a model nothing points at (the books of an author) is deleted in
 * its parent's loop without a call. */
REL_INLINE_ALWAYS void leave(rel_store *db, uint32_t k, void *o)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    uint32_t i, j;
    if (db->models[k].flags & REL_HAS_UNIQUE)
        rel_unique_leave(db, k, o);
    if (db->models[k].flags & REL_THROUGH)
        rel_through_leave(db, k, o);
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = &s->relations[m->relations[i]];
        size_t fwd = r->fwd, rev = r->rev;
        if (r->type == REL_MANY_TO_MANY) {
            const rel_vec *v = &REL_AT(o, fwd, rel_vec);
            for (j = v->count; j-- > 0;) {
                void *t = v->items[j];
                if (t != o && !(REL_TAG(t) & (REL_MARK | REL_DEAD)))
                    rel_m2m_drop(&REL_AT(t, rev, rel_vec), rel_vec_back(v)[j], fwd);
            }
        } else {
            void *t = rel_fwd(o, fwd);
            if (!t || (REL_TAG(t) & (REL_MARK | REL_DEAD)) || !rel_in_use(r, o))
                continue;
            if (rel_listed(r))
                rel_fk_unlink(o, fwd, r->pos, rev);
            else
                REL_AT(t, rev, void *) = NULL;
        }
    }
    if (db->models[k].flags & REL_HAS_OWNED)
        rel_free_members(db, k, o);
    rel_retire(db, k, o);
}

/* Deletes o (of model k, marked) and what it cascades to, depth first,
 * when the schema says nothing on the way can refuse (REL_FAST_DELETE).
 * Objects being deleted carry the mark until they are retired, and then
 * the dead flag: links to either are left alone (their lists go with
 * them), links to the rest are undone.  The recursion follows CASCADE
 * between models, which the flag guarantees has no cycle. */
static void delete_now(rel_store *db, uint32_t k, void *o)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    uint32_t i, j;

    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        size_t fwd = r->fwd, rev = r->rev;
        if (rel_listed(r)) {
            const rel_list *l = &REL_AT(o, rev, rel_list);
            if (r->on_delete == REL_CASCADE) {
                uint32_t flags = db->models[r->model].flags;
                bool leaf = s->models[r->model].nincoming == 0;
                if (flags & REL_LEAF) {
                    /* r is each referrer's only link, and o's list of
                     * them goes with o: retiring them is all there is. */
                    rel_retire_leaves(db, r->model, l->items, l->count);
                    continue;
                }
                for (j = 0; j < l->count; j++) {
                    void *x = l->items[j];
                    if (REL_TAG(x) & (REL_MARK | REL_DEAD))
                        continue;
                    REL_TAG(x) |= REL_MARK;
                    if (leaf)
                        leave(db, r->model, x);
                    else
                        delete_now(db, r->model, x);
                }
            } else {   /* SET_NULL: the fast path has no PROTECT or RESTRICT */
                for (j = 0; j < l->count; j++)
                    if (!(REL_TAG(l->items[j]) & (REL_MARK | REL_DEAD))) {
                        if (r->in_unique)
                            rel_unique_unset(db, m->incoming[i], l->items[j]);
                        rel_null_out(r, l->items[j]);
                    }
            }
        } else if (r->type == REL_ONE_TO_ONE) {
            void *x = REL_AT(o, rev, void *);
            if (x && !(REL_TAG(x) & (REL_MARK | REL_DEAD))) {
                if (r->on_delete == REL_CASCADE) {
                    REL_TAG(x) |= REL_MARK;
                    delete_now(db, r->model, x);
                } else {
                    if (r->in_unique)
                        rel_unique_unset(db, m->incoming[i], x);
                    rel_fwd_set(x, fwd, NULL);
                }
            }
        } else if (!r->symmetrical) {   /* many-to-many into k: leave each partner's set */
            const rel_vec *v = &REL_AT(o, rev, rel_vec);
            for (j = v->count; j-- > 0;)
                if (!(REL_TAG(v->items[j]) & (REL_MARK | REL_DEAD)))
                    rel_m2m_drop(&REL_AT(v->items[j], fwd, rel_vec), rel_vec_back(v)[j], rev);
        }
    }
    leave(db, k, o);
}

/* ---- the driver ------------------------------------------------------------------ */

/* The checks every delete makes on its arguments: objects[0..n) are live
 * objects of one store, which *out gets.  Sets errmsg on failure. */
static rel_status check_args(const rel_schema *s, uint32_t k, void *const *objects, size_t n, const char *who,
                             rel_store **out)
{
    rel_store *db;
    const void *any;
    size_t i;

    if (!objects)
        return rel_fail_null_arg(NULL, who, NULL);
    for (i = 0; i < n && !objects[i]; i++)
        ;
    any = i < n ? objects[i] : NULL;   /* the first object there is names the store */
    db = any ? rel_store_of(any) : NULL;
    for (i = 0; i < n; i++) {
        if (!rel_alive(objects[i]))
            return rel_fail_arg_of(s, objects[i], k, any, who);
        if (rel_store_of(objects[i]) != db)
            return rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu (object %lu) belongs to another store",
                            rel_who(who), db->schema->models[k].name, REL_ID(objects[i]), (unsigned long)i);
    }
    *out = db;
    return REL_OK;
}

/* The deciding half: marks objects[0..n), collects what they cascade to
 * until nothing new turns up, then checks RESTRICT against the final set.
 * With a planner it goes on past every blocker, recording it. */
static rel_status decide(rel_store *db, uint32_t k, void *const *objects, size_t n, planner *pl)
{
    rel_status st = REL_OK;
    bool more = true;
    size_t i;
    uint32_t t;
    for (i = 0; i < n && st == REL_OK; i++)
        st = mark(db, k, objects[i]);
    while (st == REL_OK && more) {  /* until nothing new is collected */
        more = false;
        for (t = 0; st == REL_OK && t < db->ntouched; t++)
            st = collect(db, db->touched[t], &more, pl);
    }
    for (t = 0; st == REL_OK && t < db->ntouched; t++)
        st = check_restrict(db, db->touched[t], pl);
    return st;
}

/* Ready for the next delete, whether the collected set was applied. */
static void end_all(rel_store *db, bool applied)
{
    uint32_t t;
    for (t = 0; t < db->ntouched; t++)
        end(db, db->touched[t], applied);
    db->ntouched = 0;
}

rel_status rel_delete_many(uint32_t k, void *const *objects, size_t n, const char *who)
{
    return rel_delete_many_of(NULL, k, objects, n, who);
}

rel_status rel_delete_many_of(const rel_schema *s, uint32_t k, void *const *objects, size_t n, const char *who)
{
    rel_store *db;
    rel_status st;
    uint32_t t;

    if (n == 0)
        return REL_OK;
    if ((st = check_args(s, k, objects, n, who, &db)) != REL_OK)
        return st;
    if (n == 1 && (db->models[k].flags & REL_FAST_DELETE)) {
        REL_TAG(objects[0]) |= REL_MARK;
        delete_now(db, k, objects[0]);
        return REL_OK;
    }
    st = decide(db, k, objects, n, NULL);
    if (st == REL_OK) {
        for (t = 0; t < db->ntouched; t++)
            leave_indexes(db, db->touched[t]);
        for (t = 0; t < db->ntouched; t++)
            set_null(db, db->touched[t]);
        for (t = 0; t < db->ntouched; t++)
            through_pairs(db, db->touched[t]);
        for (t = 0; t < db->ntouched; t++)
            unlink_staying(db, db->touched[t]);
        for (t = 0; t < db->ntouched; t++)
            remove_collected(db, db->touched[t]);
    }
    end_all(db, st == REL_OK);
    return st;
}

/* The counts before and after: what went is the difference, whichever
 * path the delete took.  With n == 0 nothing is written (the generated
 * wrapper zeroes its result first). */
rel_status rel_delete_ex_of(const rel_schema *s, uint32_t k, void *const *objects, size_t n, size_t *total,
                            size_t *per_model, uint32_t nmodels, const char *who)
{
    rel_store *db;
    rel_status st;
    uint32_t m;
    size_t sum = 0;

    if (total)   /* nothing went, until something does */
        *total = 0;
    for (m = 0; per_model && m < nmodels; m++)
        per_model[m] = 0;
    if (n && (st = check_args(s, k, objects, n, who, &db)) != REL_OK)
        return st;
    if (n && per_model)
        for (m = 0; m < db->schema->nmodels; m++)
            per_model[m] = db->models[m].count;
    if (n && total)
        for (m = 0; m < db->schema->nmodels; m++)
            sum += db->models[m].count;
    if ((st = rel_delete_many_of(s, k, objects, n, who)) != REL_OK) {
        if (per_model)   /* refused: nothing went */
            memset(per_model, 0, db->schema->nmodels * sizeof *per_model);
        if (total)
            *total = 0;
        return st;
    }
    if (per_model)
        for (m = 0; n && m < db->schema->nmodels; m++)
            per_model[m] -= db->models[m].count;
    if (total) {
        for (m = 0; n && m < db->schema->nmodels; m++)
            sum -= db->models[m].count;
        *total = sum;
    }
    return REL_OK;
}

/* Blockers by model and id, each once (Django keeps them in a set). */
static int ref_cmp(const void *a, const void *b)
{
    const rel_ref *x = (const rel_ref *)a, *y = (const rel_ref *)b;
    uint32_t ix = rel_id_of(x->object), iy = rel_id_of(y->object);
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    return ix < iy ? -1 : ix > iy;
}

void rel_delete_plan_free(rel_delete_plan *plan)
{
    if (!plan)
        return;
    rel_free(plan->per_model);
    rel_free(plan->deleted);
    rel_free(plan->set_null);
    rel_free(plan->blockers);
    memset(plan, 0, sizeof *plan);
}

/* The applying half's lists, written down instead of done. */
static bool plan_lists(rel_store *db, rel_delete_plan *plan, refs *deleted, refs *nulled)
{
    const rel_schema *s = db->schema;
    uint32_t t, n, i, j;
    for (t = 0; t < db->ntouched; t++) {
        uint32_t k = db->touched[t];
        const rel_model *m = &s->models[k];
        const rel_list *c = &db->models[k].collected;
        plan->per_model[k] = c->count;
        plan->total += c->count;
        for (n = 0; n < c->count; n++) {
            void *o = c->items[n];
            if (!refs_add(deleted, k, REL_NONE, o))
                return false;
            for (i = 0; i < m->nincoming; i++) {
                const rel_relation *r = &s->relations[m->incoming[i]];
                if (r->on_delete != REL_SET_NULL)
                    continue;
                if (rel_listed(r)) {
                    const rel_list *l = &REL_AT(o, r->rev, rel_list);
                    for (j = 0; j < l->count; j++)
                        if (!(REL_TAG(l->items[j]) & REL_MARK)
                            && !refs_add(nulled, r->model, m->incoming[i], l->items[j]))
                            return false;
                } else {
                    void *x = REL_AT(o, r->rev, void *);
                    if (x && !(REL_TAG(x) & REL_MARK) && !refs_add(nulled, r->model, m->incoming[i], x))
                        return false;
                }
            }
        }
    }
    return true;
}

rel_status rel_delete_plan_of(const rel_schema *s, uint32_t k, void *const *objects, size_t n,
                              rel_delete_plan *plan, const char *who)
{
    rel_store *db;
    planner pl;
    refs deleted, nulled;
    rel_status st;
    size_t i, u;

    if (!plan)
        return rel_fail_null_arg(n && objects && objects[0] ? rel_store_of(objects[0]) : NULL, who, "plan");
    memset(plan, 0, sizeof *plan);
    if ((st = check_args(s, k, objects, n, who, &db)) != REL_OK)
        return st;
    memset(&pl, 0, sizeof pl);
    memset(&deleted, 0, sizeof deleted);
    memset(&nulled, 0, sizeof nulled);
    if (!(plan->per_model = (size_t *)rel_malloc(db->schema->nmodels * sizeof *plan->per_model)))
        return rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory planning a delete", rel_who(who));
    memset(plan->per_model, 0, db->schema->nmodels * sizeof *plan->per_model);
    st = decide(db, k, objects, n, &pl);
    if (st == REL_OK && !plan_lists(db, plan, &deleted, &nulled))
        st = rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory planning a delete", rel_who(who));
    end_all(db, false);   /* a plan changes nothing */
    if (st != REL_OK) {
        rel_free(pl.blockers.items);
        rel_free(deleted.items);
        rel_free(nulled.items);
        rel_delete_plan_free(plan);
        return st;
    }
    if (pl.blockers.count) {
        qsort(pl.blockers.items, pl.blockers.count, sizeof *pl.blockers.items, ref_cmp);
        for (i = u = 0; i < pl.blockers.count; i++)
            if (u == 0 || pl.blockers.items[i].object != pl.blockers.items[u - 1].object)
                pl.blockers.items[u++] = pl.blockers.items[i];
        pl.blockers.count = u;
    }
    plan->status = pl.protect ? REL_EPROTECTED : pl.restricted ? REL_ERESTRICTED : REL_OK;
    plan->deleted = deleted.items;
    plan->ndeleted = deleted.count;
    plan->set_null = nulled.items;
    plan->nset_null = nulled.count;
    plan->blockers = pl.blockers.items;
    plan->nblockers = pl.blockers.count;
    return REL_OK;
}
