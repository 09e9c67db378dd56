/* test_fixture.c: dumpdata and loaddata against what Django does.
 *
 *   test_fixture                 every test below; exit status 0 when all pass
 *   test_fixture --dump CASE     runs a round-trip case's operations and
 *                                prints relc's dump (tests/fixtures/gen_cases.py
 *                                feeds it to Django's loaddata)
 *
 * 1. The cases of tests/fixtures/cases/, recorded from real Django by
 *    tests/fixtures/gen_cases.py (Django is not needed here):
 *    - round trips: after the same operations, relc's dump is Django's
 *      dumpdata text byte for byte (compact and --indent 2); Django's
 *      loaddata of relc's dump gives Django's own state; relc's loaddata
 *      of Django's dump gives the same state again;
 *    - loads: a fixture loaded into a store made by operations.  Where
 *      Django refuses, relc refuses and the store is exactly as it was
 *      (its whole fingerprint); where Django loads, relc loads to the same
 *      state, unless the case names a documented difference (relc is
 *      stricter), where relc must refuse.
 * 2. Messages: the exact errmsg of malformed fixtures, line and column.
 * 3. Out of memory: every allocation of a load (of a fixture with every
 *    relation kind, into an empty and into a full store) and of a dump
 *    failed in turn: ENOMEM, the store unchanged, verify passing, nothing
 *    leaked.
 * 4. relc's own promises: ids continue after loaded pks, Python's float
 *    repr, a failed load that had re-created deleted ids, large inputs,
 *    hostile nesting.
 */
#include "fx.h"
#include "fingerprint.h"
#include "rel_json.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const rel_schema rel_desc_lib, rel_desc_social, rel_desc_cycle, rel_desc_club, rel_desc_uniq;

static int failures, checks;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        checks++;                                                                \
        if (!(cond)) {                                                           \
            failures++;                                                          \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                          \
            printf(__VA_ARGS__);                                                 \
            printf("\n");                                                        \
        }                                                                        \
    } while (0)

/* ==== a JSON value, for the case files (trusted input) =============================== */

typedef struct jv {
    char type;              /* o(bject) a(rray) s(tring) n(umber) t f z(null) */
    char *s;                /* string, or a number's text */
    size_t len;
    struct jv *items;       /* object values or array items */
    char **keys;
    size_t n;
} jv;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

static int parse_jv(rel_json *j, rel_json_buf *b, jv *out, int depth)
{
    int c = rel_json_peek(j);
    memset(out, 0, sizeof *out);
    if (depth > 64)
        return -1;
    if (c == '{' || c == '[') {
        size_t cap = 0;
        out->type = c == '{' ? 'o' : 'a';
        j->p++;
        if (rel_json_peek(j) == (c == '{' ? '}' : ']')) {
            j->p++;
            return 0;
        }
        for (;;) {
            if (out->n == cap) {
                cap = cap ? 2 * cap : 8;
                out->items = (jv *)realloc(out->items, cap * sizeof *out->items);
                out->keys = (char **)realloc(out->keys, cap * sizeof *out->keys);
                if (!out->items || !out->keys)
                    abort();
            }
            out->keys[out->n] = NULL;
            if (c == '{') {
                rel_json_str k;
                rel_json_peek(j);
                if (rel_json_string(j, b, &k) || rel_json_expect(j, ':', "':'"))
                    return -1;
                out->keys[out->n] = (char *)xmalloc(k.len + 1);
                memcpy(out->keys[out->n], k.s, k.len);
                out->keys[out->n][k.len] = '\0';
            }
            if (parse_jv(j, b, &out->items[out->n++], depth + 1))
                return -1;
            c = rel_json_peek(j);
            if (c == ',') {
                j->p++;
                c = out->type == 'o' ? '{' : '[';
                continue;
            }
            if (c == (out->type == 'o' ? '}' : ']')) {
                j->p++;
                return 0;
            }
            return -1;
        }
    }
    if (c == '"') {
        rel_json_str s;
        if (rel_json_string(j, b, &s))
            return -1;
        out->type = 's';
        out->s = (char *)xmalloc(s.len + 1);
        memcpy(out->s, s.s, s.len);
        out->s[s.len] = '\0';
        out->len = s.len;
        return 0;
    }
    if (c == 't' || c == 'f' || c == 'n') {
        int which;
        if (rel_json_literal(j, &which))
            return -1;
        out->type = which == REL_JSON_TRUE ? 't' : which == REL_JSON_FALSE ? 'f' : 'z';
        return 0;
    }
    {
        rel_json_num num;
        if (rel_json_number(j, &num))
            return -1;
        out->type = 'n';
        out->s = (char *)xmalloc(num.len + 1);
        memcpy(out->s, num.s, num.len);
        out->s[num.len] = '\0';
        out->len = num.len;
        return 0;
    }
}

