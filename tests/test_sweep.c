/* test_sweep.c: every function of the generated api.h (tests/api/api.rel),
 * with each of its pointer arguments NULL and, for an object, deleted.
 *
 * SPEC 6: no call, with any arguments a C program can pass, may corrupt
 * the store silently.  The table of functions is generated from api.h by
 * tests/gen_sweep.sh (build/sweep/sweep_calls.h: each function's name,
 * return kind, parameter kinds and models, and a thunk), and run_checks.sh
 * proves that every function of api.h is called in it.  For each function
 * and each pointer parameter in turn, with every other argument a live
 * object (or store, value, cursor) that fits, a forked child makes the
 * call on a store that holds objects of every model with every relation
 * kind linked, so a crash (or a sanitizer report) is a failure that names
 * the function and the argument.  The child checks:
 *
 * - mutators (rel_status: setters, add, remove, clear, the deletes,
 *   M_delete_plan) return REL_EINVAL; constructors (M_new, T_rv_create)
 *   return NULL; a refused call's out-parameters say nothing happened (a
 *   plan is empty, a delete result zero);
 * - the errmsg was written by this call: a failing call sets a sentinel
 *   first, and after the call the message must differ from it and name the
 *   problem, "NULL Author" or "Book 17 was deleted" (for a NULL object or
 *   store with no other object in the call, in rel_errmsg_nostore());
 * - contains() is false;
 * - the store's fingerprint (every object, every field, every link with
 *   its order and positions, every count and last id) is unchanged, and
 *   verify passes.
 *
 * What is not called with NULL, and why (SPEC 6 lets read-only getters
 * document NULL as undefined, and docs/api.md does): forward getters
 * (M_f, M_r, a one-to-one's reverse T_rv), views (M_rv), counts
 * (M_rv_count, M_count), M_id, M_store, M_get, M_all and M_next with a
 * NULL object, store or cursor.  They are still called with a deleted
 * object.  Besides, some NULLs are values, not bad arguments: a forward
 * setter's value NULL is "unset" (for null = true it must succeed, REL_OK
 * and verify passes; else fail with REL_ENULL and change nothing), and
 * M_delete_ex's result may be NULL (the delete happens, or is refused, as
 * without it); a constructor's required relation NULL may say "... is
 * required" (REL_ENULL) instead of "NULL M".
 *
 * A getter given a deleted object must answer as for an empty one (NULL,
 * "", 0, an empty view; M_id and M_store still the object's), in a plain
 * build and under ASan alike.
 *
 * Every function is also called once with every argument valid (its
 * thunk works, and nothing crashes).  SWEEP_VERBOSE=1 shows every call's
 * output.  The last line printed counts the functions, the calls and the
 * crashes. */
#include "api.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the generated table's types ----------------------------------------- */

enum {
    SW_STORE, SW_OBJ, SW_OBJS, SW_STRING, SW_CURSOR, SW_U64, SW_SIZE,   /* parameters */
    SW_FILE, SW_INT,
    SW_RESULT, SW_PLAN,                                               /* out-parameters */
    SW_STATUS, SW_BOOL, SW_LIST, SW_VOID,                             /* returns too */
    SW_ANY          /* a GenericForeignKey's object of any listed model (void *) */
};

typedef struct sweep_arg {
    void *p;
    uint64_t u;
    const char *s;
} sweep_arg;

typedef struct sweep_ret {
    rel_status status;
    void *p;
    bool b;
    uint64_t u;
    const char *s;
    rel_cursor cursor;
} sweep_ret;

typedef struct sweep_param {
    int kind;
    const char *model;      /* SW_OBJ, SW_OBJS */
    const char *name;
} sweep_param;

typedef struct sweep_fn {
    const char *name;
    int ret;
    const char *ret_model;  /* SW_OBJ, SW_LIST */
    int nparams;
    sweep_param params[4];
    void (*call)(const sweep_arg *a, sweep_ret *r);
} sweep_fn;

#include "sweep_calls.h"

/* ---- the store ------------------------------------------------------------- */

static api_store *db;
/* A pointer member, for REL_CAT (which puts const on the member). */
typedef void *ptr_t;
static const rel_schema *schema = &rel_desc_api;

/* Per model: a live object to pass where a valid one is needed (the
 * targets of one-to-one relations are free ones, so that a valid call
 * would succeed), and a deleted one with its id. */
typedef struct model_objs {
    const char *name;
    void *live;
    void *dead;
    uint64_t dead_id;
} model_objs;
static model_objs objs[16];
static uint32_t nobjs;

