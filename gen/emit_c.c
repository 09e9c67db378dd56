/* emit_c.c: the generated header and source (SPEC section 5).
 *
 * The emitter only prints: every name comes from names.c, every decision
 * (kinds, targets, accessors, on_delete) from check.c.  Output goes through
 * the printer, so it is built in memory and byte-identical for the same
 * input.  The shape of the generated code:
 *
 *   NAME.h  struct layouts (so getters and list views are static inline),
 *           the typed list views, and the prototypes of everything else.
 *   NAME.c  the store, per-relation link/unlink helpers, constructors,
 *           setters, the set APIs, the delete collector and verify.
 *
 * Relation k (its position among the schema's relations) names the static
 * helpers rel_link_k, rel_unlink_k and rel_find_k; the comment above each
 * says which field it serves.
 */
#include "emit.h"
#include "names.h"
#include "unit.h"
#include "rel_version.h"

#include <stdio.h>
#include <string.h>

typedef struct Emitter {
    const RelcUnit *u;
    const Schema *s;
    const NameTables *n;
    Printer *p;
    const char *store;            /* the store type */
} Emitter;

static Emitter emitter(const RelcUnit *u, Printer *p)
{
    Emitter e;
    e.u = u;
    e.s = u->schema;
    e.n = &u->names;
    e.p = p;
    e.store = u->names.schema.store;
    return e;
}

/* ---- small lookups ------------------------------------------------------ */

static const ModelNames *MN(const Emitter *e, const Model *m) { return &e->n->models[m->index]; }
static const FieldNames *FN(const Emitter *e, const Field *f)
{
    return &e->n->fields[f->model->index][f->index];
}

static bool is_fk(const Field *f) { return f->kind == FK_FOREIGN_KEY; }
static bool is_o2o(const Field *f) { return f->kind == FK_ONE_TO_ONE; }
static bool is_m2m(const Field *f) { return f->kind == FK_MANY_TO_MANY; }
static bool is_single(const Field *f) { return is_fk(f) || is_o2o(f); }
static bool is_required(const Field *f) { return is_single(f) && !f->null; }

static size_t rel_index(const Emitter *e, const Field *f) { return FN(e, f)->relation; }
static const char *rev_member(const Emitter *e, const Field *f) { return FN(e, f)->rev_member; }

static const char *c_type(FieldKind k)
{
    switch (k) {
    case FK_BOOL:   return "bool";
    case FK_INT8:   return "int8_t";
    case FK_INT16:  return "int16_t";
    case FK_INT32:  return "int32_t";
    case FK_INT64:  return "int64_t";
    case FK_UINT8:  return "uint8_t";
    case FK_UINT16: return "uint16_t";
    case FK_UINT32: return "uint32_t";
    case FK_UINT64: return "uint64_t";
    case FK_FLOAT:  return "float";
    case FK_DOUBLE: return "double";
    case FK_STRING: return "const char *";
    default:        return "void";
    }
}

/* ---- literals ----------------------------------------------------------- */

/* A C string literal for s[0..n): quotes, backslashes, control bytes and
 * non-ASCII bytes escaped (octal, which stops after three digits), and
 * every '?' escaped so no trigraph can form. */
static void string_literal(Printer *p, const char *s, size_t n)
{
    size_t i;
    pr_raw(p, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':  pr_raw(p, "\\\"", 2); break;
        case '\\': pr_raw(p, "\\\\", 2); break;
        case '\n': pr_raw(p, "\\n", 2); break;
        case '\t': pr_raw(p, "\\t", 2); break;
        case '?':  pr_raw(p, "\\?", 2); break;
        default:
            if (c < 0x20 || c >= 0x7F)
                pr(p, "\\%03o", c);
            else
                pr_raw(p, (const char *)&c, 1);
        }
    }
    pr_raw(p, "\"", 1);
}

/* The C expression of a field's default (numbers normalised, so that 007
 * cannot turn octal). */
static void default_literal(Printer *p, const Field *f)
{
    const Value *v = f->default_value;
    switch (f->kind) {
    case FK_BOOL:
        pr(p, "%s", v && (strcmp(v->text, "true") == 0 || strcmp(v->text, "True") == 0)
                        ? "true" : "false");
        return;
    case FK_STRING:
        if (v)
            string_literal(p, v->text, v->len);
        else
            pr(p, "\"\"");
        return;
    case FK_FLOAT:
    case FK_DOUBLE: {
        const char *t = v ? v->text : "0";
        if (*t == '+')
            t++;
        pr(p, "%s%s%s", t, strpbrk(t, ".eE") ? "" : ".0", f->kind == FK_FLOAT ? "f" : "");
        return;
    }
    default: {
        unsigned long long mag = v ? (unsigned long long)v->magnitude : 0;
        bool neg = v && v->negative && mag != 0;
        if (f->kind == FK_INT64 && neg && mag == 9223372036854775808ull)
            pr(p, "INT64_MIN");
        else if (f->kind == FK_INT64)
            pr(p, "INT64_C(%s%llu)", neg ? "-" : "", mag);
        else if (f->kind == FK_UINT64)
            pr(p, "UINT64_C(%llu)", mag);
        else if (f->kind == FK_INT32 && neg && mag == 2147483648ull)
            pr(p, "INT32_MIN");
        else if (f->kind == FK_UINT32)
            pr(p, "%lluu", mag);
        else
            pr(p, "%s%llu", neg ? "-" : "", mag);
        return;
    }
    }
}

static bool default_is_zero(const Field *f)
{
    const Value *v = f->default_value;
    if (!v || f->kind == FK_STRING)
        return true;
    if (f->kind == FK_BOOL)
        return !(strcmp(v->text, "true") == 0 || strcmp(v->text, "True") == 0);
    if (f->kind == FK_FLOAT || f->kind == FK_DOUBLE)
        return false;      /* -0.0 is not all-bits-zero; set it explicitly */
    return v->magnitude == 0;
}

/* A /// doc comment as a C block comment; "*" "/" inside is broken up. */
static void doc_comment(Printer *p, const char *doc)
{
    const char *line = doc;
    if (!doc)
        return;
    pr(p, "/*\n");
    while (line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line), i;
        pr(p, n ? " * " : " *");
        for (i = 0; i < n; i++) {
            pr_raw(p, line + i, 1);
            if (line[i] == '*' && i + 1 < n && line[i + 1] == '/')
                pr_raw(p, " ", 1);
        }
        pr(p, "\n");
        line = nl ? nl + 1 : NULL;
    }
    pr(p, " */\n");
}

static const char *file_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- parameters of constructors ----------------------------------------- */

/* ", Author *author, User *user": the required relations of m, except skip. */
static void required_params(const Emitter *e, const Model *m, const Field *skip)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (is_required(f) && f != skip)
            pr(e->p, ", %s *%s", MN(e, f->target)->type, FN(e, f)->param);
}

static bool has_required(const Model *m)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (is_required(f))
            return true;
    return false;
}

/* ", author, user" as arguments, with `fill` in place of field `skip`. */
static void required_args(const Emitter *e, const Model *m, const Field *skip, const char *fill)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (is_required(f))
            pr(e->p, ", %s", f == skip ? fill : FN(e, f)->param);
}

/* ==== the header ========================================================= */

/* The alignment class of a scalar member: 8 for pointers and 64-bit
 * numbers, then 4, 2 and 1. */
static int scalar_align(FieldKind k)
{
    switch (k) {
    case FK_BOOL: case FK_INT8: case FK_UINT8: return 1;
    case FK_INT16: case FK_UINT16: return 2;
    case FK_INT32: case FK_UINT32: case FK_FLOAT: return 4;
    default: return 8;
    }
}

/* The members of M's struct whose alignment class is `align`, in
 * declaration order: h_struct calls this for 8, 4, 2 and 1 in turn, so that
 * the struct needs no padding between members. */
static void h_members(const Emitter *e, const Model *m, int align)
{
    Printer *p = e->p;
    const Field *f;
    size_t i;

    for (f = m->fields; f; f = f->next) {
        if (!f->is_relation) {
            if (scalar_align(f->kind) != align)
                continue;
            if (f->kind == FK_STRING)
                pr(p, "char *%s;  /* NULL: the default */\n", f->name);
            else
                pr(p, "%s %s;\n", c_type(f->kind), f->name);
        } else if (align == 8 && is_single(f)) {
            pr(p, "%s *%s;\n", MN(e, f->target)->type, f->name);
        } else if (align == 8) {
            pr(p, "rel_vec %s;  /* %s *, back positions in each %s */\n", f->name,
               MN(e, f->target)->type, f->symmetrical ? f->name : rev_member(e, f));
        } else if (align == 4 && is_fk(f)) {
            pr(p, "uint32_t rel_pos_%s;  /* where this sits in %s.%s */\n", f->name,
               f->target->name, rev_member(e, f));
        }
    }
    for (i = 0; align == 8 && i < m->nincoming; i++) {
        const Field *g = m->incoming[i];
        if (g->symmetrical)
            continue;
        if (is_o2o(g))
            pr(p, "%s *%s;  /* reverse of %s.%s */\n", MN(e, g->model)->type,
               rev_member(e, g), g->model->name, g->name);
        else
            pr(p, "%s %s;  /* %s *: reverse of %s.%s */\n", is_fk(g) ? "rel_list" : "rel_vec",
               rev_member(e, g), MN(e, g->model)->type, g->model->name, g->name);
    }
    if (align == 8) {
        pr(p, "%s *rel_db;  /* relc's bookkeeping: the store, */\n", e->store);
    } else if (align == 4) {
        pr(p, "uint32_t rel_id;  /* the id (below 2^31, as REL_VEC_MAX bounds the ids), */\n");
        pr(p, "unsigned rel_pos : 31;  /* the position in the store's list of every %s, */\n", m->name);
        pr(p, "unsigned rel_mark : 1;  /* and a mark set while a delete collects it */\n");
    }
}