static void free_jv(jv *v)
{
    size_t i;
    for (i = 0; i < v->n; i++) {
        free_jv(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->s);
}

static const jv *get(const jv *o, const char *key)
{
    size_t i;
    if (!o || o->type != 'o')
        return NULL;
    for (i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return &o->items[i];
    return NULL;
}

static const char *str(const jv *o, const char *key)
{
    const jv *v = get(o, key);
    return v && v->type == 's' ? v->s : NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static bool load_jv(const char *path, jv *out)
{
    size_t len;
    char *text = read_file(path, &len);
    rel_json j;
    rel_json_buf b = { NULL, 0, 0 };
    int rc;
    if (!text)
        return false;
    rel_json_init(&j, text, len);
    rc = parse_jv(&j, &b, out, 0);
    rel_json_buf_free(&b);
    free(text);
    return rc == 0;
}

/* ==== the oracle's operations, run through the runtime's generic calls ================== */

static const rel_schema *schema_named(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "lib") == 0)
        return &rel_desc_lib;
    if (strcmp(name, "social") == 0)
        return &rel_desc_social;
    if (strcmp(name, "club") == 0)
        return &rel_desc_club;
    if (strcmp(name, "cycle") == 0)
        return &rel_desc_cycle;
    if (strcmp(name, "fx") == 0)
        return &rel_desc_fx;
    if (strcmp(name, "uniq") == 0)
        return &rel_desc_uniq;
    return NULL;
}

static uint32_t model_named(const rel_schema *s, const char *name)
{
    uint32_t k;
    for (k = 0; name && k < s->nmodels; k++)
        if (strcmp(s->models[k].name, name) == 0)
            return k;
    return UINT32_MAX;
}

static void *target(rel_store *db, uint32_t k, const jv *v)
{
    return v && v->type == 'n' ? rel_obj_find(db, k, (uint64_t)strtoull(v->s, NULL, 10)) : NULL;
}

/* Which constructor argument of model m scalar field i is (a unique
 * value), or UINT32_MAX. */
static uint32_t unique_arg(const rel_model *m, uint32_t i)
{
    uint32_t a;
    for (a = 0; a < m->nrequired; a++)
        if (m->required[a] == (REL_ARG_FIELD | i))
            return a;
    return UINT32_MAX;
}

/* model k's field or relation `name` := v. */
static rel_status set_value(rel_store *db, uint32_t k, void *o, const char *name, const jv *v)
{
    const rel_schema *s = db->schema;
    const rel_model *m = &s->models[k];
    uint32_t i;
    for (i = 0; i < m->nfields; i++) {
        const rel_field *f = &m->fields[i];
        char *p = (char *)o + f->offset;
        if (strcmp(f->name, name) != 0)
            continue;
        if (unique_arg(m, i) != UINT32_MAX) {   /* kept by the unique indexes */
            union { bool b; int32_t i; double d; const char *s; } val;
            if (f->type == REL_STRING)
                val.s = v->s;
            else if (f->type == REL_BOOL)
                val.b = v->type == 't';
            else if (f->type == REL_INT32)
                val.i = (int32_t)strtol(v->s, NULL, 10);
            else
                val.d = strtod(v->s, NULL);
            return rel_set_unique(o, k, i, &val);
        }
        switch (f->type) {
        case REL_BOOL: *(bool *)(void *)p = v->type == 't'; return REL_OK;
        case REL_INT32: *(int32_t *)(void *)p = (int32_t)strtol(v->s, NULL, 10); return REL_OK;
        case REL_DOUBLE: *(double *)(void *)p = strtod(v->s, NULL); return REL_OK;
        case REL_STRING: return rel_set_string(o, k, i, v->s);
        default: return REL_EINVAL;
        }
    }
    for (i = 0; i < m->nrelations; i++) {
        uint32_t ri = m->relations[i];
        const rel_relation *r = &s->relations[ri];
        void *t;
        if (strcmp(r->name, name) != 0)
            continue;
        t = target(db, r->target, v);
        if (r->type == REL_FOREIGN_KEY && r->serves != REL_NONE)
            return rel_through_fk_set(o, t, ri, "set");
        if (r->type == REL_FOREIGN_KEY)
            return rel_fk_set(o, t, ri, r->fwd, r->pos, r->rev, r->null);
        if (r->type == REL_ONE_TO_ONE)
            return rel_o2o_set(o, t, ri, r->fwd, r->rev, r->null);
    }
    return REL_EINVAL;
}

static rel_status run_op(rel_store *db, const jv *op)
{
    const rel_schema *s = db->schema;
    const char *kind = str(op, "op");
    uint32_t k = model_named(s, str(op, "model")), i;
    const jv *idv = get(op, "id");
    uint64_t id = idv ? strtoull(idv->s, NULL, 10) : 0;
    void *o;
    rel_status st = REL_OK;

    if (k == UINT32_MAX || !kind)
        return REL_EINVAL;
    if (strcmp(kind, "create") == 0) {
        const rel_model *m = &s->models[k];
        const jv *values = get(op, "values");
        void *req[3] = { NULL, NULL, NULL };
        /* A unique scalar's argument: a pointer to its value (the default
         * when the operation leaves it out). */
        union { bool b; int32_t i; double d; const char *s; } arg[3];
        if (m->nrequired > 3)
            return REL_EINVAL;
        for (i = 0; i < m->nrequired; i++) {
            const rel_relation *r;
            if (m->required[i] & REL_ARG_FIELD) {
                const rel_field *f = &m->fields[m->required[i] & ~REL_ARG_FIELD];
                const jv *v = get(values, f->name);
                if (f->type == REL_STRING)
                    arg[i].s = v ? v->s : f->def ? (const char *)f->def : "";
                else if (f->type == REL_BOOL)
                    arg[i].b = v ? v->type == 't' : f->def && *(const bool *)f->def;
                else if (f->type == REL_INT32)
                    arg[i].i = v ? (int32_t)strtol(v->s, NULL, 10) : f->def ? *(const int32_t *)f->def : 0;
                else
                    arg[i].d = v ? strtod(v->s, NULL) : f->def ? *(const double *)f->def : 0.0;
                req[i] = &arg[i];
                continue;
            }
            r = &s->relations[m->required[i]];
            req[i] = target(db, r->target, get(values, r->name));
        }
        o = rel_new(db, k, REL_NONE, NULL, false, "create", req[0], req[1], req[2]);
        if (!o)
            return REL_EINVAL;
        if (rel_obj_id(o) != id)
            return REL_ECORRUPT;
        for (i = 0; values && i < values->n && !st; i++) {
            uint32_t x;
            bool required = false;
            for (x = 0; x < m->nrequired; x++)
                required |= strcmp(m->required[x] & REL_ARG_FIELD ? m->fields[m->required[x] & ~REL_ARG_FIELD].name
                                   : s->relations[m->required[x]].name, values->keys[i]) == 0;
            if (!required)
                st = set_value(db, k, o, values->keys[i], &values->items[i]);
        }
        return st;
    }
    if (!(o = rel_obj_find(db, k, id)))
        return REL_EINVAL;
    if (strcmp(kind, "set") == 0)
        return set_value(db, k, o, str(op, "field"), get(op, "value"));
    if (strcmp(kind, "delete") == 0)
        return rel_delete_many(k, &o, 1, "delete");
    if (strncmp(kind, "m2m_", 4) == 0) {
        /* A forward many-to-many field of the model, or a reverse accessor on it. */
        const char *field = str(op, "field");
        const jv *ids = get(op, "ids");
        uint32_t ri;
        bool self_is_m = false;
        const rel_relation *r = NULL;
        for (ri = 0; ri < s->nrelations && !r; ri++) {
            const rel_relation *x = &s->relations[ri];
            if (x->type != REL_MANY_TO_MANY)
                continue;
            if (x->model == k && strcmp(x->name, field) == 0)
                r = x, self_is_m = true;
            else if (x->target == k && x->accessor && strcmp(x->accessor, field) == 0)
                r = x, self_is_m = false;
        }
        if (!r)
            return REL_EINVAL;
        ri = (uint32_t)(r - s->relations);
        if (r->through != REL_NONE && (strcmp(kind, "m2m_clear") == 0 || strcmp(kind, "m2m_set") == 0))
            st = rel_through_clear(s, ri, o, self_is_m, "clear");
        else if (strcmp(kind, "m2m_clear") == 0 || strcmp(kind, "m2m_set") == 0)
            st = rel_m2m_clear(ri, o, self_is_m);
        for (i = 0; ids && i < ids->n && !st && strcmp(kind, "m2m_clear") != 0; i++) {
            void *x = target(db, self_is_m ? r->target : r->model, &ids->items[i]);
            void *m = self_is_m ? o : x, *t = self_is_m ? x : o;
            size_t ts = r->symmetrical ? r->fwd : r->rev;
            if (r->through != REL_NONE && strcmp(kind, "m2m_remove") == 0)
                st = rel_through_remove(ri, m, t, self_is_m, "remove");
            else if (r->through != REL_NONE)
                st = rel_through_add(ri, m, t, self_is_m, "add");
            else if (strcmp(kind, "m2m_remove") == 0)
                st = rel_m2m_remove(ri, m, r->fwd, t, ts, r->symmetrical, self_is_m, "remove");
            else
                st = rel_m2m_add(ri, m, r->fwd, t, ts, r->symmetrical, self_is_m, "add");
        }
        return st;
    }
    return REL_EINVAL;
}

static rel_store *store_after(const jv *c, rel_status *st)
{
    const rel_schema *s = schema_named(str(c, "schema"));
    const jv *ops = get(c, "ops");
    rel_store *db = s ? rel_store_new(s) : NULL;
    size_t i;
    *st = db ? REL_OK : REL_EINVAL;
    for (i = 0; db && ops && i < ops->n && !*st; i++)
        *st = run_op(db, &ops->items[i]);
    return db;
}

/* ==== dumps in memory ===================================================================== */

static char *dump_text(const rel_store *db, int indent, rel_status *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rel_status s = rel_dumpdata(db, f, indent);
    fclose(f);
    if (st)
        *st = s;
    return buf;
}

/* ==== 1. the cases recorded from Django ===================================================== */

static int n_round_trips, n_loads, n_refused, n_stricter;

static void round_trip_case(const char *path, const jv *c)
{
    const char *name = str(c, "name"), *django = str(c, "django"), *django_indent = str(c, "django_indent");
    const char *relc = str(c, "relc");
    const jv *back = get(c, "django_loads_relc");
    rel_status st;
    rel_store *db = store_after(c, &st), *copy;
    char *d0, *d2, *again;

    CHECK(st == REL_OK, "%s: the operations fail in relc (%d): %s", name, st, db ? db->errmsg.text : "");
    if (st != REL_OK || !django || !django_indent || !relc || !back) {
        CHECK(0, "%s: incomplete case %s", name, path);
        rel_store_free(db);
        return;
    }
    d0 = dump_text(db, 0, NULL);
    d2 = dump_text(db, 2, NULL);
    CHECK(strcmp(d0, django) == 0, "%s: relc's dump is not Django's\n  relc:   %s\n  Django: %s", name, d0, django);
    CHECK(strcmp(d2, django_indent) == 0, "%s: relc's dump with indent 2 is not Django's --indent 2", name);
    CHECK(strcmp(d0, relc) == 0, "%s: relc now writes other than the dump Django loaded (run gen_cases.py)", name);
    CHECK(get(back, "ok") && get(back, "ok")->type == 't' && str(back, "dump")
              && strcmp(str(back, "dump"), django) == 0,
          "%s: Django's loaddata of relc's dump does not give Django's state", name);
    /* relc's load of Django's dump, compact and indented. */
    copy = rel_store_new(db->schema);
    st = rel_loaddata(copy, django, strlen(django), "django.json");
    CHECK(st == REL_OK, "%s: relc refuses Django's dump: %s", name, copy->errmsg.text);
    CHECK(rel_store_verify(copy) == REL_OK, "%s: verify after loading Django's dump: %s", name, copy->errmsg.text);
    again = dump_text(copy, 0, NULL);
    CHECK(strcmp(again, django) == 0, "%s: relc's load of Django's dump dumps other than it", name);
    free(again);
    rel_store_free(copy);
    copy = rel_store_new(db->schema);
    st = rel_loaddata(copy, django_indent, strlen(django_indent), "django-indent.json");
    again = dump_text(copy, 0, NULL);
    CHECK(st == REL_OK && strcmp(again, django) == 0, "%s: relc's load of Django's --indent 2 dump", name);
    free(again);
    rel_store_free(copy);
    /* Loading its own dump again updates every object to what it was. */
    st = rel_loaddata(db, d0, strlen(d0), "self.json");
    again = dump_text(db, 0, NULL);
    CHECK(st == REL_OK && strcmp(again, d0) == 0 && rel_store_verify(db) == REL_OK,
          "%s: loading a store's dump into itself changes it: %s", name, db->errmsg.text);
    free(again);
    free(d0);
    free(d2);
    rel_store_free(db);
    n_round_trips++;
}

static void load_case(const char *path, const jv *c)
{
    const char *name = str(c, "name"), *stricter = str(c, "relc_refuses");
    const jv *dj = get(c, "django");
    bool django_ok = get(dj, "ok") && get(dj, "ok")->type == 't';
    const char *django_dump = str(dj, "dump");
    char fixture_path[1024], source[300], *text, *before, *after, *d;
    size_t len = 0;
    rel_status st;
    rel_store *db = store_after(c, &st);

    CHECK(st == REL_OK, "%s: the operations fail in relc (%d)", name, st);
    snprintf(fixture_path, sizeof fixture_path, "%.*s.fixture", (int)(strlen(path) - 5), path);
    text = read_file(fixture_path, &len);
    CHECK(text && django_dump, "%s: cannot read %s", name, fixture_path);
    if (st != REL_OK || !text || !django_dump) {
        free(text);
        rel_store_free(db);
        return;
    }
    snprintf(source, sizeof source, "%s.json", name);
    before = fingerprint_store(db);
    st = rel_loaddata(db, text, len, source);
    CHECK(rel_store_verify(db) == REL_OK, "%s: verify after loaddata: %s", name, db->errmsg.text);
    if (django_ok && !stricter) {
        CHECK(st == REL_OK, "%s: Django loads it, relc refuses: %s", name, db->errmsg.text);
        d = dump_text(db, 0, NULL);
        CHECK(st != REL_OK || strcmp(d, django_dump) == 0, "%s: relc's state differs from Django's\n  relc:   %s\n  Django: %s",
              name, d, django_dump);
        free(d);
    } else {
        CHECK(st != REL_OK, "%s: %s, but relc loads it", name, django_ok ? "a documented difference" : "Django refuses it");
        after = fingerprint_store(db);
        CHECK(strcmp(before, after) == 0, "%s: relc refused it (%s) but the store changed", name, db->errmsg.text);
        CHECK(strncmp(db->errmsg.text, source, strlen(source)) == 0 && db->errmsg.text[strlen(source)] == ':',
              "%s: the message does not start with the source name: %s", name, db->errmsg.text);
        free(after);
        n_refused += !django_ok;
        n_stricter += django_ok;
        if (getenv("FIXTURE_VERBOSE"))
            printf("  %-32s %s\n", name, db->errmsg.text);
    }
    free(before);
    free(text);
    rel_store_free(db);
    n_loads++;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void recorded_cases(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *names[1000];
    size_t n = 0, i;
    CHECK(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    while ((e = readdir(d)) && n < 1000) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names[n] = (char *)xmalloc(strlen(dir) + len + 2);
            sprintf(names[n++], "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (i = 0; i < n; i++) {
        jv c;
        const char *kind;
        CHECK(load_jv(names[i], &c), "cannot read %s", names[i]);
        kind = str(&c, "kind");
        if (kind && strcmp(kind, "ops") == 0)
            round_trip_case(names[i], &c);
        else if (kind && strcmp(kind, "load") == 0)
            load_case(names[i], &c);
        else
            CHECK(0, "%s: no kind", names[i]);
        free_jv(&c);
        free(names[i]);
    }
    CHECK(n_round_trips >= 9 && n_loads >= 80, "too few cases: %d round trips, %d loads", n_round_trips, n_loads);
}

/* ==== 2. messages ===================================================================== */

/* What the fuzzer's store holds (fx.rel): objects of every model. */
static const char base[] =
    "[{\"model\": \"fx.author\", \"pk\": 1, \"fields\": {\"name\": \"Ann\", \"born\": 1950}},\n"
    " {\"model\": \"fx.author\", \"pk\": 3, \"fields\": {\"name\": \"Bo\", \"flag\": true}},\n"
    " {\"model\": \"fx.book\", \"pk\": 1, \"fields\": {\"title\": \"One\", \"author\": 1, \"editor\": 3, \"tags\": [1, 2]}},\n"
    " {\"model\": \"fx.book\", \"pk\": 2, \"fields\": {\"title\": \"Two\", \"author\": 1, \"tags\": [2]}},\n"
    " {\"model\": \"fx.tag\", \"pk\": 1, \"fields\": {\"name\": \"a\"}},\n"
    " {\"model\": \"fx.tag\", \"pk\": 2, \"fields\": {\"name\": \"b\"}},\n"
    " {\"model\": \"fx.user\", \"pk\": 1, \"fields\": {\"name\": \"u\"}},\n"
    " {\"model\": \"fx.user\", \"pk\": 2, \"fields\": {\"name\": \"v\"}},\n"
    " {\"model\": \"fx.profile\", \"pk\": 1, \"fields\": {\"user\": 1, \"bio\": \"x\"}},\n"
    " {\"model\": \"fx.badge\", \"pk\": 1, \"fields\": {\"holder\": 2}},\n"
    " {\"model\": \"fx.person\", \"pk\": 1, \"fields\": {\"friends\": [2, 1], \"boss\": null, \"follows\": [2], \"partner\": 2}},\n"
    " {\"model\": \"fx.person\", \"pk\": 2, \"fields\": {\"friends\": [1], \"boss\": 1, \"follows\": [], \"partner\": null}},\n"
    " {\"model\": \"fx.egg\", \"pk\": 1, \"fields\": {\"hen\": 1}},\n"
    " {\"model\": \"fx.hen\", \"pk\": 1, \"fields\": {\"first\": 1}}]";

static rel_store *base_store(void)
{
    rel_store *db = rel_store_new(&rel_desc_fx);
    rel_status st = rel_loaddata(db, base, sizeof base - 1, "base.json");
    CHECK(st == REL_OK, "the base fixture: %s", db->errmsg.text);
    return db;
}

static const struct message_case {
    const char *text;
    rel_status status;
    const char *message;
} messages[] = {
    { "", REL_EINVAL, "m.json:1:1: a fixture is a JSON list of objects: expected '[', found the end of the text" },
    { "{}", REL_EINVAL, "m.json:1:1: a fixture is a JSON list of objects: expected '[', found an object" },
    { "[1]", REL_EINVAL, "m.json:1:2: expected an object ({\"model\": ..., \"pk\": ..., \"fields\": ...}), found a number" },
    { "[{\"model\": \"fx.tag\", \"pk\": 1, \"fields\": {}},]", REL_EINVAL,
      "m.json:1:45: expected an object ({\"model\": ..., \"pk\": ..., \"fields\": ...}), found ']'" },
    { "[]\n  x", REL_EINVAL, "m.json:2:3: text after the end of the fixture's list" },
    { "\xef\xbb\xbf[]", REL_EINVAL, "m.json:1:1: a fixture is a JSON list of objects: expected '[', found a byte order mark (JSON has none)" },
    { "[{\"model\": \"fx.book\", \"pk\": 1,\n  \"fields\": {\"title\": \"x\", \"author\": 1, \"tags\": [1, 7]}}]",
      REL_EINVAL, "m.json:2:53: fx.book 1: tags: fx.tag 7 does not exist" },
    { "[{\"model\": \"fx.bok\", \"pk\": 1, \"fields\": {}}]", REL_EINVAL, "m.json:1:12: unknown model 'fx.bok'" },
    { "[{\"model\": \"fx.tag\", \"pk\": 1, \"fields\": {\"nam\": \"x\"}}]", REL_EINVAL,
      "m.json:1:42: fx.tag 1: unknown field 'nam'" },
    { "[{\"model\": \"fx.tag\", \"pk\": 1, \"fields\": {\"name\": \"x\", \"name\": \"y\"}}]", REL_EINVAL,
      "m.json:1:55: fx.tag 1: name: the field appears twice" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"born\": \"12\"}}]", REL_EINVAL,
      "m.json:1:53: fx.author 5: born: expected a number, found a string" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"born\": 1.5}}]", REL_EINVAL,
      "m.json:1:53: fx.author 5: born: expected an integer, found 1.5" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"i8\": -129}}]", REL_EINVAL,
      "m.json:1:51: fx.author 5: i8: -129 is out of range for int8" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"u64\": 18446744073709551616}}]", REL_EINVAL,
      "m.json:1:52: fx.author 5: u64: 18446744073709551616 is out of range for uint64" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"u8\": -1}}]", REL_EINVAL,
      "m.json:1:51: fx.author 5: u8: -1 is out of range for uint8" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"ratio\": 3.5e38}}]", REL_EINVAL,
      "m.json:1:54: fx.author 5: ratio: 3.5e38 is out of range for float" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"score\": -1e999}}]", REL_EINVAL,
      "m.json:1:54: fx.author 5: score: -1e999 is out of range for double" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"score\": NaN}}]", REL_EINVAL,
      "m.json:1:54: fx.author 5: score: NaN is not loaded (Django refuses it too)" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"flag\": 1}}]", REL_EINVAL,
      "m.json:1:53: fx.author 5: flag: expected true or false, found a number" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}}]",
      REL_ETOOLONG, "m.json:1:53: fx.author 5: name: 13 characters, longer than its max_length 12" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"name\": \"a\xc3\"}}]", REL_EINVAL,
      "m.json:1:55: fx.author 5: name: invalid UTF-8" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"name\": \"\\udc00\"}}]", REL_EINVAL,
      "m.json:1:54: fx.author 5: name: lone surrogate in a \\u escape (not a character)" },
    { "[{\"model\": \"fx.author\", \"pk\": 5, \"fields\": {\"name\": \"a\\u0000\"}}]", REL_EINVAL,
      "m.json:1:53: fx.author 5: name: the string contains U+0000, which a C string cannot hold" },
    { "[{\"model\": \"fx.book\", \"pk\": 5, \"fields\": {\"title\": \"x\"}}]", REL_ENULL,
      "m.json:1:2: fx.book 5: author: missing, but it is required (not null = true)" },
    { "[{\"model\": \"fx.book\", \"pk\": 5, \"fields\": {\"author\": null}}]", REL_ENULL,
      "m.json:1:53: fx.book 5: author: null, but it is required (not null = true)" },
    { "[{\"model\": \"fx.profile\", \"pk\": 2, \"fields\": {\"user\": 1}}]", REL_EUNIQUE,
      "m.json:1:54: fx.profile 2: user: fx.user 1 already has one (fx.profile 1), and user is one-to-one" },
    { "[{\"model\": \"fx.tag\", \"pk\": 2147483648, \"fields\": {}}]", REL_EINVAL,
      "m.json:1:28: fx.tag: pk 2147483648 is out of range: relc's ids go from 1 to 2147483647" },
    { "[{\"model\": \"fx.tag\", \"pk\": 100000000, \"fields\": {}}]", REL_EINVAL,
      "m.json:1:2: fx.tag 100000000: the fixture's pks leave 99999997 ids unused (relc keeps 8 bytes per id up to "
      "the highest; a load may leave at most 67108864)" },
    { "[{\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {}, \"extra\": 1}]", REL_EINVAL,
      "m.json:1:45: fx.tag 3: unknown key 'extra' (an object of a fixture has \"model\", \"pk\" and \"fields\")" },
    { "[{\"model\": \"fx.tag\", \"pk\": 3}]", REL_EINVAL, "m.json:1:2: fx.tag 3: an object without \"fields\"" },
    { "[{\"pk\": 3, \"fields\": {}}]", REL_EINVAL, "m.json:1:2: an object without \"model\"" },
    { "[{\"fields\": {\"tags\": [[1]]}, \"model\": \"fx.book\", \"pk\": 4}]", REL_EINVAL,
      "m.json:1:23: nested too deeply for a fixture" },
    { "[{\"model\": \"fx.person\", \"pk\": 3, \"fields\": {\"follows\": [1, \"2\"]}}]", REL_EINVAL,
      "m.json:1:60: fx.person 3: follows: expected a pk (an integer), found a string" },
    { "[{\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {\"name\": \"a\tb\"}}]", REL_EINVAL,
      "m.json:1:52: fx.tag 3: name: control character in a string (JSON writes it as an escape)" },
    { "[{\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {\"name\": \"ab}}]", REL_EINVAL,
      "m.json:1:50: fx.tag 3: name: unterminated string" },
    { "[{\"model\": \"fx.tag\", \"pk\": 01, \"fields\": {}}]", REL_EINVAL,
      "m.json:1:28: fx.tag: a number with a leading zero" },
};

