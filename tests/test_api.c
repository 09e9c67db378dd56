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
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rel_forall(Author, a, Author_all(db)) {
        fprintf(f, "A%llu %s books=%zu edited=%zu;", (unsigned long long)Author_id(a), Author_name(a),
                Author_books_count(a), Author_edited_count(a));
    }
    rel_forall(Book, b, Book_all(db)) {
        fprintf(f, "B%llu a=%llu e=%llu;", (unsigned long long)Book_id(b),
                (unsigned long long)Author_id(Book_author(b)),
                Book_editor(b) ? (unsigned long long)Author_id(Book_editor(b)) : 0ull);
    }
    fprintf(f, "C%zu P%zu U%zu Pr%zu Ba%zu Se%zu;", Contract_count(db), Publisher_count(db), User_count(db),
            Profile_count(db), Badge_count(db), Seat_count(db));
    rel_forall(Person, p, Person_all(db)) {
        fprintf(f, "Pe%llu f=%zu c=%zu r=%zu;", (unsigned long long)Person_id(p), Person_friends_count(p),
                Person_clubs_count(p), Person_reports_count(p));
    }
    rel_forall(Club, c, Club_all(db))
        fprintf(f, "Cl%zu;", Club_members_count(c));
    fclose(f);
    return buf;
}

/* The first object of a model that a walk of the store finds. */
static Person *first_person(void) { rel_cursor c = Person_all(db); return Person_next(&c); }
static User *first_user(void) { rel_cursor c = User_all(db); return User_next(&c); }
static Profile *first_profile(void) { rel_cursor c = Profile_all(db); return Profile_next(&c); }
static Contract *first_contract(void) { rel_cursor c = Contract_all(db); return Contract_next(&c); }

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
    /* RESTRICT: the book's contract blocks the cascade from its author. */
    ck_assert_int_eq(Author_delete(a), REL_ERESTRICTED);
    UNCHANGED(before);
    free(before);
    /* Without the contract, the cascade goes through. */
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
    ck_assert_int_eq(Person_friends_count(first_person()), 0);
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

/* Out of memory: the nth allocation fails, for every n a call reaches.
 * The harness counts live allocations too, so a leak on any failure path
 * shows as a store that does not free to zero. */
#include "failing_alloc.h"

static long failure_points;

/* The store every out-of-memory scenario starts from: an author with 200
 * books (each with a contract), a chain of 50 people reporting to the
 * first, each a friend of the next and a member of two clubs, users with
 * profiles and badges, a seat. */
typedef struct Fixture {
    Author *a, *other;
    Book *b;
    Publisher *pub;
    Person *p, *q, *last;
    Club *club, *club2;
    Person *newbie;
    Badge *badge;
    User *u, *free_user;
} Fixture;

static void fixture(Fixture *x)
{
    int i;
    Person *prev = NULL;
    x->a = Author_new(db);
    x->other = Author_new(db);
    x->pub = Publisher_new(db);
    for (i = 0; i < 200; i++) {
        Book *b = Book_new(db, x->a);
        Contract *c = Contract_new(db, x->pub);
        Contract_set_author(c, x->a);
        if (i == 0)
            x->b = b;
    }
    x->club = Club_new(db);
    for (i = 0; i < 50; i++) {
        Person *p = Person_new(db);
        if (prev) {
            Person_set_boss(p, prev);
            Person_friends_add(p, prev);
        } else {
            x->p = p;
        }
        Person_clubs_add(p, x->club);
        Person_clubs_create(p);
        if (i == 1)
            x->q = p;
        prev = p;
    }
    x->last = prev;
    x->u = User_new(db);
    Profile_new(db, x->u);
    Badge_set_holder(Badge_new(db), x->u);
    x->free_user = User_new(db);
    Seat_new(db, Club_new(db));
    /* Objects that calls below link, made here so that the calls alone run
     * under the failing allocator. */
    x->club2 = Club_new(db);
    x->newbie = Person_new(db);
    x->badge = Badge_new(db);
}

enum { N_OOM_CALLS = 24 };

/* Call number `op` on the fixture; REL_ENOMEM (or NULL) when memory ran
 * out.  Store creation is call 0 and has no fixture. */
static rel_status oom_call(int op, Fixture *x)
{
    Book *books[200];
    size_t i;
    switch (op) {
    case 1: return Author_new(db) ? REL_OK : REL_ENOMEM;
    case 2: return Book_new(db, x->other) ? REL_OK : REL_ENOMEM;
    case 3: return Author_books_create(x->other) ? REL_OK : REL_ENOMEM;
    case 4: return Author_set_name(x->a, "abc");
    case 5: return Book_set_author(x->b, x->other);
    case 6: return Book_set_editor(x->b, x->other);
    case 7: return Author_edited_add(x->other, x->b);
    case 8: return Person_friends_add(x->p, x->last);
    case 9: return Person_clubs_add(x->p, x->club2);
    case 10: return Club_members_add(x->club, x->newbie);
    case 11: return Person_clubs_create(x->p) ? REL_OK : REL_ENOMEM;
    case 12: return Profile_new(db, x->free_user) ? REL_OK : REL_ENOMEM;
    case 13: return Badge_set_holder(x->badge, x->free_user);
    case 14: return Seat_new(db, x->club) ? REL_OK : REL_ENOMEM;
    case 15: return Person_set_boss(x->p, x->last);
    case 16: return Person_reports_add(x->last, x->q);
    case 17: return Author_delete(x->a);          /* 200 books and contracts */
    case 18: return Person_delete(x->p);          /* the whole chain of 50 */
    case 19: return Club_delete(x->club);         /* 50 members' links */
    case 20:
        for (i = 0; i < 200; i++)
            books[i] = Author_books(x->a).items[i];
        return Book_delete_many(books, 200);      /* restricted? no: contracts have no book */
    case 21: return User_delete(x->u);            /* profile cascades, badge set null */
    case 22: return Publisher_delete(x->pub);     /* protected: no allocation may matter */
    default: return Person_friends_clear(x->q);
    }
}

