/* test_safety.c: the regressions of issue 11 ("No silent corruption"), on
 * tests/safety/safety.rel (a tree of nodes with tags, a title with
 * max_length = 8).  Each test is one observation of the issue; each failed
 * on the runtime before v3 (README, "Testing", says how each failed).
 *
 * Check runs every test in a child process, so a crash or a double free
 * is a failed test, and `make SAN=1 check` runs them under ASan and UBSan.
 * Every refused call is compared against a fingerprint of the whole store
 * taken before it, and a sentinel message set before it must be replaced. */
#include "safety.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static safety_store *db;

/* Every object, field and link, as text, through the generated API only. */
static char *fingerprint(void)
{
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);
    rel_forall(Node, n, Node_all(db)) {
        fprintf(f, "N%llu '%s' parent=%llu children=", (unsigned long long)Node_id(n), Node_title(n),
                Node_parent(n) ? (unsigned long long)Node_id(Node_parent(n)) : 0ull);
        for (i = 0; i < Node_children_count(n); i++)
            fprintf(f, "%llu,", (unsigned long long)Node_id(Node_children(n).items[i]));
        fprintf(f, " tags=");
        for (i = 0; i < Node_tags_count(n); i++)
            fprintf(f, "%llu,", (unsigned long long)Tag_id(Node_tags(n).items[i]));
        fputc('\n', f);
    }
    rel_forall(Tag, t, Tag_all(db)) {
        fprintf(f, "T%llu '%s' nodes=", (unsigned long long)Tag_id(t), Tag_label(t));
        for (i = 0; i < Tag_nodes_count(t); i++)
            fprintf(f, "%llu,", (unsigned long long)Node_id(Tag_nodes(t).items[i]));
        fputc('\n', f);
    }
    fprintf(f, "%lu nodes, %lu tags\n", (unsigned long)Node_count(db), (unsigned long)Tag_count(db));
    fclose(f);
    return buf;
}

static void setup(void) { db = safety_store_new(); ck_assert_ptr_nonnull(db); }
static void teardown(void)
{
    ck_assert_msg(safety_store_verify(db) == REL_OK, "verify: %s", safety_store_errmsg(db));
    safety_store_free(db);
    rel_set_allocator(NULL);
}

#define UNCHANGED(before) do { char *after_ = fingerprint(); \
    ck_assert_str_eq(before, after_); free(after_); \
    ck_assert_msg(safety_store_verify(db) == REL_OK, "verify: %s", safety_store_errmsg(db)); } while (0)

/* The store's errmsg says something no call of these tests says, so that
 * a check after a call sees whether the call wrote a message. */
static void set_sentinel(Node *any)
{
    ck_assert_int_eq(Node_set_title(any, "far too long for a title"), REL_ETOOLONG);
    ck_assert_ptr_null(strstr(safety_store_errmsg(db), "NULL"));
}
/* The call wrote a message saying `what` (the sentinel is gone). */
#define MESSAGE_SAYS(what) do { const char *m_ = safety_store_errmsg(db); \
    ck_assert_msg(strstr(m_, "max_length") == NULL, "the call left the earlier message: %s", m_); \
    ck_assert_msg(strstr(m_, what) != NULL, "the message \"%s\" does not say \"%s\"", m_, what); } while (0)

/* A tree: root with children a and b, a with child c; tags t1 (on root
 * and a) and t2 (on c). */
typedef struct Tree { Node *root, *a, *b, *c; Tag *t1, *t2; } Tree;
static void tree(Tree *t)
{
    t->root = Node_new(db);
    t->a = Node_children_create(t->root);
    t->b = Node_children_create(t->root);
    t->c = Node_children_create(t->a);
    t->t1 = Tag_new(db);
    t->t2 = Node_tags_create(t->c);
    ck_assert_ptr_nonnull(t->t2);
    ck_assert_int_eq(Node_set_title(t->root, "root"), REL_OK);
    ck_assert_int_eq(Node_set_title(t->a, "a"), REL_OK);
    ck_assert_int_eq(Tag_set_label(t->t1, "one"), REL_OK);
    ck_assert_int_eq(Node_tags_add(t->root, t->t1), REL_OK);
    ck_assert_int_eq(Tag_nodes_add(t->t1, t->a), REL_OK);
}

/* Use after delete: X_set_fk(deleted, y) was carried out on the dead
 * object's slot, linking freed memory into y's children. */
