/* test_runtime.c: the generic runtime (rel_store.c, rel_delete.c,
 * rel_verify.c) on a schema descriptor written by hand, as relc would
 * write it for this schema (tests/api/api.rel plus a few fields):
 *
 *   model Author { name: string(max_length = 5); bio: string(default = "(none)"); }
 *   model Book {
 *       author: ForeignKey(Author, on_delete = CASCADE, related_name = "books");
 *       editor: ForeignKey(Author, on_delete = SET_NULL, null = true, related_name = "edited");
 *       pages: int32(default = 100);  title: string(max_length = 200, default = "untitled");
 *       rating: double(default = 2.5);  in_print: bool(default = true);
 *   }
 *   model Publisher { name: string; }
 *   model Contract {
 *       publisher: ForeignKey(Publisher, on_delete = PROTECT, related_name = "contracts");
 *       book: ForeignKey(Book, on_delete = RESTRICT, null = true, related_name = "contracts");
 *       author: ForeignKey(Author, on_delete = CASCADE, null = true, related_name = "contracts");
 *   }
 *   model User { name: string; }
 *   model Profile { user: OneToOneField(User, on_delete = CASCADE); }
 *   model Person {
 *       friends: ManyToManyField(self);                      // symmetrical
 *       boss: ForeignKey(self, on_delete = CASCADE, null = true, related_name = "reports");
 *       clubs: ManyToManyField(Club, related_name = "members");
 *       follows: ManyToManyField(Person, related_name = "followers");  // not symmetrical
 *   }
 *   model Club { name: string; }
 *   model Badge { holder: OneToOneField(User, on_delete = SET_NULL, null = true, related_name = "badge"); }
 *   model Seat { club: OneToOneField(Club, on_delete = RESTRICT, related_name = "seat"); }
 *
 * Every failing call must leave the store exactly as it was: tests take a
 * fingerprint of the whole store, written from the descriptor (every
 * object in list order, every field, every link in set order), before the
 * call and compare it after, and run verify.
 */
#include "rel.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== the schema, as the generator would write it ======================== */

typedef struct Author Author;
typedef struct Book Book;
typedef struct Publisher Publisher;
typedef struct Contract Contract;
typedef struct User User;
typedef struct Profile Profile;
typedef struct Person Person;
typedef struct Club Club;
typedef struct Badge Badge;
typedef struct Seat Seat;

struct Author {
    uint32_t rel_tag;
    const char *name;
    const char *bio;
    rel_list books, edited, contracts;
};
struct Book {
    uint32_t rel_tag;
    rel_cref author;   /* Author * */
    rel_cref editor;   /* Author * */
    const char *title;
    rel_list contracts;
    double rating;
    int32_t pages;
    uint32_t pos_author, pos_editor;
    bool in_print;
};
struct Publisher {
    uint32_t rel_tag;
    const char *name;
    rel_list contracts;
};
struct Contract {
    uint32_t rel_tag;
    rel_cref publisher, book, author;
    uint32_t pos_publisher, pos_book, pos_author;
};
struct User {
    uint32_t rel_tag;
    const char *name;
    Profile *profile;
    Badge *badge;
};
struct Profile {
    uint32_t rel_tag;
    rel_cref user;
};
struct Person {
    uint32_t rel_tag;
    rel_vec friends;
    rel_cref boss;
    rel_list reports;
    rel_vec clubs;
    rel_vec follows, followers;
    uint32_t pos_boss;
};
struct Club {
    uint32_t rel_tag;
    const char *name;
    rel_vec members;
    Seat *seat;
};
struct Badge {
    uint32_t rel_tag;
    rel_cref holder;
};
struct Seat {
    uint32_t rel_tag;
    rel_cref club;
};

enum { M_AUTHOR, M_BOOK, M_PUBLISHER, M_CONTRACT, M_USER, M_PROFILE, M_PERSON, M_CLUB, M_BADGE, M_SEAT, NMODELS };
enum {
    R_BOOK_AUTHOR, R_BOOK_EDITOR, R_CONTRACT_PUBLISHER, R_CONTRACT_BOOK, R_CONTRACT_AUTHOR, R_PROFILE_USER,
    R_PERSON_FRIENDS, R_PERSON_BOSS, R_PERSON_CLUBS, R_BADGE_HOLDER, R_SEAT_CLUB, R_PERSON_FOLLOWS, NRELATIONS
};

#define OFF(T, m) ((uint32_t)offsetof(T, m))

static const int32_t def_pages = 100;
static const double def_rating = 2.5;
static const bool def_in_print = true;

static const rel_field author_fields[] = {
    { "name", OFF(Author, name), REL_STRING, NULL, 5 },
    { "bio", OFF(Author, bio), REL_STRING, "(none)", 0 },
};
static const rel_field book_fields[] = {
    { "pages", OFF(Book, pages), REL_INT32, &def_pages, 0 },
    { "title", OFF(Book, title), REL_STRING, "untitled", 200 },
    { "rating", OFF(Book, rating), REL_DOUBLE, &def_rating, 0 },
    { "in_print", OFF(Book, in_print), REL_BOOL, &def_in_print, 0 },
};
static const rel_field publisher_fields[] = { { "name", OFF(Publisher, name), REL_STRING, NULL, 0 } };
static const rel_field user_fields[] = { { "name", OFF(User, name), REL_STRING, NULL, 0 } };
static const rel_field club_fields[] = { { "name", OFF(Club, name), REL_STRING, NULL, 0 } };

