/* rel_unique.c: unique fields and unique_together (SPEC section 8).
 *
 * One hash index per constraint per store (rel_store.indexes, in the order
 * of rel_schema.uniques): open addressing with linear probing over object
 * pointers, at most three quarters full, deletion by shifting back (no
 * tombstones).  Keys are not copied: they are read from the objects
 * through the descriptor (member offsets and types), so an index costs a
 * pointer per slot.  An object is in the index of a constraint when every
 * relation among its members is set; one with a NULL relation is distinct
 * from every other, as in SQL.
 *
 * Equality: strings by bytes (they are valid UTF-8, so this is Django's
 * and SQL's exact comparison), integers and bools by value, relations by
 * the target, floats as numbers (+0.0 equals -0.0) with every NaN equal
 * to every NaN (PostgreSQL's rule for unique indexes).
 *
 * Every change checks first, then reserves, then changes: a create
 * reserves room for one more object in each index of its model before
 * anything is linked; a setter takes the object out of the indexes whose
 * key it changes and puts it back after, which needs no memory.
 */
#include "rel_impl.h"

#include <string.h>

/* Where the members of a key are read: an object, or an array of
 * pointers to values; `swap` (when not UINT32_MAX) replaces member swap
 * by *swap_val. */
typedef struct keysrc {
    const void *obj;
    const void *const *vals;
    uint32_t swap;
    const void *swap_val;
} keysrc;

static keysrc from_obj(const void *o)
{
    keysrc s;
    s.obj = o;
    s.vals = NULL;
    s.swap = UINT32_MAX;
    s.swap_val = NULL;
    return s;
}

static const rel_unique *U(const rel_store *db, uint32_t u) { return &db->schema->uniques[u]; }

/* The type of member i of u: a scalar's rel_type, or REL_FOREIGN_KEY for
 * any relation (a pointer). */
static uint8_t member_type(const rel_store *db, const rel_unique *u, uint32_t i)
{
    uint32_t e = u->members[i];
    if (e & REL_ARG_FIELD)
        return db->schema->models[u->model].fields[e & ~REL_ARG_FIELD].type;
    return REL_FOREIGN_KEY;
}

/* Where member i of a key is: a pointer to its value.  An object holds
 * a relation as a reference (rel_cref), which is decoded into *buf, the
 * value then being the target's address as in src->vals. */
static const void *member_at(const rel_store *db, const rel_unique *u, uint32_t i, const keysrc *src,
                             const void **buf)
{
    uint32_t e = u->members[i];
    if (i == src->swap)
        return src->swap_val;
    if (src->vals)
        return src->vals[i];
    if (e & REL_ARG_FIELD)
        return (const char *)src->obj + db->schema->models[u->model].fields[e & ~REL_ARG_FIELD].offset;
    *buf = rel_fwd(src->obj, db->schema->relations[e].fwd);
    return (const void *)buf;
}

/* Whether every relation member is set: only then is the key in the index. */
static bool keyed(const rel_store *db, const rel_unique *u, const keysrc *src)
{
    const void *buf;
    uint32_t i;
    for (i = 0; i < u->nmembers; i++)
        if (!(u->members[i] & REL_ARG_FIELD) && !*(void *const *)member_at(db, u, i, src, &buf))
            return false;
    return true;
}

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= UINT64_C(0x7fb5d329728ea185);
    h ^= h >> 27;
    h *= UINT64_C(0x81dadef4bc2dd44d);
    h ^= h >> 33;
    return h;
}