static void message_tests(void)
{
    size_t i;
    for (i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        const struct message_case *m = &messages[i];
        rel_store *db = base_store();
        char *before = fingerprint_store(db), *after;
        rel_status st = rel_loaddata(db, m->text, strlen(m->text), "m.json");
        after = fingerprint_store(db);
        CHECK(st == m->status, "message %lu: status %d, not %d (%s)", (unsigned long)i, st, m->status, db->errmsg.text);
        CHECK(strcmp(db->errmsg.text, m->message) == 0, "message %lu:\n  got:      %s\n  expected: %s",
              (unsigned long)i, db->errmsg.text, m->message);
        CHECK(strcmp(before, after) == 0, "message %lu: the store changed", (unsigned long)i);
        CHECK(rel_store_verify(db) == REL_OK, "message %lu: verify: %s", (unsigned long)i, db->errmsg.text);
        free(before);
        free(after);
        rel_store_free(db);
    }
}

/* ==== 3. out of memory ===================================================================== */

#include "failing_alloc.h"

/* Everything a load can do to a full store: new objects of every model
 * (self references, a required cycle, objects without pk, a pk twice),
 * updates that move one-to-one targets and replace and keep sets,
 * symmetrical sets decided in both orders, strings to copy. */
static const char full_load[] =
    "[{\"model\": \"fx.person\", \"pk\": 5, \"fields\": {\"name\": \"E\", \"friends\": [1, 5, 6], \"boss\": 6,"
    " \"follows\": [1, 2, 5], \"partner\": 6}},"
    " {\"model\": \"fx.person\", \"pk\": 6, \"fields\": {\"name\": \"F\", \"friends\": [], \"partner\": 5}},"
    " {\"model\": \"fx.person\", \"pk\": 2, \"fields\": {\"friends\": [6], \"boss\": 5}},"
    " {\"model\": \"fx.profile\", \"pk\": 1, \"fields\": {\"user\": 2, \"bio\": \"moved\"}},"
    " {\"model\": \"fx.profile\", \"pk\": 2, \"fields\": {\"user\": 1}},"
    " {\"model\": \"fx.badge\", \"pk\": 1, \"fields\": {\"holder\": null}},"
    " {\"model\": \"fx.badge\", \"fields\": {\"holder\": 2}},"
    " {\"model\": \"fx.author\", \"pk\": 1, \"fields\": {\"name\": \"Ann2\", \"motto\": \"m\", \"score\": 0.5}},"
    " {\"model\": \"fx.author\", \"pk\": 9, \"fields\": {\"name\": \"Nine\", \"i64\": -5}},"
    " {\"model\": \"fx.book\", \"pk\": 1, \"fields\": {\"title\": \"One2\", \"author\": 9, \"tags\": [3]}},"
    " {\"model\": \"fx.book\", \"pk\": 2, \"fields\": {\"title\": \"Two2\", \"author\": 3}},"
    " {\"model\": \"fx.book\", \"pk\": 7, \"fields\": {\"title\": \"Seven\", \"author\": 9, \"editor\": 1, \"tags\": [1, 2, 3]}},"
    " {\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {\"name\": \"c\"}},"
    " {\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {\"name\": \"c2\"}},"
    " {\"model\": \"fx.egg\", \"pk\": 2, \"fields\": {\"hen\": 2}},"
    " {\"model\": \"fx.hen\", \"pk\": 2, \"fields\": {\"first\": 2}},"
    " {\"model\": \"fx.user\", \"pk\": 3, \"fields\": {\"name\": \"w\"}}]";

