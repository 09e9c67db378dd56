/* test_through.c: many-to-many relations through a model (SPEC 8), on
 * tests/through/th.rel: the set API over the through objects on both
 * sides, the through objects as ordinary objects (their own setters,
 * reverse sets, deletes), deletes of either side cascading or setting
 * NULL as Django's collector does, PROTECT and RESTRICT refusing, and
 * every mutator all or nothing, also when each allocation it makes fails
 * in turn.  After every step the store verifies (which proves the sets
 * hold exactly the pairs of the through objects).
 *
 *   test_through        exit status 0 when every check passes
 */
#include "th.h"
#include "failing_alloc.h"
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long oom_points;   /* allocations failed in turn, over every operation */

static th_store *db;

static void verify(void)
{
    rel_status st = th_store_verify(db);
    if (st)
        fprintf(stderr, "verify: %s\n", th_store_errmsg(db));
    CHECK(st == REL_OK);
}

/* The whole store as text (dumpdata) plus the sets of each relation, in
 * their order: what "exactly as before" compares. */
static char *fingerprint(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rel_allocator plain = { NULL, NULL, NULL, NULL };
    (void)plain;
    if (!f)
        abort();
    long saved = fail_at;
    fail_at = 0;
    th_store_dumpdata(db, f, 0);
    rel_forall(Group, g, Group_all(db)) {
        rel_foreach(Person, p, Group_members(g))
            fprintf(f, " m%llu-%llu", (unsigned long long)Group_id(g), (unsigned long long)Person_id(p));
        rel_foreach(Person, p, Group_roles(g))
            fprintf(f, " r%llu-%llu", (unsigned long long)Group_id(g), (unsigned long long)Person_id(p));
    }
    rel_forall(Person, p, Person_all(db)) {
        rel_foreach(Group, g, Person_groups(p))
            fprintf(f, " g%llu-%llu", (unsigned long long)Person_id(p), (unsigned long long)Group_id(g));
        rel_foreach(Group, g, Person_seats(p))
            fprintf(f, " s%llu-%llu", (unsigned long long)Person_id(p), (unsigned long long)Group_id(g));
    }
    rel_forall(Node, a, Node_all(db)) {
        rel_foreach(Node, b, Node_succ(a))
            fprintf(f, " n%llu-%llu", (unsigned long long)Node_id(a), (unsigned long long)Node_id(b));
        rel_foreach(Node, b, Node_pred(a))
            fprintf(f, " p%llu-%llu", (unsigned long long)Node_id(a), (unsigned long long)Node_id(b));
    }
    fprintf(f, " next %llu %llu %llu", (unsigned long long)Person_count(db), (unsigned long long)Membership_count(db),
            (unsigned long long)Seat_count(db));
    fclose(f);
    fail_at = saved;
    return buf;
}

/* ---- the set API, plain through model -------------------------------------------- */

static void test_add_and_through(void)
{
    Person *p = Person_new(db), *q = Person_new(db);
    Group *g = Group_new(db);
    Membership *m;
    CHECK(Group_members_count(g) == 0);
    CHECK(Group_members_through(g, p) == NULL);
    CHECK(Group_members_add(g, p) == REL_OK);
    m = Group_members_through(g, p);
    CHECK(m && Membership_person(m) == p && Membership_group(m) == g);
    CHECK(m && strcmp(Membership_role(m), "member") == 0 && Membership_joined(m) == 0);
    CHECK(Membership_set_joined(m, 2024) == REL_OK);
    CHECK(Group_members_contains(g, p) && Person_groups_contains(p, g));
    /* An existing pair changes nothing (Django's add skips it). */
    CHECK(Group_members_add(g, p) == REL_OK && Membership_count(db) == 1);
    CHECK(Person_groups_add(q, g) == REL_OK && Membership_count(db) == 2);
    CHECK(Person_groups_through(q, g) != NULL && Person_groups_through(q, g) != m);
    CHECK(Group_members_count(g) == 2 && Person_groups_count(q) == 1);
    verify();
    /* A through object made by hand is a link too, and a second one of the
     * same pair shows the pair twice, as Django's join does. */
    CHECK(Membership_new(db, p, g) != NULL);
    CHECK(Group_members_count(g) == 3 && Person_groups_count(p) == 2);
    CHECK(Group_members_through(g, p) == m);   /* the lowest id */
    verify();
    /* remove deletes every through object of the pair. */
    CHECK(Group_members_remove(g, p) == REL_OK);
    CHECK(Membership_count(db) == 1 && !Group_members_contains(g, p) && Person_groups_count(p) == 0);
    CHECK(Group_members_remove(g, p) == REL_OK);   /* not linked: nothing to do */
    verify();
    /* clear deletes every through object of the object it is called on. */
    CHECK(Person_groups_clear(q) == REL_OK && Membership_count(db) == 0 && Group_members_count(g) == 0);
    verify();
    /* create makes the partner and the link. */
    {
        Person *c = Group_members_create(g);
        CHECK(c && Group_members_contains(g, c) && Group_members_through(g, c));
        Group *h = Person_groups_create(c);
        CHECK(h && Person_groups_count(c) == 2 && Group_members_contains(h, c));
    }
    verify();
    CHECK(Person_groups_add(p, NULL) == REL_EINVAL);
    CHECK(Group_members_add(NULL, p) == REL_EINVAL);
    CHECK(Group_members_through(g, NULL) == NULL);
}

