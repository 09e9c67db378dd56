/* test_create_fast.c: the inline create (rel_new_fast) and the free list
 * a delete hands back (issue 15), on tests/delete_one/dp.rel.
 *
 * - Which link each pool uses: wide (8 unread bytes, the next slot's
 *   address) or 32-bit (a reference to it, rel_cref); with 32-bit
 *   references in the structs, every model of dp.rel gets a 32-bit one.
 * - The id space running out: the create that would pass REL_ID_MAX
 *   fails with REL_ENOMEM, changing nothing, on the inline path with and
 *   without a required ForeignKey.
 * - The id index: built by M_get, then filled by inline creates past
 *   its room (the generic path grows it), each new object found by id.
 * - Slots deleted through their 32-bit links come back before the pool
 *   takes new memory, every member of a new object empty but for its
 *   links, the objects not yet reused still reading as empty, and the
 *   store verifying (which walks every free list) after every step.
 * - M_delete's shortest path (a parent of one kind of leaf, no string).
 * - The gate (rel_pool.end), the inline create's one test: closed by a
 *   delete and open again once the slots are reused, open with the id
 *   index for no more creates than it has room for (creates then found
 *   by id), open for no more slots than ids are left; verify refusing a
 *   gate open over a free list or past the index's room.
 *
 *   test_create_fast   prints "N passed, N failed" */
#include "dp.h"
#include "rel_impl.h"

#include <stdio.h>
#include <string.h>

static unsigned long passed, failed;

#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL line %d: ", __LINE__); \
    printf(__VA_ARGS__); putchar('\n'); } } while (0)

static rel_model_state *state(dp_store *db, int k) { return &((rel_store *)db)->models[k]; }
/* How many inline creates the gate (rel_pool.end) lets through now. */
static size_t gate_room(dp_store *db, int k)
{
    const rel_pool *p = &state(db, k)->pool;
    return (size_t)(p->end - p->next) / p->size;
}

/* Moves model k's last id as the runtime does (rel_gate after it), to
 * reach the end of the id space without a billion creates. */
static void set_last_id(dp_store *db, int k, uint32_t last)
{
    state(db, k)->last_id = last;
    rel_gate(state(db, k));
}

static void verify(dp_store *db, const char *when)
{
    CHECK(dp_store_verify(db) == REL_OK, "%s: %s", when, dp_store_errmsg(db));
}

static void links(void)
{
    dp_store *db = dp_store_new();
    /* Item: tag, w, shelf (a 32-bit reference), position: 16 bytes, of
     * which only the position is unread. */
    CHECK(!state(db, dp_Item_model)->pool.wide && state(db, dp_Item_model)->pool.link == 12, "Item's link");
    CHECK(state(db, dp_Item_model)->pool.size == 16, "Item's slot: %u bytes", (unsigned)state(db, dp_Item_model)->pool.size);
    CHECK(!state(db, dp_Note_model)->pool.wide && state(db, dp_Note_model)->pool.link == 12, "Note's link");
    /* Tag: tag, position, box: only the position is unread. */
    CHECK(!state(db, dp_Tag_model)->pool.wide && state(db, dp_Tag_model)->pool.link == 4, "Tag's link");
    CHECK(state(db, dp_Tag_model)->pool.size == 16, "Tag's slot: %u bytes", (unsigned)state(db, dp_Tag_model)->pool.size);
    /* Box: n, two lists: the first list's capacity. */
    CHECK(!state(db, dp_Box_model)->pool.wide && state(db, dp_Box_model)->pool.link == 20, "Box's link");
    dp_store_free(db);
}

static void ids_run_out(void)
{
    dp_store *db = dp_store_new();
    Shelf *s = Shelf_new(db);
    Box *b = Box_new(db);
    Item *x, *y;
    Box *c, *d;
    set_last_id(db, dp_Item_model, REL_ID_MAX - 1);
    set_last_id(db, dp_Box_model, REL_ID_MAX - 1);
    x = Item_new(db, s);
    CHECK(x && Item_id(x) == REL_ID_MAX && Item_shelf(x) == s, "the last id");
    y = Item_new(db, s);
    CHECK(!y && strstr(dp_store_errmsg(db), "no ids left for Item"), "past the last id: %s", dp_store_errmsg(db));
    CHECK(Item_count(db) == 1 && Shelf_items_count(s) == 1 && state(db, dp_Item_model)->last_id == REL_ID_MAX,
          "a refused create changes nothing");
    c = Box_new(db);
    CHECK(c && Box_id(c) == REL_ID_MAX, "the last Box id");
    d = Box_new(db);
    CHECK(!d && strstr(dp_store_errmsg(db), "no ids left for Box"), "past the last Box id: %s", dp_store_errmsg(db));
    CHECK(Box_count(db) == 2, "a refused Box create changes nothing");
    CHECK(Box_id(b) == 1 && Item_id(Shelf_items(s).items[0]) == REL_ID_MAX, "the ids");
    verify(db, "ids run out");
    dp_store_free(db);
}

