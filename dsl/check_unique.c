/* check_unique.c: unique fields, the model option unique_together, and
 * to_field on ForeignKey and OneToOneField (SPEC section 8), with
 * Django 3.2's checks and codes:
 *
 *   fields.E330  unique on a ManyToManyField
 *   fields.W342  unique on a ForeignKey (it then behaves as one-to-one:
 *                relc keeps it, a unique constraint over the relation)
 *   models.E010  unique_together is not a list or tuple
 *   models.E011  an element of unique_together is not a list or tuple
 *   models.E012  unique_together names a field the model does not have
 *   models.E013  unique_together names a ManyToManyField
 *   models.E016  unique_together names a GenericForeignKey (not local:
 *                Django's message; relc has no constraint over one)
 *   fields.E312  to_field names a field the target does not have
 *   fields.E311  to_field names a field that is not unique by itself
 *
 * It runs after relation targets are resolved and before names.c, which
 * names each constraint's lookup function.  It fills Model.uniques (the
 * unique fields in declaration order, then the unique_together groups in
 * the order written), Field.ctor_arg (scalars in a constraint become
 * constructor arguments, so no two objects are ever created with the same
 * default) and Field.to_field.
 */
#include "checker.h"

#include <string.h>

typedef struct UniqueChecker {
    Arena *arena;
    Diags *d;
    Schema *s;
    const char *w_unique_together;
    bool oom;
} UniqueChecker;

