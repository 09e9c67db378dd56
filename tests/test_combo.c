/* test_combo.c: through models (SPEC 8), unique fields and to_field
 * (SPEC 8) and generic relations (SPEC 9) where they meet, on
 * tests/combo/combo.rel: a through model with unique_together over its
 * pair and a unique scalar, GenericForeignKeys whose targets are a through
 * model, a model with unique fields and their own model, a through model
 * with a GenericForeignKey, to_field at a unique field of a generic target
 * and of a through model; deletes cascading through all of them, delete
 * plans and counts, fixtures round trips, deleted objects reading as
 * empty, and every mutator all or nothing, also when each allocation it
 * makes fails in turn.  After every step the store verifies.
 *
 *   test_combo        exit status 0 when every check passes
 */
#include "combo.h"
#include "failing_alloc.h"
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long oom_points;

static combo_store *db;

static void verify_store(combo_store *s)
{
    rel_status st = combo_store_verify(s);
    if (st)
        fprintf(stderr, "verify: %s\n", combo_store_errmsg(s));
    CHECK(st == REL_OK);
}

static void verify(void) { verify_store(db); }

static bool has(const char *s, const char *part) { return s && strstr(s, part) != NULL; }

/* dumpdata of a store as a string. */
static char *dump(combo_store *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    long saved = fail_at;
    if (!f)
        abort();
    fail_at = 0;
    if (combo_store_dumpdata(s, f, 0) != REL_OK)
        fprintf(f, "dumpdata failed: %s", combo_store_errmsg(s));
    fclose(f);
    fail_at = saved;
    return buf;
}

/* The whole store (dumpdata) plus the sets, the reverse generic sets and
 * the unique lookups: what "exactly as before" compares. */
static char *fingerprint(void)
{
    char *buf = NULL, *d;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    long saved = fail_at;
    if (!f)
        abort();
    fail_at = 0;
    d = dump(db);
    fputs(d, f);
    free(d);
    rel_forall(Club, c, Club_all(db)) {
        rel_foreach(Person, p, Club_members(c))
            fprintf(f, " m%llu-%llu", (unsigned long long)Club_id(c), (unsigned long long)Person_id(p));
        rel_foreach(Person, p, Club_seated(c))
            fprintf(f, " s%llu-%llu", (unsigned long long)Club_id(c), (unsigned long long)Person_id(p));
        fprintf(f, " t%d", Club_get_by_title(db, Club_title(c)) == c);
    }
    rel_forall(Person, p, Person_all(db)) {
        rel_foreach(Club, c, Person_clubs(p))
            fprintf(f, " c%llu-%llu", (unsigned long long)Person_id(p), (unsigned long long)Club_id(c));
        rel_foreach(Hall, h, Person_halls(p))
            fprintf(f, " h%llu-%llu", (unsigned long long)Person_id(p), (unsigned long long)Hall_id(h));
        fprintf(f, " e%d", Person_get_by_email(db, Person_email(p)) == p);
    }
    rel_forall(Membership, m, Membership_all(db)) {
        rel_foreach(Tag, t, Membership_notes(m))
            fprintf(f, " n%llu-%llu", (unsigned long long)Membership_id(m), (unsigned long long)Tag_id(t));
        fprintf(f, " k%d%d", Membership_get_by_card(db, Membership_card(m)) == m,
                Membership_get_by_person_club(db, Membership_person(m), Membership_club(m)) == m);
    }
    rel_forall(Seat, s, Seat_all(db))
        fprintf(f, " u%d", !Seat_holder(s) || Seat_get_by_club_holder(db, Seat_club(s), Seat_holder(s)) == s);
    fprintf(f, " counts %zu %zu %zu %zu %zu %zu", Person_count(db), Club_count(db), Membership_count(db),
            Tag_count(db), Seat_count(db), Invite_count(db));
    fclose(f);
    fail_at = saved;
    return buf;
}

