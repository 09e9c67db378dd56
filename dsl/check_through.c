/* check_through.c: through models, Django 3.2's
 * ManyToManyField._check_relationship_model
 * (django/db/models/fields/related.py) with its codes and messages,
 * worded as relc's other diagnostics, Django's hints as notes:
 *
 *   E331  the through model is not in the schema
 *   E333  a relation to its own model, through a model with more than two
 *         ForeignKeys to it, and no through_fields
 *   E334  more than one ForeignKey from the declaring model, no through_fields
 *   E335  more than one ForeignKey to the target, no through_fields
 *   E336  no ForeignKey to the declaring model or to the target
 *   E337  through_fields is not two field names
 *   E338  through_fields names a field the through model does not have
 *   E339  through_fields names a field that is no ForeignKey to that side
 *
 * (E332, "must not be symmetrical", is gone since Django 3.0; E340 is about
 * database tables, which relc has none of.)  And relc's own, where the C
 * representation needs more than Django:
 *
 *   E119  a symmetrical relation with a through model, a OneToOneField as
 *         one of its two fields, or a ForeignKey that two many-to-many
 *         relations would share (each ForeignKey keeps one relation's sets)
 *   E123  through_fields without through
 *   E336  also a relation to its own model through a model with fewer than
 *         two ForeignKeys to it (Django's check lets that pass, and its
 *         first query fails)
 *
 * Counting follows Django: a field of the through model counts for a model
 * when it is a ForeignKey or a OneToOneField to it (Django's _meta.fields
 * has no many-to-many). */
#include "check_through.h"

#include <stdio.h>
#include <string.h>

/* A through model's field that points at model m, as Django counts them. */
static bool points_at(const Field *g, const Model *m)
{
    return (g->kind == FK_FOREIGN_KEY || g->kind == FK_ONE_TO_ONE) && g->target == m;
}

static size_t count_to(const Model *through, const Model *m, Field **first, Field **second)
{
    const Field *g;
    size_t n = 0;
    for (g = through->fields; g; g = g->next) {
        if (!points_at(g, m))
            continue;
        if (n == 0 && first)
            *first = (Field *)g;
        if (n == 1 && second)
            *second = (Field *)g;
        n++;
    }
    return n;
}

/* Django's hint for E338/E339: "did you mean one of the following foreign
 * keys to 'Person': person, inviter?", when there are any. */
static void fk_hint(Diags *d, Loc loc, const Model *through, const Model *m)
{
    char text[512];
    size_t len = 0;
    const Field *g;
    for (g = through->fields; g && len < sizeof text - 1; g = g->next)
        if (points_at(g, m))
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", len ? ", " : "", g->name);
    if (len)
        diag_note(d, loc, "did you mean one of the following foreign keys to '%s': %s?", m->name, text);
}

/* The field of `through` that through_fields element `a` names, checked
 * against the model it must point at; NULL after reporting E338/E339. */
static Field *named_field(Diags *d, const Field *f, const Arg *a, const Model *m, Interner *in)
{
    const Model *through = f->through;
    const char *name = intern(in, a->value.text, a->value.len);
    Field *g;
    for (g = through->fields; g; g = g->next)
        if (g->name == name)
            break;
    if (!g) {
        diag_error(d, a->value.loc, "E338", "the intermediary model '%s' has no field '%.*s'", through->name,
                   (int)a->value.len, a->value.text);
        fk_hint(d, a->value.loc, through, m);
        return NULL;
    }
    if (!points_at(g, m)) {
        diag_error(d, a->value.loc, "E339", "'%s.%s' is not a foreign key to '%s'", through->name, g->name,
                   m->name);
        fk_hint(d, a->value.loc, through, m);
        return NULL;
    }
    return g;
}

/* E337: through_fields must be at least two non-empty names (Django reads
 * the first two).  The names are strings or bare names. */
static bool fields_given(Diags *d, const Field *f, const Arg **a0, const Arg **a1)
{
    const Arg *l = f->through_fields_arg->value.args;
    bool ok = l && l->next;
    const Arg *x;
    for (x = l; ok && x && x != l->next->next; x = x->next)
        ok = (x->value.kind == VAL_STRING || x->value.kind == VAL_IDENT) && x->value.len > 0;
    if (!ok) {
        diag_error(d, f->through_fields_arg->value.loc, "E337", "field '%s.%s' specifies through_fields but "
                   "does not provide the names of the two link fields that should be used for the relation "
                   "through model '%s'", f->model->name, f->name, f->through->name);
        diag_note(d, f->through_fields_arg->value.loc,
                  "make sure you specify through_fields as through_fields = (\"field1\", \"field2\")");
        return false;
    }
    *a0 = l;
    *a1 = l->next;
    return true;
}

/* E334 (word "from") and E335 ("to"): more than one ForeignKey to model
 * m of that side.  Returns false, for the caller's verdict. */
static bool ambiguous(Diags *d, const Field *f, const char *code, const char *word, const Model *m)
{
    Loc at = f->through_arg->value.loc;
    diag_error(d, at, code, "the model '%s' is used as an intermediate model by '%s.%s', but it has more than "
               "one foreign key %s '%s', which is ambiguous; you must specify which foreign key to use via the "
               "through_fields option", f->through->name, f->model->name, f->name, word, m->name);
    diag_note(d, at, "if you want to create a recursive relationship, use ManyToManyField(self, through = "
              "\"%s\")", f->through->name);
    return false;
}