static void h_struct(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    int align;

    doc_comment(p, m->doc);
    pr(p, "struct %s {\n", MN(e, m)->type);
    p->indent++;
    for (align = 8; align >= 1; align /= 2)
        h_members(e, m, align);
    p->indent--;
    pr(p, "};\n\n");
}

static void h_list_inline(const Emitter *e, const char *fn, const char *list_type,
                          const char *elem_type, const char *obj_type, const char *member)
{
    Printer *p = e->p;
    pr(p, "static inline %s %s(const %s *o)\n{\n", list_type, fn, obj_type);
    pr(p, "    %s l;\n", list_type);
    pr(p, "    l.items = (%s *const *)o->%s.items;\n", elem_type, member);
    pr(p, "    l.count = o->%s.count;\n", member);
    pr(p, "    return l;\n}\n");
}

/* The set API of one side of a many-to-many relation, or of the reverse
 * side of a ForeignKey. */
static void h_set_api(const Emitter *e, const SideNames *sn, const Model *owner,
                      const Model *elem, const char *member, const Field *f, bool fk_reverse)
{
    Printer *p = e->p;
    const char *ot = MN(e, owner)->type, *et = MN(e, elem)->type;
    h_list_inline(e, sn->get, MN(e, elem)->list, et, ot, member);
    pr(p, "static inline size_t %s(const %s *o) { return o->%s.count; }\n", sn->count, ot, member);
    if (fk_reverse)
        pr(p, "static inline bool %s(const %s *o, const %s *x) { return x->%s == o; }\n",
           sn->contains, ot, et, f->name);
    else
        pr(p, "bool %s(const %s *o, const %s *x);\n", sn->contains, ot, et);
    pr(p, "rel_status %s(%s *o, %s *x);\n", sn->add, ot, et);
    pr(p, "%s *%s(%s *o", et, sn->create, ot);
    required_params(e, elem, fk_reverse ? f : NULL);
    pr(p, ");\n");
    if (sn->remove) {
        pr(p, "rel_status %s(%s *o, %s *x);\n", sn->remove, ot, et);
        pr(p, "rel_status %s(%s *o);\n", sn->clear, ot);
    }
}

static void h_field_api(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    const FieldNames *fn = FN(e, f);
    const char *mt = MN(e, f->model)->type;

    pr(p, "\n");
    doc_comment(p, f->doc);
    if (f->kind == FK_STRING) {
        pr(p, "/* %s: string", f->name);
        if (f->max_length)
            pr(p, "(max_length = %lu)", (unsigned long)f->max_length);
        pr(p, "; never NULL; the setter copies the text */\n");
        pr(p, "static inline const char *%s(const %s *o) { return o->%s ? o->%s : ", fn->fwd.get,
           mt, f->name, f->name);
        default_literal(p, f);
        pr(p, "; }\n");
        pr(p, "rel_status %s(%s *o, const char *value);\n", fn->fwd.set, mt);
    } else if (!f->is_relation) {
        pr(p, "/* %s: %s */\n", f->name, field_kind_name(f->kind));
        pr(p, "static inline %s %s(const %s *o) { return o->%s; }\n", c_type(f->kind),
           fn->fwd.get, mt, f->name);
        pr(p, "static inline rel_status %s(%s *o, %s value) { o->%s = value; return REL_OK; }\n",
           fn->fwd.set, mt, c_type(f->kind), f->name);
    } else if (is_single(f)) {
        pr(p, "/* %s: %s(%s, on_delete = %s%s)%s */\n", f->name, field_kind_name(f->kind),
           f->target->name, on_delete_name(f->on_delete), f->null ? ", null = true" : "",
           f->null ? "; NULL when unset" : "");
        pr(p, "static inline %s *%s(const %s *o) { return o->%s; }\n", MN(e, f->target)->type,
           fn->fwd.get, mt, f->name);
        pr(p, "rel_status %s(%s *o, %s *target);\n", fn->fwd.set, mt, MN(e, f->target)->type);
    } else {
        pr(p, "/* %s: ManyToManyField(%s%s) */\n", f->name, f->target_is_self ? "self" : f->target->name,
           f->symmetrical ? ", symmetrical" : "");
        h_set_api(e, &fn->fwd, f->model, f->target, f->name, f, false);
    }
}

static void h_reverse_api(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    const FieldNames *fn = FN(e, f);
    const char *tt = MN(e, f->target)->type;
    if (!fn->rev.get)
        return;
    pr(p, "\n/* %s: reverse of %s.%s */\n", f->accessor, f->model->name, f->name);
    if (is_o2o(f)) {
        pr(p, "static inline %s *%s(const %s *o) { return o->%s; }\n", MN(e, f->model)->type,
           fn->rev.get, tt, rev_member(e, f));
        return;
    }
    h_set_api(e, &fn->rev, f->target, f->model, rev_member(e, f), f, is_fk(f));
}