static int oom_points;

/* Loads `text` into a store made by `setup` (NULL: empty), failing each
 * allocation of the load in turn. */
static void oom_load(const char *what, const char *setup, const char *text)
{
    static const rel_allocator al = { t_malloc, t_realloc, t_free, NULL };
    long n;
    rel_set_allocator(&al);
    for (n = 1;; n++) {
        rel_store *db;
        char *before, *after;
        rel_status st;
        live = allocs = fail_at = 0;
        db = rel_store_new(&rel_desc_fx);
        if (setup)
            CHECK(rel_loaddata(db, setup, strlen(setup), "setup.json") == REL_OK, "%s: setup", what);
        before = fingerprint_store(db);
        allocs = 0;
        fail_at = n;
        st = rel_loaddata(db, text, strlen(text), "oom.json");
        fail_at = 0;
        CHECK(rel_store_verify(db) == REL_OK, "%s: allocation %ld: verify: %s", what, n, db->errmsg.text);
        if (allocs >= n) {
            oom_points++;
            after = fingerprint_store(db);
            CHECK(st == REL_ENOMEM, "%s: allocation %ld failed, status %d (%s)", what, n, st, db->errmsg.text);
            CHECK(strcmp(before, after) == 0, "%s: allocation %ld failed but the store changed", what, n);
            CHECK(strncmp(db->errmsg.text, "oom.json:", 9) == 0, "%s: allocation %ld: %s", what, n, db->errmsg.text);
            free(after);
        } else {
            CHECK(st == REL_OK, "%s: with every allocation: %s", what, db->errmsg.text);
        }
        free(before);
        rel_store_free(db);
        CHECK(live == 0, "%s: allocation %ld: %ld allocations leaked", what, n, live);
        if (allocs < n)
            break;
    }
    rel_set_allocator(NULL);
}