/* A dump loaded into a new store dumps the same. */
static void roundtrip(void)
{
    char *a = dump(db), *b;
    combo_store *t = combo_store_new();
    rel_status st = combo_store_loaddata(t, a, strlen(a), "roundtrip");
    if (st)
        fprintf(stderr, "loaddata: %s\n", combo_store_errmsg(t));
    CHECK(st == REL_OK);
    verify_store(t);
    b = dump(t);
    if (strcmp(a, b) != 0)
        fprintf(stderr, "round trip differs:\n%s\n%s\n", a, b);
    CHECK(strcmp(a, b) == 0);
    free(a);
    free(b);
    combo_store_free(t);
}

/* ---- a through model with unique_together and a unique scalar ------------------ */

static void test_through_unique(void)
{
    Person *p = Person_new(db, "p@x"), *q = Person_new(db, "q@x");
    Club *c = Club_new(db, "chess"), *d = Club_new(db, "go");
    Membership *m, *n;
    char *before;
    CHECK(p && q && c && d);
    CHECK(Person_new(db, "p@x") == NULL && Person_count(db) == 2);
    CHECK(Club_members_add(c, p, "c1") == REL_OK);
    m = Club_members_through(c, p);
    CHECK(m && Membership_get_by_card(db, "c1") == m && Membership_get_by_person_club(db, p, c) == m);
    /* A NULL card is refused even when the pair is there (add would make
     * nothing): the sweep's NULL rule. */
    CHECK(Club_members_add(c, p, NULL) == REL_EINVAL && has(combo_store_errmsg(db), "Club_members_add: card"));
    CHECK(Person_clubs_add(p, c, NULL) == REL_EINVAL && Membership_count(db) == 1);
    CHECK(Club_members_add(c, q, NULL) == REL_EINVAL && Membership_count(db) == 1);
    /* a taken card: refused, nothing changes */
    before = fingerprint();
    CHECK(Club_members_add(c, q, "c1") == REL_EUNIQUE);
    CHECK(has(combo_store_errmsg(db), "Membership"));
    CHECK(Person_clubs_add(q, d, "c1") == REL_EUNIQUE);
    CHECK(Club_members_create(c, "new@x", "c1") == NULL);
    CHECK(Person_get_by_email(db, "new@x") == NULL);
    /* create with a taken email: refused */
    CHECK(Club_members_create(c, "q@x", "c9") == NULL);
    CHECK(Person_clubs_create(q, "chess", "c9") == NULL);
    CHECK(Membership_new(db, p, c, "c2") == NULL);          /* (p, c) taken */
    CHECK(has(combo_store_errmsg(db), "Membership"));
    {
        char *after = fingerprint();
        CHECK(strcmp(before, after) == 0);
        free(after);
    }
    free(before);
    verify();
    CHECK(Person_clubs_add(q, c, "c2") == REL_OK && Club_members_count(c) == 2);
    n = Club_members_through(c, q);
    /* the through object's own setters */
    CHECK(Membership_set_card(n, "c1") == REL_EUNIQUE && strcmp(Membership_card(n), "c2") == 0);
    CHECK(Membership_set_person(n, p) == REL_EUNIQUE && Membership_person(n) == q);
    CHECK(Membership_set_club(n, d) == REL_OK && Club_members_contains(d, q) && !Club_members_contains(c, q));
    CHECK(Membership_get_by_person_club(db, q, d) == n && Membership_get_by_person_club(db, q, c) == NULL);
    CHECK(Membership_set_card(n, "c3") == REL_OK && Membership_get_by_card(db, "c2") == NULL);
    CHECK(Membership_get_by_card(db, "c3") == n);
    /* the reverse set of the ForeignKey moves the through object too */
    CHECK(Club_memberships_add(c, n) == REL_OK && Club_members_contains(c, q));
    CHECK(Club_memberships_add(c, m) == REL_OK);                 /* already there */
    CHECK(Person_memberships_add(p, n) == REL_EUNIQUE && Membership_person(n) == q);
    verify();
    /* remove and clear free the pair and the card */
    CHECK(Club_members_remove(c, q) == REL_OK && Membership_get_by_card(db, "c3") == NULL);
    CHECK(Membership_get_by_person_club(db, q, c) == NULL);
    CHECK(Club_members_add(c, q, "c3") == REL_OK);
    CHECK(Club_members_clear(c) == REL_OK && Membership_count(db) == 0);
    CHECK(Membership_get_by_card(db, "c1") == NULL && Membership_get_by_card(db, "c3") == NULL);
    CHECK(Club_members_add(c, p, "c1") == REL_OK && Club_members_add(c, q, "c3") == REL_OK);
    verify();
    /* a deleted side: its through objects and their unique entries go */
    CHECK(Person_delete(q) == REL_OK && Membership_get_by_card(db, "c3") == NULL);
    CHECK(Person_get_by_email(db, "q@x") == NULL && Club_members_count(c) == 1);
    CHECK(Club_delete(c) == REL_OK && Membership_get_by_card(db, "c1") == NULL && Person_clubs_count(p) == 0);
    CHECK(Club_get_by_title(db, "chess") == NULL);
    CHECK(Club_new(db, "chess") != NULL && Person_new(db, "q@x") != NULL);
    verify();
    roundtrip();
}