/* The call a create's out-of-memory message must name (NULL: not a
 * create; those name the relation or the object). */
static const char *oom_create_name(int op)
{
    switch (op) {
    case 1: return "Author_new";
    case 2: return "Book_new";
    case 3: return "Author_books_create";
    case 11: return "Person_clubs_create";
    case 12: return "Profile_new";
    case 14: return "Seat_new";
    default: return NULL;
    }
}

START_TEST(test_out_of_memory_every_call)
{
    rel_allocator al = { t_malloc, t_realloc, t_free, NULL };
    int op;
    api_store *keep = db;
    rel_set_allocator(&al);
    for (op = 0; op < N_OOM_CALLS; op++) {
        long n;
        for (n = 1;; n++) {
            rel_status st;
            Fixture x;
            char *before = NULL;
            fail_at = 0;
            live = 0;
            if (op == 0) {
                allocs = 0;
                fail_at = n;
                db = api_store_new();
                st = db ? REL_OK : REL_ENOMEM;
                fail_at = 0;
            } else {
                db = api_store_new();
                fixture(&x);
                before = fingerprint();
                allocs = 0;
                fail_at = n;
                st = oom_call(op, &x);
                fail_at = 0;
            }
            if (allocs >= n) {
                failure_points++;
                /* The failed allocation must surface as out of memory
                 * (Publisher_delete may be refused first) and change nothing. */
                if (st != REL_OK && st != REL_EPROTECTED)
                    ck_assert_msg(st == REL_ENOMEM, "call %d, allocation %ld: status %d", op, n, st);
                if (st == REL_ENOMEM && db && oom_create_name(op))
                    ck_assert_msg(strstr(api_store_errmsg(db), oom_create_name(op)) != NULL,
                                  "call %d, allocation %ld: the message does not name the call: %s", op, n,
                                  api_store_errmsg(db));
                if (st != REL_OK && db) {
                    char *after = fingerprint();
                    ck_assert_msg(!before || strcmp(before, after) == 0,
                                  "call %d, allocation %ld failed but the store changed", op, n);
                    free(after);
                }
            }
            free(before);
            if (db) {
                ck_assert_int_eq(api_store_verify(db), REL_OK);
                api_store_free(db);
            }
            ck_assert_msg(live == 0, "call %d, allocation %ld: %ld allocations leaked", op, n, live);
            if (allocs < n)
                break;          /* every allocation point of this call covered */
        }
    }
    db = keep;
    printf("out of memory: %ld allocation points failed over %d calls, each changed nothing and leaked nothing\n",
           failure_points, N_OOM_CALLS);
}
END_TEST

/* Every generated function of api.h at least once (run_checks.sh checks
 * that none is missing from this file, and builds it as C++ too). */
