/* rel_fixture.c: Django's dumpdata and loaddata for a store (SPEC section 7).
 *
 * Both walk the schema descriptor and reach objects only through the
 * whole-store calls of rel_impl.h (rel_obj_find, rel_obj_id,
 * rel_model_last_id, rel_obj_create, rel_obj_discard) and the inline link
 * helpers of rel.h, so they do not depend on how the store keeps objects.
 *
 * dumpdata writes what `manage.py dumpdata APP` writes: a JSON list of
 * {"model": "app.model", "pk": N, "fields": {...}}, models in declaration
 * order, objects by pk, fields in declaration order with the many-to-many
 * ones last (Django's local_fields, then local_many_to_many), many-to-many
 * values as sorted lists of pks, separators ", " and ": ", or Python's
 * json.dump(indent=N) layout when indent is not 0.
 *
 * loaddata runs in four phases, so that it is all or nothing without an
 * undo log:
 *   1. parse: the whole text into a plan (one record per object, one
 *      slot per field, lists of pks; strings copied), checking syntax,
 *      types, ranges, UTF-8, max_length, unknown and repeated names and
 *      required relations.  The store is only read.
 *   2. allocate: the objects the fixture adds (rel_obj_create, at their
 *      pks), then the checks that need every pk to exist (dangling
 *      references, one-to-one uniqueness as Django's saves meet it one by
 *      one), then room in every list and set that will gain a link.
 *   3. on any failure: free the plan, free what the new objects were
 *      given and discard them, newest first.  The store is as it was
 *      (lists of existing objects may have more capacity).
 *   4. apply, which cannot fail: unlink the old relations of the objects
 *      updated, write every field, link every relation.
 * Where Django's loaddata decides by the order of its saves (the same pk
 * twice, a one-to-one target moving between objects, symmetrical sets),
 * the plan computes the state that those saves end in.
 */
#include "rel_impl.h"
#include "rel_json.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NONE UINT32_MAX

/* A load may leave at most this many ids unused below the pks it adds:
 * the store keeps 8 bytes per id up to the highest (512 MiB here), so a
 * pk of two billion in a tiny fixture is refused instead of exhausting
 * memory. */
#define MAX_UNUSED_IDS ((uint64_t)1 << 26)

/* ==== the schema as fixtures see it ======================================== */

/* An item of model k is a scalar field (v < nfields) or relation
 * relations[v - nfields] of the model. */
static const char *item_name(const rel_schema *s, const rel_model *m, uint32_t v)
{
    const rel_relation *r = v < m->nfields ? NULL : &s->relations[m->relations[v - m->nfields]];
    /* A GenericForeignKey's relations answer to its object id's name; its
     * content type's name is looked up apart (gen_find). */
    return !r ? m->fields[v].name : r->type == REL_GENERIC ? r->fk_name : r->name;
}

/* Whether item v of m is a relation of a GenericForeignKey after its
 * first: fixtures write a GenericForeignKey once, at its first. */
static bool gen_later(const rel_schema *s, const rel_model *m, uint32_t v)
{
    const rel_relation *r, *p;
    if (v <= m->nfields)
        return false;
    r = &s->relations[m->relations[v - m->nfields]];
    p = &s->relations[m->relations[v - m->nfields - 1]];
    return r->type == REL_GENERIC && p->type == REL_GENERIC && p->fwd == r->fwd;
}

static const rel_relation *item_relation(const rel_schema *s, const rel_model *m, uint32_t v)
{
    return v < m->nfields ? NULL : &s->relations[m->relations[v - m->nfields]];
}

/* An open-addressing table of uint32 entries (0: empty, else entry + 1). */
typedef struct name_table {
    uint32_t *slots;
    uint32_t mask;
} name_table;

static uint32_t hash_bytes(const char *s, size_t n, bool fold, uint32_t h)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (fold && c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static bool table_init(name_table *t, size_t n)
{
    size_t cap = 8;
    while (cap < 2 * n + 2)
        cap *= 2;
    if (cap > UINT32_MAX / 2 || !(t->slots = (uint32_t *)rel_malloc(cap * sizeof *t->slots)))
        return false;
    memset(t->slots, 0, cap * sizeof *t->slots);
    t->mask = (uint32_t)(cap - 1);
    return true;
}

static bool eq_fold(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return false;
    }
    return true;
}

typedef struct schema_info {
    const rel_schema *s;
    uint32_t *first;        /* [nmodels + 1]: model k's items are first[k] .. first[k+1] */
    uint32_t *seq;          /* [items]: per model, its items as dumpdata writes them */
    uint32_t *pos;          /* [items]: per model, item v's place in seq */
    uint32_t *rel_item;     /* [nrelations]: relation r's item in its model */
    uint8_t *keep_case;     /* [nmodels]: another model has the same lowercased name */
    name_table models;      /* lowercased model names */
    name_table fields;      /* (model, field name): entry first[k] + v */
} schema_info;

static void info_free(schema_info *in)
{
    rel_free(in->first);
    rel_free(in->seq);
    rel_free(in->pos);
    rel_free(in->rel_item);
    rel_free(in->keep_case);
    rel_free(in->models.slots);
    rel_free(in->fields.slots);
}

static bool info_build(schema_info *in, const rel_schema *s, bool field_table)
{
    uint32_t k, v, total = 0;
    memset(in, 0, sizeof *in);
    in->s = s;
    for (k = 0; k < s->nmodels; k++) {
        if (s->models[k].nfields + (uint64_t)s->models[k].nrelations > UINT32_MAX - (uint64_t)total)
            return false;
        total += s->models[k].nfields + s->models[k].nrelations;
    }
    if (!(in->first = (uint32_t *)rel_malloc(((size_t)s->nmodels + 1) * sizeof(uint32_t)))
        || !(in->seq = (uint32_t *)rel_malloc(((size_t)total + 1) * sizeof(uint32_t)))
        || !(in->pos = (uint32_t *)rel_malloc(((size_t)total + 1) * sizeof(uint32_t)))
        || !(in->rel_item = (uint32_t *)rel_malloc(((size_t)s->nrelations + 1) * sizeof(uint32_t)))
        || !(in->keep_case = (uint8_t *)rel_malloc((size_t)s->nmodels + 1))
        || !table_init(&in->models, s->nmodels))
        return false;
    memset(in->keep_case, 0, (size_t)s->nmodels + 1);
    for (k = 0, total = 0; k < s->nmodels; k++) {
        const rel_model *m = &s->models[k];
        uint32_t n = 0, nitems = m->nfields + m->nrelations, i, h;
        size_t len = strlen(m->name);
        in->first[k] = total;
        /* Scalars and ForeignKey/OneToOne in declaration order, then the
         * many-to-many fields. */
        for (i = 0; i < nitems; i++) {
            v = m->order ? m->order[i] : i;
            if (v >= m->nfields && s->relations[m->relations[v - m->nfields]].type == REL_MANY_TO_MANY)
                continue;
            in->seq[total + n++] = v;
        }
        for (i = 0; i < m->nrelations; i++)
            if (s->relations[m->relations[i]].type == REL_MANY_TO_MANY)
                in->seq[total + n++] = m->nfields + i;
        for (i = 0; i < nitems; i++)
            in->pos[total + in->seq[total + i]] = i;
        for (i = 0; i < m->nrelations; i++)
            in->rel_item[m->relations[i]] = m->nfields + i;
        total += nitems;
        /* The model table, noting lowercased names that two models share. */
        for (h = hash_bytes(m->name, len, true, 2166136261u) & in->models.mask; in->models.slots[h];
             h = (h + 1) & in->models.mask) {
            uint32_t other = in->models.slots[h] - 1;
            if (strlen(s->models[other].name) == len && eq_fold(s->models[other].name, m->name, len))
                in->keep_case[k] = in->keep_case[other] = 1;
        }
        in->models.slots[h] = k + 1;
    }
    in->first[s->nmodels] = total;
    if (field_table) {
        if (!table_init(&in->fields, total))
            return false;
        for (k = 0; k < s->nmodels; k++) {
            const rel_model *m = &s->models[k];
            for (v = 0; v < m->nfields + m->nrelations; v++) {
                const char *name = item_name(s, m, v);
                uint32_t h = hash_bytes(name, strlen(name), false, 2166136261u ^ (k * 0x9E3779B9u));
                for (h &= in->fields.mask; in->fields.slots[h]; h = (h + 1) & in->fields.mask)
                    ;
                in->fields.slots[h] = in->first[k] + v + 1;
            }
        }
    }
    return true;
}

/* Model k's label, "app.model" (the model name as written when another
 * model's lowercased name is the same), into buf. */
static const char *label(const schema_info *in, uint32_t k, char *buf, size_t cap)
{
    const char *name = in->s->models[k].name;
    size_t i, n = (size_t)snprintf(buf, cap, "%s.", in->s->name);
    for (i = 0; name[i] && n + 1 < cap; i++, n++)
        buf[n] = (!in->keep_case[k] && name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    if (n < cap)
        buf[n] = '\0';
    return buf;
}

/* Model k's item called name[0..n), or NONE.  A ForeignKey or
 * OneToOneField also answers to its attname, NAME_id, as in Django. */
static uint32_t find_item(const schema_info *in, uint32_t k, const char *name, size_t n)
{
    const rel_model *m = &in->s->models[k];
    uint32_t h = hash_bytes(name, n, false, 2166136261u ^ (k * 0x9E3779B9u)) & in->fields.mask, e;
    for (; (e = in->fields.slots[h]) != 0; h = (h + 1) & in->fields.mask) {
        e--;
        if (e >= in->first[k] && e < in->first[k + 1]) {
            const char *x = item_name(in->s, m, e - in->first[k]);
            if (strncmp(x, name, n) == 0 && x[n] == '\0')
                return e - in->first[k];
        }
    }
    if (n > 3 && memcmp(name + n - 3, "_id", 3) == 0) {
        uint32_t v = find_item(in, k, name, n - 3);
        const rel_relation *r = v == NONE ? NULL : item_relation(in->s, m, v);
        if (r && r->type != REL_MANY_TO_MANY && r->type != REL_GENERIC)
            return v;
    }
    return NONE;
}

/* ==== small sorts (no allocation) ============================================ */

static void sift(uint32_t *a, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        uint32_t t;
        if (c >= n)
            return;
        if (c + 1 < n && a[c + 1] > a[c])
            c++;
        if (a[i] >= a[c])
            return;
        t = a[i];
        a[i] = a[c];
        a[c] = t;
        i = c;
    }
}