static void id_index(void)
{
    dp_store *db = dp_store_new();
    Shelf *s = Shelf_new(db);
    Item *items[3000];
    uint32_t i, lost = 0;
    items[0] = Item_new(db, s);
    CHECK(Item_get(db, 1) == items[0] && state(db, dp_Item_model)->ids.items, "M_get builds the index");
    CHECK(gate_room(db, dp_Item_model) <= state(db, dp_Item_model)->ids.cap - state(db, dp_Item_model)->ids.count,
          "the gate: no more creates than the index's room");
    for (i = 1; i < 3000; i++)
        items[i] = Item_new(db, s);
    for (i = 0; i < 3000; i++)
        lost += Item_get(db, i + 1) != items[i];
    CHECK(lost == 0, "%u of 3000 not found by id", (unsigned)lost);
    CHECK(gate_room(db, dp_Item_model) <= state(db, dp_Item_model)->ids.cap - state(db, dp_Item_model)->ids.count
          && state(db, dp_Item_model)->ids.cap >= 3000, "the gate follows the index's room");
    verify(db, "id index");
    dp_store_free(db);
}

/* Every member of a deleted Item, Tag or Note reads as empty. */
static bool empty_item(const Item *x) { return Item_w(x) == 0 && !Item_shelf(x); }
static bool empty_tag(const Tag *t) { return !Tag_box(t); }
static bool empty_note(const Note *n) { return Note_x(n) == 0 && !Note_box(n); }

static void reuse(void)
{
    dp_store *db = dp_store_new();
    enum { N = 700 };   /* more than a region of Tags holds */
    static Item *items[N];
    static Tag *tags[N];
    static Note *notes[N];
    Shelf *s = Shelf_new(db), *s2;
    Box *b = Box_new(db), *b2;
    uint32_t i, bad = 0, item_regions, tag_regions, note_regions;
    for (i = 0; i < N; i++) {
        items[i] = Item_new(db, s);
        tags[i] = Tag_new(db, b);
        notes[i] = Note_new(db, b);
        Item_set_w(items[i], (int32_t)i + 1);
        Note_set_x(notes[i], (int32_t)i + 1);
    }
    verify(db, "created");
    item_regions = state(db, dp_Item_model)->pool.nregions;
    tag_regions = state(db, dp_Tag_model)->pool.nregions;
    note_regions = state(db, dp_Note_model)->pool.nregions;
    CHECK(Shelf_delete(s) == REL_OK && Box_delete(b) == REL_OK, "deletes");
    verify(db, "deleted");
    for (i = 0; i < N; i++)
        bad += !empty_item(items[i]) || !empty_tag(tags[i]) || !empty_note(notes[i]) || rel_alive(items[i])
            || rel_alive(tags[i]) || rel_alive(notes[i]) || Item_id(items[i]) != i + 1;
    CHECK(bad == 0, "%u deleted objects do not read as empty", (unsigned)bad);
    /* Half of them again: from the free lists, fresh ids, fresh members. */
    s2 = Shelf_new(db);
    b2 = Box_new(db);
    for (i = 0; i < N / 2; i++) {
        Item *x = Item_new(db, s2);
        Tag *t = Tag_new(db, b2);
        Note *n = Note_new(db, b2);
        bad += !x || Item_id(x) != N + 1 + i || Item_w(x) != 0 || Item_shelf(x) != s2;
        bad += !t || Tag_id(t) != N + 1 + i || Tag_box(t) != b2;
        bad += !n || Note_id(n) != N + 1 + i || Note_x(n) != 0 || Note_box(n) != b2;
    }
    CHECK(bad == 0, "%u new objects are not new", (unsigned)bad);
    CHECK(state(db, dp_Item_model)->pool.nregions == item_regions
          && state(db, dp_Tag_model)->pool.nregions == tag_regions
          && state(db, dp_Note_model)->pool.nregions == note_regions, "deleted slots reused before new memory");
    verify(db, "half reused");
    for (i = 0, bad = 0; i < N; i++)   /* the ones not reused still read as empty */
        bad += (!rel_alive(items[i]) && !empty_item(items[i])) || (!rel_alive(tags[i]) && !empty_tag(tags[i]))
            || (!rel_alive(notes[i]) && !empty_note(notes[i]));
    CHECK(bad == 0, "%u deleted objects not reused read as more than empty", (unsigned)bad);
    /* Deleted again while half the old slots are still free: the chains
     * join the end of each list. */
    CHECK(Shelf_delete(s2) == REL_OK && Box_delete(b2) == REL_OK, "second deletes");
    verify(db, "deleted again");
    for (i = 0; i < N; i++) {
        bad += !Item_new(db, Shelf_new(db));
        bad += !Tag_new(db, Box_new(db));
    }
    CHECK(bad == 0, "creates after the second deletes");
    verify(db, "reused again");
    dp_store_free(db);
}