START_TEST(test_set_fk_on_deleted)
{
    Tree t;
    Node *dead;
    char *before;
    tree(&t);
    dead = Node_children_create(t.b);
    ck_assert_int_eq(Node_delete(dead), REL_OK);
    before = fingerprint();

    set_sentinel(t.root);
    ck_assert_int_eq(Node_set_parent(dead, t.root), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Node_set_parent(t.c, dead), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    ck_assert_ptr_eq(Node_parent(t.c), t.a);
    set_sentinel(t.root);
    ck_assert_int_eq(Node_children_add(t.root, dead), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Node_tags_add(dead, t.t1), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Tag_nodes_add(t.t2, dead), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    ck_assert_uint_eq(Node_children_count(t.root), 2);
    free(before);
}
END_TEST

/* Use after delete: X_set_title(deleted, "x") freed the title that the
 * delete had freed already (a double free) and wrote into the slot. */
START_TEST(test_set_title_on_deleted)
{
    Tree t;
    Node *dead;
    char *before;
    tree(&t);
    dead = Node_new(db);
    ck_assert_int_eq(Node_set_title(dead, "doomed"), REL_OK);   /* a title of its own, to free */
    ck_assert_int_eq(Node_delete(dead), REL_OK);
    before = fingerprint();
    set_sentinel(t.root);
    ck_assert_int_eq(Node_set_title(dead, "x"), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    ck_assert_int_eq(Node_set_title(dead, "y"), REL_EINVAL);
    UNCHANGED(before);
    /* Objects made after it are whole, and the store frees once. */
    ck_assert_int_eq(Node_set_title(Node_new(db), "fresh"), REL_OK);
    free(before);
}
END_TEST

/* NULL receivers: Node_children_add(NULL, x) was Node_set_parent(x, NULL),
 * which detached x from its parent; remove and the many-to-many calls
 * wrote through NULL. */
START_TEST(test_null_receivers)
{
    Tree t;
    char *before;
    tree(&t);
    before = fingerprint();
    set_sentinel(t.root);
    ck_assert_int_eq(Node_children_add(NULL, t.c), REL_EINVAL);
    MESSAGE_SAYS("NULL Node");
    UNCHANGED(before);
    ck_assert_ptr_eq(Node_parent(t.c), t.a);
    set_sentinel(t.root);
    ck_assert_int_eq(Node_children_remove(NULL, t.c), REL_EINVAL);
    MESSAGE_SAYS("NULL Node");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Tag_nodes_add(NULL, t.a), REL_EINVAL);
    MESSAGE_SAYS("NULL Tag");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Tag_nodes_remove(NULL, t.a), REL_EINVAL);
    MESSAGE_SAYS("NULL Tag");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Node_tags_add(NULL, t.t1), REL_EINVAL);
    MESSAGE_SAYS("NULL Node");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Node_tags_remove(t.root, NULL), REL_EINVAL);
    MESSAGE_SAYS("NULL Tag");
    UNCHANGED(before);
    set_sentinel(t.root);
    ck_assert_int_eq(Node_children_remove(t.root, NULL), REL_EINVAL);
    MESSAGE_SAYS("NULL Node");
    UNCHANGED(before);
    free(before);
}
END_TEST

/* contains with a NULL or deleted receiver: contains(NULL, orphan)
 * compared the orphan's NULL parent with NULL and said true.  A deleted
 * object has no set. */
static Node *deleted_child(Tree *t)
{
    Node *dead = Node_children_create(t->root);
    ck_assert_int_eq(Node_tags_add(dead, t->t1), REL_OK);
    ck_assert_int_eq(Node_delete(dead), REL_OK);
    return dead;
}

START_TEST(test_contains_null_receiver)
{
    Tree t;
    Node *orphan, *dead;
    tree(&t);
    orphan = Node_new(db);
    dead = deleted_child(&t);
    ck_assert(!Node_children_contains(NULL, orphan));
    ck_assert(!Node_children_contains(NULL, t.root));
    ck_assert(!Node_children_contains(dead, orphan));
    ck_assert(!Node_tags_contains(NULL, t.t1));
    ck_assert(!Node_tags_contains(dead, t.t1));
    ck_assert(!Tag_nodes_contains(NULL, t.root));
    ck_assert(Node_children_contains(t.root, t.a) && Tag_nodes_contains(t.t1, t.a));
}
END_TEST

/* contains with a NULL or deleted member: a ForeignKey reverse
 * contains(o, NULL) read the parent of NULL.  A deleted object is in no
 * set. */