static void sort_u32(uint32_t *a, size_t n)
{
    size_t i;
    if (n <= 16) {
        for (i = 1; i < n; i++) {
            uint32_t x = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > x; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    for (i = n / 2; i-- > 0;)
        sift(a, i, n);
    for (i = n; i-- > 1;) {
        uint32_t t = a[0];
        a[0] = a[i];
        a[i] = t;
        sift(a, 0, i);
    }
}

/* ==== dumpdata ============================================================== */

typedef struct writer {
    FILE *f;
    char buf[16384];
    size_t n;
    int err;                /* errno of the first failed write; -1 unknown */
    bool failed;
    int indent;             /* 0: compact */
} writer;

static void w_flush(writer *w)
{
    if (w->n && !w->failed && fwrite(w->buf, 1, w->n, w->f) != w->n) {
        w->failed = true;
        w->err = errno ? errno : -1;
    }
    w->n = 0;
}

static inline void w_room(writer *w, size_t need)
{
    if (sizeof w->buf - w->n < need)
        w_flush(w);
}

static void w_bytes(writer *w, const char *s, size_t len)
{
    while (len) {
        size_t n;
        w_room(w, 1);
        n = sizeof w->buf - w->n < len ? sizeof w->buf - w->n : len;
        memcpy(w->buf + w->n, s, n);
        w->n += n;
        s += n;
        len -= n;
    }
}

static inline void w_str(writer *w, const char *s) { w_bytes(w, s, strlen(s)); }

static void w_u64(writer *w, uint64_t v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    w_bytes(w, tmp + n, sizeof tmp - n);
}

static void w_i64(writer *w, int64_t v)
{
    if (v < 0) {
        w_bytes(w, "-", 1);
        w_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        w_u64(w, (uint64_t)v);
    }
}

/* Before an element of a list or object at nesting `level`: ", " (or
 * nothing for the first) compact; ",\n" and the indentation pretty. */
static void w_sep(writer *w, int level, bool first)
{
    long spaces;
    if (!w->indent) {
        if (!first)
            w_bytes(w, ", ", 2);
        return;
    }
    w_bytes(w, first ? "\n" : ",\n", first ? 1 : 2);
    for (spaces = (long)(w->indent > 0 ? w->indent : 0) * level; spaces > 0; spaces--) {
        w_room(w, 1);
        w->buf[w->n++] = ' ';
    }
}

/* The closing bracket of a non-empty list or object at `level`. */
static void w_close(writer *w, int level, char c)
{
    long spaces;
    if (w->indent) {
        w_bytes(w, "\n", 1);
        for (spaces = (long)(w->indent > 0 ? w->indent : 0) * level; spaces > 0; spaces--) {
            w_room(w, 1);
            w->buf[w->n++] = ' ';
        }
    }
    w_bytes(w, &c, 1);
}

/* A JSON string as Python's json.dumps(ensure_ascii=False) writes it;
 * false if s is not valid UTF-8. */
static bool w_string(writer *w, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    static const char hex[] = "0123456789abcdef";
    w_bytes(w, "\"", 1);
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
            p++;
        if (p > run)
            w_bytes(w, (const char *)run, (size_t)(p - run));
        if (p == end)
            break;
        if (*p >= 0x80) {
            size_t n = rel_json_utf8_seq(p, end);
            if (!n)
                return false;
            w_bytes(w, (const char *)p, n);
            p += n;
            continue;
        }
        w_room(w, 6);
        w->buf[w->n++] = '\\';
        switch (*p) {
        case '"':  w->buf[w->n++] = '"'; break;
        case '\\': w->buf[w->n++] = '\\'; break;
        case '\n': w->buf[w->n++] = 'n'; break;
        case '\r': w->buf[w->n++] = 'r'; break;
        case '\t': w->buf[w->n++] = 't'; break;
        case '\b': w->buf[w->n++] = 'b'; break;
        case '\f': w->buf[w->n++] = 'f'; break;
        default:
            w->buf[w->n++] = 'u';
            w->buf[w->n++] = '0';
            w->buf[w->n++] = '0';
            w->buf[w->n++] = hex[*p >> 4];
            w->buf[w->n++] = hex[*p & 15];
        }
        p++;
    }
    w_bytes(w, "\"", 1);
    return true;
}

static const char *string_member(const void *o, uint32_t offset)
{
    const char *str;
    memcpy(&str, (const char *)o + offset, sizeof str);
    return str;
}

static void w_scalar(writer *w, const void *o, const rel_field *f)
{
    char tmp[40];
    switch (f->type) {
    case REL_BOOL:   w_str(w, REL_CAT(o, f->offset, bool) ? "true" : "false"); break;
    case REL_INT8:   w_i64(w, REL_CAT(o, f->offset, int8_t)); break;
    case REL_INT16:  w_i64(w, REL_CAT(o, f->offset, int16_t)); break;
    case REL_INT32:  w_i64(w, REL_CAT(o, f->offset, int32_t)); break;
    case REL_INT64:  w_i64(w, REL_CAT(o, f->offset, int64_t)); break;
    case REL_UINT8:  w_u64(w, REL_CAT(o, f->offset, uint8_t)); break;
    case REL_UINT16: w_u64(w, REL_CAT(o, f->offset, uint16_t)); break;
    case REL_UINT32: w_u64(w, REL_CAT(o, f->offset, uint32_t)); break;
    case REL_UINT64: w_u64(w, REL_CAT(o, f->offset, uint64_t)); break;
    case REL_FLOAT:
        w_bytes(w, tmp, rel_json_format_double(tmp, (double)REL_CAT(o, f->offset, float), true));
        break;
    default:
        w_bytes(w, tmp, rel_json_format_double(tmp, REL_CAT(o, f->offset, double), false));
        break;
    }
}

/* A GenericForeignKey as Django writes it, through its two concrete
 * fields: "content_type": ["app", "model"] (the natural key of Django's
 * ContentType), "object_id": pk; null and null when unset. */
static void w_generic(writer *w, const void *o, const rel_relation *r, bool first)
{
    uint32_t ct = REL_CAT(o, r->ct, uint32_t);
    const void *t = rel_fwd(o, r->fwd);
    const rel_schema *s = rel_store_of(o)->schema;
    w_sep(w, 2, first);
    w_bytes(w, "\"", 1);
    w_str(w, r->ct_name);
    w_str(w, "\": ");
    if (ct && t) {
        const char *name = s->models[ct - 1].name;
        char lower[2];
        w_bytes(w, "[", 1);
        w_sep(w, 3, true);
        w_string(w, s->name);
        w_sep(w, 3, false);
        w_bytes(w, "\"", 1);
        for (lower[1] = 0; *name; name++) {
            lower[0] = *name >= 'A' && *name <= 'Z' ? (char)(*name - 'A' + 'a') : *name;
            w_bytes(w, lower, 1);
        }
        w_bytes(w, "\"", 1);
        w_close(w, 2, ']');
    } else {
        w_str(w, "null");
    }
    w_sep(w, 2, false);
    w_bytes(w, "\"", 1);
    w_str(w, r->fk_name);
    w_str(w, "\": ");
    if (ct && t)
        w_u64(w, rel_obj_id(t));
    else
        w_str(w, "null");
}

rel_status rel_dumpdata(const rel_store *cdb, FILE *out, int indent)
{
    rel_store *db = (rel_store *)(uintptr_t)cdb;   /* only errmsg is written */
    const rel_schema *s;
    schema_info in;
    writer *w;
    uint32_t *ids = NULL, k;
    size_t idcap = 0;
    bool first_object = true;
    rel_status st = REL_OK;
    char lbuf[520];

    if (!db)
        return rel_fail_null_arg(NULL, "dumpdata", "store");
    if (!out)
        return rel_fail_null_arg(db, "dumpdata", "file");
    s = db->schema;
    if (!(w = (writer *)rel_malloc(sizeof *w)) || !info_build(&in, s, false)) {
        if (w)
            info_free(&in);
        rel_free(w);
        return rel_fail(&db->errmsg, REL_ENOMEM, "dumpdata: out of memory");
    }
    w->f = out;
    w->n = 0;
    w->err = 0;
    w->failed = false;
    w->indent = indent;
    w_bytes(w, "[", 1);
    for (k = 0; k < s->nmodels && !st && !w->failed; k++) {
        const rel_model *m = &s->models[k];
        uint64_t id, last = rel_model_last_id(cdb, k);
        uint32_t nitems = m->nfields + m->nrelations;
        label(&in, k, lbuf, sizeof lbuf);
        for (id = 1; id <= last && !st && !w->failed; id++) {
            const void *o = rel_obj_find(cdb, k, id);
            uint32_t i, written;
            if (!o)
                continue;
            if (w->indent)
                w_bytes(w, first_object ? "\n" : ",\n", first_object ? 1 : 2);
            else if (!first_object)
                w_bytes(w, ", ", 2);
            first_object = false;
            w_bytes(w, "{", 1);
            w_sep(w, 1, true);
            w_str(w, "\"model\": \"");
            w_str(w, lbuf);
            w_bytes(w, "\"", 1);
            w_sep(w, 1, false);
            w_str(w, "\"pk\": ");
            w_u64(w, rel_obj_id(o));
            w_sep(w, 1, false);
            w_str(w, "\"fields\": {");
            for (i = 0, written = 0; i < nitems; i++) {
                uint32_t v = in.seq[in.first[k] + i];
                const rel_relation *r = item_relation(s, m, v);
                if (r && r->through != REL_NONE)
                    continue;   /* its through objects are written as objects */
                if (r && r->type == REL_GENERIC) {
                    if (!gen_later(s, m, v))
                        w_generic(w, o, r, written++ == 0);
                    continue;
                }
                w_sep(w, 2, written++ == 0);
                w_bytes(w, "\"", 1);
                w_str(w, item_name(s, m, v));
                w_str(w, "\": ");
                if (!r) {
                    const rel_field *f = &m->fields[v];
                    if (f->type != REL_STRING)
                        w_scalar(w, o, f);
                    else if (!w_string(w, string_member(o, f->offset))) {
                        st = rel_fail(&db->errmsg, REL_EINVAL,
                                      "dumpdata: %s %llu: %s is not valid UTF-8 (the output stops before it)",
                                      lbuf, (unsigned long long)id, f->name);
                        break;
                    }
                } else if (r->type != REL_MANY_TO_MANY) {
                    const void *t = rel_fwd(o, r->fwd);
                    const rel_field *tf = r->to_field ? &s->models[r->target].fields[r->to_field - 1] : NULL;
                    if (!t)
                        w_str(w, "null");
                    else if (!tf)
                        w_u64(w, rel_obj_id(t));
                    else if (tf->type != REL_STRING)
                        w_scalar(w, t, tf);   /* Django writes the to_field's value */
                    else if (!w_string(w, string_member(t, tf->offset))) {
                        st = rel_fail(&db->errmsg, REL_EINVAL,
                                      "dumpdata: %s %llu: %s: its target's %s is not valid UTF-8", lbuf,
                                      (unsigned long long)id, r->name, tf->name);
                        break;
                    }
                } else {
                    const rel_vec *set = &REL_CAT(o, r->fwd, rel_vec);
                    uint32_t j;
                    if (set->count > idcap) {
                        uint32_t *grown = (uint32_t *)rel_realloc(ids, (size_t)set->count * sizeof *ids);
                        if (!grown) {
                            st = rel_fail(&db->errmsg, REL_ENOMEM, "dumpdata: out of memory");
                            break;
                        }
                        ids = grown;
                        idcap = set->count;
                    }
                    for (j = 0; j < set->count; j++)
                        ids[j] = (uint32_t)rel_obj_id(set->items[j]);
                    sort_u32(ids, set->count);
                    w_bytes(w, "[", 1);
                    for (j = 0; j < set->count; j++) {
                        w_sep(w, 3, j == 0);
                        w_u64(w, ids[j]);
                    }
                    if (set->count)
                        w_close(w, 2, ']');
                    else
                        w_bytes(w, "]", 1);
                }
            }
            if (st)
                break;
            if (written)
                w_close(w, 1, '}');
            else
                w_bytes(w, "}", 1);
            w_close(w, 0, '}');
        }
    }
    if (!st) {
        if (w->indent)
            w_bytes(w, "\n]\n", 3);
        else
            w_bytes(w, "]", 1);
    }
    w_flush(w);
    if (!st && !w->failed && fflush(out) != 0) {
        w->failed = true;
        w->err = errno ? errno : -1;
    }
    if (!st && w->failed)
        st = rel_fail(&db->errmsg, REL_EINVAL, "dumpdata: writing failed: %s",
                      w->err > 0 ? strerror(w->err) : "stream error");
    rel_free(ids);
    info_free(&in);
    rel_free(w);
    return st;
}

/* ==== loaddata: the plan ======================================================= */

/* One object of the fixture, in the order of the text. */
typedef struct occ_rec {
    uint32_t mk;            /* the model | flags below */
    uint32_t pk;
    size_t slot;            /* first slot: the presence mask words, then one per item */
} occ_rec;

enum {
    OCC_MODEL = 0xFFFFFF,
    OCC_CREATED = 1u << 24,     /* the load made its object */
    OCC_EXISTED = 1u << 25,     /* its object was in the store */
    OCC_SUPERSEDED = 1u << 26   /* a later object of the text has its pk */
};

/* A many-to-many value: links[start .. start+count), from occurrence occ
 * (a later occurrence of the same pk without the field inherits it). */
typedef struct m2m_list {
    size_t start;
    size_t occ;
    uint32_t count;
} m2m_list;

/* uint64 keys (nonzero) to uint32 values. */
typedef struct u64map {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, n;
} u64map;

typedef struct loader {
    rel_store *db;
    const rel_schema *s;
    schema_info in;
    const char *source;
    rel_json j;
    rel_json_buf scratch;
    rel_status st;              /* the first failure */

    occ_rec *occ;
    size_t nocc, capocc;
    uint64_t *slots;
    size_t nslots, capslots;
    m2m_list *lists;
    size_t nlists, caplists;
    uint32_t *links;
    size_t nlinks, caplinks;

    uint64_t *last0;            /* [nmodels] highest ids before the load */
    uint64_t *seq;              /* [nmodels] highest pk so far, for objects without one */
    bool in_order;              /* occurrences came in increasing (model, pk) */
    size_t *order;              /* NULL when in_order, else the occurrences sorted by (model, pk) */
    size_t *range;              /* [nmodels + 1] each model's part of that order */
    size_t ncreated;

    const char *last_label;     /* the last label read from the text, and its model */
    size_t last_label_len;
    uint32_t last_model;

    struct to_value {           /* values of to_field relations, until resolved */
        uint64_t val;
        const rel_field *field; /* the target's field: its type, its strings */
    } *tovals;
    size_t ntovals, captovals;
} loader;

static inline size_t ord(const loader *L, size_t i) { return L->order ? L->order[i] : i; }
static inline uint32_t occ_model(const occ_rec *o) { return o->mk & OCC_MODEL; }
static inline const uint64_t *occ_mask(const loader *L, const occ_rec *o) { return &L->slots[o->slot]; }
static inline uint32_t mask_words(const rel_model *m) { return (m->nfields + m->nrelations + 63) / 64; }
static inline bool has(const uint64_t *mask, uint32_t v) { return mask[v / 64] >> (v % 64) & 1; }
static inline uint64_t *value_slot(const loader *L, const occ_rec *o, uint32_t v)
{
    return &L->slots[o->slot + mask_words(&L->s->models[occ_model(o)]) + v];
}

/* ---- errors ---- */

/* Sets errmsg to "source:line:col: LABEL PK: FIELD: message" (the parts
 * that k, pk and v say; NONE and 0 leave them out) and returns st.  Only
 * the first failure counts. */
static rel_status fail_at(loader *L, const char *at, rel_status st, uint32_t k, uint64_t pk, uint32_t v,
                          const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

static rel_status fail_at(loader *L, const char *at, rel_status st, uint32_t k, uint64_t pk, uint32_t v,
                          const char *fmt, ...)
{
    char msg[256], ctx[600], lbuf[520];
    unsigned long line, col;
    va_list ap;
    size_t n = 0;

    if (L->st)
        return L->st;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx[0] = '\0';
    if (k != NONE) {
        label(&L->in, k, lbuf, sizeof lbuf);
        if (pk)
            n = (size_t)snprintf(ctx, sizeof ctx, "%s %llu: ", lbuf, (unsigned long long)pk);
        else
            n = (size_t)snprintf(ctx, sizeof ctx, "%s: ", lbuf);
        if (v != NONE && n < sizeof ctx)
            snprintf(ctx + n, sizeof ctx - n, "%s: ", item_name(L->s, &L->s->models[k], v));
    }
    if (!at || at < L->j.start || at > L->j.end)
        at = L->j.start;
    rel_json_linecol(L->j.start, at, &line, &col);
    rel_fail(&L->db->errmsg, st, "%s:%lu:%lu: %s%s", L->source, line, col, ctx, msg);
    L->st = st;
    return st;
}

/* The reader's failure (rc), in the context given. */
static rel_status fail_json(loader *L, int rc, uint32_t k, uint64_t pk, uint32_t v)
{
    if (rc == REL_JSON_NOMEM)
        return fail_at(L, L->j.p, REL_ENOMEM, k, pk, v, "out of memory");
    return fail_at(L, L->j.err_at, REL_EINVAL, k, pk, v, "%s", L->j.err ? L->j.err : "JSON syntax error");
}

static rel_status fail_nomem(loader *L)
{
    return fail_at(L, L->j.p, REL_ENOMEM, NONE, 0, NONE, "out of memory loading the fixture");
}

static bool is_number_start(int c)
{
    return c == '-' || (c >= '0' && c <= '9') || c == 'N' || c == 'I';
}

/* What the value at the cursor is, for "expected X, found Y". */
static const char *found(rel_json *j)
{
    switch (rel_json_peek(j)) {
    case '{': return "an object";
    case '[': return "a list";
    case '"': return "a string";
    case 't': case 'f': return "a boolean";
    case 'n': return "null";
    case -1: return "the end of the text";
    case ']': return "']'";
    case '}': return "'}'";
    case ',': return "','";
    case ':': return "':'";
    case 0xEF: return "a byte order mark (JSON has none)";
    default:
        return is_number_start(rel_json_peek(j)) ? "a number" : "an unexpected character";
    }
}

/* A token of the text, quoted for a message (at most 40 bytes). */
static const char *quote(const char *s, size_t n, char *buf)
{
    size_t i, o = 0;
    for (i = 0; i < n && o < 40; i++)
        buf[o++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (i < n) {
        while (o > 0 && ((unsigned char)s[o] & 0xC0) == 0x80)
            o--;    /* not in the middle of a character */
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- growing the plan ---- */

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 64;
    void *q;
    if (need <= *cap)
        return true;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            return false;
        c *= 2;
    }
    if (!(q = rel_realloc(*p, c * size)))
        return false;
    *p = q;
    *cap = c;
    return true;
}

/* An array grown by doubling, cut to n elements when that saves much. */
static void shrink(void **p, size_t *cap, size_t n, size_t size)
{
    void *q;
    if (!*p || *cap - n < *cap / 8 || *cap - n < 1024)
        return;
    if ((q = rel_realloc(*p, n * size)) != NULL) {
        *p = q;
        *cap = n;
    }
}

/* ==== loaddata: phase 1, parsing ================================================= */

/* Where occurrence oi's '{' is: the plan keeps no offsets (a message is
 * the only use), so the text is read again, past oi objects. */
static const char *occ_start(loader *L, size_t oi)
{
    rel_json j;
    size_t i;
    rel_json_init(&j, L->j.start, (size_t)(L->j.end - L->j.start));
    if (rel_json_expect(&j, '[', ""))
        return L->j.start;
    for (i = 0; i < oi; i++)
        if (rel_json_skip(&j, 3, &L->scratch) || rel_json_expect(&j, ',', ""))
            return L->j.start;
    rel_json_peek(&j);
    return j.p;
}


/* The model whose label is s[0..n): "app.model", the model name in any
 * case as Django's apps.get_model takes it (a name written exactly wins
 * over one that differs in case). */
static uint32_t find_model(loader *L, const char *s, size_t n, bool *ambiguous)
{
    const schema_info *in = &L->in;
    size_t app = strlen(L->s->name), len;
    const char *name;
    uint32_t h, found_k = NONE, nfound = 0;
    *ambiguous = false;
    if (n <= app || memcmp(s, L->s->name, app) != 0 || s[app] != '.')
        return NONE;
    name = s + app + 1;
    len = n - app - 1;
    for (h = hash_bytes(name, len, true, 2166136261u) & in->models.mask; in->models.slots[h];
         h = (h + 1) & in->models.mask) {
        uint32_t k = in->models.slots[h] - 1;
        const char *x = L->s->models[k].name;
        if (strlen(x) != len || !eq_fold(x, name, len))
            continue;
        if (memcmp(x, name, len) == 0)
            return k;
        found_k = k;
        nfound++;
    }
    *ambiguous = nfound > 1;
    return nfound == 1 ? found_k : NONE;
}

/* A pk or a reference: an integer from 1 to REL_VEC_MAX.  Returns the
 * reader's error, or REL_JSON_OK with *value 0 when the number is not an
 * integer in that range (no object can have it; num->integer says
 * whether it was an integer at all). */
static int read_id(rel_json *j, rel_json_num *num, uint64_t *value)
{
    int rc = rel_json_number(j, num);
    if (rc)
        return rc;
    *value = num->integer && !num->negative && !num->overflow && num->mag >= 1 && num->mag <= REL_VEC_MAX
             ? num->mag : 0;
    return REL_JSON_OK;
}

/* A string field's value: the field's default itself when equal to it (no
 * copy), else a copy.  NULL when out of memory. */
static const char *keep_string(const rel_field *f, const rel_json_str *v)
{
    const char *def = f->def ? (const char *)f->def : rel_empty_string;
    char *copy;
    if (strncmp(def, v->s, v->len) == 0 && def[v->len] == '\0' && !v->nul)
        return def;
    if (v->len == 0)
        return rel_empty_string;
    if (v->len == SIZE_MAX || !(copy = (char *)rel_malloc(v->len + 1)))
        return NULL;
    memcpy(copy, v->s, v->len);
    copy[v->len] = '\0';
    return copy;
}

/* The value of item v of occurrence `oi` (model k, pk) at the cursor. */
/* A scalar value for field f (item v of model k's object pk, which the
 * messages name: the field itself, or a to_field relation to it). */
static rel_status parse_scalar(loader *L, uint32_t k, uint64_t pk, uint32_t v, const rel_field *f, uint64_t *slot)
{
    rel_json *j = &L->j;
    const char *at = j->p;
    rel_json_num num;
    char q[48];
    int c = rel_json_peek(j), rc;
    {
        if (f->type == REL_STRING) {
            rel_json_str str;
            const char *kept;
            if (c != '"')
                return fail_at(L, at, REL_EINVAL, k, pk, v, "expected a string, found %s", found(j));
            if ((rc = rel_json_string(j, &L->scratch, &str)))
                return fail_json(L, rc, k, pk, v);
            if (str.nul)
                return fail_at(L, at, REL_EINVAL, k, pk, v, "the string contains U+0000, which a C string cannot hold");
            if (f->max_length && str.chars > f->max_length)
                return fail_at(L, at, REL_ETOOLONG, k, pk, v, "%llu characters, longer than its max_length %llu",
                               (unsigned long long)str.chars, (unsigned long long)f->max_length);
            if (!(kept = keep_string(f, &str)))
                return fail_nomem(L);
            *slot = (uint64_t)(uintptr_t)kept;
            return REL_OK;
        }
        if (f->type == REL_BOOL) {
            int which = 0;
            if ((c != 't' && c != 'f') || rel_json_literal(j, &which))
                return fail_at(L, at, REL_EINVAL, k, pk, v, "expected true or false, found %s", found(j));
            *slot = which == REL_JSON_TRUE;
            return REL_OK;
        }
        if (!is_number_start(c))
            return fail_at(L, at, REL_EINVAL, k, pk, v, "expected a number, found %s", found(j));
        if ((rc = rel_json_number(j, &num)))
            return fail_json(L, rc, k, pk, v);
        if (f->type == REL_FLOAT || f->type == REL_DOUBLE) {
            double d;
            if (num.special == REL_JSON_NAN)
                return fail_at(L, at, REL_EINVAL, k, pk, v, "NaN is not loaded (Django refuses it too)");
            if (rel_json_num_double(&num, &d))
                return fail_at(L, at, REL_EINVAL, k, pk, v, "%s is out of range for double",
                               quote(num.s, num.len, q));
            if (f->type == REL_FLOAT) {
                /* FLT_MAX plus half its last place: beyond, a float is infinite. */
                const double limit = (double)FLT_MAX + 4503599627370496.0 * 2251799813685248.0;
                if (!num.special && (d >= limit || d <= -limit))
                    return fail_at(L, at, REL_EINVAL, k, pk, v, "%s is out of range for float",
                                   quote(num.s, num.len, q));
                d = (double)(float)d;
            }
            memcpy(slot, &d, sizeof d);
            return REL_OK;
        }
        if (!num.integer)
            return fail_at(L, at, REL_EINVAL, k, pk, v, "expected an integer, found %s", quote(num.s, num.len, q));
        {
            /* The range of the field's C type. */
            uint64_t max;
            uint64_t min_mag;   /* of a negative value */
            switch (f->type) {
            case REL_INT8:   max = INT8_MAX; min_mag = 128u; break;
            case REL_INT16:  max = INT16_MAX; min_mag = 32768u; break;
            case REL_INT32:  max = INT32_MAX; min_mag = (uint64_t)INT32_MAX + 1; break;
            case REL_INT64:  max = INT64_MAX; min_mag = (uint64_t)INT64_MAX + 1; break;
            case REL_UINT8:  max = UINT8_MAX; min_mag = 0; break;
            case REL_UINT16: max = UINT16_MAX; min_mag = 0; break;
            case REL_UINT32: max = UINT32_MAX; min_mag = 0; break;
            default:         max = UINT64_MAX; min_mag = 0; break;
            }
            if (num.overflow || (num.negative ? num.mag > min_mag : num.mag > max))
                return fail_at(L, at, REL_EINVAL, k, pk, v, "%s is out of range for %s", quote(num.s, num.len, q),
                               f->type == REL_INT8 ? "int8" : f->type == REL_INT16 ? "int16"
                               : f->type == REL_INT32 ? "int32" : f->type == REL_INT64 ? "int64"
                               : f->type == REL_UINT8 ? "uint8" : f->type == REL_UINT16 ? "uint16"
                               : f->type == REL_UINT32 ? "uint32" : "uint64");
            *slot = num.negative ? (uint64_t)0 - num.mag : num.mag;
            return REL_OK;
        }
    }
}

/* A ForeignKey's or OneToOneField's value that is its to_field's value
 * (as Django writes it): parsed as that field of the target, kept in
 * L->tovals, and the slot gets its place + 1 until resolve_to_fields
 * turns it into the target's pk. */
static rel_status parse_to_field(loader *L, uint32_t k, uint64_t pk, uint32_t v, uint32_t ri, uint64_t *slot)
{
    const rel_relation *r = &L->s->relations[ri];
    const rel_field *tf = &L->s->models[r->target].fields[r->to_field - 1];
    uint64_t val;
    rel_status st;
    if ((st = parse_scalar(L, k, pk, v, tf, &val)) != REL_OK)
        return st;
    if (!grow((void **)&L->tovals, &L->captovals, L->ntovals + 1, sizeof *L->tovals)) {
        if (tf->type == REL_STRING && rel_string_owned(tf, (const char *)(uintptr_t)val))
            rel_free((void *)(uintptr_t)val);
        return fail_nomem(L);
    }
    L->tovals[L->ntovals].val = val;
    L->tovals[L->ntovals].field = tf;
    *slot = ++L->ntovals;
    return REL_OK;
}

static rel_status parse_value(loader *L, size_t oi, uint32_t k, uint64_t pk, uint32_t v, uint64_t *slot)
{
    rel_json *j = &L->j;
    const rel_model *m = &L->s->models[k];
    const rel_relation *r = item_relation(L->s, m, v);
    const char *at;
    rel_json_num num;
    char q[48];
    int c = rel_json_peek(j), rc;

    at = j->p;
    if (!r)
        return parse_scalar(L, k, pk, v, &m->fields[v], slot);
    if (r->type != REL_MANY_TO_MANY && r->to_field && c != 'n')
        return parse_to_field(L, k, pk, v, m->relations[v - m->nfields], slot);
    if (r->through != REL_NONE)
        /* Django's loaddata calls set() with the list, which makes through
         * objects with their defaults and new pks; relc takes the through
         * objects themselves, as dumpdata writes them. */
        return fail_at(L, at, REL_EINVAL, k, pk, v, "a many-to-many through %s is not loaded from a list; "
                       "give its %s objects instead", L->s->models[r->through].name,
                       L->s->models[r->through].name);
    if (r->type != REL_MANY_TO_MANY) {
        uint64_t id;
        char tl[520];
        if (c == 'n') {
            int which = 0;
            if (rel_json_literal(j, &which) || which != REL_JSON_NULL)
                return fail_at(L, at, REL_EINVAL, k, pk, v, "expected a pk or null, found %s", found(j));
            if (!r->null)
                return fail_at(L, at, REL_ENULL, k, pk, v, "null, but it is required (not null = true)");
            *slot = 0;
            return REL_OK;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            if ((rc = read_id(j, &num, &id)))
                return fail_json(L, rc, k, pk, v);
            if (!num.integer)
                return fail_at(L, at, REL_EINVAL, k, pk, v, "expected a pk (an integer), found %s",
                               quote(num.s, num.len, q));
            if (!id)
                return fail_at(L, at, REL_EINVAL, k, pk, v, "%s %s does not exist", label(&L->in, r->target, tl, sizeof tl),
                               quote(num.s, num.len, q));
            *slot = id;
            return REL_OK;
        }
        return fail_at(L, at, REL_EINVAL, k, pk, v, "expected a pk or null, found %s", found(j));
    }
    /* Many-to-many: a list of pks. */
    {
        m2m_list *list;
        uint32_t count = 0;
        char tl[520];
        if (c != '[')
            return fail_at(L, at, REL_EINVAL, k, pk, v, "expected a list of pks, found %s", found(j));
        if (!grow((void **)&L->lists, &L->caplists, L->nlists + 1, sizeof *L->lists))
            return fail_nomem(L);
        list = &L->lists[L->nlists];
        list->start = L->nlinks;
        list->occ = oi;
        j->p++;
        if (rel_json_peek(j) == ']') {
            j->p++;
        } else {
            for (;;) {
                uint64_t id;
                const char *eat;
                c = rel_json_peek(j);
                eat = j->p;
                if (!(c == '-' || (c >= '0' && c <= '9')))
                    return fail_at(L, eat, REL_EINVAL, k, pk, v, "expected a pk (an integer), found %s", found(j));
                if ((rc = read_id(j, &num, &id)))
                    return fail_json(L, rc, k, pk, v);
                if (!num.integer)
                    return fail_at(L, eat, REL_EINVAL, k, pk, v, "expected a pk (an integer), found %s",
                                   quote(num.s, num.len, q));
                if (!id)
                    return fail_at(L, eat, REL_EINVAL, k, pk, v, "%s %s does not exist",
                                   label(&L->in, r->target, tl, sizeof tl), quote(num.s, num.len, q));
                if (count == REL_VEC_MAX)
                    return fail_at(L, eat, REL_ENOMEM, k, pk, v, "more pks than a set can hold");
                if (L->nlinks == L->caplinks
                    && !grow((void **)&L->links, &L->caplinks, L->nlinks + 1, sizeof *L->links))
                    return fail_nomem(L);
                L->links[L->nlinks++] = (uint32_t)id;
                count++;
                if ((c = rel_json_next(j, ']')) > 0)
                    continue;
                if (c == 0)
                    break;
                return fail_at(L, j->p, REL_EINVAL, k, pk, v, "expected ',' or ']' in the list of pks");
            }
        }
        list->count = count;
        *slot = L->nlists++;
        return REL_OK;
    }
}

/* ---- GenericForeignKey: its two concrete fields ----
 * While an object's fields are read, both values of a GenericForeignKey
 * wait in the slot of its first relation (GEN_*); gen_finish then moves
 * the object id to the relation of the model the content type names, so
 * that every later phase sees a ForeignKey's pk there. */
#define GEN_CT_GIVEN ((uint64_t)1 << 63)
#define GEN_ID_GIVEN ((uint64_t)1 << 62)
#define GEN_CT(val) ((uint32_t)((val) >> 32) & 0x3FFFFFFFu)   /* model + 1, 0: null */
#define GEN_ID(val) ((uint32_t)(val))

/* Model k's GenericForeignKey whose content type is called name[0..n):
 * its first item, or NONE. */
static uint32_t gen_find_ct(const loader *L, uint32_t k, const char *name, size_t n)
{
    const rel_model *m = &L->s->models[k];
    uint32_t x;
    for (x = 0; x < m->nrelations; x++) {
        const rel_relation *r = &L->s->relations[m->relations[x]];
        if (r->type == REL_GENERIC && !gen_later(L->s, m, m->nfields + x) && strncmp(r->ct_name, name, n) == 0
            && r->ct_name[n] == '\0')
            return m->nfields + x;
    }
    return NONE;
}

/* The content type (ct) or object id of the GenericForeignKey whose first
 * item is v, at the cursor, into *slot. */
static rel_status gen_parse(loader *L, uint32_t k, uint64_t pk, uint32_t v, bool ct, uint64_t *slot)
{
    rel_json *j = &L->j;
    const rel_schema *s = L->s;
    const rel_model *m = &s->models[k];
    const rel_relation *r = item_relation(s, m, v);
    const char *at = j->p, *field = ct ? r->ct_name : r->fk_name;
    uint64_t given = ct ? GEN_CT_GIVEN : GEN_ID_GIVEN, id;
    rel_json_num num;
    rel_json_str str;
    char q[48], q2[48], name[600];
    int c = rel_json_peek(j), rc, which = 0;
    bool app_ok;
    uint32_t t, x;

    if (*slot & given)
        return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: the field appears twice", field);
    *slot |= given;
    if (c == 'n') {
        if (rel_json_literal(j, &which) || which != REL_JSON_NULL)
            return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: expected %s or null, found %s", field,
                           ct ? "a content type" : "a pk", found(j));
        return REL_OK;
    }
    if (!ct) {
        if (!(c == '-' || (c >= '0' && c <= '9')))
            return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: expected a pk or null, found %s", field, found(j));
        if ((rc = read_id(j, &num, &id)))
            return fail_json(L, rc, k, pk, NONE);
        if (!num.integer)
            return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: expected a pk (an integer), found %s", field,
                           quote(num.s, num.len, q));
        if (!id)
            return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: no object has pk %s", field, quote(num.s, num.len, q));
        *slot |= id;
        return REL_OK;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: a content type's pk has no meaning in relc; write its "
                       "natural key, [\"%s\", \"model\"]", field, s->name);
    if (c != '[')
        return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: expected a content type [\"app\", \"model\"] or null, "
                       "found %s", field, found(j));
    j->p++;
    if (rel_json_peek(j) != '"')
        return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "%s: expected the app label (a string), found %s", field,
                       found(j));
    if ((rc = rel_json_string(j, &L->scratch, &str)))
        return fail_json(L, rc, k, pk, NONE);
    app_ok = str.len == strlen(s->name) && memcmp(str.s, s->name, str.len) == 0;
    quote(str.s, str.len, q);
    if ((rc = rel_json_expect(j, ',', "expected ',' and the model name in the content type")))
        return fail_json(L, rc, k, pk, NONE);
    if (rel_json_peek(j) != '"')
        return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "%s: expected the model name (a string), found %s", field,
                       found(j));
    if ((rc = rel_json_string(j, &L->scratch, &str)))
        return fail_json(L, rc, k, pk, NONE);
    if ((rc = rel_json_expect(j, ']', "expected ']' after the content type's model")))
        return fail_json(L, rc, k, pk, NONE);
    t = NONE;
    if (app_ok && str.len < sizeof name - strlen(s->name) - 2 && !memchr(str.s, '\0', str.len)) {
        bool ambiguous;
        size_t n = (size_t)snprintf(name, sizeof name, "%s.", s->name);
        memcpy(name + n, str.s, str.len);
        t = find_model(L, name, n + str.len, &ambiguous);
    }
    if (t == NONE)
        return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: no content type [\"%s\", \"%s\"] in this schema", field, q,
                       quote(str.s, str.len, q2));
    for (x = v - m->nfields; x < m->nrelations && (x == v - m->nfields || gen_later(s, m, m->nfields + x)); x++)
        if (s->relations[m->relations[x]].target == t) {
            *slot |= (uint64_t)(t + 1) << 32;
            return REL_OK;
        }
    return fail_at(L, at, REL_EINVAL, k, pk, NONE, "%s: %s.%s cannot point at %s (not one of the models it lists)",
                   field, m->name, r->name, s->models[t].name);
}