/* M_delete's shortest path (one kind of leaf, no string), and the
 * Pegs' chain joining a free list that is not empty. */
static void rack(void)
{
    dp_store *db = dp_store_new();
    Rack *r[3];
    static Peg *pegs[3][100];
    uint32_t i, j, bad = 0;
    for (i = 0; i < 3; i++) {
        r[i] = Rack_new(db);
        for (j = 0; j < 100; j++)
            Peg_set_k(pegs[i][j] = Peg_new(db, r[i]), (int32_t)j + 1);
    }
    CHECK(((rel_store *)db)->models[dp_Rack_model].flags & REL_LEAF_PARENT, "Rack: a parent of leaves");
    CHECK(Rack_delete(r[0]) == REL_OK && Rack_delete(r[1]) == REL_OK, "deletes");
    CHECK(Rack_delete(r[1]) == REL_EINVAL && strstr(dp_store_errmsg(db), "Rack_delete: Rack 2 was deleted"),
          "a deleted Rack: %s", dp_store_errmsg(db));
    verify(db, "racks deleted");
    CHECK(Rack_count(db) == 1 && Peg_count(db) == 100 && Rack_pegs_count(r[0]) == 0 && Rack_n(r[0]) == 0,
          "counts, and a deleted Rack reads as empty");
    for (i = 0; i < 2; i++)
        for (j = 0; j < 100; j++)
            bad += Peg_k(pegs[i][j]) != 0 || Peg_rack(pegs[i][j]) || rel_alive(pegs[i][j]);
    CHECK(bad == 0, "%u deleted Pegs do not read as empty", (unsigned)bad);
    for (j = 0; j < 150; j++)
        bad += !Peg_new(db, r[2]);
    CHECK(bad == 0 && Rack_pegs_count(r[2]) == 250, "Pegs again");
    verify(db, "pegs reused");
    CHECK(Rack_delete(r[2]) == REL_OK && Peg_count(db) == 0, "the last Rack");
    verify(db, "all deleted");
    dp_store_free(db);
}

/* ---- the gate (rel_pool.end, rel_gate): the inline create's one test --- */

static bool gate_open(dp_store *db, int k)
{
    const rel_pool *p = &state(db, k)->pool;
    return p->end != p->next;
}
/* The slots the gate lets through before a create must take the slow
 * path. */
static size_t gate_slots(dp_store *db, int k)
{
    const rel_pool *p = &state(db, k)->pool;
    return (size_t)(p->end - p->next) / p->size;
}

/* Closed by a delete (a slot to reuse), closed while the reuse goes on,
 * open again once the free list is drained, by both kinds of create
 * (with and without a required ForeignKey), 32-bit links, and a
 * delete of one object as well as a cascade's chain. */
