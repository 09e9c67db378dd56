/* rel_through.c: many-to-many relations through a model of the schema
 * (Django's ManyToManyField(through = ...)).
 *
 * Representation.  The relation keeps its two rel_vec sets exactly as a
 * plain many-to-many does, so its list views, count and contains cost
 * the same; the through model is an ordinary model whose two bound
 * ForeignKeys (rel_relation.through_src, through_dst; each has `serves`)
 * say which pair an object stands for.  The invariant, which
 * rel_through_verify proves: the multiset of pairs (source, target) of
 * the live through objects whose two bound ForeignKeys are both set is
 * the contents of the sets (two through objects of one pair put the pair
 * in the sets twice, as Django's join lists it twice).  A through object
 * with a NULL side stands for no pair.
 *
 * Every change of a bound ForeignKey keeps the sets in step: creating a
 * through object (rel_store.c's new_object calls rel_through_reserve_new
 * and rel_through_link_new), setting either ForeignKey
 * (rel_through_fk_set, which the generated setter of a bound ForeignKey
 * calls instead of rel_fk_set), a reverse remove or clear (rel_fk_remove,
 * rel_fk_clear: rel_through_detach), and deletes (rel_delete.c: a through
 * object that goes while both its sides stay takes its pair along,
 * rel_through_leave; a side that goes takes its whole set, as for any
 * many-to-many, and its through objects go or are set NULL by their own
 * on_delete, as Django's collector does).
 *
 * The set API over the through objects: add creates a through object (an
 * existing pair changes nothing, as Django's add skips it), remove and
 * clear delete through objects with the collector, create makes the
 * partner and then adds, all or nothing.
 */
#include "rel_impl.h"

#include <stdarg.h>
#include <string.h>

/* The value relation x of a new object of model m will have: its
 * required target, or `other` when x is `via`. */
static void *new_value(const rel_store *db, const rel_model *m, void *const *req, const rel_relation *via,
                       void *other, bool new_is_model, uint32_t x)
{
    uint32_t i;
    for (i = 0; i < m->nrequired; i++)
        if (m->required[i] == x)
            return req[i];
    if (via && new_is_model && via == REL_RELATION(db, x))
        return other;
    return NULL;
}

/* Relation i of model m, when it is the source-side ForeignKey of a
 * through relation: that relation, else NULL.  (Each through relation is
 * met once, at its source-side ForeignKey.) */
static const rel_relation *source_of(const rel_store *db, const rel_model *m, uint32_t i)
{
    const rel_relation *fk = REL_RELATION(db, m->relations[i]), *r;
    if (fk->serves == REL_NONE)
        return NULL;
    r = REL_RELATION(db, fk->serves);
    return r->through_src == m->relations[i] ? r : NULL;
}

/* Adds the pair (s, d) to relation r's sets; room reserved. */
static void pair_link(const rel_relation *r, void *s, void *d)
{
    rel_m2m_link(s, r->fwd, d, r->rev);
}

/* Removes one entry of the pair (s, d), which must be there. */
static void pair_unlink(const rel_relation *r, void *s, void *d)
{
    uint32_t i = rel_m2m_find(s, r->fwd, d, r->rev);
    if (i != UINT32_MAX)
        rel_m2m_unlink(s, r->fwd, r->rev, i);
}

/* Room for one more pair (s, d) in relation r's sets. */
static bool pair_reserve(const rel_relation *r, void *s, void *d)
{
    rel_vec *a = &REL_AT(s, r->fwd, rel_vec), *b = &REL_AT(d, r->rev, rel_vec);
    return rel_vec_reserve(a, (size_t)a->count + 1) == REL_OK && rel_vec_reserve(b, (size_t)b->count + 1) == REL_OK;
}

bool rel_through_reserve_new(rel_store *db, uint32_t k, void *const *req, const rel_relation *via, void *other,
                             bool new_is_model)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i;
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = source_of(db, m, i);
        void *s, *d;
        if (!r)
            continue;
        s = new_value(db, m, req, via, other, new_is_model, r->through_src);
        d = new_value(db, m, req, via, other, new_is_model, r->through_dst);
        if (s && d && !pair_reserve(r, s, d))
            return false;
    }
    return true;
}

