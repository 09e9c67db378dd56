/* emit_desc.c: NAME.c, the schema descriptor (rel_schema in rel.h).
 *
 * Constant data only, as protobuf-c's .pb-c.c files are: the defaults,
 * then per model its scalar fields and the indexes of the relations it
 * declares, requires and receives, then the models and the relations.
 * The runtime's generic code (create, delete, verify, free, and whatever
 * else walks a schema) reads nothing else.  Internal names are rel_ plus
 * indexes, which no schema name can produce.
 */
#include "emit_c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* C's guaranteed limit on a string literal's length (C99 5.2.4.1); a
 * longer default is written as an array of characters instead. */
enum { LITERAL_MAX = 4095 };

/* A floating constant that reads back as exactly d: shortest "%.*g" that
 * round-trips, with a decimal point so that it is not an integer. */
static void float_literal(Printer *p, double d, bool single)
{
    char buf[64];
    int prec;
    for (prec = single ? 6 : 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (single ? (float)strtod(buf, NULL) == (float)d : strtod(buf, NULL) == d)
            break;
    }
    pr(p, "%s%s%s", buf, strpbrk(buf, ".e") ? "" : ".0", single ? "f" : "");
}

/* `static const T rel_def_K_I = value;` for a scalar with a nonzero
 * default; its name is what the field's entry points at. */
static void default_constant(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    const FieldDefault *d = &f->def;
    const char *t = type_info(f->kind)->c_type;
    unsigned long k = (unsigned long)f->model->index, i = (unsigned long)scalar_index(f);

    if (f->kind == FK_STRING) {
        pr(p, "static const char rel_def_%lu_%lu[] = ", k, i);
        if (d->len <= LITERAL_MAX) {
            c_string_literal(p, d->s, d->len);
        } else {
            size_t j;
            pr(p, "{");
            /* Octal character constants: type char in C++, so that no
             * value narrows whether char is signed or not. */
            for (j = 0; j < d->len; j++)
                pr(p, "%s'\\%03o',", j % 12 ? " " : "\n    ", (unsigned)(unsigned char)d->s[j]);
            pr(p, "\n    '\\0'\n}");
        }
        pr(p, ";\n");
        return;
    }
    pr(p, "static const %s rel_def_%lu_%lu = ", t, k, i);
    switch (f->kind) {
    case FK_BOOL:
        pr(p, "%s", d->b ? "true" : "false");
        break;
    case FK_FLOAT:
    case FK_DOUBLE:
        float_literal(p, d->d, f->kind == FK_FLOAT);
        break;
    case FK_INT64:
        if (d->i == INT64_MIN)
            pr(p, "INT64_MIN");
        else
            pr(p, "INT64_C(%lld)", (long long)d->i);
        break;
    case FK_INT32:
        if (d->i == INT32_MIN)
            pr(p, "INT32_MIN");
        else
            pr(p, "%lld", (long long)d->i);
        break;
    case FK_UINT64:
        pr(p, "UINT64_C(%llu)", (unsigned long long)d->u);
        break;
    case FK_UINT32:
        pr(p, "%lluu", (unsigned long long)d->u);
        break;
    case FK_INT8:
    case FK_INT16:
        pr(p, "%lld", (long long)d->i);
        break;
    default:   /* uint8, uint16 */
        pr(p, "%llu", (unsigned long long)d->u);
        break;
    }
    pr(p, ";\n");
}

static bool is_relation(const Field *f) { return f->is_relation; }

/* The descriptor's relations a field declares: one per model a
 * GenericForeignKey lists, one for another relation, none for a scalar. */
static size_t relation_entries(const Field *f)
{
    return is_gfk(f) ? f->nparts : f->is_relation;
}

/* The relations of m with a property, as an index array; nothing when
 * there are none. */