/* After an object's fields: each GenericForeignKey given as its pair
 * (both null, or both set) becomes the pk in the relation of the model
 * its content type names.  `open` is where the object's fields start. */
static rel_status gen_finish(loader *L, uint32_t k, uint64_t pk, size_t base, const char *open)
{
    const rel_schema *s = L->s;
    const rel_model *m = &s->models[k];
    uint32_t W = mask_words(m), x, y;
    for (x = 0; x < m->nrelations; x++) {
        const rel_relation *r = &s->relations[m->relations[x]];
        uint32_t v = m->nfields + x;
        uint64_t val;
        if (r->type != REL_GENERIC || gen_later(s, m, v))
            continue;
        if (!has(&L->slots[base], v)) {
            if (!r->null)
                return fail_at(L, open, REL_ENULL, k, pk, NONE, "%s, %s: missing, but %s is required (not null = true)",
                               r->ct_name, r->fk_name, r->name);
            continue;
        }
        val = L->slots[base + W + v];
        L->slots[base + W + v] = 0;
        L->slots[base + v / 64] &= ~((uint64_t)1 << (v % 64));
        if (!GEN_CT(val) != !GEN_ID(val))
            return fail_at(L, open, REL_EINVAL, k, pk, NONE, "%s and %s must both be null or both be set (%s)",
                           r->ct_name, r->fk_name, r->name);
        if (!GEN_CT(val)) {
            if (!r->null)
                return fail_at(L, open, REL_ENULL, k, pk, NONE, "%s, %s: null, but %s is required (not null = true)",
                               r->ct_name, r->fk_name, r->name);
            continue;
        }
        for (y = x; y < m->nrelations && (y == x || gen_later(s, m, m->nfields + y)); y++)
            if (s->relations[m->relations[y]].target == GEN_CT(val) - 1) {
                uint32_t vy = m->nfields + y;
                L->slots[base + W + vy] = GEN_ID(val);
                L->slots[base + vy / 64] |= (uint64_t)1 << (vy % 64);
            }
    }
    return REL_OK;
}

