/* rel_delete_one.c: M_delete, the delete of one object (issue 15).
 *
 * The generated M_delete calls rel_delete_one_of, which checks its one
 * argument and goes straight to the cheapest path the model allows; the
 * general collector (rel_delete_many_of) answers everything else,
 * including every refusal, so the messages are the same whichever way a
 * delete comes.
 *
 * The cheapest path is for a parent of leaves (REL_LEAF_PARENT, worked
 * out once per store by rel_parent_flag): a model that declares no
 * relation, has no unique constraint, and whose every incoming relation
 * is a ForeignKey (not generic) with on_delete = CASCADE from a REL_LEAF
 * model.  Deleting one is retiring its referrers (nothing else points at
 * them, they own nothing, and their only link goes with the parent),
 * freeing its reverse lists and strings, and retiring it: nothing can
 * refuse or fail, and there is nothing to mark.
 */
#include "rel_impl.h"

uint32_t rel_parent_flag(const rel_schema *s, const rel_model_state *states, uint32_t k)
{
    const rel_model *m = &s->models[k];
    uint32_t i;
    if (!(states[k].flags & REL_FAST_DELETE) || (states[k].flags & (REL_HAS_UNIQUE | REL_THROUGH))
        || m->nrelations != 0)
        return 0;
    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        if (r->type != REL_FOREIGN_KEY || r->on_delete != REL_CASCADE || r->model == k
            || !(states[r->model].flags & REL_LEAF))
            return 0;
    }
    return REL_LEAF_PARENT;
}

/* delete_parent for any number of incoming relations and strings. */
REL_NOINLINE static void delete_parent_any(rel_store *db, uint32_t k, void *o)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    uint32_t i;
    bool strings = (db->models[k].flags & REL_HAS_STRING) != 0;
    for (i = 0; i < m->nincoming; i++) {
        const rel_relation *r = &s->relations[m->incoming[i]];
        rel_list *l = &REL_AT(o, r->rev, rel_list);
        if (l->count)
            rel_retire_live(db, r->model, l->items, l->count);   /* o is live: so are they */
        if (!strings)   /* rel_retire zeroes the list after */
            rel_free(l->items);
    }
    if (strings)   /* its strings, and the lists with them */
        rel_free_members(db, k, o);
    rel_retire(db, k, o);
}

/* Deletes o, of a REL_LEAF_PARENT model k. */
static void delete_parent(rel_store *db, uint32_t k, void *o)
{
    const rel_model *m = &db->schema->models[k];
    rel_model_state *ms = &db->models[k];
    if (m->nincoming == 1 && !(ms->flags & REL_HAS_STRING) && ms->pool.size <= 24) {
        /* The common case, in the order that keeps least across calls:
         * the list read, o retired (rel_retire for a small slot with no
         * string and a live, unmarked tag: no call that would cost a
         * stack frame), its referrers retired, the list's array freed. */
        const rel_relation *r = &db->schema->relations[m->incoming[0]];
        rel_list l = REL_AT(o, r->rev, rel_list);
        uint32_t leaf = r->model;
        rel_kill_slot(o, REL_TAG(o) | REL_DEAD, 16);
        memset((char *)o + ms->pool.size - 8, 0, 8);
        ms->count--;
        rel_pool_put(&ms->pool, o);
        if (l.count)
            rel_retire_live(db, leaf, l.items, l.count);   /* o was live: so are they */
        rel_free(l.items);
        return;
    }
    delete_parent_any(db, k, o);
}

/* The collector's delete of o: apart, because taking o's address would
 * give the short path a stack frame. */
REL_NOINLINE static rel_status delete_collected(const rel_schema *s, uint32_t k, void *o, const char *who)
{
    return rel_delete_many_of(s, k, (void *const *)&o, 1, who);
}

rel_status rel_delete_one_of(const rel_schema *s, uint32_t k, void *o, const char *who)
{
    if (rel_alive(o)) {
        rel_store *db = rel_store_of(o);
        if (db->models[k].flags & REL_LEAF_PARENT) {
            delete_parent(db, k, o);
            return REL_OK;
        }
    }
    return delete_collected(s, k, o, who);
}