/* The two sides of through object o of relation r (NULL when unset). */
static void sides(const rel_store *db, const rel_relation *r, const void *o, void **s, void **d)
{
    *s = rel_fwd(o, REL_RELATION(db, r->through_src)->fwd);
    *d = rel_fwd(o, REL_RELATION(db, r->through_dst)->fwd);
}

void rel_through_detach(rel_store *db, uint32_t ri, void *m)
{
    const rel_relation *r = REL_RELATION(db, REL_RELATION(db, ri)->serves);
    void *s, *d;
    sides(db, r, m, &s, &d);
    if (s && d)
        pair_unlink(r, s, d);
}

/* Each pair through object o (of model k) stands for joins the sets
 * (link), or leaves them unless a side is being deleted or is (unlink). */
static void pairs_of(rel_store *db, uint32_t k, void *o, bool link)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i;
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = source_of(db, m, i);
        void *s, *d;
        if (!r)
            continue;
        sides(db, r, o, &s, &d);
        if (!s || !d)
            continue;
        if (link)
            pair_link(r, s, d);
        else if (!(REL_TAG(s) & (REL_MARK | REL_DEAD)) && !(REL_TAG(d) & (REL_MARK | REL_DEAD)))
            pair_unlink(r, s, d);
    }
}

void rel_through_link_new(rel_store *db, uint32_t k, void *o) { pairs_of(db, k, o, true); }
void rel_through_leave(rel_store *db, uint32_t k, void *o) { pairs_of(db, k, o, false); }

/* ---- setting a bound ForeignKey ------------------------------------------------ */

rel_status rel_through_fk_set(void *m, void *t, uint32_t ri, const char *who)
{
    rel_store *db;
    const rel_relation *fk, *r;
    void *old, *o2;
    bool is_src;
    rel_list *l;
    (void)who;
    if (!rel_alive(m) || (t && !rel_alive(t)))
        return rel_fail_link(ri, m, t, true, NULL);
    db = rel_store_of(m);
    fk = REL_RELATION(db, ri);
    old = rel_fwd(m, fk->fwd);
    if (old == t && t)
        return REL_OK;
    if (!t && !fk->null)
        return rel_fail_required(ri, m);
    r = REL_RELATION(db, fk->serves);
    is_src = r->through_src == ri;
    o2 = rel_fwd(m, REL_RELATION(db, is_src ? r->through_dst : r->through_src)->fwd);
    if (t) {
        if (rel_store_of(t) != db)
            return rel_fail_other_store(ri, m, t, true, NULL);
        l = &REL_AT(t, fk->rev, rel_list);
        if (rel_list_reserve(l, (size_t)l->count + 1))
            return rel_fail_nomem(ri, m);
        if (o2 && !pair_reserve(r, is_src ? t : o2, is_src ? o2 : t))
            return rel_fail_nomem(ri, m);
    }
    /* Nothing below can fail. */
    if (old && o2)
        pair_unlink(r, is_src ? old : o2, is_src ? o2 : old);
    rel_fk_unlink(m, fk->fwd, fk->pos, fk->rev);
    if (t) {
        rel_fk_link(m, t, fk->fwd, fk->pos, fk->rev);
        if (o2)
            pair_link(r, is_src ? t : o2, is_src ? o2 : t);
    }
    return REL_OK;
}

/* ---- the set API ---------------------------------------------------------------- */

/* The through objects of the pair (m, t) are found in the smaller of m's
 * list of through objects (the source-side ForeignKey's reverse list) and
 * t's.  Calls each(x, ctx) for each; stops when it returns false. */