/* The "fields" object of an object of model k with this pk, whose '{'
 * is at `open`: one occurrence in the plan. */
static rel_status parse_fields(loader *L, uint32_t k, uint64_t pk, const char *open)
{
    rel_json *j = &L->j;
    const rel_model *m = &L->s->models[k];
    const schema_info *in = &L->in;
    uint32_t nitems = m->nfields + m->nrelations, W = mask_words(m), cursor = 0, i;
    size_t oi = L->nocc, base;
    occ_rec *o;
    int c, rc;

    if (!grow((void **)&L->occ, &L->capocc, L->nocc + 1, sizeof *L->occ)
        || !grow((void **)&L->slots, &L->capslots, L->nslots + W + nitems + 1, sizeof *L->slots))
        return fail_nomem(L);
    o = &L->occ[L->nocc++];
    o->mk = k;
    o->pk = (uint32_t)pk;
    o->slot = base = L->nslots;
    memset(&L->slots[base], 0, (W + (size_t)nitems + 1) * sizeof *L->slots);
    L->nslots += W + nitems;
    if (oi > 0) {
        const occ_rec *p = &L->occ[oi - 1];
        if (!(occ_model(p) < k || (occ_model(p) == k && p->pk < pk)))
            L->in_order = false;
    }
    if (pk > L->seq[k])
        L->seq[k] = pk;

    if (rel_json_peek(j) != '{')
        return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "\"fields\" must be an object, found %s", found(j));
    j->p++;
    c = rel_json_peek(j);
    if (c == '}') {
        j->p++;
    } else {
        for (;;) {
            rel_json_str key;
            const char *kat;
            uint32_t v = NONE;
            char q[48];
            bool gen = false, ct = false;
            c = rel_json_peek(j);
            kat = j->p;
            if (c != '"')
                return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "expected a field name (a string), found %s",
                               found(j));
            if ((rc = rel_json_string(j, &L->scratch, &key)))
                return fail_json(L, rc, k, pk, NONE);
            /* Most fixtures name the fields in the order dumpdata writes. */
            if (memchr(key.s, '\0', key.len)) {
                v = NONE;
            } else if (cursor < nitems) {
                uint32_t guess = in->seq[in->first[k] + cursor];
                const char *x = item_name(L->s, m, guess);
                if (strncmp(x, key.s, key.len) == 0 && x[key.len] == '\0')
                    v = guess;
            }
            if (v == NONE && !memchr(key.s, '\0', key.len))
                v = find_item(in, k, key.s, key.len);
            gen = v != NONE && item_relation(L->s, m, v) && item_relation(L->s, m, v)->type == REL_GENERIC;
            if (v == NONE && !memchr(key.s, '\0', key.len) && (v = gen_find_ct(L, k, key.s, key.len)) != NONE)
                gen = ct = true;
            if (v == NONE)
                return fail_at(L, kat, REL_EINVAL, k, pk, NONE, "unknown field '%s'", quote(key.s, key.len, q));
            while (gen && gen_later(L->s, m, v))   /* a GenericForeignKey's pair waits at its first item */
                v--;
            cursor = in->pos[in->first[k] + v] + 1;
            if (!gen && has(&L->slots[base], v))
                return fail_at(L, kat, REL_EINVAL, k, pk, v, "the field appears twice");
            L->slots[base + v / 64] |= (uint64_t)1 << (v % 64);
            if ((rc = rel_json_expect(j, ':', "expected ':' after a field name")))
                return fail_json(L, rc, k, pk, gen ? NONE : v);
            if (gen ? gen_parse(L, k, pk, v, ct, &L->slots[base + W + v])
                    : parse_value(L, oi, k, pk, v, &L->slots[base + W + v]))
                return L->st;
            if ((c = rel_json_next(j, '}')) > 0)
                continue;
            if (c == 0)
                break;
            return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "expected ',' or '}' after a field");
        }
    }
    if (gen_finish(L, k, pk, base, open))
        return L->st;
    /* Django saves every object of the text, so each must have its
     * required relations (NOT NULL), a new object or an update.  (A
     * GenericForeignKey's: gen_finish.) */
    for (i = 0; i < m->nrequired; i++) {
        uint32_t v;
        if (m->required[i] & REL_ARG_FIELD)
            continue;   /* a unique scalar: missing, it takes its default */
        v = in->rel_item[m->required[i]];
        if (L->s->relations[m->required[i]].type == REL_GENERIC)
            continue;
        if (!has(&L->slots[base], v))
            return fail_at(L, open, REL_ENULL, k, pk, v, "missing, but it is required (not null = true)");
    }
    return REL_OK;
}