/* Model m's field called `name` (interned or not), or NULL. */
static Field *field_named(const Model *m, const char *name)
{
    Field *f;
    for (f = m->fields; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* The number of constraints m can get: an upper bound, for one
 * allocation. */
static size_t max_uniques(const UniqueChecker *c, const Model *m)
{
    const Field *f;
    const Arg *a, *g;
    size_t n = 0;
    for (f = m->fields; f; f = f->next)
        n += f->unique;
    for (a = m->options; a; a = a->next) {
        if (a->key != c->w_unique_together)
            continue;
        n++;
        if (a->value.kind == VAL_LIST)
            for (g = a->value.args; g; g = g->next)
                n++;
    }
    return n;
}

static Unique *add_unique(UniqueChecker *c, Model *m, size_t nfields, Loc loc, bool together)
{
    Unique *u = &m->uniques[m->nuniques];
    u->fields = (Field **)arena_alloc(c->arena, (nfields ? nfields : 1) * sizeof *u->fields);
    if (!u->fields) {
        c->oom = true;
        return NULL;
    }
    u->n = 0;
    u->loc = loc;
    u->together = together;
    return u;
}

/* `unique = true` on field f. */
static void unique_field(UniqueChecker *c, Model *m, Field *f)
{
    Unique *u;
    Loc at = f->unique_arg->key_loc;
    switch (f->kind) {
    case FK_MANY_TO_MANY:
        diag_error(c->d, at, "E330", "ManyToManyFields cannot be unique ('%s.%s')", m->name, f->name);
        diag_note(c->d, at, "remove the option");
        return;
    case FK_ONE_TO_ONE:
        return;   /* one-to-one already */
    case FK_FOREIGN_KEY:
        diag_warning(c->d, at, "W342", "setting unique = true on a ForeignKey has the same effect as using a "
                     "OneToOneField ('%s.%s')", m->name, f->name);
        diag_note(c->d, at, "ForeignKey(unique = true) is usually better served by a OneToOneField; relc "
                  "keeps it a ForeignKey whose targets are all different");
        break;
    default:
        f->ctor_arg = true;
        break;
    }
    if ((u = add_unique(c, m, 1, f->loc, false)) != NULL) {
        u->fields[u->n++] = f;
        m->nuniques++;
    }
}

static bool is_name(const Value *v) { return v->kind == VAL_STRING || v->kind == VAL_IDENT; }

/* After E012: a note when the name is the content type or object id
 * of one of m's GenericForeignKeys (Django's columns, which relc does
 * not make fields). */
static void generic_note(UniqueChecker *c, const Model *m, const Value *v)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (field_is_gfk(f) && ((f->ct_field && strcmp(f->ct_field, v->text) == 0)
                                || (f->fk_field && strcmp(f->fk_field, v->text) == 0))) {
            diag_note(c->d, v->loc, "'%s' is the %s of GenericForeignKey '%s.%s', not a field: relc has "
                      "no unique constraint over a GenericForeignKey", v->text,
                      strcmp(f->ct_field, v->text) == 0 ? "content type" : "object id", m->name, f->name);
            return;
        }
}

/* One group of unique_together: its elements are field names. */
static void together_group(UniqueChecker *c, Model *m, const Value *group)
{
    const Arg *e;
    size_t n = 0;
    Unique *u;
    bool ok = true;
    for (e = group->args; e; e = e->next)
        n++;
    if (n == 0)
        return;
    if (!(u = add_unique(c, m, n, group->loc, true)))
        return;
    for (e = group->args; e; e = e->next) {
        Field *f;
        if (!is_name(&e->value)) {
            diag_error(c->d, e->value.loc, "E012", "'unique_together' of model '%s' refers to something "
                       "that is not a field name", m->name);
            diag_note(c->d, e->value.loc, "name the fields as \"name\" or name");
            ok = false;
            continue;
        }
        if (!(f = field_named(m, e->value.text))) {
            diag_error(c->d, e->value.loc, "E012", "'unique_together' refers to the nonexistent field '%s' "
                       "of model '%s'", e->value.text, m->name);
            generic_note(c, m, &e->value);
            ok = false;
            continue;
        }
        if (field_is_gfk(f)) {
            diag_error(c->d, e->value.loc, "E016", "'unique_together' refers to field '%s' which is not local "
                       "to model '%s'", f->name, m->name);
            diag_note(c->d, e->value.loc, "a GenericForeignKey is no column; relc has no unique constraint "
                      "over one");
            ok = false;
            continue;
        }
        if (f->kind == FK_MANY_TO_MANY) {
            diag_error(c->d, e->value.loc, "E013", "'unique_together' refers to a ManyToManyField '%s', but "
                       "ManyToManyFields are not permitted in 'unique_together'", f->name);
            ok = false;
            continue;
        }
        if (f->kind == FK_UNRESOLVED) {
            ok = false;
            continue;
        }
        u->fields[u->n++] = f;
    }
    if (!ok)
        return;
    for (n = 0; n < u->n; n++)
        if (!u->fields[n]->is_relation)
            u->fields[n]->ctor_arg = true;
    m->nuniques++;
}

/* unique_together = ("a", "b") (one group) or [("a", "b"), ("c", "d")],
 * normalized as Django's normalize_together does: a list whose first
 * element is not a list is one group. */
static void unique_together(UniqueChecker *c, Model *m, const Arg *a)
{
    const Arg *g;
    if (a->value.kind != VAL_LIST) {
        diag_error(c->d, a->value.loc, "E010", "'unique_together' of model '%s' must be a list or tuple",
                   m->name);
        diag_note(c->d, a->value.loc, "write unique_together = (\"a\", \"b\"); or [(\"a\", \"b\"), (\"c\", \"d\")];");
        return;
    }
    if (!a->value.args)
        return;
    if (a->value.args->value.kind != VAL_LIST) {
        together_group(c, m, &a->value);
        return;
    }
    for (g = a->value.args; g; g = g->next)
        if (g->value.kind != VAL_LIST) {
            diag_error(c->d, g->value.loc, "E011", "all 'unique_together' elements of model '%s' must be lists "
                       "or tuples", m->name);
            diag_note(c->d, g->value.loc, "write (\"%s\",) for a group of one field",
                      is_name(&g->value) ? g->value.text : "name");
            return;
        }
    for (g = a->value.args; g; g = g->next)
        together_group(c, m, &g->value);
}

/* Whether field f of its model is unique by itself: unique = true, or a
 * unique_together group of f alone (Django's _check_unique_target: a
 * group that needs other fields does not count). */
static bool unique_alone(const Field *f)
{
    size_t i;
    for (i = 0; i < f->model->nuniques; i++)
        if (f->model->uniques[i].n == 1 && f->model->uniques[i].fields[0] == f)
            return true;
    return false;
}

/* to_field on relation f: a scalar field of the target that is unique by
 * itself; "id" with no field of that name is the pk, as without it. */
static void to_field(UniqueChecker *c, Field *f)
{
    const Value *v = f->to_field_value;
    Field *t;
    if (!f->target)
        return;
    if (!(t = field_named(f->target, v->text))) {
        if (strcmp(v->text, "id") == 0)
            return;
        diag_error(c->d, v->loc, "E312", "the to_field '%s' doesn't exist on the related model '%s.%s'", v->text,
                   c->s->name, f->target->name);
        return;
    }
    if (t->is_relation) {
        diag_error(c->d, v->loc, "E115", "to_field of '%s.%s' names the relation '%s.%s'", f->model->name,
                   f->name, t->model->name, t->name);
        diag_note(c->d, v->loc, "relc follows to_field to a unique scalar field only");
        return;
    }
    if (!unique_alone(t)) {
        diag_error(c->d, v->loc, "E311", "'%s.%s' must be unique because it is referenced by a foreign key",
                   t->model->name, t->name);
        diag_note(c->d, t->loc, "add unique = true to this field");
        return;
    }
    f->to_field = t;
}

bool check_unique(Schema *s, Arena *arena, Interner *in, Diags *d, const char *w_unique_together)
{
    UniqueChecker c;
    size_t i;
    (void)in;
    memset(&c, 0, sizeof c);
    c.arena = arena;
    c.d = d;
    c.s = s;
    c.w_unique_together = w_unique_together;
    for (i = 0; i < s->nmodels && !c.oom; i++) {
        Model *m = s->model_array[i];
        size_t n = max_uniques(&c, m);
        Field *f;
        const Arg *a, *first;
        if (m->duplicate || n == 0)
            continue;
        if (!(m->uniques = (Unique *)arena_alloc(arena, n * sizeof *m->uniques))) {
            c.oom = true;
            break;
        }
        for (f = m->fields; f && !c.oom; f = f->next)
            if (f->unique)
                unique_field(&c, m, f);
        for (a = m->options, first = NULL; a && !c.oom; a = a->next) {
            if (a->key != w_unique_together)
                continue;
            if (first) {   /* one Meta, one unique_together */
                diag_error(d, a->key_loc, "E114", "option 'unique_together' given twice for model '%s'", m->name);
                diag_note(d, first->key_loc, "first given here");
                continue;
            }
            first = a;
            unique_together(&c, m, a);
        }
    }
    for (i = 0; i < s->nmodels && !c.oom; i++) {
        Model *m = s->model_array[i];
        Field *f;
        if (m->duplicate)
            continue;
        for (f = m->fields; f; f = f->next)
            if (f->to_field_value && f->is_relation)
                to_field(&c, f);
    }
    return !c.oom;
}