/* Through objects as ordinary objects: setting either ForeignKey moves
 * the pair; the reverse sets of the ForeignKeys move it too. */
static void test_relink(void)
{
    Person *p = Person_new(db), *q = Person_new(db);
    Group *g = Group_new(db), *h = Group_new(db);
    Membership *m = Membership_new(db, p, g);
    CHECK(Group_members_contains(g, p));
    CHECK(Membership_set_person(m, q) == REL_OK);
    CHECK(!Group_members_contains(g, p) && Group_members_contains(g, q) && Person_groups_count(p) == 0);
    CHECK(Membership_set_group(m, h) == REL_OK);
    CHECK(!Group_members_contains(g, q) && Group_members_contains(h, q));
    CHECK(Group_membership_set_add(g, m) == REL_OK);
    CHECK(Group_members_contains(g, q) && Group_members_count(h) == 0);
    CHECK(Membership_set_person(m, NULL) == REL_ENULL && Group_members_contains(g, q));
    verify();
    /* A through object made through a link field's reverse set links too. */
    CHECK(Group_membership_set_create(h, p) != NULL && Group_members_contains(h, p));
    CHECK(Person_membership_set_create(p, g) != NULL && Person_groups_contains(p, g));
    CHECK(Group_membership_set_create(h, NULL) == NULL && Group_members_count(h) == 1);
    verify();
    /* A nullable bound ForeignKey: a through object with a NULL side is no link. */
    {
        Badge *b = Badge_new(db);
        Seat *s = Seat_new(db, g, b);
        CHECK(Seat_holder(s) == NULL && Group_roles_count(g) == 0);
        CHECK(Seat_set_holder(s, p) == REL_OK && Group_roles_contains(g, p) && Person_seats_contains(p, g));
        CHECK(Person_seat_set_remove(p, s) == REL_OK && Group_roles_count(g) == 0 && Seat_holder(s) == NULL);
        CHECK(Person_seat_set_add(q, s) == REL_OK && Group_roles_contains(g, q));
        CHECK(Person_seat_set_clear(q) == REL_OK && Group_roles_count(g) == 0);
        CHECK(Seat_set_holder(s, p) == REL_OK);
        /* add with the through model's other required relation */
        CHECK(Group_roles_add(g, q, b) == REL_OK && Group_roles_count(g) == 2);
        CHECK(Seat_holder(Group_roles_through(g, q)) == q && Seat_badge(Group_roles_through(g, q)) == b);
        /* The reverse set of the nullable link field: the new Seat's holder
         * comes from the call, and its pair with it. */
        CHECK(Person_seat_set_create(q, h, b) != NULL && Group_roles_contains(h, q));
        CHECK(Group_roles_remove(h, q) == REL_OK);
        CHECK(Group_roles_add(h, q, NULL) == REL_EINVAL && Seat_count(db) == 2);
        CHECK(strcmp(th_store_errmsg(db), "Group_roles_add: NULL Badge") == 0);
        CHECK(Group_roles_create(h, NULL) == NULL && strcmp(th_store_errmsg(db), "Group_roles_create: NULL Badge") == 0);
        verify();
    }
}

/* Deletes: either side, a through object, and the through model's own
 * on_delete rules. */
