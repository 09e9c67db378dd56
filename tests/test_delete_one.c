/* test_delete_one.c: M_delete's short path for a parent of leaves
 * (runtime/rel_delete_one.c, REL_LEAF_PARENT) against the collector.
 *
 * Two stores of tests/delete_one/dp.rel take the same random operations;
 * a delete of one object is M_delete in the first and M_delete_many of
 * one object in the second (the collector's path, as before issue 15).
 * After every operation both stores must print the same (every object,
 * field and link, in the stores' own order, which shows that slots go
 * back to the pools in the same order) and verify.  After each delete the
 * objects that went read as empty (SPEC 6), M_get finds none of their
 * ids, and the next id is new.  NULL and deleted arguments are refused
 * with REL_EINVAL and a message naming the call.
 *
 *   test_delete_one [SEED [STEPS]]   prints "N passed, N failed" */
#include "dp.h"
#include "rel_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long passed, failed;

#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL line %d: ", __LINE__); \
    printf(__VA_ARGS__); putchar('\n'); } } while (0)

static unsigned long long rng_state;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng_state >> 33) % n);
}

#define ID(o) ((unsigned long long)rel_id_of(o))

/* " what id id ...": the ids of a list view's objects. */
#define IDS(f, what, view) do { size_t i_; fprintf(f, " %s", what); \
    for (i_ = 0; i_ < (view).count; i_++) fprintf(f, " %llu", ID((view).items[i_])); } while (0)

/* Every object, field and link of a store, as text. */
static char *print(dp_store *db)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rel_forall(Shelf, s, Shelf_all(db)) {
        fprintf(f, "S%llu '%s'", ID(s), Shelf_label(s));
        IDS(f, "items", Shelf_items(s));
        fputc('\n', f);
    }
    rel_forall(Item, x, Item_all(db))
        fprintf(f, "I%llu w=%d shelf=%llu\n", ID(x), (int)Item_w(x), ID(Item_shelf(x)));
    rel_forall(Box, b, Box_all(db)) {
        fprintf(f, "B%llu n=%d", ID(b), (int)Box_n(b));
        IDS(f, "tags", Box_tags(b));
        IDS(f, "notes", Box_notes(b));
        fputc('\n', f);
    }
    rel_forall(Tag, t, Tag_all(db))
        fprintf(f, "T%llu box=%llu\n", ID(t), ID(Tag_box(t)));
    rel_forall(Note, n, Note_all(db))
        fprintf(f, "N%llu x=%d box=%llu\n", ID(n), (int)Note_x(n), ID(Note_box(n)));
    rel_forall(Crate, c, Crate_all(db)) {
        fprintf(f, "C%llu", ID(c));
        IDS(f, "slips", Crate_slips(c));
        IDS(f, "labels", Crate_labels(c));
        fputc('\n', f);
    }
    rel_forall(Slip, s, Slip_all(db))
        fprintf(f, "P%llu crate=%llu\n", ID(s), ID(Slip_crate(s)));
    rel_forall(Label, l, Label_all(db))
        fprintf(f, "L%llu crate=%llu\n", ID(l), Label_crate(l) ? ID(Label_crate(l)) : 0ull);
    fclose(f);
    return buf;
}

/* The objects of each model in both stores, index for index. */
enum { SHELF, ITEM, BOX, TAG, NOTE, CRATE, SLIP, LABEL, NMODELS, CAP = 4096 };
typedef struct side {
    dp_store *db;
    void *objs[NMODELS][CAP];
} side;
static side a, b;
static size_t nobjs[NMODELS];
static uint64_t maxid[NMODELS];   /* the highest id each model issued */

static void forget(int m, size_t i)
{
    a.objs[m][i] = a.objs[m][nobjs[m] - 1];
    b.objs[m][i] = b.objs[m][nobjs[m] - 1];
    nobjs[m]--;
}

/* Drops from the lists every object of model m that the delete retired. */
static void forget_dead(int m)
{
    size_t i;
    for (i = nobjs[m]; i-- > 0;)
        if (!rel_alive(a.objs[m][i])) {
            CHECK(!rel_alive(b.objs[m][i]), "model %d: deleted in one store only", m);
            forget(m, i);
        }
}

