/* rel_impl.h: what the runtime's own files share and generated code never
 * sees.  Not installed: nothing here is part of the contract in rel.h. */
#ifndef REL_IMPL_H
#define REL_IMPL_H

#include "rel.h"

#include <stdarg.h>
#include <string.h>

/* Failure paths: out of the way of the code that succeeds. */
#if defined(__GNUC__)
#define REL_COLD __attribute__((cold))
#else
#define REL_COLD
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
 * reference member then belongs to another of its relations). */
static inline bool rel_in_use(const rel_relation *r, const void *o)
{
    return r->type != REL_GENERIC || REL_CAT(o, r->ct, uint32_t) == r->target + 1;
}
/* SET_NULL on referrer x: its reference, and a generic one's model. */
static inline void rel_null_out(const rel_relation *r, void *x)
{
    rel_fwd_set(x, r->fwd, NULL);
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

/* Bytes of a scalar field's member other than a string (rel_type): what
 * a default or a value copies. */
static inline size_t rel_scalar_size(uint8_t type)
{
    switch (type) {
    case REL_BOOL:   return sizeof(bool);
    case REL_INT8:   case REL_UINT8:  return 1;
    case REL_INT16:  case REL_UINT16: return 2;
    case REL_INT32:  case REL_UINT32: return 4;
    case REL_FLOAT:  return sizeof(float);
    default:         return 8;
    }
}

/* For a rare path that would otherwise cost its caller's common one a
 * stack frame. */
#if defined(__GNUC__)
#define REL_NOINLINE __attribute__((noinline))
#else
#define REL_NOINLINE
#endif

/* Sets the gate of rel_new_fast (ms->pool.end; see rel_pool), the ids up
 * to `issued` taken: open, to the region's limit (last->end, whole
 * slots), but no further than the ids left and the id index's room (once
 * M_get built it) allow, when a create needs nothing but a bump and an
 * append to the index; closed (end = next) while the free list has slots
 * to reuse.  Every change to those (the free list drained, the index
 * built or grown, last_id moved, a new region) calls it, or closes the
 * gate itself (a put).  Why a gate: the inline create then tests one
 * compare where it tested the free list, the bump, the id space and the
 * index's room apart. */
static inline void rel_gate_issued(rel_model_state *ms, uint32_t issued)
{
    rel_pool *p = &ms->pool;
    char *end = p->next;
    if (!p->free_head && p->last) {
        size_t room = (size_t)(p->last->end - p->next);
        size_t ids = (size_t)(REL_ID_MAX - issued) * p->size;
        if (ms->ids.items && (size_t)(ms->ids.cap - ms->ids.count) * p->size < ids)
            ids = (size_t)(ms->ids.cap - ms->ids.count) * p->size;
        end += room < ids ? room : ids;
    }
    p->end = end;
}
/* The gate with every id up to last_id issued. */
static inline void rel_gate(rel_model_state *ms)
{
    rel_gate_issued(ms, ms->last_id);
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
    REL_LEAF = 8,
    /* One of its ForeignKeys carries a many-to-many through it (it is a
     * through model): creating, relinking and deleting its objects keep
     * that relation's sets in step (rel_through.c). */
    REL_THROUGH = 16,
    /* The model has unique constraints (rel_unique.c keeps their
     * indexes): creates and deletes go through the generic paths. */
    REL_HAS_UNIQUE = 32,
    /* It has a string field (which a delete points at ""). */
    REL_HAS_STRING = 64,
    /* REL_FAST_DELETE, no relation of its own, no unique constraint, and
     * every relation into it a CASCADE ForeignKey from a REL_LEAF model:
     * M_delete retires its referrers and it (rel_delete_one.c). */
    REL_LEAF_PARENT = 128
};

/* REL_LEAF_PARENT or 0 for model k, once every model's other flags are
 * set (rel_delete_one.c). */
uint32_t rel_parent_flag(const rel_schema *s, const rel_model_state *states, uint32_t k);

/* ---- unique constraints (rel_unique.c) --------------------------------------
 * Each constraint's index holds the live objects whose relation members
 * are all set.  A create checks and reserves with rel_unique_new_check
 * before it changes anything, writes its scalar arguments with
 * rel_unique_new_args (strings copied; false when out of memory, nothing
 * left allocated), and enters the indexes once linked.  An object leaves
 * them before its members change or it is deleted. */
rel_status rel_unique_new_check(rel_store *db, uint32_t k, void *const *req, const rel_relation *via, void *other,
                                bool new_is_model, const char *who);
bool rel_unique_new_args(rel_store *db, uint32_t k, void *const *req, void *o);
void rel_unique_drop_args(rel_store *db, uint32_t k, void *o);
void rel_unique_enter(rel_store *db, uint32_t k, void *o);
void rel_unique_leave(rel_store *db, uint32_t k, void *o);
/* New object o of model k whose nullable relations were set after its
 * create (a through object's nullable side, by add): refuses a key
 * another object has (REL_EUNIQUE, errmsg naming who), else enters the
 * indexes it is not in yet (room reserved by the create). */
rel_status rel_unique_enter_linked(rel_store *db, uint32_t k, void *o, const char *who);
/* Before relation r of m becomes NULL: m leaves the indexes of r's
 * constraints (NULL is distinct from everything). */
void rel_unique_unset(rel_store *db, uint32_t r, void *m);
void rel_unique_free(rel_store *db);
/* Whether the string argument is fit for field f of o (not NULL, UTF-8,
 * within max_length); sets errmsg naming `who` (or the object) if not. */
rel_status rel_string_check(rel_store *db, uint32_t k, const void *o, const rel_field *f, const char *value,
                            const char *who);

/* For loaddata: a scratch index over objects that need not be the
 * store's (shadows laid out as objects).  rel_unique_scratch_put enters o
 * unless its relation members are not all set; it returns the object
 * already there with the same key (and then does not enter o), or NULL.
 * False from reserve: out of memory. */
bool rel_unique_scratch_reserve(const rel_store *db, uint32_t u, rel_index *ix, size_t need);
void *rel_unique_scratch_put(const rel_store *db, uint32_t u, rel_index *ix, void *o);
/* The object other than probe with probe's key for constraint u: in a
 * scratch index, or in the store's. */
void *rel_unique_scratch_find(const rel_store *db, uint32_t u, const rel_index *ix, const void *probe);
void *rel_unique_find(const rel_store *db, uint32_t u, const void *probe);
/* Room in the store's indexes of model k for `more` objects. */
bool rel_unique_reserve(rel_store *db, uint32_t k, size_t more);
/* "author, title": the members of constraint u, into buf. */
const char *rel_unique_describe(const rel_store *db, uint32_t u, char *buf, size_t cap);

/* Frees what object o of model k owns: strings set by a setter, the set
 * of each many-to-many relation the model declares, and the reverse side
 * of each relation it is the target of (a ForeignKey's list, a
 * non-symmetrical many-to-many's set).  It touches nothing outside o. */
void rel_free_members(const rel_store *db, uint32_t k, void *o);

/* The word of model k's slots that links the pool's free list: one no
 * generated getter reads, or the slot's end (rel_scrub.c). */
uint32_t rel_link_offset(const rel_schema *s, uint32_t k);
/* A store's regions in address order, which verify builds once to look
 * up a plain pointer it does not trust (a list's or a set's item, a
 * one-to-one's reverse, a free list's head or wide link, an index's
 * entry) among the store's slots before it reads anything through it
 * (rel_scrub.c). */
typedef struct rel_regions {
    const rel_region **at;
    size_t n;
} rel_regions;
/* Fills rs from every pool of db (through the allocator).  Out of memory,
 * rs is left without an array and lookups walk the model's regions
 * instead (slower, the same answers): verify does not fail for memory. */
void rel_regions_of(const rel_store *db, rel_regions *rs);
void rel_regions_free(rel_regions *rs);
/* Whether o is a slot that model k's pool of db handed out (live or
 * deleted), found in rs before o or its region is read. */
bool rel_slot_known(const rel_store *db, const rel_regions *rs, uint32_t k, const void *o);
/* Whether pool p's free list holds every deleted slot of its regions,
 * each once, from free_head to free_tail, every link followed only once
 * rs knows where it leads (rel_verify.c). */
bool rel_free_list_ok(const rel_pool *p, const rel_regions *rs);
/* verify's part for the unique indexes, every entry looked up in rs
 * before its keys are read (rel_unique.c). */
rel_status rel_unique_verify(const rel_store *db, const rel_regions *rs);
/* Why reference c (not 0) cannot be read as an object of model k of
 * store db, or NULL when it names a slot that k's pool handed out (live
 * or deleted): verify's test before it decodes a reference it does not
 * trust, which reads nothing but the table and a numbered region's
 * header (rel_scrub.c). */
const char *rel_cref_unsound(const rel_store *db, uint32_t k, rel_cref c);
/* Numbers from rel_cref_limit up are not issued (default
 * REL_CREF_REGIONS; numbers given back are still reused): what a test
 * lowers to run out of numbers (rel.c). */
extern uint32_t rel_cref_limit;
/* Points every string member of o (model k) at "". */
void rel_scrub_strings(const rel_store *db, uint32_t k, void *o);
/* rel_retire for each object of items[0..count) of model k, a REL_LEAF
 * one, that is neither marked nor deleted. */
void rel_retire_leaves(rel_store *db, uint32_t k, void *const *items, uint32_t count);
/* The same for items that are all live and unmarked (a live object's
 * list of referrers, outside a collector's run): no tag to test. */
void rel_retire_live(rel_store *db, uint32_t k, void *const *items, uint32_t count);

/* Slot o (size bytes, a multiple of 8 and at least 16) becomes deleted:
 * its tag `tag` (REL_DEAD set), every other byte zero.  Slots are small:
 * the first 8 bytes are one store (the tag and the word beside it), and
 * the next 8 and the last 8 (which may be the same) cover the common
 * sizes without a call. */
static inline void rel_kill_slot(void *o, uint32_t tag, size_t size)
{
    uint32_t head[2];
    head[0] = tag;
    head[1] = 0;
    memcpy(o, head, sizeof head);
    memset((char *)o + 8, 0, 8);          /* constant sizes: one store each */
    memset((char *)o + size - 8, 0, 8);
    if (size > 24)
        memset((char *)o + 16, 0, size - 24);
}

/* Takes o (of model k, its members already freed) out of the store: its
 * tag says deleted, every member reads as empty (zero, NULL, "", an empty
 * list: what a getter of a deleted object returns), the count drops, the
 * slot goes back to the pool. */
static inline void rel_retire(rel_store *db, uint32_t k, void *o)
{
    rel_model_state *ms = &db->models[k];
    rel_kill_slot(o, (REL_TAG(o) & REL_ID_MAX) | REL_DEAD, ms->pool.size);
    if (ms->flags & REL_HAS_STRING)
        rel_scrub_strings(db, k, o);
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

/* ---- through models (rel_through.c) ----------------------------------------- */

/* Where a call with no store or a dead object reports: `any` if set, else
 * the first live object among model m's constructor arguments read from
 * *ap (all but the entries skip1 and skip2; a unique scalar's is a pointer
 * to its value, read and passed over).  rel_store.c. */
const void *rel_arg_object(const rel_model *m, uint32_t skip1, uint32_t skip2, va_list *ap, const void *any);

/* rel_new with the required targets in an array (NULL when none). */
void *rel_new_req(rel_store *db, uint32_t k, void **req, uint32_t via, void *other, bool new_is_model,
                  const char *who);
/* For a new object of through model k, before it exists: room in the
 * sets for each pair it will make (its targets are req, and `other` for
 * `via`, as rel_new takes them).  false when out of memory. */
bool rel_through_reserve_new(rel_store *db, uint32_t k, void *const *req, const rel_relation *via, void *other,
                             bool new_is_model);
/* The new object o of through model k, linked: its pairs join the sets. */
void rel_through_link_new(rel_store *db, uint32_t k, void *o);
/* Object m of a through model is about to lose its ForeignKey ri (a
 * bound one): its pair, when both sides are set, leaves the sets. */
void rel_through_detach(rel_store *db, uint32_t ri, void *m);
/* A delete of o (of through model k): each of its pairs whose two sides
 * both stay (neither marked nor deleted) leaves the sets; a side that goes
 * takes its whole set with it. */
void rel_through_leave(rel_store *db, uint32_t k, void *o);
/* Verify: the sets of each through relation o (of model k) declares hold
 * exactly the pairs of its through objects. */
rel_status rel_through_verify(const rel_store *db, uint32_t k, const void *o);

#endif
