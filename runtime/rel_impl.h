/* rel_impl.h: what the runtime's own files share and generated code never
 * sees.  Not installed: nothing here is part of the contract in rel.h. */
#ifndef REL_IMPL_H
#define REL_IMPL_H

#include "rel.h"

/* Failure paths: out of the way of the code that succeeds. */
#if defined(__GNUC__)
#define REL_COLD __attribute__((cold))
#else
#define REL_COLD
#endif

/* For the few helpers of the inner loops that must be inlined. */
#if defined(__GNUC__)
#define REL_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define REL_ALWAYS_INLINE static inline
#endif

/* What a string member points at when its field has no default: a string
 * member is never NULL, so getters need no test. */
extern const char rel_empty_string[1];

/* A pointer member, for REL_CAT: through the typedef its const goes on
 * the member (void *const), not on what it points at. */
typedef void *rel_ptr;

/* The schema's relation number i. */
#define REL_RELATION(db, i) (&(db)->schema->relations[(i)])

/* A relation whose referrers a target keeps in a rel_list: a ForeignKey,
 * or one listed model of a GenericForeignKey. */
static inline bool rel_listed(const rel_relation *r)
{
    return r->type == REL_FOREIGN_KEY || r->type == REL_GENERIC;
}
/* Whether o's relation r is the one it uses: always, but for a
 * GenericForeignKey's relation to a model o does not point at (its
 * pointer member then belongs to another of its relations). */
static inline bool rel_in_use(const rel_relation *r, const void *o)
{
    return r->type != REL_GENERIC || REL_CAT(o, r->ct, uint32_t) == r->target + 1;
}
/* SET_NULL on referrer x: its pointer, and a generic one's model. */
static inline void rel_null_out(const rel_relation *r, void *x)
{
    REL_AT(x, r->fwd, void *) = NULL;
    if (r->type == REL_GENERIC)
        REL_AT(x, r->ct, uint32_t) = 0;
}
/* The relation of GenericForeignKey r (any of its listed models) to model
 * k; REL_NONE when it does not list k. */
uint32_t rel_gfk_part(const rel_store *db, uint32_t r, uint32_t k);

/* Whether string s (the member of field f) was allocated by a setter, and
 * so is the object's to free: a default is the field's constant text. */
static inline bool rel_string_owned(const rel_field *f, const char *s)
{
    return s != (const char *)f->def && s != rel_empty_string;
}

/* The name a message gives the call: `who` from the generated wrapper. */
static inline const char *rel_who(const char *who) { return who ? who : "rel"; }

/* The id as messages print it. */
#define REL_ID(o) ((unsigned long long)rel_id_of(o))

/* rel_model_state.flags: facts about a model that rel_store_new works out
 * from the schema once. */
enum {
    /* Deleting one object of this model can free as it goes: nothing the
     * delete can reach through CASCADE has a PROTECT or RESTRICT referrer,
     * and no model reaches itself through CASCADE (so the recursion is as
     * deep as the schema, not the data).  Nothing can then refuse or fail
     * once the argument is checked. */
    REL_FAST_DELETE = 1,
    /* A new object needs more than zeroes: a string (which points at its
     * default) or a scalar with a default that is not zero. */
    REL_HAS_INIT = 2,
    /* An object owns memory to free: a string, a many-to-many set, or a
     * reverse list or set. */
    REL_HAS_OWNED = 4,
    /* Nothing points at an object of this model, it owns no memory and
     * it declares one relation: reached through that relation by a
     * cascade, it has nothing to undo, and deleting it is retiring it. */
    REL_LEAF = 8
};

/* Frees what object o of model k owns: strings set by a setter, the set
 * of each many-to-many relation the model declares, and the reverse side
 * of each relation it is the target of (a ForeignKey's list, a
 * non-symmetrical many-to-many's set).  It touches nothing outside o. */
void rel_free_members(const rel_store *db, uint32_t k, void *o);

/* Takes o (of model k, its members already freed) out of the store: its
 * tag says deleted, the count drops, the slot goes back to the pool. */
static inline void rel_retire(rel_store *db, uint32_t k, void *o)
{
    rel_model_state *ms = &db->models[k];
    REL_TAG(o) = (REL_TAG(o) & REL_ID_MAX) | REL_DEAD;
    ms->count--;
    rel_pool_put(&ms->pool, o);
}

/* ---- whole-store code (fixtures) ------------------------------------------
 * The few operations that code working on a whole store needs beyond the
 * descriptor and the inline helpers of rel.h.  They hide how the store
 * keeps its objects and ids. */

/* The object's id, and model k's object with an id (NULL: none). */
static inline uint64_t rel_obj_id(const void *o) { return rel_id_of(o); }
static inline void *rel_obj_find(const rel_store *db, uint32_t k, uint64_t id) { return rel_get(db, k, id); }
/* The highest id model k has issued (M_new continues after it). */
uint64_t rel_model_last_id(const rel_store *db, uint32_t k);
/* A new object of model k with the given id, which must be free (no live
 * object has it): every scalar at its default, every relation empty
 * (required ones NULL, so the store does not verify until the caller links
 * them).  NULL when out of memory, with nothing changed.  Ids above the
 * highest issued so far move it up. */
void *rel_obj_create(rel_store *db, uint32_t k, uint64_t id);
/* Undoes rel_obj_create of an object that is again unlinked (every
 * relation empty) and owns no string: its id is nobody's again.  Discard
 * in the reverse order of creation, then restore the last id. */
void rel_obj_discard(rel_store *db, uint32_t k, void *o);
/* After discarding every object created since rel_model_last_id(db, k)
 * was `last`: the highest issued id is `last` again, so M_new continues
 * where it would have.  (Discard alone cannot know it: an id up to
 * `last` may have been created again after its object was deleted.) */
void rel_model_restore_last_id(rel_store *db, uint32_t k, uint64_t last);

#endif