/* A new object of model m in both stores, under a random parent. */
static void create(int m)
{
    int parent = m == ITEM ? SHELF : m == TAG || m == NOTE ? BOX : m == SLIP || m == LABEL ? CRATE : -1;
    side *sd[2];
    void *made[2];
    size_t p = 0;
    int i;
    unsigned set;
    char text[16];
    if (nobjs[m] == CAP || (parent >= 0 && nobjs[parent] == 0))
        return;
    if (parent >= 0)
        p = rnd((unsigned)nobjs[parent]);
    sd[0] = &a;
    sd[1] = &b;
    sprintf(text, "s%u", rnd(1000));
    set = rnd(4);   /* the label or the crate, or not */
    for (i = 0; i < 2; i++) {
        dp_store *db = sd[i]->db;
        void *par = parent >= 0 ? sd[i]->objs[parent][p] : NULL;
        void *o = NULL;
        switch (m) {
        case SHELF: o = Shelf_new(db); if (o && set) CHECK(Shelf_set_label((Shelf *)o, text) == REL_OK, "label"); break;
        case ITEM: o = Item_new(db, (Shelf *)par); if (o) Item_set_w((Item *)o, 7); break;
        case BOX: o = Box_new(db); if (o) Box_set_n((Box *)o, 3); break;
        case TAG: o = Tag_new(db, (Box *)par); break;
        case NOTE: o = Note_new(db, (Box *)par); if (o) Note_set_x((Note *)o, 5); break;
        case CRATE: o = Crate_new(db); break;
        case SLIP: o = Slip_new(db, (Crate *)par); break;
        default: o = Label_new(db); if (o && set) Label_set_crate((Label *)o, (Crate *)par); break;
        }
        CHECK(o != NULL, "create %d: %s", m, dp_store_errmsg(db));
        if (!o)
            exit(1);
        made[i] = o;
    }
    CHECK(rel_id_of(made[0]) > maxid[m] && rel_id_of(made[1]) == rel_id_of(made[0]), "model %d: id %llu reused",
          m, ID(made[0]));
    maxid[m] = rel_id_of(made[0]);
    a.objs[m][nobjs[m]] = made[0];
    b.objs[m][nobjs[m]] = made[1];
    nobjs[m]++;
}

/* What a deleted Shelf, Item, Box, Tag or Note reads as. */
static void check_empty(int m, void *o)
{
    switch (m) {
    case SHELF: CHECK(!strcmp(Shelf_label((Shelf *)o), "") && Shelf_items_count((Shelf *)o) == 0
                      && Shelf_items((Shelf *)o).count == 0, "deleted shelf reads as empty"); break;
    case ITEM: CHECK(Item_shelf((Item *)o) == NULL && Item_w((Item *)o) == 0, "deleted item reads as empty"); break;
    case BOX: CHECK(Box_n((Box *)o) == 0 && Box_tags_count((Box *)o) == 0 && Box_notes_count((Box *)o) == 0,
                    "deleted box reads as empty"); break;
    case TAG: CHECK(Tag_box((Tag *)o) == NULL, "deleted tag reads as empty"); break;
    case NOTE: CHECK(Note_box((Note *)o) == NULL && Note_x((Note *)o) == 0, "deleted note reads as empty"); break;
    default: break;
    }
}

static void *get(dp_store *db, int m, uint64_t id)
{
    switch (m) {
    case SHELF: return Shelf_get(db, id);
    case ITEM: return Item_get(db, id);
    case BOX: return Box_get(db, id);
    case TAG: return Tag_get(db, id);
    case NOTE: return Note_get(db, id);
    case CRATE: return Crate_get(db, id);
    case SLIP: return Slip_get(db, id);
    default: return Label_get(db, id);
    }
}

/* Deletes a random parent (or, now and then, a leaf) of model m: M_delete
 * in a, M_delete_many of one in b. */
