/* emit_types.c: the types of the generated header: the store's opaque
 * type, each model's struct and its typed list view.
 *
 * Struct members name other structs with elaborated specifiers
 * (`struct Author *author`), so that a member named like a model (a field
 * `Author` of type ForeignKey(Author)) cannot change what a later
 * `Author` means, which C++ rejects.  Members are ordered by alignment,
 * largest first, after relc's own header, so a struct has no padding
 * between members.
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
    pr(p, "\n/* Read-only views of a collection, valid until it next changes; the order\n"
          " * is unspecified.  Iterate with rel_foreach or by index. */\n");
    for (i = 0; i < e->s->nmodels; i++) {
        const ModelNames *mn = MN(e, e->s->model_array[i]);
        pr(p, "typedef struct %s { struct %s *const *items; size_t count; } %s;\n", mn->list, mn->type,
           mn->list);
    }
    pr(p, "\n");
}

/* The members of m's struct whose alignment class is `align`, in
 * declaration order. */
static void members(const Emitter *e, const Model *m, unsigned align)
{
    Printer *p = e->p;
    const Field *f;
    size_t i;

    for (f = m->fields; f; f = f->next) {
        if (!f->is_relation) {
            if (type_info(f->kind)->align != align)
                continue;
            const char *t = type_info(f->kind)->c_type;
            pr(p, "%s%s%s;%s\n", t, t[strlen(t) - 1] == '*' ? "" : " ", f->name,
               f->kind == FK_STRING ? "  /* never NULL */" : "");
        } else if (align == 8 && is_single(f)) {
            pr(p, "struct %s *%s;\n", MN(e, f->target)->type, f->name);
        } else if (align == 8) {
            pr(p, "rel_vec %s;  /* %s *", f->name, MN(e, f->target)->type);
            pr(p, f->symmetrical ? ", symmetrical */\n" : " */\n");
        } else if (align == 4 && is_fk(f)) {
            pr(p, "uint32_t %s;  /* its place in %s.%s */\n", FN(e, f)->pos_member, f->target->name,
               FN(e, f)->rev_member);
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
            pr(p, "%s %s;  /* %s *: reverse of %s.%s */\n", is_fk(g) ? "rel_list" : "rel_vec",
               FN(e, g)->rev_member, MN(e, g->model)->type, g->model->name, g->name);
    }
}

void emit_struct(const Emitter *e, const Model *m)
{
    Printer *p = e->p;
    unsigned align;

    c_doc_comment(p, m->doc);
    pr(p, "struct %s {\n", MN(e, m)->type);
    p->indent++;
    pr(p, "rel_object rel_obj;  /* relc's: the store, the id, the place in the store */\n");
    for (align = 8; align >= 1; align /= 2)
        members(e, m, align);
    p->indent--;
    pr(p, "};\n\n");
}
