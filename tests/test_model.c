/* test_model.c: the randomized model-based test of generated code.
 *
 * tests/model/mb.rel has every relation kind, every on_delete action, self
 * references and cycles, and unique constraints (model D: a unique field,
 * unique_together over nullable relations, values from small sets).  A long random sequence of operations (create,
 * set, add, remove, clear, delete one, delete many, create through a
 * reverse set) runs against the generated code and against the reference
 * below, a deliberately plain model of the same store: arrays indexed by
 * id, a matrix per many-to-many relation, and Django's collector written
 * as a fixpoint loop.  After every step the two must agree on every
 * object, field, link, count and status, and mb_store_verify must pass.
 *
 *   test_model [SEED [STEPS]]     (default: seeds 1..20, 3000 steps each)
 *
 * On a mismatch it prints the seed, the step and what differed; rerun with
 * that seed to reproduce it.
 */
#include "mb.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MA, MB, MC, MD, NMODELS };
enum { MAXOBJ = 256 };          /* ids per model in one run */
enum { CASCADE, PROTECT, RESTRICT, SET_NULL };
static const char *const model_names[NMODELS] = { "A", "B", "C", "D" };

/* ---- the generated store, seen through small typed wrappers ------------- */

static mb_store *db;

static void *get_obj(int m, uint32_t id)
{
    return m == MA ? (void *)A_get(db, id) : m == MB ? (void *)B_get(db, id) : m == MC ? (void *)C_get(db, id)
           : (void *)D_get(db, id);
}
static uint32_t id_of(int m, const void *o)
{
    if (!o)
        return 0;
    return (uint32_t)(m == MA ? A_id((const A *)o) : m == MB ? B_id((const B *)o) : m == MC ? C_id((const C *)o)
                      : D_id((const D *)o));
}

/* ForeignKey and OneToOneField relations: the reference's fk[r][id]. */
typedef struct Single {
    const char *name;
    int from, to, on_delete;
    bool null, o2o;
    void *(*get)(const void *o);
    rel_status (*set)(void *o, void *t);
    size_t (*rev_count)(const void *t);    /* ForeignKey: the reverse set's size */
    void *(*rev_one)(const void *t);       /* OneToOne: the reverse object */
} Single;

#define SINGLE(M, F, T)                                                               \
    static void *get_##M##_##F(const void *o) { return M##_##F((const M *)o); }        \
    static rel_status set_##M##_##F(void *o, void *t) { return M##_set_##F((M *)o, (T *)t); }
SINGLE(A, parent, A)
SINGLE(A, b, B)
SINGLE(B, owner, A)
SINGLE(B, twin, C)
SINGLE(C, a, A)
SINGLE(C, mate, C)
SINGLE(C, guard, B)
SINGLE(C, origin, A)
SINGLE(D, a, A)
SINGLE(D, b, B)
static size_t cnt_children(const void *t) { return A_children_count((const A *)t); }
static size_t cnt_as_set(const void *t) { return B_as_set_count((const B *)t); }
static size_t cnt_owned(const void *t) { return A_owned_count((const A *)t); }
static size_t cnt_cs(const void *t) { return A_cs_count((const A *)t); }
static size_t cnt_guards(const void *t) { return B_guards_count((const B *)t); }
static size_t cnt_origins(const void *t) { return A_origins_count((const A *)t); }
static size_t cnt_a_ds(const void *t) { return A_ds_count((const A *)t); }
static size_t cnt_b_ds(const void *t) { return B_ds_count((const B *)t); }
static void *one_twin_of(const void *t) { return C_twin_of((const C *)t); }
static void *one_mate_of(const void *t) { return C_mate_of((const C *)t); }