static void oom_dump(void)
{
    static const rel_allocator al = { t_malloc, t_realloc, t_free, NULL };
    long n;
    rel_set_allocator(&al);
    for (n = 1;; n++) {
        rel_store *db = base_store();
        rel_status st;
        char *text;
        allocs = 0;
        fail_at = n;
        text = dump_text(db, 0, &st);
        fail_at = 0;
        if (allocs >= n) {
            oom_points++;
            CHECK(st == REL_ENOMEM && strstr(db->errmsg.text, "out of memory"), "dump: allocation %ld: %d %s", n, st,
                  db->errmsg.text);
        } else {
            CHECK(st == REL_OK, "dump with every allocation: %s", db->errmsg.text);
        }
        free(text);
        rel_store_free(db);
        CHECK(live == 0, "dump: allocation %ld: %ld allocations leaked", n, live);
        if (allocs < n)
            break;
    }
    rel_set_allocator(NULL);
}

/* ==== 4. relc's own promises ========================================================= */

static const struct {
    double d;
    const char *repr;
} doubles[] = {
    { 0x1.999999999999ap-4, "0.1" },
    { 0x1.1c37937e08000p+53, "1e+16" },
    { 0x1.c6bf526340000p+49, "1000000000000000.0" },
    { 0x1.4f8b588e368f1p-17, "1e-05" },
    { 0x1.a36e2eb1c432dp-14, "0.0001" },
    { -0x0.0p+0, "-0.0" },
    { 0x0.0p+0, "0.0" },
    { 0x1.edd2f1a9fbe77p+6, "123.456" },
    { 0x1.7e43c8800759cp+996, "1e+300" },
    { 0x0.0000000000001p-1022, "5e-324" },
    { 0x0.00000000007e8p-1022, "1e-320" },
    { 0x1.4000000000000p+1, "2.5" },
    { 0x1.5555555555555p-2, "0.3333333333333333" },
    { 0x1.0f0cf064dd592p+73, "1e+22" },
    { 0x1.fffffffffffffp+1023, "1.7976931348623157e+308" },
    { -0x1.0000000000000p-1022, "-2.2250738585072014e-308" },
    { 0x1.9000000000000p+6, "100.0" },
    { 0x1.12210f47de981p+60, "1.2345678901234568e+18" },
    { 0x1.0000000000000p+53, "9007199254740992.0" },
    { 0x1.3333333333333p-2, "0.3" },
    { 0x1.0000000000000p-20, "9.5367431640625e-07" },
    { 0x1.52d02c7e14af6p+76, "1e+23" },
    { 0x1.c7e83209e90b2p+72, "8.41e+21" },
    { 0x0.05c0ab9347ed7p-1022, "5e-310" },
    { -0x1.8000000000000p+0, "-1.5" },
    { HUGE_VAL, "Infinity" },
    { -HUGE_VAL, "-Infinity" },
    { 0x1.1666666666666p+2, "4.35" },
    { 0x1.01f31f46ed246p-13, "0.000123" },
    { 0x1.78c29dccccccdp+23, "12345678.9" },
};

