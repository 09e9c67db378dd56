/* test_generic.c: generic relations (SPEC section 9) on
 * tests/generic/gen.rel, through the generated API only.
 *
 * Typed and untyped getters and setters, the model a GenericForeignKey
 * points at, the reverse sets a GenericRelation names (Django's remove and
 * clear delete), every on_delete through every listed model, the safety
 * rules of SPEC section 6 (NULL, deleted, another store, a model not
 * listed), and out-of-memory injection: every refused call leaves the
 * store as its fingerprint was, and verify passes after every step. */
#include "gen.h"
#include "failing_alloc.h"
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_MSG(db, text) CHECK(strcmp(gen_store_errmsg(db), (text)) == 0 || \
                                  (fprintf(stderr, "  errmsg: %s\n", gen_store_errmsg(db)), 0))

static unsigned long long id_or_0(const void *o, int model)
{
    if (!o)
        return 0;
    switch (model) {
    case gen_Bookmark_model: return Bookmark_id((const Bookmark *)o);
    case gen_Note_model: return Note_id((const Note *)o);
    case gen_Vote_model: return Vote_id((const Vote *)o);
    default: return 9999;
    }
}

/* Every object, every generic pointer and every reverse set, as text. */
static char *fingerprint(const gen_store *db)
{
    static char buf[1 << 16];
    size_t n = 0, i;
#define OUT(...) (n += (size_t)snprintf(buf + n, sizeof buf - n, __VA_ARGS__))
    rel_forall(TaggedItem, t, TaggedItem_all(db))
        OUT("T%llu %s -> %d:%llu\n", (unsigned long long)TaggedItem_id(t), TaggedItem_tag(t),
            TaggedItem_content_object_model(t),
            id_or_0(TaggedItem_content_object(t), TaggedItem_content_object_model(t)));
    rel_forall(Bookmark, b, Bookmark_all(db)) {
        OUT("B%llu tags", (unsigned long long)Bookmark_id(b));
        for (i = 0; i < Bookmark_tags_count(b); i++)
            OUT(" %llu", (unsigned long long)TaggedItem_id(Bookmark_tags(b).items[i]));
        OUT(" votes");
        for (i = 0; i < Bookmark_votes_count(b); i++)
            OUT(" %llu", (unsigned long long)Vote_id(Bookmark_votes(b).items[i]));
        OUT("\n");
    }
    rel_forall(Note, x, Note_all(db))
        OUT("N%llu %s locks %lu\n", (unsigned long long)Note_id(x), Note_text(x),
            (unsigned long)Note_locks_count(x));
    rel_forall(Vote, v, Vote_all(db))
        OUT("V%llu -> %d:%llu\n", (unsigned long long)Vote_id(v), Vote_target_model(v),
            id_or_0(Vote_target(v), Vote_target_model(v)));
    rel_forall(Pin, p, Pin_all(db))
        OUT("P%llu -> %d:%llu\n", (unsigned long long)Pin_id(p), Pin_thing_model(p),
            id_or_0(Pin_thing(p), Pin_thing_model(p)));
    rel_forall(Lock, l, Lock_all(db))
        OUT("L%llu -> %d:%llu\n", (unsigned long long)Lock_id(l), Lock_held_model(l),
            id_or_0(Lock_held(l), Lock_held_model(l)));
#undef OUT
    return strdup(buf);
}

static void verify_at(gen_store *db, int line)
{
    rel_status st = gen_store_verify(db);
    CHECK(st == REL_OK);
    if (st)
        fprintf(stderr, "  verify (line %d): %s\n", line, gen_store_errmsg(db));
}
#define verify(db) verify_at((db), __LINE__)

