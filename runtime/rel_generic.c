/* rel_generic.c: the GenericForeignKey calls that are not inline in rel.h.
 *
 * A GenericForeignKey is one REL_GENERIC relation per model it lists, in a
 * row in the schema's relations and sharing their reference, position and
 * discriminator members (rel.h, rel_relation.ct).  Its target's reverse
 * list is an ordinary ForeignKey list, which is what lets the collector
 * and verify treat every listed target as a ForeignKey's: nothing
 * dangles.  An untyped object's model comes from its region's header.
 */
#include "rel_impl.h"

#include <string.h>

uint32_t rel_gfk_part(const rel_store *db, uint32_t r, uint32_t k)
{
    const rel_schema *s = db->schema;
    const rel_relation *g = &s->relations[r];
    const rel_model *m = &s->models[g->model];
    uint32_t i;
    for (i = 0; i < m->nrelations; i++) {
        const rel_relation *x = &s->relations[m->relations[i]];
        if (x->type == REL_GENERIC && x->fwd == g->fwd && x->target == k)
            return m->relations[i];
    }
    return REL_NONE;
}

/* "TaggedItem.content_object cannot point at Author: it lists Bookmark,
 * Note", in the store of m (or of x when m is NULL: a constructor). */
REL_COLD rel_status rel_fail_gfk_model(uint32_t ri, void *m, const void *x, const char *who)
{
    rel_store *db = rel_store_of(m ? m : x);
    const rel_schema *s = db->schema;
    const rel_relation *g = &s->relations[ri];
    const rel_model *mm = &s->models[g->model];
    char list[160];
    size_t len = 0;
    uint32_t i;
    list[0] = '\0';
    for (i = 0; i < mm->nrelations && len < sizeof list - 1; i++) {
        const rel_relation *p = &s->relations[mm->relations[i]];
        if (p->type == REL_GENERIC && p->fwd == g->fwd) {
            int w = snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", s->models[p->target].name);
            len = w < 0 ? sizeof list - 1 : len + (size_t)w;
        }
    }
    return rel_fail(&db->errmsg, REL_EINVAL, "%s%s%s.%s cannot point at %s: it lists %s", who ? who : "",
                    who ? ": " : "", mm->name, g->name, s->models[rel_model_of(x)].name, list);
}

void rel_gfk_unlink(void *m, uint32_t r)
{
    const rel_store *db = rel_store_of(m);
    const rel_relation *g = REL_RELATION(db, r);
    uint32_t ct = REL_AT(m, g->ct, uint32_t), part;
    if (!ct || (part = rel_gfk_part(db, r, ct - 1)) == REL_NONE)
        return;
    g = REL_RELATION(db, part);
    rel_fk_unlink(m, g->fwd, g->pos, g->rev);
    REL_AT(m, g->ct, uint32_t) = 0;
}

rel_status rel_gfk_set_any(void *m, uint32_t k, void *x, uint32_t r, const char *who)
{
    rel_store *db;
    const rel_relation *g, *p;
    uint32_t part;
    if (!rel_alive(m)) {
        /* x names a store for the message only when it is a live object of
         * one whose schema has a model k. */
        const void *other = rel_alive(x) && rel_store_of(x)->schema->nmodels > k ? x : NULL;
        return rel_fail_arg(m, k, other, who);
    }
    db = rel_store_of(m);
    g = REL_RELATION(db, r);
    if (!x)
        return rel_gfk_set(m, NULL, r, g->fwd, g->pos, g->ct, g->rev, g->target, g->null != 0);
    if (rel_store_of(x) != db)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s: the object belongs to another store", rel_who(who));
    if (!rel_alive(x))
        return rel_fail_arg(x, rel_model_of(x), NULL, who);
    if ((part = rel_gfk_part(db, r, rel_model_of(x))) == REL_NONE)
        return rel_fail_gfk_model(r, m, x, who);
    p = REL_RELATION(db, part);
    return rel_gfk_set(m, x, part, p->fwd, p->pos, p->ct, p->rev, p->target, p->null != 0);
}

rel_status rel_gfk_remove(uint32_t ri, void *t, void *m, const char *who)
{
    const rel_relation *r;
    if (!rel_alive(t) || !rel_alive(m))
        return rel_fail_link(ri, m, t, false, who);
    r = REL_RELATION(rel_store_of(t), ri);
    if (rel_store_of(m) != rel_store_of(t))
        return rel_fail_other_store(ri, m, t, false, who);
    if (!rel_in_use(r, m) || rel_fwd(m, r->fwd) != t)
        return REL_OK;   /* Django's remove deletes only what is in the set */
    return rel_delete_many(r->model, &m, 1, who);
}

rel_status rel_gfk_clear(uint32_t ri, void *t, const char *who)
{
    rel_store *db;
    const rel_relation *r;
    const rel_list *l;
    void **copy;
    rel_status st;
    if (!rel_alive(t))
        return rel_fail_arg(t, t ? REL_RELATION(rel_store_of(t), ri)->target : UINT32_MAX, NULL, who);
    db = rel_store_of(t);
    r = REL_RELATION(db, ri);
    l = &REL_AT(t, r->rev, rel_list);
    if (!l->count)
        return REL_OK;
    /* The delete changes the list it would read: it gets a copy. */
    if (!(copy = (void **)rel_malloc(l->count * sizeof *copy)))
        return rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory", rel_who(who));
    memcpy(copy, l->items, l->count * sizeof *copy);
    st = rel_delete_many(r->model, copy, l->count, who);
    rel_free(copy);
    return st;
}