/* ---- generic relations at a through model, a unique model and their own model ---- */

static void test_generic_targets(void)
{
    Person *p = Person_new(db, "g1@x"), *q = Person_new(db, "g2@x");
    Club *c = Club_new(db, "gclub");
    Membership *m;
    Tag *t1, *t2, *t3, *t4;
    CHECK(Club_members_add(c, p, "g-1") == REL_OK && Club_members_add(c, q, "g-2") == REL_OK);
    m = Club_members_through(c, p);
    t1 = Tag_new(db, NULL);
    CHECK(t1 == NULL && has(combo_store_errmsg(db), "Tag"));
    t1 = Membership_notes_create(m);
    CHECK(t1 && Tag_target_Membership(t1) == m && Tag_target_model(t1) == combo_Membership_model);
    t2 = Tag_new(db, p);
    CHECK(t2 && Tag_target_Person(t2) == p && Tag_target_model(t2) == combo_Person_model);
    t3 = Tag_new(db, t1);
    CHECK(t3 && Tag_target_Tag(t3) == t1 && Tag_target_model(t3) == combo_Tag_model);
    t4 = Tag_new(db, t3);
    CHECK(t4 && Tag_set_target_Tag(t4, t4) == REL_OK && Tag_target(t4) == t4);   /* itself */
    CHECK(Tag_set_target(t4, c) == REL_EINVAL && Tag_target(t4) == t4);        /* Club is not listed */
    CHECK(Membership_notes_count(m) == 1);
    verify();
    roundtrip();
    /* Delete p: its membership goes, the tag on it, the tag on that tag
     * (t3), and the tag on p. */
    {
        combo_delete_result r;
        rel_delete_plan plan;
        CHECK(Person_delete_plan(p, &plan) == REL_OK);
        CHECK(plan.status == REL_OK && plan.per_model[combo_Person_model] == 1);
        CHECK(plan.per_model[combo_Membership_model] == 1 && plan.per_model[combo_Tag_model] == 3);
        CHECK(plan.total == 5);
        rel_delete_plan_free(&plan);
        memset(&r, 0, sizeof r);
        CHECK(Person_delete_ex(p, &r) == REL_OK);
        CHECK(r.total == 5 && r.per_model[combo_Person_model] == 1 && r.per_model[combo_Membership_model] == 1);
        CHECK(r.per_model[combo_Tag_model] == 3 && r.per_model[combo_Club_model] == 0);
    }
    CHECK(Membership_get_by_card(db, "g-1") == NULL && Person_get_by_email(db, "g1@x") == NULL);
    CHECK(Tag_target(t4) == t4 && Club_members_count(c) == 1);
    verify();
    roundtrip();
    /* The membership removed through the set: its tag goes too. */
    {
        Membership *mq = Club_members_through(c, q);
        Tag *tq = Membership_notes_create(mq);
        size_t tags = Tag_count(db);
        CHECK(tq != NULL);
        CHECK(Club_members_remove(c, q) == REL_OK && Tag_count(db) == tags - 1);
        verify();
    }
    CHECK(Tag_delete(t4) == REL_OK);
    verify();
}

/* ---- a through model with a GenericForeignKey of its own, and a nullable
 * member of unique_together set NULL ------------------------------------------------ */