static void delete_one(int m)
{
    void *oa, *ob, **dead;
    uint64_t *ids;
    int *dm;
    size_t i, ndead = 0, all = 0;
    int k;
    rel_status sa, sb;
    if (nobjs[m] == 0)
        return;
    for (k = 0; k < NMODELS; k++)
        all += nobjs[k];
    dead = (void **)malloc(all * sizeof *dead);
    ids = (uint64_t *)malloc(all * sizeof *ids);
    dm = (int *)malloc(all * sizeof *dm);
    if (!dead || !ids || !dm)
        exit(1);
    i = rnd((unsigned)nobjs[m]);
    oa = a.objs[m][i];
    ob = b.objs[m][i];
    for (k = 0; k < NMODELS; k++) {   /* whatever the cascade may take */
        size_t j;
        for (j = 0; j < nobjs[k]; j++) {
            dead[ndead] = a.objs[k][j];
            ids[ndead] = rel_id_of(a.objs[k][j]);
            dm[ndead++] = k;
        }
    }
    switch (m) {
    case SHELF: sa = Shelf_delete((Shelf *)oa); sb = Shelf_delete_many((Shelf *const *)&ob, 1); break;
    case BOX: sa = Box_delete((Box *)oa); sb = Box_delete_many((Box *const *)&ob, 1); break;
    case CRATE: sa = Crate_delete((Crate *)oa); sb = Crate_delete_many((Crate *const *)&ob, 1); break;
    case ITEM: sa = Item_delete((Item *)oa); sb = Item_delete_many((Item *const *)&ob, 1); break;
    default: sa = Tag_delete((Tag *)oa); sb = Tag_delete_many((Tag *const *)&ob, 1); break;
    }
    CHECK(sa == REL_OK && sb == REL_OK, "delete %d: %d %d", m, (int)sa, (int)sb);
    for (i = 0; i < ndead; i++)
        if (!rel_alive(dead[i])) {
            check_empty(dm[i], dead[i]);
            CHECK(get(a.db, dm[i], ids[i]) == NULL, "get finds deleted %d %llu", dm[i], (unsigned long long)ids[i]);
        }
    CHECK(!rel_alive(oa) && !rel_alive(ob), "the object went");
    for (k = 0; k < NMODELS; k++)
        forget_dead(k);
    free(dead);
    free(ids);
    free(dm);
}

/* The flags the short path depends on. */
static void check_flags(void)
{
    const rel_store *db = (const rel_store *)a.db;
    CHECK(db->models[SHELF].flags & REL_LEAF_PARENT, "Shelf is a parent of leaves");
    CHECK(db->models[BOX].flags & REL_LEAF_PARENT, "Box is a parent of leaves");
    CHECK(!(db->models[CRATE].flags & REL_LEAF_PARENT), "Crate has a SET_NULL referrer");
    CHECK(!(db->models[ITEM].flags & REL_LEAF_PARENT), "Item declares a relation");
}

/* NULL and deleted arguments: REL_EINVAL, a message naming the call. */
static void check_arguments(void)
{
    Shelf *s = Shelf_new(a.db), *t = Shelf_new(b.db);
    CHECK(Shelf_delete(NULL) == REL_EINVAL, "NULL refused");
    CHECK(strstr(rel_errmsg_nostore(), "Shelf_delete") != NULL, "NULL message: %s", rel_errmsg_nostore());
    CHECK(s && Shelf_delete(s) == REL_OK, "delete");
    CHECK(Shelf_delete(s) == REL_EINVAL, "deleted refused");
    CHECK(strstr(dp_store_errmsg(a.db), "Shelf_delete") != NULL, "deleted message: %s", dp_store_errmsg(a.db));
    CHECK(t && Shelf_delete_many(&t, 1) == REL_OK, "the twin keeps step");
    maxid[SHELF] = rel_id_of(s);
}

/* A cascade that writes its leaves' tags without reading them (while
 * every id of the leaf model is below 2^24: rel_scrub.c's blind_ok) and
 * one that reads them (an id of 2^24 or more issued) leave the same
 * dead tags: REL_DEAD and the id, which the refusal names.  The ids come
 * from a fixture, as a program's would. */
