/* test_model.c: the randomized model-based test of generated code.
 *
 * tests/model/mb.rel has every relation kind, every on_delete action, self
 * references and cycles.  A long random sequence of operations (create,
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
    return m == MA ? (void *)A_get(db, id) : m == MB ? (void *)B_get(db, id)
         : m == MC ? (void *)C_get(db, id) : (void *)D_get(db, id);
}
static uint32_t id_of(int m, const void *o)
{
    if (!o)
        return 0;
    return (uint32_t)(m == MA ? A_id((const A *)o) : m == MB ? B_id((const B *)o)
                      : m == MC ? C_id((const C *)o) : D_id((const D *)o));
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
    int gfk;    /* a GenericForeignKey's relation to one listed model: its
                   number + 1 (at most one of a GenericForeignKey's is set) */
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
SINGLE(D, g_A, A)
SINGLE(D, g_B, B)
SINGLE(D, g_C, C)
SINGLE(D, h_B, B)
SINGLE(D, h_D, D)
SINGLE(D, p_C, C)
SINGLE(D, r_A, A)
static size_t cnt_children(const void *t) { return A_children_count((const A *)t); }
static size_t cnt_as_set(const void *t) { return B_as_set_count((const B *)t); }
static size_t cnt_owned(const void *t) { return A_owned_count((const A *)t); }
static size_t cnt_cs(const void *t) { return A_cs_count((const A *)t); }
static size_t cnt_guards(const void *t) { return B_guards_count((const B *)t); }
static size_t cnt_origins(const void *t) { return A_origins_count((const A *)t); }
static size_t cnt_tagged(const void *t) { return A_tagged_count((const A *)t); }
static size_t cnt_hs(const void *t) { return B_hs_count((const B *)t); }
static void *one_twin_of(const void *t) { return C_twin_of((const C *)t); }
static void *one_mate_of(const void *t) { return C_mate_of((const C *)t); }