/* The model whose objects an SW_ANY parameter gets: the first model the
 * schema's first GenericForeignKey lists. */
static const char *any_model;
static const char *param_model(const sweep_param *p) { return p->kind == SW_ANY ? any_model : p->model; }

static model_objs *objs_of(const char *model)
{
    uint32_t i;
    for (i = 0; i < nobjs; i++)
        if (strcmp(objs[i].name, model) == 0)
            return &objs[i];
    fprintf(stderr, "test_sweep: no objects of model %s\n", model);
    exit(2);
}

static uint32_t model_index(const char *model)
{
    uint32_t k;
    for (k = 0; k < schema->nmodels; k++)
        if (strcmp(schema->models[k].name, model) == 0)
            return k;
    fprintf(stderr, "test_sweep: no model %s in the descriptor\n", model);
    exit(2);
}

/* Every object of every model, every field and every link (in order, with
 * the positions kept for O(1) removal), counts and last ids: read through
 * the descriptor, so nothing of the schema is left out. */
static char *fingerprint(void)
{
    const rel_store *s = (const rel_store *)db;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    uint32_t k, i, j;

    for (k = 0; k < schema->nmodels; k++) {
        const rel_model *m = &schema->models[k];
        fprintf(f, "%s: count %lu last %lu\n", m->name, (unsigned long)s->models[k].count,
                (unsigned long)s->models[k].last_id);
        rel_forall(void, o, rel_all(s, k)) {
            fprintf(f, " %s %lu:", m->name, (unsigned long)rel_id_of(o));
            for (i = 0; i < m->nfields; i++) {
                const rel_field *fl = &m->fields[i];
                fprintf(f, " %s=", fl->name);
                switch (fl->type) {
                case REL_STRING: fprintf(f, "'%s'", REL_CAT(o, fl->offset, const char *)); break;
                case REL_BOOL: fprintf(f, "%d", (int)REL_CAT(o, fl->offset, bool)); break;
                case REL_INT8: fprintf(f, "%d", (int)REL_CAT(o, fl->offset, int8_t)); break;
                case REL_INT16: fprintf(f, "%d", (int)REL_CAT(o, fl->offset, int16_t)); break;
                case REL_INT32: fprintf(f, "%ld", (long)REL_CAT(o, fl->offset, int32_t)); break;
                case REL_INT64: fprintf(f, "%lld", (long long)REL_CAT(o, fl->offset, int64_t)); break;
                case REL_UINT8: fprintf(f, "%u", (unsigned)REL_CAT(o, fl->offset, uint8_t)); break;
                case REL_UINT16: fprintf(f, "%u", (unsigned)REL_CAT(o, fl->offset, uint16_t)); break;
                case REL_UINT32: fprintf(f, "%lu", (unsigned long)REL_CAT(o, fl->offset, uint32_t)); break;
                case REL_UINT64: fprintf(f, "%llu", (unsigned long long)REL_CAT(o, fl->offset, uint64_t)); break;
                case REL_FLOAT: fprintf(f, "%a", (double)REL_CAT(o, fl->offset, float)); break;
                default: fprintf(f, "%a", REL_CAT(o, fl->offset, double)); break;
                }
            }
            /* Both ends of every relation this model is on. */
            for (i = 0; i < schema->nrelations; i++) {
                const rel_relation *r = &schema->relations[i];
                if (r->model == k) {
                    fprintf(f, " %s->", r->name);
                    if (r->type == REL_GENERIC)   /* which model it points at */
                        fprintf(f, "(ct %lu)", (unsigned long)REL_CAT(o, r->ct, uint32_t));
                    if (r->type == REL_MANY_TO_MANY) {
                        const rel_vec *v = &REL_CAT(o, r->fwd, rel_vec);
                        for (j = 0; j < v->count; j++)
                            fprintf(f, "%lu@%lu,", (unsigned long)rel_id_of(v->items[j]), (unsigned long)rel_vec_back(v)[j]);
                    } else {
                        const void *t = rel_fwd(o, r->fwd);
                        fprintf(f, "%lu", t ? (unsigned long)rel_id_of(t) : 0ul);
                        if ((r->type == REL_FOREIGN_KEY || r->type == REL_GENERIC) && t)
                            fprintf(f, "@%lu", (unsigned long)REL_CAT(o, r->pos, uint32_t));
                    }
                }
                if (r->target == k && !r->symmetrical) {
                    fprintf(f, " <-%s.%s:", schema->models[r->model].name, r->name);
                    if (r->type == REL_FOREIGN_KEY || r->type == REL_GENERIC) {
                        const rel_list *l = &REL_CAT(o, r->rev, rel_list);
                        for (j = 0; j < l->count; j++)
                            fprintf(f, "%lu,", (unsigned long)rel_id_of(l->items[j]));
                    } else if (r->type == REL_ONE_TO_ONE) {
                        const void *x = REL_CAT(o, r->rev, ptr_t);
                        fprintf(f, "%lu", x ? (unsigned long)rel_id_of(x) : 0ul);
                    } else {
                        const rel_vec *v = &REL_CAT(o, r->rev, rel_vec);
                        for (j = 0; j < v->count; j++)
                            fprintf(f, "%lu@%lu,", (unsigned long)rel_id_of(v->items[j]), (unsigned long)rel_vec_back(v)[j]);
                    }
                }
            }
            fputc('\n', f);
        }
    }
    fclose(f);
    return buf;
}

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "test_sweep: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    exit(2); } } while (0)