START_TEST(test_every_function)
{
    Author *a = Author_new(db), *e = Author_new(db);
    Book *b = Book_new(db, a), *c;
    Publisher *pub = Publisher_new(db);
    Contract *k, *k2;
    User *u = User_new(db);
    Profile *pr = Profile_new(db, u);
    Person *p = Person_new(db), *q, *r;
    Club *club = Club_new(db);
    Author *many[2];
    Contract *contracts[2];
    Person *people[3];

    /* ids, get, all, count */
    ck_assert_ptr_eq(Author_get(db, Author_id(a)), a);
    ck_assert_ptr_null(Author_get(db, 0));
    ck_assert_uint_eq(Author_count(db), 2);
    ck_assert_ptr_eq(User_get(db, User_id(u)), u);
    ck_assert_ptr_eq(first_user(), u);
    ck_assert_ptr_eq(Profile_get(db, Profile_id(pr)), pr);
    ck_assert_ptr_eq(first_profile(), pr);
    ck_assert_ptr_eq(Publisher_get(db, Publisher_id(pub)), pub);
    ck_assert_uint_eq(Publisher_count(db), 1);
    ck_assert_ptr_eq(Club_get(db, Club_id(club)), club);
    ck_assert_ptr_eq(Person_get(db, Person_id(p)), p);

    /* strings: defaults, copies, NULL refused */
    ck_assert_str_eq(User_name(u), "");
    ck_assert_int_eq(User_set_name(u, "ann"), REL_OK);
    ck_assert_str_eq(User_name(u), "ann");
    ck_assert_int_eq(Publisher_set_name(pub, "Pen"), REL_OK);
    ck_assert_str_eq(Publisher_name(pub), "Pen");
    ck_assert_int_eq(Club_set_name(club, "Chess"), REL_OK);
    ck_assert_str_eq(Club_name(club), "Chess");
    ck_assert_int_eq(Club_set_name(club, NULL), REL_EINVAL);
    ck_assert_str_eq(Club_name(club), "Chess");

    /* ForeignKey reverse views and the nullable one's set API */
    ck_assert_ptr_eq(Author_books(a).items[0], b);
    c = Author_edited_create(e, a);
    ck_assert_ptr_eq(Book_editor(c), e);
    ck_assert_ptr_eq(Book_author(c), a);
    ck_assert(Author_edited_contains(e, c));
    ck_assert_ptr_eq(Author_edited(e).items[0], c);

    /* Publisher.contracts (PROTECT) and Book.contracts (RESTRICT, null) */
    k = Publisher_contracts_create(pub);
    ck_assert_ptr_eq(Contract_publisher(k), pub);
    ck_assert_ptr_null(Contract_book(k));
    ck_assert_int_eq(Book_contracts_add(b, k), REL_OK);
    ck_assert_ptr_eq(Contract_book(k), b);
    ck_assert(Book_contracts_contains(b, k));
    ck_assert_uint_eq(Book_contracts_count(b), 1);
    ck_assert_ptr_eq(Book_contracts(b).items[0], k);
    ck_assert_int_eq(Book_contracts_remove(b, k), REL_OK);
    ck_assert_uint_eq(Book_contracts_count(b), 0);
    k2 = Book_contracts_create(b, pub);
    ck_assert_ptr_eq(Contract_book(k2), b);
    ck_assert_uint_eq(Publisher_contracts_count(pub), 2);
    ck_assert(Publisher_contracts_contains(pub, k2));
    ck_assert_ptr_nonnull(Publisher_contracts(pub).items);
    ck_assert_int_eq(Book_contracts_clear(b), REL_OK);
    ck_assert_ptr_null(Contract_book(k2));
    ck_assert_int_eq(Publisher_contracts_add(pub, k2), REL_OK);
    ck_assert_int_eq(Contract_set_publisher(k2, pub), REL_OK);
    ck_assert_uint_eq(Contract_count(db), 2);
    ck_assert_ptr_eq(Contract_get(db, Contract_id(k)), k);
    contracts[0] = k;
    contracts[1] = k2;
    ck_assert_int_eq(Contract_delete_many(contracts, 2), REL_OK);
    ck_assert_int_eq(Publisher_delete_many(&pub, 1), REL_OK);

    /* OneToOneField: set, reverse getter, deletes */
    ck_assert_ptr_eq(Profile_user(pr), u);
    ck_assert_ptr_eq(User_profile(u), pr);
    ck_assert_int_eq(Profile_set_user(pr, u), REL_OK);
    ck_assert_int_eq(Profile_delete(pr), REL_OK);
    ck_assert_ptr_null(User_profile(u));
    pr = Profile_new(db, u);
    ck_assert_int_eq(Profile_delete_many(&pr, 1), REL_OK);
    ck_assert_int_eq(User_delete(u), REL_OK);
    u = User_new(db);
    ck_assert_int_eq(User_delete_many(&u, 1), REL_OK);

    /* self relations */
    q = Person_reports_create(p);
    ck_assert_ptr_eq(Person_boss(q), p);
    ck_assert_ptr_eq(Person_reports(p).items[0], q);
    ck_assert(Person_reports_contains(p, q));
    r = Person_new(db);
    ck_assert_int_eq(Person_reports_add(p, r), REL_OK);
    ck_assert_int_eq(Person_reports_remove(p, r), REL_OK);
    ck_assert_int_eq(Person_reports_add(p, r), REL_OK);
    ck_assert_int_eq(Person_reports_clear(p), REL_OK);
    ck_assert_uint_eq(Person_reports_count(p), 0);
    ck_assert_ptr_nonnull(Person_friends_create(p));
    ck_assert_uint_eq(Person_friends(p).count, 1);
    ck_assert_int_eq(Person_friends_clear(p), REL_OK);
    ck_assert_int_eq(Person_clubs_add(p, club), REL_OK);
    ck_assert_ptr_eq(Person_clubs(p).items[0], club);
    ck_assert_ptr_eq(Club_members(club).items[0], p);
    ck_assert_ptr_nonnull(Club_members_create(club));
    ck_assert_int_eq(Club_members_remove(club, p), REL_OK);
    ck_assert_int_eq(Person_clubs_add(p, club), REL_OK);
    ck_assert_int_eq(Person_clubs_clear(p), REL_OK);
    ck_assert_uint_eq(Club_members_count(club), 1);
    ck_assert_int_eq(Club_delete_many(&club, 1), REL_OK);
    people[0] = p;
    people[1] = q;
    people[2] = r;
    ck_assert_int_eq(Person_delete_many(people, 3), REL_OK);

    /* delete_many of several authors: one collector */
    many[0] = a;
    many[1] = e;
    ck_assert_int_eq(Book_delete(c), REL_OK);
    ck_assert_int_eq(Book_delete_many(&b, 1), REL_OK);
    ck_assert_int_eq(Author_delete_many(many, 2), REL_OK);
    ck_assert_uint_eq(Author_count(db), 0);
}
END_TEST

/* RESTRICT gives way when the referrer goes in the same delete call: the
 * author's delete reaches the contract through Contract.author (CASCADE)
 * and the book through Book.author, so Contract.book restricts nothing. */
/* Every model's objects can be walked (M_all, M_next, rel_forall), each
 * knows its store (M_store), and a walk skips what was deleted, also while
 * it runs: Django's `for x in qs: x.delete()` works. */