/* One object of the list, at the cursor. */
static rel_status parse_object(loader *L)
{
    rel_json *j = &L->j;
    const char *open, *fields_at = NULL;
    uint32_t k = NONE;
    uint64_t pk = 0;
    bool have_model = false, have_pk = false, have_fields = false, done_fields = false;
    int c, rc;
    char q[48];

    if (rel_json_peek(j) != '{')
        return fail_at(L, j->p, REL_EINVAL, NONE, 0, NONE, "expected an object ({\"model\": ..., \"pk\": ..., \"fields\": ...}), found %s",
                       found(j));
    open = j->p++;
    if (rel_json_peek(j) == '}') {
        j->p++;
    } else {
        for (;;) {
            rel_json_str key;
            const char *kat;
            c = rel_json_peek(j);
            kat = j->p;
            if (c != '"')
                return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "expected a key (a string), found %s", found(j));
            if ((rc = rel_json_string(j, &L->scratch, &key)))
                return fail_json(L, rc, k, pk, NONE);
            if ((rc = rel_json_expect(j, ':', "expected ':' after a key")))
                return fail_json(L, rc, k, pk, NONE);
            if (key.len == 5 && memcmp(key.s, "model", 5) == 0) {
                rel_json_str lab;
                const char *vat;
                bool ambiguous = false;
                if (have_model)
                    return fail_at(L, kat, REL_EINVAL, k, pk, NONE, "the key \"model\" appears twice");
                have_model = true;
                c = rel_json_peek(j);
                vat = j->p;
                if (c != '"')
                    return fail_at(L, j->p, REL_EINVAL, NONE, 0, NONE, "\"model\" must be a string (\"app.model\"), found %s",
                                   found(j));
                if ((rc = rel_json_string(j, &L->scratch, &lab)))
                    return fail_json(L, rc, NONE, 0, NONE);
                if (L->last_label && lab.len == L->last_label_len && memcmp(lab.s, L->last_label, lab.len) == 0) {
                    k = L->last_model;
                } else {
                    k = memchr(lab.s, '\0', lab.len) ? NONE : find_model(L, lab.s, lab.len, &ambiguous);
                    if (k == NONE)
                        return fail_at(L, vat, REL_EINVAL, NONE, 0, NONE, ambiguous
                                       ? "model '%s' names two models that differ only in case: write its name as the schema does"
                                       : "unknown model '%s'", quote(lab.s, lab.len, q));
                    if (lab.s != L->scratch.data) {
                        L->last_label = lab.s;
                        L->last_label_len = lab.len;
                        L->last_model = k;
                    }
                }
            } else if (key.len == 2 && memcmp(key.s, "pk", 2) == 0) {
                rel_json_num num;
                const char *vat;
                if (have_pk)
                    return fail_at(L, kat, REL_EINVAL, k, pk, NONE, "the key \"pk\" appears twice");
                have_pk = true;
                c = rel_json_peek(j);
                vat = j->p;
                if (c == 'n') {
                    int which = 0;
                    if (rel_json_literal(j, &which) || which != REL_JSON_NULL)
                        return fail_at(L, vat, REL_EINVAL, k, 0, NONE, "\"pk\" must be an integer or null, found %s",
                                       found(j));
                    pk = 0;
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                    if ((rc = read_id(j, &num, &pk)))
                        return fail_json(L, rc, k, 0, NONE);
                    if (!num.integer)
                        return fail_at(L, vat, REL_EINVAL, k, 0, NONE, "\"pk\" must be an integer or null, found %s",
                                       quote(num.s, num.len, q));
                    if (!pk)
                        return fail_at(L, vat, REL_EINVAL, k, 0, NONE,
                                       "pk %s is out of range: relc's ids go from 1 to %lu", quote(num.s, num.len, q),
                                       (unsigned long)REL_VEC_MAX);
                } else {
                    return fail_at(L, vat, REL_EINVAL, k, 0, NONE, "\"pk\" must be an integer or null, found %s",
                                   found(j));
                }
            } else if (key.len == 6 && memcmp(key.s, "fields", 6) == 0) {
                if (have_fields)
                    return fail_at(L, kat, REL_EINVAL, k, pk, NONE, "the key \"fields\" appears twice");
                have_fields = true;
                if (rel_json_peek(j) != '{')
                    return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "\"fields\" must be an object, found %s", found(j));
                if (have_model && have_pk) {
                    if (!pk) {
                        pk = L->seq[k] + 1;
                        if (pk > REL_VEC_MAX)
                            return fail_at(L, open, REL_EINVAL, k, 0, NONE, "no pk left for an object without one");
                    }
                    if (parse_fields(L, k, pk, open))
                        return L->st;
                    done_fields = true;
                } else {
                    /* Read once model and pk are known. */
                    fields_at = j->p;
                    if ((rc = rel_json_skip(j, 2, &L->scratch)))
                        return fail_json(L, rc, k, pk, NONE);
                }
            } else {
                return fail_at(L, kat, REL_EINVAL, k, pk, NONE,
                               "unknown key '%s' (an object of a fixture has \"model\", \"pk\" and \"fields\")",
                               quote(key.s, key.len, q));
            }
            if ((c = rel_json_next(j, '}')) > 0)
                continue;
            if (c == 0)
                break;
            return fail_at(L, j->p, REL_EINVAL, k, pk, NONE, "expected ',' or '}' in an object");
        }
    }
    if (!have_model)
        return fail_at(L, open, REL_EINVAL, NONE, 0, NONE, "an object without \"model\"");
    if (!have_fields)
        return fail_at(L, open, REL_EINVAL, k, pk, NONE, "an object without \"fields\"");
    if (!done_fields) {
        const char *after = j->p;
        if (!pk) {
            pk = L->seq[k] + 1;
            if (pk > REL_VEC_MAX)
                return fail_at(L, open, REL_EINVAL, k, 0, NONE, "no pk left for an object without one");
        }
        j->p = fields_at;
        if (parse_fields(L, k, pk, open))
            return L->st;
        j->p = after;
    }
    return REL_OK;
}

static rel_status parse(loader *L)
{
    rel_json *j = &L->j;
    int c = rel_json_peek(j);
    if (c != '[')
        return fail_at(L, j->p, REL_EINVAL, NONE, 0, NONE, "a fixture is a JSON list of objects: expected '[', found %s",
                       found(j));
    j->p++;
    if (rel_json_peek(j) == ']') {
        j->p++;
    } else {
        for (;;) {
            if (parse_object(L))
                return L->st;
            if ((c = rel_json_next(j, ']')) > 0)
                continue;
            if (c == 0)
                break;
            return fail_at(L, j->p, REL_EINVAL, NONE, 0, NONE, "expected ',' or ']' after an object");
        }
    }
    if (rel_json_peek(j) != -1)
        return fail_at(L, j->p, REL_EINVAL, NONE, 0, NONE, "text after the end of the fixture's list");
    return REL_OK;
}

/* ==== loaddata: phase 2, resolving ================================================ */

/* Where item v of occurrence oi is written (its value; the elem-th pk of
 * a list when elem >= 0), for a message: the text was read once without
 * error, so this reads it again without checks. */
static const char *locate(loader *L, size_t oi, uint32_t v, long elem)
{
    const occ_rec *o = &L->occ[oi];
    uint32_t k = occ_model(o);
    const rel_model *m = &L->s->models[k];
    const char *name = item_name(L->s, m, v);
    const char *open = occ_start(L, oi);
    rel_json j;
    rel_json_str key;

    rel_json_init(&j, L->j.start, (size_t)(L->j.end - L->j.start));
    j.p = open + 1;
    while (rel_json_peek(&j) == '"') {
        if (rel_json_string(&j, &L->scratch, &key) || rel_json_expect(&j, ':', ""))
            return open;
        if (key.len == 6 && memcmp(key.s, "fields", 6) == 0 && rel_json_peek(&j) == '{') {
            j.p++;
            while (rel_json_peek(&j) == '"') {
                size_t n = strlen(name);
                const char *kat = j.p;
                bool match;
                if (rel_json_string(&j, &L->scratch, &key) || rel_json_expect(&j, ':', ""))
                    return open;
                match = (key.len == n && memcmp(key.s, name, n) == 0)
                        || (key.len == n + 3 && memcmp(key.s, name, n) == 0 && memcmp(key.s + n, "_id", 3) == 0);
                if (match) {
                    rel_json_peek(&j);
                    if (elem < 0 || *j.p != '[')
                        return j.p;
                    j.p++;
                    while (elem-- > 0) {
                        if (rel_json_skip(&j, 1, &L->scratch) || rel_json_expect(&j, ',', ""))
                            return kat;
                    }
                    rel_json_peek(&j);
                    return j.p;
                }
                if (rel_json_skip(&j, 2, &L->scratch))
                    return open;
                if (rel_json_peek(&j) == ',')
                    j.p++;
            }
            return open;
        }
        if (rel_json_skip(&j, 3, &L->scratch))
            return open;
        if (rel_json_peek(&j) == ',')
            j.p++;
    }
    return open;
}

static rel_status fail_item(loader *L, size_t oi, uint32_t v, long elem, rel_status st, const char *fmt,
                            const char *a, uint64_t b)
{
    const occ_rec *o = &L->occ[oi];
    return fail_at(L, locate(L, oi, v, elem), st, occ_model(o), o->pk, v, fmt, a, (unsigned long long)b);
}

/* Stable merge sort of the occurrences by (model, pk). */
static bool sort_occurrences(loader *L)
{
    size_t n = L->nocc, width, i, *a, *b, *t;
    if (n > SIZE_MAX / 2 / sizeof(size_t))
        return false;
    a = (size_t *)rel_malloc(n * sizeof *a);
    b = (size_t *)rel_malloc(n * sizeof *b);
    if (!a || !b) {
        rel_free(a);
        rel_free(b);
        return false;
    }
    for (i = 0; i < n; i++)
        a[i] = i;
    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            size_t lo = i, mid = i + width < n ? i + width : n, hi = i + 2 * width < n ? i + 2 * width : n;
            size_t x = lo, y = mid, o = lo;
            while (x < mid && y < hi) {
                const occ_rec *p = &L->occ[a[x]], *q = &L->occ[a[y]];
                bool take_y = occ_model(q) < occ_model(p) || (occ_model(q) == occ_model(p) && q->pk < p->pk);
                b[o++] = take_y ? a[y++] : a[x++];
            }
            while (x < mid)
                b[o++] = a[x++];
            while (y < hi)
                b[o++] = a[y++];
        }
        t = a;
        a = b;
        b = t;
    }
    rel_free(b);
    L->order = a;
    return true;
}

/* The same pk twice: the last occurrence is the one that counts (Django
 * saves each, and the last save wins), but a many-to-many field that it
 * leaves out keeps the set an earlier one gave (Django's save leaves
 * such a set alone). */
static void merge_duplicates(loader *L)
{
    size_t a = 0, b, n = L->nocc;
    while (a < n) {
        occ_rec *last;
        const rel_model *m;
        uint32_t i;
        for (b = a + 1; b < n; b++) {
            const occ_rec *p = &L->occ[ord(L, a)], *q = &L->occ[ord(L, b)];
            if (occ_model(p) != occ_model(q) || p->pk != q->pk)
                break;
        }
        if (b - a == 1) {
            a = b;
            continue;
        }
        last = &L->occ[ord(L, b - 1)];
        m = &L->s->models[occ_model(last)];
        for (i = a; i + 1 < b; i++)
            L->occ[ord(L, i)].mk |= OCC_SUPERSEDED;
        for (i = 0; i < m->nrelations; i++) {
            uint32_t v = m->nfields + i;
            size_t x;
            if (L->s->relations[m->relations[i]].type != REL_MANY_TO_MANY || has(occ_mask(L, last), v))
                continue;
            for (x = b - 1; x-- > a;) {
                const occ_rec *earlier = &L->occ[ord(L, x)];
                if (has(occ_mask(L, earlier), v)) {
                    *value_slot(L, last, v) = *value_slot(L, earlier, v);
                    L->slots[last->slot + v / 64] |= (uint64_t)1 << (v % 64);
                    break;
                }
            }
        }
        a = b;
    }
}

/* The occurrence that counts for (k, pk), or SIZE_MAX. */
static size_t find_occ(const loader *L, uint32_t k, uint64_t pk)
{
    size_t lo = L->range[k], hi = L->range[k + 1];
    while (lo < hi) {   /* the first with a greater pk */
        size_t mid = lo + (hi - lo) / 2;
        if (L->occ[ord(L, mid)].pk <= pk)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > L->range[k] && L->occ[ord(L, lo - 1)].pk == pk)
        return ord(L, lo - 1);
    return SIZE_MAX;
}

/* ---- u64map ---- */