static void check_blind(const char *pegs, const unsigned long *ids, size_t n, bool blind)   /* n == 4 */
{
    char text[512];
    dp_store *db = dp_store_new();
    Peg *p[4];
    Rack *r;
    size_t i;
    int len = snprintf(text, sizeof text, "[{\"model\": \"dp.rack\", \"pk\": 1, \"fields\": {\"n\": 1}}%s]", pegs);
    CHECK(db && len > 0 && (size_t)len < sizeof text, "setup");
    if (!db)
        return;
    CHECK(dp_store_loaddata(db, text, (size_t)len, "blind.json") == REL_OK, "load: %s", dp_store_errmsg(db));
    CHECK((((const rel_store *)db)->models[dp_Peg_model].last_id < ((uint32_t)1 << 24)) == blind, "the ids are as meant");
    r = Rack_get(db, 1);
    for (i = 0; i < n; i++)
        CHECK((p[i] = Peg_get(db, ids[i])) != NULL && Peg_rack(p[i]) == r, "Peg %lu loaded", ids[i]);
    if (!r || !p[0] || !p[1] || !p[2] || !p[3]) {
        dp_store_free(db);
        return;
    }
    CHECK(Rack_delete(r) == REL_OK, "delete the rack");
    for (i = 0; i < n; i++) {
        char want[64];
        CHECK(REL_CTAG(p[i]) == (REL_DEAD | (uint32_t)ids[i]), "Peg %lu's dead tag %#x", ids[i], (unsigned)REL_CTAG(p[i]));
        CHECK(Peg_k(p[i]) == 0 && Peg_rack(p[i]) == NULL, "Peg %lu reads as empty", ids[i]);
        CHECK(Peg_set_k(p[i], 5) == REL_EINVAL, "Peg %lu refused", ids[i]);
        snprintf(want, sizeof want, "Peg %lu was deleted", ids[i]);
        CHECK(strstr(dp_store_errmsg(db), want) != NULL, "message: %s", dp_store_errmsg(db));
    }
    CHECK(Peg_count(db) == 0 && dp_store_verify(db) == REL_OK, "verify: %s", dp_store_errmsg(db));
    dp_store_free(db);
}

static void check_blind_kills(void)
{
    static const unsigned long below[] = { 1, 65537, 16777214, 16777215 };
    static const unsigned long above[] = { 2, 16777215, 16777216, 16777300 };
    check_blind(", {\"model\": \"dp.peg\", \"pk\": 1, \"fields\": {\"k\": 1, \"rack\": 1}}"
                ", {\"model\": \"dp.peg\", \"pk\": 65537, \"fields\": {\"k\": 2, \"rack\": 1}}"
                ", {\"model\": \"dp.peg\", \"pk\": 16777214, \"fields\": {\"k\": 3, \"rack\": 1}}"
                ", {\"model\": \"dp.peg\", \"pk\": 16777215, \"fields\": {\"k\": 4, \"rack\": 1}}",
                below, 4, true);
    check_blind(", {\"model\": \"dp.peg\", \"pk\": 2, \"fields\": {\"k\": 1, \"rack\": 1}}"
                ", {\"model\": \"dp.peg\", \"pk\": 16777215, \"fields\": {\"k\": 2, \"rack\": 1}}"
                ", {\"model\": \"dp.peg\", \"pk\": 16777216, \"fields\": {\"k\": 3, \"rack\": 1}}"
                ", {\"model\": \"dp.peg\", \"pk\": 16777300, \"fields\": {\"k\": 4, \"rack\": 1}}",
                above, 4, false);
}

int main(int argc, char **argv)
{
    unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
    unsigned long steps = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000, n;
    char *pa, *pb;
    rng_state = seed;
    a.db = dp_store_new();
    b.db = dp_store_new();
    if (!a.db || !b.db)
        return 1;
    check_flags();
    check_arguments();
    check_blind_kills();
    for (n = 0; n < steps; n++) {
        unsigned op = rnd(100);
        if (op < 10)
            create(rnd(2) ? SHELF : rnd(2) ? BOX : CRATE);
        else if (op < 70)
            create(ITEM + (int)rnd(LABEL));   /* any model; parents too */
        else if (op < 92)
            delete_one(rnd(3) == 0 ? SHELF : rnd(2) ? BOX : CRATE);
        else
            delete_one(rnd(2) ? ITEM : TAG);
        if (n % 50 == 0 || op >= 70) {
            pa = print(a.db);
            pb = print(b.db);
            CHECK(!strcmp(pa, pb), "step %lu: the stores differ:\n%s---\n%s", n, pa, pb);
            free(pa);
            free(pb);
            CHECK(dp_store_verify(a.db) == REL_OK, "verify: %s", dp_store_errmsg(a.db));
            CHECK(dp_store_verify(b.db) == REL_OK, "verify: %s", dp_store_errmsg(b.db));
        }
        if (failed > 20)
            break;
    }
    dp_store_free(a.db);
    dp_store_free(b.db);
    printf("%lu passed, %lu failed\n", passed, failed);
    return failed != 0;
}