static void index_array(const Emitter *e, const Model *m, const char *name, const char *what,
                        bool (*want)(const Field *), bool incoming)
{
    Printer *p = e->p;
    size_t i, n = 0;
    const Field *f;
    if (incoming) {
        n = m->nincoming;
    } else {
        for (f = m->fields; f; f = f->next)
            n += want == is_relation ? relation_entries(f) : want(f);
    }
    if (n == 0)
        return;
    pr(p, "static const uint32_t rel_%s_%lu[] = {", name, (unsigned long)m->index);
    if (incoming) {
        for (i = 0; i < m->nincoming; i++)
            pr(p, "%s%lu", i ? ", " : " ", (unsigned long)FN(e, m->incoming[i])->relation);
    } else {
        for (i = 0, f = m->fields; f; f = f->next) {
            size_t j, k = want == is_relation ? relation_entries(f) : want(f);
            for (j = 0; j < k; j++)   /* a GenericForeignKey's parts are numbered in a row */
                pr(p, "%s%lu", i++ ? ", " : " ", (unsigned long)(FN(e, f)->relation + j));
        }
    }
    pr(p, " };  /* %s */\n", what);
}

static size_t count_fields(const Model *m, bool (*want)(const Field *), bool scalars);

/* A relation's or scalar's entry in rel_model.required and
 * rel_unique.members: the relation index, or REL_ARG_FIELD | its place
 * among the scalars. */
static void member_entry(const Emitter *e, Printer *p, const Field *f)
{
    if (f->is_relation)
        pr(p, "%lu", (unsigned long)FN(e, f)->relation);
    else
        pr(p, "REL_ARG_FIELD | %lu", (unsigned long)scalar_index(f));
}

/* rel_required_K: the constructor's arguments, relations and scalars. */
static void ctor_array(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    const Field *f;
    size_t i = 0;
    if (!count_fields(m, is_ctor_arg, false))
        return;
    pr(p, "static const uint32_t rel_required_%lu[] = {", (unsigned long)m->index);
    for (f = m->fields; f; f = f->next)
        if (is_ctor_arg(f)) {
            pr(p, i++ ? ", " : " ");
            member_entry(e, p, f);
        }
    pr(p, " };  /* the arguments of its constructor */\n");
}

bool in_unique(const Field *f)
{
    size_t i, j;
    for (i = 0; i < f->model->nuniques; i++)
        for (j = 0; j < f->model->uniques[i].n; j++)
            if (f->model->uniques[i].fields[j] == f)
                return true;
    return false;
}

size_t unique_base(const Schema *s, const Model *m)
{
    size_t i, n = 0;
    for (i = 0; i < m->index; i++)
        n += s->model_array[i]->nuniques;
    return n;
}

/* rel_umembers_K_J for each unique constraint J of m, and rel_uniques_K,
 * their numbers in rel_unique_table. */
static void unique_arrays(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    unsigned long k = (unsigned long)m->index;
    size_t i, j, base = unique_base(e->s, m);
    if (!m->nuniques)
        return;
    for (i = 0; i < m->nuniques; i++) {
        const Unique *u = &m->uniques[i];
        pr(p, "static const uint32_t rel_umembers_%lu_%lu[] = {", k, (unsigned long)i);
        for (j = 0; j < u->n; j++) {
            pr(p, j ? ", " : " ");
            member_entry(e, p, u->fields[j]);
        }
        pr(p, " };  /* unique%s */\n", u->together ? "_together" : "");
    }
    pr(p, "static const uint32_t rel_uniques_%lu[] = {", k);
    for (i = 0; i < m->nuniques; i++)
        pr(p, "%s%lu", i ? ", " : " ", (unsigned long)(base + i));
    pr(p, " };  /* its unique constraints */\n");
}

/* rel_unique_table: every model's constraints; returns how many. */
static size_t unique_table(const Emitter *e)
{
    Printer *p = e->p;
    size_t i, j, n = 0;
    for (i = 0; i < e->s->nmodels; i++)
        n += e->s->model_array[i]->nuniques;
    if (!n)
        return 0;
    pr(p, "static const rel_unique rel_unique_table[] = {\n");
    for (i = 0; i < e->s->nmodels; i++) {
        const Model *m = e->s->model_array[i];
        for (j = 0; j < m->nuniques; j++)
            pr(p, "    { %lu, rel_umembers_%lu_%lu, %lu },\n", (unsigned long)i, (unsigned long)i, (unsigned long)j,
               (unsigned long)m->uniques[j].n);
    }
    pr(p, "};\n\n");
    return n;
}

