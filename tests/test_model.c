/* test_model.c: the randomized model-based test of generated code.
 *
 * tests/model/mb.rel has every relation kind, every on_delete action, self
 * references and cycles, many-to-manys through a model (A.via through D,
 * A.pals through G, whose links the reference derives from its D and G
 * objects; G is unique per pair), unique constraints (E: a unique field,
 * unique_together over nullable relations, values from small sets) and
 * generic relations (F: four GenericForeignKeys, every on_delete, a
 * required one, one to its own model, two reaching the through model D;
 * the reference keeps each listed model as one ForeignKey of a group of
 * which at most one is set).  A long random sequence of operations (create,
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

enum { MA, MB, MC, MD, ME, MF, MG, NMODELS };   /* the schema's order */
enum { MAXOBJ = 256 };          /* ids per model in one run */
enum { CASCADE, PROTECT, RESTRICT, SET_NULL };
static const char *const model_names[NMODELS] = { "A", "B", "C", "D", "E", "F", "G" };

/* ---- the generated store, seen through small typed wrappers ------------- */

static mb_store *db;

static void *get_obj(int m, uint32_t id)
{
    switch (m) {
    case MA: return A_get(db, id);
    case MB: return B_get(db, id);
    case MC: return C_get(db, id);
    case MD: return D_get(db, id);
    case ME: return E_get(db, id);
    case MF: return F_get(db, id);
    default: return G_get(db, id);
    }
}
static uint32_t id_of(int m, const void *o)
{
    if (!o)
        return 0;
    switch (m) {
    case MA: return (uint32_t)A_id((const A *)o);
    case MB: return (uint32_t)B_id((const B *)o);
    case MC: return (uint32_t)C_id((const C *)o);
    case MD: return (uint32_t)D_id((const D *)o);
    case ME: return (uint32_t)E_id((const E *)o);
    case MF: return (uint32_t)F_id((const F *)o);
    default: return (uint32_t)G_id((const G *)o);
    }
}
/* Every model's live count and n (E's code). */
static size_t count_of(int m)
{
    switch (m) {
    case MA: return A_count(db);
    case MB: return B_count(db);
    case MC: return C_count(db);
    case MD: return D_count(db);
    case ME: return E_count(db);
    case MF: return F_count(db);
    default: return G_count(db);
    }
}
static int32_t n_of(int m, const void *o)
{
    switch (m) {
    case MA: return A_n((const A *)o);
    case MB: return B_n((const B *)o);
    case MC: return C_n((const C *)o);
    case MD: return D_n((const D *)o);
    case ME: return E_code((const E *)o);
    case MF: return F_n((const F *)o);
    default: return G_n((const G *)o);
    }
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
SINGLE(D, a, A)
SINGLE(D, b, B)
SINGLE(D, c, C)
SINGLE(D, guard, C)
SINGLE(C, dnote, D)
SINGLE(E, a, A)
SINGLE(E, b, B)
SINGLE(G, a, A)
SINGLE(G, b, B)
SINGLE(F, g_A, A)
SINGLE(F, g_B, B)
SINGLE(F, g_C, C)
SINGLE(F, g_D, D)
SINGLE(F, h_B, B)
SINGLE(F, h_F, F)
SINGLE(F, p_C, C)
SINGLE(F, p_D, D)
SINGLE(F, r_A, A)
static size_t cnt_children(const void *t) { return A_children_count((const A *)t); }
static size_t cnt_as_set(const void *t) { return B_as_set_count((const B *)t); }
static size_t cnt_owned(const void *t) { return A_owned_count((const A *)t); }
static size_t cnt_cs(const void *t) { return A_cs_count((const A *)t); }
static size_t cnt_guards(const void *t) { return B_guards_count((const B *)t); }
static size_t cnt_origins(const void *t) { return A_origins_count((const A *)t); }
static size_t cnt_a_ds(const void *t) { return A_ds_count((const A *)t); }
static size_t cnt_b_ds(const void *t) { return B_ds_count((const B *)t); }
static size_t cnt_c_ds(const void *t) { return C_ds_count((const C *)t); }
static size_t cnt_dguards(const void *t) { return C_dguards_count((const C *)t); }
static size_t cnt_notes(const void *t) { return D_notes_count((const D *)t); }
static size_t cnt_a_es(const void *t) { return A_es_count((const A *)t); }
static size_t cnt_b_es(const void *t) { return B_es_count((const B *)t); }
static size_t cnt_a_gs(const void *t) { return A_gs_count((const A *)t); }
static size_t cnt_b_gs(const void *t) { return B_gs_count((const B *)t); }
static size_t cnt_tagged(const void *t) { return A_tagged_count((const A *)t); }
static size_t cnt_hs(const void *t) { return B_hs_count((const B *)t); }
static void *one_twin_of(const void *t) { return C_twin_of((const C *)t); }
static void *one_mate_of(const void *t) { return C_mate_of((const C *)t); }

enum { NSINGLES = 26, D_A = 8, D_B = 9, C_DNOTE = 12, E_A = 13, E_B = 14, G_A = 15, G_B = 16, FIRST_GENERIC = 17,
       F_G_D = FIRST_GENERIC + 3, F_H_B = FIRST_GENERIC + 4, F_P_D = FIRST_GENERIC + 7 };
static const Single singles[NSINGLES] = {
    { "A.parent", MA, MA, CASCADE, true, false, get_A_parent, set_A_parent, cnt_children, NULL, 0 },
    { "A.b", MA, MB, SET_NULL, true, false, get_A_b, set_A_b, cnt_as_set, NULL, 0 },
    { "B.owner", MB, MA, PROTECT, true, false, get_B_owner, set_B_owner, cnt_owned, NULL, 0 },
    { "B.twin", MB, MC, RESTRICT, true, true, get_B_twin, set_B_twin, NULL, one_twin_of, 0 },
    { "C.a", MC, MA, CASCADE, false, false, get_C_a, set_C_a, cnt_cs, NULL, 0 },
    { "C.mate", MC, MC, SET_NULL, true, true, get_C_mate, set_C_mate, NULL, one_mate_of, 0 },
    { "C.guard", MC, MB, RESTRICT, true, false, get_C_guard, set_C_guard, cnt_guards, NULL, 0 },
    { "C.origin", MC, MA, RESTRICT, true, false, get_C_origin, set_C_origin, cnt_origins, NULL, 0 },
    { "D.a", MD, MA, CASCADE, false, false, get_D_a, set_D_a, cnt_a_ds, NULL, 0 },
    { "D.b", MD, MB, SET_NULL, true, false, get_D_b, set_D_b, cnt_b_ds, NULL, 0 },
    { "D.c", MD, MC, CASCADE, true, false, get_D_c, set_D_c, cnt_c_ds, NULL, 0 },
    { "D.guard", MD, MC, PROTECT, true, false, get_D_guard, set_D_guard, cnt_dguards, NULL, 0 },
    { "C.dnote", MC, MD, PROTECT, true, false, get_C_dnote, set_C_dnote, cnt_notes, NULL, 0 },
    { "E.a", ME, MA, SET_NULL, true, false, get_E_a, set_E_a, cnt_a_es, NULL, 0 },
    { "E.b", ME, MB, CASCADE, true, false, get_E_b, set_E_b, cnt_b_es, NULL, 0 },
    { "G.a", MG, MA, CASCADE, false, false, get_G_a, set_G_a, cnt_a_gs, NULL, 0 },
    { "G.b", MG, MB, CASCADE, false, false, get_G_b, set_G_b, cnt_b_gs, NULL, 0 },
    /* F's GenericForeignKeys, g's models in model order (create_f) */
    { "F.g(A)", MF, MA, CASCADE, false, false, get_F_g_A, set_F_g_A, cnt_tagged, NULL, 1 },
    { "F.g(B)", MF, MB, CASCADE, false, false, get_F_g_B, set_F_g_B, NULL, NULL, 1 },
    { "F.g(C)", MF, MC, CASCADE, false, false, get_F_g_C, set_F_g_C, NULL, NULL, 1 },
    { "F.g(D)", MF, MD, CASCADE, false, false, get_F_g_D, set_F_g_D, NULL, NULL, 1 },
    { "F.h(B)", MF, MB, SET_NULL, true, false, get_F_h_B, set_F_h_B, cnt_hs, NULL, 2 },
    { "F.h(F)", MF, MF, SET_NULL, true, false, get_F_h_F, set_F_h_F, NULL, NULL, 2 },
    { "F.p(C)", MF, MC, PROTECT, true, false, get_F_p_C, set_F_p_C, NULL, NULL, 3 },
    { "F.p(D)", MF, MD, PROTECT, true, false, get_F_p_D, set_F_p_D, NULL, NULL, 3 },
    { "F.r(A)", MF, MA, RESTRICT, true, false, get_F_r_A, set_F_r_A, NULL, NULL, 4 },
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
    bool through;    /* through a model: the links are its objects */
    int tm, ta, tb;  /* through: the model, its ForeignKeys to from and to */
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
SIDE(A, via, B)
SIDE(B, via_of, A)
SIDE(A, pals, B)
SIDE(B, pals_of, A)

enum { NMULTIS = 5, M_VIA = 3, M_PALS = 4 };
static const Multi multis[NMULTIS] = {
    { "A.peers", MA, MA, true, SIDE_API(A, peers), SIDE_API(A, peers), false, 0, 0, 0 },
    { "A.likes", MA, MB, false, SIDE_API(A, likes), SIDE_API(B, liked_by), false, 0, 0, 0 },
    { "C.follows", MC, MC, false, SIDE_API(C, follows), SIDE_API(C, followers), false, 0, 0, 0 },
    { "A.via", MA, MB, false, SIDE_API(A, via), SIDE_API(B, via_of), true, MD, D_A, D_B },
    { "A.pals", MA, MB, false, SIDE_API(A, pals), SIDE_API(B, pals_of), true, MG, G_A, G_B },
};

/* ---- the reference ------------------------------------------------------ */

static struct {
    uint32_t next_id[NMODELS];          /* the id the next object gets */
    bool live[NMODELS][MAXOBJ];
    int32_t n[NMODELS][MAXOBJ];         /* E: its code */
    int32_t tag[MAXOBJ];                /* E's tag */
    uint32_t left[16][2];               /* pairs a G left lately (compare_unique) */
    unsigned nleft;
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

/* G s leaves its pair (moved or deleted): remembered, so that
 * compare_unique can ask for the pair and find no stale index entry. */
static void ref_g_left(uint32_t s)
{
    ref.left[ref.nleft % 16][0] = ref.fk[G_A][s];
    ref.left[ref.nleft % 16][1] = ref.fk[G_B][s];
    ref.nleft++;
}

static void ref_set(int r, uint32_t s, uint32_t t)
{
    int x;
    if ((r == G_A || r == G_B) && ref.fk[r][s] && ref.fk[r][s] != t)
        ref_g_left(s);
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

/* Whether E s (0: a new one) with these values would clash with another
 * live E: the same code, the same non-NULL a and tag, the same non-NULL b. */
static bool ref_e_clash(uint32_t s, int32_t code, int32_t tag, uint32_t a, uint32_t b)
{
    uint32_t x;
    for (x = 1; x < ref.next_id[ME]; x++) {
        if (x == s || !ref.live[ME][x])
            continue;
        if (ref.n[ME][x] == code || (a && ref.fk[E_A][x] == a && ref.tag[x] == tag) || (b && ref.fk[E_B][x] == b))
            return true;
    }
    return false;
}

/* Whether G s (0: a new one) on the pair a, b would clash with another. */
static bool ref_g_clash(uint32_t s, uint32_t a, uint32_t b)
{
    uint32_t x;
    for (x = 1; x < ref.next_id[MG]; x++)
        if (x != s && ref.live[MG][x] && ref.fk[G_A][x] == a && ref.fk[G_B][x] == b)
            return true;
    return false;
}

/* Whether setting relation r of s to t (not 0, not what it is) breaks one
 * of E's or G's unique constraints. */
static bool ref_set_clashes(int r, uint32_t s, uint32_t t)
{
    if (singles[r].from == ME)
        return ref_e_clash(s, ref.n[ME][s], ref.tag[s], r == E_A ? t : ref.fk[E_A][s], r == E_B ? t : ref.fk[E_B][s]);
    if (singles[r].from == MG)
        return ref_g_clash(s, r == G_A ? t : ref.fk[G_A][s], r == G_B ? t : ref.fk[G_B][s]);
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
            if (m == MG)
                ref_g_left(s);
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

/* A through relation's links in the reference (A.via's, A.pals'): the
 * live D (G) objects with both a and b set.  How many of multi k's link s
 * (an A on side 0, a B on side 1) with t (0: with anything). */
static uint32_t through_count(int k, int side, uint32_t s, uint32_t t)
{
    const Multi *mk = &multis[k];
    uint32_t d, n = 0;
    for (d = 1; d < ref.next_id[mk->tm]; d++) {
        uint32_t a = ref.fk[mk->ta][d], b = ref.fk[mk->tb][d];
        if (ref.live[mk->tm][d] && a && b && (side ? b : a) == s && (!t || (side ? a : b) == t))
            n++;
    }
    return n;
}

/* ---- comparing ---------------------------------------------------------- */

/* through_count for compare, which asks for every object: the links of
 * through multi k indexed once by the end on one side, as chains of
 * through objects. */
static uint32_t thr_head[MAXOBJ], thr_next[MAXOBJ];
static void through_index(int k, int side)
{
    const Multi *mk = &multis[k];
    uint32_t d;
    memset(thr_head, 0, sizeof thr_head);
    for (d = ref.next_id[mk->tm]; d-- > 1;) {
        uint32_t a = ref.fk[mk->ta][d], b = ref.fk[mk->tb][d];
        if (ref.live[mk->tm][d] && a && b) {
            thr_next[d] = thr_head[side ? b : a];
            thr_head[side ? b : a] = d;
        }
    }
}
static uint32_t through_indexed(int k, int side, uint32_t s, uint32_t t)
{
    uint32_t d, n = 0;
    for (d = thr_head[s]; d; d = thr_next[d])
        n += !t || ref.fk[side ? multis[k].ta : multis[k].tb][d] == t;
    return n;
}

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

/* Which model each GenericForeignKey of every F says it points at, and
 * the untyped getter, against the reference's one set relation. */
static int compare_generic(void)
{
    uint32_t s;
    int r;
    for (s = 1; s < ref.next_id[MF]; s++) {
        const F *o;
        int models[4] = { -1, -1, -1, -1 };
        uint32_t ids[4] = { 0, 0, 0, 0 };
        if (!ref.live[MF][s])
            continue;
        o = F_get(db, s);
        for (r = FIRST_GENERIC; r < NSINGLES; r++)
            if (ref.fk[r][s]) {
                models[singles[r].gfk - 1] = singles[r].to;
                ids[singles[r].gfk - 1] = ref.fk[r][s];
            }
        if (F_g_model(o) != models[0] || F_h_model(o) != models[1] || F_p_model(o) != models[2]
            || F_r_model(o) != models[3])
            return mismatch("F %u points at models %d %d %d %d", (unsigned)s, F_g_model(o), F_h_model(o),
                            F_p_model(o), F_r_model(o));
        if (id_of(models[0], F_g(o)) != ids[0] || id_of(models[1], F_h(o)) != ids[1]
            || id_of(models[2], F_p(o)) != ids[2] || id_of(models[3], F_r(o)) != ids[3])
            return mismatch("F %u: an untyped getter disagrees", (unsigned)s);
    }
    return 0;
}

/* E's tag and its unique lookups: each E is found by its code, its a and
 * tag, its b; and every code of the small set, every B and every A with
 * every tag finds the E that has it, or nothing (a stale index entry shows
 * here).  Each G is found by its pair, and the pairs Gs left lately find
 * the G that has them now, or nothing. */
static int compare_unique(void)
{
    static uint32_t by_code[12], by_b[MAXOBJ], by_a_tag[MAXOBJ][3];
    uint32_t s, a, b;
    int32_t code, tag;
    unsigned i;
    memset(by_code, 0, sizeof by_code);
    memset(by_b, 0, sizeof by_b);
    memset(by_a_tag, 0, sizeof by_a_tag);
    for (s = 1; s < ref.next_id[ME]; s++)
        if (ref.live[ME][s]) {
            by_code[ref.n[ME][s]] = s;
            by_b[ref.fk[E_B][s]] = s;
            by_a_tag[ref.fk[E_A][s]][ref.tag[s]] = s;
        }
    for (b = 1; b < ref.next_id[MB]; b++)
        if (ref.live[MB][b] && id_of(ME, E_get_by_b(db, B_get(db, b))) != by_b[b])
            return mismatch("E_get_by_b(B %u) finds E %u, not %u", (unsigned)b,
                            (unsigned)id_of(ME, E_get_by_b(db, B_get(db, b))), (unsigned)by_b[b]);
    for (a = 1; a < ref.next_id[MA]; a++)
        for (tag = 0; tag < 3 && ref.live[MA][a]; tag++)
            if (id_of(ME, E_get_by_a_tag(db, A_get(db, a), tag)) != by_a_tag[a][tag])
                return mismatch("E_get_by_a_tag(A %u, %d) finds E %u, not %u", (unsigned)a, tag,
                                (unsigned)id_of(ME, E_get_by_a_tag(db, A_get(db, a), tag)),
                                (unsigned)by_a_tag[a][tag]);
    for (i = 0; i < 16 && i < ref.nleft; i++) {
        uint32_t want = 0;
        a = ref.left[i][0];
        b = ref.left[i][1];
        if (!ref.live[MA][a] || !ref.live[MB][b])
            continue;
        for (s = 1; s < ref.next_id[MG]; s++)
            if (ref.live[MG][s] && ref.fk[G_A][s] == a && ref.fk[G_B][s] == b)
                want = s;
        if (id_of(MG, G_get_by_a_b(db, A_get(db, a), B_get(db, b))) != want)
            return mismatch("G_get_by_a_b(A %u, B %u) finds G %u, not %u", (unsigned)a, (unsigned)b,
                            (unsigned)id_of(MG, G_get_by_a_b(db, A_get(db, a), B_get(db, b))), (unsigned)want);
    }
    for (s = 1; s < ref.next_id[ME]; s++) {
        E *d = ref.live[ME][s] ? E_get(db, s) : NULL;
        if (!d)
            continue;
        a = ref.fk[E_A][s];
        b = ref.fk[E_B][s];
        if (E_tag(d) != ref.tag[s])
            return mismatch("E %u: tag %d, not %d", (unsigned)s, E_tag(d), ref.tag[s]);
        if (E_get_by_code(db, E_code(d)) != d || (a && E_get_by_a_tag(db, A_get(db, a), E_tag(d)) != d)
            || (b && E_get_by_b(db, B_get(db, b)) != d))
            return mismatch("E %u is not found by its unique values", (unsigned)s);
    }
    for (code = 0; code < 12; code++)
        if (id_of(ME, E_get_by_code(db, code)) != by_code[code])
            return mismatch("E_get_by_code(%d) finds E %u, not %u", code,
                            (unsigned)id_of(ME, E_get_by_code(db, code)), (unsigned)by_code[code]);
    for (s = 1; s < ref.next_id[MG]; s++)
        if (ref.live[MG][s]
            && id_of(MG, G_get_by_a_b(db, A_get(db, ref.fk[G_A][s]), B_get(db, ref.fk[G_B][s]))) != s)
            return mismatch("G %u is not found by its pair", (unsigned)s);
    return 0;
}

static int compare(void)
{
    int m, r, k;
    uint32_t s, t;
    size_t live[NMODELS] = { 0, 0, 0, 0, 0, 0, 0 };

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
            if (n_of(m, o) != ref.n[m][s])
                return mismatch("%s %u: %s is %d, not %d", model_names[m], (unsigned)s, m == ME ? "code" : "n",
                                n_of(m, o), ref.n[m][s]);
        }
    for (m = 0; m < NMODELS; m++)
        if (count_of(m) != live[m])
            return mismatch("%s_count is %zu, not %zu", model_names[m], count_of(m), live[m]);
    if (compare_generic() || compare_unique())
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
            if (mk->through)
                through_index(k, side);
            for (s = 1; s < ref.next_id[om]; s++) {
                void *const *items;
                size_t n, i;
                uint32_t want = mk->through ? through_indexed(k, side, s, 0) : side ? ref.col[k][s] : ref.row[k][s];
                void *o;
                if (!ref.live[om][s])
                    continue;
                o = get_obj(om, s);
                n = api->list(o, &items);
                if (n != want || api->count(o) != want)
                    return mismatch("%s%s of %u has %zu, not %u", mk->name, side ? " (reverse)" : "",
                                    (unsigned)s, n, (unsigned)want);
                for (i = 0; i < n && mk->through; i++) {
                    size_t j, times = 0;
                    t = id_of(xm, items[i]);
                    for (j = 0; j < n; j++)
                        times += items[j] == items[i];
                    if (times != through_indexed(k, side, s, t) || !api->contains(o, items[i]))
                        return mismatch("%s%s: %u lists %u %zu times, for %u %s objects", mk->name,
                                        side ? " (reverse)" : "", (unsigned)s, (unsigned)t, times,
                                        (unsigned)through_indexed(k, side, s, t), model_names[mk->tm]);
                }
                for (i = 0; i < n && !mk->through; i++) {
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

/* Calls refused with REL_EUNIQUE, and the objects and calls of F, over
 * every run (printed at the end). */
static unsigned long unique_refused, fs_created, generic_calls;

/* o, of model m, was just made and must have id: the reference makes it
 * too, with its relation r set to t (when t is not 0). */
static int made(int m, uint32_t id, const void *o, int r, uint32_t t)
{
    if (!o || id_of(m, o) != id)
        return mismatch("creating %s: got id %u, expected %u: %s", model_names[m], (unsigned)id_of(m, o),
                        (unsigned)id, mb_store_errmsg(db));
    ref.next_id[m]++;
    ref_create(m, id);
    if (t)
        ref_set(r, id, t);
    fs_created += m == MF;
    return 0;
}

/* ... an E with its code and tag, and its a set to a (0: none) ... */
static int made_e(uint32_t id, const void *o, int32_t code, int32_t tag, uint32_t a)
{
    if (made(ME, id, o, E_A, a))
        return 1;
    ref.n[ME][id] = code;
    ref.tag[id] = tag;
    return 0;
}

/* ... a G on the pair a, b. */
static int made_g(uint32_t id, const void *o, uint32_t a, uint32_t b)
{
    if (made(MG, id, o, G_A, a))
        return 1;
    ref_set(G_B, id, b);
    return 0;
}

/* E_new with a code and tag from small sets: a taken code is refused. */
static int create_e(uint32_t id)
{
    int32_t code = (int32_t)below(12), tag = (int32_t)below(3);
    bool clash = ref_e_clash(0, code, tag, 0, 0);
    E *o = E_new(db, code, tag);
    op = "E_new";
    if (clash) {
        unique_refused++;
        if (o)
            return mismatch("E_new(%d) succeeded with a code taken", code);
        return strstr(mb_store_errmsg(db), "already has this code") ? 0
               : mismatch("E_new(%d) refused with \"%s\"", code, mb_store_errmsg(db));
    }
    return made_e(id, o, code, tag, 0);
}

/* F_new takes its required GenericForeignKey g as any object: an A, B, C
 * or D, or now and then NULL or an E, F or G, which it must refuse. */
static int create_f(uint32_t id)
{
    int m = (int)below(NMODELS + 1);    /* NMODELS: NULL */
    uint32_t t = m < NMODELS ? pick(m) : 0;
    void *o = F_new(db, t ? get_obj(m, t) : NULL);
    op = "F_new";
    if (!t || m > MD)
        return o ? mismatch("F_new took %s", t ? model_names[m] : "NULL") : 0;
    return made(MF, id, o, FIRST_GENERIC + m, t);     /* F.g(A) to F.g(D) in model order */
}

/* G_new on a pair: a pair that has its G is refused. */
static int create_g(uint32_t id)
{
    uint32_t a = pick(MA), b = pick(MB);
    G *o = G_new(db, a ? A_get(db, a) : NULL, b ? B_get(db, b) : NULL);
    op = "G_new";
    if (!a || !b)
        return o ? mismatch("G_new without its pair succeeded") : 0;
    if (ref_g_clash(0, a, b)) {
        unique_refused++;
        return o ? mismatch("G_new on a linked pair succeeded") : 0;
    }
    return made_g(id, o, a, b);
}

static int create(int m)
{
    uint32_t id = ref.next_id[m], a = 0;
    void *o;
    if (id >= MAXOBJ)
        return 0;
    if (m == ME)
        return create_e(id);
    if (m == MF)
        return create_f(id);
    if (m == MG)
        return create_g(id);
    if (m == MC || m == MD) {
        a = pick(MA);
        o = m == MC ? (void *)C_new(db, a ? A_get(db, a) : NULL) : (void *)D_new(db, a ? A_get(db, a) : NULL);
    } else {
        o = m == MA ? (void *)A_new(db) : (void *)B_new(db);
    }
    if ((m == MC || m == MD) && !a) {
        return o ? mismatch("%s_new without an A succeeded", model_names[m]) : 0;
    }
    if (!o || id_of(m, o) != id)
        return mismatch("creating %s: got id %u, expected %u", model_names[m], (unsigned)id_of(m, o), (unsigned)id);
    ref.next_id[m]++;
    ref_create(m, id);
    if (m == MC)
        ref_set(4, id, a);
    if (m == MD)
        ref_set(D_A, id, a);
    return 0;
}

/* Creations through a reverse set of E, F and G: A_es_create (which may
 * clash), A_tagged_create, A_gs_create (which clashes on a linked pair). */
static int create_reverse_efg(void)
{
    uint32_t t, b, id;
    void *o;
    switch (below(3)) {
    case 0: {
        int32_t code = (int32_t)below(12), tag = (int32_t)below(3);
        bool clash;
        op = "A_es_create";
        if (!(t = pick(MA)) || (id = ref.next_id[ME]) >= MAXOBJ)
            return 0;
        clash = ref_e_clash(0, code, tag, t, 0);
        o = A_es_create(A_get(db, t), code, tag);
        if (clash) {
            unique_refused++;
            return o ? mismatch("A_es_create succeeded with a clash") : 0;
        }
        return made_e(id, o, code, tag, t);
    }
    case 1:
        op = "A_tagged_create";
        if (!(t = pick(MA)) || (id = ref.next_id[MF]) >= MAXOBJ)
            return 0;
        return made(MF, id, A_tagged_create(A_get(db, t)), FIRST_GENERIC + MA, t);
    default:
        op = "A_gs_create";
        if (!(t = pick(MA)) || !(b = pick(MB)) || (id = ref.next_id[MG]) >= MAXOBJ)
            return 0;
        o = A_gs_create(A_get(db, t), B_get(db, b));
        if (ref_g_clash(0, t, b)) {
            unique_refused++;
            return o ? mismatch("A_gs_create on a linked pair succeeded") : 0;
        }
        return made_g(id, o, t, b);
    }
}

/* A creation through a reverse set: A_children_create, A_cs_create,
 * B_guards_create (whose C also needs its A), and E's, F's and G's. */
static int create_reverse(void)
{
    uint32_t t, a = 0, id;
    void *o;
    switch (below(6)) {
    case 3: case 4: case 5:
        return create_reverse_efg();
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
    else if (t && ref.fk[r][s] != t && ref_set_clashes(r, s, t) && ++unique_refused)
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
    static const int fks[] = { 0, 1, 2, 4, 6, 7, D_B, E_A, E_B, G_A, G_B };
    int r = fks[below(11)];
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
    case D_B * 3: op = "B_ds_add"; st = B_ds_add((B *)to, (D *)from); break;
    case D_B * 3 + 1: op = "B_ds_remove"; st = B_ds_remove((B *)to, (D *)from); break;
    case D_B * 3 + 2: op = "B_ds_clear"; st = B_ds_clear((B *)to); s = 0; break;
    case E_A * 3: op = "A_es_add"; st = A_es_add((A *)to, (E *)from); break;
    case E_A * 3 + 1: op = "A_es_remove"; st = A_es_remove((A *)to, (E *)from); break;
    case E_A * 3 + 2: op = "A_es_clear"; st = A_es_clear((A *)to); s = 0; break;
    case E_B * 3: op = "B_es_add"; st = B_es_add((B *)to, (E *)from); break;
    case E_B * 3 + 1: op = "B_es_remove"; st = B_es_remove((B *)to, (E *)from); break;
    case E_B * 3 + 2: op = "B_es_clear"; st = B_es_clear((B *)to); s = 0; break;
    case G_A * 3: case G_A * 3 + 1: case G_A * 3 + 2: op = "A_gs_add"; st = A_gs_add((A *)to, (G *)from); break;
    default: op = "B_gs_add"; st = B_gs_add((B *)to, (G *)from); break;
    }
    if (strstr(op, "_add") && ref.fk[r][s] != t && ref_set_clashes(r, s, t)) {
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

/* What the through relations' calls came to, over every run; and the F
 * objects whose g (cascaded) or p (refusing) named a D they deleted. */
static unsigned long via_added[NMULTIS], via_removed[NMULTIS], via_refused[NMULTIS], via_f_cascaded,
    via_f_protecting;

/* The status removing or clearing through multi k must have, deleting its
 * n through objects ids with the collector; counted. */
static rel_status through_delete(int k, const uint32_t *ids, uint32_t n, rel_status *alt)
{
    unsigned long cascaded = 0, protecting = 0;
    uint32_t f, i;
    rel_status want;
    if (!n) {
        *alt = REL_OK;
        return REL_OK;
    }
    for (f = 1; f < ref.next_id[MF] && multis[k].tm == MD; f++)
        for (i = 0; i < n && ref.live[MF][f]; i++) {
            cascaded += ref.fk[F_G_D][f] == ids[i];
            protecting += ref.fk[F_P_D][f] == ids[i];
        }
    want = ref_delete(multis[k].tm, ids, n, alt);
    via_removed[k] += want == REL_OK ? n : 0;
    via_refused[k] += want != REL_OK;
    via_f_cascaded += want == REL_OK ? cascaded : 0;
    via_f_protecting += protecting;
    return want;
}

/* Now and then, before A.via's remove or clear deletes D d (and others),
 * an F's generic g names it (the F goes too), or its p (refused). */
static int name_by_f(uint32_t d)
{
    uint32_t f;
    bool g = below(2);
    if (below(2) || !(f = pick(MF)))
        return 0;
    if (expect(g ? F_set_g_D(F_get(db, f), D_get(db, d)) : F_set_p_D(F_get(db, f), D_get(db, d)), REL_OK, REL_OK))
        return 1;
    ref_set(g ? F_G_D : F_P_D, f, d);
    return 0;
}

/* A.via and A.pals: add makes a D or G (unless the pair has one), remove
 * deletes the pair's Ds or G, clear every one of the object, with the
 * collector (a D.guard, a C.dnote or an F.p refuses). */
static int many_through(int k, const Side *side, bool reverse, int om, int xm, uint32_t o, uint32_t x, uint32_t a,
                        uint32_t b)
{
    const Multi *mk = &multis[k];
    uint32_t ids[MAXOBJ], d, n = 0, id = ref.next_id[mk->tm], guard;
    rel_status st, want, alt;
    switch (below(7)) {
    case 0: case 1: case 2:
        if (through_count(k, 0, a, b) == 0 && id >= MAXOBJ)
            return 0;
        st = side->add(get_obj(om, o), get_obj(xm, x));
        if (expect(st, REL_OK, REL_OK))
            return 1;
        if (through_count(k, 0, a, b) == 0) {
            via_added[k]++;
            ref.next_id[mk->tm]++;
            ref_create(mk->tm, id);
            ref_set(mk->ta, id, a);
            ref_set(mk->tb, id, b);
        }
        return 0;
    case 3: case 4:
        for (d = 1; d < ref.next_id[mk->tm]; d++)
            if (ref.live[mk->tm][d] && ref.fk[mk->ta][d] == a && ref.fk[mk->tb][d] == b)
                ids[n++] = d;
        if (k == M_VIA && n && below(4) == 0 && (guard = pick(MC)) != 0) {
            /* Now and then a C's dnote protects one of them first: the
             * remove is refused. */
            if (expect(C_set_dnote(C_get(db, guard), D_get(db, ids[n - 1])), REL_OK, REL_OK))
                return 1;
            ref_set(C_DNOTE, guard, ids[n - 1]);
        } else if (k == M_VIA && n && name_by_f(ids[n - 1])) {
            return 1;
        }
        want = through_delete(k, ids, n, &alt);
        return expect(side->remove(get_obj(om, o), get_obj(xm, x)), want, alt);
    case 5:
        return expect(side->add(get_obj(om, o), NULL), REL_EINVAL, REL_OK);
    default:
        /* Django's clear deletes every through row naming the object,
         * also those whose other side is NULL. */
        for (d = 1; d < ref.next_id[mk->tm]; d++)
            if (ref.live[mk->tm][d] && ref.fk[reverse ? mk->tb : mk->ta][d] == o)
                ids[n++] = d;
        if (k == M_VIA && n && name_by_f(ids[n - 1]))
            return 1;
        want = through_delete(k, ids, n, &alt);
        return expect(side->clear(get_obj(om, o)), want, alt);
    }
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
    if (mk->through)
        return many_through(k, side, reverse, om, xm, o, x, a, b);
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

/* The untyped setters and Django's GenericRelation manager: F_set_g and
 * F_set_h with an object of any model (a model not listed is refused),
 * A_tagged_add, and A_tagged_remove and B_hs_clear, which delete. */
static int generic(void)
{
    int m = (int)below(NMODELS), which = (int)below(5);
    uint32_t s = pick(MF), t = pick(m);
    void *o, *x;
    rel_status st, want, alt;
    if (!s)
        return 0;
    o = get_obj(MF, s);
    x = t ? get_obj(m, t) : NULL;
    generic_calls++;
    if (which == 0 || which == 1) {
        bool listed = which == 0 ? m <= MD : (m == MB || m == MF);
        int r = which == 0 ? FIRST_GENERIC + m : m == MB ? F_H_B : F_H_B + 1;
        op = which == 0 ? "F_set_g" : "F_set_h";
        st = which == 0 ? F_set_g((F *)o, x) : F_set_h((F *)o, x);
        if (!t) {   /* NULL: refused when required, else it clears */
            if (expect(st, which == 0 ? REL_ENULL : REL_OK, REL_OK))
                return 1;
            if (which == 1)
                ref_set(F_H_B, s, 0);
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
        if (expect(A_tagged_add(A_get(db, t), (F *)o), REL_OK, REL_OK))
            return 1;
        ref_set(FIRST_GENERIC + MA, s, t);
        return 0;
    }
    if (which == 3) {   /* removing one that is in the set deletes it */
        op = "A_tagged_remove";
        if (!(t = pick(MA)))
            return 0;
        st = A_tagged_remove(A_get(db, t), (F *)o);
        if (ref.fk[FIRST_GENERIC + MA][s] != t)
            return expect(st, REL_OK, REL_OK);
        want = ref_delete(MF, &s, 1, &alt);
        return expect(st, want, alt);
    }
    op = "B_hs_clear";
    if (!(t = pick(MB)))
        return 0;
    {
        uint32_t ids[MAXOBJ], n = 0, y;
        for (y = 1; y < ref.next_id[MF]; y++)
            if (ref.live[MF][y] && ref.fk[F_H_B][y] == t)
                ids[n++] = y;
        st = B_hs_clear(B_get(db, t));
        want = alt = REL_OK;
        if (n)
            want = ref_delete(MF, ids, n, &alt);
        return expect(st, want, alt);
    }
}

/* What the deletes came to, over every run: proof that the sequences
 * reach cascades, refusals and SET_NULL, printed at the end. */
static unsigned long deletes_ok, deletes_protected, deletes_restricted, objects_deleted;

static size_t live_objects(void)
{
    size_t n = 0;
    int m;
    for (m = 0; m < NMODELS; m++)
        n += count_of(m);
    return n;
}

/* X_delete or X_delete_many of model m. */
static rel_status delete_objs(int m, void *const *objs, size_t n)
{
    switch (m) {
    case MA: return n == 1 ? A_delete((A *)objs[0]) : A_delete_many((A *const *)objs, n);
    case MB: return n == 1 ? B_delete((B *)objs[0]) : B_delete_many((B *const *)objs, n);
    case MC: return n == 1 ? C_delete((C *)objs[0]) : C_delete_many((C *const *)objs, n);
    case MD: return n == 1 ? D_delete((D *)objs[0]) : D_delete_many((D *const *)objs, n);
    case ME: return n == 1 ? E_delete((E *)objs[0]) : E_delete_many((E *const *)objs, n);
    case MF: return n == 1 ? F_delete((F *)objs[0]) : F_delete_many((F *const *)objs, n);
    default: return n == 1 ? G_delete((G *)objs[0]) : G_delete_many((G *const *)objs, n);
    }
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
    st = delete_objs(m, objs, got);
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
    if (m == ME) {   /* E's code or tag, from their small sets */
        bool code = below(2);
        int32_t w = (int32_t)below(code ? 12 : 3);
        uint32_t a = ref.fk[E_A][s], b = ref.fk[E_B][s];
        bool clash = code ? ref_e_clash(s, w, ref.tag[s], a, b) : ref_e_clash(s, ref.n[ME][s], w, a, b);
        rel_status st = code ? E_set_code(E_get(db, s), w) : E_set_tag(E_get(db, s), w);
        op = code ? "E_set_code" : "E_set_tag";
        unique_refused += clash;
        if (expect(st, clash ? REL_EUNIQUE : REL_OK, REL_OK))
            return 1;
        if (!clash && code)
            ref.n[ME][s] = w;
        else if (!clash)
            ref.tag[s] = w;
        return 0;
    }
    if (m == MA)
        A_set_n(A_get(db, s), v);
    else if (m == MB)
        B_set_n(B_get(db, s), v);
    else if (m == MC)
        C_set_n(C_get(db, s), v);
    else if (m == MD)
        D_set_n(D_get(db, s), v);
    else if (m == MF)
        F_set_n(F_get(db, s), v);
    else
        G_set_n(G_get(db, s), v);
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
           "   through A.via: %lu D made by add, %lu deleted by remove and clear, %lu of those refused,\n"
           "   cascading to %lu F by F.g, and %lu F.p protecting one;\n"
           "   through A.pals: %lu G made by add, %lu deleted by remove and clear;\n"
           "   %lu calls refused as not unique; %lu F with generic relations created, %lu generic calls)\n",
           steps, deletes_ok, objects_deleted, deletes_protected, deletes_restricted, via_added[M_VIA],
           via_removed[M_VIA], via_refused[M_VIA], via_f_cascaded, via_f_protecting, via_added[M_PALS],
           via_removed[M_PALS], unique_refused, fs_created, generic_calls);
    return 0;
}