enum { NSINGLES = 10, D_A = 8, D_B = 9 };
static const Single singles[NSINGLES] = {
    { "A.parent", MA, MA, CASCADE, true, false, get_A_parent, set_A_parent, cnt_children, NULL },
    { "A.b", MA, MB, SET_NULL, true, false, get_A_b, set_A_b, cnt_as_set, NULL },
    { "B.owner", MB, MA, PROTECT, true, false, get_B_owner, set_B_owner, cnt_owned, NULL },
    { "B.twin", MB, MC, RESTRICT, true, true, get_B_twin, set_B_twin, NULL, one_twin_of },
    { "C.a", MC, MA, CASCADE, false, false, get_C_a, set_C_a, cnt_cs, NULL },
    { "C.mate", MC, MC, SET_NULL, true, true, get_C_mate, set_C_mate, NULL, one_mate_of },
    { "C.guard", MC, MB, RESTRICT, true, false, get_C_guard, set_C_guard, cnt_guards, NULL },
    { "C.origin", MC, MA, RESTRICT, true, false, get_C_origin, set_C_origin, cnt_origins, NULL },
    { "D.a", MD, MA, SET_NULL, true, false, get_D_a, set_D_a, cnt_a_ds, NULL },
    { "D.b", MD, MB, CASCADE, true, false, get_D_b, set_D_b, cnt_b_ds, NULL },
};

/* Many-to-many relations, each with both sides' set API. */
typedef struct Side {
    size_t (*list)(const void *o, void *const **items);
    bool (*contains)(const void *o, const void *x);
    size_t (*count)(const void *o);
    rel_status (*add)(void *o, void *x);
    rel_status (*remove)(void *o, void *x);
    rel_status (*clear)(void *o);
} Side;
typedef struct Multi {
    const char *name;
    int from, to;
    bool symmetrical;
    Side fwd, rev;   /* rev unused when symmetrical */
} Multi;