static size_t count_fields(const Model *m, bool (*want)(const Field *), bool scalars)
{
    const Field *f;
    size_t n = 0;
    for (f = m->fields; f; f = f->next)
        n += scalars ? !f->is_relation : want == is_relation ? relation_entries(f) : want(f);
    return n;
}

/* Whether m declares a relation before a scalar field: then its entry
 * needs rel_order_K, the declaration order that fixtures follow. */
static bool interleaved(const Model *m)
{
    const Field *f;
    bool relation_seen = false;
    for (f = m->fields; f; f = f->next) {
        if (f->is_relation)
            relation_seen = true;
        else if (relation_seen)
            return true;
    }
    return false;
}

/* rel_order_K: scalar field i as i, the model's relation j as
 * nfields + j. */
static void order_array(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    size_t nscalars = count_fields(m, NULL, true), scalar = 0, relation = 0;
    const Field *f;
    if (!interleaved(m))
        return;
    pr(p, "static const uint32_t rel_order_%lu[] = {", (unsigned long)m->index);
    for (f = m->fields; f; f = f->next) {   /* a GenericForeignKey: its parts in a row */
        size_t j;
        if (!f->is_relation)
            pr(p, "%s%lu", f == m->fields ? " " : ", ", (unsigned long)scalar++);
        for (j = 0; j < relation_entries(f); j++)
            pr(p, "%s%lu", f == m->fields && j == 0 ? " " : ", ", (unsigned long)(nscalars + relation++));
    }
    pr(p, " };  /* declaration order: fields, then relations from %lu */\n", (unsigned long)nscalars);
}

/* Everything model m's entry points at. */
static void model_tables(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    const char *tag = MN(e, m)->type;
    unsigned long k = (unsigned long)m->index;
    const Field *f;

    pr(p, "/* %s */\n", m->name);
    for (f = m->fields; f; f = f->next)
        if (!f->is_relation && f->def.nonzero)
            default_constant(e, f);
    if (count_fields(m, NULL, true)) {
        pr(p, "static const rel_field rel_fields_%lu[] = {\n", k);
        for (f = m->fields; f; f = f->next) {
            if (f->is_relation)
                continue;
            pr(p, "    { \"%s\", offsetof(struct %s, %s), %s, ", f->name, tag, f->name,
               type_info(f->kind)->rel_type);
            if (f->def.nonzero)
                pr(p, "%srel_def_%lu_%lu, ", f->kind == FK_STRING ? "" : "&", k,
                   (unsigned long)scalar_index(f));
            else
                pr(p, "NULL, ");
            pr(p, "UINT64_C(%llu) },\n", (unsigned long long)f->max_length);
        }
        pr(p, "};\n");
    }
    index_array(e, m, "relations", "the relations it declares", is_relation, false);
    ctor_array(e, m);
    unique_arrays(e, m);
    index_array(e, m, "incoming", "the relations that point at it", NULL, true);
    order_array(e, m);
    pr(p, "\n");
}

/* ", rel_NAME_K, N" or ", NULL, 0": one table of a model's entry. */
static void table_ref(Printer *p, const char *name, unsigned long k, size_t n)
{
    if (n)
        pr(p, " rel_%s_%lu, %lu,", name, k, (unsigned long)n);
    else
        pr(p, " NULL, 0,");
}

static void model_entry(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    unsigned long k = (unsigned long)m->index;
    pr(p, "    { \"%s\", sizeof(struct %s),\n     ", m->name, MN(e, m)->type);
    table_ref(p, "fields", k, count_fields(m, NULL, true));
    table_ref(p, "relations", k, count_fields(m, is_relation, false));
    table_ref(p, "required", k, count_fields(m, is_ctor_arg, false));
    table_ref(p, "incoming", k, m->nincoming);
    if (interleaved(m))
        pr(p, " rel_order_%lu,", k);
    else
        pr(p, " NULL,");
    if (m->nuniques)
        pr(p, " rel_uniques_%lu, %lu },\n", k, (unsigned long)m->nuniques);
    else
        pr(p, " NULL, 0 },\n");
}