static void each_of_pair(const rel_store *db, const rel_relation *r, const void *m, const void *t,
                         bool (*each)(void *x, void *ctx), void *ctx)
{
    const rel_relation *src = REL_RELATION(db, r->through_src), *dst = REL_RELATION(db, r->through_dst);
    const rel_list *a = &REL_CAT(m, src->rev, rel_list), *b = &REL_CAT(t, dst->rev, rel_list);
    bool from_m = a->count <= b->count;
    const rel_list *l = from_m ? a : b;
    size_t off = from_m ? dst->fwd : src->fwd;
    const void *want = from_m ? t : m;
    uint32_t j;
    for (j = 0; j < l->count; j++)
        if (rel_fwd(l->items[j], off) == want && !each(l->items[j], ctx))
            return;
}

static bool keep_lowest(void *x, void *ctx)
{
    void **best = (void **)ctx;
    if (!*best || rel_id_of(x) < rel_id_of(*best))
        *best = x;
    return true;
}

void *rel_through_find(uint32_t ri, const void *m, const void *t)
{
    const rel_store *db;
    void *best = NULL;
    if (!rel_alive(m) || !rel_alive(t) || rel_store_of(m) != rel_store_of(t))
        return NULL;
    db = rel_store_of(m);
    each_of_pair(db, REL_RELATION(db, ri), m, t, keep_lowest, &best);
    return best;
}

/* The checks of a call on the pair (m, t): both alive, one store. */
static rel_status check_pair(uint32_t ri, void *m, void *t, bool self_is_m, const char *who)
{
    if (!rel_alive(m) || !rel_alive(t))
        return rel_fail_link(ri, m, t, self_is_m, who);
    if (rel_store_of(m) != rel_store_of(t))
        return rel_fail_other_store(ri, m, t, self_is_m, who);
    return REL_OK;
}

/* Why creating an object of model k with constructor arguments req
 * failed (the create wrote the message): as rel_store.c's fail_target
 * decides, then the unique constraints' check, else out of memory. */
static rel_status create_status(rel_store *db, uint32_t k, void *const *req, const char *who)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i;
    for (i = 0; i < m->nrequired; i++) {
        const rel_relation *r;
        if (m->required[i] & REL_ARG_FIELD)
            continue;
        r = REL_RELATION(db, m->required[i]);
        if (!req[i])
            return REL_ENULL;
        if (!rel_alive(req[i]) || rel_store_of(req[i]) != db)
            return REL_EINVAL;
        if (r->type == REL_ONE_TO_ONE && REL_CAT(req[i], r->rev, rel_ptr))
            return REL_EUNIQUE;
    }
    if (db->models[k].flags & REL_HAS_UNIQUE) {
        rel_status st = rel_unique_new_check(db, k, req, NULL, NULL, false, who);
        if (st != REL_OK)
            return st;
    }
    return REL_ENOMEM;
}

enum { SMALL = 16 };

static void undo_new(rel_store *db, uint32_t k, void *x, uint64_t last);

/* The through model's required relations other than the two bound
 * ForeignKeys: the extra arguments of add and create, in order. */
typedef struct extras {
    void *small[SMALL], **items;
    uint32_t n;
} extras;

/* Reads relation r's extra arguments from *ap and checks each: alive and
 * in db (a NULL or deleted one is REL_EINVAL, as for any object
 * argument; a one-to-one target that is taken fails later, when the
 * through object is made).  e->items is then to be freed with
 * extras_free. */