START_TEST(test_walk_every_model)
{
    Author *a = Author_new(db);
    Publisher *pub = Publisher_new(db);
    User *u = User_new(db);
    Club *club = Club_new(db);
    size_t seen = 0, i;

    Book_new(db, a);
    Contract_new(db, pub);
    Profile_new(db, u);
    Person_new(db);
    Badge_new(db);
    Seat_new(db, club);
    /* Each model: a walk sees M_count objects, each in this store. */
    { rel_cursor c = Author_all(db); Author *x; size_t n = 0; while ((x = Author_next(&c)) != NULL) { ck_assert_ptr_eq(Author_store(x), db); n++; } ck_assert_uint_eq(n, Author_count(db)); }
    { rel_cursor c = Book_all(db); Book *x; size_t n = 0; while ((x = Book_next(&c)) != NULL) { ck_assert_ptr_eq(Book_store(x), db); n++; } ck_assert_uint_eq(n, Book_count(db)); }
    { rel_cursor c = Publisher_all(db); Publisher *x; size_t n = 0; while ((x = Publisher_next(&c)) != NULL) { ck_assert_ptr_eq(Publisher_store(x), db); n++; } ck_assert_uint_eq(n, Publisher_count(db)); }
    { rel_cursor c = Contract_all(db); Contract *x; size_t n = 0; while ((x = Contract_next(&c)) != NULL) { ck_assert_ptr_eq(Contract_store(x), db); n++; } ck_assert_uint_eq(n, Contract_count(db)); }
    { rel_cursor c = User_all(db); User *x; size_t n = 0; while ((x = User_next(&c)) != NULL) { ck_assert_ptr_eq(User_store(x), db); n++; } ck_assert_uint_eq(n, User_count(db)); }
    { rel_cursor c = Profile_all(db); Profile *x; size_t n = 0; while ((x = Profile_next(&c)) != NULL) { ck_assert_ptr_eq(Profile_store(x), db); n++; } ck_assert_uint_eq(n, Profile_count(db)); }
    { rel_cursor c = Person_all(db); Person *x; size_t n = 0; while ((x = Person_next(&c)) != NULL) { ck_assert_ptr_eq(Person_store(x), db); n++; } ck_assert_uint_eq(n, Person_count(db)); }
    { rel_cursor c = Club_all(db); Club *x; size_t n = 0; while ((x = Club_next(&c)) != NULL) { ck_assert_ptr_eq(Club_store(x), db); n++; } ck_assert_uint_eq(n, Club_count(db)); }
    { rel_cursor c = Badge_all(db); Badge *x; size_t n = 0; while ((x = Badge_next(&c)) != NULL) { ck_assert_ptr_eq(Badge_store(x), db); n++; } ck_assert_uint_eq(n, Badge_count(db)); }
    { rel_cursor c = Seat_all(db); Seat *x; size_t n = 0; while ((x = Seat_next(&c)) != NULL) { ck_assert_ptr_eq(Seat_store(x), db); n++; } ck_assert_uint_eq(n, Seat_count(db)); }

    /* Each model: a plan of deleting its first object agrees with the
     * delete that follows (or both are refused alike), and a refused
     * delete counts nothing.  Models in an order that leaves nothing
     * protected: contracts before their publisher, seats before clubs. */
    {
        rel_cursor c = Contract_all(db);
        Contract *x = Contract_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Contract_delete_plan(x, &plan), REL_OK);
        st = Contract_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Seat_all(db);
        Seat *x = Seat_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Seat_delete_plan(x, &plan), REL_OK);
        st = Seat_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Badge_all(db);
        Badge *x = Badge_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Badge_delete_plan(x, &plan), REL_OK);
        st = Badge_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Profile_all(db);
        Profile *x = Profile_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Profile_delete_plan(x, &plan), REL_OK);
        st = Profile_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Book_all(db);
        Book *x = Book_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Book_delete_plan(x, &plan), REL_OK);
        st = Book_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Person_all(db);
        Person *x = Person_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Person_delete_plan(x, &plan), REL_OK);
        st = Person_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Author_all(db);
        Author *x = Author_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Author_delete_plan(x, &plan), REL_OK);
        st = Author_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Publisher_all(db);
        Publisher *x = Publisher_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Publisher_delete_plan(x, &plan), REL_OK);
        st = Publisher_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = User_all(db);
        User *x = User_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(User_delete_plan(x, &plan), REL_OK);
        st = User_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    {
        rel_cursor c = Club_all(db);
        Club *x = Club_next(&c);
        rel_delete_plan plan;
        api_delete_result res;
        rel_status st;
        ck_assert_int_eq(Club_delete_plan(x, &plan), REL_OK);
        st = Club_delete_ex(x, &res);
        ck_assert_int_eq(st, plan.status);
        ck_assert_uint_eq(res.total, st == REL_OK ? plan.total : 0);
        rel_delete_plan_free(&plan);
    }
    ck_assert_int_eq(api_store_verify(db), REL_OK);

    /* Deleting while walking: every object is seen once, and none after
     * its delete. */
    a = Author_new(db);
    for (i = 0; i < 50; i++)
        Book_new(db, a);
    rel_forall(Book, b, Book_all(db)) {
        ck_assert_int_eq(Book_delete(b), REL_OK);
        seen++;
    }
    ck_assert_uint_eq(seen, 50);
    ck_assert_uint_eq(Book_count(db), 0);
    rel_forall(Book, b, Book_all(db))
        ck_abort_msg("a deleted book was walked: %llu", (unsigned long long)Book_id(b));
    ck_assert_int_eq(api_store_verify(db), REL_OK);
}
END_TEST

/* Django's delete() result and Collector: counts per model, and a plan
 * that lists every PROTECT and RESTRICT blocker (ProtectedError's
 * protected_objects) and the referrers set NULL, changing nothing.  The
 * Django oracle, given the same schema and steps, answers ProtectedError
 * with [Contract 1, Contract 2], then RestrictedError with [Contract 2],
 * then (4, {Author: 1, Book: 2, Contract: 1}). */