static void test_get_set(void)
{
    gen_store *db = gen_store_new(), *other = gen_store_new();
    Bookmark *b = Bookmark_new(db), *b2 = Bookmark_new(db);
    Note *n = Note_new(db);
    Vote *v = Vote_new(db);
    Note *stranger = Note_new(other);
    TaggedItem *t = TaggedItem_new(db, b);
    char *before;

    CHECK(t && TaggedItem_content_object_Bookmark(t) == b && TaggedItem_content_object_Note(t) == NULL);
    CHECK(TaggedItem_content_object_model(t) == gen_Bookmark_model && TaggedItem_content_object(t) == b);
    CHECK(Bookmark_tags_count(b) == 1 && Bookmark_tags_contains(b, t) && !Bookmark_tags_contains(b2, t));
    verify(db);

    /* typed: to another model, to another object of the same model */
    CHECK(TaggedItem_set_content_object_Note(t, n) == REL_OK);
    CHECK(TaggedItem_content_object_Note(t) == n && TaggedItem_content_object_Bookmark(t) == NULL);
    CHECK(TaggedItem_content_object_model(t) == gen_Note_model && Bookmark_tags_count(b) == 0);
    verify(db);
    CHECK(TaggedItem_set_content_object_Bookmark(t, b2) == REL_OK && Bookmark_tags_count(b2) == 1);
    CHECK(TaggedItem_set_content_object_Bookmark(t, b2) == REL_OK && Bookmark_tags_count(b2) == 1);
    CHECK(TaggedItem_set_content_object_Bookmark(t, b) == REL_OK && Bookmark_tags_count(b2) == 0);
    verify(db);

    /* untyped */
    CHECK(TaggedItem_set_content_object(t, n) == REL_OK && TaggedItem_content_object_Note(t) == n);
    CHECK(TaggedItem_set_content_object(t, b) == REL_OK && TaggedItem_content_object_Bookmark(t) == b);
    verify(db);

    /* refused, changing nothing: a model not listed, NULL when required,
     * another store, a deleted object, a model miscast */
    before = fingerprint(db);
    CHECK(TaggedItem_set_content_object(t, v) == REL_EINVAL);
    CHECK_MSG(db, "TaggedItem_set_content_object: TaggedItem.content_object cannot point at Vote: it lists "
                  "Bookmark, Note");
    CHECK(TaggedItem_set_content_object(t, NULL) == REL_ENULL);
    CHECK(TaggedItem_set_content_object_Note(t, NULL) == REL_ENULL);
    CHECK_MSG(db, "TaggedItem 1: content_object cannot be NULL (it is not null = true)");
    CHECK(TaggedItem_set_content_object(t, stranger) == REL_EINVAL);
    CHECK(TaggedItem_set_content_object_Note(t, stranger) == REL_EINVAL);
    CHECK_MSG(db, "TaggedItem 1: Note 1 belongs to another store");
    CHECK(TaggedItem_set_content_object_Bookmark(t, (Bookmark *)(void *)n) == REL_EINVAL);
    CHECK(TaggedItem_set_content_object_Note(NULL, n) == REL_EINVAL);
    CHECK_MSG(db, "NULL TaggedItem");
    CHECK(TaggedItem_set_content_object(NULL, n) == REL_EINVAL);
    CHECK(TaggedItem_new(db, v) == NULL);
    CHECK_MSG(db, "TaggedItem_new: TaggedItem.content_object cannot point at Vote: it lists Bookmark, Note");
    CHECK(TaggedItem_new(db, NULL) == NULL);
    CHECK(TaggedItem_new(db, stranger) == NULL);
    CHECK(Bookmark_tags_add(b2, NULL) == REL_EINVAL);
    CHECK(Bookmark_tags_remove(b2, NULL) == REL_EINVAL);
    CHECK(Bookmark_tags_clear(NULL) == REL_EINVAL);
    {
        char *after = fingerprint(db);
        CHECK(strcmp(before, after) == 0);
        free(after);
    }
    free(before);

    /* a deleted target or object */
    {
        Note *gone = Note_new(db);
        CHECK(Note_delete(gone) == REL_OK);
        before = fingerprint(db);
        CHECK(TaggedItem_set_content_object(t, gone) == REL_EINVAL);
        CHECK_MSG(db, "TaggedItem_set_content_object: Note 2 was deleted");
        CHECK(TaggedItem_set_content_object_Note(t, gone) == REL_EINVAL);
        {
            char *after = fingerprint(db);
            CHECK(strcmp(before, after) == 0);
            free(after);
        }
        free(before);
    }

    /* nullable: NULL clears pointer and model; a model that lists itself */
    CHECK(Vote_set_target(v, b) == REL_OK && Bookmark_votes_count(b) == 1);
    CHECK(Vote_set_target(v, NULL) == REL_OK && Vote_target_model(v) == -1 && Vote_target(v) == NULL);
    CHECK(Bookmark_votes_count(b) == 0);
    CHECK(Vote_set_target_Vote(v, v) == REL_OK && Vote_target_Vote(v) == v);
    verify(db);
    CHECK(Vote_set_target_Vote(v, NULL) == REL_OK && Vote_target_model(v) == -1);
    verify(db);

    gen_store_free(db);
    gen_store_free(other);
}