static const struct {
    float f;
    const char *repr;
} floats[] = {
    { 0x1.99999a0000000p-4f, "0.1" },
    { 0x1.0000000000000p-1f, "0.5" },
    { 0x1.fffffe0000000p+127f, "3.4028235e+38" },
    { 0x1.0000000000000p-149f, "1e-45" },
    { 0x1.0000000000000p-126f, "1.1754944e-38" },
    { 0x1.0000000000000p+24f, "16777216.0" },
    { 0x1.3333340000000p-2f, "0.3" },
    { 0x1.edd2f20000000p+6f, "123.456" },
    { 0x1.2a05f20000000p+33f, "10000000000.0" },
    { 0x1.d5c3160000000p-18f, "7e-06" },
    { -0x1.4000000000000p+1f, "-2.5" },
};

static void float_tests(void)
{
    size_t i;
    char buf[40];
    for (i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        rel_json_format_double(buf, doubles[i].d, false);
        CHECK(strcmp(buf, doubles[i].repr) == 0, "double %a: %s, Python writes %s", doubles[i].d, buf, doubles[i].repr);
    }
    for (i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        rel_json_format_double(buf, (double)floats[i].f, true);
        CHECK(strcmp(buf, floats[i].repr) == 0, "float %a: %s, not %s", (double)floats[i].f, buf, floats[i].repr);
    }
}