START_TEST(test_delete_result_and_plan)
{
    Author *a = Author_new(db), *e = Author_new(db);
    Book *x = Book_new(db, a), *y = Book_new(db, a), *kept = Book_new(db, e);
    Publisher *p = Publisher_new(db);
    Contract *c1 = Contract_new(db, p), *c2 = Contract_new(db, p);
    api_delete_result res;
    rel_delete_plan plan;
    char *before;
    size_t i;

    Book_set_editor(kept, a);          /* SET_NULL when a goes */
    Contract_set_author(c1, a);        /* CASCADE from a */
    Contract_set_book(c2, x);          /* RESTRICT: c2 stays, so it blocks */

    /* PROTECT: both contracts are listed, nothing changes. */
    before = fingerprint();
    ck_assert_int_eq(Publisher_delete_plan(p, &plan), REL_OK);
    ck_assert_int_eq(plan.status, REL_EPROTECTED);
    ck_assert_uint_eq(plan.nblockers, 2);
    ck_assert_ptr_eq(plan.blockers[0].object, c1);
    ck_assert_ptr_eq(plan.blockers[1].object, c2);
    ck_assert_uint_eq(plan.blockers[0].model, api_Contract_model);
    rel_delete_plan_free(&plan);
    UNCHANGED(before);

    /* RESTRICT through the cascade: c2 refers to x, which a's delete takes. */
    ck_assert_int_eq(Author_delete_plan(a, &plan), REL_OK);
    ck_assert_int_eq(plan.status, REL_ERESTRICTED);
    ck_assert_uint_eq(plan.nblockers, 1);
    ck_assert_ptr_eq(plan.blockers[0].object, c2);
    rel_delete_plan_free(&plan);
    UNCHANGED(before);
    ck_assert_int_eq(Author_delete_ex(a, &res), REL_ERESTRICTED);
    ck_assert_uint_eq(res.total, 0);
    UNCHANGED(before);
    free(before);

    /* Without the blocker: a, its two books and c1 go; kept loses its editor. */
    ck_assert_int_eq(Contract_set_book(c2, NULL), REL_OK);
    before = fingerprint();
    ck_assert_int_eq(Author_delete_plan(a, &plan), REL_OK);
    ck_assert_int_eq(plan.status, REL_OK);
    ck_assert_uint_eq(plan.total, 4);
    ck_assert_uint_eq(plan.per_model[api_Author_model], 1);
    ck_assert_uint_eq(plan.per_model[api_Book_model], 2);
    ck_assert_uint_eq(plan.per_model[api_Contract_model], 1);
    ck_assert_uint_eq(plan.ndeleted, 4);
    ck_assert_uint_eq(plan.nset_null, 1);
    ck_assert_ptr_eq(plan.set_null[0].object, kept);
    for (i = 0; i < plan.ndeleted; i++)
        ck_assert(plan.deleted[i].object != (void *)kept && plan.deleted[i].object != (void *)e);
    rel_delete_plan_free(&plan);
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(Author_delete_ex(a, &res), REL_OK);
    ck_assert_uint_eq(res.total, 4);
    ck_assert_uint_eq(res.per_model[api_Author_model], 1);
    ck_assert_uint_eq(res.per_model[api_Book_model], 2);
    ck_assert_uint_eq(res.per_model[api_Contract_model], 1);
    ck_assert_uint_eq(res.per_model[api_Publisher_model], 0);
    ck_assert_ptr_null(Book_editor(kept));
    (void)y;
    ck_assert_int_eq(api_store_verify(db), REL_OK);
}
END_TEST

START_TEST(test_restrict_same_call)
{
    Author *a = Author_new(db), *other = Author_new(db);
    Book *b = Book_new(db, a);
    Publisher *pub = Publisher_new(db);
    Contract *k = Contract_new(db, pub);
    char *before;
    Contract_set_book(k, b);
    Contract_set_author(k, other);
    before = fingerprint();
    ck_assert_int_eq(Author_delete(a), REL_ERESTRICTED);   /* k stays: refused */
    ck_assert_ptr_nonnull(strstr(api_store_errmsg(db), "Contract.book"));
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(Author_contracts_add(a, k), REL_OK);
    ck_assert_ptr_eq(Contract_author(k), a);
    ck_assert_uint_eq(Author_contracts_count(a), 1);
    ck_assert(Author_contracts_contains(a, k));
    ck_assert_ptr_eq(Author_contracts(a).items[0], k);
    ck_assert_int_eq(Author_delete(a), REL_OK);             /* k goes too */
    ck_assert_uint_eq(Contract_count(db), 0);
    ck_assert_uint_eq(Book_count(db), 0);
    ck_assert_ptr_nonnull(Author_contracts_create(other, pub));
    ck_assert_int_eq(Author_contracts_remove(other, first_contract()), REL_OK);
    ck_assert_int_eq(Author_contracts_clear(other), REL_OK);
}
END_TEST

/* OneToOneField with SET_NULL and RESTRICT. */
START_TEST(test_one_to_one_rules)
{
    User *u = User_new(db);
    Badge *b = Badge_new(db), *b2;
    Club *club = Club_new(db);
    Seat *seat = Seat_new(db, club), *many[1];
    char *before;

    ck_assert_ptr_null(Badge_holder(b));
    ck_assert_int_eq(Badge_set_holder(b, u), REL_OK);
    ck_assert_ptr_eq(User_badge(u), b);
    b2 = Badge_new(db);
    before = fingerprint();
    ck_assert_int_eq(Badge_set_holder(b2, u), REL_EUNIQUE);
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(User_delete(u), REL_OK);            /* SET_NULL */
    ck_assert_ptr_null(Badge_holder(b));
    ck_assert_uint_eq(Badge_count(db), 2);
    ck_assert_ptr_eq(Badge_get(db, Badge_id(b2)), b2);
    ck_assert_int_eq(Badge_delete(b), REL_OK);
    ck_assert_int_eq(Badge_delete_many(&b2, 1), REL_OK);

    ck_assert_ptr_eq(Seat_club(seat), club);
    ck_assert_ptr_eq(Club_seat(club), seat);
    before = fingerprint();
    ck_assert_int_eq(Club_delete(club), REL_ERESTRICTED);  /* RESTRICT */
    ck_assert_ptr_nonnull(strstr(api_store_errmsg(db), "Seat.club"));
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(Seat_set_club(seat, club), REL_OK);
    ck_assert_ptr_eq(Seat_get(db, Seat_id(seat)), seat);
    ck_assert_uint_eq(Seat_count(db), 1);
    many[0] = seat;
    ck_assert_int_eq(Seat_delete_many(many, 1), REL_OK);
    seat = Seat_new(db, club);
    ck_assert_int_eq(Seat_delete(seat), REL_OK);
    ck_assert_int_eq(Club_delete(club), REL_OK);
}
END_TEST