#define SIDE(M, R, X)                                                                              \
    static size_t lst_##M##_##R(const void *o, void *const **items)                                \
    { X##List l = M##_##R((const M *)o); *items = (void *const *)l.items; return l.count; }        \
    static bool has_##M##_##R(const void *o, const void *x) { return M##_##R##_contains((const M *)o, (const X *)x); } \
    static size_t cnt_##M##_##R(const void *o) { return M##_##R##_count((const M *)o); }            \
    static rel_status add_##M##_##R(void *o, void *x) { return M##_##R##_add((M *)o, (X *)x); }      \
    static rel_status rm_##M##_##R(void *o, void *x) { return M##_##R##_remove((M *)o, (X *)x); }    \
    static rel_status clr_##M##_##R(void *o) { return M##_##R##_clear((M *)o); }
#define SIDE_API(M, R) { lst_##M##_##R, has_##M##_##R, cnt_##M##_##R, add_##M##_##R, rm_##M##_##R, clr_##M##_##R }
SIDE(A, peers, A)
SIDE(A, likes, B)
SIDE(B, liked_by, A)
SIDE(C, follows, C)
SIDE(C, followers, C)

enum { NMULTIS = 3 };
static const Multi multis[NMULTIS] = {
    { "A.peers", MA, MA, true, SIDE_API(A, peers), SIDE_API(A, peers) },
    { "A.likes", MA, MB, false, SIDE_API(A, likes), SIDE_API(B, liked_by) },
    { "C.follows", MC, MC, false, SIDE_API(C, follows), SIDE_API(C, followers) },
};

/* ---- the reference ------------------------------------------------------ */

static struct {
    uint32_t next_id[NMODELS];          /* the id the next object gets */
    bool live[NMODELS][MAXOBJ];
    int32_t n[NMODELS][MAXOBJ];         /* D: its code */
    int32_t tag[MAXOBJ];                /* D's tag */
    uint32_t fk[NSINGLES][MAXOBJ];      /* target id, 0 for none */
    bool link[NMULTIS][MAXOBJ][MAXOBJ]; /* [from id][to id] */
    uint32_t row[NMULTIS][MAXOBJ];      /* links from each id (both ends when symmetrical) */
    uint32_t col[NMULTIS][MAXOBJ];      /* links to each id */
} ref;

static void ref_create(int m, uint32_t id)
{
    ref.live[m][id] = true;
    ref.n[m][id] = 0;
}

static void ref_set(int r, uint32_t s, uint32_t t) { ref.fk[r][s] = t; }

static void ref_link(int k, uint32_t a, uint32_t b, bool on)
{
    int d = on ? 1 : -1;
    if (ref.link[k][a][b] == on)
        return;
    ref.link[k][a][b] = on;
    ref.row[k][a] += d;
    ref.col[k][b] += d;
    if (multis[k].symmetrical && a != b) {
        ref.link[k][b][a] = on;
        ref.row[k][b] += d;
        ref.col[k][a] += d;
    }
}

/* Whether D s (0: a new one) with these values would clash with another
 * live D: the same code, the same non-NULL a and tag, the same non-NULL b. */
static bool ref_d_clash(uint32_t s, int32_t code, int32_t tag, uint32_t a, uint32_t b)
{
    uint32_t x;
    for (x = 1; x < ref.next_id[MD]; x++) {
        if (x == s || !ref.live[MD][x])
            continue;
        if (ref.n[MD][x] == code || (a && ref.fk[D_A][x] == a && ref.tag[x] == tag) || (b && ref.fk[D_B][x] == b))
            return true;
    }
    return false;
}

/* Which source already has t through one-to-one relation r (0: none). */
static uint32_t ref_o2o_owner(int r, uint32_t t)
{
    uint32_t s;
    for (s = 1; s < ref.next_id[singles[r].from]; s++)
        if (ref.live[singles[r].from][s] && ref.fk[r][s] == t)
            return s;
    return 0;
}

/* Django's collector, plainly.  Returns the status the delete must have;
 * *alt is a second acceptable status when both a PROTECT and a RESTRICT
 * refuse it (which one the generated code meets first is its business). */
static rel_status ref_delete(int m0, const uint32_t *ids, size_t n, rel_status *alt)
{
    static bool del[NMODELS][MAXOBJ];
    bool more = true, protect = false, restrict_ = false;
    int r, m, k;
    uint32_t s, t;
    size_t i;

    memset(del, 0, sizeof del);
    for (i = 0; i < n; i++)
        del[m0][ids[i]] = true;
    while (more) {
        more = false;
        for (r = 0; r < NSINGLES; r++) {
            const Single *sr = &singles[r];
            if (sr->on_delete != CASCADE)
                continue;
            for (s = 1; s < ref.next_id[sr->from]; s++)
                if (ref.live[sr->from][s] && !del[sr->from][s] && ref.fk[r][s] && del[sr->to][ref.fk[r][s]]) {
                    del[sr->from][s] = true;
                    more = true;
                }
        }
    }
    for (r = 0; r < NSINGLES; r++) {
        const Single *sr = &singles[r];
        for (s = 1; s < ref.next_id[sr->from]; s++) {
            if (!ref.live[sr->from][s] || !ref.fk[r][s] || !del[sr->to][ref.fk[r][s]])
                continue;
            if (sr->on_delete == PROTECT)
                protect = true;
            else if (sr->on_delete == RESTRICT && !del[sr->from][s])
                restrict_ = true;
        }
    }
    if (protect || restrict_) {
        *alt = protect && restrict_ ? REL_ERESTRICTED : REL_OK;
        return protect ? REL_EPROTECTED : REL_ERESTRICTED;
    }
    *alt = REL_OK;
    for (r = 0; r < NSINGLES; r++) {
        const Single *sr = &singles[r];
        for (s = 1; s < ref.next_id[sr->from]; s++)
            if (ref.live[sr->from][s] && ref.fk[r][s] && del[sr->to][ref.fk[r][s]])
                ref.fk[r][s] = 0;   /* SET_NULL, or the referrer goes too */
    }
    for (m = 0; m < NMODELS; m++)
        for (s = 1; s < ref.next_id[m]; s++) {
            if (!del[m][s])
                continue;
            ref.live[m][s] = false;
            for (r = 0; r < NSINGLES; r++)
                if (singles[r].from == m)
                    ref.fk[r][s] = 0;
            for (k = 0; k < NMULTIS; k++)
                for (t = 0; t < MAXOBJ; t++) {
                    if (multis[k].from == m)
                        ref_link(k, s, t, false);
                    if (multis[k].to == m)
                        ref_link(k, t, s, false);
                }
        }
    return REL_OK;
}

/* ---- comparing ---------------------------------------------------------- */

static unsigned long seed;
static long step;
static const char *op;

static int mismatch(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "model test: seed %lu, step %ld (%s): ", seed, step, op);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  rerun: test_model %lu\n", seed);
    return 1;
}