static void test_seat(void)
{
    Person *p = Person_new(db, "s1@x"), *q = Person_new(db, "s2@x");
    Club *c = Club_new(db, "seats");
    Seat *s, *t;
    CHECK(Club_seated_add(c, p) == REL_OK && Club_seated_add(c, q) == REL_OK);
    s = Club_seated_through(c, p);
    t = Club_seated_through(c, q);
    CHECK(s && t && Seat_get_by_club_holder(db, c, p) == s);
    CHECK(Seat_about(s) == NULL && Seat_about_model(s) == -1);
    CHECK(Seat_set_about_Club(s, c) == REL_OK && Seat_about_Club(s) == c);
    CHECK(Seat_set_about_Person(t, p) == REL_OK);
    CHECK(Seat_set_holder(t, p) == REL_EUNIQUE && Seat_holder(t) == q);
    verify();
    roundtrip();
    /* Deleting q: SET_NULL on t's holder (a unique_together member). */
    CHECK(Person_delete(q) == REL_OK && Seat_holder(t) == NULL && Club_seated_count(c) == 1);
    CHECK(Seat_about_Person(t) == p);
    verify();
    /* two seats of one club with a NULL holder do not clash */
    CHECK(Seat_new(db, c) != NULL && Seat_count(db) >= 3);
    CHECK(Seat_set_holder(t, p) == REL_EUNIQUE);
    verify();
    roundtrip();
    /* Deleting p: the seat it holds goes by CASCADE (Seat.about points at
     * p... no: about CASCADE deletes t, whose about is p); s is about c. */
    {
        combo_delete_result r;
        size_t seats = Seat_count(db);
        memset(&r, 0, sizeof r);
        CHECK(Person_delete_ex(p, &r) == REL_OK);
        CHECK(r.per_model[combo_Seat_model] == 1 && Seat_count(db) == seats - 1);
        CHECK(Seat_holder(s) == NULL);
    }
    verify();
    /* Deleting c: every seat goes, also the ones about it. */
    CHECK(Club_delete(c) == REL_OK);
    verify();
    roundtrip();
}

/* Seat2: a through model whose GenericForeignKey lists itself with SET_NULL. */
static void test_seat2(void)
{
    Person *p = Person_new(db, "t1@x");
    Hall *h = Hall_new(db), *k = Hall_new(db);
    Seat2 *a, *b;
    CHECK(Hall_seats_add(h, p) == REL_OK && Hall_seats_add(k, p) == REL_OK);
    a = Hall_seats_through(h, p);
    b = Hall_seats_through(k, p);
    CHECK(Seat2_set_about_Seat2(a, b) == REL_OK && Seat2_set_about_Seat2(b, b) == REL_OK);
    verify();
    roundtrip();
    CHECK(Hall_delete(k) == REL_OK && Seat2_about(a) == NULL && Seat2_about_model(a) == -1);
    CHECK(Seat2_set_about_Person(a, p) == REL_OK);
    verify();
    roundtrip();
    CHECK(Person_delete(p) == REL_OK && Seat2_count(db) == 0 && Hall_seats_count(h) == 0);
    verify();
}

/* ---- to_field at a unique field of a generic target and of a through model ---------- */

static void test_to_field(void)
{
    Person *p = Person_new(db, "to@x");
    Club *c = Club_new(db, "tofield");
    Membership *m;
    Invite *i, *j;
    CHECK(Club_members_add(c, p, "tf-1") == REL_OK);
    m = Club_members_through(c, p);
    i = Invite_new(db, p);
    CHECK(i && Invite_set_card(i, m) == REL_OK && Membership_invites_count(m) == 1);
    j = Person_invites_create(p);
    CHECK(j && Invite_to(j) == p);
    CHECK(Tag_new(db, p) != NULL && Tag_new(db, m) != NULL);
    verify();
    roundtrip();
    {
        char *d = dump(db);
        CHECK(has(d, "\"card\": \"tf-1\"") && has(d, "\"to\": \"to@x\""));
        free(d);
    }
    /* The unique field changes: the dump follows. */
    CHECK(Membership_set_card(m, "tf-2") == REL_OK && Person_set_email(p, "to2@x") == REL_OK);
    roundtrip();
    /* The membership goes: SET_NULL on the invite. */
    CHECK(Club_members_remove(c, p) == REL_OK && Invite_card(i) == NULL && Invite_count(db) >= 2);
    verify();
    roundtrip();
    CHECK(Person_delete(p) == REL_OK && Person_invites_count(p) == 0);
    verify();
}