enum { NSINGLES = 15, FIRST_GENERIC = 8 };
static const Single singles[NSINGLES] = {
    { "A.parent", MA, MA, CASCADE, true, false, get_A_parent, set_A_parent, cnt_children, NULL, 0 },
    { "A.b", MA, MB, SET_NULL, true, false, get_A_b, set_A_b, cnt_as_set, NULL, 0 },
    { "B.owner", MB, MA, PROTECT, true, false, get_B_owner, set_B_owner, cnt_owned, NULL, 0 },
    { "B.twin", MB, MC, RESTRICT, true, true, get_B_twin, set_B_twin, NULL, one_twin_of, 0 },
    { "C.a", MC, MA, CASCADE, false, false, get_C_a, set_C_a, cnt_cs, NULL, 0 },
    { "C.mate", MC, MC, SET_NULL, true, true, get_C_mate, set_C_mate, NULL, one_mate_of, 0 },
    { "C.guard", MC, MB, RESTRICT, true, false, get_C_guard, set_C_guard, cnt_guards, NULL, 0 },
    { "C.origin", MC, MA, RESTRICT, true, false, get_C_origin, set_C_origin, cnt_origins, NULL, 0 },
    { "D.g(A)", MD, MA, CASCADE, false, false, get_D_g_A, set_D_g_A, cnt_tagged, NULL, 1 },
    { "D.g(B)", MD, MB, CASCADE, false, false, get_D_g_B, set_D_g_B, NULL, NULL, 1 },
    { "D.g(C)", MD, MC, CASCADE, false, false, get_D_g_C, set_D_g_C, NULL, NULL, 1 },
    { "D.h(B)", MD, MB, SET_NULL, true, false, get_D_h_B, set_D_h_B, cnt_hs, NULL, 2 },
    { "D.h(D)", MD, MD, SET_NULL, true, false, get_D_h_D, set_D_h_D, NULL, NULL, 2 },
    { "D.p(C)", MD, MC, PROTECT, true, false, get_D_p_C, set_D_p_C, NULL, NULL, 3 },
    { "D.r(A)", MD, MA, RESTRICT, true, false, get_D_r_A, set_D_r_A, NULL, NULL, 4 },
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
    int32_t n[NMODELS][MAXOBJ];
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

static void ref_set(int r, uint32_t s, uint32_t t)
{
    int x;
    for (x = FIRST_GENERIC; singles[r].gfk && x < NSINGLES; x++)
        if (singles[x].gfk == singles[r].gfk)   /* one pointer for all its models */
            ref.fk[x][s] = 0;
    ref.fk[r][s] = t;
}

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

/* Which model each GenericForeignKey of every D says it points at, and
 * the untyped getter, against the reference's one set relation. */
static int compare_generic(void)
{
    uint32_t s;
    int r;
    for (s = 1; s < ref.next_id[MD]; s++) {
        const D *o;
        int models[4] = { -1, -1, -1, -1 };
        uint32_t ids[4] = { 0, 0, 0, 0 };
        if (!ref.live[MD][s])
            continue;
        o = D_get(db, s);
        for (r = FIRST_GENERIC; r < NSINGLES; r++)
            if (ref.fk[r][s]) {
                models[singles[r].gfk - 1] = singles[r].to;
                ids[singles[r].gfk - 1] = ref.fk[r][s];
            }
        if (D_g_model(o) != models[0] || D_h_model(o) != models[1] || D_p_model(o) != models[2]
            || D_r_model(o) != models[3])
            return mismatch("D %u points at models %d %d %d %d", (unsigned)s, D_g_model(o), D_h_model(o),
                            D_p_model(o), D_r_model(o));
        if (id_of(models[0], D_g(o)) != ids[0] || id_of(models[1], D_h(o)) != ids[1]
            || id_of(models[2], D_p(o)) != ids[2] || id_of(models[3], D_r(o)) != ids[3])
            return mismatch("D %u: an untyped getter disagrees", (unsigned)s);
    }
    return 0;
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
            {
                int32_t got = m == MA ? A_n((A *)o) : m == MB ? B_n((B *)o) : m == MC ? C_n((C *)o) : D_n((D *)o);
                if (got != ref.n[m][s])
                    return mismatch("%s %u: n is %d, not %d", model_names[m], (unsigned)s, got, ref.n[m][s]);
            }
        }
    if (A_count(db) != live[MA] || B_count(db) != live[MB] || C_count(db) != live[MC] || D_count(db) != live[MD])
        return mismatch("counts %zu %zu %zu %zu", A_count(db), B_count(db), C_count(db), D_count(db));
    if (compare_generic())
        return 1;

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
            if (sr->o2o ? id_of(sr->from, sr->rev_one(o)) != owner[t]
                        : sr->rev_count && sr->rev_count(o) != referrers[t])
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

/* How many D objects and generic calls the runs made (printed at the end). */
static unsigned long generic_calls, ds_created;

/* D_new takes its required GenericForeignKey g as any object: an A, B or
 * C, or now and then NULL or a D, which it must refuse. */
static int create_d(uint32_t id)
{
    int m = (int)below(5);                /* A, B, C, D, or NULL as 4 */
    uint32_t t = m < 4 ? pick(m) : 0;
    void *o = D_new(db, t ? get_obj(m, t) : NULL);
    op = "D_new";
    if (!t || m == MD)
        return o ? mismatch("D_new took %s", t ? "a D" : "NULL") : 0;
    if (!o || id_of(MD, o) != id)
        return mismatch("creating D: got id %u, expected %u", (unsigned)id_of(MD, o), (unsigned)id);
    ref.next_id[MD]++;
    ds_created++;
    ref_create(MD, id);
    ref_set(FIRST_GENERIC + m, id, t);     /* D.g(A), D.g(B), D.g(C) in model order */
    return 0;
}

/* The untyped setters and Django's GenericRelation manager: D_set_g and
 * D_set_h with an object of any model (a model not listed is refused),
 * A_tagged_add, and A_tagged_remove and B_hs_clear, which delete. */
static int generic(void)
{
    int m = (int)below(NMODELS), which = (int)below(5);
    uint32_t s = pick(MD), t = pick(m);
    void *o, *x;
    rel_status st, want, alt;
    if (!s)
        return 0;
    o = get_obj(MD, s);
    x = t ? get_obj(m, t) : NULL;
    generic_calls++;
    if (which == 0 || which == 1) {
        bool listed = which == 0 ? m != MD : (m == MB || m == MD);
        int r = which == 0 ? FIRST_GENERIC + m : (m == MB ? FIRST_GENERIC + 3 : FIRST_GENERIC + 4);
        op = which == 0 ? "D_set_g" : "D_set_h";
        st = which == 0 ? D_set_g((D *)o, x) : D_set_h((D *)o, x);
        if (!t) {   /* NULL: refused when required, else it clears */
            if (expect(st, which == 0 ? REL_ENULL : REL_OK, REL_OK))
                return 1;
            if (which == 1)
                ref_set(FIRST_GENERIC + 3, s, 0);
            return 0;
        }
        if (expect(st, listed ? REL_OK : REL_EINVAL, REL_OK))
            return 1;
        if (listed)
            ref_set(r, s, t);
        return 0;
    }
    if (which == 2) {
        op = "A_tagged_add";
        if (!(t = pick(MA)))
            return 0;
        if (expect(A_tagged_add(A_get(db, t), (D *)o), REL_OK, REL_OK))
            return 1;
        ref_set(FIRST_GENERIC, s, t);
        return 0;
    }
    if (which == 3) {   /* removing one that is in the set deletes it */
        op = "A_tagged_remove";
        if (!(t = pick(MA)))
            return 0;
        st = A_tagged_remove(A_get(db, t), (D *)o);
        if (ref.fk[FIRST_GENERIC][s] != t)
            return expect(st, REL_OK, REL_OK);
        want = ref_delete(MD, &s, 1, &alt);
        return expect(st, want, alt);
    }
    op = "B_hs_clear";
    if (!(t = pick(MB)))
        return 0;
    {
        uint32_t ids[MAXOBJ], n = 0, y;
        for (y = 1; y < ref.next_id[MD]; y++)
            if (ref.live[MD][y] && ref.fk[FIRST_GENERIC + 3][y] == t)
                ids[n++] = y;
        st = B_hs_clear(B_get(db, t));
        want = alt = REL_OK;
        if (n)
            want = ref_delete(MD, ids, n, &alt);
        return expect(st, want, alt);
    }
}

static int create(int m)
{
    uint32_t id = ref.next_id[m], a = 0;
    void *o;
    if (id >= MAXOBJ)
        return 0;
    if (m == MD)
        return create_d(id);
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
    switch (below(3)) {
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
    if (expect(sr->set(get_obj(sr->from, s), t ? get_obj(sr->to, t) : NULL), want, REL_OK))
        return 1;
    if (want == REL_OK)
        ref_set(r, s, t);
    return 0;
}

/* The reverse side of a ForeignKey: add, remove and clear. */
static int reverse_fk(void)
{
    static const int fks[] = { 0, 1, 2, 4, 6, 7 };
    int r = fks[below(6)];
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
    default: op = "A_origins_clear"; st = A_origins_clear((A *)to); s = 0; break;
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
    if (m == MA)
        A_set_n(A_get(db, s), v);
    else if (m == MB)
        B_set_n(B_get(db, s), v);
    else if (m == MC)
        C_set_n(C_get(db, s), v);
    else
        D_set_n(D_get(db, s), v);
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
        else if (dice < 82)
            failed = many();
        else if (dice < 88)
            failed = generic();
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
           "  (deletes: %lu done, removing %lu objects; %lu protected, %lu restricted;\n"
           "  %lu objects with generic relations created, %lu generic calls)\n",
           steps, deletes_ok, objects_deleted, deletes_protected, deletes_restricted, ds_created, generic_calls);
    return 0;
}