static rel_status extras_read(rel_store *db, const rel_relation *r, void *self, va_list *ap, extras *e,
                              const char *who)
{
    const rel_model *tm = &db->schema->models[r->through];
    uint32_t i, n = 0;
    e->items = e->small;
    e->n = 0;
    for (i = 0; i < tm->nrequired; i++)
        n += tm->required[i] != r->through_src && tm->required[i] != r->through_dst;
    if (n > SMALL && !(e->items = (void **)rel_malloc(n * sizeof *e->items)))
        return rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory", rel_who(who));
    for (i = 0; i < tm->nrequired; i++) {
        const rel_relation *x;
        void *v;
        if (tm->required[i] == r->through_src || tm->required[i] == r->through_dst)
            continue;
        v = e->items[e->n++] = va_arg(*ap, void *);
        if (tm->required[i] & REL_ARG_FIELD) {
            /* A pointer to a unique scalar's value: the create checks it
             * again, but a string must be fit even when the pair is
             * there and add makes nothing (a NULL is no value). */
            const rel_field *f = &tm->fields[tm->required[i] & ~REL_ARG_FIELD];
            rel_status st;
            if (f->type == REL_STRING
                && (st = rel_string_check(db, r->through, NULL, f, *(const char *const *)v, rel_who(who))) != REL_OK)
                return st;
            continue;
        }
        x = REL_RELATION(db, tm->required[i]);
        if (!rel_alive(v))
            return rel_fail_arg(v, x->target, self, who);
        if (rel_store_of(v) != db)
            return rel_fail(&db->errmsg, REL_EINVAL, "%s: %s %llu belongs to another store", rel_who(who),
                            db->schema->models[x->target].name, REL_ID(v));
    }
    return REL_OK;
}

static void extras_free(extras *e)
{
    if (e->items != e->small)
        rel_free(e->items);
}

/* Adds the pair (m, t): a new through object, its required relations
 * other than the two bound ForeignKeys from e (checked).  All or nothing. */
static rel_status add_pair(rel_store *db, uint32_t ri, void *m, void *t, void *self, const extras *e,
                           const char *who)
{
    const rel_relation *r = REL_RELATION(db, ri);
    const rel_relation *src = REL_RELATION(db, r->through_src), *dst = REL_RELATION(db, r->through_dst);
    const rel_model *tm = &db->schema->models[r->through];
    void *small[SMALL], **req = small, *o;
    rel_status st = REL_OK;
    rel_list *ls = &REL_AT(m, src->rev, rel_list), *ld = &REL_AT(t, dst->rev, rel_list);
    uint32_t i, x = 0;
    uint64_t last;
    bool src_unset, dst_unset;

    /* Room first: growing changes no count, so a failure leaves nothing
     * to undo. */
    if (!pair_reserve(r, m, t) || rel_list_reserve(ls, (size_t)ls->count + 1)
        || rel_list_reserve(ld, (size_t)ld->count + 1)
        || (tm->nrequired > SMALL && !(req = (void **)rel_malloc(tm->nrequired * sizeof *req))))
        return rel_fail_nomem(ri, self);
    for (i = 0; i < tm->nrequired; i++)
        req[i] = tm->required[i] == r->through_src ? m : tm->required[i] == r->through_dst ? t : e->items[x++];
    last = rel_model_last_id(db, r->through);
    o = rel_new_req(db, r->through, tm->nrequired ? req : NULL, REL_NONE, NULL, false, who);
    if (!o)   /* errmsg says why; the status is the one of the first argument that is wrong */
        st = create_status(db, r->through, req, who);
    if (req != small)
        rel_free(req);
    if (!o)
        return st;
    /* A bound ForeignKey with null = true is no constructor argument:
     * set it now (room reserved), and the pair with it. */
    src_unset = !REL_CAT(o, src->fwd, rel_cref);
    dst_unset = !REL_CAT(o, dst->fwd, rel_cref);
    if (src_unset || dst_unset) {
        if (src_unset)
            rel_fk_link(o, m, src->fwd, src->pos, src->rev);
        if (dst_unset)
            rel_fk_link(o, t, dst->fwd, dst->pos, dst->rev);
        pair_link(r, m, t);
        /* ...and its unique constraints over that side with it. */
        if ((db->models[r->through].flags & REL_HAS_UNIQUE)
            && (st = rel_unique_enter_linked(db, r->through, o, who)) != REL_OK) {
            undo_new(db, r->through, o, last);
            return st;
        }
    }
    return REL_OK;
}