static const rel_relation relations[NRELATIONS] = {
    { "author", "books", M_BOOK, M_AUTHOR, REL_FOREIGN_KEY, REL_CASCADE, 0, 0,
      OFF(Book, author), OFF(Book, pos_author), OFF(Author, books), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "editor", "edited", M_BOOK, M_AUTHOR, REL_FOREIGN_KEY, REL_SET_NULL, 1, 0,
      OFF(Book, editor), OFF(Book, pos_editor), OFF(Author, edited), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "publisher", "contracts", M_CONTRACT, M_PUBLISHER, REL_FOREIGN_KEY, REL_PROTECT, 0, 0,
      OFF(Contract, publisher), OFF(Contract, pos_publisher), OFF(Publisher, contracts), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "book", "contracts", M_CONTRACT, M_BOOK, REL_FOREIGN_KEY, REL_RESTRICT, 1, 0,
      OFF(Contract, book), OFF(Contract, pos_book), OFF(Book, contracts), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "author", "contracts", M_CONTRACT, M_AUTHOR, REL_FOREIGN_KEY, REL_CASCADE, 1, 0,
      OFF(Contract, author), OFF(Contract, pos_author), OFF(Author, contracts), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "user", "profile", M_PROFILE, M_USER, REL_ONE_TO_ONE, REL_CASCADE, 0, 0,
      OFF(Profile, user), 0, OFF(User, profile), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "friends", NULL, M_PERSON, M_PERSON, REL_MANY_TO_MANY, REL_NO_ACTION, 0, 1,
      OFF(Person, friends), 0, OFF(Person, friends), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "boss", "reports", M_PERSON, M_PERSON, REL_FOREIGN_KEY, REL_CASCADE, 1, 0,
      OFF(Person, boss), OFF(Person, pos_boss), OFF(Person, reports), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "clubs", "members", M_PERSON, M_CLUB, REL_MANY_TO_MANY, REL_NO_ACTION, 0, 0,
      OFF(Person, clubs), 0, OFF(Club, members), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "holder", "badge", M_BADGE, M_USER, REL_ONE_TO_ONE, REL_SET_NULL, 1, 0,
      OFF(Badge, holder), 0, OFF(User, badge), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "club", "seat", M_SEAT, M_CLUB, REL_ONE_TO_ONE, REL_RESTRICT, 0, 0,
      OFF(Seat, club), 0, OFF(Club, seat), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
    { "follows", "followers", M_PERSON, M_PERSON, REL_MANY_TO_MANY, REL_NO_ACTION, 0, 0,
      OFF(Person, follows), 0, OFF(Person, followers), 0, 0, 0, NULL, NULL, REL_NO_THROUGH },
};

static const uint32_t author_in[] = { R_BOOK_AUTHOR, R_BOOK_EDITOR, R_CONTRACT_AUTHOR };
static const uint32_t book_rel[] = { R_BOOK_AUTHOR, R_BOOK_EDITOR };
static const uint32_t book_req[] = { R_BOOK_AUTHOR };
static const uint32_t book_in[] = { R_CONTRACT_BOOK };
static const uint32_t publisher_in[] = { R_CONTRACT_PUBLISHER };
static const uint32_t contract_rel[] = { R_CONTRACT_PUBLISHER, R_CONTRACT_BOOK, R_CONTRACT_AUTHOR };
static const uint32_t contract_req[] = { R_CONTRACT_PUBLISHER };
static const uint32_t user_in[] = { R_PROFILE_USER, R_BADGE_HOLDER };
static const uint32_t profile_rel[] = { R_PROFILE_USER };
static const uint32_t person_rel[] = { R_PERSON_FRIENDS, R_PERSON_BOSS, R_PERSON_CLUBS, R_PERSON_FOLLOWS };
static const uint32_t person_in[] = { R_PERSON_FRIENDS, R_PERSON_BOSS, R_PERSON_FOLLOWS };
static const uint32_t club_in[] = { R_PERSON_CLUBS, R_SEAT_CLUB };
static const uint32_t badge_rel[] = { R_BADGE_HOLDER };
static const uint32_t seat_rel[] = { R_SEAT_CLUB };

#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))
static const rel_model models[NMODELS] = {
    { "Author", sizeof(Author), author_fields, N(author_fields), NULL, 0, NULL, 0, author_in, N(author_in), NULL, NULL, 0 },
    { "Book", sizeof(Book), book_fields, N(book_fields), book_rel, N(book_rel), book_req, N(book_req), book_in,
      N(book_in), NULL, NULL, 0 },
    { "Publisher", sizeof(Publisher), publisher_fields, 1, NULL, 0, NULL, 0, publisher_in, 1, NULL, NULL, 0 },
    { "Contract", sizeof(Contract), NULL, 0, contract_rel, N(contract_rel), contract_req, 1, NULL, 0, NULL, NULL, 0 },
    { "User", sizeof(User), user_fields, 1, NULL, 0, NULL, 0, user_in, N(user_in), NULL, NULL, 0 },
    { "Profile", sizeof(Profile), NULL, 0, profile_rel, 1, profile_rel, 1, NULL, 0, NULL, NULL, 0 },
    { "Person", sizeof(Person), NULL, 0, person_rel, N(person_rel), NULL, 0, person_in, N(person_in), NULL, NULL, 0 },
    { "Club", sizeof(Club), club_fields, 1, NULL, 0, NULL, 0, club_in, N(club_in), NULL, NULL, 0 },
    { "Badge", sizeof(Badge), NULL, 0, badge_rel, 1, NULL, 0, NULL, 0, NULL, NULL, 0 },
    { "Seat", sizeof(Seat), NULL, 0, seat_rel, 1, seat_rel, 1, NULL, 0, NULL, NULL, 0 },
};

static const rel_schema schema = { "api", models, NMODELS, relations, NRELATIONS, NULL, 0 };

/* ==== typed wrappers, as the generated header would have them ============== */

static rel_store *db;

#define R(i) ((uint32_t)(i))
#define DEL(k, o) rel_delete_many((k), (void *const *)&(o), 1, #k "_delete")

static Author *Author_new(void) { return (Author *)rel_new(db, M_AUTHOR, REL_NONE, NULL, false, "Author_new"); }
static Book *Book_new(Author *author)
{
    return (Book *)rel_new(db, M_BOOK, REL_NONE, NULL, false, "Book_new", (void *)author);
}
static Book *Author_edited_create(Author *o, Author *author)
{
    return (Book *)rel_new(rel_store_of(o), M_BOOK, R(R_BOOK_EDITOR), o, true, "Author_edited_create", (void *)author);
}
static Publisher *Publisher_new(void)
{
    return (Publisher *)rel_new(db, M_PUBLISHER, REL_NONE, NULL, false, "Publisher_new");
}
static Contract *Contract_new(Publisher *p)
{
    return (Contract *)rel_new(db, M_CONTRACT, REL_NONE, NULL, false, "Contract_new", (void *)p);
}
static Contract *Book_contracts_create(Book *o, Publisher *p)
{
    return (Contract *)rel_new(rel_store_of(o), M_CONTRACT, R(R_CONTRACT_BOOK), o, true, "Book_contracts_create", (void *)p);
}
static User *User_new(void) { return (User *)rel_new(db, M_USER, REL_NONE, NULL, false, "User_new"); }
static Profile *Profile_new(User *u)
{
    return (Profile *)rel_new(db, M_PROFILE, REL_NONE, NULL, false, "Profile_new", (void *)u);
}
static Person *Person_new(void) { return (Person *)rel_new(db, M_PERSON, REL_NONE, NULL, false, "Person_new"); }
static Club *Club_new(void) { return (Club *)rel_new(db, M_CLUB, REL_NONE, NULL, false, "Club_new"); }
static Badge *Badge_new(void) { return (Badge *)rel_new(db, M_BADGE, REL_NONE, NULL, false, "Badge_new"); }
static Badge *User_badge_create(User *u)
{
    return (Badge *)rel_new(rel_store_of(u), M_BADGE, R(R_BADGE_HOLDER), u, true, "User_badge_create");
}
static Seat *Seat_new(Club *c)
{
    return (Seat *)rel_new(db, M_SEAT, REL_NONE, NULL, false, "Seat_new", (void *)c);
}
static Club *Person_clubs_create(Person *p)
{
    return (Club *)rel_new(rel_store_of(p), M_CLUB, R(R_PERSON_CLUBS), p, false, "Person_clubs_create");
}
static Person *Club_members_create(Club *c)
{
    return (Person *)rel_new(rel_store_of(c), M_PERSON, R(R_PERSON_CLUBS), c, true, "Club_members_create");
}
static Person *Person_friends_create(Person *p)
{
    return (Person *)rel_new(rel_store_of(p), M_PERSON, R(R_PERSON_FRIENDS), p, true, "Person_friends_create");
}
static Person *Person_followers_create(Person *p)
{
    return (Person *)rel_new(rel_store_of(p), M_PERSON, R(R_PERSON_FOLLOWS), p, true,
                             "Person_followers_create");
}

static rel_status Author_set_name(Author *o, const char *v) { return rel_set_string(o, M_AUTHOR, 0, v); }
static rel_status Book_set_title(Book *o, const char *v) { return rel_set_string(o, M_BOOK, 1, v); }

#define FK_SET(rel, M, f, T, rv, null)                                                           \
    static inline rel_status M##_set_##f(M *o, T *t)                                                   \
    {                                                                                           \
        return rel_fk_set(o, t, R(rel), offsetof(M, f), offsetof(M, pos_##f), offsetof(T, rv), null); \
    }
FK_SET(R_BOOK_AUTHOR, Book, author, Author, books, false)
FK_SET(R_BOOK_EDITOR, Book, editor, Author, edited, true)
FK_SET(R_CONTRACT_PUBLISHER, Contract, publisher, Publisher, contracts, false)
FK_SET(R_CONTRACT_BOOK, Contract, book, Book, contracts, true)
FK_SET(R_CONTRACT_AUTHOR, Contract, author, Author, contracts, true)
FK_SET(R_PERSON_BOSS, Person, boss, Person, reports, true)

static rel_status Profile_set_user(Profile *o, User *t)
{
    return rel_o2o_set(o, t, R(R_PROFILE_USER), offsetof(Profile, user), offsetof(User, profile), false);
}
static rel_status Badge_set_holder(Badge *o, User *t)
{
    return rel_o2o_set(o, t, R(R_BADGE_HOLDER), offsetof(Badge, holder), offsetof(User, badge), true);
}
static rel_status Seat_set_club(Seat *o, Club *t)
{
    return rel_o2o_set(o, t, R(R_SEAT_CLUB), offsetof(Seat, club), offsetof(Club, seat), false);
}

/* Many-to-many: M_r_add/remove/contains and T_rv_add/remove/contains.
 * SYM: whether the relation can link an object to itself in one set (the
 * generator knows; here, a relation of a model to itself with one set). */
#define SYM(M, r, T, rv) (sizeof(M) == sizeof(T) && offsetof(M, r) == offsetof(T, rv))
#define M2M(rel, M, r, T, rv)                                                                     \
    static inline rel_status M##_##r##_add(M *o, T *x)                                                   \
    {                                                                                             \
        return rel_m2m_add(R(rel), o, offsetof(M, r), x, offsetof(T, rv), SYM(M, r, T, rv), true, #M "_" #r "_add");  \
    }                                                                                             \
    static inline rel_status M##_##r##_remove(M *o, T *x)                                                \
    {                                                                                             \
        return rel_m2m_remove(R(rel), o, offsetof(M, r), x, offsetof(T, rv), SYM(M, r, T, rv), true, #M "_" #r "_remove");    \
    }                                                                                             \
    static inline bool M##_##r##_contains(const M *o, const T *x)                                        \
    {                                                                                             \
        return x && rel_m2m_find(o, offsetof(M, r), x, offsetof(T, rv)) != UINT32_MAX;            \
    }                                                                                             \
    static inline rel_status M##_##r##_clear(M *o) { return rel_m2m_clear(R(rel), o, true); }
#define M2M_REV(rel, T, rv, M, r)                                                                 \
    static inline rel_status T##_##rv##_add(T *o, M *x)                                                  \
    {                                                                                             \
        return rel_m2m_add(R(rel), x, offsetof(M, r), o, offsetof(T, rv), SYM(M, r, T, rv), false, #T "_" #rv "_add"); \
    }                                                                                             \
    static inline rel_status T##_##rv##_remove(T *o, M *x)                                               \
    {                                                                                             \
        return rel_m2m_remove(R(rel), x, offsetof(M, r), o, offsetof(T, rv), SYM(M, r, T, rv), false, #T "_" #rv "_remove");  \
    }                                                                                             \
    static inline bool T##_##rv##_contains(const T *o, const M *x)                                       \
    {                                                                                             \
        return x && rel_m2m_find(x, offsetof(M, r), o, offsetof(T, rv)) != UINT32_MAX;            \
    }                                                                                             \
    static inline rel_status T##_##rv##_clear(T *o) { return rel_m2m_clear(R(rel), o, false); }
M2M(R_PERSON_FRIENDS, Person, friends, Person, friends)
M2M(R_PERSON_CLUBS, Person, clubs, Club, members)
M2M_REV(R_PERSON_CLUBS, Club, members, Person, clubs)
M2M(R_PERSON_FOLLOWS, Person, follows, Person, followers)
M2M_REV(R_PERSON_FOLLOWS, Person, followers, Person, follows)

static uint64_t id_of(const void *o) { return o ? rel_id_of(o) : 0; }
static size_t count(uint32_t k) { return db->models[k].count; }
/* The n-th object of model k that a walk of the store finds. */
static void *nth(uint32_t k, size_t n)
{
    rel_cursor c = rel_all(db, k);
    void *o;
    while ((o = rel_cursor_next(&c)) && n--)
        ;
    return o;
}
static const char *errmsg(void) { return db->errmsg.text; }

/* ==== the fingerprint: everything observable, from the descriptor ========== */

static void print_field(FILE *f, const rel_field *fd, const void *o)
{
    const char *p = (const char *)o + fd->offset;
    switch (fd->type) {
    case REL_STRING: fprintf(f, " %s=\"%s\"", fd->name, *(const char *const *)(const void *)p); break;
    case REL_INT32: fprintf(f, " %s=%d", fd->name, (int)*(const int32_t *)(const void *)p); break;
    case REL_DOUBLE: fprintf(f, " %s=%g", fd->name, *(const double *)(const void *)p); break;
    case REL_BOOL: fprintf(f, " %s=%d", fd->name, (int)*(const bool *)(const void *)p); break;
    default: fprintf(f, " %s=?", fd->name); break;
    }
}

static void print_vec(FILE *f, const char *name, const rel_vec *v)
{
    uint32_t j;
    fprintf(f, " %s=[", name);
    for (j = 0; j < v->count; j++)
        fprintf(f, "%llu@%u,", (unsigned long long)id_of(v->items[j]), (unsigned)rel_vec_back(v)[j]);
    fprintf(f, "]");
}

static char *fingerprint_of(const rel_store *s)
{
    char *buf = NULL;
    size_t len = 0;
    uint32_t k, j;
    FILE *f = open_memstream(&buf, &len);
    for (k = 0; k < NMODELS; k++) {
        const rel_model *m = &models[k];
        const rel_model_state *ms = &s->models[k];
        rel_cursor c = rel_all(s, k);
        const void *o;
        fprintf(f, "%s last id=%u:", m->name, (unsigned)ms->last_id);
        while ((o = rel_cursor_next(&c))) {
            fprintf(f, " {%llu", (unsigned long long)id_of(o));
            for (j = 0; j < m->nfields; j++)
                print_field(f, &m->fields[j], o);
            for (j = 0; j < m->nrelations; j++) {
                const rel_relation *r = &relations[m->relations[j]];
                if (r->type == REL_MANY_TO_MANY)
                    print_vec(f, r->name, &REL_CAT(o, r->fwd, rel_vec));
                else
                    fprintf(f, " %s=%llu", r->name, (unsigned long long)id_of(rel_fwd(o, r->fwd)));
            }
            for (j = 0; j < m->nincoming; j++) {
                const rel_relation *r = &relations[m->incoming[j]];
                uint32_t x;
                if (r->type == REL_FOREIGN_KEY) {
                    const rel_list *l = &REL_CAT(o, r->rev, rel_list);
                    fprintf(f, " ~%s.%s=[", models[r->model].name, r->name);
                    for (x = 0; x < l->count; x++)
                        fprintf(f, "%llu,", (unsigned long long)id_of(l->items[x]));
                    fprintf(f, "]");
                } else if (r->type == REL_ONE_TO_ONE) {
                    fprintf(f, " ~%s.%s=%llu", models[r->model].name, r->name,
                            (unsigned long long)id_of(*(void *const *)(const void *)((const char *)o + r->rev)));
                } else if (!r->symmetrical) {
                    print_vec(f, "~rev", &REL_CAT(o, r->rev, rel_vec));
                }
            }
            fprintf(f, "}");
        }
        fprintf(f, "\n");
    }
    fclose(f);
    return buf;
}

static char *fingerprint(void) { return fingerprint_of(db); }

static void setup(void)
{
    db = rel_store_new(&schema);
    ck_assert_ptr_nonnull(db);
}
static void teardown(void)
{
    ck_assert_msg(rel_store_verify(db) == REL_OK, "%s", errmsg());
    rel_store_free(db);
    rel_set_allocator(NULL);
}

#define VERIFY() ck_assert_msg(rel_store_verify(db) == REL_OK, "%s", errmsg())
#define UNCHANGED(before) do { char *after_ = fingerprint(); \
    ck_assert_str_eq(before, after_); free(after_); VERIFY(); } while (0)
#define MSG(text) ck_assert_str_eq(errmsg(), text)

/* ==== tests ============================================================== */

START_TEST(test_store_and_defaults)
{
    Author *a = Author_new();
    Book *b = Book_new(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(id_of(a), 1);
    ck_assert_uint_eq(id_of(b), 1);
    ck_assert_ptr_eq(rel_store_of(a), db);
    /* defaults: scalars copied, a string default is the constant itself,
     * a string without one is "" and never NULL */
    ck_assert_int_eq(b->pages, 100);
    ck_assert(b->rating == 2.5);
    ck_assert(b->in_print);
    ck_assert_ptr_eq(b->title, book_fields[1].def);
    ck_assert_ptr_eq(a->bio, author_fields[1].def);
    ck_assert_ptr_nonnull(a->name);
    ck_assert_str_eq(a->name, "");
    ck_assert_ptr_eq(rel_deref(b->author), a);
    ck_assert_ptr_null(rel_deref(b->editor));
    ck_assert_ptr_eq(rel_get(db, M_BOOK, 1), b);
    ck_assert_ptr_null(rel_get(db, M_BOOK, 0));
    ck_assert_ptr_null(rel_get(db, M_BOOK, 2));
    /* strings: copies, max_length in code points, the old copy freed */
    ck_assert_int_eq(Author_set_name(a, "h\xc3\xa9llo"), REL_OK);  /* 5 code points, 6 bytes */
    ck_assert_str_eq(a->name, "h\xc3\xa9llo");
    ck_assert_int_eq(Author_set_name(a, "abc"), REL_OK);
    ck_assert_int_eq(Book_set_title(b, "Dune"), REL_OK);
    ck_assert_str_eq(b->title, "Dune");
    ck_assert_int_eq(Book_set_title(b, b->title), REL_OK);  /* its own text */
    ck_assert_str_eq(b->title, "Dune");
    ck_assert_int_eq(DEL(M_AUTHOR, a), REL_OK);
    ck_assert_ptr_null(rel_get(db, M_BOOK, 1));
    ck_assert_ptr_null(rel_get(db, M_AUTHOR, 1));
    /* ids are never reused, though the memory is */
    a = Author_new();
    ck_assert_uint_eq(id_of(a), 2);
    ck_assert_ptr_null(rel_get(db, M_AUTHOR, 1));
    ck_assert_ptr_eq(rel_get(db, M_AUTHOR, 2), a);
    rel_store_free(NULL);
    ck_assert_ptr_null(rel_store_new(NULL));
    ck_assert_ptr_null(rel_new(NULL, M_AUTHOR, REL_NONE, NULL, false, "Author_new"));
}
END_TEST

START_TEST(test_errors_change_nothing)
{
    Author *a = Author_new(), *e = Author_new();
    Book *b = Book_new(a);
    User *u = User_new(), *v = User_new();
    Profile *pr = Profile_new(u), *pv = Profile_new(v);
    Person *p = Person_new();
    Seat *seat = Seat_new(Club_new());
    char *before;
    ck_assert_ptr_nonnull(seat);
    Author_set_name(a, "ann");
    before = fingerprint();

    ck_assert_ptr_null(Book_new(NULL));
    MSG("Book_new: Book.author is required (it is not null = true)");
    UNCHANGED(before);
    ck_assert_ptr_null(Profile_new(u));
    MSG("Profile_new: User 1 already has a Profile (Profile.user is one-to-one)");
    UNCHANGED(before);
    ck_assert_int_eq(Book_set_author(b, NULL), REL_ENULL);
    MSG("Book 1: author cannot be NULL (it is not null = true)");
    UNCHANGED(before);
    ck_assert_int_eq(Profile_set_user(pr, v), REL_EUNIQUE);
    MSG("User 2 already has a Profile (Profile.user is one-to-one)");
    ck_assert_ptr_eq(v->profile, pv);
    UNCHANGED(before);
    ck_assert_int_eq(Profile_set_user(pr, NULL), REL_ENULL);
    MSG("Profile 1: user cannot be NULL (it is not null = true)");
    ck_assert_int_eq(Seat_set_club(seat, NULL), REL_ENULL);
    UNCHANGED(before);
    ck_assert_int_eq(Author_set_name(a, "toolong"), REL_ETOOLONG);
    MSG("Author 1: name is longer than its max_length, 5");
    ck_assert_int_eq(Author_set_name(a, NULL), REL_EINVAL);
    MSG("Author 1: name: the value is NULL");
    UNCHANGED(before);
    ck_assert_int_eq(rel_fk_remove(R(R_BOOK_EDITOR), e, b, "Author_edited_remove"), REL_EINVAL);
    MSG("Author_edited_remove: the Book is not in this Author's edited");
    ck_assert_int_eq(rel_fk_remove(R(R_BOOK_EDITOR), e, NULL, "Author_edited_remove"), REL_EINVAL);
    /* a required ForeignKey's reverse cannot be removed or cleared */
    ck_assert_int_eq(rel_fk_remove(R(R_BOOK_AUTHOR), a, b, "Author_books_remove"), REL_ENULL);
    ck_assert_int_eq(rel_fk_clear(R(R_BOOK_AUTHOR), a), REL_ENULL);
    UNCHANGED(before);
    ck_assert_int_eq(Person_clubs_add(p, NULL), REL_EINVAL);
    MSG("Person_clubs_add: NULL Club");
    ck_assert_int_eq(Club_members_add((Club *)rel_deref(seat->club), NULL), REL_EINVAL);
    MSG("Club_members_add: NULL Person");
    ck_assert_int_eq(Person_clubs_remove(p, NULL), REL_EINVAL);
    MSG("Person_clubs_remove: NULL Club");
    ck_assert_ptr_null(rel_new(db, M_CLUB, R(R_PERSON_CLUBS), NULL, false, "Person_clubs_create"));
    MSG("Person_clubs_create: NULL Person");
    ck_assert_ptr_null(Author_edited_create(e, NULL));
    MSG("Author_edited_create: Book.author is required (it is not null = true)");
    UNCHANGED(before);
    /* a new object cannot be a ForeignKey's target through `via` */
    ck_assert_ptr_null(rel_new(db, M_AUTHOR, R(R_BOOK_EDITOR), b, false, "Book_editor_create"));
    ck_assert_int_eq(rel_fail_null_arg(NULL, "x", NULL), REL_EINVAL);
    UNCHANGED(before);
    free(before);
}
END_TEST

START_TEST(test_foreign_key_both_sides)
{
    Author *a = Author_new(), *b = Author_new();
    Book *x = Book_new(a), *y = Book_new(a), *z;
    ck_assert_uint_eq(a->books.count, 2);
    ck_assert_int_eq(Book_set_author(x, b), REL_OK);
    ck_assert_uint_eq(a->books.count, 1);
    ck_assert_ptr_eq(a->books.items[0], y);
    ck_assert_ptr_eq(b->books.items[0], x);
    ck_assert_int_eq(Book_set_author(x, b), REL_OK);  /* the same: nothing */
    ck_assert_int_eq(Book_set_editor(x, a), REL_OK);
    ck_assert_int_eq(Book_set_editor(y, a), REL_OK);
    ck_assert_uint_eq(a->edited.count, 2);
    ck_assert_int_eq(rel_fk_remove(R(R_BOOK_EDITOR), a, x, "Author_edited_remove"), REL_OK);
    ck_assert_ptr_null(rel_deref(x->editor));
    ck_assert_ptr_eq(a->edited.items[0], y);
    ck_assert_uint_eq(y->pos_editor, 0);
    ck_assert_int_eq(Book_set_editor(x, a), REL_OK);
    ck_assert_int_eq(rel_fk_clear(R(R_BOOK_EDITOR), a), REL_OK);
    ck_assert_uint_eq(a->edited.count, 0);
    ck_assert_ptr_null(rel_deref(x->editor));
    ck_assert_ptr_null(rel_deref(y->editor));
    ck_assert_int_eq(Book_set_editor(x, NULL), REL_OK);  /* NULL to NULL */
    /* the reverse create of a nullable ForeignKey */
    z = Author_edited_create(b, a);
    ck_assert_ptr_nonnull(z);
    ck_assert_ptr_eq(rel_deref(z->editor), b);
    ck_assert_ptr_eq(rel_deref(z->author), a);
    ck_assert_ptr_eq(b->edited.items[0], z);
    VERIFY();
}
END_TEST

START_TEST(test_one_to_one)
{
    User *u = User_new(), *v = User_new();
    Badge *b = Badge_new(), *c;
    Club *club = Club_new();
    Seat *seat = Seat_new(club);
    char *before;
    ck_assert_ptr_eq(club->seat, seat);
    ck_assert_ptr_null(Seat_new(club));
    MSG("Seat_new: Club 1 already has a Seat (Seat.club is one-to-one)");
    ck_assert_int_eq(Badge_set_holder(b, u), REL_OK);
    ck_assert_ptr_eq(u->badge, b);
    ck_assert_int_eq(Badge_set_holder(b, v), REL_OK);   /* moves: u loses it */
    ck_assert_ptr_null(u->badge);
    ck_assert_ptr_eq(v->badge, b);
    before = fingerprint();
    ck_assert_ptr_null(User_badge_create(v));
    MSG("User_badge_create: User 2 already has a Badge (Badge.holder is one-to-one)");
    UNCHANGED(before);
    free(before);
    c = User_badge_create(u);
    ck_assert_ptr_eq(rel_deref(c->holder), u);
    ck_assert_ptr_eq(u->badge, c);
    ck_assert_int_eq(rel_fk_remove(R(R_BADGE_HOLDER), u, c, "User_badge_remove"), REL_OK);
    ck_assert_ptr_null(u->badge);
    ck_assert_ptr_null(rel_deref(c->holder));
    ck_assert_int_eq(Badge_set_holder(b, NULL), REL_OK);
    ck_assert_ptr_null(v->badge);
    VERIFY();
}
END_TEST

START_TEST(test_many_to_many)
{
    Person *p = Person_new(), *q = Person_new(), *n;
    Club *c = Person_clubs_create(p), *d = Club_new();
    ck_assert_uint_eq(c->members.count, 1);
    ck_assert_int_eq(Person_clubs_add(p, c), REL_OK);   /* idempotent */
    ck_assert_uint_eq(p->clubs.count, 1);
    ck_assert_int_eq(Club_members_add(d, p), REL_OK);
    ck_assert_int_eq(Club_members_add(d, q), REL_OK);
    ck_assert(Person_clubs_contains(q, d));
    ck_assert(Club_members_contains(d, q));
    ck_assert_int_eq(Person_clubs_remove(p, d), REL_OK);
    ck_assert(!Club_members_contains(d, p));
    ck_assert_int_eq(Club_members_remove(d, p), REL_OK);  /* not linked: nothing */
    n = Club_members_create(d);
    ck_assert(Person_clubs_contains(n, d));
    ck_assert_int_eq(Club_members_clear(d), REL_OK);
    ck_assert_uint_eq(q->clubs.count, 0);
    ck_assert_uint_eq(n->clubs.count, 0);
    ck_assert_int_eq(Club_members_add(d, q), REL_OK);
    ck_assert_int_eq(Person_clubs_add(q, c), REL_OK);
    ck_assert_int_eq(Person_clubs_clear(q), REL_OK);
    ck_assert_uint_eq(d->members.count, 0);
    ck_assert_uint_eq(c->members.count, 1);
    VERIFY();

    /* symmetrical: both ways, and a link to oneself is one entry */
    ck_assert_int_eq(Person_friends_add(p, q), REL_OK);
    ck_assert(Person_friends_contains(q, p));
    ck_assert_int_eq(Person_friends_add(q, p), REL_OK);
    ck_assert_uint_eq(q->friends.count, 1);
    ck_assert_int_eq(Person_friends_add(p, p), REL_OK);
    ck_assert_uint_eq(p->friends.count, 2);
    ck_assert(Person_friends_contains(p, p));
    ck_assert_int_eq(Person_friends_add(p, n), REL_OK);
    VERIFY();
    ck_assert_int_eq(Person_friends_remove(q, p), REL_OK);
    ck_assert_uint_eq(p->friends.count, 2);
    VERIFY();
    ck_assert_int_eq(Person_friends_remove(p, p), REL_OK);
    ck_assert_uint_eq(p->friends.count, 1);
    ck_assert_ptr_nonnull(Person_friends_create(q));
    ck_assert_uint_eq(q->friends.count, 1);
    ck_assert_int_eq(Person_friends_add(p, p), REL_OK);
    ck_assert_int_eq(Person_friends_clear(p), REL_OK);
    ck_assert_uint_eq(p->friends.count, 0);
    ck_assert_uint_eq(n->friends.count, 0);
    VERIFY();
    /* A link to oneself that moves into the hole an earlier entry left:
     * its back position is its own new position (the test only a
     * symmetrical relation makes), found from either side. */
    ck_assert_int_eq(Person_friends_add(p, q), REL_OK);
    ck_assert_int_eq(Person_friends_add(p, p), REL_OK);
    ck_assert_int_eq(Person_friends_remove(p, q), REL_OK);
    ck_assert_uint_eq(p->friends.count, 1);
    ck_assert_uint_eq(rel_vec_back(&p->friends)[0], 0);
    ck_assert(Person_friends_contains(p, p) && !Person_friends_contains(q, p));
    VERIFY();
    /* again, found from the partner's smaller set (p's is bigger) */
    ck_assert_int_eq(Person_friends_remove(p, p), REL_OK);
    ck_assert_int_eq(Person_friends_add(p, q), REL_OK);
    ck_assert_int_eq(Person_friends_add(p, n), REL_OK);
    ck_assert_int_eq(Person_friends_add(p, p), REL_OK);
    ck_assert_uint_eq(p->friends.count, 3);
    ck_assert_uint_gt(p->friends.count, q->friends.count);
    ck_assert_int_eq(Person_friends_remove(p, q), REL_OK);
    ck_assert_uint_eq(p->friends.count, 2);
    ck_assert_ptr_eq(p->friends.items[0], p);
    ck_assert_uint_eq(rel_vec_back(&p->friends)[0], 0);
    VERIFY();
    ck_assert_int_eq(Person_friends_clear(p), REL_OK);
    VERIFY();

    /* not symmetrical, to its own model: two sets, a self link in both */
    ck_assert_int_eq(Person_follows_add(p, q), REL_OK);
    ck_assert(!Person_follows_contains(q, p));
    ck_assert(Person_followers_contains(q, p));
    ck_assert_int_eq(Person_follows_add(p, p), REL_OK);
    ck_assert_uint_eq(p->follows.count, 2);
    ck_assert_uint_eq(p->followers.count, 1);
    ck_assert_int_eq(Person_followers_add(p, q), REL_OK);
    ck_assert_ptr_nonnull(Person_followers_create(p));
    ck_assert_uint_eq(p->followers.count, 3);
    VERIFY();
    ck_assert_int_eq(Person_followers_remove(p, p), REL_OK);
    ck_assert_uint_eq(p->follows.count, 1);
    ck_assert_int_eq(Person_follows_add(p, p), REL_OK);
    ck_assert_int_eq(Person_followers_clear(p), REL_OK);
    ck_assert_uint_eq(p->follows.count, 1);  /* p still follows q */
    ck_assert_int_eq(Person_follows_add(p, p), REL_OK);
    ck_assert_int_eq(Person_follows_clear(p), REL_OK);
    ck_assert_uint_eq(p->followers.count, 0);
    ck_assert_uint_eq(q->followers.count, 0);
    VERIFY();
}
END_TEST

START_TEST(test_delete_rules)
{
    Author *a = Author_new(), *e = Author_new();
    Book *x = Book_new(a);
    Publisher *p = Publisher_new();
    Contract *c = Contract_new(p);
    char *before;
    Book_set_editor(x, e);
    Contract_set_book(c, x);

    /* PROTECT: refused while any contract refers to the publisher */
    before = fingerprint();
    ck_assert_int_eq(DEL(M_PUBLISHER, p), REL_EPROTECTED);
    MSG("cannot delete Publisher 1: Contract 1 refers to it through Contract.publisher, which is on_delete = PROTECT");
    UNCHANGED(before);
    /* RESTRICT: the book's contract blocks the cascade from its author */
    ck_assert_int_eq(DEL(M_AUTHOR, a), REL_ERESTRICTED);
    MSG("cannot delete Book 1: Contract 1 refers to it through Contract.book, which is on_delete = RESTRICT");
    UNCHANGED(before);
    free(before);
    /* without the contract, the cascade goes through; SET_NULL on e's side */
    ck_assert_int_eq(DEL(M_CONTRACT, c), REL_OK);
    ck_assert_uint_eq(p->contracts.count, 0);
    ck_assert_uint_eq(x->contracts.count, 0);
    ck_assert_int_eq(DEL(M_AUTHOR, a), REL_OK);
    ck_assert_uint_eq(count(M_BOOK), 0);
    ck_assert_uint_eq(e->edited.count, 0);
    ck_assert_int_eq(DEL(M_PUBLISHER, p), REL_OK);
    VERIFY();

    /* SET_NULL: the referrer stays, pointing nowhere */
    a = Author_new();
    x = Book_new(a);
    Book_set_editor(x, e);
    ck_assert_int_eq(DEL(M_AUTHOR, e), REL_OK);
    ck_assert_ptr_null(rel_deref(x->editor));
    ck_assert_uint_eq(count(M_BOOK), 1);
    ck_assert_int_eq(Book_set_editor(x, a), REL_OK);  /* and can be set again */
    VERIFY();
}
END_TEST

/* PROTECT refuses even when the protecting object would go in the same
 * delete (Django's rule: the referrer must be deleted first). */
START_TEST(test_protect_within_cascade)
{
    Author *a = Author_new();
    Publisher *p = Publisher_new();
    Contract *c = Contract_new(p);
    Publisher *both[1];
    char *before;
    Contract_set_author(c, a);
    both[0] = p;
    before = fingerprint();
    ck_assert_int_eq(rel_delete_many(M_PUBLISHER, (void *const *)both, 1, "Publisher_delete_many"), REL_EPROTECTED);
    UNCHANGED(before);
    free(before);
    /* The contract goes with its author (CASCADE), then the publisher is free. */
    ck_assert_int_eq(DEL(M_AUTHOR, a), REL_OK);
    ck_assert_uint_eq(count(M_CONTRACT), 0);
    ck_assert_int_eq(DEL(M_PUBLISHER, p), REL_OK);
}
END_TEST

/* RESTRICT gives way when the referrer goes in the same delete. */
START_TEST(test_restrict_same_call)
{
    Author *a = Author_new(), *other = Author_new();
    Book *b = Book_new(a);
    Publisher *pub = Publisher_new();
    Contract *k = Contract_new(pub);
    char *before;
    Contract_set_book(k, b);
    Contract_set_author(k, other);
    before = fingerprint();
    ck_assert_int_eq(DEL(M_AUTHOR, a), REL_ERESTRICTED);  /* k stays: refused */
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(Contract_set_author(k, a), REL_OK);
    ck_assert_int_eq(DEL(M_AUTHOR, a), REL_OK);           /* k goes too */
    ck_assert_uint_eq(count(M_CONTRACT), 0);
    ck_assert_uint_eq(count(M_BOOK), 0);
    ck_assert_uint_eq(other->contracts.count, 0);
    ck_assert_uint_eq(pub->contracts.count, 0);
    /* RESTRICT through a one-to-one, and the reverse create through a
     * RESTRICT ForeignKey */
    b = Book_new(other);
    ck_assert_ptr_nonnull(Book_contracts_create(b, pub));
    ck_assert_int_eq(DEL(M_BOOK, b), REL_ERESTRICTED);
    ck_assert_int_eq(rel_fk_clear(R(R_CONTRACT_BOOK), b), REL_OK);
    ck_assert_int_eq(DEL(M_BOOK, b), REL_OK);
    VERIFY();
}
END_TEST

START_TEST(test_one_to_one_deletes)
{
    User *u = User_new(), *v = User_new();
    Profile *pr = Profile_new(u);
    Badge *b = Badge_new(), *b2 = Badge_new();
    Club *club = Club_new();
    Seat *seat = Seat_new(club);
    char *before;
    Badge_set_holder(b, u);
    Badge_set_holder(b2, v);
    ck_assert_ptr_eq(rel_deref(pr->user), u);
    ck_assert_int_eq(DEL(M_USER, u), REL_OK);     /* profile cascades, badge set null */
    ck_assert_uint_eq(count(M_PROFILE), 0);
    ck_assert_ptr_null(rel_deref(b->holder));
    ck_assert_ptr_eq(rel_deref(b2->holder), v);
    ck_assert_uint_eq(count(M_BADGE), 2);
    ck_assert_int_eq(DEL(M_BADGE, b2), REL_OK);   /* the forward side goes */
    ck_assert_ptr_null(v->badge);
    pr = Profile_new(v);
    ck_assert_int_eq(DEL(M_PROFILE, pr), REL_OK);
    ck_assert_ptr_null(v->profile);
    before = fingerprint();
    ck_assert_int_eq(DEL(M_CLUB, club), REL_ERESTRICTED);
    MSG("cannot delete Club 1: Seat 1 refers to it through Seat.club, which is on_delete = RESTRICT");
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(DEL(M_SEAT, seat), REL_OK);
    ck_assert_ptr_null(club->seat);
    ck_assert_int_eq(DEL(M_CLUB, club), REL_OK);
    VERIFY();
}
END_TEST

START_TEST(test_cascade_cycles_and_links)
{
    Person *boss = Person_new(), *mid = Person_new(), *low = Person_new(), *out = Person_new();
    Club *c = Club_new();
    Person_set_boss(mid, boss);
    Person_set_boss(low, mid);
    Person_set_boss(boss, low);                      /* a cycle */
    Person_friends_add(low, out);
    Person_friends_add(low, low);
    Person_friends_add(low, mid);
    Person_follows_add(out, mid);
    Person_follows_add(mid, out);
    Person_follows_add(mid, mid);
    Person_follows_add(boss, mid);
    Person_clubs_add(mid, c);
    Person_clubs_add(out, c);
    Person_clubs_add(low, c);
    ck_assert_int_eq(DEL(M_PERSON, mid), REL_OK);    /* the whole cycle */
    ck_assert_uint_eq(count(M_PERSON), 1);
    ck_assert_ptr_eq(nth(M_PERSON, 0), out);
    ck_assert_uint_eq(out->friends.count, 0);
    ck_assert_uint_eq(out->follows.count, 0);
    ck_assert_uint_eq(out->followers.count, 0);
    ck_assert_uint_eq(c->members.count, 1);
    ck_assert_ptr_eq(c->members.items[0], out);
    VERIFY();
    ck_assert_int_eq(DEL(M_CLUB, c), REL_OK);        /* members' links go */
    ck_assert_uint_eq(out->clubs.count, 0);
    VERIFY();
}
END_TEST

START_TEST(test_delete_many)
{
    Author *a = Author_new(), *b = Author_new(), *c = Author_new();
    Author *list[4];
    rel_store *other = rel_store_new(&schema);
    Author *stranger = (Author *)rel_new(other, M_AUTHOR, REL_NONE, NULL, false, "Author_new");
    char *before;
    Book_new(a);
    Book_new(b);
    Book_new(b);
    before = fingerprint();
    list[0] = a;
    list[1] = stranger;
    ck_assert_int_eq(rel_delete_many(M_AUTHOR, (void *const *)list, 2, "Author_delete_many"), REL_EINVAL);
    MSG("Author_delete_many: Author 1 (object 1) belongs to another store");
    list[1] = NULL;
    ck_assert_int_eq(rel_delete_many(M_AUTHOR, (void *const *)list, 2, "Author_delete_many"), REL_EINVAL);
    ck_assert_int_eq(rel_delete_many(M_AUTHOR, NULL, 1, "Author_delete_many"), REL_EINVAL);
    ck_assert_int_eq(rel_delete_many(M_AUTHOR, (void *const *)list + 1, 1, "Author_delete_many"), REL_EINVAL);
    ck_assert_int_eq(rel_delete_many(M_AUTHOR, NULL, 0, "Author_delete_many"), REL_OK);
    UNCHANGED(before);
    free(before);
    list[0] = a;
    list[1] = c;
    list[2] = a;  /* twice: once is enough */
    list[3] = b;
    ck_assert_int_eq(rel_delete_many(M_AUTHOR, (void *const *)list, 4, "Author_delete_many"), REL_OK);
    ck_assert_uint_eq(count(M_AUTHOR), 0);
    ck_assert_uint_eq(count(M_BOOK), 0);
    ck_assert_int_eq(rel_store_verify(other), REL_OK);
    rel_store_free(other);
}
END_TEST

START_TEST(test_other_store)
{
    rel_store *other = rel_store_new(&schema), *keep = db;
    Author *a = Author_new(), *stranger;
    Book *b = Book_new(a);
    Person *p = Person_new(), *far_p;
    Club *far;
    User *far_u;
    char *before;
    db = other;
    stranger = Author_new();
    far = Club_new();
    far_p = Person_new();
    far_u = User_new();
    db = keep;
    before = fingerprint();
    ck_assert_int_eq(Book_set_author(b, stranger), REL_EINVAL);
    MSG("Book 1: Author 1 belongs to another store");
    ck_assert_ptr_null(Book_new(stranger));
    MSG("Book_new: Author 1 belongs to another store");
    ck_assert_int_eq(Person_clubs_add(p, far), REL_EINVAL);
    MSG("Person_clubs_add: Club 1 belongs to another store");
    ck_assert_int_eq(Club_members_add(far, p), REL_EINVAL);
    ck_assert_str_eq(other->errmsg.text, "Club_members_add: Person 1 belongs to another store");
    ck_assert_int_eq(Person_friends_add(p, far_p), REL_EINVAL);
    ck_assert_ptr_nonnull(Person_clubs_create(far_p));  /* in its own store: fine */
    ck_assert_ptr_null(Profile_new(far_u));
    MSG("Profile_new: User 1 belongs to another store");
    ck_assert_ptr_null(rel_new(db, M_PERSON, R(R_PERSON_CLUBS), far, true, "Club_members_create"));
    MSG("Club_members_create: Club 1 belongs to another store");
    UNCHANGED(before);
    free(before);
    ck_assert_int_eq(rel_store_verify(other), REL_OK);
    rel_store_free(other);
}
END_TEST

/* verify finds broken invariants and names them. */
START_TEST(test_verify_finds_corruption)
{
    Author *a = Author_new(), *e = Author_new();
    Book *b = Book_new(a), *c = Book_new(a);
    Person *p = Person_new(), *q = Person_new();
    Club *club = Club_new();
    User *u = User_new();
    Profile *pr = Profile_new(u);
    uint32_t saved;
    rel_cref sref;
    const char *ss;
    Person_clubs_add(p, club);
    Person_friends_add(p, q);
    VERIFY();

    saved = b->pos_author;
    b->pos_author = 1;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(errmsg(), "verify: Author 1: a reverse set holds an object that points elsewhere"));
    b->pos_author = saved;
    VERIFY();

    sref = c->author;
    c->author = rel_cref_to(e);
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    b->pos_author = saved;
    c->author = sref;

    rel_vec_back(&p->clubs)[0] = 7;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(errmsg(), "many-to-many link is not on both sides"));
    rel_vec_back(&p->clubs)[0] = 0;

    rel_vec_back(&q->friends)[0] = 3;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    rel_vec_back(&q->friends)[0] = 0;

    u->profile = NULL;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(errmsg(), "verify: Profile 1: a OneToOneField's target does not point back"));
    u->profile = pr;

    ss = a->name;
    a->name = "toolong";
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    MSG("verify: Author 1: a string is longer than its max_length");
    a->name = NULL;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    MSG("verify: Author 1: a string is NULL");
    a->name = ss;

    REL_TAG(e) |= REL_MARK;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    MSG("verify: Author 2: wrong store, or left marked by a delete");
    REL_TAG(e) &= ~REL_MARK;

    db->models[M_AUTHOR].count++;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    MSG("verify: the store counts 3 Author but holds 2");
    db->models[M_AUTHOR].count--;

    sref = b->author;
    b->author = 0;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    b->author = sref;
    VERIFY();

    /* A reference that names no object (p has no boss, so nothing lists
     * it back and the forward check meets it first): reported, not
     * followed.  A region number never issued, a slot past the region's
     * end, the middle of a slot. */
    p->boss = (rel_cref)(REL_CREF_REGIONS - 1) << REL_CREF_SHIFT;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    MSG("verify: Person 1: a reference names no region (a number not issued)");
    p->boss = rel_cref_to(q) | (((rel_cref)1 << REL_CREF_SHIFT) - 1);   /* its region's last 8 bytes */
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    MSG("verify: Person 1: a reference names no object (no slot its region handed out)");
    p->boss = rel_cref_to(q) + 1;
    ck_assert_int_eq(rel_store_verify(db), REL_ECORRUPT);
    MSG("verify: Person 1: a reference names no object (no slot its region handed out)");
    p->boss = 0;
    VERIFY();
}
END_TEST

/* ==== out of memory: the nth allocation fails, for every n a call reaches ==== */

/* The harness counts live allocations too, so a leak on any failure path
 * shows as a store that does not free to zero. */
#include "failing_alloc.h"

static long failure_points;

/* The store every scenario starts from: an author with 200 books (each
 * with a contract), a chain of 50 people reporting to the first, each a
 * friend and follower of the next and a member of two clubs, users with
 * profiles and badges, a seat. */
typedef struct Fixture {
    Author *a, *other;
    Book *b;
    Publisher *pub;
    Person *p, *q, *last, *newbie;
    Club *club, *club2;
    Badge *badge;
    User *u, *free_user;
} Fixture;

static void fixture(Fixture *x)
{
    int i;
    Person *prev = NULL;
    x->a = Author_new();
    x->other = Author_new();
    x->pub = Publisher_new();
    for (i = 0; i < 200; i++) {
        Book *b = Book_new(x->a);
        Contract *c = Contract_new(x->pub);
        Contract_set_author(c, x->a);
        Book_set_title(b, "a title");
        if (i == 0)
            x->b = b;
    }
    x->club = Club_new();
    for (i = 0; i < 50; i++) {
        Person *p = Person_new();
        if (prev) {
            Person_set_boss(p, prev);
            Person_friends_add(p, prev);
            Person_follows_add(prev, p);
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
    x->u = User_new();
    Profile_new(x->u);
    Badge_set_holder(Badge_new(), x->u);
    x->free_user = User_new();
    Seat_new(Club_new());
    /* Objects the calls below link, made here so that the calls alone run
     * under the failing allocator. */
    x->club2 = Club_new();
    x->newbie = Person_new();
    x->badge = Badge_new();
}

enum { N_OOM_CALLS = 28 };

/* Call number `op` on the fixture; REL_ENOMEM when memory ran out.  Store
 * creation is call 0 and has no fixture. */
static rel_status oom_call(int op, Fixture *x)
{
    Book *books[200];
    size_t i;
    switch (op) {
    case 1: return Author_new() ? REL_OK : REL_ENOMEM;
    case 2: return Book_new(x->other) ? REL_OK : REL_ENOMEM;
    case 3: return Author_edited_create(x->other, x->a) ? REL_OK : REL_ENOMEM;
    case 4: return Author_set_name(x->a, "abc");
    case 5: return Book_set_author(x->b, x->other);
    case 6: return Book_set_editor(x->b, x->other);
    case 7: return Book_set_title(x->b, "another title");
    case 8: return Person_friends_add(x->p, x->last);
    case 9: return Person_clubs_add(x->p, x->club2);
    case 10: return Club_members_add(x->club, x->newbie);
    case 11: return Person_clubs_create(x->p) ? REL_OK : REL_ENOMEM;
    case 12: return Club_members_create(x->club) ? REL_OK : REL_ENOMEM;
    case 13: return Person_friends_create(x->q) ? REL_OK : REL_ENOMEM;
    case 14: return Person_followers_create(x->q) ? REL_OK : REL_ENOMEM;
    case 15: return Profile_new(x->free_user) ? REL_OK : REL_ENOMEM;
    case 16: return Badge_set_holder(x->badge, x->free_user);
    case 17: return User_badge_create(x->free_user) ? REL_OK : REL_ENOMEM;
    case 18: return Seat_new(x->club) ? REL_OK : REL_ENOMEM;
    case 19: return Person_set_boss(x->p, x->last);
    case 20: return Person_follows_add(x->last, x->p);
    case 21: return DEL(M_AUTHOR, x->a);           /* 200 books and contracts */
    case 22: return DEL(M_PERSON, x->p);           /* the whole chain of 50 */
    case 23: return DEL(M_CLUB, x->club);          /* 50 members' links */
    case 24:
        for (i = 0; i < 200; i++)
            books[i] = (Book *)x->a->books.items[i];
        return rel_delete_many(M_BOOK, (void *const *)books, 200, "Book_delete_many");
    case 25: return DEL(M_USER, x->u);             /* profile cascades, badge set null */
    case 26: return DEL(M_PUBLISHER, x->pub);      /* protected: no allocation may matter */
    default: return Person_friends_clear(x->q);
    }
}

/* How many region numbers are in use in the process, and the highest. */
static uint32_t numbers_in_use(uint32_t *highest)
{
    uint32_t n, used = 0;
    *highest = 0;
    for (n = 1; n < REL_CREF_REGIONS; n++)
        if (rel_cref_issued((rel_cref)n << REL_CREF_SHIFT)) {
            used++;
            *highest = n;
        }
    return used;
}

/* Every region a store takes has a number (the spare ones of a block
 * too, without an aligned allocation), freeing the store gives every one
 * back, and the next store takes the numbers given back before new
 * ones (none higher than the first store had). */
START_TEST(test_region_numbers)
{
    rel_store *keep = db;
    uint32_t before, top_before, used[2], top[2], after, top_after;
    int blocks, round, i;
    before = numbers_in_use(&top_before);
    for (blocks = 0; blocks < 2; blocks++) {
        if (blocks)
            rel_set_aligned_alloc(NULL);   /* blocks of 1, 2, 4 ... regions from malloc */
        for (round = 0; round < 2; round++) {
            db = rel_store_new(&schema);
            for (i = 0; i < 20000; i++)
                ck_assert_ptr_nonnull(Book_new(Author_new()));
            VERIFY();
            used[round] = numbers_in_use(&top[round]);
            rel_store_free(db);
            db = keep;
            after = numbers_in_use(&top_after);
            ck_assert_uint_eq(after, before);
            ck_assert_uint_eq(top_after, top_before);
        }
        ck_assert_uint_gt(used[0], before + 4);
        /* With blocks, the short region after a block's last depends on
         * where malloc put it: the same store may take a few less. */
        if (!blocks)
            ck_assert_uint_eq(used[1], used[0]);
        if (used[1] <= used[0])
            ck_assert_uint_le(top[1], top[0]);
    }
    rel_set_allocator(NULL);   /* the default, with its aligned allocation */
    db = keep;
}
END_TEST

START_TEST(test_out_of_memory_every_call)
{
    rel_allocator al = { t_malloc, t_realloc, t_free, NULL };
    rel_store *keep = db;
    int op;
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
                db = rel_store_new(&schema);
                st = db ? REL_OK : REL_ENOMEM;
                fail_at = 0;
            } else {
                db = rel_store_new(&schema);
                fixture(&x);
                VERIFY();
                before = fingerprint();
                allocs = 0;
                fail_at = n;
                st = oom_call(op, &x);
                fail_at = 0;
            }
            if (allocs >= n) {
                failure_points++;
                /* The failed allocation must surface as out of memory
                 * (the publisher's delete is refused first) and change
                 * nothing. */
                if (st != REL_OK && st != REL_EPROTECTED)
                    ck_assert_msg(st == REL_ENOMEM, "call %d, allocation %ld: status %d", op, n, st);
                if (st == REL_ENOMEM && db)
                    ck_assert_msg(strstr(errmsg(), "out of memory") != NULL, "call %d: message %s", op, errmsg());
                if (st != REL_OK && db) {
                    char *after = fingerprint();
                    ck_assert_msg(!before || strcmp(before, after) == 0,
                                  "call %d, allocation %ld failed but the store changed", op, n);
                    free(after);
                }
            }
            free(before);
            if (db) {
                VERIFY();
                rel_store_free(db);
            }
            ck_assert_msg(live == 0, "call %d, allocation %ld: %ld allocations leaked", op, n, live);
            if (allocs < n)
                break;  /* every allocation point of this call covered */
        }
    }
    db = keep;
    printf("out of memory: %ld allocation points failed over %d calls, each changed nothing and leaked nothing\n",
           failure_points, N_OOM_CALLS);
}
END_TEST

/* ==== random operations: every invariant after each ======================== */

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}
static void *pick(uint32_t k)
{
    size_t n = db->models[k].count;
    return n ? nth(k, rnd(n)) : NULL;
}

/* The oracle for a delete: Django's collector written the naive way, from
 * the descriptor.  The closure of CASCADE from the objects given; refused
 * with REL_EPROTECTED if anything in it has a PROTECT referrer, else with
 * REL_ERESTRICTED if a RESTRICT referrer stays outside it.  On success the
 * closure is what goes: `gone` gets (model, id) of each, *ngone their
 * number. */
enum { ORACLE_MAX = 4096 };
typedef struct gone_obj {
    uint32_t k;
    void *o;
    uint64_t id;
} gone_obj;

static bool in_closure(const gone_obj *set, size_t n, const void *o)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (set[i].o == o)
            return true;
    return false;
}

static rel_status expect_delete(uint32_t k, void *const *objects, size_t n, gone_obj *set, size_t *nset)
{
    size_t i, head = 0, count_ = 0;
    uint32_t j, x;
    bool protect = false;
    for (i = 0; i < n; i++)
        if (!in_closure(set, count_, objects[i])) {
            set[count_].k = k;
            set[count_].o = objects[i];
            set[count_].id = id_of(objects[i]);
            count_++;
        }
    for (; head < count_; head++) {
        const rel_model *m = &models[set[head].k];
        for (j = 0; j < m->nincoming; j++) {
            const rel_relation *r = &relations[m->incoming[j]];
            void *refs[ORACLE_MAX];
            uint32_t nrefs = 0;
            if (r->type == REL_FOREIGN_KEY) {
                const rel_list *l = &REL_AT(set[head].o, r->rev, rel_list);
                for (x = 0; x < l->count; x++)
                    refs[nrefs++] = l->items[x];
            } else if (r->type == REL_ONE_TO_ONE && REL_AT(set[head].o, r->rev, void *)) {
                refs[nrefs++] = REL_AT(set[head].o, r->rev, void *);
            }
            if (r->on_delete == REL_PROTECT && nrefs)
                protect = true;
            if (r->on_delete != REL_CASCADE)
                continue;
            for (x = 0; x < nrefs; x++)
                if (!in_closure(set, count_, refs[x])) {
                    ck_assert(count_ < ORACLE_MAX);
                    set[count_].k = r->model;
                    set[count_].o = refs[x];
                    set[count_].id = id_of(refs[x]);
                    count_++;
                }
        }
    }
    *nset = count_;
    if (protect)
        return REL_EPROTECTED;
    for (i = 0; i < count_; i++) {
        const rel_model *m = &models[set[i].k];
        for (j = 0; j < m->nincoming; j++) {
            const rel_relation *r = &relations[m->incoming[j]];
            if (r->on_delete != REL_RESTRICT)
                continue;
            if (r->type == REL_FOREIGN_KEY) {
                const rel_list *l = &REL_AT(set[i].o, r->rev, rel_list);
                for (x = 0; x < l->count; x++)
                    if (!in_closure(set, count_, l->items[x]))
                        return REL_ERESTRICTED;
            } else if (REL_AT(set[i].o, r->rev, void *)
                       && !in_closure(set, count_, REL_AT(set[i].o, r->rev, void *))) {
                return REL_ERESTRICTED;
            }
        }
    }
    return REL_OK;
}

/* Deletes objects[0..n) of model k and checks the outcome against the
 * oracle: the same status, and on success exactly the closure gone. */
static rel_status checked_delete(uint32_t k, void *const *objects, size_t n)
{
    static gone_obj set[ORACLE_MAX];
    size_t nset, i, before[NMODELS];
    uint32_t m;
    rel_status want = expect_delete(k, objects, n, set, &nset), st;
    for (m = 0; m < NMODELS; m++)
        before[m] = count(m);
    st = rel_delete_many(k, objects, n, "delete_many");
    ck_assert_msg(st == want, "delete: status %d, the oracle says %d (%s)", st, want, errmsg());
    if (st != REL_OK)
        return st;
    for (i = 0; i < nset; i++) {
        ck_assert_ptr_null(rel_get(db, set[i].k, set[i].id));
        before[set[i].k]--;
    }
    for (m = 0; m < NMODELS; m++)
        ck_assert_uint_eq(count(m), before[m]);
    return st;
}

/* A random call, its failure checked to change nothing. */
static void random_step(void)
{
    char *before = fingerprint();
    rel_status st = REL_OK;
    void *o;
    uint32_t k;
    switch (rnd(25)) {
    case 0: Author_new(); break;
    case 1: if ((o = pick(M_AUTHOR)) != NULL) Book_new((Author *)o); break;
    case 2: if ((o = pick(M_BOOK)) != NULL) st = Book_set_author((Book *)o, (Author *)pick(M_AUTHOR)); break;
    case 3: if ((o = pick(M_BOOK)) != NULL) st = Book_set_editor((Book *)o, (Author *)pick(M_AUTHOR)); break;
    case 4: if (rnd(3) == 0 || !(o = pick(M_PUBLISHER))) Publisher_new(); else Contract_new((Publisher *)o); break;
    case 5: if ((o = pick(M_CONTRACT)) != NULL) st = Contract_set_book((Contract *)o, (Book *)pick(M_BOOK)); break;
    case 6: if ((o = pick(M_CONTRACT)) != NULL) st = Contract_set_author((Contract *)o, (Author *)pick(M_AUTHOR)); break;
    case 7: if (rnd(2)) User_new(); else if (!Profile_new((User *)pick(M_USER))) st = db->models[M_USER].count ? REL_EUNIQUE : REL_ENULL; break;
    case 8: if ((o = pick(M_BADGE)) != NULL) st = Badge_set_holder((Badge *)o, (User *)pick(M_USER)); else Badge_new(); break;
    case 9: Person_new(); break;
    case 10: if ((o = pick(M_PERSON)) != NULL) st = Person_set_boss((Person *)o, (Person *)pick(M_PERSON)); break;
    case 11: if ((o = pick(M_PERSON)) != NULL && count(M_PERSON)) st = Person_friends_add((Person *)o, (Person *)pick(M_PERSON)); break;
    case 12: if ((o = pick(M_PERSON)) != NULL && count(M_PERSON)) st = Person_follows_add((Person *)o, (Person *)pick(M_PERSON)); break;
    case 13: if ((o = pick(M_PERSON)) != NULL && count(M_CLUB)) st = Person_clubs_add((Person *)o, (Club *)pick(M_CLUB)); break;
    case 14: if (rnd(2)) Club_new(); else if (!Seat_new((Club *)pick(M_CLUB))) st = count(M_CLUB) ? REL_EUNIQUE : REL_ENULL; break;
    case 15: if ((o = pick(M_PERSON)) != NULL && count(M_PERSON)) st = Person_friends_remove((Person *)o, (Person *)pick(M_PERSON)); break;
    case 16: if ((o = pick(M_PERSON)) != NULL && count(M_PERSON)) st = Person_followers_remove((Person *)o, (Person *)pick(M_PERSON)); break;
    case 17: if ((o = pick(M_CLUB)) != NULL) st = rnd(2) ? Club_members_clear((Club *)o) : (Club_members_create((Club *)o) ? REL_OK : REL_ENOMEM); break;
    /* more links than deletes, so that deletes cascade far */
    case 18: case 19: if ((o = pick(M_PERSON)) != NULL) st = Person_set_boss((Person *)o, (Person *)pick(M_PERSON)); break;
    case 20: if ((o = pick(M_CONTRACT)) != NULL) st = Contract_set_author((Contract *)o, (Author *)pick(M_AUTHOR)); break;
    case 21: if ((o = pick(M_AUTHOR)) != NULL) Book_new((Author *)o); break;
    default:
        k = rnd(NMODELS);
        if ((o = pick(k)) != NULL) {
            if (rnd(4) == 0) {
                void *many[3];
                many[0] = o;
                many[1] = pick(k);
                many[2] = pick(k);
                st = checked_delete(k, many, 3);
            } else {
                st = checked_delete(k, &o, 1);
            }
        }
        break;
    }
    if (st != REL_OK) {
        ck_assert_msg(st == REL_EPROTECTED || st == REL_ERESTRICTED || st == REL_EUNIQUE || st == REL_ENULL,
                      "status %d: %s", st, errmsg());
        UNCHANGED(before);
    }
    free(before);
}

START_TEST(test_random_operations)
{
    int i;
    for (i = 0; i < 4000; i++) {
        random_step();
        VERIFY();
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("runtime");
    TCase *t = tcase_create("runtime");
    SRunner *r;
    int failed;
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, test_store_and_defaults);
    tcase_add_test(t, test_errors_change_nothing);
    tcase_add_test(t, test_foreign_key_both_sides);
    tcase_add_test(t, test_one_to_one);
    tcase_add_test(t, test_many_to_many);
    tcase_add_test(t, test_delete_rules);
    tcase_add_test(t, test_protect_within_cascade);
    tcase_add_test(t, test_restrict_same_call);
    tcase_add_test(t, test_one_to_one_deletes);
    tcase_add_test(t, test_cascade_cycles_and_links);
    tcase_add_test(t, test_delete_many);
    tcase_add_test(t, test_other_store);
    tcase_add_test(t, test_verify_finds_corruption);
    tcase_add_test(t, test_region_numbers);
    tcase_add_test(t, test_out_of_memory_every_call);
    tcase_add_test(t, test_random_operations);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