static int compare(void)
{
    int m, r, k;
    uint32_t s, t;
    size_t live[NMODELS] = { 0, 0, 0, 0 };

    if (mb_store_verify(db) != REL_OK)
        return mismatch("verify failed: %s", mb_store_errmsg(db));
    for (m = 0; m < NMODELS; m++)
        for (s = 1; s < ref.next_id[m] + 2 && s < MAXOBJ; s++) {
            void *o = get_obj(m, s);
            bool want = s < ref.next_id[m] && ref.live[m][s];
            if (!o != !want)
                return mismatch("%s %u is %s", model_names[m], (unsigned)s, o ? "alive" : "gone");
            if (!o)
                continue;
            live[m]++;
            if (m == MD) {
                D *d = (D *)o;
                uint32_t a = ref.fk[D_A][s], b = ref.fk[D_B][s];
                if (D_code(d) != ref.n[MD][s] || D_tag(d) != ref.tag[s])
                    return mismatch("D %u: code %d tag %d, not %d %d", (unsigned)s, D_code(d), D_tag(d), ref.n[MD][s],
                                    ref.tag[s]);
                if (D_get_by_code(db, D_code(d)) != d || (a && D_get_by_a_tag(db, A_get(db, a), D_tag(d)) != d)
                    || (b && D_get_by_b(db, B_get(db, b)) != d))
                    return mismatch("D %u is not found by its unique values", (unsigned)s);
                continue;
            }
            {
                int32_t got = m == MA ? A_n((A *)o) : m == MB ? B_n((B *)o) : C_n((C *)o);
                if (got != ref.n[m][s])
                    return mismatch("%s %u: n is %d, not %d", model_names[m], (unsigned)s, got, ref.n[m][s]);
            }
        }
    if (A_count(db) != live[MA] || B_count(db) != live[MB] || C_count(db) != live[MC] || D_count(db) != live[MD])
        return mismatch("counts %zu %zu %zu", A_count(db), B_count(db), C_count(db));

    for (r = 0; r < NSINGLES; r++) {
        const Single *sr = &singles[r];
        static uint32_t referrers[MAXOBJ], owner[MAXOBJ];
        memset(referrers, 0, sizeof referrers);
        memset(owner, 0, sizeof owner);
        for (s = 1; s < ref.next_id[sr->from]; s++) {
            if (!ref.live[sr->from][s])
                continue;
            t = id_of(sr->to, sr->get(get_obj(sr->from, s)));
            if (t != ref.fk[r][s])
                return mismatch("%s of %u is %u, not %u", sr->name, (unsigned)s, (unsigned)t, (unsigned)ref.fk[r][s]);
            referrers[t]++;
            owner[t] = s;
        }
        for (t = 1; t < ref.next_id[sr->to]; t++) {
            void *o;
            if (!ref.live[sr->to][t])
                continue;
            o = get_obj(sr->to, t);
            if (sr->o2o ? id_of(sr->from, sr->rev_one(o)) != owner[t] : sr->rev_count(o) != referrers[t])
                return mismatch("the reverse of %s on %u disagrees", sr->name, (unsigned)t);
        }
    }
    /* Many-to-many: every listed partner is linked in the reference, and
     * the counts agree, on both sides. */
    for (k = 0; k < NMULTIS; k++) {
        const Multi *mk = &multis[k];
        int side;
        for (side = 0; side < (mk->symmetrical ? 1 : 2); side++) {
            int om = side ? mk->to : mk->from, xm = side ? mk->from : mk->to;
            const Side *api = side ? &mk->rev : &mk->fwd;
            for (s = 1; s < ref.next_id[om]; s++) {
                void *const *items;
                size_t n, i;
                uint32_t want = side ? ref.col[k][s] : ref.row[k][s];
                void *o;
                if (!ref.live[om][s])
                    continue;
                o = get_obj(om, s);
                n = api->list(o, &items);
                if (n != want || api->count(o) != want)
                    return mismatch("%s%s of %u has %zu, not %u", mk->name, side ? " (reverse)" : "",
                                    (unsigned)s, n, (unsigned)want);
                for (i = 0; i < n; i++) {
                    t = id_of(xm, items[i]);
                    if (!(side ? ref.link[k][t][s] : ref.link[k][s][t]) || !api->contains(o, items[i]))
                        return mismatch("%s%s: %u lists %u, which is not linked", mk->name,
                                        side ? " (reverse)" : "", (unsigned)s, (unsigned)t);
                }
            }
        }
    }
    return 0;
}