static void gate_reuse(void)
{
    dp_store *db = dp_store_new();
    Shelf *s = Shelf_new(db), *s2;
    Box *b = Box_new(db);
    enum { N = 50 };
    Item *items[N], *x;
    Box *boxes[N];
    uint32_t i, bad = 0, reused = 0;
    CHECK(!gate_open(db, dp_Item_model) && !gate_open(db, dp_Tag_model), "closed before the first create");
    for (i = 0; i < N; i++) {
        items[i] = Item_new(db, s);
        boxes[i] = Box_new(db);
    }
    CHECK(gate_open(db, dp_Item_model) && gate_open(db, dp_Box_model), "open after the first creates");
    CHECK(Item_delete(items[3]) == REL_OK && Box_delete(boxes[5]) == REL_OK, "deletes one by one");
    CHECK(!gate_open(db, dp_Item_model) && !gate_open(db, dp_Box_model), "closed by a delete");
    verify(db, "one deleted");
    x = Item_new(db, s);
    b = Box_new(db);
    CHECK(x == items[3] && Item_id(x) == N + 1 && Item_shelf(x) == s && Item_w(x) == 0, "the Item's slot reused");
    CHECK(b == boxes[5] && Box_id(b) == N + 2 && Box_n(b) == 0, "the Box's slot reused");
    CHECK(gate_open(db, dp_Item_model) && gate_open(db, dp_Box_model), "open again once the free list is drained");
    verify(db, "reused");
    /* A cascade's chain (Item's and Tag's 32-bit links). */
    s2 = Shelf_new(db);
    for (i = 0; i < N; i++) {
        items[i] = Item_new(db, s2);
        Tag_new(db, b);
    }
    CHECK(Shelf_delete(s2) == REL_OK && Box_delete(b) == REL_OK, "cascades");
    CHECK(!gate_open(db, dp_Item_model) && !gate_open(db, dp_Tag_model), "closed by a cascade");
    verify(db, "cascaded");
    for (i = 0; i < N; i++) {
        x = Item_new(db, s);
        for (uint32_t j = 0; j < N; j++)
            reused += x == items[j];
        bad += !x || gate_open(db, dp_Item_model) != (i == N - 1);
    }
    CHECK(bad == 0 && reused == N, "the chain reused (%u of %u), the gate open only after its last slot",
          (unsigned)reused, (unsigned)N);
    b = Box_new(db);
    for (i = 0; i < N; i++)
        bad += !Tag_new(db, b);
    CHECK(bad == 0 && gate_open(db, dp_Tag_model), "Tags reused, the gate open again");
    verify(db, "chains reused");
    /* verify catches a gate open over a free list. */
    CHECK(Item_delete(Shelf_items(s).items[0]) == REL_OK && !gate_open(db, dp_Item_model), "closed again");
    state(db, dp_Item_model)->pool.end = state(db, dp_Item_model)->pool.next + state(db, dp_Item_model)->pool.size;
    CHECK(dp_store_verify(db) == REL_ECORRUPT && strstr(dp_store_errmsg(db), "gate of Item"),
          "verify: an open gate over a free list: %s", dp_store_errmsg(db));
    state(db, dp_Item_model)->pool.end = state(db, dp_Item_model)->pool.next;
    verify(db, "closed again");
    dp_store_free(db);
}

/* The id index (M_get builds it) keeps the gate open, but for no more
 * creates than the index has room for: the inline create enters each new
 * object in it, rel_new_slot grows it when it is full, and M_get finds
 * every object; a delete closes the gate until its slot is reused. */
static void gate_index(void)
{
    dp_store *db = dp_store_new();
    Shelf *s = Shelf_new(db);
    Item *x[600];
    Box *b[600];
    uint32_t i, bad = 0, open = 0;
    for (i = 0; i < 10; i++) {
        x[i] = Item_new(db, s);
        b[i] = Box_new(db);
    }
    CHECK(Item_get(db, 3) == x[2] && Box_get(db, 4) == b[3], "M_get");
    CHECK(gate_open(db, dp_Item_model) && gate_open(db, dp_Box_model), "open with the index");
    CHECK(Item_delete(x[0]) == REL_OK && Box_delete(b[0]) == REL_OK, "deletes");
    CHECK(!gate_open(db, dp_Item_model) && !gate_open(db, dp_Box_model), "closed by the deletes");
    for (i = 10; i < 600; i++) {   /* past a region, and the index's room */
        x[i] = Item_new(db, s);
        b[i] = Box_new(db);
        open += gate_open(db, dp_Item_model) && gate_open(db, dp_Box_model);
        bad += state(db, dp_Item_model)->ids.count != i + 1 || state(db, dp_Box_model)->ids.count != i + 1;
        verify(db, "a create with the index");
    }
    CHECK(bad == 0, "%u creates left an object out of the index", (unsigned)bad);
    CHECK(open > 500, "the gate open for only %u of 590 creates", (unsigned)open);
    CHECK(x[10] == x[0] && b[10] == b[0], "the deleted slots reused first");
    for (i = 10; i < 600; i++)
        bad += Item_get(db, i + 1) != x[i] || Box_get(db, i + 1) != b[i];
    CHECK(bad == 0 && !Item_get(db, 1) && !Box_get(db, 1), "%u creates not found by id", (unsigned)bad);
    /* verify catches a gate open past the index's room. */
    if (gate_open(db, dp_Item_model)) {
        rel_model_state *ms = state(db, dp_Item_model);
        uint32_t cap = ms->ids.cap;
        ms->ids.cap = ms->ids.count;
        CHECK(dp_store_verify(db) == REL_ECORRUPT && strstr(dp_store_errmsg(db), "gate of Item"),
              "verify: a gate open past the index's room: %s", dp_store_errmsg(db));
        ms->ids.cap = cap;
    }
    verify(db, "index");
    dp_store_free(db);
}