static bool map_put(u64map *mp, uint64_t key, uint32_t val)
{
    size_t h;
    if (2 * (mp->n + 1) > mp->cap) {
        size_t cap = mp->cap ? mp->cap * 2 : 64, i;
        uint64_t *keys;
        uint32_t *vals;
        if (cap > SIZE_MAX / 2 / sizeof(uint64_t))
            return false;
        keys = (uint64_t *)rel_malloc(cap * sizeof *keys);
        vals = (uint32_t *)rel_malloc(cap * sizeof *vals);
        if (!keys || !vals) {
            rel_free(keys);
            rel_free(vals);
            return false;
        }
        memset(keys, 0, cap * sizeof *keys);
        for (i = 0; i < mp->cap; i++) {
            if (!mp->keys[i])
                continue;
            for (h = (size_t)((mp->keys[i] * 0x9E3779B97F4A7C15u) >> 20) & (cap - 1); keys[h]; h = (h + 1) & (cap - 1))
                ;
            keys[h] = mp->keys[i];
            vals[h] = mp->vals[i];
        }
        rel_free(mp->keys);
        rel_free(mp->vals);
        mp->keys = keys;
        mp->vals = vals;
        mp->cap = cap;
    }
    for (h = (size_t)((key * 0x9E3779B97F4A7C15u) >> 20) & (mp->cap - 1); mp->keys[h]; h = (h + 1) & (mp->cap - 1))
        if (mp->keys[h] == key) {
            mp->vals[h] = val;
            return true;
        }
    mp->keys[h] = key;
    mp->vals[h] = val;
    mp->n++;
    return true;
}

static bool map_get(const u64map *mp, uint64_t key, uint32_t *val)
{
    size_t h;
    if (!mp->cap)
        return false;
    for (h = (size_t)((key * 0x9E3779B97F4A7C15u) >> 20) & (mp->cap - 1); mp->keys[h]; h = (h + 1) & (mp->cap - 1))
        if (mp->keys[h] == key) {
            *val = mp->vals[h];
            return true;
        }
    return false;
}

static void map_free(u64map *mp)
{
    rel_free(mp->keys);
    rel_free(mp->vals);
    memset(mp, 0, sizeof *mp);
}

/* One-to-one fields, saved one by one as Django's loaddata saves them:
 * a target that another object holds at that moment is a UNIQUE
 * violation, even when that object gives it up later in the text. */
static rel_status check_one_to_one(loader *L)
{
    u64map owner, target;   /* (r, target pk) -> holder pk; (r, pk) -> target pk */
    size_t oi;
    rel_status st = REL_OK;
    memset(&owner, 0, sizeof owner);
    memset(&target, 0, sizeof target);
    for (oi = 0; oi < L->nocc && !st; oi++) {
        const occ_rec *o = &L->occ[oi];
        uint32_t k = occ_model(o), i;
        const rel_model *m = &L->s->models[k];
        for (i = 0; i < m->nrelations && !st; i++) {
            uint32_t ri = m->relations[i], v = m->nfields + i, prev = 0, holder = 0, t;
            const rel_relation *r = &L->s->relations[ri];
            uint64_t kx = (uint64_t)ri << 32 | o->pk;
            if (r->type != REL_ONE_TO_ONE)
                continue;
            t = has(occ_mask(L, o), v) ? (uint32_t)*value_slot(L, o, v) : 0;
            if (!map_get(&target, kx, &prev)) {
                const void *x = rel_obj_find(L->db, k, o->pk);
                const void *old = x ? rel_fwd(x, r->fwd) : NULL;
                prev = old ? (uint32_t)rel_obj_id(old) : 0;
            }
            if (t && !map_get(&owner, (uint64_t)ri << 32 | t, &holder)) {
                const void *x = rel_obj_find(L->db, r->target, t);
                const void *h = x ? REL_CAT(x, r->rev, rel_ptr) : NULL;
                holder = h ? (uint32_t)rel_obj_id(h) : 0;
            }
            if (t && holder && holder != o->pk) {
                char tl[520], ml[520];
                label(&L->in, r->target, tl, sizeof tl);
                label(&L->in, k, ml, sizeof ml);
                st = fail_at(L, locate(L, oi, v, -1), REL_EUNIQUE, k, o->pk, v,
                             "%s %lu already has one (%s %lu), and %s is one-to-one", tl, (unsigned long)t, ml,
                             (unsigned long)holder, r->name);
                break;
            }
            if ((prev != t && ((prev && !map_put(&owner, (uint64_t)ri << 32 | prev, 0))
                               || (t && !map_put(&owner, (uint64_t)ri << 32 | t, o->pk))))
                || !map_put(&target, kx, t))
                st = fail_nomem(L);
        }
    }
    map_free(&owner);
    map_free(&target);
    return st;
}

/* Every reference of every object that counts names an object that
 * exists now (in the store before, or made by this load). */
static rel_status check_references(loader *L)
{
    size_t i;
    for (i = 0; i < L->nocc; i++) {
        const occ_rec *o = &L->occ[ord(L, i)];
        uint32_t k = occ_model(o), x;
        const rel_model *m = &L->s->models[k];
        char tl[520];
        if (o->mk & OCC_SUPERSEDED)
            continue;
        for (x = 0; x < m->nrelations; x++) {
            uint32_t v = m->nfields + x;
            const rel_relation *r = &L->s->relations[m->relations[x]];
            uint64_t val;
            if (!has(occ_mask(L, o), v))
                continue;
            val = *value_slot(L, o, v);
            if (r->type != REL_MANY_TO_MANY) {
                if (val && !rel_obj_find(L->db, r->target, val))
                    return fail_item(L, ord(L, i), v, -1, REL_EINVAL, "%s %llu does not exist",
                                     label(&L->in, r->target, tl, sizeof tl), val);
            } else {
                const m2m_list *list = &L->lists[val];
                uint32_t e;
                for (e = 0; e < list->count; e++)
                    if (!rel_obj_find(L->db, r->target, L->links[list->start + e]))
                        return fail_item(L, ord(L, i), v, (long)e, REL_EINVAL, "%s %llu does not exist",
                                         label(&L->in, r->target, tl, sizeof tl), L->links[list->start + e]);
            }
        }
    }
    return REL_OK;
}

/* Each list of pks sorted, each pk once (Django's set() adds each once). */
static void dedupe_lists(loader *L)
{
    size_t i;
    for (i = 0; i < L->nlists; i++) {
        m2m_list *list = &L->lists[i];
        uint32_t *a, n = 0, e;
        if (!list->count)
            continue;   /* (links may be NULL then) */
        a = L->links + list->start;
        sort_u32(a, list->count);
        for (e = 0; e < list->count; e++)
            if (n == 0 || a[e] != a[n - 1])
                a[n++] = a[e];
        list->count = n;
    }
}

/* A symmetrical set: Django's set() on a replaces every pair a is in, so
 * a pair {a, b} ends as the later of a's and b's last set() says.  Each
 * list keeps the pairs it decides: with itself, with objects whose set
 * the text does not give, and with objects whose set came earlier. */
static void filter_symmetrical(loader *L)
{
    size_t i;
    for (i = 0; i < L->nocc; i++) {
        const occ_rec *o = &L->occ[i];
        uint32_t k = occ_model(o), x;
        const rel_model *m = &L->s->models[k];
        if (o->mk & OCC_SUPERSEDED)
            continue;
        for (x = 0; x < m->nrelations; x++) {
            uint32_t v = m->nfields + x, n = 0, e;
            const rel_relation *r = &L->s->relations[m->relations[x]];
            m2m_list *list;
            uint32_t *a;
            if (!r->symmetrical || !has(occ_mask(L, o), v))
                continue;
            list = &L->lists[*value_slot(L, o, v)];
            if (!list->count)
                continue;
            a = L->links + list->start;
            for (e = 0; e < list->count; e++) {
                size_t other = a[e] == o->pk ? SIZE_MAX : find_occ(L, k, a[e]);
                if (other != SIZE_MAX && has(occ_mask(L, &L->occ[other]), v)
                    && L->lists[*value_slot(L, &L->occ[other], v)].occ > list->occ)
                    continue;
                a[n++] = a[e];
            }
            list->count = n;
        }
    }
}

/* Room in every list and set that gains links, so that applying cannot
 * fail.  cnt counts, per relation, the links each target gains. */