/* ---- the random operations ---------------------------------------------- */

/* Calls refused with REL_EUNIQUE, over every run. */
static unsigned long unique_refused;

static uint64_t rng;
static uint32_t below(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* A random live id of model m (0 when there is none), or now and then 0
 * or a dead id on purpose when `any` is set. */
static uint32_t pick(int m)
{
    uint32_t tries;
    for (tries = 0; tries < 16 && ref.next_id[m] > 1; tries++) {
        uint32_t id = 1 + below(ref.next_id[m] - 1);
        if (ref.live[m][id])
            return id;
    }
    return 0;
}

static int expect(rel_status got, rel_status want, rel_status alt)
{
    if (got != want && !(alt != REL_OK && got == alt))
        return mismatch("status %d (%s), expected %d (%s); errmsg: %s", got, rel_strerror(got), want,
                        rel_strerror(want), mb_store_errmsg(db));
    return 0;
}

static int create(int m)
{
    uint32_t id = ref.next_id[m], a = 0;
    void *o;
    if (id >= MAXOBJ)
        return 0;
    if (m == MD) {
        int32_t code = (int32_t)below(12), tag = (int32_t)below(3);
        bool clash = ref_d_clash(0, code, tag, 0, 0);
        o = D_new(db, code, tag);
        if (clash && ++unique_refused)
            return o ? mismatch("D_new(%d) succeeded with a code taken", code)
                     : expect(REL_EUNIQUE, REL_EUNIQUE, REL_OK) || !strstr(mb_store_errmsg(db), "already has this code");
        if (!o || id_of(m, o) != id)
            return mismatch("creating D: %s", mb_store_errmsg(db));
        ref.next_id[m]++;
        ref_create(m, id);
        ref.n[MD][id] = code;
        ref.tag[id] = tag;
        return 0;
    }
    if (m == MC) {
        a = pick(MA);
        o = C_new(db, a ? A_get(db, a) : NULL);
    } else {
        o = m == MA ? (void *)A_new(db) : (void *)B_new(db);
    }
    if (m == MC && !a) {
        return o ? mismatch("C_new without an A succeeded") : 0;
    }
    if (!o || id_of(m, o) != id)
        return mismatch("creating %s: got id %u, expected %u", model_names[m], (unsigned)id_of(m, o), (unsigned)id);
    ref.next_id[m]++;
    ref_create(m, id);
    if (m == MC)
        ref_set(4, id, a);
    return 0;
}

/* A creation through a reverse set: A_children_create, A_cs_create,
 * B_guards_create (whose C also needs its A). */
static int create_reverse(void)
{
    uint32_t t, a = 0, id;
    void *o;
    switch (below(4)) {
    case 3: {
        int32_t code = (int32_t)below(12), tag = (int32_t)below(3);
        bool clash;
        op = "A_ds_create";
        if (!(t = pick(MA)) || (id = ref.next_id[MD]) >= MAXOBJ)
            return 0;
        clash = ref_d_clash(0, code, tag, t, 0);
        o = A_ds_create(A_get(db, t), code, tag);
        if (clash) {
            unique_refused++;
            return o ? mismatch("A_ds_create succeeded with a clash") : 0;
        }
        if (id_of(MD, o) != id)
            return mismatch("created %u, expected %u: %s", (unsigned)id_of(MD, o), (unsigned)id, mb_store_errmsg(db));
        ref.next_id[MD]++;
        ref_create(MD, id);
        ref.n[MD][id] = code;
        ref.tag[id] = tag;
        ref_set(D_A, id, t);
        return 0;
    }
    case 0:
        op = "A_children_create";
        if (!(t = pick(MA)) || (id = ref.next_id[MA]) >= MAXOBJ)
            return 0;
        o = A_children_create(A_get(db, t));
        if (id_of(MA, o) != id)
            return mismatch("created %u, expected %u", (unsigned)id_of(MA, o), (unsigned)id);
        ref.next_id[MA]++;
        ref_create(MA, id);
        ref_set(0, id, t);
        return 0;
    case 1:
        op = "A_cs_create";
        if (!(t = pick(MA)) || (id = ref.next_id[MC]) >= MAXOBJ)
            return 0;
        o = A_cs_create(A_get(db, t));
        a = t;
        break;
    default:
        op = "B_guards_create";
        if (!(t = pick(MB)) || (id = ref.next_id[MC]) >= MAXOBJ)
            return 0;
        a = pick(MA);
        o = B_guards_create(B_get(db, t), a ? A_get(db, a) : NULL);
        if (!a)
            return o ? mismatch("created a C without its A") : 0;
        break;
    }
    if (id_of(MC, o) != id)
        return mismatch("created %u, expected %u", (unsigned)id_of(MC, o), (unsigned)id);
    ref.next_id[MC]++;
    ref_create(MC, id);
    ref_set(4, id, a);
    if (op[0] == 'B')
        ref_set(6, id, t);
    return 0;
}

static int set_single(void)
{
    int r = (int)below(NSINGLES);
    const Single *sr = &singles[r];
    uint32_t s = pick(sr->from), t = below(5) ? pick(sr->to) : 0, owner;
    rel_status want = REL_OK;
    op = sr->name;
    if (!s)
        return 0;
    if (!t && !sr->null)
        want = REL_ENULL;
    else if (t && sr->o2o && (owner = ref_o2o_owner(r, t)) != 0 && owner != s)
        want = REL_EUNIQUE;
    else if (t && sr->from == MD
             && ref_d_clash(s, ref.n[MD][s], ref.tag[s], r == D_A ? t : ref.fk[D_A][s], r == D_B ? t : ref.fk[D_B][s])
             && ref.fk[r][s] != t && ++unique_refused)
        want = REL_EUNIQUE;
    if (expect(sr->set(get_obj(sr->from, s), t ? get_obj(sr->to, t) : NULL), want, REL_OK))
        return 1;
    if (want == REL_OK)
        ref_set(r, s, t);
    return 0;
}

/* The reverse side of a ForeignKey: add, remove and clear. */
static int reverse_fk(void)
{
    static const int fks[] = { 0, 1, 2, 4, 6, 7, D_A, D_B };
    int r = fks[below(8)];
    const Single *sr = &singles[r];
    uint32_t t = pick(sr->to), s = pick(sr->from);
    void *to, *from;
    rel_status st;
    if (!t || !s)
        return 0;
    to = get_obj(sr->to, t);
    from = get_obj(sr->from, s);
    switch (r * 3 + (int)below(3)) {
    case 0: op = "A_children_add"; st = A_children_add((A *)to, (A *)from); break;
    case 1: op = "A_children_remove"; st = A_children_remove((A *)to, (A *)from); break;
    case 2: op = "A_children_clear"; st = A_children_clear((A *)to); s = 0; break;
    case 3: op = "B_as_set_add"; st = B_as_set_add((B *)to, (A *)from); break;
    case 4: op = "B_as_set_remove"; st = B_as_set_remove((B *)to, (A *)from); break;
    case 5: op = "B_as_set_clear"; st = B_as_set_clear((B *)to); s = 0; break;
    case 6: op = "A_owned_add"; st = A_owned_add((A *)to, (B *)from); break;
    case 7: op = "A_owned_remove"; st = A_owned_remove((A *)to, (B *)from); break;
    case 8: op = "A_owned_clear"; st = A_owned_clear((A *)to); s = 0; break;
    case 12: case 13: case 14: op = "A_cs_add"; st = A_cs_add((A *)to, (C *)from); break;
    case 18: op = "B_guards_add"; st = B_guards_add((B *)to, (C *)from); break;
    case 19: op = "B_guards_remove"; st = B_guards_remove((B *)to, (C *)from); break;
    case 20: op = "B_guards_clear"; st = B_guards_clear((B *)to); s = 0; break;
    case 21: op = "A_origins_add"; st = A_origins_add((A *)to, (C *)from); break;
    case 22: op = "A_origins_remove"; st = A_origins_remove((A *)to, (C *)from); break;
    case 23: op = "A_origins_clear"; st = A_origins_clear((A *)to); s = 0; break;
    case 24: op = "A_ds_add"; st = A_ds_add((A *)to, (D *)from); break;
    case 25: op = "A_ds_remove"; st = A_ds_remove((A *)to, (D *)from); break;
    case 26: op = "A_ds_clear"; st = A_ds_clear((A *)to); s = 0; break;
    case 27: op = "B_ds_add"; st = B_ds_add((B *)to, (D *)from); break;
    case 28: op = "B_ds_remove"; st = B_ds_remove((B *)to, (D *)from); break;
    default: op = "B_ds_clear"; st = B_ds_clear((B *)to); s = 0; break;
    }
    if (strstr(op, "_add") && sr->from == MD && ref.fk[r][s] != t
        && ref_d_clash(s, ref.n[MD][s], ref.tag[s], r == D_A ? t : ref.fk[D_A][s], r == D_B ? t : ref.fk[D_B][s])) {
        unique_refused++;
        return expect(st, REL_EUNIQUE, REL_OK);
    }
    if (strstr(op, "_add")) {
        if (expect(st, REL_OK, REL_OK))
            return 1;
        ref_set(r, s, t);
    } else if (strstr(op, "_remove")) {
        if (expect(st, ref.fk[r][s] == t ? REL_OK : REL_EINVAL, REL_OK))
            return 1;
        if (st == REL_OK)
            ref_set(r, s, 0);
    } else {
        uint32_t x;
        if (expect(st, REL_OK, REL_OK))
            return 1;
        for (x = 1; x < ref.next_id[sr->from]; x++)
            if (ref.fk[r][x] == t)
                ref_set(r, x, 0);
    }
    return 0;
}

static int many(void)
{
    int k = (int)below(NMULTIS);
    const Multi *mk = &multis[k];
    bool reverse = !mk->symmetrical && below(2);
    const Side *side = reverse ? &mk->rev : &mk->fwd;
    int om = reverse ? mk->to : mk->from, xm = reverse ? mk->from : mk->to;
    uint32_t o = pick(om), x = pick(xm), a, b;
    rel_status st;
    op = mk->name;
    if (!o || !x)
        return 0;
    a = reverse ? x : o;
    b = reverse ? o : x;
    switch (below(7)) {
    case 0: case 1: case 2:
        st = side->add(get_obj(om, o), get_obj(xm, x));
        if (expect(st, REL_OK, REL_OK))
            return 1;
        ref_link(k, a, b, true);
        break;
    case 3: case 4:
        st = side->remove(get_obj(om, o), get_obj(xm, x));
        if (expect(st, REL_OK, REL_OK))
            return 1;
        ref_link(k, a, b, false);
        break;
    case 5:
        if (expect(side->add(get_obj(om, o), NULL), REL_EINVAL, REL_OK))
            return 1;
        break;
    default:
        st = side->clear(get_obj(om, o));
        if (expect(st, REL_OK, REL_OK))
            return 1;
        for (x = 1; x < MAXOBJ; x++) {
            if (reverse)
                ref_link(k, x, o, false);
            else
                ref_link(k, o, x, false);
        }
        break;
    }
    return 0;
}

/* What the deletes came to, over every run: proof that the sequences
 * reach cascades, refusals and SET_NULL, printed at the end. */
static unsigned long deletes_ok, deletes_protected, deletes_restricted, objects_deleted;

static size_t live_objects(void)
{
    return A_count(db) + B_count(db) + C_count(db) + D_count(db);
}

static int delete_some(void)
{
    int m = (int)below(NMODELS);
    uint32_t ids[6];
    void *objs[6];
    size_t n = below(4) ? 1 : 1 + below(6), i, got = 0;
    rel_status want, alt, st;
    for (i = 0; i < n; i++)
        if ((ids[got] = pick(m)) != 0) {
            objs[got] = get_obj(m, ids[got]);
            got++;
        }
    if (!got)
        return 0;
    op = n == 1 ? "delete" : "delete_many";
    want = ref_delete(m, ids, got, &alt);
    i = live_objects();
    if (m == MA)
        st = got == 1 ? A_delete((A *)objs[0]) : A_delete_many((A *const *)objs, got);
    else if (m == MB)
        st = got == 1 ? B_delete((B *)objs[0]) : B_delete_many((B *const *)objs, got);
    else if (m == MC)
        st = got == 1 ? C_delete((C *)objs[0]) : C_delete_many((C *const *)objs, got);
    else
        st = got == 1 ? D_delete((D *)objs[0]) : D_delete_many((D *const *)objs, got);
    deletes_ok += st == REL_OK;
    deletes_protected += st == REL_EPROTECTED;
    deletes_restricted += st == REL_ERESTRICTED;
    objects_deleted += i - live_objects();
    return expect(st, want, alt);
}

static int set_n(void)
{
    int m = (int)below(NMODELS);
    uint32_t s = pick(m);
    int32_t v = (int32_t)below(1000) - 500;
    op = "set n";
    if (!s)
        return 0;
    if (m == MD) {
        bool code = below(2);
        int32_t w = (int32_t)below(code ? 12 : 3);
        uint32_t a = ref.fk[D_A][s], b = ref.fk[D_B][s];
        bool clash = code ? ref_d_clash(s, w, ref.tag[s], a, b) : ref_d_clash(s, ref.n[MD][s], w, a, b);
        rel_status st = code ? D_set_code(D_get(db, s), w) : D_set_tag(D_get(db, s), w);
        op = code ? "D_set_code" : "D_set_tag";
        unique_refused += clash;
        if (expect(st, clash ? REL_EUNIQUE : REL_OK, REL_OK))
            return 1;
        if (!clash && code)
            ref.n[MD][s] = w;
        else if (!clash)
            ref.tag[s] = w;
        return 0;
    }
    if (m == MA)
        A_set_n(A_get(db, s), v);
    else if (m == MB)
        B_set_n(B_get(db, s), v);
    else
        C_set_n(C_get(db, s), v);
    ref.n[m][s] = v;
    return 0;
}

static int run(unsigned long s, long steps)
{
    int m, failed = 0;
    seed = s;
    rng = 0x9E3779B97F4A7C15u ^ (uint64_t)s * 0xBF58476D1CE4E5B9u;
    if (!rng)
        rng = 1;
    memset(&ref, 0, sizeof ref);
    for (m = 0; m < NMODELS; m++)
        ref.next_id[m] = 1;
    db = mb_store_new();
    if (!db)
        return mismatch("out of memory");
    for (step = 0; step < steps && !failed; step++) {
        uint32_t dice = below(100);
        op = "create";
        if (dice < 22)
            failed = create((int)below(NMODELS));
        else if (dice < 27)
            failed = create_reverse();
        else if (dice < 32)
            failed = set_n();
        else if (dice < 55)
            failed = set_single();
        else if (dice < 65)
            failed = reverse_fk();
        else if (dice < 88)
            failed = many();
        else
            failed = delete_some();
        if (!failed)
            failed = compare();
    }
    mb_store_free(db);
    return failed;
}

int main(int argc, char **argv)
{
    long steps = argc > 2 ? atol(argv[2]) : 3000;
    unsigned long s;
    if (argc > 1) {
        s = strtoul(argv[1], NULL, 10);
        if (run(s, steps))
            return 1;
        printf("model test: seed %lu, %ld steps: generated code and reference agree\n", s, steps);
        return 0;
    }
    for (s = 1; s <= 20; s++)
        if (run(s, steps))
            return 1;
    printf("model test: seeds 1 to 20, %ld steps each: generated code and reference agree\n"
           "  (deletes: %lu done, removing %lu objects; %lu protected, %lu restricted; %lu calls refused as not "
           "unique)\n",
           steps, deletes_ok, objects_deleted, deletes_protected, deletes_restricted, unique_refused);
    return 0;
}