/* Every scalar type and relation kind through a dump and a load, with
 * the extremes of each type. */
static void fx_round_trip(void)
{
    fx_store *db = fx_store_new(), *copy = fx_store_new();
    Author *a = Author_new(db), *b = Author_new(db);
    Book *book = Book_new(db, a);
    Person *p = Person_new(db), *q = Person_new(db);
    char *d1, *d2, *fp1, *fp2;
    rel_status st;
    Author_set_i8(a, -128);
    Author_set_i16(a, 32767);
    Author_set_i64(a, INT64_MIN);
    Author_set_u8(a, 255);
    Author_set_u16(a, 65535);
    Author_set_u32(a, 4294967295u);
    Author_set_u64(b, 0);
    Author_set_score(a, -0.0);
    Author_set_ratio(a, 1e-45f);
    Author_set_flag(a, true);
    Author_set_motto(b, "");
    Book_set_editor(book, b);
    Person_friends_add(p, p);
    Person_follows_add(p, p);
    Person_follows_add(q, p);
    Person_set_partner(p, q);
    Person_set_boss(p, p);
    d1 = dump_text((const rel_store *)db, 0, NULL);
    st = fx_store_loaddata(copy, d1, strlen(d1), "fx.json");
    CHECK(st == REL_OK, "fx round trip: %s", fx_store_errmsg(copy));
    d2 = dump_text((const rel_store *)copy, 0, NULL);
    CHECK(strcmp(d1, d2) == 0, "fx round trip:\n  %s\n  %s", d1, d2);
    fp1 = fingerprint_store((const rel_store *)db);
    fp2 = fingerprint_store((const rel_store *)copy);
    CHECK(strcmp(fp1, fp2) == 0, "fx round trip: fingerprints differ\n%s\n%s", fp1, fp2);
    CHECK(strstr(d1, "\"i64\": -9223372036854775808") && strstr(d1, "\"u64\": 18446744073709551615")
              && strstr(d1, "\"ratio\": 1e-45") && strstr(d1, "\"score\": -0.0") && strstr(d1, "\"friends\": [1]"),
          "fx dump: %s", d1);
    free(d1);
    free(d2);
    free(fp1);
    free(fp2);
    fx_store_free(db);
    fx_store_free(copy);
}

static void ids_continue(void)
{
    fx_store *db = fx_store_new();
    static const char t[] = "[{\"model\": \"fx.tag\", \"pk\": 7, \"fields\": {}}, {\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {}}]";
    Tag *x;
    CHECK(fx_store_loaddata(db, t, sizeof t - 1, "t.json") == REL_OK, "ids: %s", fx_store_errmsg(db));
    CHECK(Tag_get(db, 7) && Tag_get(db, 3) && !Tag_get(db, 4) && Tag_count(db) == 2, "ids: pks kept");
    x = Tag_new(db);
    CHECK(x && Tag_id(x) == 8, "ids: Tag_new after pk 7 gives %llu", x ? (unsigned long long)Tag_id(x) : 0ull);
    CHECK(fx_store_verify(db) == REL_OK, "ids: verify: %s", fx_store_errmsg(db));
    fx_store_free(db);
}

/* A load that fails after making objects at the ids of deleted ones (and
 * past the last id) leaves the last id where it was: the next M_new gets
 * the id it would have got. */
static void failed_load_keeps_last_id(void)
{
    fx_store *db = fx_store_new();
    Tag *t1 = Tag_new(db), *t2 = Tag_new(db), *t3 = Tag_new(db), *t;
    static const char bad[] =
        "[{\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {}}, {\"model\": \"fx.tag\", \"pk\": 2, \"fields\": {}},"
        " {\"model\": \"fx.tag\", \"pk\": 9, \"fields\": {}},"
        " {\"model\": \"fx.book\", \"pk\": 1, \"fields\": {\"author\": 4}}]";
    char *before;
    (void)t1;
    Tag_delete(t2);
    Tag_delete(t3);
    before = fingerprint_store((const rel_store *)db);
    CHECK(fx_store_loaddata(db, bad, sizeof bad - 1, "bad.json") == REL_EINVAL, "last id: the load must fail");
    {
        char *after = fingerprint_store((const rel_store *)db);
        CHECK(strcmp(before, after) == 0, "last id: the store changed:\n%s\n%s", before, after);
        free(after);
    }
    t = Tag_new(db);
    CHECK(t && Tag_id(t) == 4, "last id: Tag_new gives %llu, not 4", t ? (unsigned long long)Tag_id(t) : 0ull);
    CHECK(!Tag_get(db, 2) && !Tag_get(db, 3), "last id: deleted ids came back");
    CHECK(fx_store_verify(db) == REL_OK, "last id: verify: %s", fx_store_errmsg(db));
    free(before);
    fx_store_free(db);
}