/* Objects of another store, NULL arguments and one-to-one conflicts are
 * refused without a change. */
START_TEST(test_invalid_arguments_change_nothing)
{
    api_store *other = api_store_new();
    Author *a = Author_new(db), *stranger = Author_new(other);
    Book *b = Book_new(db, a);
    User *u = User_new(db), *v = User_new(db);
    Profile *pu = Profile_new(db, u), *pv = Profile_new(db, v);
    Person *p = Person_new(db);
    Club *far = Club_new(other);
    Author *mixed[2];
    char *before = fingerprint();

    ck_assert_int_eq(Book_set_author(b, stranger), REL_EINVAL);
    UNCHANGED(before);
    ck_assert_ptr_null(Book_new(db, stranger));
    UNCHANGED(before);
    ck_assert_int_eq(Person_clubs_add(p, far), REL_EINVAL);
    UNCHANGED(before);
    ck_assert_int_eq(Person_clubs_add(p, NULL), REL_EINVAL);
    ck_assert_int_eq(Author_books_add(a, NULL), REL_EINVAL);
    UNCHANGED(before);
    ck_assert_int_eq(Profile_set_user(pu, v), REL_EUNIQUE);
    ck_assert_ptr_eq(User_profile(v), pv);
    UNCHANGED(before);
    mixed[0] = a;
    mixed[1] = stranger;
    ck_assert_int_eq(Author_delete_many(mixed, 2), REL_EINVAL);
    UNCHANGED(before);
    ck_assert_int_eq(Author_delete_many(NULL, 0), REL_OK);
    free(before);
    ck_assert_int_eq(api_store_verify(other), REL_OK);
    api_store_free(other);
}
END_TEST

/* Django's dumpdata and loaddata (their own suite is tests/test_fixture.c):
 * a store dumped and loaded into an empty store is the same store, and a
 * fixture that cannot load changes nothing and says where. */
/* A many-to-many through a model (Team.players through Roster, whose
 * club is an argument of add and create): every function of both sides
 * and of the through model, and a refused remove that changes nothing. */
START_TEST(test_through_model)
{
    Person *p = Person_new(db), *q = Person_new(db), *made;
    Club *c = Club_new(db);
    Team *t = Team_new(db), *u;
    Roster *r;
    rel_cursor cur;
    rel_delete_plan plan;
    api_delete_result res;
    char *before;

    ck_assert_int_eq(Team_players_add(t, p, c), REL_OK);
    ck_assert_int_eq(Person_teams_add(q, t, c), REL_OK);
    r = Team_players_through(t, p);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(Person_teams_through(q, t), Team_players_through(t, q));
    ck_assert_ptr_eq(Roster_team(r), t);
    ck_assert_ptr_eq(Roster_player(r), p);
    ck_assert_ptr_eq(Roster_club(r), c);
    ck_assert_uint_eq(Team_players_count(t), 2);
    ck_assert_uint_eq(Person_teams_count(p), 1);
    ck_assert(Team_players_contains(t, q) && Person_teams_contains(q, t));
    ck_assert_uint_eq(Team_players(t).count + Person_teams(p).count, 3);
    ck_assert_uint_eq(Team_roster_set(t).count + Team_roster_set_count(t), 4);
    ck_assert(Team_roster_set_contains(t, r) && Person_rosters_contains(p, r) && Club_rosters_contains(c, r));
    ck_assert_uint_eq(Person_rosters(p).count + Person_rosters_count(q) + Club_rosters(c).count
                      + Club_rosters_count(c), 6);
    ck_assert_uint_eq(Roster_count(db) + Team_count(db), 3);
    ck_assert_ptr_eq(Roster_get(db, Roster_id(r)), r);
    ck_assert_ptr_eq(Team_get(db, Team_id(t)), t);
    ck_assert_ptr_eq(Roster_store(r), db);
    ck_assert_ptr_eq(Team_store(t), db);
    cur = Roster_all(db);
    ck_assert_ptr_nonnull(Roster_next(&cur));
    cur = Team_all(db);
    ck_assert_ptr_eq(Team_next(&cur), t);
    /* The through object's own setters and reverse sets move the pair. */
    ck_assert_int_eq(Roster_set_player(r, q), REL_OK);
    ck_assert(!Team_players_contains(t, p) && Person_teams_count(q) == 2);
    ck_assert_int_eq(Person_rosters_add(p, r), REL_OK);
    ck_assert_int_eq(Roster_set_team(r, t), REL_OK);
    ck_assert_int_eq(Roster_set_club(r, c), REL_OK);
    ck_assert_int_eq(Club_rosters_add(c, r), REL_OK);
    ck_assert_int_eq(Team_roster_set_add(t, r), REL_OK);
    ck_assert_ptr_nonnull(Team_roster_set_create(t, p, c));
    ck_assert_ptr_nonnull(Person_rosters_create(p, t, c));
    ck_assert_ptr_nonnull(Club_rosters_create(c, t, p));
    ck_assert_uint_eq(Team_players_count(t), 5);
    made = Team_players_create(t, c);
    ck_assert(made && Person_teams_contains(made, t));
    u = Person_teams_create(p, c);
    ck_assert(u && Team_players_contains(u, p));
    /* PROTECT on the club: deleting it is refused, and so nothing goes. */
    before = fingerprint();
    ck_assert_int_eq(Club_delete(c), REL_EPROTECTED);
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(Team_delete_plan(t, &plan), REL_OK);
    ck_assert_uint_eq(plan.per_model[api_Roster_model], 6);
    rel_delete_plan_free(&plan);
    ck_assert_int_eq(Team_players_remove(t, p), REL_OK);
    ck_assert(!Team_players_contains(t, p));
    ck_assert_int_eq(Person_teams_remove(q, t), REL_OK);
    ck_assert_int_eq(Person_teams_clear(p), REL_OK);
    ck_assert_int_eq(Team_players_clear(t), REL_OK);
    ck_assert_uint_eq(Team_players_count(t), 0);
    ck_assert_int_eq(Roster_delete(Roster_new(db, t, p, c)), REL_OK);
    r = Roster_new(db, t, q, c);
    ck_assert_int_eq(Roster_delete_many(&r, 1), REL_OK);
    r = Roster_new(db, u, q, c);
    ck_assert_int_eq(Roster_delete_ex(r, &res), REL_OK);
    ck_assert_uint_eq(res.total, 1);
    ck_assert_int_eq(Roster_delete_plan(Roster_new(db, u, q, c), &plan), REL_OK);
    rel_delete_plan_free(&plan);
    ck_assert_int_eq(Team_delete_ex(u, &res), REL_OK);
    ck_assert_uint_eq(res.total, 2);
    ck_assert_int_eq(Team_delete_many(&t, 1), REL_OK);
    ck_assert_int_eq(Team_delete(Team_new(db)), REL_OK);
    ck_assert_uint_eq(Roster_count(db), 0);
}
END_TEST