/* A many-to-many create whose partner has a required GenericForeignKey,
 * refused by the through object's unique slot: the new partner goes, and
 * its generic pointer with it. */
static void test_generic_partner(void)
{
    Person *p = Person_new(db, "gp@x");
    Club *c = Club_new(db, "gp");
    Thing *t;
    char *before;
    t = Club_things_create(c, p, "slot-1");
    CHECK(t && Thing_owner_Person(t) == p && Club_things_count(c) == 1);
    verify();
    before = fingerprint();
    CHECK(Club_things_create(c, p, "slot-1") == NULL && has(combo_store_errmsg(db), "slot"));
    CHECK(Club_things_create(c, c, "slot-1") == NULL);
    CHECK(Thing_count(db) == 1 && Club_things_count(c) == 1);
    verify();
    {
        char *after = fingerprint();
        CHECK(strcmp(before, after) == 0);
        free(after);
    }
    free(before);
    CHECK(Thing_keepers_add(t, Club_new(db, "gp2"), "slot-1") == REL_EUNIQUE);
    roundtrip();
    /* The owner goes: the thing cascades, and its holdings with it. */
    CHECK(Person_delete(p) == REL_OK && Thing_count(db) == 0 && Holding_count(db) == 0 && Club_things_count(c) == 0);
    verify();
}

/* A Person deleted with everything at once: its memberships (through,
 * unique card and unique_together), the tags on them and on those tags
 * (generic), its seats' holder set NULL (a unique_together member), the
 * seats about it (generic CASCADE), its Seat2s and the Seat2s about them
 * (generic SET_NULL), its invites; the plan and the counts agree. */
static void test_big_cascade(void)
{
    Person *p = Person_new(db, "big@x"), *q = Person_new(db, "big2@x");
    Club *c = Club_new(db, "big"), *d = Club_new(db, "big2");
    Hall *h = Hall_new(db);
    Membership *m1, *m2;
    Seat *s1, *s2, *s3;
    Seat2 *a, *b;
    Tag *t1;
    Invite *inv;
    rel_delete_plan plan;
    combo_delete_result r;
    size_t persons = Person_count(db), tags, seats, invites;
    CHECK(Club_members_add(c, p, "big-1") == REL_OK && Club_members_add(d, p, "big-2") == REL_OK);
    CHECK(Club_members_add(c, q, "big-3") == REL_OK);
    m1 = Club_members_through(c, p);
    m2 = Club_members_through(d, p);
    t1 = Tag_new(db, m1);
    CHECK(t1 && Tag_new(db, t1) && Tag_new(db, m2) && Tag_new(db, p) && Tag_new(db, Club_members_through(c, q)));
    CHECK(Club_seated_add(c, p) == REL_OK && Club_seated_add(d, p) == REL_OK && Club_seated_add(c, q) == REL_OK);
    s1 = Club_seated_through(c, p);
    s2 = Club_seated_through(d, p);
    s3 = Club_seated_through(c, q);
    CHECK(Seat_set_about_Person(s3, p) == REL_OK && Seat_set_about_Club(s1, c) == REL_OK);
    CHECK(Hall_seats_add(h, p) == REL_OK && Hall_seats_add(h, q) == REL_OK);
    a = Hall_seats_through(h, p);
    b = Hall_seats_through(h, q);
    CHECK(Seat2_set_about_Seat2(b, a) == REL_OK);
    inv = Invite_new(db, q);
    CHECK(inv && Invite_set_card(inv, m1) == REL_OK && Invite_new(db, p));
    verify();
    roundtrip();
    tags = Tag_count(db);
    seats = Seat_count(db);
    invites = Invite_count(db);
    CHECK(Person_delete_plan(p, &plan) == REL_OK && plan.status == REL_OK);
    CHECK(plan.per_model[combo_Person_model] == 1 && plan.per_model[combo_Membership_model] == 2);
    CHECK(plan.per_model[combo_Tag_model] == 4 && plan.per_model[combo_Seat_model] == 1);
    CHECK(plan.per_model[combo_Seat2_model] == 1 && plan.per_model[combo_Invite_model] == 1);
    CHECK(plan.total == 10);
    /* set NULL: s1's and s2's holder, b's about, inv's card */
    CHECK(plan.nset_null == 4);
    memset(&r, 0, sizeof r);
    CHECK(Person_delete_ex(p, &r) == REL_OK);
    CHECK(r.total == plan.total && memcmp(r.per_model, plan.per_model, sizeof r.per_model) == 0);
    rel_delete_plan_free(&plan);
    CHECK(Person_count(db) == persons - 1);
    CHECK(Tag_count(db) == tags - 4);
    CHECK(Seat_count(db) == seats - 1);
    CHECK(Invite_count(db) == invites - 1 && Invite_card(inv) == NULL);
    CHECK(Seat_holder(s1) == NULL && Seat_holder(s2) == NULL && Seat2_about(b) == NULL);
    CHECK(Membership_get_by_card(db, "big-1") == NULL && Membership_get_by_card(db, "big-3") != NULL);
    /* s3 was about p: gone */
    CHECK(Club_seated_count(c) == 0 && Club_seated_count(d) == 0 && Hall_seats_count(h) == 1);
    /* the seats whose holder went NULL can be held again, once a pair */
    CHECK(Seat_set_holder(s1, q) == REL_OK && Seat_set_holder(s2, q) == REL_OK);
    CHECK(Club_seated_add(c, q) == REL_OK && Seat_count(db) == seats - 1);
    CHECK(Seat_new(db, c) != NULL && Club_seated_add(d, q) == REL_OK);
    verify();
    roundtrip();
    CHECK(Club_delete(c) == REL_OK && Club_delete(d) == REL_OK && Hall_delete(h) == REL_OK);
    verify();
}