rel_status rel_through_add(uint32_t ri, void *m, void *t, bool self_is_m, const char *who, ...)
{
    rel_store *db;
    const rel_relation *r;
    rel_status st;
    va_list ap;
    extras e;
    if ((st = check_pair(ri, m, t, self_is_m, who)) != REL_OK)
        return st;
    db = rel_store_of(m);
    r = REL_RELATION(db, ri);
    va_start(ap, who);
    st = extras_read(db, r, self_is_m ? m : t, &ap, &e, who);
    va_end(ap);
    if (st == REL_OK && rel_m2m_find(m, r->fwd, t, r->rev) == UINT32_MAX)
        st = add_pair(db, ri, m, t, self_is_m ? m : t, &e, who);
    /* (else Django's add skips a pair that is there) */
    extras_free(&e);
    return st;
}

/* Undoes the create of x (model k, nothing refers to it yet, its last id
 * was `last` before): its relations unlinked, its id nobody's again. */
static void undo_new(rel_store *db, uint32_t k, void *x, uint64_t last)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i;
    if (db->models[k].flags & REL_THROUGH)
        rel_through_leave(db, k, x);
    /* Its unique entries go before its members do (the create entered
     * them). */
    if (db->models[k].flags & REL_HAS_UNIQUE)
        rel_unique_leave(db, k, x);
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = REL_RELATION(db, m->relations[i]);
        void *t;
        if (r->type == REL_MANY_TO_MANY || !rel_in_use(r, x))
            continue;   /* (a GenericForeignKey: only the listed model it points at) */
        t = rel_fwd(x, r->fwd);
        if (t && r->type == REL_GENERIC)
            rel_gfk_unlink(x, m->relations[i]);
        else if (t && r->type == REL_FOREIGN_KEY)
            rel_fk_unlink(x, r->fwd, r->pos, r->rev);
        else if (t)
            REL_AT(t, r->rev, void *) = NULL;
    }
    rel_free_members(db, k, x);
    rel_obj_discard(db, k, x);
    rel_model_restore_last_id(db, k, last);
}

void *rel_through_create(const rel_schema *s, uint32_t ri, void *self, bool self_is_m, const char *who, ...)
{
    rel_store *db;
    const rel_relation *r;
    const rel_model *om;
    uint32_t ok, i;
    uint64_t last;
    void *small[SMALL], **req = small, *x = NULL;
    va_list ap;
    extras e;
    rel_status st;

    if (!rel_alive(self)) {
        /* The message goes to the store of another argument, if any: the
         * partner's constructor arguments, then the through model's
         * extra ones. */
        const rel_relation *rs = &s->relations[ri];
        const void *any;
        va_start(ap, who);
        any = rel_arg_object(&s->models[self_is_m ? rs->target : rs->model], REL_NONE, REL_NONE, &ap, NULL);
        any = rel_arg_object(&s->models[rs->through], rs->through_src, rs->through_dst, &ap, any);
        va_end(ap);
        rel_fail_arg_of(s, self, self_is_m ? rs->model : rs->target, any, who);
        return NULL;
    }
    db = rel_store_of(self);
    r = REL_RELATION(db, ri);
    ok = self_is_m ? r->target : r->model;
    om = &db->schema->models[ok];
    if (om->nrequired > SMALL && !(req = (void **)rel_malloc(om->nrequired * sizeof *req))) {
        rel_fail_nomem(ri, self);
        return NULL;
    }
    va_start(ap, who);
    for (i = 0; i < om->nrequired; i++)
        req[i] = va_arg(ap, void *);
    st = extras_read(db, r, self, &ap, &e, who);
    va_end(ap);
    last = rel_model_last_id(db, ok);
    if (st == REL_OK)
        x = rel_new_req(db, ok, om->nrequired ? req : NULL, REL_NONE, NULL, false, who);
    if (x && add_pair(db, ri, self_is_m ? self : x, self_is_m ? x : self, self, &e, who) != REL_OK) {
        undo_new(db, ok, x, last);
        x = NULL;
    }
    if (req != small)
        rel_free(req);
    extras_free(&e);
    return x;
}

/* Deletes the through objects in objects[0..n) with one collector. */
static rel_status delete_through(rel_store *db, uint32_t ri, void *const *objects, size_t n, const char *who)
{
    return n ? rel_delete_many(REL_RELATION(db, ri)->through, objects, n, who) : REL_OK;
}