START_TEST(test_dumpdata_loaddata)
{
    static const char bad[] = "[{\"model\": \"api.book\", \"pk\": 9, \"fields\": {\"author\": 99}}]";
    Author *a = Author_new(db);
    Book *b = Book_new(db, a);
    Person *p = Person_new(db), *q = Person_new(db);
    Club *c = Club_new(db);
    User *u = User_new(db);
    api_store *copy = api_store_new(), *keep = db;
    char *text = NULL, *before, *after;
    size_t len = 0;
    FILE *f;

    ck_assert_int_eq(Author_set_name(a, "Ann"), REL_OK);
    ck_assert_int_eq(Book_set_editor(b, a), REL_OK);
    ck_assert_int_eq(Person_friends_add(p, q), REL_OK);
    ck_assert_int_eq(Person_clubs_add(p, c), REL_OK);
    ck_assert_int_eq(Person_set_boss(q, p), REL_OK);
    ck_assert_ptr_nonnull(Profile_new(db, u));
    f = open_memstream(&text, &len);
    ck_assert_int_eq(api_store_dumpdata(db, f, 2), REL_OK);
    fclose(f);
    ck_assert_int_eq(api_store_loaddata(copy, text, len, "api.json"), REL_OK);
    before = fingerprint();
    db = copy;
    after = fingerprint();
    ck_assert_int_eq(api_store_verify(db), REL_OK);
    db = keep;
    ck_assert_str_eq(before, after);
    free(after);
    ck_assert_int_eq(api_store_loaddata(db, bad, sizeof bad - 1, "bad.json"), REL_EINVAL);
    ck_assert_str_eq(api_store_errmsg(db), "bad.json:1:54: api.book 9: author: api.author 99 does not exist");
    UNCHANGED(before);
    free(before);
    free(text);
    api_store_free(copy);
}
END_TEST

/* Unique fields and unique_together: every function of Account (the
 * behaviour in depth is tests/test_unique.c's). */
