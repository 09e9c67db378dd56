/* test_api.c: the generated API's promises, on tests/api/api.rel.
 *
 * Every failing mutator must leave the store exactly as it was: each test
 * takes a fingerprint of the whole store (every object and every link)
 * before the call and compares it after, and runs verify. */
#include "api.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static api_store *db;

/* Every object and link, as text. */
static char *fingerprint(void)
{
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);
    for (i = 0; i < Author_count(db); i++) {
        Author *a = Author_all(db).items[i];
        fprintf(f, "A%llu %s books=%zu edited=%zu;", (unsigned long long)Author_id(a), Author_name(a),
                Author_books_count(a), Author_edited_count(a));
    }
    for (i = 0; i < Book_count(db); i++) {
        Book *b = Book_all(db).items[i];
        fprintf(f, "B%llu a=%llu e=%llu;", (unsigned long long)Book_id(b),
                (unsigned long long)Author_id(Book_author(b)),
                Book_editor(b) ? (unsigned long long)Author_id(Book_editor(b)) : 0ull);
    }
    fprintf(f, "C%zu P%zu U%zu Pr%zu;", Contract_count(db), Publisher_count(db), User_count(db), Profile_count(db));
    for (i = 0; i < Person_count(db); i++) {
        Person *p = Person_all(db).items[i];
        fprintf(f, "Pe%llu f=%zu c=%zu r=%zu;", (unsigned long long)Person_id(p), Person_friends_count(p),
                Person_clubs_count(p), Person_reports_count(p));
    }
    for (i = 0; i < Club_count(db); i++)
        fprintf(f, "Cl%zu;", Club_members_count(Club_all(db).items[i]));
    fclose(f);
    return buf;
}

static void setup(void) { db = api_store_new(); ck_assert_ptr_nonnull(db); }
static void teardown(void)
{
    ck_assert_int_eq(api_store_verify(db), REL_OK);
    api_store_free(db);
    rel_set_allocator(NULL);
}

#define UNCHANGED(before) do { char *after_ = fingerprint(); \
    ck_assert_str_eq(before, after_); free(after_); \
    ck_assert_int_eq(api_store_verify(db), REL_OK); } while (0)

START_TEST(test_foreign_key_both_sides)
{
    Author *a = Author_new(db), *b = Author_new(db);
    Book *x = Book_new(db, a), *y = Author_books_create(a);
    ck_assert_int_eq(Author_books_count(a), 2);
    ck_assert(Author_books_contains(a, x) && Author_books_contains(a, y));
    ck_assert_int_eq(Book_set_author(x, b), REL_OK);
    ck_assert_int_eq(Author_books_count(a), 1);
    ck_assert(Author_books_contains(b, x));
    ck_assert_int_eq(Author_books_add(b, y), REL_OK);
    ck_assert_int_eq(Author_books_count(a), 0);
    ck_assert_int_eq(Author_edited_add(a, x), REL_OK);
    ck_assert_ptr_eq(Book_editor(x), a);
    ck_assert_int_eq(Author_edited_remove(a, x), REL_OK);
    ck_assert_ptr_null(Book_editor(x));
    ck_assert_int_eq(Author_edited_add(a, x), REL_OK);
    ck_assert_int_eq(Author_edited_add(a, y), REL_OK);
    ck_assert_int_eq(Author_edited_clear(a), REL_OK);
    ck_assert_int_eq(Author_edited_count(a), 0);
    ck_assert_ptr_eq(Book_get(db, Book_id(x)), x);
    ck_assert_ptr_null(Book_get(db, 99));
}
END_TEST

START_TEST(test_errors_change_nothing)
{
    Author *a = Author_new(db);
    Book *x = Book_new(db, a);
    User *u = User_new(db);
    char *before;
    Profile_new(db, u);
    before = fingerprint();
    ck_assert_int_eq(Book_set_author(x, NULL), REL_ENULL);
    UNCHANGED(before);
    ck_assert_ptr_null(Book_new(db, NULL));
    ck_assert_ptr_nonnull(strstr(api_store_errmsg(db), "Book.author is required"));
    UNCHANGED(before);
    ck_assert_ptr_null(Profile_new(db, u));
    ck_assert_ptr_nonnull(strstr(api_store_errmsg(db), "already has a Profile"));
    UNCHANGED(before);
    ck_assert_int_eq(Author_set_name(a, "toolong"), REL_ETOOLONG);
    UNCHANGED(before);
    ck_assert_int_eq(Author_edited_remove(a, x), REL_EINVAL);
    UNCHANGED(before);
    free(before);
}
END_TEST

START_TEST(test_delete_rules)
{
    Author *a = Author_new(db), *e = Author_new(db);
    Book *x = Book_new(db, a);
    Publisher *p = Publisher_new(db);
    Contract *c = Contract_new(db, p);
    char *before;
    Book_set_editor(x, e);
    Contract_set_book(c, x);

    /* PROTECT: refused while any contract refers to the publisher. */
    before = fingerprint();
    ck_assert_int_eq(Publisher_delete(p), REL_EPROTECTED);
    ck_assert_ptr_nonnull(strstr(api_store_errmsg(db), "Contract.publisher"));
    UNCHANGED(before);
    /* RESTRICT: the book's contract blocks the cascade from its author ... */
    ck_assert_int_eq(Author_delete(a), REL_ERESTRICTED);
    UNCHANGED(before);
    free(before);
    /* ... unless the contract goes in the same delete: it is not reached by
     * this one, so delete it first, then the cascade goes through. */
    ck_assert_int_eq(Contract_delete(c), REL_OK);
    ck_assert_int_eq(Author_delete(a), REL_OK);
    ck_assert_int_eq(Book_count(db), 0);
    ck_assert_int_eq(Author_edited_count(e), 0);
    ck_assert_int_eq(Publisher_delete(p), REL_OK);
}
END_TEST