static rel_status reserve_links(loader *L)
{
    const rel_schema *s = L->s;
    uint32_t ri, *cnt = NULL;
    size_t ncnt = 0, i;
    rel_status st = REL_OK;

    for (ri = 0; ri < s->nrelations; ri++) {
        uint64_t last = rel_model_last_id(L->db, s->relations[ri].target) + 1;
        if (s->relations[ri].type != REL_ONE_TO_ONE && last > ncnt)
            ncnt = (size_t)last;
    }
    if (ncnt && !(cnt = (uint32_t *)rel_malloc(ncnt * sizeof *cnt)))
        return fail_nomem(L);
    if (cnt)
        memset(cnt, 0, ncnt * sizeof *cnt);
    for (ri = 0; ri < s->nrelations && !st; ri++) {
        const rel_relation *r = &s->relations[ri];
        uint32_t k = r->model, v = L->in.rel_item[ri];
        int pass;
        if (r->type == REL_ONE_TO_ONE)
            continue;
        /* Pass 0 counts; pass 1 reserves, and sets the counts back to 0. */
        for (pass = 0; pass < 2 && !st; pass++) {
            for (i = L->range[k]; i < L->range[k + 1] && !st; i++) {
                const occ_rec *o = &L->occ[ord(L, i)];
                uint64_t val;
                if ((o->mk & OCC_SUPERSEDED) || !has(occ_mask(L, o), v))
                    continue;
                val = *value_slot(L, o, v);
                if (rel_listed(r)) {
                    if (!val)
                        continue;
                    if (pass == 0) {
                        cnt[val]++;
                    } else if (cnt[val]) {
                        rel_list *l = &REL_AT(rel_obj_find(L->db, r->target, val), r->rev, rel_list);
                        if (rel_list_reserve(l, (size_t)l->count + cnt[val]))
                            st = fail_nomem(L);
                        cnt[val] = 0;
                    }
                } else {
                    const m2m_list *list = &L->lists[val];
                    const uint32_t *a = list->count ? L->links + list->start : NULL;
                    uint32_t e;
                    if (!r->symmetrical) {
                        if (pass == 1) {
                            void *x = rel_obj_find(L->db, k, o->pk);
                            if (rel_vec_reserve(&REL_AT(x, r->fwd, rel_vec), list->count)) {
                                st = fail_nomem(L);
                                break;
                            }
                        }
                        for (e = 0; e < list->count && !st; e++) {
                            if (pass == 0) {
                                cnt[a[e]]++;
                            } else if (cnt[a[e]]) {
                                rel_vec *set = &REL_AT(rel_obj_find(L->db, r->target, a[e]), r->rev, rel_vec);
                                if (rel_vec_reserve(set, (size_t)set->count + cnt[a[e]]))
                                    st = fail_nomem(L);
                                cnt[a[e]] = 0;
                            }
                        }
                    } else {
                        /* Both ends of each pair; an object and itself is one entry. */
                        for (e = 0; e < list->count && !st; e++) {
                            uint32_t ends[2], x, nends = a[e] == o->pk ? 1 : 2;
                            ends[0] = o->pk;
                            ends[1] = a[e];
                            for (x = 0; x < nends && !st; x++) {
                                if (pass == 0) {
                                    cnt[ends[x]]++;
                                } else if (cnt[ends[x]]) {
                                    rel_vec *set = &REL_AT(rel_obj_find(L->db, k, ends[x]), r->fwd, rel_vec);
                                    if (rel_vec_reserve(set, (size_t)set->count + cnt[ends[x]]))
                                        st = fail_nomem(L);
                                    cnt[ends[x]] = 0;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    rel_free(cnt);
    return st;
}

/* Room in the sets of each relation through a model for the pairs of the
 * through objects the fixture gives (an updated one gives its old pair
 * back first, so this may reserve more than needed, never less). */
static rel_status reserve_pairs(loader *L)
{
    const rel_schema *s = L->s;
    uint32_t ri, side, *cnt = NULL;
    size_t ncnt = 0, i;
    rel_status st = REL_OK;

    for (ri = 0; ri < s->nrelations; ri++) {
        const rel_relation *r = &s->relations[ri];
        size_t need = (size_t)rel_model_last_id(L->db, r->model) + 1;
        if (r->through == REL_NONE)
            continue;
        if ((size_t)rel_model_last_id(L->db, r->target) + 1 > need)
            need = (size_t)rel_model_last_id(L->db, r->target) + 1;
        if (need > ncnt) {
            uint32_t *grown = (uint32_t *)rel_realloc(cnt, need * sizeof *cnt);
            if (!grown) {
                rel_free(cnt);
                return fail_nomem(L);
            }
            cnt = grown;
            ncnt = need;
        }
    }
    for (ri = 0; ri < s->nrelations && !st; ri++) {
        const rel_relation *r = &s->relations[ri];
        uint32_t vs, vd;
        if (r->through == REL_NONE)
            continue;
        vs = L->in.rel_item[r->through_src];
        vd = L->in.rel_item[r->through_dst];
        /* Side 0 counts and reserves the declaring objects' sets, side 1
         * the targets'; each first counts (pass 0), then reserves and sets
         * the counts back to 0 (pass 1). */
        for (side = 0; side < 2 && !st; side++) {
            int pass;
            memset(cnt, 0, ncnt * sizeof *cnt);
            for (pass = 0; pass < 2 && !st; pass++) {
                for (i = L->range[r->through]; i < L->range[r->through + 1] && !st; i++) {
                    const occ_rec *o = &L->occ[ord(L, i)];
                    uint64_t a, b, id;
                    if ((o->mk & OCC_SUPERSEDED) || !has(occ_mask(L, o), vs) || !has(occ_mask(L, o), vd))
                        continue;
                    a = *value_slot(L, o, vs);
                    b = *value_slot(L, o, vd);
                    if (!a || !b)
                        continue;
                    id = side ? b : a;
                    if (pass == 0) {
                        cnt[id]++;
                    } else if (cnt[id]) {
                        rel_vec *v = &REL_AT(rel_obj_find(L->db, side ? r->target : r->model, id),
                                             side ? r->rev : r->fwd, rel_vec);
                        if (rel_vec_reserve(v, (size_t)v->count + cnt[id]))
                            st = fail_nomem(L);
                        cnt[id] = 0;
                    }
                }
            }
        }
    }
    rel_free(cnt);
    return st;
}

/* ==== loaddata: phase 4, applying (cannot fail) ===================================== */

static void put_scalar(const rel_field *f, char *member, bool present, uint64_t val);

static void apply(loader *L)
{
    const rel_schema *s = L->s;
    size_t i;

    /* Objects that existed give up their relations first (and the sets
     * the fixture gives), so that a one-to-one target can move. */
    for (i = 0; i < L->nocc; i++) {
        const occ_rec *o = &L->occ[ord(L, i)];
        uint32_t k = occ_model(o), x;
        const rel_model *m = &s->models[k];
        void *obj;
        if ((o->mk & (OCC_SUPERSEDED | OCC_EXISTED)) != OCC_EXISTED)
            continue;
        obj = rel_obj_find(L->db, k, o->pk);
        if (L->db->models[k].flags & REL_THROUGH)   /* its pairs leave with its ForeignKeys */
            rel_through_leave(L->db, k, obj);
        for (x = 0; x < m->nrelations; x++) {
            const rel_relation *r = &s->relations[m->relations[x]];
            if (r->type == REL_GENERIC) {
                if (rel_in_use(r, obj)) {
                    rel_fk_unlink(obj, r->fwd, r->pos, r->rev);
                    REL_AT(obj, r->ct, uint32_t) = 0;
                }
            } else if (r->type == REL_FOREIGN_KEY) {
                rel_fk_unlink(obj, r->fwd, r->pos, r->rev);
            } else if (r->type == REL_ONE_TO_ONE) {
                void *old = rel_fwd(obj, r->fwd);
                if (old)
                    REL_AT(old, r->rev, void *) = NULL;
                rel_fwd_set(obj, r->fwd, NULL);
            } else if (has(occ_mask(L, o), m->nfields + x)) {
                rel_vec *set = &REL_AT(obj, r->fwd, rel_vec);
                while (set->count)
                    rel_m2m_unlink(obj, r->fwd, r->rev, set->count - 1);
            }
        }
    }
    for (i = 0; i < L->nocc; i++) {
        occ_rec *o = &L->occ[ord(L, i)];
        uint32_t k = occ_model(o), x;
        const rel_model *m = &s->models[k];
        const uint64_t *mask = occ_mask(L, o);
        void *obj;
        if (o->mk & OCC_SUPERSEDED)
            continue;
        obj = rel_obj_find(L->db, k, o->pk);
        for (x = 0; x < m->nfields; x++) {
            const rel_field *f = &m->fields[x];
            char *member = (char *)obj + f->offset;
            uint64_t val = *value_slot(L, o, x);
            if (f->type == REL_STRING) {
                const char *old = *(const char **)(void *)member;
                const char *now = has(mask, x) ? (const char *)(uintptr_t)val
                                               : f->def ? (const char *)f->def : rel_empty_string;
                if (rel_string_owned(f, old))
                    rel_free((void *)(uintptr_t)old);
                *(const char **)(void *)member = now;
                continue;
            }
            put_scalar(f, member, has(mask, x), val);
        }
        for (x = 0; x < m->nrelations; x++) {
            const rel_relation *r = &s->relations[m->relations[x]];
            uint32_t v = m->nfields + x;
            uint64_t val = has(mask, v) ? *value_slot(L, o, v) : 0;
            if (rel_listed(r)) {
                if (val)
                    rel_fk_link(obj, rel_obj_find(L->db, r->target, val), r->fwd, r->pos, r->rev);
                if (val && r->type == REL_GENERIC)
                    REL_AT(obj, r->ct, uint32_t) = r->target + 1;
            } else if (r->type == REL_ONE_TO_ONE) {
                if (val) {
                    void *t = rel_obj_find(L->db, r->target, val);
                    rel_fwd_set(obj, r->fwd, t);
                    REL_AT(t, r->rev, void *) = obj;
                }
            } else if (has(mask, v)) {
                const m2m_list *list = &L->lists[val];
                uint32_t e;
                for (e = 0; e < list->count; e++)
                    rel_m2m_link(obj, r->fwd, rel_obj_find(L->db, r->target, L->links[list->start + e]),
                                 r->symmetrical ? r->fwd : r->rev);
            }
        }
        if (L->db->models[k].flags & REL_THROUGH)   /* its pairs join the sets (room reserved) */
            rel_through_link_new(L->db, k, obj);
    }
}

/* A scalar member other than a string, as apply writes it: the value of
 * its slot, or when the fixture leaves it out, its default. */
static void put_scalar(const rel_field *f, char *member, bool present, uint64_t val)
{
            if (!present) {
                /* Missing: the default, for a new object and an update alike. */
                if (f->def)
                    memcpy(member, f->def, rel_scalar_size(f->type));
                else
                    memset(member, 0, rel_scalar_size(f->type));
                return;
            }
            switch (f->type) {
            case REL_BOOL:   *(bool *)(void *)member = val != 0; break;
            case REL_INT8:   *(int8_t *)(void *)member = (int8_t)(int64_t)val; break;
            case REL_INT16:  *(int16_t *)(void *)member = (int16_t)(int64_t)val; break;
            case REL_INT32:  *(int32_t *)(void *)member = (int32_t)(int64_t)val; break;
            case REL_INT64:  *(int64_t *)(void *)member = (int64_t)val; break;
            case REL_UINT8:  *(uint8_t *)(void *)member = (uint8_t)val; break;
            case REL_UINT16: *(uint16_t *)(void *)member = (uint16_t)val; break;
            case REL_UINT32: *(uint32_t *)(void *)member = (uint32_t)val; break;
            case REL_UINT64: *(uint64_t *)(void *)member = val; break;
            case REL_FLOAT: {
                double d;
                memcpy(&d, &val, sizeof d);
                *(float *)(void *)member = (float)d;
                break;
            }
            default:
                memcpy(member, &val, sizeof val);
                break;
            }
}

/* ==== loaddata: cleaning up ================================================================== */

/* Frees the strings the plan owns: all of them after a failure, those of
 * superseded occurrences after success (the others went to objects). */
static void free_strings(loader *L, bool all)
{
    size_t i;
    for (i = 0; i < L->nocc; i++) {
        const occ_rec *o = &L->occ[i];
        const rel_model *m = &L->s->models[occ_model(o)];
        uint32_t x;
        if (!all && !(o->mk & OCC_SUPERSEDED))
            continue;
        for (x = 0; x < m->nfields; x++) {
            const rel_field *f = &m->fields[x];
            const char *str;
            if (f->type != REL_STRING || !has(occ_mask(L, o), x))
                continue;
            str = (const char *)(uintptr_t)*value_slot(L, o, x);
            if (rel_string_owned(f, str))
                rel_free((void *)(uintptr_t)str);
        }
    }
}

/* Undoes the objects the load made, newest first: each is unlinked (the
 * load links nothing before it applies), so it goes back as it came,
 * with the room reserved in its lists freed. */
static void discard_created(loader *L)
{
    const rel_schema *s = L->s;
    size_t i;
    uint32_t k;
    for (i = L->nocc; i-- > 0;) {
        const occ_rec *o = &L->occ[ord(L, i)];
        uint32_t x;
        const rel_model *m;
        void *obj;
        k = occ_model(o);
        m = &s->models[k];
        if (!(o->mk & OCC_CREATED))
            continue;
        obj = rel_obj_find(L->db, k, o->pk);
        for (x = 0; x < m->nrelations; x++) {
            const rel_relation *r = &s->relations[m->relations[x]];
            if (r->type == REL_MANY_TO_MANY)
                rel_vec_free(&REL_AT(obj, r->fwd, rel_vec));
        }
        for (x = 0; x < m->nincoming; x++) {
            const rel_relation *r = &s->relations[m->incoming[x]];
            if (rel_listed(r))
                rel_list_free(&REL_AT(obj, r->rev, rel_list));
            else if (r->type == REL_MANY_TO_MANY && !r->symmetrical)
                rel_vec_free(&REL_AT(obj, r->rev, rel_vec));
        }
        rel_obj_discard(L->db, k, obj);
    }
    if (L->ncreated)
        for (k = 0; k < s->nmodels; k++)
            rel_model_restore_last_id(L->db, k, L->last0[k]);
}

static void loader_free(loader *L)
{
    size_t i;
    for (i = 0; i < L->ntovals; i++)
        if (L->tovals[i].field->type == REL_STRING
            && rel_string_owned(L->tovals[i].field, (const char *)(uintptr_t)L->tovals[i].val))
            rel_free((void *)(uintptr_t)L->tovals[i].val);
    rel_free(L->tovals);
    rel_free(L->occ);
    rel_free(L->slots);
    rel_free(L->lists);
    rel_free(L->links);
    rel_free(L->last0);
    rel_free(L->seq);
    rel_free(L->order);
    rel_free(L->range);
    rel_json_buf_free(&L->scratch);
    info_free(&L->in);
}

/* ==== loaddata ================================================================================== */

/* Makes the objects the fixture adds, in (model, pk) order, after
 * checking that their pks do not leave too many ids unused. */
/* ==== loaddata: unique constraints ============================================================ */

/* The unique constraint of model k that is field f alone (what a
 * to_field names), or NONE. */
static uint32_t unique_of_field(const rel_schema *s, uint32_t k, uint32_t f)
{
    const rel_model *m = &s->models[k];
    uint32_t i;
    for (i = 0; i < m->nuniques; i++) {
        const rel_unique *u = &s->uniques[m->uniques[i]];
        if (u->nmembers == 1 && u->members[0] == (REL_ARG_FIELD | f))
            return m->uniques[i];
    }
    return NONE;
}

/* Field f of occurrence o's object as the load leaves it, written into
 * the member at sh (a string points into the plan). */
static void put_field(loader *L, const occ_rec *o, const rel_field *f, uint32_t x, char *sh)
{
    bool present = has(occ_mask(L, o), x);
    uint64_t val = *value_slot(L, o, x);
    if (f->type == REL_STRING)
        *(const char **)(void *)(sh + f->offset) = present ? (const char *)(uintptr_t)val
                                                   : f->def ? (const char *)f->def : rel_empty_string;
    else
        put_scalar(f, sh + f->offset, present, val);
}

static const char *value_text(const rel_field *f, uint64_t val, char *buf, size_t cap)
{
    double d;
    switch (f->type) {
    case REL_STRING: snprintf(buf, cap, "\"%s\"", (const char *)(uintptr_t)val); break;
    case REL_BOOL: snprintf(buf, cap, "%s", val ? "true" : "false"); break;
    case REL_INT8: case REL_INT16: case REL_INT32: case REL_INT64:
        snprintf(buf, cap, "%lld", (long long)val);
        break;
    case REL_FLOAT: case REL_DOUBLE:
        memcpy(&d, &val, sizeof d);
        snprintf(buf, cap, "%.17g", d);
        break;
    default: snprintf(buf, cap, "%llu", (unsigned long long)val); break;
    }
    return buf;
}

/* The values of relation ri's to_field become the pks of the objects
 * that have them once the load is applied: an object of the fixture
 * (with the value it gives or its default), or one of the store that the
 * fixture leaves alone.  None is a dangling reference, as a missing pk. */
static rel_status resolve_relation(loader *L, uint32_t ri)
{
    const rel_schema *s = L->s;
    const rel_relation *r = &s->relations[ri];
    uint32_t t = r->target, f = r->to_field - 1, x, ui = unique_of_field(s, t, f);
    const rel_model *m = &s->models[r->model], *tm = &s->models[t];
    const rel_field *tf = &tm->fields[f];
    size_t n = L->range[t + 1] - L->range[t], j, at = 0;
    char *shadows, *probe;
    rel_index ix;
    rel_status st = REL_OK;

    for (x = 0; x < m->nrelations && m->relations[x] != ri; x++)
        ;
    if (ui == NONE)
        return fail_at(L, L->j.start, REL_EINVAL, r->model, 0, m->nfields + x,
                       "its to_field %s is not unique by itself", tf->name);
    memset(&ix, 0, sizeof ix);
    shadows = n + 1 <= SIZE_MAX / tm->size ? (char *)rel_malloc((n + 1) * tm->size) : NULL;
    if (!shadows || !rel_unique_scratch_reserve(L->db, ui, &ix, n)) {
        rel_free(shadows);
        return fail_nomem(L);
    }
    memset(shadows, 0, (n + 1) * tm->size);
    probe = shadows + n * tm->size;
    for (j = L->range[t]; j < L->range[t + 1]; j++) {
        const occ_rec *o = &L->occ[ord(L, j)];
        char *sh = shadows + at++ * tm->size;
        if (o->mk & OCC_SUPERSEDED)
            continue;
        REL_TAG(sh) = o->pk;
        put_field(L, o, tf, f, sh);
        rel_unique_scratch_put(L->db, ui, &ix, sh);   /* a clash: check_unique reports it */
    }
    for (j = L->range[r->model]; j < L->range[r->model + 1] && !st; j++) {
        occ_rec *o = &L->occ[ord(L, j)];
        uint32_t v = m->nfields + x;
        uint64_t *slot = value_slot(L, o, v);
        const void *hit;
        if (!has(occ_mask(L, o), v) || !*slot)
            continue;
        if (tf->type == REL_STRING)
            *(const char **)(void *)(probe + tf->offset) = (const char *)(uintptr_t)L->tovals[*slot - 1].val;
        else
            put_scalar(tf, probe + tf->offset, true, L->tovals[*slot - 1].val);
        hit = rel_unique_scratch_find(L->db, ui, &ix, probe);
        if (!hit && (hit = rel_unique_find(L->db, ui, probe)) != NULL && find_occ(L, t, rel_obj_id(hit)) != SIZE_MAX)
            hit = NULL;   /* the fixture gives it another value */
        if (!hit) {
            char tl[520], vt[96];
            label(&L->in, t, tl, sizeof tl);
            st = fail_at(L, locate(L, ord(L, j), v, -1), REL_EINVAL, r->model, o->pk, v,
                         "%s with %s = %s does not exist", tl, tf->name,
                         value_text(tf, L->tovals[*slot - 1].val, vt, sizeof vt));
            break;
        }
        *slot = rel_obj_id(hit);
    }
    rel_free(ix.slots);
    rel_free(shadows);
    return st;
}

static rel_status resolve_to_fields(loader *L)
{
    uint32_t ri;
    rel_status st = REL_OK;
    if (!L->ntovals)
        return REL_OK;
    for (ri = 0; ri < L->s->nrelations && !st; ri++)
        if (L->s->relations[ri].to_field && L->s->relations[ri].type != REL_MANY_TO_MANY)
            st = resolve_relation(L, ri);
    return st;
}

/* Occurrence o laid out as the object it will be (scalars and
 * ForeignKey/OneToOneField targets, as apply will write them; its tag its
 * pk) at sh, zeroed: what the unique constraints read. */
static void shadow(loader *L, const occ_rec *o, char *sh)
{
    const rel_model *m = &L->s->models[occ_model(o)];
    const uint64_t *mask = occ_mask(L, o);
    uint32_t x;
    REL_TAG(sh) = o->pk;
    for (x = 0; x < m->nfields; x++)
        put_field(L, o, &m->fields[x], x, sh);
    for (x = 0; x < m->nrelations; x++) {
        const rel_relation *r = &L->s->relations[m->relations[x]];
        uint32_t v = m->nfields + x;
        uint64_t val = has(mask, v) ? *value_slot(L, o, v) : 0;
        if (r->type != REL_MANY_TO_MANY && val)
            rel_fwd_set(sh, r->fwd, rel_obj_find(L->db, r->target, val));
    }
}

/* The item (fixture field) of constraint u's first member. */
static uint32_t first_item(const rel_schema *s, const rel_unique *u)
{
    const rel_model *m = &s->models[u->model];
    uint32_t e = u->members[0], i;
    if (e & REL_ARG_FIELD)
        return e & ~REL_ARG_FIELD;
    for (i = 0; i < m->nrelations && m->relations[i] != e; i++)
        ;
    return m->nfields + i;
}

/* Constraint ui over the state the load ends in: the objects of its model
 * that the fixture leaves alone, and the shadows of those it writes. */
static rel_status check_constraint(loader *L, uint32_t ui, char *shadows, const size_t *occs, size_t n)
{
    const rel_unique *u = &L->s->uniques[ui];
    uint32_t k = u->model;
    size_t size = L->s->models[k].size, j;
    rel_index ix;
    rel_cursor c;
    void *o;
    rel_status st = REL_OK;

    memset(&ix, 0, sizeof ix);
    if (!rel_unique_scratch_reserve(L->db, ui, &ix, (size_t)L->db->models[k].count + n))
        return fail_nomem(L);
    c = rel_all(L->db, k);
    while ((o = rel_cursor_next(&c)))
        if (find_occ(L, k, rel_obj_id(o)) == SIZE_MAX)
            rel_unique_scratch_put(L->db, ui, &ix, o);
    for (j = 0; j < n && !st; j++) {
        void *x = rel_unique_scratch_put(L->db, ui, &ix, shadows + j * size);
        if (x) {
            char ml[520], members[160];
            uint32_t v = first_item(L->s, u);
            label(&L->in, k, ml, sizeof ml);
            rel_unique_describe(L->db, ui, members, sizeof members);
            st = fail_at(L, locate(L, occs[j], v, -1), REL_EUNIQUE, k, L->occ[occs[j]].pk, v,
                         "%s %llu has the same %s%s%s", ml, (unsigned long long)rel_obj_id(x),
                         u->nmembers > 1 ? "(" : "", members, u->nmembers > 1 ? ")" : "");
        }
    }
    rel_free(ix.slots);
    return st;
}

/* No two objects share the values of a unique constraint once the load
 * is applied (Django checks each save; a database at commit), and the
 * store's indexes have room for the objects the load adds. */
static rel_status check_unique(loader *L)
{
    const rel_schema *s = L->s;
    uint32_t k, i;
    rel_status st = REL_OK;
    for (k = 0; k < s->nmodels && !st; k++) {
        const rel_model *m = &s->models[k];
        size_t n = 0, j, added = 0;
        char *shadows;
        size_t *occs;
        if (!m->nuniques || L->range[k] == L->range[k + 1])
            continue;
        for (j = L->range[k]; j < L->range[k + 1]; j++) {
            const occ_rec *o = &L->occ[ord(L, j)];
            n += !(o->mk & OCC_SUPERSEDED);
            added += (o->mk & (OCC_SUPERSEDED | OCC_CREATED)) == OCC_CREATED;
        }
        if (!rel_unique_reserve(L->db, k, added))
            return fail_nomem(L);
        shadows = n <= SIZE_MAX / m->size ? (char *)rel_malloc(n * m->size) : NULL;
        occs = (size_t *)rel_malloc(n * sizeof *occs);
        if (!shadows || !occs) {
            rel_free(shadows);
            rel_free(occs);
            return fail_nomem(L);
        }
        memset(shadows, 0, n * m->size);
        for (n = 0, j = L->range[k]; j < L->range[k + 1]; j++) {
            const occ_rec *o = &L->occ[ord(L, j)];
            if (o->mk & OCC_SUPERSEDED)
                continue;
            occs[n] = ord(L, j);
            shadow(L, o, shadows + n++ * m->size);
        }
        for (i = 0; i < m->nuniques && !st; i++)
            st = check_constraint(L, m->uniques[i], shadows, occs, n);
        rel_free(shadows);
        rel_free(occs);
    }
    return st;
}

/* Before apply (enter false): the objects the load rewrites leave the
 * unique indexes of their models; after (true): every object it wrote
 * enters them. */
static void unique_moves(loader *L, bool enter)
{
    size_t i;
    for (i = 0; i < L->nocc; i++) {
        const occ_rec *o = &L->occ[i];
        uint32_t k = occ_model(o);
        if ((o->mk & OCC_SUPERSEDED) || !(L->db->models[k].flags & REL_HAS_UNIQUE)
            || (!enter && !(o->mk & OCC_EXISTED)))
            continue;
        if (enter)
            rel_unique_enter(L->db, k, rel_obj_find(L->db, k, o->pk));
        else
            rel_unique_leave(L->db, k, rel_obj_find(L->db, k, o->pk));
    }
}

static rel_status create_objects(loader *L)
{
    const rel_schema *s = L->s;
    uint64_t unused = 0, worst_gap = 0;
    uint32_t k, worst = NONE;
    size_t i;

    for (k = 0; k < s->nmodels; k++) {
        uint64_t added = 0, gap;
        if (L->seq[k] <= L->last0[k])
            continue;
        for (i = L->range[k]; i < L->range[k + 1]; i++) {
            const occ_rec *o = &L->occ[ord(L, i)];
            added += !(o->mk & OCC_SUPERSEDED) && o->pk > L->last0[k];
        }
        gap = L->seq[k] - L->last0[k] - added;
        unused += gap;
        if (worst == NONE || gap > worst_gap)
            worst = k, worst_gap = gap;
    }
    if (unused > MAX_UNUSED_IDS) {
        const occ_rec *o = &L->occ[find_occ(L, worst, L->seq[worst])];
        return fail_at(L, occ_start(L, (size_t)(o - L->occ)), REL_EINVAL, worst, o->pk, NONE,
                       "the fixture's pks leave %llu ids unused (relc keeps 8 bytes per id up to the highest; "
                       "a load may leave at most %llu)",
                       (unsigned long long)unused, (unsigned long long)MAX_UNUSED_IDS);
    }
    /* The id indexes first: rel_obj_find answers NULL when it cannot build
     * one, which must not read as "no such object" (a second object with
     * the pk would be made, or a reference refused as dangling). */
    for (k = 0; k < s->nmodels; k++) {
        const rel_model *m = &s->models[k];
        uint32_t x;
        if (L->range[k] == L->range[k + 1])
            continue;
        if (!rel_index_ids(L->db, k))
            return fail_nomem(L);
        for (x = 0; x < m->nrelations; x++)   /* and of what they refer to (check_references) */
            if (!rel_index_ids(L->db, s->relations[m->relations[x]].target))
                return fail_nomem(L);
    }
    for (i = 0; i < L->nocc; i++) {
        occ_rec *o = &L->occ[ord(L, i)];
        uint32_t mk = occ_model(o);
        if (o->mk & OCC_SUPERSEDED)
            continue;
        if (rel_obj_find(L->db, mk, o->pk)) {
            o->mk |= OCC_EXISTED;
        } else {
            if (!rel_obj_create(L->db, mk, o->pk))
                return fail_nomem(L);
            o->mk |= OCC_CREATED;
            L->ncreated++;
        }
    }
    return REL_OK;
}

rel_status rel_loaddata(rel_store *db, const char *text, size_t len, const char *source_name)
{
    loader *L;
    const rel_schema *s;
    uint32_t k;
    size_t i;
    rel_status st;

    if (!db)
        return rel_fail_null_arg(NULL, "loaddata", "store");
    s = db->schema;
    if (!source_name)
        source_name = "<fixture>";
    if (!text && len)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s: loaddata: the text is NULL", source_name);
    if (s->nmodels > OCC_MODEL)
        return rel_fail(&db->errmsg, REL_EINVAL, "%s: loaddata: the schema has too many models for fixtures",
                        source_name);
    if (!(L = (loader *)rel_malloc(sizeof *L)))
        return rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory before reading the fixture", source_name);
    memset(L, 0, sizeof *L);
    L->db = db;
    L->s = s;
    L->source = source_name;
    L->in_order = true;
    rel_json_init(&L->j, text ? text : "", len);
    if (!info_build(&L->in, s, true)
        || !(L->last0 = (uint64_t *)rel_malloc(((size_t)s->nmodels + 1) * sizeof(uint64_t)))
        || !(L->seq = (uint64_t *)rel_malloc(((size_t)s->nmodels + 1) * sizeof(uint64_t)))
        || !(L->range = (size_t *)rel_malloc(((size_t)s->nmodels + 1) * sizeof(size_t)))) {
        loader_free(L);
        rel_free(L);
        return rel_fail(&db->errmsg, REL_ENOMEM, "%s: out of memory before reading the fixture", source_name);
    }
    for (k = 0; k < s->nmodels; k++)
        L->last0[k] = L->seq[k] = rel_model_last_id(db, k);

    /* 1: parse into the plan, then give back what its arrays grew past
     * (before the store grows: a failed shrink just keeps the block). */
    if (parse(L))
        goto fail;
    shrink((void **)&L->occ, &L->capocc, L->nocc + 1, sizeof *L->occ);
    shrink((void **)&L->slots, &L->capslots, L->nslots + 1, sizeof *L->slots);
    shrink((void **)&L->lists, &L->caplists, L->nlists + 1, sizeof *L->lists);
    shrink((void **)&L->links, &L->caplinks, L->nlinks + 1, sizeof *L->links);
    /* 2: the objects that count, the new objects, the checks that need
     * every pk to exist, room for every link. */
    if (!L->in_order && !sort_occurrences(L)) {
        fail_nomem(L);
        goto fail;
    }
    merge_duplicates(L);
    for (k = 0, i = 0; k <= s->nmodels; k++) {
        while (i < L->nocc && occ_model(&L->occ[ord(L, i)]) < k)
            i++;
        L->range[k] = i;
    }
    L->range[s->nmodels] = L->nocc;
    if (resolve_to_fields(L) || create_objects(L) || check_references(L) || check_one_to_one(L))
        goto fail;
    dedupe_lists(L);
    filter_symmetrical(L);
    if (reserve_links(L) || reserve_pairs(L) || check_unique(L))
        goto fail;
    /* 4: apply, the objects it changes out of the unique indexes. */
    unique_moves(L, false);
    apply(L);
    unique_moves(L, true);
    free_strings(L, false);
    loader_free(L);
    rel_free(L);
    return REL_OK;

fail:
    /* 3: undo. */
    st = L->st;
    free_strings(L, true);
    discard_created(L);
    loader_free(L);
    rel_free(L);
    return st;
}