START_TEST(test_contains_null_member)
{
    Tree t;
    Node *dead;
    tree(&t);
    dead = deleted_child(&t);
    ck_assert(!Node_children_contains(t.root, NULL));
    ck_assert(!Node_children_contains(NULL, NULL));
    ck_assert(!Node_children_contains(t.root, dead));
    ck_assert(!Node_tags_contains(t.root, NULL));
    ck_assert(!Tag_nodes_contains(t.t1, NULL));
    ck_assert(!Tag_nodes_contains(t.t1, dead));
    ck_assert(Node_children_contains(t.root, t.a) && Tag_nodes_contains(t.t1, t.a));
}
END_TEST

/* delete_many with a NULL entry: a NULL first entry returned REL_EINVAL
 * with no message, and a deleted entry was collected again. */
START_TEST(test_delete_many_null_entry)
{
    Tree t;
    Node *objs[3], *dead;
    char *before;
    tree(&t);
    dead = Node_new(db);
    ck_assert_int_eq(Node_delete(dead), REL_OK);
    before = fingerprint();
    objs[0] = NULL;
    objs[1] = t.b;
    set_sentinel(t.root);
    ck_assert_int_eq(Node_delete_many(objs, 2), REL_EINVAL);
    MESSAGE_SAYS("NULL Node");
    UNCHANGED(before);
    objs[0] = t.b;
    objs[1] = NULL;
    set_sentinel(t.root);
    ck_assert_int_eq(Node_delete_many(objs, 2), REL_EINVAL);
    MESSAGE_SAYS("NULL Node");
    UNCHANGED(before);
    objs[0] = t.c;
    objs[1] = t.b;
    objs[2] = dead;
    set_sentinel(t.root);
    ck_assert_int_eq(Node_delete_many(objs, 3), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    objs[0] = dead;
    set_sentinel(t.root);
    ck_assert_int_eq(Node_delete_many(objs, 1), REL_EINVAL);
    MESSAGE_SAYS("was deleted");
    UNCHANGED(before);
    free(before);
}
END_TEST

/* max_length counted lead bytes, so invalid UTF-8 passed it: a megabyte of
 * continuation bytes counted as 0 characters.  Setters must refuse every
 * ill-formed sequence with REL_EINVAL, and count code points. */
START_TEST(test_invalid_utf8)
{
    static const char *const invalid[] = {
        "\x80", "a\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80",
        "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xff", "\xfe", "\xe2\x82", "\xc3", "ab\xf0\x9f\x98", "\xc3\x28"
    };
    Tree t;
    char *before, *mega;
    size_t i, n = (size_t)1 << 20;
    tree(&t);
    before = fingerprint();
    mega = (char *)malloc(n + 1);
    ck_assert_ptr_nonnull(mega);
    memset(mega, 0x80, n);
    mega[n] = '\0';
    set_sentinel(t.root);
    ck_assert_int_eq(Node_set_title(t.a, mega), REL_EINVAL);
    MESSAGE_SAYS("UTF-8");
    UNCHANGED(before);
    ck_assert_int_eq(Tag_set_label(t.t1, mega), REL_EINVAL);   /* no max_length: still refused */
    UNCHANGED(before);
    free(mega);
    for (i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        set_sentinel(t.root);
        ck_assert_msg(Node_set_title(t.a, invalid[i]) == REL_EINVAL, "invalid UTF-8 number %zu accepted", i);
        MESSAGE_SAYS("UTF-8");
        ck_assert_msg(Tag_set_label(t.t1, invalid[i]) == REL_EINVAL, "invalid UTF-8 number %zu accepted", i);
        UNCHANGED(before);
    }
    /* Code points, not bytes: eight of two, three and four bytes fit. */
    ck_assert_int_eq(Node_set_title(t.a, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), REL_OK);
    ck_assert_int_eq(Node_set_title(t.a, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
                                         "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"), REL_OK);
    ck_assert_int_eq(Node_set_title(t.a, "\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
                                         "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), REL_OK);
    ck_assert_int_eq(Node_set_title(t.a, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
                     REL_ETOOLONG);
    ck_assert_int_eq(Node_set_title(t.a, "\xed\x9f\xbf\xee\x80\x80"), REL_OK);   /* U+D7FF, U+E000 */
    ck_assert_int_eq(safety_store_verify(db), REL_OK);
    free(before);
}
END_TEST

/* Iteration: deleting objects while walking every object of a model.  The
 * list of every object moved its last element into the hole a delete
 * left, so the walk skipped objects and then read freed ones; cascades
 * made it worse.  A walk must see each object at most once, never a
 * deleted one, and leave nothing behind. */
START_TEST(test_delete_while_walking)
{
    size_t i, j, seen = 0, total;
    Tag *tags[4];
    for (i = 0; i < 4; i++)
        tags[i] = Tag_new(db);
    for (i = 0; i < 40; i++) {
        Node *root = Node_new(db);
        Node_tags_add(root, tags[i % 4]);
        for (j = 0; j < 5; j++) {
            Node *child = Node_children_create(root);
            Node_tags_add(child, tags[j % 4]);
            Node_children_create(child);
        }
    }
    total = Node_count(db);
    ck_assert_uint_eq(total, 40 * 11);
    /* Every third node goes, with what it cascades to. */
    rel_forall(Node, n, Node_all(db)) {
        ck_assert_ptr_eq(Node_get(db, Node_id(n)), n);   /* alive */
        if (seen++ % 3 == 0)
            ck_assert_int_eq(Node_delete(n), REL_OK);
    }
    ck_assert_uint_le(seen, total);
    ck_assert_int_eq(safety_store_verify(db), REL_OK);
    /* Then everything, and the tags while walking the nodes. */
    seen = 0;
    rel_forall(Node, n, Node_all(db)) {
        ck_assert_ptr_eq(Node_get(db, Node_id(n)), n);
        if (seen < 4)
            ck_assert_int_eq(Tag_delete(tags[seen]), REL_OK);
        seen++;
        ck_assert_int_eq(Node_delete(n), REL_OK);
    }
    ck_assert_uint_eq(Node_count(db), 0);
    ck_assert_uint_eq(Tag_count(db), 0);
    rel_forall(Node, n, Node_all(db))
        ck_abort_msg("a deleted node was walked: %llu", (unsigned long long)Node_id(n));
}
END_TEST

/* The 32-bit size computation of rel_list_grow and rel_vec_grow: the
 * capacity doubled past REL_VEC_MAX (to 2^31), and on a 32-bit machine
 * 2^31 pointers is 0 bytes after the multiplication wraps, so the array
 * "grew" to one byte.  On 64 bits the wrap cannot happen, but what leads
 * to it can be seen: the allocator (failing every request here, to ask
 * for nothing real) must never be asked for more than REL_VEC_MAX
 * elements, a count at REL_VEC_MAX must be refused before it is asked,
 * and a refused grow changes nothing. */
static size_t biggest_request;
static long requests;
static void *refuse_malloc(size_t n, void *ud) { (void)ud; requests++; if (n > biggest_request) biggest_request = n; return NULL; }
static void *refuse_realloc(void *p, size_t n, void *ud) { (void)p; return refuse_malloc(n, ud); }
static void refuse_free(void *p, void *ud) { (void)ud; free(p); }

START_TEST(test_grow_bounds)
{
    rel_allocator refuse = { refuse_malloc, refuse_realloc, refuse_free, NULL };
    static const size_t needs[] = { ((size_t)1 << 30) + 1, (size_t)REL_VEC_MAX - 1, REL_VEC_MAX };
    const size_t item = sizeof(void *);
    rel_list l;
    rel_vec v;
    size_t i;
    Tree t;
    Node *x;
    char *before;

    rel_set_allocator(&refuse);
    for (i = 0; i < sizeof needs / sizeof *needs; i++) {
        memset(&l, 0, sizeof l);
        l.cap = l.count = 4;
        biggest_request = 0;
        ck_assert_int_eq(rel_list_grow(&l, needs[i]), REL_ENOMEM);
        ck_assert_msg(biggest_request <= (size_t)REL_VEC_MAX * item,
                      "rel_list_grow(%zu) asked for %zu bytes: more than REL_VEC_MAX elements", needs[i],
                      biggest_request);
        ck_assert(l.items == NULL && l.cap == 4 && l.count == 4);
        memset(&v, 0, sizeof v);
        v.cap = v.count = 4;
        biggest_request = 0;
        ck_assert_int_eq(rel_vec_grow(&v, needs[i]), REL_ENOMEM);
        ck_assert_msg(biggest_request <= (size_t)REL_VEC_MAX * (item + sizeof(uint32_t)),
                      "rel_vec_grow(%zu) asked for %zu bytes: more than REL_VEC_MAX elements", needs[i],
                      biggest_request);
        ck_assert(v.items == NULL && v.cap == 4 && v.count == 4);
    }
    /* Full: a count at REL_VEC_MAX is refused before anything is asked. */
    memset(&l, 0, sizeof l);
    l.cap = l.count = REL_VEC_MAX;
    memset(&v, 0, sizeof v);
    v.cap = v.count = REL_VEC_MAX;
    requests = 0;
    ck_assert_int_eq(rel_list_reserve(&l, (size_t)l.count + 1), REL_ENOMEM);
    ck_assert_int_eq(rel_vec_reserve(&v, (size_t)v.count + 1), REL_ENOMEM);
    ck_assert_int_eq(rel_list_grow(&l, (size_t)-1), REL_ENOMEM);
    ck_assert_int_eq(rel_vec_grow(&v, (size_t)-1), REL_ENOMEM);
    ck_assert_int_eq(requests, 0);
    ck_assert(l.cap == REL_VEC_MAX && l.count == REL_VEC_MAX);
    rel_set_allocator(NULL);

    /* The same through the generated API: a node whose children (and a
     * tag whose nodes) claim REL_VEC_MAX entries takes no more, and the
     * refused call changes nothing. */
    tree(&t);
    x = Node_new(db);
    before = fingerprint();
    {
        uint32_t count = t.root->children.count, cap = t.root->children.cap;
        uint32_t tcount = t.t2->nodes.count, tcap = t.t2->nodes.cap;
        t.root->children.count = t.root->children.cap = REL_VEC_MAX;
        t.t2->nodes.count = t.t2->nodes.cap = REL_VEC_MAX;
        ck_assert_int_eq(Node_set_parent(x, t.root), REL_ENOMEM);
        ck_assert_ptr_null(Node_parent(x));
        ck_assert_int_eq(Node_children_add(t.root, t.c), REL_ENOMEM);
        ck_assert_ptr_eq(Node_parent(t.c), t.a);
        ck_assert_ptr_null(Node_children_create(t.root));
        ck_assert_int_eq(Node_tags_add(x, t.t2), REL_ENOMEM);
        ck_assert_uint_eq(Node_tags_count(x), 0);
        t.root->children.count = count;
        t.root->children.cap = cap;
        t.t2->nodes.count = tcount;
        t.t2->nodes.cap = tcap;
    }
    UNCHANGED(before);
    free(before);
}
END_TEST

/* ---- a deleted object reads as empty (SPEC 6) ----------------------------------
 * Getters of a deleted object read its slot: they returned what the delete
 * had freed (a string getter a freed title, a view freed items), and the
 * word at byte 8, where the pool linked its free list, cast to the
 * member's type (a string getter then returned NULL, which it never may;
 * a pointer getter another freed slot).  Under ASan every such read was a
 * use-after-poison.  Now every getter of a deleted object answers as for
 * an empty object, in a plain build and under ASan. */

/* Every getter of dead objects of each model says "empty"; the id and
 * the store are still the object's. */
static void assert_empty_node(Node *n, uint64_t id)
{
    ck_assert_uint_eq(Node_id(n), id);
    ck_assert_ptr_eq(Node_store(n), db);
    ck_assert_ptr_nonnull(Node_title(n));
    ck_assert_str_eq(Node_title(n), "");
    ck_assert_ptr_null(Node_parent(n));
    ck_assert(Node_children(n).items == NULL && Node_children(n).count == 0);
    ck_assert(Node_tags(n).items == NULL && Node_tags(n).count == 0);
    ck_assert(Node_gauges(n).items == NULL && Node_gauges(n).count == 0);
    ck_assert_uint_eq(Node_children_count(n) + Node_tags_count(n) + Node_gauges_count(n), 0);
    rel_foreach(Node, x, Node_children(n))
        ck_abort_msg("a deleted node has child %p", (void *)x);
}
static void assert_empty_tag(Tag *t, uint64_t id)
{
    ck_assert_uint_eq(Tag_id(t), id);
    ck_assert_ptr_eq(Tag_store(t), db);
    ck_assert_ptr_nonnull(Tag_label(t));
    ck_assert_str_eq(Tag_label(t), "");
    ck_assert(Tag_nodes(t).items == NULL && Tag_nodes(t).count == 0);
    ck_assert(Tag_owned(t).items == NULL && Tag_owned(t).count == 0);
    ck_assert(Tag_pins(t).items == NULL && Tag_pins(t).count == 0);
    ck_assert_uint_eq(Tag_nodes_count(t) + Tag_owned_count(t) + Tag_pins_count(t), 0);
    ck_assert_ptr_null(Tag_gauge(t));
}
static void assert_empty_gauge(Gauge *g, uint64_t id)
{
    ck_assert_uint_eq(Gauge_id(g), id);
    ck_assert_int_eq(Gauge_level(g), 0);
    ck_assert(Gauge_ratio(g) == 0.0);
    ck_assert(!Gauge_on(g));
    ck_assert_int_eq(Gauge_small(g), 0);
    ck_assert_ptr_nonnull(Gauge_name(g));
    ck_assert_str_eq(Gauge_name(g), "");
    ck_assert_ptr_null(Gauge_node(g));
    ck_assert_ptr_null(Gauge_owner(g));
    ck_assert_ptr_null(Gauge_twin(g));
}
static void assert_empty_pin(Pin *p, uint64_t id)
{
    ck_assert_uint_eq(Pin_id(p), id);
    ck_assert_int_eq(Pin_depth(p), 0);
    ck_assert_ptr_null(Pin_tag(p));
}
static void assert_empty_note(Note *n, uint64_t id)
{
    ck_assert_uint_eq(Note_id(n), id);
    ck_assert_int_eq(Note_size(n), 0);
    ck_assert_ptr_nonnull(Note_text(n));
    ck_assert_str_eq(Note_text(n), "");
}

/* Objects with every member set, linked every way, so that a delete has
 * something to leave behind. */
typedef struct Full { Node *node, *child; Tag *tag, *twin; Gauge *gauge; Pin *pin; Note *note; } Full;
static void full(Full *f, Node *parent)
{
    f->node = parent ? Node_children_create(parent) : Node_new(db);
    f->tag = Tag_new(db);
    f->twin = Tag_new(db);
    ck_assert(f->node && f->tag && f->twin);
    f->child = Node_children_create(f->node);
    f->gauge = Node_gauges_create(f->node, f->tag);
    f->pin = Tag_pins_create(f->tag);
    f->note = Note_new(db);
    ck_assert(f->child && f->gauge && f->pin && f->note);
    ck_assert_int_eq(Node_set_title(f->node, "full"), REL_OK);
    ck_assert_int_eq(Tag_set_label(f->tag, "label"), REL_OK);
    ck_assert_int_eq(Node_tags_add(f->node, f->tag), REL_OK);
    ck_assert_int_eq(Gauge_set_level(f->gauge, -7), REL_OK);
    ck_assert_int_eq(Gauge_set_ratio(f->gauge, 2.5), REL_OK);
    ck_assert_int_eq(Gauge_set_on(f->gauge, true), REL_OK);
    ck_assert_int_eq(Gauge_set_small(f->gauge, -3), REL_OK);
    ck_assert_int_eq(Gauge_set_name(f->gauge, "a name"), REL_OK);
    ck_assert_int_eq(Gauge_set_twin(f->gauge, f->twin), REL_OK);
    ck_assert_int_eq(Pin_set_depth(f->pin, 9), REL_OK);
    ck_assert_int_eq(Note_set_size(f->note, 12), REL_OK);
    ck_assert_int_eq(Note_set_text(f->note, "some text"), REL_OK);
}

/* Each way a delete goes: the collector (a node, cascading to its child
 * and its gauge), the one-pass delete (a tag, cascading to its gauge and
 * retiring its pin, a leaf, in its own loop), and plain objects. */
START_TEST(test_getters_of_deleted)
{
    Full f[3];
    uint64_t id[3][7];
    int i;
    for (i = 0; i < 3; i++) {
        full(&f[i], NULL);
        id[i][0] = Node_id(f[i].node);
        id[i][1] = Node_id(f[i].child);
        id[i][2] = Tag_id(f[i].tag);
        id[i][3] = Gauge_id(f[i].gauge);
        id[i][4] = Pin_id(f[i].pin);
        id[i][5] = Note_id(f[i].note);
        id[i][6] = Tag_id(f[i].twin);
    }
    /* Several of each model deleted in turn, so that every freed slot but
     * the last has its free-list link written. */
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(Tag_delete(f[i].tag), REL_OK);    /* the gauge and the pin go with it */
        ck_assert_int_eq(Node_delete(f[i].node), REL_OK);  /* and the child */
        ck_assert_int_eq(Note_delete(f[i].note), REL_OK);
        ck_assert_int_eq(Tag_delete(f[i].twin), REL_OK);
    }
    for (i = 0; i < 3; i++) {
        assert_empty_node(f[i].node, id[i][0]);
        assert_empty_node(f[i].child, id[i][1]);
        assert_empty_tag(f[i].tag, id[i][2]);
        assert_empty_gauge(f[i].gauge, id[i][3]);
        assert_empty_pin(f[i].pin, id[i][4]);
        assert_empty_note(f[i].note, id[i][5]);
        assert_empty_tag(f[i].twin, id[i][6]);
    }
    ck_assert_uint_eq(Node_count(db) + Tag_count(db) + Gauge_count(db) + Pin_count(db) + Note_count(db), 0);
}
END_TEST

/* SET_NULL and a one-to-one: deleting the twin leaves the gauge alive
 * (twin NULL), and deleting a gauge leaves the twin's reverse NULL. */
START_TEST(test_getters_after_set_null)
{
    Full f;
    uint64_t gid;
    full(&f, NULL);
    ck_assert_int_eq(Tag_delete(f.twin), REL_OK);
    ck_assert_ptr_null(Gauge_twin(f.gauge));
    ck_assert_int_eq(Gauge_level(f.gauge), -7);
    ck_assert_int_eq(Gauge_set_twin(f.gauge, f.tag), REL_OK);
    gid = Gauge_id(f.gauge);
    ck_assert_int_eq(Gauge_delete(f.gauge), REL_OK);
    ck_assert_ptr_null(Tag_gauge(f.tag));
    assert_empty_gauge(f.gauge, gid);
    ck_assert_uint_eq(Tag_owned_count(f.tag), 0);
}
END_TEST

/* Freed slots are reused first in, first out, and a reused slot is a
 * whole new object: its defaults, no links, the next id; the deleted ones
 * not reused yet still read as empty; delete_many and a refused delete
 * keep all of that. */
START_TEST(test_reuse_after_scrub)
{
    Note *notes[6], *again[6];
    Gauge *g;
    Full f;
    uint64_t last;
    int i;
    for (i = 0; i < 6; i++) {
        notes[i] = Note_new(db);
        ck_assert_int_eq(Note_set_text(notes[i], "text"), REL_OK);
        ck_assert_int_eq(Note_set_size(notes[i], i + 1), REL_OK);
    }
    last = Note_id(notes[5]);
    ck_assert_int_eq(Note_delete_many(notes, 4), REL_OK);
    for (i = 0; i < 4; i++)
        assert_empty_note(notes[i], last - 5 + (uint64_t)i);
    for (i = 0; i < 4; i++) {
        again[i] = Note_new(db);
        ck_assert_ptr_eq(again[i], notes[i]);   /* the first freed, first */
        ck_assert_uint_eq(Note_id(again[i]), last + 1 + (uint64_t)i);
        ck_assert_int_eq(Note_size(again[i]), 0);
        ck_assert_str_eq(Note_text(again[i]), "");
        if (i < 3)
            assert_empty_note(notes[i + 1], last - 4 + (uint64_t)i);
    }
    ck_assert_str_eq(Note_text(notes[4]), "text");
    /* A gauge in a reused slot starts at its defaults. */
    full(&f, NULL);
    ck_assert_int_eq(Gauge_delete(f.gauge), REL_OK);
    g = Node_gauges_create(f.node, f.tag);
    ck_assert_ptr_eq(g, f.gauge);
    ck_assert_str_eq(Gauge_name(g), "gauge");
    ck_assert(Gauge_level(g) == 0 && Gauge_ratio(g) == 0.0 && !Gauge_on(g) && !Gauge_twin(g));
    ck_assert_ptr_eq(Gauge_node(g), f.node);
    ck_assert_int_eq(safety_store_verify(db), REL_OK);
    /* Many deletes and creates in turn: the pools stay consistent. */
    for (i = 0; i < 200; i++) {
        Full h;
        full(&h, i % 2 ? f.node : NULL);
        if (i % 3)
            ck_assert_int_eq(Tag_delete(h.tag), REL_OK);
        else
            ck_assert_int_eq(Node_delete(h.node), REL_OK);
        ck_assert_int_eq(Note_delete(h.note), REL_OK);
    }
    ck_assert_int_eq(safety_store_verify(db), REL_OK);
}
END_TEST

/* ---- messages without a store -------------------------------------------------
 * A call whose only object is NULL has no store to write to: the message
 * goes to rel_errmsg_nostore(), and said "NULL object" (the runtime could
 * not name the model without a store), and setters and clears did not
 * name the call.  A create through a NULL object whose other arguments
 * are objects (a required relation's target) wrote to no store either,
 * where T_rv_add(NULL, x) writes to x's. */
#define NOSTORE_SAYS(call, what) do { (void)reset_nostore(); ck_assert_int_eq((call), REL_EINVAL); \
    ck_assert_str_eq(rel_errmsg_nostore(), what); } while (0)
static int reset_nostore(void)
{
    ck_assert_ptr_null(Tag_new(NULL));   /* "Tag_new: NULL store" */
    ck_assert_str_eq(rel_errmsg_nostore(), "Tag_new: NULL store");
    return 0;
}

START_TEST(test_nostore_names_the_model)
{
    rel_delete_plan plan;
    safety_delete_result result;
    Node *none = NULL;
    NOSTORE_SAYS(Node_set_title(NULL, "x"), "Node_set_title: NULL Node");
    NOSTORE_SAYS(Gauge_set_level(NULL, 1), "Gauge_set_level: NULL Gauge");
    NOSTORE_SAYS(Gauge_set_name(NULL, "x"), "Gauge_set_name: NULL Gauge");
    NOSTORE_SAYS(Node_delete(NULL), "Node_delete: NULL Node");
    NOSTORE_SAYS(Node_delete_many(&none, 1), "Node_delete_many: NULL Node");
    NOSTORE_SAYS(Node_delete_ex(NULL, &result), "Node_delete_ex: NULL Node");
    ck_assert_uint_eq(result.total, 0);
    NOSTORE_SAYS(Node_delete_plan(NULL, &plan), "Node_delete_plan: NULL Node");
    ck_assert_uint_eq(plan.ndeleted, 0);
    NOSTORE_SAYS(Node_children_clear(NULL), "Node_children_clear: NULL Node");
    NOSTORE_SAYS(Node_tags_clear(NULL), "Node_tags_clear: NULL Node");
    NOSTORE_SAYS(Tag_nodes_clear(NULL), "Tag_nodes_clear: NULL Tag");
    (void)reset_nostore();
    ck_assert_ptr_null(Node_children_create(NULL));
    ck_assert_str_eq(rel_errmsg_nostore(), "Node_children_create: NULL Node");
    (void)reset_nostore();
    ck_assert_ptr_null(Tag_pins_create(NULL));
    ck_assert_str_eq(rel_errmsg_nostore(), "Tag_pins_create: NULL Tag");
}
END_TEST

START_TEST(test_create_through_null_reports_in_store)
{
    Full f;
    char *before;
    full(&f, NULL);
    before = fingerprint();
    set_sentinel(f.node);
    ck_assert_ptr_null(Tag_owned_create(NULL, f.node));
    MESSAGE_SAYS("Tag_owned_create: NULL Tag");
    UNCHANGED(before);
    set_sentinel(f.node);
    ck_assert_ptr_null(Node_gauges_create(NULL, f.tag));
    MESSAGE_SAYS("Node_gauges_create: NULL Node");
    UNCHANGED(before);
    ck_assert_int_eq(Tag_delete(f.twin), REL_OK);
    set_sentinel(f.node);
    ck_assert_ptr_null(Tag_owned_create(f.twin, f.node));
    MESSAGE_SAYS("Tag_owned_create: Tag ");
    MESSAGE_SAYS(" was deleted");
    free(before);
}
END_TEST

/* A create whose target's list must grow grows it on the inline fast
 * path; when that fails for want of memory, the generic path reports it
 * and nothing changes. */
START_TEST(test_create_grow_fails)
{
    rel_allocator refuse = { refuse_malloc, refuse_realloc, refuse_free, NULL };
    Tag *tag = Tag_new(db);
    Pin *pin;
    size_t pins = Pin_count(db);
    ck_assert_ptr_nonnull(tag);
    rel_set_allocator(&refuse);
    ck_assert_ptr_null(Pin_new(db, tag));
    rel_set_allocator(NULL);
    ck_assert_msg(strstr(safety_store_errmsg(db), "out of memory") != NULL, "%s", safety_store_errmsg(db));
    ck_assert_uint_eq(Pin_count(db), pins);
    ck_assert_uint_eq(Tag_pins_count(tag), 0);
    ck_assert_int_eq(safety_store_verify(db), REL_OK);
    pin = Pin_new(db, tag);
    ck_assert_ptr_nonnull(pin);
    ck_assert_ptr_eq(Pin_tag(pin), tag);
    ck_assert_uint_eq(Tag_pins_count(tag), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("safety");
    TCase *t = tcase_create("issue 11");
    SRunner *r;
    int failed;
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_set_fk_on_deleted);
    tcase_add_test(t, test_set_title_on_deleted);
    tcase_add_test(t, test_null_receivers);
    tcase_add_test(t, test_contains_null_receiver);
    tcase_add_test(t, test_contains_null_member);
    tcase_add_test(t, test_delete_many_null_entry);
    tcase_add_test(t, test_invalid_utf8);
    tcase_add_test(t, test_delete_while_walking);
    tcase_add_test(t, test_grow_bounds);
    tcase_add_test(t, test_getters_of_deleted);
    tcase_add_test(t, test_getters_after_set_null);
    tcase_add_test(t, test_reuse_after_scrub);
    tcase_add_test(t, test_nostore_names_the_model);
    tcase_add_test(t, test_create_through_null_reports_in_store);
    tcase_add_test(t, test_create_grow_fails);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