static void test_delete(void)
{
    Person *p = Person_new(db), *q = Person_new(db);
    Group *g = Group_new(db), *h = Group_new(db);
    Badge *b = Badge_new(db);
    size_t memberships = Membership_count(db), seats = Seat_count(db);
    CHECK(Group_members_add(g, p) == REL_OK && Group_members_add(g, q) == REL_OK);
    CHECK(Group_members_add(h, p) == REL_OK);
    /* A through object deleted directly: its pair goes. */
    CHECK(Membership_delete(Group_members_through(g, q)) == REL_OK);
    CHECK(!Group_members_contains(g, q) && Group_members_count(g) == 1);
    verify();
    /* A side deleted: its through objects cascade, the other side's sets
     * lose it. */
    CHECK(Group_delete(g) == REL_OK);
    CHECK(Person_groups_count(p) == 1 && Membership_count(db) == memberships + 1);
    verify();
    CHECK(Person_delete(p) == REL_OK && Group_members_count(h) == 0 && Membership_count(db) == memberships);
    verify();
    /* SET_NULL on the holder: the seat stays, its pair goes. */
    {
        Group *k = Group_new(db);
        Person *r = Person_new(db), *inv = Person_new(db);
        Seat *s;
        CHECK(Group_roles_add(k, r, b) == REL_OK);
        s = Group_roles_through(k, r);
        CHECK(Person_delete(r) == REL_OK);
        CHECK(Seat_count(db) == seats + 1 && Seat_holder(s) == NULL && Group_roles_count(k) == 0);
        verify();
        /* PROTECT on the inviter and RESTRICT on the badge refuse, changing nothing. */
        CHECK(Seat_set_holder(s, q) == REL_OK && Seat_set_inviter(s, inv) == REL_OK);
        CHECK(Person_delete(inv) == REL_EPROTECTED && Group_roles_contains(k, q));
        CHECK(Badge_delete(b) == REL_ERESTRICTED && Group_roles_contains(k, q));
        /* A Note protects the seat: remove and clear are refused as a whole. */
        {
            Note *n = Note_new(db, s);
            CHECK(Group_roles_remove(k, q) == REL_EPROTECTED && Group_roles_contains(k, q));
            CHECK(strstr(th_store_errmsg(db), "Note") != NULL);
            CHECK(Group_roles_clear(k) == REL_EPROTECTED && Seat_count(db) == seats + 1);
            CHECK(Group_delete(k) == REL_EPROTECTED);
            CHECK(Note_delete(n) == REL_OK);
        }
        CHECK(Seat_set_inviter(s, NULL) == REL_OK);
        CHECK(Group_roles_remove(k, q) == REL_OK && Seat_count(db) == seats && Group_roles_count(k) == 0);
        verify();
    }
    /* Deleting many, through objects among them. */
    {
        Group *k = Group_new(db);
        Person *r = Person_new(db);
        Membership *ms[2];
        CHECK(Group_members_add(k, r) == REL_OK && Group_members_add(k, q) == REL_OK);
        ms[0] = Group_members_through(k, r);
        ms[1] = Group_members_through(k, q);
        CHECK(Membership_delete_many(ms, 2) == REL_OK && Group_members_count(k) == 0);
        verify();
    }
}

/* A model related to itself through a model: each edge links one way. */
static void test_self(void)
{
    Node *a = Node_new(db), *b = Node_new(db), *c = Node_new(db);
    CHECK(Node_succ_add(a, b) == REL_OK && Node_succ_add(b, c) == REL_OK && Node_pred_add(a, c) == REL_OK);
    CHECK(Node_succ_contains(a, b) && !Node_succ_contains(b, a) && Node_pred_contains(b, a));
    CHECK(Node_succ_contains(c, a) && Edge_count(db) == 3);
    CHECK(Node_succ_add(a, a) == REL_OK && Node_succ_contains(a, a) && Node_pred_contains(a, a));
    verify();
    CHECK(Node_delete(a) == REL_OK && Edge_count(db) == 1 && Node_pred_count(c) == 1 && Node_succ_count(c) == 0);
    verify();
    CHECK(Node_succ_create(c) != NULL && Node_succ_count(c) == 1);
    verify();
}

/* ---- all or nothing under failing allocations -------------------------------------- */

typedef int (*op_fn)(void);
static Group *og;
static Person *op, *oq;
static Badge *ob;
static Group *fg;       /* fresh objects: no link yet, no room reserved */
static Person *fp;
static Node *fn;