typedef struct gather {
    void **items;
    size_t count;
} gather;

static bool count_one(void *x, void *ctx)
{
    (void)x;
    ((gather *)ctx)->count++;
    return true;
}

static bool take_one(void *x, void *ctx)
{
    gather *g = (gather *)ctx;
    g->items[g->count++] = x;
    return true;
}

rel_status rel_through_remove(uint32_t ri, void *m, void *t, bool self_is_m, const char *who)
{
    rel_store *db;
    rel_status st;
    void *small[SMALL];
    gather g;
    if ((st = check_pair(ri, m, t, self_is_m, who)) != REL_OK)
        return st;
    db = rel_store_of(m);
    g.items = NULL;
    g.count = 0;
    each_of_pair(db, REL_RELATION(db, ri), m, t, count_one, &g);
    if (g.count == 0)
        return REL_OK;
    /* Most pairs have one through object or a few: no allocation then. */
    if (g.count > SMALL && !(g.items = (void **)rel_malloc(g.count * sizeof *g.items)))
        return rel_fail_nomem(ri, self_is_m ? m : t);
    if (!g.items)
        g.items = small;
    g.count = 0;
    each_of_pair(db, REL_RELATION(db, ri), m, t, take_one, &g);
    st = delete_through(db, ri, g.items, g.count, who);
    if (g.items != small)
        rel_free(g.items);
    return st;
}

rel_status rel_through_clear(const rel_schema *s, uint32_t ri, void *o, bool o_is_model, const char *who)
{
    rel_store *db;
    const rel_relation *r, *fk;
    const rel_list *l;
    if (!rel_alive(o))
        return rel_fail_arg_of(s, o, o_is_model ? s->relations[ri].model : s->relations[ri].target, NULL, who);
    db = rel_store_of(o);
    r = REL_RELATION(db, ri);
    fk = REL_RELATION(db, o_is_model ? r->through_src : r->through_dst);
    l = &REL_AT(o, fk->rev, rel_list);
    /* Every through object of o, as Django's clear() deletes the through
     * rows that name o (also those whose other side is NULL).  The
     * collector reads its argument array before it changes anything, so
     * o's own list can be it. */
    return delete_through(db, ri, l->items, l->count, who);
}

/* ---- verify ------------------------------------------------------------------------ */

rel_status rel_through_verify(const rel_store *db, uint32_t k, const void *o)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i, j, a, n, pairs;
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *r = REL_RELATION(db, m->relations[i]);
        const rel_relation *src, *dst;
        const rel_list *l;
        const rel_vec *v;
        if (r->type != REL_MANY_TO_MANY || r->through == REL_NONE)
            continue;
        src = REL_RELATION(db, r->through_src);
        dst = REL_RELATION(db, r->through_dst);
        l = &REL_CAT(o, src->rev, rel_list);
        v = &REL_CAT(o, r->fwd, rel_vec);
        for (j = pairs = 0; j < l->count; j++)
            pairs += rel_fwd(l->items[j], dst->fwd) != NULL;
        if (pairs != v->count)
            return rel_fail(&((rel_store *)(uintptr_t)db)->errmsg, REL_ECORRUPT,
                            "verify: %s %llu: %s holds %lu entries but %lu %s objects link it",
                            m->name, REL_ID(o), r->name, (unsigned long)v->count, (unsigned long)pairs,
                            db->schema->models[r->through].name);
        /* Each partner as often as through objects name it: quadratic in
         * one object's links, which verify may be. */
        for (j = 0; j < v->count; j++) {
            for (a = n = 0; a < v->count; a++)
                n += v->items[a] == v->items[j];
            for (a = 0; a < l->count; a++)
                n -= rel_fwd(l->items[a], dst->fwd) == v->items[j];
            if (n != 0)
                return rel_fail(&((rel_store *)(uintptr_t)db)->errmsg, REL_ECORRUPT,
                                "verify: %s %llu: %s does not hold the pairs of its %s objects", m->name,
                                REL_ID(o), r->name, db->schema->models[r->through].name);
        }
    }
    return REL_OK;
}