/* The two ForeignKeys when through_fields does not name them, or NULL
 * after reporting E333 to E336 as Django does. */
static bool find_fields(Diags *d, Field *f, Field **src, Field **dst)
{
    const Model *through = f->through, *from = f->model, *to = f->target;
    Loc at = f->through_arg->value.loc;
    bool ok = true;
    size_t n_from, n_to;
    if (from == to) {
        size_t n = count_to(through, from, src, dst);
        if (n > 2) {
            diag_error(d, at, "E333", "the model '%s' is used as an intermediate model by '%s.%s', but it has "
                       "more than two foreign keys to '%s', which is ambiguous; you must specify which two "
                       "foreign keys to use via the through_fields option", through->name, from->name, f->name,
                       from->name);
            diag_note(d, at, "use through_fields to specify which two foreign keys relc should use");
            return false;
        }
        if (n < 2) {
            diag_error(d, at, "E336", "the model '%s' is used as an intermediate model by '%s.%s', but it does "
                       "not have two foreign keys to '%s'", through->name, from->name, f->name, from->name);
            diag_note(d, through->loc, "a relation of a model to itself needs one foreign key for each side");
            return false;
        }
        return true;
    }
    n_from = count_to(through, from, src, NULL);
    n_to = count_to(through, to, dst, NULL);
    if (n_from > 1)
        ok = ambiguous(d, f, "E334", "from", from);
    if (n_to > 1)
        ok = ambiguous(d, f, "E335", "to", to);
    if (n_from == 0 || n_to == 0) {
        diag_error(d, at, "E336", "the model '%s' is used as an intermediate model by '%s.%s', but it does not "
                   "have a foreign key to '%s' or '%s'", through->name, from->name, f->name, from->name,
                   to->name);
        ok = false;
    }
    return ok;
}

/* relc's own limits on the two fields (E119). */
static bool representable(Diags *d, Field *f, Field *g)
{
    if (g->kind != FK_FOREIGN_KEY) {
        diag_error(d, g->loc, "E119", "'%s.%s', a %s, cannot carry the many-to-many relation '%s.%s' in relc",
                   g->model->name, g->name, field_kind_name(g->kind), f->model->name, f->name);
        diag_note(d, g->loc, "make it a ForeignKey (a one-to-one link model allows one link per object)");
        return false;
    }
    if (g->serves && g->serves != f) {
        diag_error(d, g->loc, "E119", "ForeignKey '%s.%s' carries both '%s.%s' and '%s.%s'; relc keeps one "
                   "many-to-many relation per foreign key", g->model->name, g->name, g->serves->model->name,
                   g->serves->name, f->model->name, f->name);
        diag_note(d, g->loc, "give the second relation a through model of its own");
        return false;
    }
    return true;
}

static void check_one(Field *f, const PtrMap *models, Interner *in, Diags *d)
{
    const Value *t = &f->through_arg->value;
    const char *name = t->kind == VAL_STRING ? intern(in, t->text, t->len) : t->text;
    const Arg *a0, *a1;
    Field *src = NULL, *dst = NULL;

    f->through = name ? (Model *)ptrmap_get(models, name) : NULL;
    if (!f->through) {
        diag_error(d, t->loc, "E331", "field '%s.%s' specifies a many-to-many relation through model '%.*s', "
                   "which is not in the schema", f->model->name, f->name, (int)t->len, t->text);
        diag_note(d, t->loc, "declare model '%.*s' with a ForeignKey to '%s' and one to '%s'", (int)t->len,
                  t->text, f->model->name, f->target->name);
        return;
    }
    if (f->symmetrical) {
        diag_error(d, f->loc, "E119", "the symmetrical relation '%s.%s' cannot have a through model in relc",
                   f->model->name, f->name);
        diag_note(d, f->loc, "write symmetrical = false: each '%s' then links one way, as its through "
                  "objects say", f->through->name);
        return;
    }
    if (f->through_fields_arg) {
        bool ok;
        if (!fields_given(d, f, &a0, &a1))
            return;
        src = named_field(d, f, a0, f->model, in);
        dst = named_field(d, f, a1, f->target, in);
        ok = src && dst;
        if (ok && src == dst) {
            diag_error(d, a1->value.loc, "E339", "through_fields of '%s.%s' names '%s.%s' twice", f->model->name,
                       f->name, f->through->name, src->name);
            ok = false;
        }
        if (!ok)
            return;
    } else if (!find_fields(d, f, &src, &dst)) {
        return;
    }
    if (!representable(d, f, src) || !representable(d, f, dst))
        return;
    f->through_src = src;
    f->through_dst = dst;
    src->serves = f;
    dst->serves = f;
}

bool check_through(Schema *s, const PtrMap *models, Interner *in, Diags *d)
{
    size_t i;
    Field *f;
    for (i = 0; i < s->nmodels; i++) {
        if (s->model_array[i]->duplicate)
            continue;
        for (f = s->model_array[i]->fields; f; f = f->next) {
            if (f->kind != FK_MANY_TO_MANY)
                continue;
            if (f->through_fields_arg && !f->through_arg) {
                diag_error(d, f->through_fields_arg->key_loc, "E123", "field '%s.%s' cannot specify "
                           "through_fields without a through model", f->model->name, f->name);
                diag_note(d, f->through_fields_arg->key_loc, "name the through model: through = \"Model\"");
                continue;
            }
            if (f->through_arg && f->target)
                check_one(f, models, in, d);
        }
    }
    return true;
}