static char *big_string(const char *model, size_t *len)
{
    char *big = (char *)xmalloc(20000100);
    size_t i = (size_t)sprintf(big, "[{\"model\": \"%s\", \"pk\": 3, \"fields\": {\"name\": \"", model);
    memset(big + i, 'x', 20000000);
    i += 20000000;
    i += (size_t)sprintf(big + i, "\"}}]");
    *len = i;
    return big;
}

/* Inputs made to exhaust the stack or memory fail cleanly. */
static void hostile_inputs(void)
{
    size_t n = 1000000, i;
    char *deep = (char *)xmalloc(2 * n + 1);
    rel_store *db = base_store();
    char *before = fingerprint_store(db), *after, *big;
    rel_status st;
    for (i = 0; i < n; i++) {
        deep[i] = '[';
        deep[n + i] = ']';
    }
    st = rel_loaddata(db, deep, 2 * n, "deep.json");
    CHECK(st == REL_EINVAL, "a million nested lists: %d %s", st, db->errmsg.text);
    {
        static const char prefix[] = "[{\"model\": \"fx.tag\", \"pk\": 3, \"fields\": {\"name\": ";
        memcpy(deep, prefix, sizeof prefix - 1);
    }
    st = rel_loaddata(db, deep, 2 * n, "deep.json");
    CHECK(st == REL_EINVAL && strstr(db->errmsg.text, "expected a string, found a list"), "nested in a field: %s",
          db->errmsg.text);
    free(deep);
    /* A 20 MB string: loaded (a tag's name has no max_length), then refused
     * where the field has one. */
    big = big_string("fx.tag", &i);
    st = rel_loaddata(db, big, i, "big.json");
    CHECK(st == REL_OK && strlen(Tag_name((Tag *)rel_obj_find(db, 2, 3))) == 20000000, "a 20 MB string: %s",
          db->errmsg.text);
    free(big);
    after = fingerprint_store(db);
    free(before);
    before = after;
    big = big_string("fx.author", &i);
    st = rel_loaddata(db, big, i, "big.json");
    CHECK(st == REL_ETOOLONG, "a 20 MB name: %d %s", st, db->errmsg.text);
    after = fingerprint_store(db);
    CHECK(strcmp(before, after) == 0, "a refused 20 MB string changed the store");
    free(after);
    free(big);
    /* A million-pk list of one set. */
    big = (char *)xmalloc(12000000);
    i = (size_t)sprintf(big, "[{\"model\": \"fx.book\", \"pk\": 3, \"fields\": {\"author\": 1, \"tags\": [");
    for (n = 0; n < 1000000; n++)
        i += (size_t)sprintf(big + i, "%s%lu", n ? "," : "", (unsigned long)(n % 2 + 1));
    i += (size_t)sprintf(big + i, "]}}]");
    st = rel_loaddata(db, big, i, "list.json");
    CHECK(st == REL_OK && Book_tags_count((Book *)rel_obj_find(db, 1, 3)) == 2, "a list of a million pks: %s",
          db->errmsg.text);
    free(big);
    CHECK(rel_store_verify(db) == REL_OK, "hostile: verify: %s", db->errmsg.text);
    free(before);
    rel_store_free(db);
}

/* Dump layout details that Django's cases do not reach. */
static void dump_details(void)
{
    rel_store *db = rel_store_new(&rel_desc_fx);
    char *t = dump_text(db, 0, NULL);
    CHECK(strcmp(t, "[]") == 0, "empty dump: %s", t);
    free(t);
    t = dump_text(db, 4, NULL);
    CHECK(strcmp(t, "[\n]\n") == 0, "empty dump, indented: %s", t);
    free(t);
    CHECK(rel_loaddata(db, "[{\"model\": \"fx.tag\", \"pk\": 1, \"fields\": {}}]", 44, "x") == REL_OK, "one tag");
    t = dump_text(db, -1, NULL);   /* Python's indent=-1: newlines, no indentation */
    CHECK(strcmp(t, "[\n{\n\"model\": \"fx.tag\",\n\"pk\": 1,\n\"fields\": {\n\"name\": \"\"\n}\n}\n]\n") == 0,
          "indent -1: %s", t);
    free(t);
    CHECK(rel_dumpdata(db, NULL, 0) == REL_EINVAL, "NULL stream");
    {
        FILE *full = fopen("/dev/full", "w");
        if (full) {
            rel_status st = rel_dumpdata(db, full, 0);
            CHECK(st == REL_EINVAL && strstr(db->errmsg.text, "writing failed"), "/dev/full: %d %s", st,
                  db->errmsg.text);
            fclose(full);
        }
    }
    CHECK(rel_loaddata(NULL, "[]", 2, "x") == REL_EINVAL, "NULL store");
    CHECK(rel_loaddata(db, NULL, 0, NULL) == REL_EINVAL && strncmp(db->errmsg.text, "<fixture>:1:1:", 14) == 0,
          "no text: %s", db->errmsg.text);
    rel_store_free(db);
}

/* ==== main ===================================================================================== */

static int dump_case(const char *path)
{
    jv c;
    rel_status st;
    rel_store *db;
    if (!load_jv(path, &c)) {
        fprintf(stderr, "cannot read %s\n", path);
        return 2;
    }
    db = store_after(&c, &st);
    if (st != REL_OK) {
        fprintf(stderr, "%s: the operations fail: %s\n", path, db ? db->errmsg.text : "");
        return 1;
    }
    st = rel_dumpdata(db, stdout, 0);
    rel_store_free(db);
    free_jv(&c);
    return st == REL_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *dir = "tests/fixtures/cases";
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump_case(argv[2]);
    if (argc == 2)
        dir = argv[1];
    recorded_cases(dir);
    message_tests();
    oom_load("a load into an empty store", NULL, base);
    oom_load("a load into a full store", base, full_load);
    oom_dump();
    float_tests();
    fx_round_trip();
    ids_continue();
    failed_load_keeps_last_id();
    hostile_inputs();
    dump_details();
    printf("fixtures: %d round trips and %d loads against Django (%d refused as Django refuses them, %d refused "
           "where relc is stricter), %lu messages, %d out-of-memory points; %d checks, %d failed\n",
           n_round_trips, n_loads, n_refused, n_stricter, (unsigned long)(sizeof messages / sizeof messages[0]),
           oom_points, checks, failures);
    return failures ? 1 : 0;
}