/* ---- loaddata of through objects that clash --------------------------------------------- */

static void test_loaddata_clash(void)
{
    combo_store *s = combo_store_new();
    char *before;
    static const char base[] =
        "[{\"model\": \"combo.person\", \"pk\": 1, \"fields\": {\"name\": \"\", \"email\": \"a\"}},"
        " {\"model\": \"combo.club\", \"pk\": 1, \"fields\": {\"title\": \"x\"}},"
        " {\"model\": \"combo.membership\", \"pk\": 1, \"fields\": {\"person\": 1, \"club\": 1, \"card\": \"k\"}}]";
    static const char pair[] =
        "[{\"model\": \"combo.membership\", \"pk\": 2, \"fields\": {\"person\": 1, \"club\": 1, \"card\": \"k2\"}}]";
    static const char card[] =
        "[{\"model\": \"combo.club\", \"pk\": 2, \"fields\": {\"title\": \"y\"}},"
        " {\"model\": \"combo.membership\", \"pk\": 2, \"fields\": {\"person\": 1, \"club\": 2, \"card\": \"k\"}}]";
    static const char tag[] =
        "[{\"model\": \"combo.tag\", \"pk\": 1, \"fields\": {\"label\": \"\", \"content_type\": [\"combo\", \"membership\"], \"object_id\": 9}}]";
    static const char over[] =
        "[{\"model\": \"combo.membership\", \"pk\": 1, \"fields\": {\"person\": 1, \"club\": 1, \"card\": \"k3\"}}]";
    CHECK(combo_store_loaddata(s, base, strlen(base), "base") == REL_OK);
    verify_store(s);
    before = dump(s);
    CHECK(combo_store_loaddata(s, pair, strlen(pair), "pair") != REL_OK);
    CHECK(has(combo_store_errmsg(s), "embership"));
    CHECK(combo_store_loaddata(s, card, strlen(card), "card") != REL_OK);
    CHECK(combo_store_loaddata(s, tag, strlen(tag), "tag") != REL_OK);
    {
        char *after = dump(s);
        CHECK(strcmp(before, after) == 0);
        free(after);
    }
    verify_store(s);
    /* The same pk again replaces the object (Django's save of an existing pk). */
    CHECK(combo_store_loaddata(s, over, strlen(over), "over") == REL_OK);
    verify_store(s);
    CHECK(Membership_get_by_card(s, "k3") != NULL && Membership_get_by_card(s, "k") == NULL);
    free(before);
    combo_store_free(s);
}