static void test_reverse(void)
{
    gen_store *db = gen_store_new();
    Bookmark *b = Bookmark_new(db), *b2 = Bookmark_new(db);
    Note *n = Note_new(db);
    TaggedItem *t1 = Bookmark_tags_create(b), *t2 = Bookmark_tags_create(b), *t3 = TaggedItem_new(db, n);
    Vote *v = Bookmark_votes_create(b);
    size_t nt;

    CHECK(t1 && t2 && t3 && v && Bookmark_tags_count(b) == 2 && Vote_target_Bookmark(v) == b);
    CHECK(Bookmark_tags_add(b2, t3) == REL_OK && TaggedItem_content_object_Bookmark(t3) == b2);
    CHECK(Bookmark_tags_add(b2, t3) == REL_OK && Bookmark_tags_count(b2) == 1);
    verify(db);
    /* remove deletes, as Django's GenericRelatedObjectManager.remove does;
     * an object not in the set is left alone */
    nt = TaggedItem_count(db);
    CHECK(Bookmark_tags_remove(b, t3) == REL_OK && TaggedItem_count(db) == nt);
    CHECK(Bookmark_tags_remove(b, t1) == REL_OK && TaggedItem_count(db) == nt - 1);
    CHECK(TaggedItem_get(db, TaggedItem_id(t2)) == t2 && Bookmark_tags_count(b) == 1);
    CHECK(Bookmark_tags_remove(b, t1) == REL_EINVAL);   /* deleted */
    CHECK_MSG(db, "Bookmark_tags_remove: TaggedItem 1 was deleted");
    verify(db);
    /* clear deletes them all; the votes' relation is SET_NULL, so clearing
     * them deletes the votes too (Django's clear with bulk = True) */
    CHECK(Bookmark_tags_clear(b) == REL_OK && Bookmark_tags_count(b) == 0 && TaggedItem_count(db) == 1);
    CHECK(Bookmark_votes_clear(b) == REL_OK && Vote_count(db) == 0);
    CHECK(Bookmark_tags_clear(b) == REL_OK);
    verify(db);
    gen_store_free(db);
}

/* Deleted objects of a model with a generic relation read it as unset:
 * the free list's link is not its model word (which M_r_model reads). */
static void test_deleted_read_unset(void)
{
    gen_store *db = gen_store_new();
    Bookmark *b = Bookmark_new(db);
    TaggedItem *t[3];
    int i, bad = 0;
    for (i = 0; i < 3; i++)
        t[i] = TaggedItem_new(db, b);
    for (i = 0; i < 3; i++)
        CHECK(TaggedItem_delete(t[i]) == REL_OK);
    for (i = 0; i < 3; i++)
        bad += TaggedItem_content_object_model(t[i]) != -1 || TaggedItem_content_object(t[i]) != NULL
            || TaggedItem_content_object_Bookmark(t[i]) != NULL;
    CHECK(bad == 0);
    verify(db);
    /* and a target of generic relations reads its lists as empty */
    {
        Bookmark *m[3];
        for (i = 0; i < 3; i++) {
            m[i] = Bookmark_new(db);
            CHECK(TaggedItem_new(db, m[i]) != NULL);
        }
        for (i = 0; i < 3; i++)
            CHECK(Bookmark_delete(m[i]) == REL_OK);
        for (i = 0, bad = 0; i < 3; i++)
            bad += Bookmark_tags_count(m[i]) != 0 || Bookmark_tags(m[i]).count != 0 || Bookmark_tags(m[i]).items
                || Bookmark_votes_count(m[i]) != 0;
        CHECK(bad == 0);
        verify(db);
    }
    gen_store_free(db);
}