/* The through model's members of a relation entry: REL_NO_THROUGH, or
 * the through model and its two ForeignKeys (a many-to-many), or the
 * many-to-many a ForeignKey serves. */
static void through_members(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    if (f->through_src)
        pr(p, "%lu, %lu, %lu, REL_NONE", (unsigned long)f->through->index,
           (unsigned long)FN(e, f->through_src)->relation, (unsigned long)FN(e, f->through_dst)->relation);
    else if (f->serves)
        pr(p, "REL_NONE, REL_NONE, REL_NONE, %lu", (unsigned long)FN(e, f->serves)->relation);
    else
        pr(p, "REL_NO_THROUGH");
}

static void relation_entry(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    const char *mt = MN(e, f->model)->type, *tt = MN(e, f->target)->type;
    const FieldNames *fn = FN(e, f);
    const ActionInfo *a = action_info(f->on_delete);

    pr(p, "    { \"%s\", ", f->name);
    if (f->accessor && !f->symmetrical)
        pr(p, "\"%s\", ", f->accessor);
    else
        pr(p, "NULL, ");
    pr(p, "%lu, %lu, %s, %s, %d, %d,\n", (unsigned long)f->model->index, (unsigned long)f->target->index,
       type_info(f->kind)->rel_type, a ? a->rel_name : "REL_NO_ACTION", f->null ? 1 : 0,
       f->symmetrical ? 1 : 0);
    pr(p, "      offsetof(struct %s, %s), ", mt, f->name);
    if (fn->pos_member)
        pr(p, "offsetof(struct %s, %s), ", mt, fn->pos_member);
    else
        pr(p, "0, ");
    pr(p, "offsetof(struct %s, %s),\n      %lu, %d, ", tt, f->symmetrical ? f->name : fn->rev_member,
       f->to_field ? (unsigned long)scalar_index(f->to_field) + 1 : 0UL, in_unique(f) ? 1 : 0);
    if (fn->ct_member)
        pr(p, "offsetof(struct %s, %s), \"%s\", \"%s\", ", mt, fn->ct_member, f->head->ct_field,
           f->head->fk_field);
    else
        pr(p, "0, NULL, NULL, ");
    through_members(e, f);
    pr(p, " },\n");
}

void emit_descriptor(const Emitter *e)
{
    Printer *p = e->p;
    const Schema *s = e->s;
    size_t i, nrel = 0, nuniques;
    const Field *f;

    pr(p, "/* The schema, as the runtime's generic code reads it (rel_schema in\n"
          " * rel.h): defaults, fields, relations and models.  Nothing else is\n"
          " * generated here: every function is inline in %s.h. */\n\n", e->n->schema.base);
    for (i = 0; i < s->nmodels; i++)
        model_tables(e, s->model_array[i]);

    pr(p, "static const rel_model rel_model_table[] = {\n");
    for (i = 0; i < s->nmodels; i++)
        model_entry(e, s->model_array[i]);
    pr(p, "};\n\n");

    for (i = 0; i < s->nmodels; i++)
        for (f = s->model_array[i]->fields; f; f = f->next)
            nrel += relation_entries(f);
    if (nrel) {
        pr(p, "static const rel_relation rel_relation_table[] = {\n");
        for (i = 0; i < s->nmodels; i++)
            for (f = s->model_array[i]->fields; f; f = f->next) {
                size_t j;
                for (j = 0; is_gfk(f) && j < f->nparts; j++)
                    relation_entry(e, f->parts[j]);
                if (f->is_relation && !is_gfk(f))
                    relation_entry(e, f);
            }
        pr(p, "};\n\n");
    }
    nuniques = unique_table(e);
    pr(p, "const rel_schema %s = {\n    \"", e->n->schema.desc);
    pr(p, "%s\", rel_model_table, %lu, %s, %lu,\n    %s, %lu\n};\n", s->name, (unsigned long)s->nmodels,
       nrel ? "rel_relation_table" : "NULL", (unsigned long)nrel, nuniques ? "rel_unique_table" : "NULL",
       (unsigned long)nuniques);
}