/* The id space: the gate opens for no more slots than ids are left, both
 * when the slow slot opens it and when last_id moves; the inline creates
 * then take the last ids and the next create is refused by the generic
 * path, changing nothing. */
static void gate_ids(void)
{
    dp_store *db = dp_store_new();
    Shelf *s = Shelf_new(db);
    Item *x;
    Box *b;
    uint32_t i, bad = 0;
    x = Item_new(db, s);
    b = Box_new(db);
    CHECK(gate_slots(db, dp_Item_model) > 10 && gate_slots(db, dp_Box_model) > 10, "open wide");
    set_last_id(db, dp_Item_model, REL_ID_MAX - 5);
    set_last_id(db, dp_Box_model, REL_ID_MAX - 5);
    CHECK(gate_slots(db, dp_Item_model) == 5 && gate_slots(db, dp_Box_model) == 5, "open for the 5 ids left");
    verify(db, "5 ids left");
    for (i = 0; i < 5; i++) {
        x = Item_new(db, s);
        b = Box_new(db);
        bad += !x || !b || Item_id(x) != REL_ID_MAX - 4 + i || Box_id(b) != REL_ID_MAX - 4 + i;
        bad += gate_slots(db, dp_Item_model) != 4 - i || gate_slots(db, dp_Box_model) != 4 - i;
    }
    CHECK(bad == 0, "the last 5 ids inline, the gate closing with them");
    CHECK(!Item_new(db, s) && strstr(dp_store_errmsg(db), "no ids left for Item"), "past the last Item id: %s",
          dp_store_errmsg(db));
    CHECK(!Box_new(db) && strstr(dp_store_errmsg(db), "no ids left for Box"), "past the last Box id: %s",
          dp_store_errmsg(db));
    CHECK(Item_count(db) == 6 && Box_count(db) == 6 && Shelf_items_count(s) == 6, "refused creates change nothing");
    verify(db, "ids used up");
    /* The slow slot opens the gate for the ids left after its own:
     * a free list drained with 2 ids left. */
    dp_store_free(db);
    db = dp_store_new();
    s = Shelf_new(db);
    x = Item_new(db, s);
    CHECK(Item_delete(x) == REL_OK, "delete");
    set_last_id(db, dp_Item_model, REL_ID_MAX - 3);   /* the gate stays closed: a slot to reuse */
    CHECK(!gate_open(db, dp_Item_model), "closed by the free list whatever the ids");
    x = Item_new(db, s);   /* the reuse: rel_new_slot */
    CHECK(x && Item_id(x) == REL_ID_MAX - 2 && gate_slots(db, dp_Item_model) == 2, "open for the 2 ids after it");
    CHECK(Item_new(db, s) && Item_new(db, s) && !gate_open(db, dp_Item_model), "the last 2 ids");
    CHECK(!Item_new(db, s) && Item_count(db) == 3, "then none");
    verify(db, "ids after a reuse");
    dp_store_free(db);
}

int main(void)
{
    gate_reuse();
    gate_index();
    gate_ids();
    rack();
    links();
    ids_run_out();
    id_index();
    reuse();
    printf("%lu passed, %lu failed\n", passed, failed);
    return failed != 0;
}