static uint64_t hash_string(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

static uint64_t hash_double(double d)
{
    uint64_t bits;
    if (d != d)
        return UINT64_C(0x7ff8000000000000);
    if (d == 0)
        return 0;   /* +0.0 and -0.0 */
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

static uint64_t hash_member(uint8_t type, const void *p)
{
    switch (type) {
    case REL_BOOL:   return *(const bool *)p;
    case REL_INT8:   return (uint64_t)(int64_t)*(const int8_t *)p;
    case REL_INT16:  return (uint64_t)(int64_t)*(const int16_t *)p;
    case REL_INT32:  return (uint64_t)(int64_t)*(const int32_t *)p;
    case REL_INT64:  return (uint64_t)*(const int64_t *)p;
    case REL_UINT8:  return *(const uint8_t *)p;
    case REL_UINT16: return *(const uint16_t *)p;
    case REL_UINT32: return *(const uint32_t *)p;
    case REL_UINT64: return *(const uint64_t *)p;
    case REL_FLOAT:  return hash_double(*(const float *)p);
    case REL_DOUBLE: return hash_double(*(const double *)p);
    case REL_STRING: return hash_string(*(const char *const *)p);
    default:         return (uint64_t)(uintptr_t)*(void *const *)p;
    }
}

static bool double_eq(double a, double b) { return a == b || (a != a && b != b); }

static bool member_eq(uint8_t type, const void *a, const void *b)
{
    switch (type) {
    case REL_BOOL:   return *(const bool *)a == *(const bool *)b;
    case REL_INT8:
    case REL_UINT8:  return *(const uint8_t *)a == *(const uint8_t *)b;
    case REL_INT16:
    case REL_UINT16: return *(const uint16_t *)a == *(const uint16_t *)b;
    case REL_INT32:
    case REL_UINT32: return *(const uint32_t *)a == *(const uint32_t *)b;
    case REL_INT64:
    case REL_UINT64: return *(const uint64_t *)a == *(const uint64_t *)b;
    case REL_FLOAT:  return double_eq(*(const float *)a, *(const float *)b);
    case REL_DOUBLE: return double_eq(*(const double *)a, *(const double *)b);
    case REL_STRING: return strcmp(*(const char *const *)a, *(const char *const *)b) == 0;
    default:         return *(void *const *)a == *(void *const *)b;
    }
}

static uint64_t key_hash(const rel_store *db, const rel_unique *u, const keysrc *src)
{
    uint64_t h = 0;
    const void *buf;
    uint32_t i;
    for (i = 0; i < u->nmembers; i++)
        h = mix(h + hash_member(member_type(db, u, i), member_at(db, u, i, src, &buf)));
    return h;
}

static bool key_eq(const rel_store *db, const rel_unique *u, const keysrc *src, const void *o)
{
    keysrc other = from_obj(o);
    const void *a, *b;
    uint32_t i;
    for (i = 0; i < u->nmembers; i++) {
        uint8_t t = member_type(db, u, i);
        if (!member_eq(t, member_at(db, u, i, src, &a), member_at(db, u, i, &other, &b)))
            return false;
    }
    return true;
}

/* ---- one index ------------------------------------------------------------------ */

/* ix_find for the common constraint, one string field: the member's
 * offset read once, strcmp per probe. */
static void *ix_find_string(const rel_index *ix, size_t off, const char *key, const void *except)
{
    uint32_t mask = ix->cap - 1, at;
    for (at = (uint32_t)mix(hash_string(key)) & mask; ix->slots[at]; at = (at + 1) & mask) {
        void *o = ix->slots[at];
        if (o != except && strcmp(*(const char *const *)(const void *)((const char *)o + off), key) == 0)
            return o;
    }
    return NULL;
}

/* The object with src's key, other than `except`; NULL if none. */
static void *ix_find(const rel_store *db, const rel_unique *u, const rel_index *ix, const keysrc *src,
                     const void *except)
{
    uint32_t mask, at;
    const void *unused;
    if (!ix->cap)
        return NULL;
    if (u->nmembers == 1 && member_type(db, u, 0) == REL_STRING)
        return ix_find_string(ix, db->schema->models[u->model].fields[u->members[0] & ~REL_ARG_FIELD].offset,
                              *(const char *const *)member_at(db, u, 0, src, &unused), except);
    mask = ix->cap - 1;
    for (at = (uint32_t)key_hash(db, u, src) & mask; ix->slots[at]; at = (at + 1) & mask) {
        void *o = ix->slots[at];
        if (o != except && key_eq(db, u, src, o))
            return o;
    }
    return NULL;
}

/* Enters o (room reserved, its key not there). */
static void ix_put(const rel_store *db, const rel_unique *u, rel_index *ix, void *o)
{
    keysrc src = from_obj(o);
    uint32_t mask = ix->cap - 1, at;
    for (at = (uint32_t)key_hash(db, u, &src) & mask; ix->slots[at]; at = (at + 1) & mask)
        ;
    ix->slots[at] = o;
    ix->count++;
}

/* Takes o out (it is there, under its present key), shifting back the
 * entries of the run after it that would no longer be found. */
static void ix_remove(const rel_store *db, const rel_unique *u, rel_index *ix, const void *o)
{
    keysrc src = from_obj(o);
    uint32_t mask = ix->cap - 1, at, next;
    for (at = (uint32_t)key_hash(db, u, &src) & mask; ix->slots[at] != o; at = (at + 1) & mask)
        if (!ix->slots[at])
            return;   /* not there: nothing to do */
    for (next = (at + 1) & mask; ix->slots[next]; next = (next + 1) & mask) {
        keysrc s = from_obj(ix->slots[next]);
        uint32_t home = (uint32_t)key_hash(db, u, &s) & mask;
        /* The entry at next may move to the hole at `at` unless its home
         * lies cyclically in (at, next]. */
        if (((next - home) & mask) >= ((next - at) & mask)) {
            ix->slots[at] = ix->slots[next];
            at = next;
        }
    }
    ix->slots[at] = NULL;
    ix->count--;
}

/* Room for `need` entries; nothing changes on failure. */
static bool ix_reserve(const rel_store *db, const rel_unique *u, rel_index *ix, size_t need)
{
    uint32_t cap = ix->cap ? ix->cap : 8, i;
    rel_index grown;
    if (need <= (size_t)ix->cap / 4 * 3)
        return true;
    while ((size_t)cap / 4 * 3 < need) {
        if (cap >= ((uint32_t)1 << 31))
            return false;
        cap *= 2;
    }
    if (!(grown.slots = (void **)rel_malloc((size_t)cap * sizeof(void *))))
        return false;
    memset(grown.slots, 0, (size_t)cap * sizeof(void *));
    grown.cap = cap;
    grown.count = 0;
    for (i = 0; i < ix->cap; i++)
        if (ix->slots[i])
            ix_put(db, u, &grown, ix->slots[i]);
    rel_free(ix->slots);
    *ix = grown;
    return true;
}

/* ---- messages ---------------------------------------------------------------- */

const char *rel_unique_describe(const rel_store *db, uint32_t ui, char *buf, size_t cap)
{
    const rel_unique *u = U(db, ui);
    const rel_model *m = &db->schema->models[u->model];
    size_t at = 0;
    uint32_t i;
    buf[0] = '\0';
    for (i = 0; i < u->nmembers && at < cap; i++) {
        uint32_t e = u->members[i];
        const char *name = e & REL_ARG_FIELD ? m->fields[e & ~REL_ARG_FIELD].name : db->schema->relations[e].name;
        int n = snprintf(buf + at, cap - at, "%s%s", i ? ", " : "", name);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    return buf;
}

/* "Person_new: Person 3 already has this email" (`who` a call), or
 * "Person 5: Person 3 already has this email" (who NULL: o names it). */
static REL_COLD rel_status fail_clash(rel_store *db, uint32_t ui, const char *who, const void *o, const void *x)
{
    char members[160];
    const char *model = db->schema->models[U(db, ui)->model].name;
    rel_unique_describe(db, ui, members, sizeof members);
    if (who)
        return rel_fail(&db->errmsg, REL_EUNIQUE, "%s: %s %llu already has this %s%s%s", who, model, REL_ID(x),
                        U(db, ui)->nmembers > 1 ? "(" : "", members, U(db, ui)->nmembers > 1 ? ")" : "");
    return rel_fail(&db->errmsg, REL_EUNIQUE, "%s %llu: %s %llu already has this %s%s%s", model, REL_ID(o), model,
                    REL_ID(x), U(db, ui)->nmembers > 1 ? "(" : "", members, U(db, ui)->nmembers > 1 ? ")" : "");
}

/* ---- creating ------------------------------------------------------------------- */


/* Which constructor argument of model m is entry e (REL_NONE: none). */
static uint32_t arg_of(const rel_model *m, uint32_t e)
{
    uint32_t i;
    for (i = 0; i < m->nrequired; i++)
        if (m->required[i] == e)
            return i;
    return REL_NONE;
}

/* A new object's key for constraint u: each member from the constructor
 * arguments, or `other` for the relation it is created through; NULL
 * (not keyed) for a nullable relation it starts without. */
enum { SMALL_KEY = 16 };
static bool new_key(const rel_store *db, const rel_unique *u, void *const *req, const rel_relation *via,
                    void *const *other, bool new_is_model, const void **vals)
{
    const rel_model *m = &db->schema->models[u->model];
    uint32_t i;
    for (i = 0; i < u->nmembers; i++) {
        uint32_t e = u->members[i], a = arg_of(m, e);
        if (a != REL_NONE) {
            vals[i] = e & REL_ARG_FIELD ? (const void *)req[a] : (const void *)&req[a];
        } else if (!(e & REL_ARG_FIELD) && via && new_is_model && via == &db->schema->relations[e]) {
            vals[i] = other;
        } else {
            return false;
        }
    }
    return true;
}

/* The message of rel_string_check, out of the way of the check. */
static REL_COLD rel_status fail_string(rel_store *db, uint32_t k, const void *o, const rel_field *f, const char *who,
                                       rel_status st, const char *why)
{
    const rel_model *m = &db->schema->models[k];
    if (who)
        return rel_fail(&db->errmsg, st, "%s: %s%s", who, f->name, why);
    return rel_fail(&db->errmsg, st, "%s %llu: %s%s", m->name, REL_ID(o), f->name, why);
}

rel_status rel_string_check(rel_store *db, uint32_t k, const void *o, const rel_field *f, const char *value,
                            const char *who)
{
    size_t chars;
    char why[80];
    if (!value)
        return fail_string(db, k, o, f, who, REL_EINVAL, ": the value is NULL");
    if (!rel_utf8_valid(value, &chars))
        return fail_string(db, k, o, f, who, REL_EINVAL, ": the value is not valid UTF-8");
    if (f->max_length && chars > f->max_length) {
        snprintf(why, sizeof why, " is longer than its max_length, %llu", (unsigned long long)f->max_length);
        return fail_string(db, k, o, f, who, REL_ETOOLONG, why);
    }
    return REL_OK;
}

rel_status rel_unique_new_check(rel_store *db, uint32_t k, void *const *req, const rel_relation *via, void *other,
                                bool new_is_model, const char *who)
{
    const rel_model *m = &db->schema->models[k];
    const void *small[SMALL_KEY], **vals = small;
    uint32_t i, j;
    rel_status st = REL_OK;

    for (i = 0; i < m->nrequired; i++) {
        const rel_field *f;
        if (!(m->required[i] & REL_ARG_FIELD))
            continue;
        f = &m->fields[m->required[i] & ~REL_ARG_FIELD];
        if (!req[i])
            return rel_fail(&db->errmsg, REL_EINVAL, "%s: %s: the value is NULL", rel_who(who), f->name);
        if (f->type == REL_STRING
            && (st = rel_string_check(db, k, NULL, f, *(const char *const *)req[i], rel_who(who))) != REL_OK)
            return st;
    }
    for (i = 0; i < m->nuniques && st == REL_OK; i++) {
        const rel_unique *u = U(db, m->uniques[i]);
        keysrc src;
        void *x;
        if (u->nmembers > SMALL_KEY && vals == small
            && !(vals = (const void **)rel_malloc(u->nmembers * sizeof *vals)))
            return rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory creating a new %s", rel_who(who),
                            m->name);
        if (!new_key(db, u, req, via, &other, new_is_model, vals))
            continue;
        src.obj = NULL;
        src.vals = vals;
        src.swap = UINT32_MAX;
        src.swap_val = NULL;
        if ((x = ix_find(db, u, &db->indexes[m->uniques[i]], &src, NULL)) != NULL)
            st = fail_clash(db, m->uniques[i], rel_who(who), NULL, x);
    }
    if (vals != small)
        rel_free((void *)vals);
    if (st)
        return st;
    for (j = 0; j < m->nuniques; j++) {
        rel_index *ix = &db->indexes[m->uniques[j]];
        if (!ix_reserve(db, U(db, m->uniques[j]), ix, (size_t)ix->count + 1))
            return rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory creating a new %s", rel_who(who),
                            m->name);
    }
    return REL_OK;
}

bool rel_unique_new_args(rel_store *db, uint32_t k, void *const *req, void *o)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i;
    for (i = 0; i < m->nrequired; i++) {
        const rel_field *f;
        if (!(m->required[i] & REL_ARG_FIELD))
            continue;
        f = &m->fields[m->required[i] & ~REL_ARG_FIELD];
        if (f->type == REL_STRING) {
            const char *s = *(const char *const *)req[i];
            char *copy;
            if (f->def && strcmp(s, (const char *)f->def) == 0)
                continue;   /* the default text: no copy, as a new object has it */
            if (!(copy = rel_strdup(s))) {
                rel_unique_drop_args(db, k, o);
                return false;
            }
            REL_AT(o, f->offset, const char *) = copy;
        } else {
            memcpy((char *)o + f->offset, req[i], rel_scalar_size(f->type));
        }
    }
    return true;
}

