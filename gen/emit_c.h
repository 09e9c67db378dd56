/* emit_c.h: what the C emitter's files share.
 *
 * The generated code is thin by design: every algorithm lives once in the
 * runtime (rel.h and its .c files), so the emitter writes
 *
 *   NAME.h  the struct of each model, typed list views, and one short
 *           static inline function per API call: a getter reads a member,
 *           a hot call hands constant member offsets to a runtime inline
 *           helper, everything else calls generic runtime code;
 *   NAME.c  the schema descriptor (rel_schema): models, fields, relations,
 *           defaults, which the generic code walks.
 *
 * One file per concern, as flatcc splits its C generator:
 *   emit_c.c      the two files' skeletons, literals, doc comments;
 *   emit_types.c  typedefs, list views and struct layouts;
 *   emit_api.c    the store, model, field and relation functions;
 *   emit_desc.c   the descriptor.
 * The emitter only prints: names come from names.c (NameTables), every
 * decision from check.c (resolved fields, decoded defaults, vocab.h).
 */
#ifndef RELC_EMIT_C_H
#define RELC_EMIT_C_H

#include "ast.h"
#include "names.h"
#include "printer.h"
#include "unit.h"
#include "vocab.h"

typedef struct Emitter {
    const RelcUnit *u;
    const Schema *s;
    const NameTables *n;
    const LocalNames *l;
    Printer *p;
} Emitter;

Emitter emitter_for(const RelcUnit *u, Printer *p);

static inline const ModelNames *MN(const Emitter *e, const Model *m) { return &e->n->models[m->index]; }
static inline const FieldNames *FN(const Emitter *e, const Field *f)
{
    return &e->n->fields[f->model->index][f->index];
}

static inline bool is_fk(const Field *f) { return f->kind == FK_FOREIGN_KEY; }
static inline bool is_o2o(const Field *f) { return f->kind == FK_ONE_TO_ONE; }
static inline bool is_m2m(const Field *f) { return f->kind == FK_MANY_TO_MANY; }
static inline bool is_single(const Field *f) { return is_fk(f) || is_o2o(f); }
static inline bool is_gfk(const Field *f) { return f->kind == FK_GENERIC_FK; }
/* An argument of M_new: a ForeignKey, OneToOneField or GenericForeignKey
 * (its head) that is not null = true. */
static inline bool is_required(const Field *f) { return (is_single(f) || (is_gfk(f) && !f->head)) && !f->null; }
/* An argument of its model's constructors: a required relation, or a
 * scalar in a unique constraint (check_unique.c). */
static inline bool is_ctor_arg(const Field *f) { return is_required(f) || (!f->is_relation && f->ctor_arg); }
/* Whether relation or field f is a member of a unique constraint of its
 * model, and the number of the first constraint of model m among the
 * schema's (rel_schema.uniques). */
bool in_unique(const Field *f);
size_t unique_base(const Schema *s, const Model *m);
/* Does a reverse member on the target hold this relation's other side?
 * (A symmetrical set is its own reverse.) */
static inline bool has_rev_member(const Field *f) { return f->is_relation && !f->symmetrical; }

/* A field's position among its model's scalar fields (rel_model.fields). */
size_t scalar_index(const Field *f);

/* Literals and comments, escaped so that no input can end them early. */
void c_string_literal(Printer *p, const char *s, size_t n);
void c_doc_comment(Printer *p, const char *doc);
/* Copies `text` into a comment, breaking up comment ends and trigraphs. */
void c_comment_text(Printer *p, const char *text);

/* The parts, in the order the skeletons call them. */
void emit_typedefs(const Emitter *e);          /* emit_types.c */
void emit_struct(const Emitter *e, const Model *m);
void emit_store_api(const Emitter *e);         /* emit_api.c */
void emit_model_api(const Emitter *e, const Model *m);
void emit_descriptor(const Emitter *e);        /* emit_desc.c */
/* emit_generic.c: a GenericForeignKey's functions, and those of the
 * reverse set a GenericRelation names. */
void emit_gfk_api(const Emitter *e, const Field *f, PrVars *v);
void emit_gfk_reverse(const Emitter *e, const Field *part, PrVars *v);
/* Shared by emit_api.c and emit_generic.c: the set API's names of one side
 * ($get$ ... $create$, $Own$, $T$, $TL$), the typed list view of the set
 * at member $set$, and a reverse side's create. */
void emit_vars_side(const Emitter *e, PrVars *v, const SideNames *sn, const Model *own, const Model *other);
void emit_list_view(const Emitter *e, PrVars *v);
void emit_reverse_create(const Emitter *e, const Field *f, PrVars *v);

#endif