static int op_add(void) { return Group_members_add(og, oq) == REL_OK; }
static int op_add_fresh(void) { return Group_members_add(fg, fp) == REL_OK; }
static int op_roles_fresh(void) { return Group_roles_add(fg, fp, ob) == REL_OK; }
static int op_node_fresh(void) { return Node_succ_create(fn) != NULL; }
static int op_add_rev(void) { return Person_seats_add(oq, og, ob) == REL_OK; }
static int op_create(void) { return Group_members_create(og) != NULL; }
static int op_create_rev(void) { return Person_seats_create(op, ob) != NULL; }
static int op_remove(void) { return Group_members_remove(og, op) == REL_OK; }
static int op_clear(void) { return Person_groups_clear(op) == REL_OK; }
static int op_new(void) { return Membership_new(db, oq, og) != NULL; }
static int op_set(void) { return Membership_set_person(Group_members_through(og, op), oq) == REL_OK; }
static int op_set_holder(void) { return Seat_set_holder(Group_roles_through(og, op), oq) == REL_OK; }
static int op_delete_group(void) { return Group_delete(og) == REL_OK; }
static int op_delete_person(void) { return Person_delete(op) == REL_OK; }
static int op_delete_through(void) { return Membership_delete(Group_members_through(og, op)) == REL_OK; }

/* A fresh store where each operation has something to do. */
static void setup(void)
{
    db = th_store_new();
    op = Person_new(db);
    oq = Person_new(db);
    og = Group_new(db);
    ob = Badge_new(db);
    Group_new(db);
    fp = Person_new(db);
    fg = Group_new(db);
    fn = Node_new(db);
    if (Group_members_add(og, op) || Membership_new(db, op, og) == NULL || Group_roles_add(og, op, ob)
        || Group_roles_add(og, oq, ob) || Group_members_add(Group_get(db, 2), op))
        abort();
}

static void teardown(void) { th_store_free(db); }

static void test_oom(void)
{
    static const struct { const char *name; op_fn fn; } ops[] = {
        { "add", op_add }, { "add_fresh", op_add_fresh }, { "roles_fresh", op_roles_fresh },
        { "node_fresh", op_node_fresh }, { "add_rev", op_add_rev }, { "create", op_create }, { "create_rev", op_create_rev },
        { "remove", op_remove }, { "clear", op_clear }, { "new", op_new }, { "set", op_set },
        { "set_holder", op_set_holder }, { "delete_group", op_delete_group },
        { "delete_person", op_delete_person }, { "delete_through", op_delete_through },
    };
    static const oom_hooks hooks = { setup, fingerprint, verify, teardown };
    rel_allocator a = { t_malloc, t_realloc, t_free, NULL };
    size_t i;
    rel_set_allocator(&a);
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        oom_points += oom_sweep(&hooks, ops[i].name, ops[i].fn, 1000, &nchecks, &nfailures);
    rel_set_allocator(NULL);
}

/* A through model with unique constraints: add takes its unique scalar,
 * and every way of making a second object of a pair or a taken number is
 * refused with REL_EUNIQUE, changing nothing. */
static void test_unique_through(void)
{
    Player *p = Player_new(db), *q = Player_new(db);
    League *l = League_new(db);
    Entry *e;
    Player *c;
    CHECK(League_players_add(l, p, "7") == REL_OK);
    e = League_players_through(l, p);
    CHECK(e && strcmp(Entry_number(e), "7") == 0 && Entry_get_by_number(db, "7") == e);
    CHECK(League_players_add(l, q, "7") == REL_EUNIQUE);   /* the number is taken */
    CHECK(strstr(th_store_errmsg(db), "already has this number") != NULL);
    CHECK(League_players_count(l) == 1 && Entry_count(db) == 1);
    CHECK(League_players_add(l, p, "8") == REL_OK && Entry_count(db) == 1);   /* linked: nothing */
    CHECK(Player_leagues_add(q, l, "8") == REL_OK && League_players_count(l) == 2);
    CHECK(Entry_set_player(e, q) == REL_EUNIQUE);          /* (q, l) has an entry */
    CHECK(Entry_player(e) == p && League_players_contains(l, p));
    CHECK(Entry_new(db, p, l, "9") == NULL);                /* (p, l) has one */
    CHECK(Entry_get_by_player_league(db, q, l) == League_players_through(l, q));
    c = League_players_create(l, "10");
    CHECK(c && League_players_count(l) == 3);
    CHECK(League_players_create(l, "10") == NULL && Player_count(db) == 3);   /* undone */
    CHECK(League_players_remove(l, p) == REL_OK && Entry_get_by_number(db, "7") == NULL);
    CHECK(League_players_add(l, p, "7") == REL_OK);       /* the number is free again */
    CHECK(Player_delete(q) == REL_OK && Entry_get_by_number(db, "8") == NULL && League_players_count(l) == 2);
    verify();
}

int main(void)
{
    db = th_store_new();
    test_add_and_through();
    test_relink();
    test_delete();
    test_self();
    test_unique_through();
    verify();
    th_store_free(db);
    test_oom();
    printf("test_through: %d checks, %d failed; %ld failing allocations injected\n", nchecks, nfailures, oom_points);
    return nfailures != 0;
}