void rel_unique_drop_args(rel_store *db, uint32_t k, void *o)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i;
    for (i = 0; i < m->nrequired; i++) {
        const rel_field *f;
        const char *s;
        if (!(m->required[i] & REL_ARG_FIELD))
            continue;
        f = &m->fields[m->required[i] & ~REL_ARG_FIELD];
        if (f->type != REL_STRING)
            continue;
        s = REL_AT(o, f->offset, const char *);
        if (rel_string_owned(f, s))
            rel_free((void *)(uintptr_t)s);
        REL_AT(o, f->offset, const char *) = f->def ? (const char *)f->def : rel_empty_string;
    }
}

/* Member position of entry e in u, or UINT32_MAX. */
static uint32_t member_pos(const rel_unique *u, uint32_t e)
{
    uint32_t i;
    for (i = 0; i < u->nmembers; i++)
        if (u->members[i] == e)
            return i;
    return UINT32_MAX;
}

void rel_unique_unset(rel_store *db, uint32_t r, void *mo)
{
    const rel_model *m = &db->schema->models[db->schema->relations[r].model];
    keysrc src = from_obj(mo);
    uint32_t i;
    for (i = 0; i < m->nuniques; i++) {
        const rel_unique *u = U(db, m->uniques[i]);
        if (member_pos(u, r) != UINT32_MAX && keyed(db, u, &src))
            ix_remove(db, u, &db->indexes[m->uniques[i]], mo);
    }
}

