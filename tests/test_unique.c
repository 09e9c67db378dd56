/* test_unique.c: unique fields, unique_together and to_field (SPEC
 * section 8) on tests/unique/uq.rel: creates and setters refuse a clash
 * with REL_EUNIQUE and change nothing, lookups find what is there,
 * deletes and SET_NULL take objects out of the indexes, loaddata checks
 * the final state, and every allocation the new calls make can fail
 * without a change or a leak. */
#include "uq.h"
#include "failing_alloc.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uq_store *db;

static void setup(void) { db = uq_store_new(); ck_assert_ptr_nonnull(db); }
static void teardown(void) { ck_assert_int_eq(uq_store_verify(db), REL_OK); uq_store_free(db); }

/* Every object and the values the constraints read, as text. */
static char *fingerprint(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rel_forall(Person, p, Person_all(db))
        fprintf(f, "P%llu %s %s %d;", (unsigned long long)Person_id(p), Person_email(p), Person_name(p), Person_code(p));
    rel_forall(Group, g, Group_all(db))
        fprintf(f, "G%llu;", (unsigned long long)Group_id(g));
    rel_forall(Member, m, Member_all(db))
        fprintf(f, "M%llu p=%llu g=%llu %s;", (unsigned long long)Member_id(m),
                (unsigned long long)Person_id(Member_person(m)),
                Member_group(m) ? (unsigned long long)Group_id(Member_group(m)) : 0ull, Member_role(m));
    rel_forall(Badge, b, Badge_all(db))
        fprintf(f, "B%llu o=%llu w=%g;", (unsigned long long)Badge_id(b),
                (unsigned long long)Person_id(Badge_owner(b)), Badge_weight(b));
    fprintf(f, "I%zu", Invite_count(db));
    fclose(f);
    return buf;
}

/* A failing call: the status, a message, and nothing changed. */
#define REFUSED(call, status, text)                                                \
    do {                                                                           \
        char *before_ = fingerprint(), *after_;                                    \
        ck_assert_int_eq((call), (status));                                        \
        ck_assert_msg(strstr(uq_store_errmsg(db), (text)) != NULL, "errmsg: %s", uq_store_errmsg(db)); \
        after_ = fingerprint();                                                    \
        ck_assert_str_eq(before_, after_);                                         \
        free(before_);                                                             \
        free(after_);                                                              \
        ck_assert_int_eq(uq_store_verify(db), REL_OK);                             \
    } while (0)