/* Objects of every model, every relation kind linked (ForeignKeys with
 * and without null, through reverse sets too; one-to-ones taken and free;
 * many-to-many sets, symmetrical with a link to oneself; a self
 * ForeignKey), then one more object of every model, deleted. */
static void populate(void)
{
    Author *a1, *a2, *a3, *dA;
    Book *b1, *b2, *b3, *dB;
    Publisher *p1, *p2, *dP;
    Contract *k1, *dK;
    User *u1, *u2, *u3, *dU;
    Profile *pr1, *dPr;
    Person *pe1, *pe2, *pe3, *dPe;
    Club *c1, *c2, *c3, *dC;
    Badge *bg1, *dBg;
    Seat *s1, *dS;
    Team *t1, *dT;
    Roster *r1, *dR;
    Account *ac1, *dAc;
    Tagged *tg1, *dTg;
    uint32_t k;

    CHECK((db = api_store_new()) != NULL);
    a1 = Author_new(db); a2 = Author_new(db); a3 = Author_new(db);
    CHECK(Author_set_name(a1, "ann") == REL_OK && Author_set_name(a2, "bob") == REL_OK);
    b1 = Book_new(db, a1); b2 = Author_books_create(a1); b3 = Book_new(db, a2);
    CHECK(Book_set_editor(b1, a2) == REL_OK && Author_edited_add(a1, b2) == REL_OK);
    CHECK(b3 && Book_set_editor(b3, a2) == REL_OK);
    p1 = Publisher_new(db); p2 = Publisher_new(db);
    CHECK(Publisher_set_name(p1, "pen") == REL_OK);
    k1 = Contract_new(db, p1);
    CHECK(Contract_set_book(k1, b1) == REL_OK && Contract_set_author(k1, a1) == REL_OK);
    CHECK(Book_contracts_create(b2, p1) && Author_contracts_create(a2, p2) && Publisher_contracts_create(p2));
    u1 = User_new(db); u2 = User_new(db); u3 = User_new(db);
    CHECK(User_set_name(u1, "u1") == REL_OK);
    pr1 = Profile_new(db, u1);
    CHECK(pr1 && Profile_new(db, u2));
    bg1 = Badge_new(db);
    CHECK(Badge_set_holder(bg1, u1) == REL_OK && Badge_new(db));
    pe1 = Person_new(db); pe2 = Person_new(db); pe3 = Person_reports_create(pe1);
    CHECK(Person_set_boss(pe2, pe1) == REL_OK && Person_reports_add(pe2, Person_new(db)) == REL_OK);
    CHECK(Person_friends_add(pe1, pe2) == REL_OK && Person_friends_add(pe2, pe3) == REL_OK
          && Person_friends_add(pe2, pe2) == REL_OK && Person_friends_create(pe3));
    c1 = Club_new(db); c2 = Club_new(db); c3 = Club_new(db);
    CHECK(Club_set_name(c1, "chess") == REL_OK);
    CHECK(Person_clubs_add(pe1, c1) == REL_OK && Person_clubs_add(pe2, c1) == REL_OK
          && Club_members_add(c2, pe2) == REL_OK && Person_clubs_create(pe3) && Club_members_create(c2));
    s1 = Seat_new(db, c1);
    CHECK(s1 && Seat_new(db, c2));
    t1 = Team_new(db);
    CHECK(t1 && Team_players_add(t1, pe1, c1) == REL_OK && Person_teams_add(pe2, t1, c2) == REL_OK);
    r1 = Team_players_through(t1, pe1);
    CHECK(r1 && Team_players_create(t1, c1) && Person_teams_create(pe3, c1));
    ac1 = Account_new(db, "ac1", "h");
    CHECK(ac1 && Account_set_owner(ac1, a1) == REL_OK && Author_accounts_create(a2, "ac2", "h"));
    tg1 = Tagged_new(db, a1);
    CHECK(tg1 && Author_tags_create(a2) && Tagged_new(db, c1) && Tagged_set_target_Club(Author_tags_create(a1), c2) == REL_OK);

    /* The deleted ones, made last so that no live object reuses a slot. */
    dA = Author_new(db);
    dB = Book_new(db, a3);
    dP = Publisher_new(db);
    dK = Contract_new(db, p2);
    dU = User_new(db);
    dPr = Profile_new(db, u3);
    dPe = Person_new(db);
    CHECK(Person_friends_add(dPe, pe1) == REL_OK && Person_clubs_add(dPe, c1) == REL_OK);
    dC = Club_new(db);
    dBg = Badge_new(db);
    dS = Seat_new(db, c3);
    dT = Team_new(db);
    dR = Roster_new(db, t1, pe2, c2);
    dAc = Author_accounts_create(a1, "dead", "d");
    dTg = Tagged_new(db, c1);
    CHECK(dA && dB && dP && dK && dU && dPr && dPe && dC && dBg && dS && dT && dR && dAc && dTg);
    CHECK(Team_players_add(dT, pe1, c1) == REL_OK);

    nobjs = 0;
#define OBJS(M, L, D) do { objs[nobjs].name = #M; objs[nobjs].live = L; objs[nobjs].dead = D; \
        objs[nobjs].dead_id = M##_id(D); nobjs++; CHECK(M##_delete(D) == REL_OK); } while (0)
    OBJS(Author, a1, dA);
    OBJS(Book, b1, dB);
    OBJS(Publisher, p1, dP);
    OBJS(Contract, k1, dK);
    OBJS(User, u3, dU);          /* the free one: one-to-one targets */
    OBJS(Profile, pr1, dPr);
    OBJS(Person, pe2, dPe);
    OBJS(Club, c3, dC);          /* the free one (Seat.club) */
    OBJS(Badge, bg1, dBg);
    OBJS(Seat, s1, dS);
    OBJS(Team, t1, dT);
    OBJS(Roster, r1, dR);
    OBJS(Account, ac1, dAc);
    OBJS(Tagged, tg1, dTg);
#undef OBJS
    for (k = 0; k < schema->nrelations && !any_model; k++)
        if (schema->relations[k].type == REL_GENERIC)
            any_model = schema->models[schema->relations[k].target].name;
    CHECK(any_model != NULL);
    /* Every model of the schema has its objects here. */
    for (k = 0; k < schema->nmodels; k++)
        (void)objs_of(schema->models[k].name);
    CHECK(User_profile(u3) == NULL && Club_seat(c3) == NULL && Person_clubs_count(pe1) == 1);
    CHECK(api_store_verify(db) == REL_OK);
}