/* ---- setters --------------------------------------------------------------------- */

/* The constraints of model m with entry e among their members: those o
 * leaves and re-enters.  Refuses a new value (for e) that another object
 * has. */
static rel_status check_swap(rel_store *db, const rel_model *m, uint32_t e, void *o, const void *value)
{
    uint32_t i;
    for (i = 0; i < m->nuniques; i++) {
        const rel_unique *u = U(db, m->uniques[i]);
        keysrc src = from_obj(o);
        void *x;
        if ((src.swap = member_pos(u, e)) == UINT32_MAX)
            continue;
        src.swap_val = value;
        if (keyed(db, u, &src) && (x = ix_find(db, u, &db->indexes[m->uniques[i]], &src, o)) != NULL)
            return fail_clash(db, m->uniques[i], NULL, o, x);
    }
    return REL_OK;
}

/* o leaves (enter false) or re-enters the indexes of the constraints with
 * entry e (REL_NONE: all of them). */
static void move_out_in(rel_store *db, const rel_model *m, uint32_t e, void *o, bool enter)
{
    keysrc src = from_obj(o);
    uint32_t i;
    for (i = 0; i < m->nuniques; i++) {
        const rel_unique *u = U(db, m->uniques[i]);
        if ((e != REL_NONE && member_pos(u, e) == UINT32_MAX) || !keyed(db, u, &src))
            continue;
        if (enter)
            ix_put(db, u, &db->indexes[m->uniques[i]], o);
        else
            ix_remove(db, u, &db->indexes[m->uniques[i]], o);
    }
}