/* ---- deleted objects read as empty, NULL arguments ----------------------------------- */

static void test_deleted(void)
{
    Person *p = Person_new(db, "d@x");
    Club *c = Club_new(db, "dead");
    Membership *m;
    Tag *t;
    Seat *s;
    Seat2 *s2;
    Hall *h = Hall_new(db);
    Invite *inv;
    CHECK(Club_members_add(c, p, "d-1") == REL_OK && Club_seated_add(c, p) == REL_OK && Hall_seats_add(h, p) == REL_OK);
    m = Club_members_through(c, p);
    s = Club_seated_through(c, p);
    s2 = Hall_seats_through(h, p);
    t = Tag_new(db, m);
    inv = Invite_new(db, p);
    CHECK(Seat_set_about_Person(s, p) == REL_OK && Seat2_set_about_Person(s2, p) == REL_OK);
    CHECK(Invite_set_card(inv, m) == REL_OK);
    CHECK(Tag_delete(t) == REL_OK);
    CHECK(Tag_target(t) == NULL && Tag_target_model(t) == -1 && Tag_target_Membership(t) == NULL);
    CHECK(strcmp(Tag_label(t), "") == 0);
    CHECK(Tag_set_target(t, p) == REL_EINVAL && has(combo_store_errmsg(db), "Tag"));
    CHECK(Membership_notes_add(m, t) == REL_EINVAL);
    CHECK(Membership_delete(m) == REL_OK);
    CHECK(Membership_person(m) == NULL && Membership_club(m) == NULL && strcmp(Membership_card(m), "") == 0);
    CHECK(Membership_notes_count(m) == 0 && Membership_invites_count(m) == 0 && Invite_card(inv) == NULL);
    CHECK(Membership_set_card(m, "d-1") == REL_EINVAL && Membership_get_by_card(db, "d-1") == NULL);
    CHECK(Membership_notes_create(m) == NULL);
    CHECK(Club_members_add(c, p, "d-1") == REL_OK);
    CHECK(Person_delete(p) == REL_OK);
    CHECK(Seat_count(db) == 0 || Seat_holder(s) == NULL);
    CHECK(Seat_about(s) == NULL && Seat_about_model(s) == -1 && Seat_club(s) == NULL);
    CHECK(Seat2_about(s2) == NULL && Seat2_about_model(s2) == -1 && Seat2_person(s2) == NULL);
    CHECK(strcmp(Person_email(p), "") == 0 && Person_clubs_count(p) == 0 && Person_seated_in_count(p) == 0);
    CHECK(Person_clubs_through(p, c) == NULL && Club_members_through(c, p) == NULL);
    CHECK(Club_members_add(c, p, "d-2") == REL_EINVAL && Membership_get_by_card(db, "d-2") == NULL);
    CHECK(Club_seated_add(c, p) == REL_EINVAL);
    CHECK(Tag_new(db, p) == NULL);
    CHECK(Person_invites_count(p) == 0);
    /* NULL */
    CHECK(Club_members_add(NULL, p, "x") == REL_EINVAL && Club_members_add(c, NULL, "x") == REL_EINVAL);
    CHECK(Club_members_add(c, Person_new(db, "n@x"), NULL) == REL_EINVAL || Membership_count(db) > 0);
    CHECK(Seat_set_about(NULL, c) == REL_EINVAL && Seat_set_about_Club(NULL, c) == REL_EINVAL);
    CHECK(Membership_get_by_person_club(db, NULL, c) == NULL);
    CHECK(Membership_get_by_card(NULL, "x") == NULL && Membership_get_by_card(db, NULL) == NULL);
    verify();
    roundtrip();
    CHECK(Hall_delete(h) == REL_OK && Club_delete(c) == REL_OK);
    verify();
}

/* ---- all or nothing under failing allocations ---------------------------------------- */

static Person *op, *oq, *ofresh;
static Club *oc;
static Membership *om;
static Tag *ot;
static Hall *oh;