static void test_delete(void)
{
    gen_store *db = gen_store_new();
    Bookmark *b = Bookmark_new(db);
    Note *n = Note_new(db), *n2 = Note_new(db);
    TaggedItem *tb = TaggedItem_new(db, b), *tn = TaggedItem_new(db, n);
    Vote *vb = Vote_new(db), *vn = Vote_new(db), *vv = Vote_new(db);
    Pin *p = Pin_new(db);
    Lock *l;
    gen_delete_result res;
    char *before;

    CHECK(tb && Vote_set_target(vb, b) == REL_OK && Vote_set_target(vn, n) == REL_OK && Vote_set_target(vv, vb) == REL_OK);
    /* CASCADE through the Bookmark, SET_NULL on the votes */
    CHECK(Bookmark_delete_ex(b, &res) == REL_OK);
    CHECK(res.total == 2 && res.per_model[gen_TaggedItem_model] == 1 && res.per_model[gen_Bookmark_model] == 1);
    CHECK(TaggedItem_get(db, 1) == NULL && TaggedItem_get(db, 2) == tn);
    CHECK(Vote_target_model(vb) == -1 && Vote_target(vb) == NULL && Vote_target_Note(vn) == n);
    verify(db);
    /* a vote pointing at a vote: SET_NULL */
    CHECK(Vote_delete(vb) == REL_OK && Vote_target_model(vv) == -1);
    verify(db);

    /* PROTECT: the pin refuses, changing nothing, and the plan names it */
    CHECK(Pin_set_thing_Note(p, n) == REL_OK);
    before = fingerprint(db);
    CHECK(Note_delete(n) == REL_EPROTECTED);
    {
        rel_delete_plan plan;
        CHECK(Note_delete_plan(n, &plan) == REL_EPROTECTED || plan.status == REL_EPROTECTED);
        CHECK(plan.nblockers == 1 && plan.blockers[0].object == (void *)p);
        rel_delete_plan_free(&plan);
        char *after = fingerprint(db);
        CHECK(strcmp(before, after) == 0);
        free(after);
    }
    free(before);
    /* RESTRICT: a lock held on n, whose own note (CASCADE) is n2 */
    CHECK(Pin_set_thing(p, NULL) == REL_OK);
    l = Lock_new(db, n, n2);
    CHECK(l && Lock_held_Note(l) == n);
    CHECK(Note_delete(n) == REL_ERESTRICTED);
    verify(db);
    {   /* deleting both at once: the lock goes through n2, so n may go */
        Note *both[2];
        both[0] = n;
        both[1] = n2;
        CHECK(Note_delete_many(both, 2) == REL_OK);
    }
    CHECK(Lock_count(db) == 0 && TaggedItem_count(db) == 0 && Vote_target_model(vn) == -1);
    verify(db);
    gen_store_free(db);
}

static char *dump(gen_store *db, int indent)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(gen_store_dumpdata(db, f, indent) == REL_OK);
    fclose(f);
    return buf;
}

/* A load that must fail with st and this message, changing nothing. */
static void load_fails(gen_store *db, const char *text, rel_status st, const char *msg)
{
    char *before = fingerprint(db), *after;
    rel_status got = gen_store_loaddata(db, text, strlen(text), "t.json");
    CHECK(got == st);
    CHECK_MSG(db, msg);
    after = fingerprint(db);
    CHECK(strcmp(before, after) == 0);
    verify(db);
    free(before);
    free(after);
}

