/* check_generic.c: GenericForeignKey and GenericRelation (see
 * check_generic.h).
 *
 * Codes are Django's where Django 3.2 has the check
 * (contrib/contenttypes/fields.py): contenttypes.E003/E004 for a declared
 * field that has the content type's name, contenttypes.E004 for a
 * GenericRelation whose model has no matching GenericForeignKey,
 * contenttypes.E005 for a listed model whose name is over 100 characters,
 * E300 for an unknown model.  relc's own, which Django cannot have because
 * its generic relations list no models and declare their two fields:
 *   E123  a model listed twice;
 *   E124  ct_field or fk_field names a declared field, or the other one,
 *         or those of another GenericForeignKey of the model;
 *   E125  a GenericRelation to a GenericForeignKey that does not list its
 *         model;
 *   E126  two GenericRelations of one model name the same
 *         GenericForeignKey (the C reverse set has one name).
 */
#include "check_generic.h"

#include <string.h>

void generic_detach(Model *m)
{
    Field **link = &m->fields, **tail = &m->grels;
    while (*link) {
        Field *f = *link;
        if (f->kind == FK_GENERIC_REL) {
            *link = f->next;
            f->next = NULL;
            *tail = f;
            tail = &f->next;
        } else {
            link = &f->next;
        }
    }
}

/* The model a target argument names, or NULL (reported as E300 unless
 * quiet). */
static Model *target_of(const GenericCtx *g, const Field *f, const Value *t, bool *oom)
{
    const char *name;
    Model *m;
    if (t->kind != VAL_IDENT && t->kind != VAL_STRING) {
        diag_error(g->d, t->loc, "E115", "the targets of %s '%s.%s' must be model names",
                   field_kind_name(f->kind), f->model->name, f->name);
        return NULL;
    }
    name = t->kind == VAL_STRING ? intern(g->in, t->text, t->len) : t->text;
    if (!name) {
        *oom = true;
        return NULL;
    }
    if (name == g->w_self)
        return f->model;
    m = (Model *)ptrmap_get(g->models, name);
    if (!m && !g->quiet) {
        diag_error(g->d, t->loc, "E300", "field '%s.%s' refers to unknown model '%s'",
                   f->model->name, f->name, name);
        diag_note(g->d, t->loc, "declare model '%s', or list another model", name);
    }
    return m;
}

static const Field *field_named(const Model *m, const char *name)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (f->name == name)
            return f;
    return NULL;
}

/* The names of Django's two concrete fields must be free in the model. */
static void check_names(const GenericCtx *g, const Field *f)
{
    const Model *m = f->model;
    const Field *x = field_named(m, f->ct_field), *h;
    if (x && x->kind == FK_FOREIGN_KEY) {
        diag_error(g->d, x->loc, "contenttypes.E004", "'%s.%s' is not a ForeignKey to "
                   "'contenttypes.ContentType'.", m->name, x->name);
        diag_note(g->d, f->loc, "GenericForeignKey '%s.%s' keeps its content type as '%s' "
                  "(ct_field) itself; rename the field or give ct_field another name", m->name, f->name,
                  f->ct_field);
    } else if (x) {
        diag_error(g->d, x->loc, "contenttypes.E003", "'%s.%s' is not a ForeignKey.", m->name, x->name);
        diag_note(g->d, f->loc, "GenericForeignKey '%s.%s' keeps its content type as '%s' "
                  "(ct_field) itself; rename the field or give ct_field another name", m->name, f->name,
                  f->ct_field);
    }
    if ((x = field_named(m, f->fk_field)) != NULL) {
        diag_error(g->d, x->loc, "E124", "field '%s.%s' clashes with the object id of "
                   "GenericForeignKey '%s.%s' (fk_field)", m->name, x->name, m->name, f->name);
        diag_note(g->d, f->loc, "relc keeps '%s' itself; rename the field or give fk_field "
                  "another name", f->fk_field);
    }
    if (f->ct_field == f->fk_field) {
        diag_error(g->d, f->loc, "E124", "GenericForeignKey '%s.%s' gives its content type and "
                   "its object id the same name '%s'", m->name, f->name, f->ct_field);
        diag_note(g->d, f->loc, "ct_field and fk_field name two fields of a fixture");
    }
    for (h = m->fields; h != f; h = h->next) {
        if (!field_is_gfk(h) || !h->ct_field)
            continue;
        if (h->ct_field == f->ct_field || h->ct_field == f->fk_field || h->fk_field == f->ct_field
            || h->fk_field == f->fk_field) {
            diag_error(g->d, f->loc, "E124", "GenericForeignKeys '%s.%s' and '%s.%s' use the same "
                       "field names (ct_field '%s', fk_field '%s')", m->name, h->name, m->name, f->name,
                       f->ct_field, f->fk_field);
            diag_note(g->d, h->loc, "give one of them other ct_field and fk_field names");
        }
    }
}