static int op_add(void) { return Club_members_add(oc, oq, "o-9") == REL_OK; }
static int op_create(void) { return Club_members_create(oc, "o-new", "o-10") != NULL; }
static int op_remove(void) { return Club_members_remove(oc, op) == REL_OK; }
static int op_clear(void) { return Club_members_clear(oc) == REL_OK; }
static int op_set_card(void) { return Membership_set_card(om, "o-11") == REL_OK; }
static int op_set_person(void) { return Membership_set_person(om, ofresh) == REL_OK; }
static int op_seated(void) { return Club_seated_add(oc, ofresh) == REL_OK; }
static int op_hall(void) { return Hall_seats_add(oh, ofresh) == REL_OK; }
static int op_tag(void) { return Membership_notes_create(om) != NULL; }
static int op_retag(void) { return Tag_set_target_Person(ot, oq) == REL_OK; }
static int op_del_person(void) { return Person_delete(op) == REL_OK; }
static int op_del_club(void) { return Club_delete(oc) == REL_OK; }
static int op_del_through(void) { return Membership_delete(om) == REL_OK; }
static int op_del_ex(void)
{
    combo_delete_result r;
    return Person_delete_ex(op, &r) == REL_OK && r.per_model[combo_Tag_model] >= 2;
}
static int op_plan(void)
{
    rel_delete_plan plan;
    if (Person_delete_plan(op, &plan) != REL_OK)
        return false;
    rel_delete_plan_free(&plan);
    return true;
}
static int op_load(void)
{
    static const char fx[] =
        "[{\"model\": \"combo.membership\", \"pk\": 50, \"fields\": {\"person\": 2, \"club\": 1, \"card\": \"o-50\"}},"
        " {\"model\": \"combo.tag\", \"pk\": 50, \"fields\": {\"label\": \"l\", \"content_type\": [\"combo\", \"membership\"], \"object_id\": 50}}]";
    return combo_store_loaddata(db, fx, strlen(fx), "oom") == REL_OK;
}

static void setup(void)
{
    db = combo_store_new();
    op = Person_new(db, "o-p");
    oq = Person_new(db, "o-q");
    oc = Club_new(db, "o-club");
    ofresh = Person_new(db, "o-fresh");
    oh = Hall_new(db);
    if (!op || !oq || !oc || !ofresh || !oh || Club_members_add(oc, op, "o-1") || Club_seated_add(oc, op)
        || Hall_seats_add(oh, op))
        abort();
    om = Club_members_through(oc, op);
    ot = Membership_notes_create(om);
    if (!ot || !Tag_new(db, ot) || !Tag_new(db, op) || !Invite_new(db, op)
        || Seat_set_about_Person(Club_seated_through(oc, op), op))
        abort();
}

static void teardown(void) { combo_store_free(db); }

static void test_oom(void)
{
    static const struct { const char *name; int (*fn)(void); } ops[] = {
        { "add", op_add }, { "create", op_create }, { "remove", op_remove }, { "clear", op_clear },
        { "set_card", op_set_card }, { "set_person", op_set_person }, { "seated", op_seated },
        { "hall", op_hall }, { "tag", op_tag }, { "retag", op_retag }, { "del_person", op_del_person },
        { "del_club", op_del_club }, { "del_through", op_del_through }, { "del_ex", op_del_ex },
        { "plan", op_plan }, { "load", op_load },
    };
    static const oom_hooks hooks = { setup, fingerprint, verify, teardown };
    rel_allocator a = { t_malloc, t_realloc, t_free, NULL };
    size_t i;
    rel_set_allocator(&a);
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        oom_points += oom_sweep(&hooks, ops[i].name, ops[i].fn, 2000, &nchecks, &nfailures);
    rel_set_allocator(NULL);
}

int main(void)
{
    db = combo_store_new();
    test_through_unique();
    test_generic_targets();
    test_seat();
    test_seat2();
    test_to_field();
    test_deleted();
    test_generic_partner();
    test_big_cascade();
    verify();
    roundtrip();
    combo_store_free(db);
    test_loaddata_clash();
    test_oom();
    printf("test_combo: %d checks, %d failed; %ld failing allocations injected\n", nchecks, nfailures, oom_points);
    return nfailures != 0;
}