START_TEST(test_unique_account)
{
    Author *a = Author_new(db), *b = Author_new(db);
    Account *x = Account_new(db, "ann", "h"), *y = Author_accounts_create(a, "bob", "h"), *z;
    Account *arr[1];
    rel_delete_plan plan;
    api_delete_result res;
    char *before;

    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_str_eq(Account_login(x), "ann");
    ck_assert_str_eq(Account_handle(y), "h");
    ck_assert_ptr_eq(Account_owner(y), a);
    ck_assert_ptr_eq(Account_get_by_login(db, "bob"), y);
    ck_assert_ptr_eq(Account_get_by_owner_handle(db, a, "h"), y);
    ck_assert_ptr_null(Account_get_by_owner_handle(db, NULL, "h"));   /* NULL owner: distinct */
    before = fingerprint();
    ck_assert_ptr_null(Account_new(db, "ann", "k"));
    ck_assert_str_eq(api_store_errmsg(db), "Account_new: Account 1 already has this login");
    ck_assert_int_eq(Account_set_login(x, "bob"), REL_EUNIQUE);
    ck_assert_int_eq(Account_set_owner(x, a), REL_EUNIQUE);
    ck_assert_str_eq(api_store_errmsg(db), "Account 1: Account 2 already has this (owner, handle)");
    ck_assert_int_eq(Author_accounts_add(a, x), REL_EUNIQUE);
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(Account_set_handle(x, "k"), REL_OK);
    ck_assert_int_eq(Author_accounts_add(a, x), REL_OK);
    ck_assert(Author_accounts_contains(a, x));
    ck_assert_uint_eq(Author_accounts_count(a), 2);
    ck_assert_uint_eq(Author_accounts(a).count, 2);
    ck_assert_int_eq(Author_accounts_remove(a, x), REL_OK);
    ck_assert_int_eq(Author_accounts_clear(a), REL_OK);
    ck_assert_ptr_null(Account_get_by_owner_handle(db, a, "h"));
    ck_assert_int_eq(Account_set_owner(y, b), REL_OK);
    ck_assert_ptr_eq(Account_get_by_owner_handle(db, b, "h"), y);
    ck_assert_uint_eq(Account_id(y), 2);
    ck_assert_ptr_eq(Account_get(db, 2), y);
    ck_assert_ptr_eq(Account_store(y), db);
    ck_assert_uint_eq(Account_count(db), 2);
    { rel_cursor c = Account_all(db); size_t n = 0; while (Account_next(&c)) n++; ck_assert_uint_eq(n, 2); }
    ck_assert_int_eq(Account_delete_plan(y, &plan), REL_OK);
    ck_assert_uint_eq(plan.total, 1);
    rel_delete_plan_free(&plan);
    ck_assert_int_eq(Account_delete_ex(y, &res), REL_OK);
    ck_assert_ptr_null(Account_get_by_login(db, "bob"));
    z = Account_new(db, "bob", "h");
    ck_assert_ptr_nonnull(z);
    arr[0] = z;
    ck_assert_int_eq(Account_delete_many(arr, 1), REL_OK);
    ck_assert_int_eq(Account_delete(x), REL_OK);
    ck_assert_int_eq(api_store_verify(db), REL_OK);
}
END_TEST

/* Generic relations (tests/test_generic.c tests them in depth): every
 * function of Tagged and of Author's GenericRelation, once. */
START_TEST(test_generic_relations)
{
    Author *a = Author_new(db), *a2 = Author_new(db);
    Club *c = Club_new(db);
    Tagged *t = Tagged_new(db, a), *t2, *many[2];
    api_delete_result res;
    rel_delete_plan plan;
    rel_cursor cur;
    char *before;

    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_eq(Tagged_target_Author(t), a);
    ck_assert_ptr_eq(Tagged_target(t), a);
    ck_assert_int_eq(Tagged_target_model(t), api_Author_model);
    ck_assert_ptr_null(Tagged_target_Club(t));
    ck_assert_int_eq(Tagged_set_target_Club(t, c), REL_OK);
    ck_assert_int_eq(Tagged_target_model(t), api_Club_model);
    ck_assert_int_eq(Tagged_set_target(t, a2), REL_OK);
    ck_assert_int_eq(Tagged_set_target_Author(t, a), REL_OK);
    ck_assert(Author_tags_contains(a, t) && !Author_tags_contains(a2, t));
    ck_assert_uint_eq(Author_tags(a).count, 1);
    t2 = Author_tags_create(a2);
    ck_assert_int_eq(Author_tags_add(a, t2), REL_OK);
    ck_assert_uint_eq(Author_tags_count(a), 2);
    {
        Book *book = Book_new(db, a2);
        before = fingerprint();
        ck_assert_int_eq(Tagged_set_target(t, book), REL_EINVAL);   /* a Book: not listed */
    }   /* a Book: not listed */
    ck_assert_str_eq(api_store_errmsg(db), "Tagged_set_target: Tagged.target cannot point at Book: it lists Author, Club");
    UNCHANGED(before);
    free(before);
    ck_assert_uint_eq(Tagged_count(db), 2);
    ck_assert_ptr_eq(Tagged_get(db, Tagged_id(t)), t);
    ck_assert_ptr_eq(Tagged_store(t), db);
    cur = Tagged_all(db);
    ck_assert_ptr_eq(Tagged_next(&cur), t);
    ck_assert_int_eq(Tagged_delete_plan(t, &plan), REL_OK);
    rel_delete_plan_free(&plan);
    ck_assert_int_eq(Author_tags_remove(a, t), REL_OK);   /* deletes it, as Django's remove */
    ck_assert_uint_eq(Tagged_count(db), 1);
    ck_assert_int_eq(Author_tags_clear(a), REL_OK);
    ck_assert_uint_eq(Tagged_count(db), 0);
    t = Tagged_new(db, c);
    t2 = Tagged_new(db, a);
    ck_assert_int_eq(Tagged_delete_ex(t, &res), REL_OK);
    ck_assert_uint_eq(res.total, 1);
    many[0] = t2;
    many[1] = Tagged_new(db, a2);
    ck_assert_int_eq(Tagged_delete_many(many, 2), REL_OK);
    ck_assert_int_eq(Tagged_delete(Tagged_new(db, c)), REL_OK);
    ck_assert_int_eq(Author_delete(a2), REL_OK);
    ck_assert_int_eq(api_store_verify(db), REL_OK);
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
    tcase_add_test(t, test_out_of_memory_every_call);
    tcase_add_test(t, test_every_function);
    tcase_add_test(t, test_restrict_same_call);
    tcase_add_test(t, test_walk_every_model);
    tcase_add_test(t, test_delete_result_and_plan);
    tcase_add_test(t, test_through_model);
    tcase_add_test(t, test_invalid_arguments_change_nothing);
    tcase_add_test(t, test_one_to_one_rules);
    tcase_add_test(t, test_dumpdata_loaddata);
    tcase_add_test(t, test_unique_account);
    tcase_add_test(t, test_generic_relations);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
