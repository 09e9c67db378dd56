/* emit_types.c: the types of the generated header: the store's opaque
 * type, each model's struct and its typed list view.
 *
 * A ForeignKey, OneToOneField or GenericForeignKey member is a rel_cref
 * (the runtime's 32-bit reference), which the getter decodes; a reverse
 * one-to-one names the other struct with an elaborated specifier
 * (`struct Author *`), so that a member named like a model cannot change
 * what a later `Author` means, which C++ rejects.  Members are ordered
 * by alignment, largest first, after relc's own header, so a struct has
 * no padding between members.
 */
#include "emit_c.h"

#include <string.h>

void emit_typedefs(const Emitter *e)
{
    Printer *p = e->p;
    const SchemaNames *sn = &e->n->schema;
    size_t i;

    pr(p, "/* The store owns every object of the schema; %s describes the\n"
          " * schema to the runtime's generic code. */\n", sn->desc);
    pr(p, "typedef struct %s %s;\n", sn->store, sn->store);
    pr(p, "extern const rel_schema %s;\n\n", sn->desc);
    for (i = 0; i < e->s->nmodels; i++)
        pr(p, "typedef struct %s %s;\n", MN(e, e->s->model_array[i])->type,
           MN(e, e->s->model_array[i])->type);
    pr(p, "\n/* The models by number: how %s.per_model and rel_ref.model count. */\nenum {", sn->delete_result);
    for (i = 0; i < e->s->nmodels; i++)
        pr(p, "%s%s", i ? ", " : " ", MN(e, e->s->model_array[i])->number);
    pr(p, ", %s };\n", sn->nmodels);
    pr(p, "/* What a delete removed, as Django's delete() returns (n, {model: n}). */\n");
    pr(p, "typedef struct %s { size_t total; size_t per_model[%s]; } %s;\n", sn->delete_result, sn->nmodels,
       sn->delete_result);
    pr(p, "\n/* Read-only views of a collection, valid until it next changes; the order\n"
          " * is unspecified.  Iterate with rel_foreach or by index. */\n");
    for (i = 0; i < e->s->nmodels; i++) {
        const ModelNames *mn = MN(e, e->s->model_array[i]);
        pr(p, "typedef struct %s { struct %s *const *items; size_t count; } %s;\n", mn->list, mn->type,
           mn->list);
    }
    pr(p, "\n");
}

/* One scalar member. */
static void members_one(const Emitter *e, const Field *f)
{
    const char *t = type_info(f->kind)->c_type;
    pr(e->p, "%s%s%s;%s\n", t, t[strlen(t) - 1] == '*' ? "" : " ", f->name,
       f->kind == FK_STRING ? "  /* never NULL */" : "");
}

/* The 4-byte member that shares the first 8 bytes with the tag, so that
 * the members after it start aligned: the first 4-byte scalar, else the
 * first ForeignKey's (or GenericForeignKey's) position, else the first
 * OneToOneField's reference.  NULL: none (4 bytes of padding then, or
 * none at all when nothing needs 8-byte alignment). */
static const Field *partner(const Model *m)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (!f->is_relation && type_info(f->kind)->align == 4)
            return f;
    for (f = m->fields; f; f = f->next)
        if (is_fk(f) || is_gfk(f))
            return f;
    for (f = m->fields; f; f = f->next)
        if (is_o2o(f))
            return f;
    return NULL;
}

/* The members of m's struct whose alignment class is `align`, in
 * declaration order, except `skip` (the tag's partner). */
static void members(const Emitter *e, const Model *m, unsigned align, const Field *skip)
{
    Printer *p = e->p;
    const Field *f;
    size_t i;

    for (f = m->fields; f; f = f->next) {
        if (!f->is_relation) {
            if (type_info(f->kind)->align != align || f == skip)
                continue;
            members_one(e, f);
        } else if (align == 4 && is_gfk(f)) {
            pr(p, "rel_cref %s;  /* GenericForeignKey: the model %s says */\n", f->name, FN(e, f)->ct_member);
            if (f != skip)
                pr(p, "uint32_t %s;  /* its place in its target's reverse list */\n", FN(e, f)->pos_member);
            pr(p, "uint32_t %s;  /* 0: unset; else %s's model number + 1 */\n", FN(e, f)->ct_member, f->name);
        } else if (align == 4 && is_single(f)) {
            if (f != skip || is_fk(f))   /* a OneToOneField partner: its reference */
                pr(p, "rel_cref %s;  /* %s * */\n", f->name, MN(e, f->target)->type);
            if (is_fk(f) && f != skip)
                pr(p, "uint32_t %s;  /* its place in %s.%s */\n", FN(e, f)->pos_member, f->target->name,
                   FN(e, f)->rev_member);
        } else if (align == 8 && !is_single(f) && !is_gfk(f)) {
            pr(p, "rel_vec %s;  /* %s *", f->name, MN(e, f->target)->type);
            pr(p, f->symmetrical ? ", symmetrical */\n" : " */\n");
        }
    }
    for (i = 0; align == 8 && i < m->nincoming; i++) {
        const Field *g = m->incoming[i];
        if (!has_rev_member(g))
            continue;
        if (is_o2o(g))
            pr(p, "struct %s *%s;  /* reverse of %s.%s */\n", MN(e, g->model)->type, FN(e, g)->rev_member,
               g->model->name, g->name);
        else
            pr(p, "%s %s;  /* %s *: reverse of %s.%s */\n", is_fk(g) || is_gfk(g) ? "rel_list" : "rel_vec",
               FN(e, g)->rev_member, MN(e, g->model)->type, g->model->name, g->name);
    }
}

/* The tag first (the runtime finds it at offset 0), then its partner,
 * then the rest by alignment, largest first: no padding between members. */
void emit_struct(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    const Field *two = partner(m);
    unsigned align;

    c_doc_comment(p, m->doc);
    pr(p, "struct %s {\n", MN(e, m)->type);
    p->indent++;
    pr(p, "uint32_t rel_tag;  /* relc's: the id, and whether it is deleted */\n");
    if (two && !two->is_relation)
        members_one(e, two);
    else if (two && is_gfk(two))
        pr(p, "uint32_t %s;  /* its place in its target's reverse list */\n", FN(e, two)->pos_member);
    else if (two && is_o2o(two))
        pr(p, "rel_cref %s;  /* %s * */\n", two->name, MN(e, two->target)->type);
    else if (two)
        pr(p, "uint32_t %s;  /* its place in %s.%s */\n", FN(e, two)->pos_member, two->target->name,
           FN(e, two)->rev_member);
    for (align = 8; align >= 1; align /= 2)
        members(e, m, align, two);
    p->indent--;
    pr(p, "};\n\n");
}