/* The targets of GenericForeignKey f, as its parts. */
static bool resolve_gfk(const GenericCtx *g, Model *m, Field *f)
{
    const Arg *a;
    size_t n = 0, j;
    bool oom = false;
    if (!f->ct_field && !(f->ct_field = intern_cstr(g->in, "content_type")))
        return false;
    if (!f->fk_field && !(f->fk_field = intern_cstr(g->in, "object_id")))
        return false;
    for (a = f->args; a && !a->key; a = a->next)
        n++;
    f->parts = (Field **)arena_alloc(g->arena, (n ? n : 1) * sizeof *f->parts);
    if (!f->parts)
        return false;
    for (a = f->args; a && !a->key; a = a->next) {
        Model *t = target_of(g, f, &a->value, &oom);
        Field *p;
        if (oom)
            return false;
        if (!t)
            continue;
        for (j = 0; j < f->nparts; j++)
            if (f->parts[j]->target == t)
                break;
        if (j < f->nparts) {
            diag_error(g->d, a->value.loc, "E127", "GenericForeignKey '%s.%s' lists model '%s' twice",
                       m->name, f->name, t->name);
            diag_note(g->d, a->value.loc, "remove one");
            continue;
        }
        if (strlen(t->name) > 100) {
            diag_error(g->d, a->value.loc, "contenttypes.E005", "Model names must be at most 100 "
                       "characters (got %lu).", (unsigned long)strlen(t->name));
            diag_note(g->d, t->loc, "a content type names its model in 100 characters at most");
        }
        if (!(p = (Field *)arena_alloc(g->arena, sizeof *p)))
            return false;
        *p = *f;
        p->next = NULL;
        p->parts = NULL;
        p->nparts = 0;
        p->head = f;
        p->target = t;
        p->target_is_self = t == m;
        p->index = m->nfields + m->nparts++;
        p->accessor = NULL;
        p->hidden = true;
        p->related_name = NULL;
        p->related_name_value = NULL;
        f->parts[f->nparts++] = p;
    }
    f->target = f->nparts ? f->parts[0]->target : NULL;
    f->hidden = true;
    f->accessor = NULL;
    check_names(g, f);
    return true;
}

/* The part of a GenericForeignKey of t that GenericRelation r (of model
 * m) names, or NULL (reported). */
static Field *part_for(const GenericCtx *g, Model *m, Field *r, Model *t)
{
    const char *ct = r->content_type_field ? intern(g->in, r->content_type_field->text, r->content_type_field->len)
                                            : intern_cstr(g->in, "content_type");
    const char *fk = r->object_id_field ? intern(g->in, r->object_id_field->text, r->object_id_field->len)
                                        : intern_cstr(g->in, "object_id");
    Field *f;
    size_t j;
    for (f = t->fields; f; f = f->next)
        if (field_is_gfk(f) && f->ct_field == ct && f->fk_field == fk)
            break;
    if (!f) {
        diag_error(g->d, r->loc, "contenttypes.E004", "The GenericRelation defines a relation with the "
                   "model '%s.%s', but that model does not have a GenericForeignKey.", g->s->name, t->name);
        diag_note(g->d, r->loc, "'%s' needs a GenericForeignKey listing '%s'%s", t->name, m->name,
                  r->content_type_field || r->object_id_field
                      ? ", with the ct_field and fk_field this GenericRelation names" : "");
        return NULL;
    }
    for (j = 0; j < f->nparts; j++)
        if (f->parts[j]->target == m)
            return f->parts[j];
    diag_error(g->d, r->loc, "E125", "GenericRelation '%s.%s' refers to GenericForeignKey '%s.%s', "
               "which does not list model '%s'", m->name, r->name, t->name, f->name, m->name);
    diag_note(g->d, f->loc, "add %s to the models '%s.%s' lists", m->name, t->name, f->name);
    return NULL;
}

static bool resolve_grel(const GenericCtx *g, Model *m, Field *r)
{
    Model *t;
    Field *p;
    bool oom = false;
    if (!r->target_arg) {
        diag_error(g->d, r->type_loc, "E117", "GenericRelation '%s.%s' has no target model", m->name, r->name);
        diag_note(g->d, r->type_loc, "name the model with the GenericForeignKey: GenericRelation(TaggedItem)");
        return true;
    }
    t = target_of(g, r, &r->target_arg->value, &oom);
    if (oom)
        return false;
    if (!t || !(p = part_for(g, m, r, t)))
        return true;
    if (p->grel) {
        diag_error(g->d, r->loc, "E126", "GenericRelations '%s.%s' and '%s.%s' both name the reverse "
                   "of '%s.%s'", m->name, p->grel->name, m->name, r->name, t->name, p->head->name);
        diag_note(g->d, p->grel->loc, "in C the reverse set has one name; keep one of them");
        return true;
    }
    r->target = t;
    r->grel = p;
    p->grel = r;
    p->accessor = r->name;
    p->hidden = false;
    p->loc = r->loc;
    return true;
}

bool check_generic(const GenericCtx *g)
{
    size_t i;
    Field *f;
    for (i = 0; i < g->s->nmodels; i++) {
        Model *m = g->s->model_array[i];
        if (m->duplicate)
            continue;
        for (f = m->fields; f; f = f->next)
            if (field_is_gfk(f) && !resolve_gfk(g, m, f))
                return false;
    }
    for (i = 0; i < g->s->nmodels; i++) {
        Model *m = g->s->model_array[i];
        if (m->duplicate)
            continue;
        for (f = m->grels; f; f = f->next)
            if (!resolve_grel(g, m, f))
                return false;
    }
    return true;
}