void rel_unique_enter(rel_store *db, uint32_t k, void *o)
{
    move_out_in(db, &db->schema->models[k], REL_NONE, o, true);
}

void rel_unique_leave(rel_store *db, uint32_t k, void *o)
{
    move_out_in(db, &db->schema->models[k], REL_NONE, o, false);
}

rel_status rel_unique_enter_linked(rel_store *db, uint32_t k, void *o, const char *who)
{
    const rel_model *m = &db->schema->models[k];
    keysrc src = from_obj(o);
    uint32_t i;
    void *x;
    for (i = 0; i < m->nuniques; i++) {
        const rel_unique *u = U(db, m->uniques[i]);
        if (keyed(db, u, &src) && (x = ix_find(db, u, &db->indexes[m->uniques[i]], &src, o)) != NULL)
            return fail_clash(db, m->uniques[i], rel_who(who), o, x);
    }
    for (i = 0; i < m->nuniques; i++) {
        const rel_unique *u = U(db, m->uniques[i]);
        rel_index *ix = &db->indexes[m->uniques[i]];
        if (keyed(db, u, &src) && ix_find(db, u, ix, &src, NULL) != o)
            ix_put(db, u, ix, o);
    }
    return REL_OK;
}

rel_status rel_set_unique(void *o, uint32_t k, uint32_t field, const void *value)
{
    rel_store *db;
    const rel_model *m;
    const rel_field *f;
    char *copy = NULL;
    rel_status st;
    uint32_t e = REL_ARG_FIELD | field;

    if (!rel_alive(o))
        return rel_fail_arg(o, k, NULL, NULL);
    db = rel_store_of(o);
    m = &db->schema->models[k];
    f = &m->fields[field];
    if (f->type == REL_STRING
        && (st = rel_string_check(db, k, o, f, *(const char *const *)value, NULL)) != REL_OK)
        return st;
    if ((st = check_swap(db, m, e, o, value)) != REL_OK)
        return st;
    if (f->type == REL_STRING && !(copy = rel_strdup(*(const char *const *)value)))
        return rel_fail(&db->errmsg, REL_ENOMEM, "out of memory setting %s.%s", m->name, f->name);
    move_out_in(db, m, e, o, false);
    if (f->type == REL_STRING) {
        const char *old = REL_AT(o, f->offset, const char *);
        if (rel_string_owned(f, old))
            rel_free((void *)(uintptr_t)old);
        REL_AT(o, f->offset, const char *) = copy;
    } else {
        memcpy((char *)o + f->offset, value, rel_scalar_size(f->type));
    }
    move_out_in(db, m, e, o, true);
    return REL_OK;
}