START_TEST(test_set_null_and_cascade_cycles)
{
    Author *a = Author_new(db), *e = Author_new(db);
    Book *x = Book_new(db, a);
    Person *boss = Person_new(db), *mid = Person_new(db), *low = Person_new(db);
    Book_set_editor(x, e);
    ck_assert_int_eq(Author_delete(e), REL_OK);            /* SET_NULL */
    ck_assert_ptr_null(Book_editor(x));
    Person_set_boss(mid, boss);
    Person_set_boss(low, mid);
    Person_set_boss(boss, low);                             /* a cycle */
    Person_friends_add(low, Person_new(db));
    ck_assert_int_eq(Person_delete(mid), REL_OK);           /* the whole cycle */
    ck_assert_int_eq(Person_count(db), 1);
    ck_assert_int_eq(Person_friends_count(Person_all(db).items[0]), 0);
}
END_TEST

START_TEST(test_many_to_many)
{
    Person *p = Person_new(db), *q = Person_new(db);
    Club *c = Person_clubs_create(p), *d = Club_new(db);
    ck_assert_int_eq(Club_members_count(c), 1);
    ck_assert_int_eq(Person_clubs_add(p, c), REL_OK);       /* idempotent */
    ck_assert_int_eq(Person_clubs_count(p), 1);
    ck_assert_int_eq(Club_members_add(d, p), REL_OK);
    ck_assert_int_eq(Club_members_add(d, q), REL_OK);
    ck_assert(Person_clubs_contains(q, d));
    ck_assert_int_eq(Person_clubs_remove(p, d), REL_OK);
    ck_assert(!Club_members_contains(d, p));
    /* symmetrical self: both ways, and a link to oneself is one entry */
    ck_assert_int_eq(Person_friends_add(p, q), REL_OK);
    ck_assert(Person_friends_contains(q, p));
    ck_assert_int_eq(Person_friends_add(p, p), REL_OK);
    ck_assert_int_eq(Person_friends_count(p), 2);
    ck_assert_int_eq(Person_friends_remove(q, p), REL_OK);
    ck_assert_int_eq(Person_friends_count(p), 1);
    ck_assert_int_eq(Club_delete(d), REL_OK);
    ck_assert_int_eq(Person_clubs_count(q), 0);
    ck_assert_int_eq(Club_members_clear(c), REL_OK);
    ck_assert_int_eq(Person_clubs_count(p), 0);
}
END_TEST

/* Out of memory: the nth allocation fails, for every n a call reaches. */
static long fail_at, allocs;
static void *t_malloc(size_t n, void *ud) { (void)ud; return ++allocs == fail_at ? NULL : malloc(n); }
static void *t_realloc(void *p, size_t n, void *ud) { (void)ud; return ++allocs == fail_at ? NULL : realloc(p, n); }
static void t_free(void *p, void *ud) { (void)ud; free(p); }

START_TEST(test_out_of_memory_changes_nothing)
{
    rel_allocator al = { t_malloc, t_realloc, t_free, NULL };
    int op;
    rel_set_allocator(&al);
    for (op = 0; op < 6; op++) {
        long n;
        for (n = 1; n < 50; n++) {
            api_store *keep = db;
            rel_status st = REL_OK;
            char *before;
            Author *a;
            Person *p, *q;
            fail_at = 0;
            db = api_store_new();
            a = Author_new(db);
            Book_new(db, a);
            Book_new(db, a);
            p = Person_new(db);
            q = Person_new(db);
            Person_set_boss(q, p);
            before = fingerprint();
            allocs = 0;
            fail_at = n;
            switch (op) {
            case 0: st = Author_books_create(a) ? REL_OK : REL_ENOMEM; break;
            case 1: st = Person_friends_add(p, q); break;
            case 2: st = Person_clubs_create(p) ? REL_OK : REL_ENOMEM; break;
            case 3: st = Author_delete(a); break;
            case 4: st = Person_delete(p); break;
            case 5: st = Author_set_name(a, "x"); break;
            }
            fail_at = 0;
            if (st != REL_OK) {
                ck_assert_int_eq(st, REL_ENOMEM);
                UNCHANGED(before);
            }
            free(before);
            ck_assert_int_eq(api_store_verify(db), REL_OK);
            api_store_free(db);
            db = keep;
            if (st == REL_OK && allocs < n)
                break;          /* every allocation point of this call covered */
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("generated API");
    TCase *t = tcase_create("api");
    SRunner *r;
    int failed;
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_foreign_key_both_sides);
    tcase_add_test(t, test_errors_change_nothing);
    tcase_add_test(t, test_delete_rules);
    tcase_add_test(t, test_set_null_and_cascade_cycles);
    tcase_add_test(t, test_many_to_many);
    tcase_add_test(t, test_out_of_memory_changes_nothing);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