/* ---- one call ----------------------------------------------------------------- */

/* What goes wrong with an argument. */
enum variant {
    V_VALID,        /* nothing: every argument valid */
    V_NULL,         /* the argument is NULL */
    V_DEAD,         /* a deleted object */
    /* an array of objects (M_delete_many): */
    V_ARRAY_NULL,   /* NULL array, n = 1 */
    V_ONLY_NULL,    /* { NULL }, n = 1 */
    V_NULL_FIRST,   /* { NULL, live }: the NULL comes before any store is known */
    V_NULL_LAST,    /* { live, NULL } */
    V_ONLY_DEAD,    /* { dead } */
    V_DEAD_LAST     /* { live, dead } */
};
static const char *const variant_names[] = {
    "valid", "NULL", "deleted", "NULL array", "{ NULL }", "{ NULL, live }", "{ live, NULL }",
    "{ deleted }", "{ live, deleted }"
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_constructor(const sweep_fn *fn)
{
    return fn->ret == SW_OBJ && (ends_with(fn->name, "_new") || ends_with(fn->name, "_create"));
}

/* A forward setter M_set_r(o, x) of a relation: its relation, else NULL. */
static const rel_relation *setter_relation(const sweep_fn *fn)
{
    const char *model = fn->params[0].model;
    size_t n;
    uint32_t k, i;
    if (fn->nparams != 2 || fn->params[0].kind != SW_OBJ
        || (fn->params[1].kind != SW_OBJ && fn->params[1].kind != SW_ANY))
        return NULL;
    n = strlen(model);
    if (strncmp(fn->name, model, n) != 0 || strncmp(fn->name + n, "_set_", 5) != 0)
        return NULL;
    k = model_index(model);
    for (i = 0; i < schema->nrelations; i++) {
        const rel_relation *r = &schema->relations[i];
        const char *rest = fn->name + n + 5;
        size_t rn = strlen(r->name);
        if (r->model != k)
            continue;
        if (strcmp(r->name, rest) == 0)   /* M_set_r, and a GenericForeignKey's untyped M_set_f */
            return r;
        if (r->type == REL_GENERIC && strncmp(rest, r->name, rn) == 0 && rest[rn] == '_'
            && strcmp(rest + rn + 1, schema->models[r->target].name) == 0)
            return r;                     /* a GenericForeignKey's typed M_set_f_T */
    }
    return NULL;
}

/* Whether NULL for parameter `bad` is no bad argument but a documented
 * value: M_delete_ex's result (optional), a forward setter's value of a
 * null = true relation ("unset"), loaddata's source name ("<fixture>"). */
static bool optional_null(const sweep_fn *fn, int bad)
{
    const rel_relation *r = setter_relation(fn);
    return fn->params[bad].kind == SW_RESULT || (r && bad == 1 && r->null)
        || (ends_with(fn->name, "_store_loaddata") && bad == 3);
}

/* Where a dump in the sweep writes: a file of no interest. */
static FILE *sink(void)
{
    static FILE *f;
    if (!f)
        f = tmpfile();
    return f;
}

/* The failing calls that set the sentinels: errmsg of the store, and the
 * message of no store (written by a NULL store to a create; a different
 * create when the function under test is that one). */
static char sentinel_db[sizeof(rel_errmsg)], sentinel_nostore[sizeof(rel_errmsg)];
static void set_sentinels(const sweep_fn *fn)
{
    CHECK(Author_set_name((Author *)objs_of("Author")->live, "toolong") == REL_ETOOLONG);
    strcpy(sentinel_db, api_store_errmsg(db));
    CHECK(strcmp(fn->name, "Publisher_new") == 0 ? Club_new(NULL) == NULL : Publisher_new(NULL) == NULL);
    strcpy(sentinel_nostore, rel_errmsg_nostore());
    CHECK(strstr(sentinel_nostore, "NULL store") != NULL);
}

/* ---- one call ----------------------------------------------------------------- */

static int failures_in_child;
static const sweep_fn *cur_fn;
static int cur_param;
static enum variant cur_variant;

/* A failure of the call in the child, reported. */
static void fail(const char *fmt, ...)
{
    va_list ap;
    failures_in_child++;
    fprintf(stderr, "FAIL: %s(%s = %s): ", cur_fn->name,
            cur_param >= 0 ? cur_fn->params[cur_param].name : "-", variant_names[cur_variant]);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The kinds of function, by what they return and their names. */
static bool is_mutator(const sweep_fn *fn)
{
    return fn->ret == SW_STATUS && !ends_with(fn->name, "_store_verify");
}
static bool is_contains(const sweep_fn *fn) { return fn->ret == SW_BOOL; }
static bool is_getter(const sweep_fn *fn) { return !is_mutator(fn) && !is_constructor(fn) && !is_contains(fn); }

/* The read-only functions whose NULL argument SPEC 6 lets be undefined
 * (see the top of this file): every getter but the store's own, whose
 * NULL is defined (S_store_free(NULL) does nothing, S_store_errmsg(NULL)
 * is rel_errmsg_nostore(), S_store_verify(NULL) is REL_EINVAL). */
static bool null_undefined(const sweep_fn *fn)
{
    return is_getter(fn) && !ends_with(fn->name, "_store_free") && !ends_with(fn->name, "_store_errmsg")
        && !ends_with(fn->name, "_store_verify");
}

/* In the child: the call, and every check.  Exits 0 (passed) or 3. */
static void child(const sweep_fn *fn, int bad, enum variant v, const char *before)
{
    sweep_arg a[4];
    sweep_ret r;
    void *array[2];
    rel_cursor cursor;
    api_delete_result result, zero_result;
    rel_delete_plan plan, zero_plan;
    const sweep_param *bp = bad >= 0 ? &fn->params[bad] : NULL;
    const char *expect = NULL;      /* what the message must say */
    char want[128];
    bool to_nostore = false, other_object = false;
    const rel_relation *setter = setter_relation(fn);
    int i;

    alarm(20);
    set_sentinels(fn);
    memset(a, 0, sizeof a);
    memset(&r, 0, sizeof r);
    memset(&result, 0xab, sizeof result);   /* garbage, as an uninitialised one */
    memset(&plan, 0xab, sizeof plan);
    memset(&zero_result, 0, sizeof zero_result);
    memset(&zero_plan, 0, sizeof zero_plan);
    for (i = 0; i < fn->nparams; i++) {
        const sweep_param *p = &fn->params[i];
        switch (p->kind) {
        case SW_STORE: a[i].p = db; break;
        case SW_OBJ: a[i].p = objs_of(p->model)->live; break;
        case SW_ANY: a[i].p = objs_of(any_model)->live; break;
        case SW_OBJS:
            array[0] = array[1] = objs_of(p->model)->live;
            a[i].p = array;
            break;
        case SW_STRING: a[i].s = "x"; break;
        case SW_CURSOR: cursor = rel_all((const rel_store *)db, model_index(fn->ret_model)); a[i].p = &cursor; break;
        case SW_U64: a[i].u = rel_id_of(objs_of(fn->ret_model)->live); break;
        case SW_SIZE: a[i].u = 1; break;
        case SW_FILE: a[i].p = sink(); break;
        case SW_INT: a[i].u = 0; break;
        case SW_RESULT: a[i].p = &result; break;
        case SW_PLAN: a[i].p = &plan; break;
        }
        if (i != bad && (p->kind == SW_STORE || p->kind == SW_OBJ || p->kind == SW_OBJS || p->kind == SW_ANY))
            other_object = true;
    }
    if (ends_with(fn->name, "_store_loaddata")) {   /* its valid text: an empty fixture */
        a[1].s = "[]";
        a[2].u = 2;
    }
    if (bp) {
        model_objs *mo = param_model(bp) ? objs_of(param_model(bp)) : NULL;
        switch (v) {
        case V_NULL: a[bad].p = NULL; a[bad].s = NULL; break;
        case V_DEAD: a[bad].p = mo->dead; break;
        case V_ARRAY_NULL: a[bad].p = NULL; break;
        case V_ONLY_NULL: array[0] = NULL; break;
        case V_NULL_FIRST: array[0] = NULL; a[bad + 1].u = 2; break;
        case V_NULL_LAST: array[1] = NULL; a[bad + 1].u = 2; break;
        case V_ONLY_DEAD: array[0] = mo->dead; break;
        case V_DEAD_LAST: array[1] = mo->dead; a[bad + 1].u = 2; break;
        default: break;
        }
        if (bp->kind == SW_STRING)
            snprintf(want, sizeof want, "is NULL");
        else if (v == V_NULL || v == V_ONLY_NULL || v == V_NULL_FIRST || v == V_NULL_LAST)
            snprintf(want, sizeof want, "NULL %s", bp->kind == SW_STORE ? "store" : bp->kind == SW_PLAN ? "plan"
                     : bp->kind == SW_FILE ? "file" : param_model(bp));
        else if (v == V_ARRAY_NULL)
            snprintf(want, sizeof want, "an argument is NULL");
        else
            snprintf(want, sizeof want, "%s %llu was deleted", mo->name, (unsigned long long)mo->dead_id);
        expect = want;
        /* No store to tell: a NULL argument and no other object or store
         * in the call (an array's other entry counts): the message goes
         * to rel_errmsg_nostore().  Otherwise to the store of the other
         * object (docs/api.md, "Errors"). */
        to_nostore = (v == V_NULL || v == V_ARRAY_NULL || v == V_ONLY_NULL) && !other_object;
    }

    fn->call(a, &r);

    if (v == V_VALID) {
        if (is_constructor(fn) && !r.p && !strstr(api_store_errmsg(db), "already has"))
            fail("a valid create failed: %s", api_store_errmsg(db));
        if (ends_with(fn->name, "_delete_plan")) {   /* a plan changes nothing */
            char *after = fingerprint();
            if (r.status != REL_OK && r.status != REL_EPROTECTED && r.status != REL_ERESTRICTED)
                fail("a valid plan: %s", rel_strerror(r.status));
            if (strcmp(before, after) != 0)
                fail("a plan changed the store");
            free(after);
        }
        _exit(failures_in_child ? 3 : 0);
    }
    if (v == V_NULL && optional_null(fn, bad)) {
        /* Unsetting a null = true relation, or a delete that does not say
         * what it did: the call does what it does with a value. */
        if (bp->kind == SW_RESULT ? r.status != REL_OK && r.status != REL_EPROTECTED && r.status != REL_ERESTRICTED
            : r.status != REL_OK)
            fail("returned %s", rel_strerror(r.status));
        if (api_store_verify(db) != REL_OK)
            fail("verify: %s", api_store_errmsg(db));
        _exit(failures_in_child ? 3 : 0);
    }

    /* What it returns. */
    if (setter && bad == 1 && v == V_NULL) {
        /* A forward setter's value NULL for a required relation. */
        if (r.status != REL_ENULL)
            fail("returned %s, not REL_ENULL", rel_strerror(r.status));
        expect = "cannot be NULL";
    } else if (is_mutator(fn) && r.status != REL_EINVAL) {
        fail("returned %s, not REL_EINVAL", rel_strerror(r.status));
    }
    if (is_constructor(fn) && r.p)
        fail("returned an object, not NULL");
    if (is_constructor(fn) && bad > 0 && v == V_NULL && strstr(api_store_errmsg(db), "is required"))
        expect = "is required";   /* a required relation NULL: REL_ENULL's message */
    if (is_contains(fn) && r.b)
        fail("returned true");
    for (i = 0; i < fn->nparams; i++) {
        /* Out-parameters of a refused call: a plan is empty (nothing to
         * free), a result says nothing went. */
        if (fn->params[i].kind == SW_PLAN && i != bad && memcmp(&plan, &zero_plan, sizeof plan) != 0)
            fail("the plan of a refused call is not empty");
        if (fn->params[i].kind == SW_RESULT && memcmp(&result, &zero_result, sizeof result) != 0)
            fail("the result of a refused call is not zeroed (total %#zx)", result.total);
    }
    if (ends_with(fn->name, "_store_errmsg") && r.s != rel_errmsg_nostore())
        fail("errmsg(NULL) is not rel_errmsg_nostore()");
    if (ends_with(fn->name, "_store_verify") && r.status != REL_EINVAL)
        fail("returned %s, not REL_EINVAL", rel_strerror(r.status));
    if (is_getter(fn) && v == V_DEAD) {
        uint64_t id = objs_of(param_model(bp))->dead_id;
        if (fn->ret == SW_U64 && r.u != id)         /* M_id: the id, dead or alive */
            fail("the id of a deleted object is %llu, not %llu", (unsigned long long)r.u,
                 (unsigned long long)id);
        else if (fn->ret == SW_STORE && r.p != db)  /* M_store: its store, dead or alive */
            fail("a deleted object's store is %p, not %p", r.p, (void *)db);
        else if (ends_with(fn->name, "_model") && fn->ret == SW_SIZE) {   /* M_f_model: -1, it points at nothing */
            if ((int)r.u != -1)
                fail("does not answer as for an empty object (%d, not -1)", (int)r.u);
        } else if ((fn->ret == SW_OBJ && r.p) || (fn->ret == SW_STRING && (!r.s || *r.s))
                 || ((fn->ret == SW_LIST || fn->ret == SW_SIZE) && r.u))
            fail("does not answer as for an empty object (%p, %llu)", fn->ret == SW_STRING ? (const void *)r.s : r.p,
                 (unsigned long long)r.u);
    }

    /* The message: set by this call, in the right place, naming the problem. */
    if (is_mutator(fn) || is_constructor(fn) || ends_with(fn->name, "_store_verify")) {
        const char *in_db = api_store_errmsg(db), *in_none = rel_errmsg_nostore();
        bool db_set = strcmp(in_db, sentinel_db) != 0, none_set = strcmp(in_none, sentinel_nostore) != 0;
        const char *msg = to_nostore ? in_none : in_db;
        bool set = to_nostore ? none_set : db_set;
        if (!set)
            fail("no message in %s (it still says \"%s\"; rel_errmsg_nostore() says \"%s\")",
                 msg == in_db ? "the store's errmsg" : "rel_errmsg_nostore()", msg, in_none);
        else if (!strstr(msg, expect))
            fail("the message \"%s\" does not say \"%s\"", msg, expect);
    }

    /* Nothing changed. */
    {
        char *after = fingerprint();
        if (strcmp(before, after) != 0)
            fail("the store changed:\n--- before\n%s--- after\n%s", before, after);
        free(after);
    }
    if (api_store_verify(db) != REL_OK)
        fail("verify: %s", api_store_errmsg(db));
    _exit(failures_in_child ? 3 : 0);
}

static unsigned long calls, null_calls, dead_calls, valid_calls, optional_calls, crashes, failures, skipped;

/* Forks, runs the call in the child, and judges its end: the child's
 * exit status. */
static void run(const sweep_fn *fn, int bad, enum variant v, const char *before)
{
    pid_t pid;
    int status;
    bool shown;
    FILE *err = tmpfile();   /* the child's standard error: shown when it failed */
    cur_fn = fn;
    cur_param = bad;
    cur_variant = v;
    fflush(stdout);
    fflush(stderr);
    CHECK(err != NULL);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CHECK(dup2(fileno(err), 2) == 2);
        child(fn, bad, v, before);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    if (v == V_VALID) {
        valid_calls++;
    } else if (v == V_NULL && optional_null(fn, bad)) {
        optional_calls++;
    } else {
        calls++;
        if (v == V_DEAD || v == V_ONLY_DEAD || v == V_DEAD_LAST)
            dead_calls++;
        else
            null_calls++;
    }
    shown = getenv("SWEEP_VERBOSE") != NULL;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
        failures++;
        shown = true;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* A crash, or a sanitizer's report. */
        crashes++;
        shown = true;
        if (WIFSIGNALED(status))
            printf("CRASH: %s(%s = %s): signal %d (%s)\n", fn->name, bad >= 0 ? fn->params[bad].name : "-",
                   variant_names[v], WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            printf("CRASH: %s(%s = %s): exit status %d\n", fn->name, bad >= 0 ? fn->params[bad].name : "-",
                   variant_names[v], WEXITSTATUS(status));
    }
    if (shown) {
        char line[1024];
        fflush(stdout);
        rewind(err);
        while (fgets(line, sizeof line, err))
            fputs(line, stderr);
    }
    fclose(err);
}

int main(void)
{
    char *before;
    int i, j, status = EXIT_SUCCESS;
    unsigned long with_pointer = 0;

    signal(SIGPIPE, SIG_IGN);
    populate();
    before = fingerprint();
    for (i = 0; i < SWEEP_NFNS; i++) {
        const sweep_fn *fn = &sweep_fns[i];
        bool any = false;
        if (!ends_with(fn->name, "_store_free"))   /* valid: the one store of this process, at the end */
            run(fn, -1, V_VALID, before);
        for (j = 0; j < fn->nparams; j++) {
            switch (fn->params[j].kind) {
            case SW_STORE:
            case SW_CURSOR:
                any = true;
                if (null_undefined(fn))
                    skipped++;
                else
                    run(fn, j, V_NULL, before);
                break;
            case SW_STRING:
            case SW_RESULT:
            case SW_PLAN:
            case SW_FILE:
                any = true;
                run(fn, j, V_NULL, before);
                break;
            case SW_OBJ:
            case SW_ANY:
                any = true;
                if (null_undefined(fn))
                    skipped++;
                else
                    run(fn, j, V_NULL, before);
                run(fn, j, V_DEAD, before);
                break;
            case SW_OBJS:
                any = true;
                run(fn, j, V_ARRAY_NULL, before);
                run(fn, j, V_ONLY_NULL, before);
                run(fn, j, V_NULL_FIRST, before);
                run(fn, j, V_NULL_LAST, before);
                run(fn, j, V_ONLY_DEAD, before);
                run(fn, j, V_DEAD_LAST, before);
                break;
            default:
                break;
            }
        }
        with_pointer += any;
    }
    {
        char *after = fingerprint();
        CHECK(strcmp(before, after) == 0);
        free(after);
    }
    free(before);
    api_store_free(db);

    printf("sweep: %d functions (%lu with a pointer argument), %lu calls with a NULL or deleted argument "
           "(%lu NULL, %lu deleted), %lu with a NULL that means \"none\" and %lu with valid arguments, %lu NULL "
           "arguments of read-only getters skipped; %lu crashes, %lu calls with failures\n",
           SWEEP_NFNS, with_pointer, calls, null_calls, dead_calls, optional_calls, valid_calls, skipped, crashes,
           failures);
    if (crashes || failures)
        status = EXIT_FAILURE;
    return status;
}