rel_status rel_set_rel_unique(void *mo, void *t, uint32_t r)
{
    rel_store *db;
    const rel_relation *rr;
    const rel_model *m;
    rel_status st;

    if (!rel_alive(mo) || (t && !rel_alive(t)))
        return rel_fail_link(r, mo, t, true, NULL);
    db = rel_store_of(mo);
    rr = REL_RELATION(db, r);
    m = &db->schema->models[rr->model];
    if (rel_fwd(mo, rr->fwd) == t && t)
        return REL_OK;
    if (!t && !rr->null)
        return rel_fail_required(r, mo);
    if (t && rel_store_of(t) != db)
        return rel_fail_other_store(r, mo, t, true, NULL);
    if (t && rr->type == REL_ONE_TO_ONE && REL_AT(t, rr->rev, void *))
        return rel_fail_taken(r, t);
    if (t && (st = check_swap(db, m, r, mo, &t)) != REL_OK)
        return st;
    move_out_in(db, m, r, mo, false);
    if (rr->serves != REL_NONE)   /* a through model's ForeignKey: its pair moves too */
        st = rel_through_fk_set(mo, t, r, NULL);
    else if (rr->type == REL_FOREIGN_KEY)
        st = rel_fk_set(mo, t, r, rr->fwd, rr->pos, rr->rev, rr->null);
    else
        st = rel_o2o_set(mo, t, r, rr->fwd, rr->rev, rr->null);
    move_out_in(db, m, r, mo, true);   /* under the new key, or the old one if refused */
    return st;
}

/* ---- lookups ---------------------------------------------------------------------- */

void *rel_get_by(const rel_store *db, uint32_t ui, const void *const *vals)
{
    const rel_unique *u;
    keysrc src;
    uint32_t i;
    if (!db)
        return NULL;
    u = U(db, ui);
    for (i = 0; i < u->nmembers; i++) {
        uint32_t e = u->members[i];
        if (!vals[i])
            return NULL;
        if (e & REL_ARG_FIELD ? member_type(db, u, i) == REL_STRING && !*(const char *const *)vals[i]
                              : !*(void *const *)vals[i])
            return NULL;   /* a NULL string or relation: nobody */
    }
    src.obj = NULL;
    src.vals = vals;
    src.swap = UINT32_MAX;
    src.swap_val = NULL;
    return ix_find(db, u, &db->indexes[ui], &src, NULL);
}