START_TEST(create_and_lookup)
{
    Person *a = Person_new(db, "a@x", 1), *b = Person_new(db, "b@x", 2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(Person_email(a), "a@x");
    ck_assert_int_eq(Person_code(b), 2);
    ck_assert_ptr_eq(Person_get_by_email(db, "a@x"), a);
    ck_assert_ptr_eq(Person_get_by_email(db, "b@x"), b);
    ck_assert_ptr_null(Person_get_by_email(db, "c@x"));
    ck_assert_ptr_null(Person_get_by_email(db, NULL));
    ck_assert_ptr_eq(Person_get_by_code(db, 2), b);
    ck_assert_ptr_null(Person_get_by_code(db, 3));
    REFUSED(Person_new(db, "a@x", 3) ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "Person_new: Person 1 already has this email");
    REFUSED(Person_new(db, "c@x", 1) ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "Person 1 already has this code");
    REFUSED(Person_new(db, NULL, 9) ? REL_OK : REL_EINVAL, REL_EINVAL, "the value is NULL");
    REFUSED(Person_new(db, "\xff", 9) ? REL_OK : REL_EINVAL, REL_EINVAL, "not valid UTF-8");
    REFUSED(Person_new(db, "0123456789012345678901", 9) ? REL_OK : REL_ETOOLONG, REL_ETOOLONG, "max_length");
    ck_assert_int_eq(Person_count(db), 2);
    /* A NULL store: the unique values are no objects to find a store in
     * (this crashed when M_new took rel_new2, which looks). */
    ck_assert_ptr_null(Person_new(NULL, "n@x", 5));
    ck_assert_str_eq(rel_errmsg_nostore(), "Person_new: NULL store");
}
END_TEST

START_TEST(setters)
{
    Person *a = Person_new(db, "a@x", 1), *b = Person_new(db, "b@x", 2);
    REFUSED(Person_set_email(b, "a@x"), REL_EUNIQUE, "Person 2: Person 1 already has this email");
    REFUSED(Person_set_code(a, 2), REL_EUNIQUE, "Person 1: Person 2 already has this code");
    REFUSED(Person_set_email(b, NULL), REL_EINVAL, "NULL");
    ck_assert_int_eq(Person_set_email(a, "a@x"), REL_OK);   /* its own value */
    ck_assert_int_eq(Person_set_email(a, "z@x"), REL_OK);
    ck_assert_ptr_null(Person_get_by_email(db, "a@x"));
    ck_assert_ptr_eq(Person_get_by_email(db, "z@x"), a);
    ck_assert_int_eq(Person_set_email(b, "a@x"), REL_OK);   /* free again */
    ck_assert_ptr_eq(Person_get_by_email(db, "a@x"), b);
    ck_assert_int_eq(Person_set_code(a, 7), REL_OK);
    ck_assert_ptr_eq(Person_get_by_code(db, 7), a);
    ck_assert_ptr_null(Person_get_by_code(db, 1));
    ck_assert_int_eq(Person_set_name(a, "same"), REL_OK);   /* not unique */
    ck_assert_int_eq(Person_set_name(b, "same"), REL_OK);
}
END_TEST

START_TEST(together)
{
    Person *a = Person_new(db, "a", 1), *b = Person_new(db, "b", 2);
    Group *g = Group_new(db), *h = Group_new(db);
    Member *m1 = Member_new(db, a, "x"), *m2 = Member_new(db, a, "y"), *m3;
    ck_assert_ptr_nonnull(m1);
    ck_assert_ptr_nonnull(m2);   /* group NULL: never clashes */
    ck_assert_int_eq(Member_set_group(m1, g), REL_OK);
    ck_assert_ptr_eq(Member_get_by_person_group(db, a, g), m1);
    ck_assert_ptr_eq(Member_get_by_group_role(db, g, "x"), m1);
    ck_assert_ptr_null(Member_get_by_person_group(db, a, NULL));
    REFUSED(Member_set_group(m2, g), REL_EUNIQUE, "Member 2: Member 1 already has this (person, group)");
    REFUSED(Group_members_add(g, m2), REL_EUNIQUE, "Member 1 already has this (person, group)");
    ck_assert_int_eq(Member_set_person(m2, b), REL_OK);
    ck_assert_int_eq(Member_set_role(m2, "x"), REL_OK);   /* group NULL: no clash */
    REFUSED(Member_set_group(m2, g), REL_EUNIQUE, "Member 2: Member 1 already has this (group, role)");
    ck_assert_int_eq(Member_set_role(m2, "z"), REL_OK);
    ck_assert_int_eq(Group_members_add(g, m2), REL_OK);
    REFUSED(Member_set_role(m2, "x"), REL_EUNIQUE, "Member 2: Member 1 already has this (group, role)");
    ck_assert_ptr_eq(Member_get_by_group_role(db, g, "z"), m2);
    /* a create through the reverse side carries the relation */
    REFUSED(Group_members_create(g, a, "q") ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "(person, group)");
    ck_assert_ptr_nonnull(Person_new(db, "c", 3));
    REFUSED(Group_members_create(g, Person_get_by_email(db, "c"), "x") ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "(group, role)");
    m3 = Group_members_create(h, a, "x");
    ck_assert_ptr_nonnull(m3);
    ck_assert_ptr_eq(Member_get_by_person_group(db, a, h), m3);
    /* remove and clear set NULL: the objects leave those indexes */
    ck_assert_int_eq(Group_members_remove(h, m3), REL_OK);
    ck_assert_ptr_null(Member_get_by_person_group(db, a, h));
    ck_assert_int_eq(Group_members_clear(g), REL_OK);
    ck_assert_ptr_null(Member_get_by_group_role(db, g, "x"));
    ck_assert_int_eq(Member_set_group(m3, g), REL_OK);
    ck_assert_int_eq(uq_store_verify(db), REL_OK);
}
END_TEST

START_TEST(deletes)
{
    Person *a = Person_new(db, "a", 1), *b = Person_new(db, "b", 2);
    Group *g = Group_new(db);
    Member *m = Member_new(db, a, "r");
    Badge *x = Badge_new(db, a, 1.5);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(Member_set_group(m, g), REL_OK);
    REFUSED(Badge_new(db, a, 2.0) ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "already has this owner");
    REFUSED(Badge_new(db, b, 1.5) ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "already has this weight");
    /* SET_NULL: m leaves the group's constraints */
    ck_assert_int_eq(Group_delete(g), REL_OK);
    ck_assert_ptr_null(Member_group(m));
    ck_assert_int_eq(uq_store_verify(db), REL_OK);
    /* CASCADE: a's member and badge go, and their keys are free */
    ck_assert_int_eq(Person_delete(a), REL_OK);
    ck_assert_int_eq(uq_store_verify(db), REL_OK);
    ck_assert_ptr_null(Person_get_by_email(db, "a"));
    ck_assert_ptr_nonnull(Person_new(db, "a", 1));
    ck_assert_ptr_nonnull(Badge_new(db, b, 1.5));
    /* floats: -0.0 equals +0.0, NaN equals NaN */
    ck_assert_ptr_nonnull(Badge_new(db, Person_get_by_email(db, "a"), 0.0));
    {
        Person *c = Person_new(db, "c", 3), *d = Person_new(db, "d", 4);
        REFUSED(Badge_new(db, c, -0.0) ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "weight");
        ck_assert_ptr_nonnull(Badge_new(db, c, NAN));
        REFUSED(Badge_new(db, d, -NAN) ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "weight");
        ck_assert_ptr_eq(Badge_get_by_weight(db, NAN), Badge_get_by_owner(db, c));
        ck_assert_ptr_eq(Badge_get_by_weight(db, -0.0), Badge_get_by_weight(db, 0.0));
    }
    /* a many-to-many create carries the unique arguments too */
    {
        Group *h = Group_new(db);
        Person *e = Person_new(db, "e", 5);
        REFUSED(Group_badges_create(h, e, 1.5) ? REL_OK : REL_EUNIQUE, REL_EUNIQUE, "weight");
        ck_assert_ptr_nonnull(Group_badges_create(h, e, 9.5));
        ck_assert_int_eq(Group_badges_count(h), 1);
    }
}
END_TEST

/* Many objects: the indexes grow, and deleting half keeps every lookup. */
START_TEST(many)
{
    enum { N = 5000 };
    char key[32];
    int i;
    for (i = 0; i < N; i++) {
        snprintf(key, sizeof key, "p%d", i);
        ck_assert_ptr_nonnull(Person_new(db, key, i));
    }
    for (i = 0; i < N; i += 2) {
        snprintf(key, sizeof key, "p%d", i);
        ck_assert_int_eq(Person_delete(Person_get_by_email(db, key)), REL_OK);
    }
    for (i = 0; i < N; i++) {
        Person *p;
        snprintf(key, sizeof key, "p%d", i);
        p = Person_get_by_email(db, key);
        if (i % 2)
            ck_assert(p && Person_code(p) == i && Person_get_by_code(db, i) == p);
        else
            ck_assert_ptr_null(p);
    }
    ck_assert_int_eq(uq_store_verify(db), REL_OK);
}
END_TEST

/* Every allocation of each new call fails in turn: nothing changes,
 * nothing leaks, and with enough memory the call succeeds. */
static rel_status oom_call(int op)
{
    Person *a = Person_get_by_email(db, "a");
    Group *g = Group_get(db, 1);
    switch (op) {
    case 0: return Person_new(db, "n@x", 50) ? REL_OK : REL_ENOMEM;
    case 1: return Person_set_email(a, "new@x");
    case 2: return Member_new(db, a, "role") ? REL_OK : REL_ENOMEM;
    case 3: return Group_members_create(g, a, "r2") ? REL_OK : REL_ENOMEM;
    case 4: return Group_badges_create(g, a, 3.0) ? REL_OK : REL_ENOMEM;
    case 5: return Person_delete(a);
    default: {
        static const char text[] =
            "[{\"model\": \"uq.person\", \"pk\": 9, \"fields\": {\"email\": \"n9\", \"code\": 90}},"
            " {\"model\": \"uq.invite\", \"pk\": 1, \"fields\": {\"to\": \"n9\"}},"
            " {\"model\": \"uq.person\", \"pk\": 2, \"fields\": {\"email\": \"b2\", \"code\": 1}}]";
        return uq_store_loaddata(db, text, strlen(text), "oom.json");
    }
    }
}

START_TEST(out_of_memory)
{
    rel_allocator al = { t_malloc, t_realloc, t_free, NULL };
    int op;
    uq_store_free(db);
    rel_set_allocator(&al);
    for (op = 0; op < 7; op++) {
        long n;
        for (n = 1;; n++) {
            char *before, *after;
            rel_status st;
            db = uq_store_new();
            ck_assert_ptr_nonnull(db);
            {   /* a few objects, some indexes near a growth */
                int i;
                char key[16];
                for (i = 0; i < 5; i++) {
                    snprintf(key, sizeof key, "%c", 'a' + i);
                    ck_assert_ptr_nonnull(Person_new(db, key, i));
                }
                ck_assert_ptr_nonnull(Group_new(db));
            }
            before = fingerprint();
            allocs = 0;
            fail_at = n;
            st = oom_call(op);
            fail_at = 0;
            ck_assert_int_eq(uq_store_verify(db), REL_OK);
            if (st == REL_OK) {
                free(before);
                uq_store_free(db);
                ck_assert_int_eq(live, 0);
                break;
            }
            ck_assert_msg(st == REL_ENOMEM, "call %d, allocation %ld: %s", op, n, uq_store_errmsg(db));
            {   /* a create's message names the call */
                static const char *const creates[] = { "Person_new", NULL, "Member_new", "Group_members_create",
                                                       "Group_badges_create" };
                if (op < 5 && creates[op])
                    ck_assert_msg(strstr(uq_store_errmsg(db), creates[op]) != NULL, "call %d, allocation %ld: %s",
                                  op, n, uq_store_errmsg(db));
            }
            after = fingerprint();
            ck_assert_str_eq(before, after);
            free(before);
            free(after);
            uq_store_free(db);
            ck_assert_int_eq(live, 0);   /* nothing leaked */
        }
    }
    ck_assert_int_eq(live, 0);
    rel_set_allocator(NULL);
    db = uq_store_new();
}
END_TEST

START_TEST(loaddata)
{
    static const char ok[] =
        "[{\"model\": \"uq.person\", \"pk\": 1, \"fields\": {\"email\": \"a\", \"name\": \"\", \"code\": 1}},\n"
        " {\"model\": \"uq.person\", \"pk\": 2, \"fields\": {\"email\": \"b\", \"name\": \"\", \"code\": 2}}]";
    static const char clash[] =
        "[{\"model\": \"uq.person\", \"pk\": 3, \"fields\": {\"email\": \"c\", \"code\": 3}},\n"
        " {\"model\": \"uq.person\", \"pk\": 4, \"fields\": {\"email\": \"c\", \"code\": 4}}]";
    static const char clash_old[] =
        "[{\"model\": \"uq.person\", \"pk\": 3, \"fields\": {\"email\": \"a\", \"code\": 3}}]";
    static const char swap[] =
        "[{\"model\": \"uq.person\", \"pk\": 1, \"fields\": {\"email\": \"b\", \"code\": 2}},\n"
        " {\"model\": \"uq.person\", \"pk\": 2, \"fields\": {\"email\": \"a\", \"code\": 1}}]";
    static const char defaults[] =
        "[{\"model\": \"uq.member\", \"pk\": 1, \"fields\": {\"person\": 1, \"group\": 1}},\n"
        " {\"model\": \"uq.group\", \"pk\": 1, \"fields\": {}},\n"
        " {\"model\": \"uq.member\", \"pk\": 2, \"fields\": {\"person\": 2, \"group\": 1}}]";
    ck_assert_int_eq(uq_store_loaddata(db, ok, strlen(ok), "ok.json"), REL_OK);
    ck_assert_ptr_eq(Person_get_by_email(db, "b"), Person_get(db, 2));
    REFUSED(uq_store_loaddata(db, clash, strlen(clash), "c.json"), REL_EUNIQUE,
            "c.json:2:54: uq.person 4: email: uq.person 3 has the same email");
    REFUSED(uq_store_loaddata(db, clash_old, strlen(clash_old), "o.json"), REL_EUNIQUE,
            "o.json:1:54: uq.person 3: email: uq.person 1 has the same email");
    /* the final state counts, as a transaction's end does */
    ck_assert_int_eq(uq_store_loaddata(db, swap, strlen(swap), "s.json"), REL_OK);
    ck_assert_ptr_eq(Person_get_by_email(db, "a"), Person_get(db, 2));
    ck_assert_ptr_eq(Person_get_by_code(db, 2), Person_get(db, 1));
    REFUSED(uq_store_loaddata(db, defaults, strlen(defaults), "d.json"), REL_EUNIQUE,
            "uq.member 2: group: uq.member 1 has the same (group, role)");
    ck_assert_ptr_nonnull(Person_new(db, "c", 3));
    ck_assert_ptr_null(Person_new(db, "c", 5));
}
END_TEST

/* to_field: dumpdata writes the target's email, loaddata finds the target
 * by it in the state the load ends in. */
START_TEST(to_field)
{
    static const char same_file[] =
        "[{\"model\": \"uq.invite\", \"pk\": 5, \"fields\": {\"to\": \"new@x\"}},\n"
        " {\"model\": \"uq.person\", \"pk\": 7, \"fields\": {\"email\": \"new@x\", \"code\": 7}}]";
    static const char dangling[] =
        "[{\"model\": \"uq.invite\", \"pk\": 6, \"fields\": {\"to\": \"zz\"}}]";
    static const char renamed[] =
        "[{\"model\": \"uq.person\", \"pk\": 1, \"fields\": {\"email\": \"a2\", \"code\": 1}},\n"
        " {\"model\": \"uq.invite\", \"pk\": 6, \"fields\": {\"to\": \"a\"}}]";
    static const char renamed_ok[] =
        "[{\"model\": \"uq.person\", \"pk\": 1, \"fields\": {\"email\": \"a2\", \"code\": 1}},\n"
        " {\"model\": \"uq.invite\", \"pk\": 6, \"fields\": {\"to_id\": \"a2\"}}]";
    Person *a = Person_new(db, "a", 1);
    Invite *i = Invite_new(db, a);
    uq_store *copy = uq_store_new();
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(i);
    ck_assert_int_eq(uq_store_dumpdata(db, f, 0), REL_OK);
    fclose(f);
    ck_assert_msg(strstr(text, "{\"model\": \"uq.invite\", \"pk\": 1, \"fields\": {\"to\": \"a\"}}") != NULL, "%s", text);
    ck_assert_int_eq(uq_store_loaddata(copy, text, len, "dump.json"), REL_OK);
    ck_assert_ptr_eq(Invite_to(Invite_get(copy, 1)), Person_get_by_email(copy, "a"));
    ck_assert_int_eq(uq_store_verify(copy), REL_OK);
    uq_store_free(copy);
    free(text);

    ck_assert_int_eq(uq_store_loaddata(db, same_file, strlen(same_file), "s.json"), REL_OK);
    ck_assert_ptr_eq(Invite_to(Invite_get(db, 5)), Person_get(db, 7));
    REFUSED(uq_store_loaddata(db, dangling, strlen(dangling), "d.json"), REL_EINVAL,
            "d.json:1:51: uq.invite 6: to: uq.person with email = \"zz\" does not exist");
    REFUSED(uq_store_loaddata(db, renamed, strlen(renamed), "r.json"), REL_EINVAL,
            "uq.invite 6: to: uq.person with email = \"a\" does not exist");
    ck_assert_int_eq(uq_store_loaddata(db, renamed_ok, strlen(renamed_ok), "r.json"), REL_OK);
    ck_assert_ptr_eq(Invite_to(Invite_get(db, 6)), a);
    /* In C the relation is the pointer: changing the email keeps it. */
    ck_assert_int_eq(Person_set_email(a, "a3"), REL_OK);
    ck_assert_ptr_eq(Invite_to(i), a);
}
END_TEST

/* verify looks up every entry of a unique index among the store's
 * objects before it reads the keys of any: an entry that a program wrote
 * over is reported, whatever it points at. */
START_TEST(verify_index_entries)
{
    static char junk[64];
    Person *a = Person_new(db, "a@x", 1);
    Group *g = Group_new(db);
    rel_index *ix = &((rel_store *)(void *)db)->indexes[0];
    void *wild[3], **entry = NULL;
    uint32_t i;
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(g);
    for (i = 0; i < ix->cap; i++)
        if (ix->slots[i] == a)
            entry = &ix->slots[i];
    ck_assert_ptr_nonnull(entry);
    wild[0] = junk;              /* in no region */
    wild[1] = g;                 /* an object of another model */
    wild[2] = (char *)a + 4;     /* inside a Person */
    for (i = 0; i < 3; i++) {
        *entry = wild[i];
        ck_assert_int_eq(uq_store_verify(db), REL_ECORRUPT);
        ck_assert_msg(strstr(uq_store_errmsg(db), "Person: a unique index holds something that is not one of its objects"),
                      "errmsg: %s", uq_store_errmsg(db));
        *entry = a;
        ck_assert_int_eq(uq_store_verify(db), REL_OK);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("unique");
    TCase *t = tcase_create("unique");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, create_and_lookup);
    tcase_add_test(t, setters);
    tcase_add_test(t, together);
    tcase_add_test(t, deletes);
    tcase_add_test(t, many);
    tcase_add_test(t, out_of_memory);
    tcase_add_test(t, loaddata);
    tcase_add_test(t, to_field);
    tcase_add_test(t, verify_index_entries);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    int failed;
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