static void test_fixtures(void)
{
    gen_store *db = gen_store_new(), *copy = gen_store_new();
    Bookmark *b = Bookmark_new(db);
    Note *n = Note_new(db);
    TaggedItem *t = TaggedItem_new(db, b);
    Vote *v = Vote_new(db), *v2 = Vote_new(db);
    char *text, *again;
    const char *expected =
        "[{\"model\": \"gen.taggeditem\", \"pk\": 1, \"fields\": {\"tag\": \"x\", \"content_type\": [\"gen\", "
        "\"bookmark\"], \"object_id\": 1}}, {\"model\": \"gen.taggeditem\", \"pk\": 2, \"fields\": {\"tag\": \"\", "
        "\"content_type\": [\"gen\", \"note\"], \"object_id\": 1}}, {\"model\": \"gen.bookmark\", \"pk\": 1, "
        "\"fields\": {\"url\": \"\"}}, {\"model\": \"gen.note\", \"pk\": 1, \"fields\": {\"text\": \"\"}}, "
        "{\"model\": \"gen.vote\", \"pk\": 1, \"fields\": {\"score\": 0, \"target_ct\": [\"gen\", \"vote\"], "
        "\"target_id\": 2}}, {\"model\": \"gen.vote\", \"pk\": 2, \"fields\": {\"score\": 0, \"target_ct\": null, "
        "\"target_id\": null}}]";

    CHECK(TaggedItem_set_tag(t, "x") == REL_OK && TaggedItem_new(db, n) && Vote_set_target_Vote(v, v2) == REL_OK);
    text = dump(db, 0);
    CHECK(strcmp(text, expected) == 0 || (fprintf(stderr, "  dump: %s\n", text), 0));
    /* loaded into an empty store, it dumps the same; with indent too */
    CHECK(gen_store_loaddata(copy, text, strlen(text), "t.json") == REL_OK);
    verify(copy);
    again = dump(copy, 0);
    CHECK(strcmp(text, again) == 0);
    free(again);
    free(text);
    text = dump(db, 2);
    CHECK(strstr(text, "\"content_type\": [\n      \"gen\",\n      \"bookmark\"\n    ],") != NULL
          || (fprintf(stderr, "%s\n", text), 0));
    CHECK(gen_store_loaddata(copy, text, strlen(text), "t.json") == REL_OK);
    verify(copy);
    free(text);
    /* an update moves a tagged item; a pair of nulls clears a vote */
    {
        const char *update = "[{\"model\": \"gen.taggeditem\", \"pk\": 1, \"fields\": {\"object_id\": 1, "
                             "\"content_type\": [\"gen\", \"Note\"]}}, {\"model\": \"gen.vote\", \"pk\": 1, "
                             "\"fields\": {\"target_ct\": null, \"target_id\": null}}]";
        CHECK(gen_store_loaddata(copy, update, strlen(update), "t.json") == REL_OK
              || (fprintf(stderr, "  %s\n", gen_store_errmsg(copy)), 0));
    }
    CHECK(TaggedItem_content_object_Note(TaggedItem_get(copy, 1)) == Note_get(copy, 1));
    CHECK(Vote_target_model(Vote_get(copy, 1)) == -1);
    verify(copy);

    /* refused, all or nothing */
    load_fails(copy, "[{\"model\": \"gen.taggeditem\", \"pk\": 9, \"fields\": {\"content_type\": 3, \"object_id\": 1}}]",
               REL_EINVAL, "t.json:1:65: gen.taggeditem 9: content_type: a content type's pk has no meaning in relc; "
               "write its natural key, [\"gen\", \"model\"]");
    load_fails(copy, "[{\"model\": \"gen.taggeditem\", \"pk\": 9, \"fields\": {\"content_type\": [\"gen\", \"author\"], "
               "\"object_id\": 1}}]", REL_EINVAL,
               "t.json:1:65: gen.taggeditem 9: content_type: no content type [\"gen\", \"author\"] in this schema");
    load_fails(copy, "[{\"model\": \"gen.taggeditem\", \"pk\": 9, \"fields\": {\"content_type\": [\"gen\", \"vote\"], "
               "\"object_id\": 1}}]", REL_EINVAL,
               "t.json:1:65: gen.taggeditem 9: content_type: TaggedItem.content_object cannot point at Vote (not one "
               "of the models it lists)");
    load_fails(copy, "[{\"model\": \"gen.taggeditem\", \"pk\": 9, \"fields\": {\"content_type\": [\"gen\", \"note\"], "
               "\"object_id\": 7}}]", REL_EINVAL, "t.json:1:96: gen.taggeditem 9: object_id: gen.note 7 does not exist");
    load_fails(copy, "[{\"model\": \"gen.vote\", \"pk\": 9, \"fields\": {\"target_ct\": [\"gen\", \"note\"], "
               "\"target_id\": null}}]", REL_EINVAL,
               "t.json:1:2: gen.vote 9: target_ct and target_id must both be null or both be set (target)");
    load_fails(copy, "[{\"model\": \"gen.taggeditem\", \"pk\": 9, \"fields\": {\"tag\": \"a\"}}]", REL_ENULL,
               "t.json:1:2: gen.taggeditem 9: content_type, object_id: missing, but content_object is required "
               "(not null = true)");
    load_fails(copy, "[{\"model\": \"gen.taggeditem\", \"pk\": 9, \"fields\": {\"content_object\": 1}}]", REL_EINVAL,
               "t.json:1:50: gen.taggeditem 9: unknown field 'content_object'");
    load_fails(copy, "[{\"model\": \"gen.taggeditem\", \"pk\": 9, \"fields\": {\"object_id\": 1, \"object_id\": 1}}]",
               REL_EINVAL, "t.json:1:78: gen.taggeditem 9: object_id: the field appears twice");
    gen_store_free(db);
    gen_store_free(copy);
}