/* ---- the store -------------------------------------------------------------------- */

void rel_unique_free(rel_store *db)
{
    uint32_t i;
    for (i = 0; db->indexes && i < db->schema->nuniques; i++)
        rel_free(db->indexes[i].slots);
}

bool rel_unique_reserve(rel_store *db, uint32_t k, size_t more)
{
    const rel_model *m = &db->schema->models[k];
    uint32_t i;
    for (i = 0; i < m->nuniques; i++) {
        rel_index *ix = &db->indexes[m->uniques[i]];
        if (!ix_reserve(db, U(db, m->uniques[i]), ix, (size_t)ix->count + more))
            return false;
    }
    return true;
}

bool rel_unique_scratch_reserve(const rel_store *db, uint32_t u, rel_index *ix, size_t need)
{
    return ix_reserve(db, U(db, u), ix, need);
}

void *rel_unique_scratch_put(const rel_store *db, uint32_t ui, rel_index *ix, void *o)
{
    keysrc src = from_obj(o);
    void *x;
    if (!keyed(db, U(db, ui), &src))
        return NULL;
    if ((x = ix_find(db, U(db, ui), ix, &src, o)) != NULL)
        return x;
    ix_put(db, U(db, ui), ix, o);
    return NULL;
}

void *rel_unique_scratch_find(const rel_store *db, uint32_t ui, const rel_index *ix, const void *probe)
{
    keysrc src = from_obj(probe);
    return ix_find(db, U(db, ui), ix, &src, probe);
}

void *rel_unique_find(const rel_store *db, uint32_t ui, const void *probe)
{
    return rel_unique_scratch_find(db, ui, &db->indexes[ui], probe);
}

static REL_COLD rel_status corrupt(const rel_store *db, uint32_t ui, const void *o, const char *what)
{
    char members[160];
    const char *model = db->schema->models[U(db, ui)->model].name;
    return rel_fail((rel_errmsg *)&db->errmsg, REL_ECORRUPT, "%s %llu: unique (%s): %s", model, REL_ID(o),
                    rel_unique_describe(db, ui, members, sizeof members), what);
}

/* Every keyed live object is found under its key (so no two share one:
 * the lookup would find the other), and the index holds no one else. */
rel_status rel_unique_verify(const rel_store *db, const rel_regions *rs)
{
    uint32_t ui;
    for (ui = 0; ui < db->schema->nuniques; ui++) {
        const rel_unique *u = U(db, ui);
        const rel_index *ix = &db->indexes[ui];
        rel_cursor c = rel_all(db, u->model);
        uint32_t n = 0, i;
        void *o;
        /* Every entry a live object of the model before a lookup reads
         * the keys of any (rel_regions). */
        for (i = 0; i < ix->cap; i++) {
            if (!ix->slots[i])
                continue;
            if (!rel_slot_known(db, rs, u->model, ix->slots[i]))
                return rel_fail((rel_errmsg *)&db->errmsg, REL_ECORRUPT, "%s: a unique index holds something "
                                "that is not one of its objects", db->schema->models[u->model].name);
            if (!rel_alive(ix->slots[i]))
                return corrupt(db, ui, ix->slots[i], "a deleted object is in the index");
        }
        while ((o = rel_cursor_next(&c))) {
            keysrc src = from_obj(o);
            void *x;
            if (!keyed(db, u, &src))
                continue;
            n++;
            x = ix_find(db, u, ix, &src, NULL);
            if (!x)
                return corrupt(db, ui, o, "not in the index");
            if (x != o)
                return rel_fail((rel_errmsg *)&db->errmsg, REL_ECORRUPT, "%s %llu and %llu have the same value "
                                "of a unique constraint", db->schema->models[u->model].name, REL_ID(o), REL_ID(x));
        }
        if (n != ix->count)
            return rel_fail((rel_errmsg *)&db->errmsg, REL_ECORRUPT, "%s: a unique index holds %lu objects, "
                            "not %lu", db->schema->models[u->model].name, (unsigned long)ix->count,
                            (unsigned long)n);
    }
    return REL_OK;
}