bool emit_header(const RelcUnit *u, Printer *p)
{
    Emitter e = emitter(u, p);
    const SchemaNames *sn = &u->names.schema;
    size_t i;

    pr(p, "/* %s.h: generated by relc %s from %s; do not edit. */\n", sn->base, RELC_VERSION,
       file_base(u->diags.filename));
    pr(p, "#ifndef %s\n#define %s\n\n", sn->guard, sn->guard);
    pr(p, "#include \"rel.h\"\n\n");
    pr(p, "#if !defined(REL_ABI_VERSION) || REL_ABI_VERSION != %d\n", REL_ABI_VERSION);
    pr(p, "#error \"%s.h was generated by relc %s for runtime ABI %d: regenerate it with the relc "
          "that matches this rel.h\"\n", sn->base, RELC_VERSION, REL_ABI_VERSION);
    pr(p, "#endif\n\n");
    pr(p, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");

    pr(p, "/* The store owns every object of the schema. */\n");
    pr(p, "typedef struct %s %s;\n", sn->store, sn->store);
    for (i = 0; i < e.s->nmodels; i++)
        pr(p, "typedef struct %s %s;\n", MN(&e, e.s->model_array[i])->type,
           MN(&e, e.s->model_array[i])->type);
    pr(p, "\n/* Read-only views of a collection, valid until it next changes; the order\n"
          " * is unspecified.  Iterate with rel_foreach or by index. */\n");
    for (i = 0; i < e.s->nmodels; i++) {
        const ModelNames *mn = MN(&e, e.s->model_array[i]);
        pr(p, "typedef struct %s { %s *const *items; size_t count; } %s;\n", mn->list, mn->type,
           mn->list);
    }

    pr(p, "\n%s *%s(void);  /* NULL when out of memory */\n", sn->store, sn->store_new);
    pr(p, "void %s(%s *db);  /* frees every object */\n", sn->store_free, sn->store);
    pr(p, "const char *%s(const %s *db);  /* why the last failing call failed */\n",
       sn->store_errmsg, sn->store);
    pr(p, "rel_status %s(const %s *db);  /* checks every invariant */\n\n", sn->store_verify,
       sn->store);

    for (i = 0; i < e.s->nmodels; i++)
        h_struct(&e, e.s->model_array[i]);

    for (i = 0; i < e.s->nmodels; i++) {
        const Model *m = e.s->model_array[i];
        const ModelNames *mn = MN(&e, m);
        const Field *f;
        size_t k;

        pr(p, "/* ==== %s ==== */\n\n", m->name);
        pr(p, "/* A new %s with every field at its default", m->name);
        if (has_required(m))
            pr(p, " and its required relations set;\n * NULL (with the reason in %s) when one is "
                  "NULL or taken", sn->store_errmsg);
        else
            pr(p, "; NULL when out of memory");
        pr(p, ". */\n");
        pr(p, "%s *%s(%s *db", mn->type, mn->new_, sn->store);
        required_params(&e, m, NULL);
        pr(p, ");\n");
        pr(p, "rel_status %s(%s *o);  /* on_delete rules; all or nothing */\n", mn->delete_, mn->type);
        pr(p, "rel_status %s(%s *const *objects, size_t n);  /* one collector for all */\n",
           mn->delete_many, mn->type);
        pr(p, "static inline uint64_t %s(const %s *o) { return o->rel_id; }  /* 1, 2, 3 ...; never reused */\n",
           mn->id, mn->type);
        pr(p, "%s *%s(const %s *db, uint64_t id);  /* NULL if none */\n", mn->type, mn->get, sn->store);
        pr(p, "%s %s(const %s *db);\n", mn->list, mn->all, sn->store);
        pr(p, "size_t %s(const %s *db);\n", mn->count, sn->store);
        for (f = m->fields; f; f = f->next)
            h_field_api(&e, f);
        for (k = 0; k < m->nincoming; k++)
            h_reverse_api(&e, m->incoming[k]);
        pr(p, "\n");
    }

    pr(p, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
    return !p->oom;
}

/* ==== the source ========================================================= */

/* The objects a delete may reach, per model, and whether each model has a
 * reverse side that a delete must look at. */
static bool has_incoming_rule(const Model *m, OnDelete od)
{
    size_t i;
    for (i = 0; i < m->nincoming; i++)
        if (is_single(m->incoming[i]) && m->incoming[i]->on_delete == od)
            return true;
    return false;
}

static void c_store(const Emitter *e)
{
    Printer *p = e->p;
    const SchemaNames *sn = &e->n->schema;
    size_t i;

    pr(p, "/* The objects one delete call will remove, per model.  Collecting writes\n"
          " * nothing but rel_mark, and cleared marks undo it; only when the whole set\n"
          " * is known and allowed does rel_delete_collected change the store, and\n"
          " * nothing it does can fail.  That is what makes a delete all or nothing.\n"
          " * The store keeps one, so that its vectors are reused from delete to\n"
          " * delete. */\n");
    pr(p, "typedef struct rel_collector {\n");
    for (i = 0; i < e->s->nmodels; i++)
        pr(p, "    rel_list %s;\n", e->s->model_array[i]->name);
    for (i = 0; i < e->s->nmodels; i++)
        pr(p, "    uint32_t done_%s;  /* how many of them had their referrers collected */\n",
           e->s->model_array[i]->name);
    pr(p, "    uint32_t touched[%lu];  /* the models with objects collected, by number */\n",
       (unsigned long)e->s->nmodels);
    pr(p, "    uint32_t ntouched;\n");
    pr(p, "} rel_collector;\n\n");

    pr(p, "struct %s {\n", sn->store);
    for (i = 0; i < e->s->nmodels; i++) {
        const Model *m = e->s->model_array[i];
        pr(p, "    rel_list all_%s;  /* every %s, each at its rel_pos */\n", m->name, MN(e, m)->type);
        pr(p, "    rel_list ids_%s;  /* %s by id - 1, if its rel_id still says so */\n", m->name, MN(e, m)->type);
        pr(p, "    rel_pool pool_%s;  /* where every %s lives */\n", m->name, MN(e, m)->type);
    }
    pr(p, "    rel_collector collector;\n");
    pr(p, "    rel_errmsg errmsg;  /* why the last failing call failed */\n};\n\n");

    pr(p, "%s *%s(void)\n{\n", sn->store, sn->store_new);
    pr(p, "    %s *db = (%s *)rel_malloc(sizeof *db);\n", sn->store, sn->store);
    pr(p, "    if (!db)\n        return NULL;\n    memset(db, 0, sizeof *db);\n");
    for (i = 0; i < e->s->nmodels; i++) {
        const Model *m = e->s->model_array[i];
        pr(p, "    rel_pool_init(&db->pool_%s, sizeof(%s), offsetof(%s, rel_id));\n", m->name, MN(e, m)->type,
           MN(e, m)->type);
    }
    pr(p, "    return db;\n}\n\n");

    pr(p, "const char *%s(const %s *db) { return db->errmsg.text; }\n\n", sn->store_errmsg, sn->store);
}

/* Frees one object's own memory: strings and vectors, then itself. */
static void c_destroy(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    const Field *f;
    size_t i;
    pr(p, "static void rel_destroy_%s(%s *db, %s *o)\n{\n", m->name, e->store, MN(e, m)->type);
    for (f = m->fields; f; f = f->next) {
        if (f->kind == FK_STRING)
            pr(p, "    rel_free(o->%s);\n", f->name);
        else if (is_m2m(f))
            pr(p, "    rel_vec_free(&o->%s);\n", f->name);
    }
    for (i = 0; i < m->nincoming; i++)
        if (is_fk(m->incoming[i]))
            pr(p, "    rel_list_free(&o->%s);\n", rev_member(e, m->incoming[i]));
        else if (is_m2m(m->incoming[i]) && !m->incoming[i]->symmetrical)
            pr(p, "    rel_vec_free(&o->%s);\n", rev_member(e, m->incoming[i]));
    pr(p, "    o->rel_id = 0;  /* what %s_get looks for: the id is gone */\n", m->name);
    pr(p, "    rel_pool_put(&db->pool_%s, o);\n}\n\n", m->name);
}

static void c_store_free(const Emitter *e)
{
    Printer *p = e->p;
    const SchemaNames *sn = &e->n->schema;
    size_t i;
    pr(p, "void %s(%s *db)\n{\n    size_t i;\n    if (!db)\n        return;\n", sn->store_free, sn->store);
    for (i = 0; i < e->s->nmodels; i++) {
        const Model *m = e->s->model_array[i];
        pr(p, "    for (i = 0; i < db->all_%s.count; i++)\n", m->name);
        pr(p, "        rel_destroy_%s(db, ((%s **)db->all_%s.items)[i]);\n", m->name, MN(e, m)->type, m->name);
        pr(p, "    rel_list_free(&db->all_%s);\n    rel_list_free(&db->ids_%s);\n", m->name, m->name);
        pr(p, "    rel_pool_free(&db->pool_%s);\n", m->name);
        pr(p, "    rel_list_free(&db->collector.%s);\n", m->name);
    }
    pr(p, "    rel_free(db);\n}\n\n");
}

/* rel_link_k / rel_unlink_k (and rel_find_k for many-to-many): the only
 * code that writes both sides of relation k. */
static void c_relation_helpers(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    const char *mt = MN(e, f->model)->type, *tt = MN(e, f->target)->type;
    const char *rv = rev_member(e, f), *r = f->name;
    size_t k = rel_index(e, f);

    if (is_fk(f)) {
        pr(p, "/* %s.%s -> %s.%s (ForeignKey) */\n", f->model->name, r, f->target->name, rv);
        pr(p, "static void rel_link_%lu(%s *m, %s *t)  /* room reserved */\n{\n", (unsigned long)k, mt, tt);
        pr(p, "    m->rel_pos_%s = t->%s.count;\n", r, rv);
        pr(p, "    ((%s **)t->%s.items)[t->%s.count++] = m;\n", mt, rv, rv);
        pr(p, "    m->%s = t;\n}\n\n", r);
        pr(p, "static void rel_unlink_%lu(%s *m)\n{\n", (unsigned long)k, mt);
        pr(p, "    %s *t = m->%s;\n    %s **items;\n    %s *last;\n", tt, r, mt, mt);
        pr(p, "    if (!t)\n        return;\n");
        pr(p, "    items = (%s **)t->%s.items;\n", mt, rv);
        pr(p, "    last = items[--t->%s.count];\n", rv);
        pr(p, "    items[m->rel_pos_%s] = last;\n", r);
        pr(p, "    last->rel_pos_%s = m->rel_pos_%s;\n", r, r);
        pr(p, "    m->%s = NULL;\n}\n\n", r);
    } else if (is_o2o(f)) {
        pr(p, "/* %s.%s -> %s.%s (OneToOneField) */\n", f->model->name, r, f->target->name, rv);
        pr(p, "static void rel_link_%lu(%s *m, %s *t)\n{\n", (unsigned long)k, mt, tt);
        pr(p, "    m->%s = t;\n    t->%s = m;\n}\n\n", r, rv);
        pr(p, "static void rel_unlink_%lu(%s *m)\n{\n", (unsigned long)k, mt);
        pr(p, "    if (m->%s) {\n        m->%s->%s = NULL;\n        m->%s = NULL;\n    }\n}\n\n", r, r, rv, r);
    } else {
        bool sym = f->symmetrical;
        pr(p, "/* %s.%s <-> %s.%s (ManyToManyField%s).  Each side holds the other's\n"
              " * objects, and back[i] is where this object sits in the other's set. */\n",
           f->model->name, r, f->target->name, rv, sym ? ", symmetrical: one set on each object" : "");
        pr(p, "static size_t rel_find_%lu(const %s *m, const %s *t)  /* position in m's set */\n{\n",
           (unsigned long)k, mt, tt);
        pr(p, "    size_t i;\n");
        pr(p, "    if (m->%s.count <= t->%s.count) {\n", r, rv);
        pr(p, "        for (i = 0; i < m->%s.count; i++)\n", r);
        pr(p, "            if (((%s *const *)m->%s.items)[i] == t)\n                return i;\n", tt, r);
        pr(p, "    } else {\n");
        pr(p, "        for (i = 0; i < t->%s.count; i++)\n", rv);
        pr(p, "            if (((%s *const *)t->%s.items)[i] == m)\n                return t->%s.back[i];\n",
           mt, rv, rv);
        pr(p, "    }\n    return (size_t)-1;\n}\n\n");

        pr(p, "static void rel_link_%lu(%s *m, %s *t)  /* room reserved on both */\n{\n",
           (unsigned long)k, mt, tt);
        pr(p, "    size_t im = m->%s.count, it = t->%s.count;\n", r, rv);
        if (sym) {
            pr(p, "    if ((const void *)m == (const void *)t) {  /* one entry links it to itself */\n");
            pr(p, "        ((%s **)m->%s.items)[im] = t;\n        m->%s.back[im] = im;\n", tt, r, r);
            pr(p, "        m->%s.count++;\n        return;\n    }\n", r);
        }
        pr(p, "    ((%s **)m->%s.items)[im] = t;\n    m->%s.back[im] = it;\n    m->%s.count++;\n", tt, r, r, r);
        pr(p, "    ((%s **)t->%s.items)[it] = m;\n    t->%s.back[it] = im;\n    t->%s.count++;\n}\n\n",
           mt, rv, rv, rv);

        pr(p, "/* Removes the link at position im of m's set from both sides: the last\n"
              " * entry of each set moves into the hole, and its partner learns the new\n"
              " * position. */\n");
        pr(p, "static void rel_unlink_%lu(%s *m, size_t im)\n{\n", (unsigned long)k, mt);
        pr(p, "    %s *t = ((%s **)m->%s.items)[im];\n", tt, tt, r);
        pr(p, "    size_t it = m->%s.back[im];\n", r);
        pr(p, "    size_t last = --m->%s.count;\n", r);
        pr(p, "    if (im != last) {\n");
        pr(p, "        %s *moved = ((%s **)m->%s.items)[last];\n", tt, tt, r);
        pr(p, "        ((%s **)m->%s.items)[im] = moved;\n", tt, r);
        pr(p, "        m->%s.back[im] = m->%s.back[last];\n", r, r);
        if (sym)
            pr(p, "        if ((const void *)moved == (const void *)m)\n"
                  "            m->%s.back[im] = im;  /* its link to itself */\n        else\n    ", r);
        pr(p, "        moved->%s.back[m->%s.back[im]] = im;\n    }\n", rv, r);
        if (sym)
            pr(p, "    if ((const void *)m == (const void *)t)\n        return;  /* a link to itself is one entry */\n");
        pr(p, "    last = --t->%s.count;\n", rv);
        pr(p, "    if (it != last) {\n");
        pr(p, "        %s *moved = ((%s **)t->%s.items)[last];\n", mt, mt, rv);
        pr(p, "        ((%s **)t->%s.items)[it] = moved;\n", mt, rv);
        pr(p, "        t->%s.back[it] = t->%s.back[last];\n", rv, rv);
        if (sym)
            pr(p, "        if ((const void *)moved == (const void *)t)\n"
                  "            t->%s.back[it] = it;\n        else\n    ", rv);
        pr(p, "        moved->%s.back[t->%s.back[it]] = it;\n    }\n}\n\n", r, rv);
    }
}

/* Checks on a required-relation argument of a constructor: present, in
 * this store, and (one-to-one) not taken.  `who` names the call. */
static void c_check_required(const Emitter *e, const Model *m, const Field *skip, const char *who)
{
    Printer *p = e->p;
    const Field *f;
    for (f = m->fields; f; f = f->next) {
        const char *a;
        if (!is_required(f) || f == skip)
            continue;
        a = FN(e, f)->param;
        pr(p, "    if (!%s) {\n", a);
        pr(p, "        rel_fail(&db->errmsg, REL_ENULL, \"%s: %s.%s is required (it is not null = true)\");\n",
           who, m->name, f->name);
        pr(p, "        return NULL;\n    }\n");
        pr(p, "    if (%s->rel_db != db) {\n", a);
        pr(p, "        rel_fail(&db->errmsg, REL_EINVAL, \"%s: %s %%llu belongs to another store\", "
              "(unsigned long long)%s->rel_id);\n", who, f->target->name, a);
        pr(p, "        return NULL;\n    }\n");
        if (is_o2o(f)) {
            pr(p, "    if (%s->%s) {\n", a, rev_member(e, f));
            pr(p, "        rel_fail(&db->errmsg, REL_EUNIQUE, \"%s: %s %%llu already has a %s (%s.%s is one-to-one)\", "
                  "(unsigned long long)%s->rel_id);\n", who, f->target->name, m->name, m->name,
               f->name, a);
            pr(p, "        return NULL;\n    }\n");
        }
    }
}

/* prepare: every allocation a new object needs, before anything links it;
 * commit: the links, which cannot fail.  Constructors and create functions
 * call both, so each is all or nothing. */
static void c_prepare_commit(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    const ModelNames *mn = MN(e, m);
    const Field *f;

    pr(p, "static %s *rel_prepare_%s(%s *db", mn->type, m->name, e->store);
    required_params(e, m, NULL);
    pr(p, ")\n{\n    %s *o;\n", mn->type);
    for (f = m->fields; f; f = f->next)
        if (is_required(f) && is_o2o(f))
            pr(p, "    (void)%s;  /* one-to-one: nothing to reserve */\n", FN(e, f)->param);
    pr(p, "    if (rel_list_reserve(&db->all_%s, db->all_%s.count + 1)\n", m->name, m->name);
    pr(p, "        || rel_list_reserve(&db->ids_%s, db->ids_%s.count + 1)", m->name, m->name);
    for (f = m->fields; f; f = f->next)
        if (is_required(f) && is_fk(f))
            pr(p, "\n        || rel_list_reserve(&%s->%s, %s->%s.count + 1)", FN(e, f)->param,
               rev_member(e, f), FN(e, f)->param, rev_member(e, f));
    pr(p, "\n        || !(o = (%s *)rel_pool_get(&db->pool_%s))) {\n", mn->type, m->name);
    pr(p, "        rel_fail(&db->errmsg, REL_ENOMEM, \"out of memory creating a new %s\");\n", m->name);
    pr(p, "        return NULL;\n    }\n");
    pr(p, "    memset(o, 0, sizeof *o);\n");
    for (f = m->fields; f; f = f->next)
        if (!f->is_relation && !default_is_zero(f)) {
            pr(p, "    o->%s = ", f->name);
            default_literal(p, f);
            pr(p, ";\n");
        }
    pr(p, "    o->rel_db = db;\n    return o;\n}\n\n");

    pr(p, "static void rel_commit_%s(%s *db, %s *o", m->name, e->store, mn->type);
    required_params(e, m, NULL);
    pr(p, ")\n{\n");
    pr(p, "    o->rel_id = db->ids_%s.count + 1;\n", m->name);
    pr(p, "    ((%s **)db->ids_%s.items)[db->ids_%s.count++] = o;\n", mn->type, m->name, m->name);
    pr(p, "    o->rel_pos = db->all_%s.count;\n", m->name);
    pr(p, "    ((%s **)db->all_%s.items)[db->all_%s.count++] = o;\n", mn->type, m->name, m->name);
    for (f = m->fields; f; f = f->next)
        if (is_required(f))
            pr(p, "    rel_link_%lu(o, %s);\n", (unsigned long)rel_index(e, f), FN(e, f)->param);
    pr(p, "}\n\n");
}

static void c_model_basics(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    const ModelNames *mn = MN(e, m);

    pr(p, "%s *%s(%s *db", mn->type, mn->new_, e->store);
    required_params(e, m, NULL);
    pr(p, ")\n{\n    %s *o;\n    if (!db)\n        return NULL;\n", mn->type);
    c_check_required(e, m, NULL, mn->new_);
    pr(p, "    o = rel_prepare_%s(db", m->name);
    required_args(e, m, NULL, NULL);
    pr(p, ");\n    if (o)\n        rel_commit_%s(db, o", m->name);
    required_args(e, m, NULL, NULL);
    pr(p, ");\n    return o;\n}\n\n");

    pr(p, "%s *%s(const %s *db, uint64_t id)\n{\n", mn->type, mn->get, e->store);
    pr(p, "    const %s *o;\n", mn->type);
    pr(p, "    if (id == 0 || id > db->ids_%s.count)\n        return NULL;\n", m->name);
    pr(p, "    /* A deleted object's place in the pool has id 0 or a newer object's. */\n");
    pr(p, "    o = ((%s *const *)db->ids_%s.items)[id - 1];\n", mn->type, m->name);
    pr(p, "    return o->rel_id == id ? (%s *)o : NULL;\n}\n\n", mn->type);

    pr(p, "%s %s(const %s *db)\n{\n    %s l;\n", mn->list, mn->all, e->store, mn->list);
    pr(p, "    l.items = (%s *const *)db->all_%s.items;\n", mn->type, m->name);
    pr(p, "    l.count = db->all_%s.count;\n    return l;\n}\n\n", m->name);

    pr(p, "size_t %s(const %s *db) { return db->all_%s.count; }\n\n", mn->count, e->store, m->name);

    pr(p, "rel_status %s(%s *o) { return %s(&o, 1); }\n\n", mn->delete_, mn->type, mn->delete_many);
}

static void c_string_setter(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    pr(p, "rel_status %s(%s *o, const char *value)\n{\n    char *copy;\n", FN(e, f)->fwd.set,
       MN(e, f->model)->type);
    pr(p, "    if (!value)\n        return rel_fail(&o->rel_db->errmsg, REL_EINVAL, \"%s: the value is NULL\");\n",
       FN(e, f)->fwd.set);
    if (f->max_length)
        pr(p, "    if (rel_utf8_length(value) > %lu)\n"
              "        return rel_fail(&o->rel_db->errmsg, REL_ETOOLONG, \"%s %%llu: %s is longer than its "
              "max_length, %lu\", (unsigned long long)o->rel_id);\n",
           (unsigned long)f->max_length, f->model->name, f->name, (unsigned long)f->max_length);
    pr(p, "    copy = rel_strdup(value);\n");
    pr(p, "    if (!copy)\n        return rel_fail(&o->rel_db->errmsg, REL_ENOMEM, \"out of memory setting %s.%s\");\n",
       f->model->name, f->name);
    pr(p, "    rel_free(o->%s);\n    o->%s = copy;\n    return REL_OK;\n}\n\n", f->name, f->name);
}

/* M_set_r for a ForeignKey or OneToOneField. */
static void c_single_setter(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    const char *mt = MN(e, f->model)->type, *tt = MN(e, f->target)->type;
    const char *rv = rev_member(e, f);
    size_t k = rel_index(e, f);

    pr(p, "rel_status %s(%s *o, %s *target)\n{\n", FN(e, f)->fwd.set, mt, tt);
    if (!f->null)
        pr(p, "    if (!target)\n        return rel_fail(&o->rel_db->errmsg, REL_ENULL, \"%s %%llu: %s cannot be "
              "NULL (it is not null = true)\", (unsigned long long)o->rel_id);\n", f->model->name, f->name);
    pr(p, "    if (target == o->%s)\n        return REL_OK;\n", f->name);
    pr(p, "    if (target && target->rel_db != o->rel_db)\n        return rel_fail(&o->rel_db->errmsg, REL_EINVAL, "
          "\"%s %%llu: %s %%llu belongs to another store\", (unsigned long long)o->rel_id, "
          "(unsigned long long)target->rel_id);\n", f->model->name, f->target->name);
    if (is_fk(f)) {
        pr(p, "    if (target && rel_list_reserve(&target->%s, target->%s.count + 1))\n", rv, rv);
        pr(p, "        return rel_fail(&o->rel_db->errmsg, REL_ENOMEM, \"out of memory setting %s.%s\");\n",
           f->model->name, f->name);
    } else {
        pr(p, "    if (target && target->%s)\n        return rel_fail(&o->rel_db->errmsg, REL_EUNIQUE, \"%s %%llu "
              "already has a %s (%s.%s is one-to-one)\", (unsigned long long)target->rel_id);\n",
           rv, f->target->name, f->model->name, f->model->name, f->name);
    }
    pr(p, "    rel_unlink_%lu(o);\n    if (target)\n        rel_link_%lu(o, target);\n", (unsigned long)k,
       (unsigned long)k);
    pr(p, "    return REL_OK;\n}\n\n");
}

/* The reverse set of a ForeignKey: add, create, remove, clear. */
static void c_fk_reverse(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    const SideNames *sn = &FN(e, f)->rev;
    const char *mt = MN(e, f->model)->type, *tt = MN(e, f->target)->type;
    const char *rv = rev_member(e, f);
    size_t k = rel_index(e, f);

    pr(p, "rel_status %s(%s *o, %s *x)\n{\n", sn->add, tt, mt);
    pr(p, "    if (!x)\n        return rel_fail(&o->rel_db->errmsg, REL_EINVAL, \"%s: the %s is NULL\");\n",
       sn->add, f->model->name);
    pr(p, "    return %s(x, o);\n}\n\n", FN(e, f)->fwd.set);

    pr(p, "%s *%s(%s *o", mt, sn->create, tt);
    required_params(e, f->model, f);
    pr(p, ")\n{\n");
    if (is_required(f)) {
        pr(p, "    return %s(o->rel_db", MN(e, f->model)->new_);
        required_args(e, f->model, f, "o");
        pr(p, ");\n}\n\n");
    } else {
        pr(p, "    %s *db = o->rel_db;\n    %s *x;\n", e->store, mt);
        c_check_required(e, f->model, f, sn->create);
        pr(p, "    if (rel_list_reserve(&o->%s, o->%s.count + 1)) {\n", rv, rv);
        pr(p, "        rel_fail(&db->errmsg, REL_ENOMEM, \"out of memory creating a new %s\");\n", f->model->name);
        pr(p, "        return NULL;\n    }\n");
        pr(p, "    x = rel_prepare_%s(db", f->model->name);
        required_args(e, f->model, NULL, NULL);
        pr(p, ");\n    if (!x)\n        return NULL;\n");
        pr(p, "    rel_commit_%s(db, x", f->model->name);
        required_args(e, f->model, NULL, NULL);
        pr(p, ");\n    rel_link_%lu(x, o);\n    return x;\n}\n\n", (unsigned long)k);
    }

    if (!sn->remove)
        return;
    pr(p, "rel_status %s(%s *o, %s *x)\n{\n", sn->remove, tt, mt);
    pr(p, "    if (!x || x->%s != o)\n        return rel_fail(&o->rel_db->errmsg, REL_EINVAL, \"%s: the %s is "
          "not in this %s's %s\");\n", f->name, sn->remove, f->model->name, f->target->name, rv);
    pr(p, "    rel_unlink_%lu(x);\n    return REL_OK;\n}\n\n", (unsigned long)k);

    pr(p, "rel_status %s(%s *o)\n{\n", sn->clear, tt);
    pr(p, "    while (o->%s.count)\n", rv);
    pr(p, "        rel_unlink_%lu(((%s **)o->%s.items)[o->%s.count - 1]);\n", (unsigned long)k, mt, rv, rv);
    pr(p, "    return REL_OK;\n}\n\n");
}

/* One side of a many-to-many relation: `side` is the forward names when
 * forward, else the reverse names; o is the object whose set it is. */
static void c_m2m_side(const Emitter *e, const Field *f, bool forward)
{
    Printer *p = e->p;
    const SideNames *sn = forward ? &FN(e, f)->fwd : &FN(e, f)->rev;
    const Model *own = forward ? f->model : f->target, *other = forward ? f->target : f->model;
    const char *ot = MN(e, own)->type, *xt = MN(e, other)->type;
    const char *mine = forward ? f->name : rev_member(e, f);
    const char *theirs = forward ? rev_member(e, f) : f->name;
    /* rel_find_k and rel_unlink_k take (declaring object, target object). */
    const char *m_arg = forward ? "o" : "x", *t_arg = forward ? "x" : "o";
    size_t k = rel_index(e, f);

    pr(p, "bool %s(const %s *o, const %s *x)\n{\n", sn->contains, ot, xt);
    pr(p, "    return x && rel_find_%lu(%s, %s) != (size_t)-1;\n}\n\n", (unsigned long)k, m_arg, t_arg);

    pr(p, "rel_status %s(%s *o, %s *x)\n{\n", sn->add, ot, xt);
    pr(p, "    if (!x)\n        return rel_fail(&o->rel_db->errmsg, REL_EINVAL, \"%s: the %s is NULL\");\n",
       sn->add, other->name);
    pr(p, "    if (x->rel_db != o->rel_db)\n        return rel_fail(&o->rel_db->errmsg, REL_EINVAL, \"%s: %s %%llu "
          "belongs to another store\", (unsigned long long)x->rel_id);\n", sn->add, other->name);
    pr(p, "    if (rel_find_%lu(%s, %s) != (size_t)-1)\n        return REL_OK;  /* already linked */\n",
       (unsigned long)k, m_arg, t_arg);
    pr(p, "    if (rel_vec_reserve(&o->%s, o->%s.count + 1)\n", mine, mine);
    pr(p, "        || rel_vec_reserve(&x->%s, x->%s.count + 1))\n", theirs, theirs);
    pr(p, "        return rel_fail(&o->rel_db->errmsg, REL_ENOMEM, \"out of memory adding to %s.%s\");\n",
       own->name, mine);
    pr(p, "    rel_link_%lu(%s, %s);\n    return REL_OK;\n}\n\n", (unsigned long)k, m_arg, t_arg);

    pr(p, "rel_status %s(%s *o, %s *x)\n{\n    size_t i;\n", sn->remove, ot, xt);
    pr(p, "    if (!x)\n        return rel_fail(&o->rel_db->errmsg, REL_EINVAL, \"%s: the %s is NULL\");\n",
       sn->remove, other->name);
    pr(p, "    i = rel_find_%lu(%s, %s);\n", (unsigned long)k, m_arg, t_arg);
    pr(p, "    if (i != (size_t)-1)\n        rel_unlink_%lu(%s, i);\n    return REL_OK;\n}\n\n",
       (unsigned long)k, m_arg);

    pr(p, "rel_status %s(%s *o)\n{\n", sn->clear, ot);
    pr(p, "    while (o->%s.count) {\n", mine);
    if (forward) {
        pr(p, "        rel_unlink_%lu(o, o->%s.count - 1);\n", (unsigned long)k, mine);
    } else {
        pr(p, "        size_t last = o->%s.count - 1;\n", mine);
        pr(p, "        rel_unlink_%lu(((%s **)o->%s.items)[last], o->%s.back[last]);\n", (unsigned long)k,
           xt, mine, mine);
    }
    pr(p, "    }\n    return REL_OK;\n}\n\n");

    pr(p, "%s *%s(%s *o", xt, sn->create, ot);
    required_params(e, other, NULL);
    pr(p, ")\n{\n    %s *db = o->rel_db;\n    %s *x;\n", e->store, xt);
    c_check_required(e, other, NULL, sn->create);
    pr(p, "    if (rel_vec_reserve(&o->%s, o->%s.count + 1)) {\n", mine, mine);
    pr(p, "        rel_fail(&db->errmsg, REL_ENOMEM, \"out of memory creating a new %s\");\n", other->name);
    pr(p, "        return NULL;\n    }\n");
    pr(p, "    x = rel_prepare_%s(db", other->name);
    required_args(e, other, NULL, NULL);
    pr(p, ");\n    if (!x)\n        return NULL;\n");
    pr(p, "    if (rel_vec_reserve(&x->%s, 1)) {\n", theirs);
    pr(p, "        rel_pool_put(&db->pool_%s, x);\n", other->name);
    pr(p, "        rel_fail(&db->errmsg, REL_ENOMEM, \"out of memory creating a new %s\");\n", other->name);
    pr(p, "        return NULL;\n    }\n");
    pr(p, "    rel_commit_%s(db, x", other->name);
    required_args(e, other, NULL, NULL);
    pr(p, ");\n    rel_link_%lu(%s, %s);\n    return x;\n}\n\n", (unsigned long)k, m_arg, t_arg);
}

/* ---- delete: Django's collector ----------------------------------------- */

/* For every collected object o of model m and every referrer x of o
 * through a ForeignKey or OneToOneField with on_delete = od, prints the
 * statement body(g) (g: the referring field). */
static void c_each_referrer(const Emitter *e, const Model *m, OnDelete od,
                            void (*body)(const Emitter *e, const Model *m, const Field *g))
{
    Printer *p = e->p;
    const char *mt = MN(e, m)->type;
    size_t j;
    if (!has_incoming_rule(m, od))
        return;
    pr(p, "    for (i = 0; i < c->%s.count; i++) {\n", m->name);
    pr(p, "        %s *o = ((%s **)c->%s.items)[i];\n", mt, mt, m->name);
    for (j = 0; j < m->nincoming; j++) {
        const Field *g = m->incoming[j];
        const char *gt = MN(e, g->model)->type, *rv = rev_member(e, g);
        if (!is_single(g) || g->on_delete != od)
            continue;
        pr(p, "        /* %s.%s: on_delete = %s */\n", g->model->name, g->name, on_delete_name(od));
        if (is_fk(g)) {
            pr(p, "        for (j = 0; j < o->%s.count; j++) {\n", rv);
            pr(p, "            %s *x = ((%s **)o->%s.items)[j];\n", gt, gt, rv);
        } else {
            pr(p, "        if (o->%s) {\n            %s *x = o->%s;\n", rv, gt, rv);
        }
        p->indent += 3;
        body(e, m, g);
        p->indent -= 3;
        pr(p, "        }\n");
    }
    pr(p, "    }\n");
}

/* RESTRICT: a referrer that is not deleted by the same call refuses. */
static void restrict_body(const Emitter *e, const Model *m, const Field *g)
{
    pr(e->p, "if (!x->rel_mark)\n");
    pr(e->p, "    return rel_fail(&o->rel_db->errmsg, REL_ERESTRICTED, \"cannot delete %s %%llu: "
             "%s %%llu refers to it through %s.%s, which is on_delete = RESTRICT\", "
             "(unsigned long long)o->rel_id, (unsigned long long)x->rel_id);\n",
       m->name, g->model->name, g->model->name, g->name);
}

/* SET_NULL: a referrer that stays loses its pointer. */
static void set_null_body(const Emitter *e, const Model *m, const Field *g)
{
    (void)m;
    pr(e->p, "if (!x->rel_mark)\n    x->%s = NULL;\n", g->name);
}

/* Whether model m's delete steps have anything to do. */
static bool collects(const Model *m)
{
    return has_incoming_rule(m, OD_CASCADE) || has_incoming_rule(m, OD_PROTECT);
}

static bool unlinks(const Model *m)
{
    const Field *f;
    size_t j;
    for (f = m->fields; f; f = f->next)
        if (f->is_relation)
            return true;
    for (j = 0; j < m->nincoming; j++)
        if (is_m2m(m->incoming[j]) && !m->incoming[j]->symmetrical)
            return true;
    return false;
}

static bool restricts(const Model *m) { return has_incoming_rule(m, OD_RESTRICT); }
static bool sets_null(const Model *m) { return has_incoming_rule(m, OD_SET_NULL); }
static bool always(const Model *m) { (void)m; return true; }

static bool any_model(const Emitter *e, bool (*has)(const Model *))
{
    size_t i;
    for (i = 0; i < e->s->nmodels; i++)
        if (has(e->s->model_array[i]))
            return true;
    return false;
}

/* rel_STEP_model(..., k): step STEP of a delete for the collected objects
 * of model number k, a switch over the models that have the step.  The
 * case calls rel_STEP_M with `args`. */
static void c_step_switch(const Emitter *e, const char *ret, const char *step, const char *params,
                          bool (*has)(const Model *), const char *args)
{
    Printer *p = e->p;
    bool returns = strcmp(ret, "void") != 0;
    size_t i;
    pr(p, "static %s rel_%s_model(%s, uint32_t k)\n{\n    switch (k) {\n", ret, step, params);
    for (i = 0; i < e->s->nmodels; i++) {
        const Model *m = e->s->model_array[i];
        if (!has(m))
            continue;
        if (returns)
            pr(p, "    case %lu:\n        return rel_%s_%s(%s);\n", (unsigned long)i, step, m->name, args);
        else
            pr(p, "    case %lu:\n        rel_%s_%s(%s);\n        break;\n", (unsigned long)i, step, m->name, args);
    }
    pr(p, "    }\n%s}\n\n", returns ? "    return REL_OK;\n" : "");
}

/* rel_delete_collected: the rest of every delete, after the objects given
 * are marked.  It works on the models the collector touched (in the order
 * it touched them), so a delete costs nothing for the rest of a large
 * schema, and the code is one small function per model and step plus
 * these switches. */
static void c_delete_driver(const Emitter *e)
{
    Printer *p = e->p;
    bool any_collect = any_model(e, collects), any_restrict = any_model(e, restricts),
         any_set_null = any_model(e, sets_null), any_unlink = any_model(e, unlinks);

    char params[600];

    pr(p, "/* The steps of a delete for the collected objects of model number k. */\n\n");
    if (any_collect) {
        size_t i;
        pr(p, "static rel_status rel_collect_model(rel_collector *c, uint32_t k, bool *more)\n{\n");
        pr(p, "    rel_status st = REL_OK;\n    switch (k) {\n");
        for (i = 0; i < e->s->nmodels; i++) {
            const Model *m = e->s->model_array[i];
            if (!collects(m))
                continue;
            pr(p, "    case %lu:\n", (unsigned long)i);
            pr(p, "        for (; st == REL_OK && c->done_%s < c->%s.count; *more = true)\n", m->name, m->name);
            pr(p, "            st = rel_collect_%s(c, ((%s **)c->%s.items)[c->done_%s++]);\n", m->name,
               MN(e, m)->type, m->name, m->name);
            pr(p, "        break;\n");
        }
        pr(p, "    }\n    return st;\n}\n\n");
    }
    if (any_restrict)
        c_step_switch(e, "rel_status", "restrict", "rel_collector *c", restricts, "c");
    if (any_set_null)
        c_step_switch(e, "void", "set_null", "rel_collector *c", sets_null, "c");
    if (any_unlink)
        c_step_switch(e, "void", "unlink", "rel_collector *c", unlinks, "c");
    snprintf(params, sizeof params, "%s *db, rel_collector *c", e->store);
    c_step_switch(e, "void", "remove", params, always, "db, c");
    c_step_switch(e, "void", "end", "rel_collector *c, bool applied", always, "c, applied");

    pr(p, "/* Collects what the marked objects cascade to (PROTECT refuses), checks\n"
          " * RESTRICT against the final set, then applies it in three passes:\n"
          " * SET_NULL, unlinking from what stays, removal.  The marks are cleared\n"
          " * either way.  st is the marking's status. */\n");
    pr(p, "static rel_status rel_delete_collected(%s *db, rel_status st)\n{\n", e->store);
    pr(p, "    rel_collector *c = &db->collector;\n    uint32_t i;\n");
    if (any_collect) {
        pr(p, "    bool more = true;\n");
        pr(p, "    while (st == REL_OK && more) {  /* until nothing new is collected */\n");
        pr(p, "        more = false;\n");
        pr(p, "        for (i = 0; st == REL_OK && i < c->ntouched; i++)\n");
        pr(p, "            st = rel_collect_model(c, c->touched[i], &more);\n    }\n");
    }
    if (any_restrict) {
        pr(p, "    for (i = 0; st == REL_OK && i < c->ntouched; i++)\n");
        pr(p, "        st = rel_restrict_model(c, c->touched[i]);\n");
    }
    pr(p, "    if (st == REL_OK) {\n");
    if (any_set_null)
        pr(p, "        for (i = 0; i < c->ntouched; i++)\n            rel_set_null_model(c, c->touched[i]);\n");
    if (any_unlink)
        pr(p, "        for (i = 0; i < c->ntouched; i++)\n            rel_unlink_model(c, c->touched[i]);\n");
    pr(p, "        for (i = 0; i < c->ntouched; i++)\n            rel_remove_model(db, c, c->touched[i]);\n");
    pr(p, "    }\n");
    pr(p, "    for (i = 0; i < c->ntouched; i++)\n");
    pr(p, "        rel_end_model(c, st == REL_OK, c->touched[i]);\n");
    pr(p, "    c->ntouched = 0;\n    return st;\n}\n\n");
}

/* The steps of a delete over the collected objects of model m: RESTRICT
 * checks, SET_NULL, unlinking from what stays, removal, and clearing the
 * marks.  rel_delete_collected runs them for the models a delete touched,
 * so a delete costs nothing for the rest of a large schema, and every
 * function stays small. */
static void c_delete_steps(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    const char *mt = MN(e, m)->type;
    const Field *f;
    size_t j;

    if (restricts(m)) {
        pr(p, "static rel_status rel_restrict_%s(rel_collector *c)\n{\n    size_t i, j;\n    (void)j;\n", m->name);
        c_each_referrer(e, m, OD_RESTRICT, restrict_body);
        pr(p, "    return REL_OK;\n}\n\n");
    }
    if (sets_null(m)) {
        pr(p, "static void rel_set_null_%s(rel_collector *c)\n{\n    size_t i, j;\n    (void)j;\n", m->name);
        c_each_referrer(e, m, OD_SET_NULL, set_null_body);
        pr(p, "}\n\n");
    }

    if (unlinks(m)) {
        pr(p, "static void rel_unlink_%s(rel_collector *c)  /* from the objects that stay */\n{\n", m->name);
        pr(p, "    size_t i, j;\n    (void)j;\n");
        pr(p, "    for (i = 0; i < c->%s.count; i++) {\n", m->name);
        pr(p, "        %s *o = ((%s **)c->%s.items)[i];\n", mt, mt, m->name);
        for (f = m->fields; f; f = f->next) {
            size_t k = rel_index(e, f);
            if (is_single(f)) {
                pr(p, "        if (o->%s && !o->%s->rel_mark)\n            rel_unlink_%lu(o);\n", f->name,
                   f->name, (unsigned long)k);
            } else if (is_m2m(f)) {
                pr(p, "        for (j = o->%s.count; j-- > 0;)\n", f->name);
                pr(p, "            if (!((%s **)o->%s.items)[j]->rel_mark)\n                rel_unlink_%lu(o, j);\n",
                   MN(e, f->target)->type, f->name, (unsigned long)k);
            }
        }
        for (j = 0; j < m->nincoming; j++) {
            const Field *g = m->incoming[j];
            const char *rv = rev_member(e, g);
            if (!is_m2m(g) || g->symmetrical)
                continue;
            pr(p, "        for (j = o->%s.count; j-- > 0;) {\n", rv);
            pr(p, "            %s *x = ((%s **)o->%s.items)[j];\n", MN(e, g->model)->type,
               MN(e, g->model)->type, rv);
            pr(p, "            if (!x->rel_mark)\n                rel_unlink_%lu(x, o->%s.back[j]);\n        }\n",
               (unsigned long)rel_index(e, g), rv);
        }
        pr(p, "    }\n}\n\n");
    }

    pr(p, "static void rel_remove_%s(%s *db, rel_collector *c)  /* out of the store, freed */\n{\n",
       m->name, e->store);
    pr(p, "    size_t i;\n    for (i = 0; i < c->%s.count; i++) {\n", m->name);
    pr(p, "        %s *o = ((%s **)c->%s.items)[i];\n", mt, mt, m->name);
    pr(p, "        %s *last = ((%s **)db->all_%s.items)[--db->all_%s.count];\n", mt, mt, m->name, m->name);
    pr(p, "        ((%s **)db->all_%s.items)[o->rel_pos] = last;\n", mt, m->name);
    pr(p, "        last->rel_pos = o->rel_pos;\n");
    pr(p, "        rel_destroy_%s(db, o);\n    }\n}\n\n", m->name);

    pr(p, "static void rel_end_%s(rel_collector *c, bool applied)  /* ready for the next delete */\n{\n",
       m->name);
    pr(p, "    size_t i;\n    for (i = 0; !applied && i < c->%s.count; i++)\n", m->name);
    pr(p, "        ((%s **)c->%s.items)[i]->rel_mark = 0;\n", mt, m->name);
    pr(p, "    c->%s.count = 0;\n    c->done_%s = 0;\n}\n\n", m->name, m->name);
}

static void c_collector(const Emitter *e)
{
    Printer *p = e->p;
    const Schema *s = e->s;
    size_t i, j;

    pr(p, "/* ==== delete ==== */\n\n");
    pr(p, "/* A delete marks the objects it is given (rel_mark_M), collects what\n"
          " * they cascade to (rel_collect_M), and then runs the steps below for\n"
          " * each model it touched, through rel_delete_collected. */\n\n");

    for (i = 0; i < s->nmodels; i++) {
        const Model *m = s->model_array[i];
        const char *mt = MN(e, m)->type;
        pr(p, "static rel_status rel_mark_%s(rel_collector *c, %s *o)\n{\n", m->name, mt);
        pr(p, "    if (o->rel_mark)\n        return REL_OK;\n");
        pr(p, "    if (rel_list_reserve(&c->%s, c->%s.count + 1))\n", m->name, m->name);
        pr(p, "        return rel_fail(&o->rel_db->errmsg, REL_ENOMEM, \"out of memory deleting %s %%llu\", "
              "(unsigned long long)o->rel_id);\n", m->name);
        pr(p, "    if (c->%s.count == 0)\n        c->touched[c->ntouched++] = %lu;\n", m->name, (unsigned long)i);
        pr(p, "    o->rel_mark = 1;\n    ((%s **)c->%s.items)[c->%s.count++] = o;\n    return REL_OK;\n}\n\n",
           mt, m->name, m->name);
    }

    /* What collecting one object adds: CASCADE referrers; PROTECT fails. */
    for (i = 0; i < s->nmodels; i++) {
        const Model *m = s->model_array[i];
        if (!collects(m))
            continue;
        pr(p, "static rel_status rel_collect_%s(rel_collector *c, %s *o)\n{\n", m->name, MN(e, m)->type);
        pr(p, "    size_t i;\n    rel_status st;\n    (void)i;\n    (void)st;\n    (void)c;\n");
        for (j = 0; j < m->nincoming; j++) {
            const Field *g = m->incoming[j];
            const char *gt = MN(e, g->model)->type, *rv = rev_member(e, g);
            if (!is_single(g) || (g->on_delete != OD_CASCADE && g->on_delete != OD_PROTECT))
                continue;
            pr(p, "    /* %s.%s: on_delete = %s */\n", g->model->name, g->name, on_delete_name(g->on_delete));
            if (g->on_delete == OD_CASCADE && is_fk(g)) {
                pr(p, "    for (i = 0; i < o->%s.count; i++)\n", rv);
                pr(p, "        if ((st = rel_mark_%s(c, ((%s **)o->%s.items)[i])) != REL_OK)\n            return st;\n",
                   g->model->name, gt, rv);
            } else if (g->on_delete == OD_CASCADE) {
                pr(p, "    if (o->%s && (st = rel_mark_%s(c, o->%s)) != REL_OK)\n        return st;\n", rv,
                   g->model->name, rv);
            } else {
                if (is_fk(g))
                    pr(p, "    if (o->%s.count)\n", rv);
                else
                    pr(p, "    if (o->%s)\n", rv);
                pr(p, "        return rel_fail(&o->rel_db->errmsg, REL_EPROTECTED, \"cannot delete %s %%llu: %s %%llu "
                      "refers to it through %s.%s, which is on_delete = PROTECT\", (unsigned long long)o->rel_id, "
                      "(unsigned long long)", m->name, g->model->name, g->model->name, g->name);
                if (is_fk(g))
                    pr(p, "((%s **)o->%s.items)[0]->rel_id);\n", gt, rv);
                else
                    pr(p, "o->%s->rel_id);\n", rv);
            }
        }
        pr(p, "    return REL_OK;\n}\n\n");
    }

    for (i = 0; i < s->nmodels; i++)
        c_delete_steps(e, s->model_array[i]);

    c_delete_driver(e);
    for (i = 0; i < s->nmodels; i++) {
        const Model *m = s->model_array[i];
        const ModelNames *mn = MN(e, m);
        pr(p, "rel_status %s(%s *const *objects, size_t n)\n{\n", mn->delete_many, mn->type);
        pr(p, "    %s *db;\n    size_t i;\n    rel_status st = REL_OK;\n", e->store);
        pr(p, "    if (n == 0)\n        return REL_OK;\n");
        pr(p, "    if (!objects || !objects[0])\n        return REL_EINVAL;\n");
        pr(p, "    db = objects[0]->rel_db;\n");
        pr(p, "    for (i = 1; i < n; i++)\n");
        pr(p, "        if (!objects[i] || objects[i]->rel_db != db)\n");
        pr(p, "            return rel_fail(&db->errmsg, REL_EINVAL, \"%s: object %%lu is NULL or in another store\", "
              "(unsigned long)i);\n", mn->delete_many);
        pr(p, "    for (i = 0; i < n && st == REL_OK; i++)\n        st = rel_mark_%s(&db->collector, objects[i]);\n",
           m->name);
        pr(p, "    return rel_delete_collected(db, st);\n}\n\n");
    }
}

/* ---- verify ------------------------------------------------------------- */

static void c_corrupt(Printer *p, const Model *m, const char *what)
{
    pr(p, "return rel_fail(&w->errmsg, REL_ECORRUPT, \"verify: %s %%llu: %s\", (unsigned long long)o->rel_id);\n",
       m->name, what);
}

static void c_verify(const Emitter *e)
{
    Printer *p = e->p;
    const Schema *s = e->s;
    const SchemaNames *sn = &e->n->schema;
    size_t i, j;

    pr(p, "/* ==== verify: one function per model, so each stays small ==== */\n\n");
    for (i = 0; i < s->nmodels; i++) {
        const Model *m = s->model_array[i];
        const char *mt = MN(e, m)->type;
        const Field *f;

        pr(p, "/* %s: ids, the list of all, then each object's relations. */\n", m->name);
        pr(p, "static rel_status rel_verify_%s(const %s *db, %s *w)\n{\n", m->name, sn->store, sn->store);
        pr(p, "    size_t i, j, live;\n    (void)j;\n");
        pr(p, "    live = 0;\n");
        pr(p, "    for (i = 0; i < db->ids_%s.count; i++) {\n", m->name);
        pr(p, "        const %s *o = ((%s *const *)db->ids_%s.items)[i];\n", mt, mt, m->name);
        pr(p, "        if (o->rel_id != i + 1)\n            continue;  /* deleted */\n        live++;\n");
        pr(p, "        if (o->rel_pos >= db->all_%s.count\n", m->name);
        pr(p, "            || ((%s *const *)db->all_%s.items)[o->rel_pos] != o)\n            ", mt, m->name);
        c_corrupt(p, m, "id or list position is wrong");
        pr(p, "    }\n");
        pr(p, "    if (live != db->all_%s.count)\n", m->name);
        pr(p, "        return rel_fail(&w->errmsg, REL_ECORRUPT, \"verify: the store lists %%lu %s but has %%lu ids\", "
              "(unsigned long)db->all_%s.count, (unsigned long)live);\n", m->name, m->name);
        pr(p, "    for (i = 0; i < db->all_%s.count; i++) {\n", m->name);
        pr(p, "        const %s *o = ((%s *const *)db->all_%s.items)[i];\n", mt, mt, m->name);
        pr(p, "        if (o->rel_db != db || o->rel_mark)\n            ");
        c_corrupt(p, m, "wrong store, or left marked by a delete");
        p->indent++;
        for (f = m->fields; f; f = f->next) {
            const char *rv;
            if (f->kind == FK_STRING && f->max_length) {
                pr(p, "    if (o->%s && rel_utf8_length(o->%s) > %lu)\n        ", f->name, f->name,
                   (unsigned long)f->max_length);
                c_corrupt(p, m, "a string is longer than its max_length");
            }
            if (!f->is_relation)
                continue;
            rv = rev_member(e, f);
            if (is_required(f)) {
                pr(p, "    if (!o->%s)\n        ", f->name);
                c_corrupt(p, m, "a required relation is NULL");
            }
            if (is_fk(f)) {
                pr(p, "    if (o->%s && (o->%s->rel_db != db || o->rel_pos_%s >= o->%s->%s.count\n", f->name,
                   f->name, f->name, f->name, rv);
                pr(p, "            || ((%s *const *)o->%s->%s.items)[o->rel_pos_%s] != o))\n        ", mt,
                   f->name, rv, f->name);
                c_corrupt(p, m, "a ForeignKey's target does not list it back");
            } else if (is_o2o(f)) {
                pr(p, "    if (o->%s && (o->%s->rel_db != db || o->%s->%s != o))\n        ", f->name, f->name,
                   f->name, rv);
                c_corrupt(p, m, "a OneToOneField's target does not point back");
            } else {
                const char *tt = MN(e, f->target)->type;
                pr(p, "    for (j = 0; j < o->%s.count; j++) {\n", f->name);
                pr(p, "        const %s *t = ((%s *const *)o->%s.items)[j];\n", tt, tt, f->name);
                pr(p, "        size_t b = o->%s.back[j];\n", f->name);
                pr(p, "        if (t->rel_db != db || b >= t->%s.count\n", rv);
                pr(p, "            || ((%s *const *)t->%s.items)[b] != (const void *)o || t->%s.back[b] != j)\n"
                      "            ", mt, rv, rv);
                c_corrupt(p, m, "a many-to-many link is not on both sides");
                pr(p, "    }\n");
            }
        }
        for (j = 0; j < m->nincoming; j++) {
            const Field *g = m->incoming[j];
            const char *gt = MN(e, g->model)->type, *rv = rev_member(e, g);
            if (is_fk(g)) {
                pr(p, "    for (j = 0; j < o->%s.count; j++) {\n", rv);
                pr(p, "        const %s *x = ((%s *const *)o->%s.items)[j];\n", gt, gt, rv);
                pr(p, "        if (x->%s != o || x->rel_pos_%s != j)\n            ", g->name, g->name);
                c_corrupt(p, m, "a reverse set holds an object that points elsewhere");
                pr(p, "    }\n");
            } else if (is_o2o(g)) {
                pr(p, "    if (o->%s && o->%s->%s != o)\n        ", rv, rv, g->name);
                c_corrupt(p, m, "a one-to-one reverse points at an object that points elsewhere");
            } else if (!g->symmetrical) {
                pr(p, "    for (j = 0; j < o->%s.count; j++) {\n", rv);
                pr(p, "        const %s *x = ((%s *const *)o->%s.items)[j];\n", gt, gt, rv);
                pr(p, "        size_t b = o->%s.back[j];\n", rv);
                pr(p, "        if (b >= x->%s.count || ((%s *const *)x->%s.items)[b] != (const void *)o\n",
                   g->name, mt, g->name);
                pr(p, "            || x->%s.back[b] != j)\n            ", g->name);
                c_corrupt(p, m, "a many-to-many link is not on both sides");
                pr(p, "    }\n");
            }
        }
        p->indent--;
        pr(p, "    }\n    return REL_OK;\n}\n\n");
    }
    pr(p, "rel_status %s(const %s *db)\n{\n", sn->store_verify, sn->store);
    pr(p, "    %s *w = (%s *)db;  /* for the message only */\n", sn->store, sn->store);
    pr(p, "    rel_status st = REL_OK;\n");
    for (i = 0; i < s->nmodels; i++)
        pr(p, "    if (st == REL_OK)\n        st = rel_verify_%s(db, w);\n", s->model_array[i]->name);
    pr(p, "    return st;\n}\n");
}

bool emit_source(const RelcUnit *u, Printer *p)
{
    Emitter e = emitter(u, p);
    const SchemaNames *sn = &u->names.schema;
    size_t i;

    pr(p, "/* %s.c: generated by relc %s from %s; do not edit. */\n", sn->base, RELC_VERSION,
       file_base(u->diags.filename));
    pr(p, "#include \"%s.h\"\n\n#include <string.h>\n\n", sn->base);
    c_store(&e);
    for (i = 0; i < e.s->nmodels; i++)
        c_destroy(&e, e.s->model_array[i]);
    c_store_free(&e);

    pr(p, "/* ==== relations: the only code that writes both sides ==== */\n\n");
    for (i = 0; i < e.s->nmodels; i++) {
        const Field *f;
        for (f = e.s->model_array[i]->fields; f; f = f->next)
            if (f->is_relation)
                c_relation_helpers(&e, f);
    }

    pr(p, "/* ==== creating objects ==== */\n\n");
    for (i = 0; i < e.s->nmodels; i++)
        c_prepare_commit(&e, e.s->model_array[i]);

    for (i = 0; i < e.s->nmodels; i++) {
        const Model *m = e.s->model_array[i];
        const Field *f;
        size_t k;
        pr(p, "/* ==== %s ==== */\n\n", m->name);
        c_model_basics(&e, m);
        for (f = m->fields; f; f = f->next) {
            if (f->kind == FK_STRING)
                c_string_setter(&e, f);
            else if (is_single(f))
                c_single_setter(&e, f);
            else if (is_m2m(f))
                c_m2m_side(&e, f, true);
        }
        for (k = 0; k < m->nincoming; k++) {
            const Field *g = m->incoming[k];
            if (!FN(&e, g)->rev.get || is_o2o(g))
                continue;
            if (is_fk(g))
                c_fk_reverse(&e, g);
            else
                c_m2m_side(&e, g, false);
        }
    }
    c_collector(&e);
    c_verify(&e);
    return !p->oom;
}