/* Each call below, with every allocation it makes failing in turn:
 * refused with REL_ENOMEM (or NULL) and nothing changed, until it
 * succeeds; nothing leaks. */
static void test_oom(void)
{
    static const char fixture[] =
        "[{\"model\": \"gen.taggeditem\", \"pk\": 1, \"fields\": {\"content_type\": [\"gen\", \"note\"], "
        "\"object_id\": 1}}, {\"model\": \"gen.taggeditem\", \"pk\": 5, \"fields\": {\"content_type\": [\"gen\", "
        "\"bookmark\"], \"object_id\": 1}}, {\"model\": \"gen.note\", \"pk\": 3, \"fields\": {}}]";
    rel_allocator a;
    int step;
    a.malloc_fn = t_malloc;
    a.realloc_fn = t_realloc;
    a.free_fn = t_free;
    a.ud = NULL;
    rel_set_allocator(&a);
    for (step = 0; step < 8; step++) {
        long k;
        for (k = 1; k < 100; k++) {
            gen_store *db;
            Bookmark *b;
            Note *n;
            TaggedItem *t;
            Vote *v;
            char *before;
            bool ok = false;
            fail_at = 0;
            db = gen_store_new();
            b = Bookmark_new(db);
            n = Note_new(db);
            t = TaggedItem_new(db, b);
            v = Vote_new(db);
            CHECK(db && b && n && t && v);
            before = fingerprint(db);
            allocs = 0;
            fail_at = k;
            switch (step) {
            case 0: ok = TaggedItem_new(db, n) != NULL; break;
            case 1: ok = TaggedItem_set_content_object_Note(t, n) == REL_OK; break;
            case 2: ok = Vote_set_target(v, b) == REL_OK; break;
            case 3: ok = Bookmark_tags_create(b) != NULL; break;
            case 4: ok = Bookmark_tags_clear(b) == REL_OK; break;
            case 5: ok = Bookmark_delete(b) == REL_OK; break;
            case 6: ok = gen_store_loaddata(db, fixture, strlen(fixture), "t.json") == REL_OK; break;
            case 7: ok = Vote_set_target(v, v) == REL_OK && Vote_delete(v) == REL_OK; break;
            }
            fail_at = 0;
            if (!ok) {
                char *after = fingerprint(db);
                CHECK(strcmp(before, after) == 0);
                CHECK(strstr(gen_store_errmsg(db), "out of memory") != NULL || (fprintf(stderr, "  step %d: %s\n", step, gen_store_errmsg(db)), 0));
                free(after);
            }
            if (gen_store_verify(db))
                fprintf(stderr, "  step %d, allocation %ld: %s\n", step, k, gen_store_errmsg(db));
            verify(db);
            free(before);
            gen_store_free(db);
            CHECK(live == 0);
            if (ok)
                break;
        }
        CHECK(k < 100);
    }
    rel_set_allocator(NULL);
}

int main(void)
{
    test_get_set();
    test_reverse();
    test_delete();
    test_deleted_read_unset();
    test_fixtures();
    test_oom();
    printf("test_generic: %d checks, %d failed\n", nchecks, nfailures);
    return nfailures != 0;
}
