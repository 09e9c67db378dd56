/* check.c: resolution and every semantic check.
 *
 * One pass per concern, in this order, each reading what the one before
 * resolved:
 *   1. the schema name and the models (duplicates, Django's name rules);
 *   2. each field: its type, its options decoded (check_field);
 *   3. relation targets (E300), then Django's naming: symmetry, related
 *      names (E306), reverse accessors, the reverse lists on each target;
 *   4. clashes of reverse accessors with fields (E302) and each other (E304);
 *   5. generated C names (names.c): keywords, reserved names, collisions;
 *   6. required relations that form a cycle (W352).
 * Codes reuse Django's numbers where the check is Django's (E300 ...).
 */
#include "check_through.h"
#include "checker.h"
#include "check_generic.h"
#include "oom.h"
#include "ptrmap.h"
#include "utf8.h"
#include "vocab.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_DEFAULT = 1 << 0,
    OPT_MAX_LENGTH = 1 << 1,
    OPT_ON_DELETE = 1 << 2,
    OPT_RELATED_NAME = 1 << 3,
    OPT_NULL = 1 << 4,
    OPT_SYMMETRICAL = 1 << 5,
    OPT_RELATED_QUERY_NAME = 1 << 6,
    OPT_THROUGH = 1 << 7,
    OPT_THROUGH_FIELDS = 1 << 8,
    OPT_UNIQUE = 1 << 9,
    OPT_TO_FIELD = 1 << 10,
    OPT_CT_FIELD = 1 << 11,
    OPT_FK_FIELD = 1 << 12,
    OPT_OBJECT_ID_FIELD = 1 << 13,
    OPT_CONTENT_TYPE_FIELD = 1 << 14
};

static const struct { const char *name; unsigned bit; } option_table[] = {
    { "default", OPT_DEFAULT },
    { "max_length", OPT_MAX_LENGTH },
    { "on_delete", OPT_ON_DELETE },
    { "related_name", OPT_RELATED_NAME },
    { "null", OPT_NULL },
    { "symmetrical", OPT_SYMMETRICAL },
    { "related_query_name", OPT_RELATED_QUERY_NAME },
    { "through", OPT_THROUGH },
    { "through_fields", OPT_THROUGH_FIELDS },
    { "unique", OPT_UNIQUE },
    { "to_field", OPT_TO_FIELD },
    { "ct_field", OPT_CT_FIELD },
    { "fk_field", OPT_FK_FIELD },
    { "object_id_field", OPT_OBJECT_ID_FIELD },
    { "content_type_field", OPT_CONTENT_TYPE_FIELD },
};
#define NOPTIONS (sizeof option_table / sizeof option_table[0])
/* Indexes into option_table, for the options read after the loop. */
enum { IX_ON_DELETE = 2, IX_NULL = 4 };


typedef struct Checker {
    Arena *arena;
    Interner *in;
    Diags *d;
    Schema *s;
    const CheckInput *input;
    PtrMap models;             /* name -> first Model of that name */
    size_t suggestions;        /* "did you mean" searches done (bounded) */
    bool oom;
    const char *w_self, *w_true, *w_false, *w_True, *w_False;
    const char *option_names[NOPTIONS];
    const char *w_unique_together;
} Checker;

static unsigned allowed_options(FieldKind k)
{
    switch (k) {
    case FK_STRING:
        return OPT_DEFAULT | OPT_MAX_LENGTH | OPT_UNIQUE;
    case FK_FOREIGN_KEY:
    case FK_ONE_TO_ONE:
        return OPT_ON_DELETE | OPT_RELATED_NAME | OPT_NULL | OPT_RELATED_QUERY_NAME | OPT_UNIQUE | OPT_TO_FIELD;
    case FK_MANY_TO_MANY:
        return OPT_RELATED_NAME | OPT_NULL | OPT_SYMMETRICAL | OPT_RELATED_QUERY_NAME | OPT_THROUGH
               | OPT_THROUGH_FIELDS | OPT_UNIQUE;
    case FK_GENERIC_FK:
        return OPT_ON_DELETE | OPT_NULL | OPT_CT_FIELD | OPT_FK_FIELD;
    case FK_GENERIC_REL:
        return OPT_OBJECT_ID_FIELD | OPT_CONTENT_TYPE_FIELD | OPT_RELATED_QUERY_NAME;
    case FK_UNRESOLVED:
        return 0;
    default:
        return OPT_DEFAULT | OPT_UNIQUE;
    }
}

static bool is_relation_kind(FieldKind k)
{
    return k == FK_FOREIGN_KEY || k == FK_ONE_TO_ONE || k == FK_MANY_TO_MANY || k == FK_GENERIC_FK;
}

static const char *intern_or_oom(Checker *c, const char *s, size_t n)
{
    const char *r = intern(c->in, s, n);
    if (!r)
        c->oom = true;
    return r;
}

/* ---- "did you mean" ----------------------------------------------------- */

static char lower(char ch) { return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch; }

/* Edit distance, or a number > limit when it is certainly larger. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[65];
    if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The index of the candidate closest to `name`: equal but for case first,
 * then within a small edit distance; (size_t)-1 when none is close.
 * name_at(ctx, i) gives candidate i. */
static size_t closest(const char *name, const char *(*name_at)(const void *ctx, size_t i),
                      const void *ctx, size_t n)
{
    size_t i, best = 3, limit = strlen(name) < 4 ? 1 : 2, pick = (size_t)-1;
    for (i = 0; i < n; i++) {
        const char *cand = name_at(ctx, i);
        size_t dist;
        if (!cand || cand == name)
            continue;
        dist = edit_distance(name, cand, limit);
        if (dist == 0)
            return i;              /* differs only in case */
        if (dist <= limit && dist < best) {
            best = dist;
            pick = i;
        }
    }
    return pick;
}

static const char *string_at(const void *ctx, size_t i) { return ((const char *const *)ctx)[i]; }
static const char *type_at(const void *ctx, size_t i) { (void)ctx; return vocab_types[i].name; }
static const char *action_at(const void *ctx, size_t i) { (void)ctx; return vocab_actions[i].name; }
static const char *model_at(const void *ctx, size_t i)
{
    return ((const Schema *)ctx)->model_array[i]->name;
}

static const char *closest_string(const char *name, const char *const *cands, size_t n)
{
    size_t i = closest(name, string_at, cands, n);
    return i == (size_t)-1 ? NULL : cands[i];
}

static const char *closest_type(const char *name)
{
    size_t i = closest(name, type_at, NULL, vocab_ntypes);
    return i == (size_t)-1 ? NULL : vocab_types[i].name;
}

static const Model *closest_model(Checker *c, const char *name)
{
    size_t i;
    if (c->suggestions++ > 100)
        return NULL;            /* a flood of unknown names: stop searching */
    i = closest(name, model_at, c->s, c->s->nmodels);
    return i == (size_t)-1 ? NULL : c->s->model_array[i];
}

/* ---- values ------------------------------------------------------------- */

static const char *value_kind_name(ValueKind k)
{
    switch (k) {
    case VAL_STRING: return "a string";
    case VAL_INT:    return "an integer";
    case VAL_FLOAT:  return "a number";
    case VAL_IDENT:  return "a name";
    case VAL_CALL:   return "a call";
    case VAL_LIST:   return "a list";
    }
    return "a value";
}

static bool value_bool(Checker *c, const Value *v, bool *out)
{
    if (v->kind != VAL_IDENT)
        return false;
    if (v->text == c->w_true || v->text == c->w_True) {
        *out = true;
        return true;
    }
    if (v->text == c->w_false || v->text == c->w_False) {
        *out = false;
        return true;
    }
    return false;
}

/* Whether an option was given already: a GenericForeignKey's targets are
 * the positional arguments before the first option. */
static bool seen_keyword(const Arg *const *seen)
{
    size_t i;
    for (i = 0; i < NOPTIONS; i++)
        if (seen[i])
            return true;
    return false;
}

static void wrong_kind(Checker *c, const Arg *a, const Field *f, const char *wanted,
                       const char *example)
{
    diag_error(c->d, a->value.loc, "E115", "option '%s' of %s field '%s.%s' takes %s, not %s",
               a->key, field_kind_name(f->kind), f->model->name, f->name, wanted,
               value_kind_name(a->value.kind));
    if (example)
        diag_note(c->d, a->value.loc, "for example: %s = %s", a->key, example);
}

/* Is an integer literal inside the range of the field's C type? */
static bool int_fits(const Value *v, FieldKind k)
{
    unsigned bits = 0;
    bool is_signed = false;
    if (v->overflow)
        return false;
    switch (k) {
    case FK_INT8:   bits = 8;  is_signed = true; break;
    case FK_INT16:  bits = 16; is_signed = true; break;
    case FK_INT32:  bits = 32; is_signed = true; break;
    case FK_INT64:  bits = 64; is_signed = true; break;
    case FK_UINT8:  bits = 8;  break;
    case FK_UINT16: bits = 16; break;
    case FK_UINT32: bits = 32; break;
    case FK_UINT64: bits = 64; break;
    default: return true;
    }
    if (is_signed) {
        uint64_t max = (uint64_t)1 << (bits - 1);   /* |min| */
        return v->negative ? v->magnitude <= max : v->magnitude <= max - 1;
    }
    if (v->negative)
        return v->magnitude == 0;
    return bits == 64 || v->magnitude <= (((uint64_t)1 << bits) - 1);
}

/* Does a number as written have a nonzero digit before its exponent? */
static bool literal_nonzero(const char *t)
{
    for (; *t && *t != 'e' && *t != 'E'; t++)
        if (*t >= '1' && *t <= '9')
            return true;
    return false;
}

static void out_of_range(Checker *c, const Field *f, const Value *v, const char *note)
{
    diag_error(c->d, v->loc, "E115", "default %s is out of range for %s field '%s.%s'",
               v->text, field_kind_name(f->kind), f->model->name, f->name);
    diag_note(c->d, v->loc, "%s", note);
}

/* Checks a default against the field's type and decodes it into f->def,
 * so that the emitter only prints what was decided here. */
static void check_default(Checker *c, Field *f, const Arg *a)
{
    const Value *v = &a->value;
    FieldDefault *d = &f->def;
    switch (f->kind) {
    case FK_BOOL:
        if (!value_bool(c, v, &d->b)) {
            wrong_kind(c, a, f, "true or false", "true");
            return;
        }
        d->nonzero = d->b;
        break;
    case FK_STRING:
        if (v->kind != VAL_STRING) {
            wrong_kind(c, a, f, "a string", "\"text\"");
            return;
        }
        d->s = v->text;
        d->len = v->len;
        d->nonzero = v->len > 0;
        break;
    case FK_FLOAT:
    case FK_DOUBLE:
        if (v->kind != VAL_INT && v->kind != VAL_FLOAT) {
            wrong_kind(c, a, f, "a number", "1.5");
            return;
        }
        /* What C makes of the literal: a value too large is infinite and
         * one too small for the type becomes zero, and compilers warn of
         * both; neither is what the schema says. */
        d->d = f->kind == FK_FLOAT ? (double)strtof(v->text, NULL) : strtod(v->text, NULL);
        if (!isfinite(d->d)) {
            out_of_range(c, f, v, "use a value that fits the type, or double");
            return;
        }
        if (d->d == 0 && literal_nonzero(v->text)) {
            out_of_range(c, f, v, f->kind == FK_FLOAT ? "it is too small for a float and would be 0; use double"
                                                      : "it is too small for a double and would be 0");
            return;
        }
        d->nonzero = d->d != 0 || signbit(d->d);
        break;
    default:   /* the integer types */
        if (v->kind != VAL_INT) {
            wrong_kind(c, a, f, "an integer", "0");
            return;
        }
        if (!int_fits(v, f->kind)) {
            out_of_range(c, f, v, "use a value that fits the type, or a wider type");
            return;
        }
        if (v->negative && v->magnitude)   /* int_fits: at most 2^63 */
            d->i = -(int64_t)(v->magnitude - 1) - 1;
        else if (v->magnitude <= INT64_MAX)
            d->i = (int64_t)v->magnitude;
        d->u = v->negative ? 0 : v->magnitude;   /* unsigned: int_fits allows only -0 */
        d->nonzero = v->magnitude != 0;
        break;
    }
    f->default_value = v;
}

/* on_delete = CASCADE | PROTECT | RESTRICT | SET_NULL */
static void check_on_delete(Checker *c, Field *f, const Arg *a)
{
    const Value *v = &a->value;

    if (v->kind == VAL_IDENT || v->kind == VAL_CALL) {
        if (v->kind == VAL_IDENT && action_named(v->text)) {
            f->on_delete = action_named(v->text)->od;
            return;
        }
        if (v->kind == VAL_CALL && action_named(v->text)) {
            diag_error(c->d, v->loc, "E115", "on_delete = %s(...) is a call; the action is a name",
                       v->text);
            diag_note(c->d, v->loc, "write on_delete = %s", v->text);
        } else if (strcmp(v->text, "DO_NOTHING") == 0 || strcmp(v->text, "SET_DEFAULT") == 0
            || strcmp(v->text, "SET") == 0) {
            diag_error(c->d, v->loc, "E119", "on_delete = %s%s is not supported by relc",
                       v->text, v->kind == VAL_CALL ? "(...)" : "");
            diag_note(c->d, v->loc, "in C it would %s; use CASCADE, PROTECT, RESTRICT or SET_NULL",
                      strcmp(v->text, "DO_NOTHING") == 0
                          ? "leave dangling pointers to the deleted object"
                          : "need a default object to point at");
        } else {
            size_t i = closest(v->text, action_at, NULL, vocab_nactions);
            const char *guess = i == (size_t)-1 ? NULL : vocab_actions[i].name;
            diag_error(c->d, v->loc, "E115", "unknown on_delete action '%s'", v->text);
            if (guess)
                diag_note(c->d, v->loc, "did you mean '%s'?", guess);
            else
                diag_note(c->d, v->loc, "the actions are CASCADE, PROTECT, RESTRICT and SET_NULL");
        }
    } else {
        wrong_kind(c, a, f, "an action name", "CASCADE");
    }
}

static const char *options_for(FieldKind k)
{
    switch (k) {
    case FK_STRING:
        return "default, max_length and unique";
    case FK_FOREIGN_KEY:
    case FK_ONE_TO_ONE:
        return "on_delete, related_name, null, related_query_name, unique and to_field";
    case FK_MANY_TO_MANY:
        return "related_name, null, symmetrical, related_query_name, through, through_fields and unique";
    case FK_GENERIC_FK:
        return "on_delete, null, ct_field and fk_field";
    case FK_GENERIC_REL:
        return "object_id_field, content_type_field and related_query_name";
    default:
        return "default and unique";
    }
}

/* One field: its type and its options, decoded into the Field. */
static void check_field(Checker *c, Field *f)
{
    const Arg *seen[NOPTIONS];
    const Arg *a;
    size_t i, position = 0;
    unsigned allowed;

    memset(seen, 0, sizeof seen);
    if (type_named(f->type_name))
        f->kind = type_named(f->type_name)->kind;
    if (f->kind == FK_UNRESOLVED) {
        const char *guess = closest_type(f->type_name);
        diag_error(c->d, f->type_loc, "E112", "unknown type '%s' for field '%s.%s'",
                   f->type_name, f->model->name, f->name);
        if (guess)
            diag_note(c->d, f->type_loc, "did you mean '%s'?", guess);
        else
            diag_note(c->d, f->type_loc, "the types are bool, int8 to int64, uint8 to uint64, "
                      "float, double, string, ForeignKey, OneToOneField and ManyToManyField");
        return;
    }
    f->is_relation = is_relation_kind(f->kind);
    allowed = allowed_options(f->kind);

    for (a = f->args; a; a = a->next, position++) {
        size_t opt = NOPTIONS;
        if (!a->key) {
            if ((f->is_relation || f->kind == FK_GENERIC_REL) && position == 0) {
                f->target_arg = a;
                continue;
            }
            if (f->kind == FK_GENERIC_FK && !seen_keyword(seen))
                continue;           /* every listed target (check_generic.c) */
            diag_error(c->d, a->loc, "E116", "unexpected positional argument to %s field '%s.%s'",
                       field_kind_name(f->kind), f->model->name, f->name);
            diag_note(c->d, a->loc, f->is_relation
                      ? "only the target model comes without a name, and it comes first"
                      : "options are written name = value");
            continue;
        }
        for (i = 0; i < NOPTIONS; i++)
            if (a->key == c->option_names[i])
                opt = i;
        if (opt == NOPTIONS || !(allowed & option_table[opt].bit)) {
            if (opt == NOPTIONS) {
                const char *guess = closest_string(a->key, c->option_names, NOPTIONS);
                diag_error(c->d, a->key_loc, "E113", "unknown option '%s' for %s field '%s.%s'",
                           a->key, field_kind_name(f->kind), f->model->name, f->name);
                if (guess)
                    diag_note(c->d, a->key_loc, "did you mean '%s'?", guess);
            } else {
                diag_error(c->d, a->key_loc, "E113", "option '%s' is not allowed on %s field '%s.%s'",
                           a->key, field_kind_name(f->kind), f->model->name, f->name);
            }
            diag_note(c->d, a->key_loc, "%s fields take %s", field_kind_name(f->kind),
                      options_for(f->kind));
            continue;
        }
        if (seen[opt]) {
            diag_error(c->d, a->key_loc, "E114", "option '%s' given twice for field '%s.%s'",
                       a->key, f->model->name, f->name);
            diag_note(c->d, seen[opt]->key_loc, "first given here");
            continue;
        }
        seen[opt] = a;

        switch (option_table[opt].bit) {
        case OPT_DEFAULT:
            check_default(c, f, a);
            break;
        case OPT_MAX_LENGTH:
            if (a->value.kind != VAL_INT) {
                wrong_kind(c, a, f, "a positive integer", "200");
            } else if (a->value.negative || a->value.magnitude == 0 || a->value.overflow
                       || a->value.magnitude > UINT32_MAX) {
                diag_error(c->d, a->value.loc, "E115", "max_length of '%s.%s' must be between 1 and %lu",
                           f->model->name, f->name, (unsigned long)UINT32_MAX);
            } else {
                f->max_length = a->value.magnitude;
            }
            break;
        case OPT_ON_DELETE:
            check_on_delete(c, f, a);
            break;
        case OPT_RELATED_NAME:
            if (a->value.kind != VAL_STRING) {
                wrong_kind(c, a, f, "a string", "\"books\"");
            } else {
                f->related_name_value = &a->value;
            }
            break;
        case OPT_NULL:
        case OPT_SYMMETRICAL:
        case OPT_UNIQUE: {
            bool b = false;
            if (!value_bool(c, &a->value, &b)) {
                wrong_kind(c, a, f, "true or false", "true");
            } else if (option_table[opt].bit == OPT_UNIQUE) {
                f->unique = b;
                f->unique_arg = a;
            } else if (option_table[opt].bit == OPT_NULL) {
                f->null = b;
            } else {
                f->symmetrical = b;
                f->symmetrical_arg = a;
            }
            break;
        }
        case OPT_CT_FIELD:
        case OPT_FK_FIELD:
        case OPT_OBJECT_ID_FIELD:
        case OPT_CONTENT_TYPE_FIELD:
            if (a->value.kind != VAL_STRING || !ident_is_ascii_identifier(a->value.text, a->value.len))
                wrong_kind(c, a, f, "a field name in a string", "\"content_type\"");
            else if (option_table[opt].bit == OPT_CT_FIELD)
                f->ct_field = intern_or_oom(c, a->value.text, a->value.len);
            else if (option_table[opt].bit == OPT_FK_FIELD)
                f->fk_field = intern_or_oom(c, a->value.text, a->value.len);
            else if (option_table[opt].bit == OPT_OBJECT_ID_FIELD)
                f->object_id_field = &a->value;
            else
                f->content_type_field = &a->value;
            break;
        case OPT_RELATED_QUERY_NAME:
            if (a->value.kind != VAL_STRING) {
                wrong_kind(c, a, f, "a string", "\"book\"");
            } else {
                diag_warning(c->d, a->key_loc, "W350",
                             "related_query_name has no effect in C (field '%s.%s')",
                             f->model->name, f->name);
                diag_note(c->d, a->key_loc, "relc generates no query API; remove the option");
            }
            break;
        case OPT_THROUGH:
            if (a->value.kind != VAL_STRING && a->value.kind != VAL_IDENT)
                wrong_kind(c, a, f, "a model name", "\"Membership\"");
            else
                f->through_arg = a;
            break;
        case OPT_THROUGH_FIELDS:
            if (a->value.kind != VAL_LIST)
                wrong_kind(c, a, f, "a list of two field names", "(\"group\", \"person\")");
            else
                f->through_fields_arg = a;
            break;
        case OPT_TO_FIELD:
            if (a->value.kind != VAL_STRING && a->value.kind != VAL_IDENT)
                wrong_kind(c, a, f, "a field name", "\"email\"");
            else
                f->to_field_value = &a->value;
            break;
        }
    }

    /* A string default must respect max_length, counted in characters as
     * Django counts them. */
    if (f->kind == FK_STRING && f->default_value && f->max_length
        && utf8_length(f->default_value->text, f->default_value->len) > f->max_length) {
        diag_error(c->d, f->default_value->loc, "E115",
                   "default of '%s.%s' is longer than its max_length (%lu)",
                   f->model->name, f->name, (unsigned long)f->max_length);
    }

    if (!f->is_relation)
        return;
    if (!f->target_arg) {
        diag_error(c->d, f->type_loc, "E117", "%s '%s.%s' has no target model",
                   field_kind_name(f->kind), f->model->name, f->name);
        diag_note(c->d, f->type_loc, "name the target first: %s(Model%s)",
                  field_kind_name(f->kind), f->kind == FK_MANY_TO_MANY ? "" : ", on_delete = CASCADE");
    } else if (f->target_arg->value.kind != VAL_IDENT && f->target_arg->value.kind != VAL_STRING) {
        diag_error(c->d, f->target_arg->value.loc, "E115",
                   "the target of %s '%s.%s' must be a model name, not %s",
                   field_kind_name(f->kind), f->model->name, f->name,
                   value_kind_name(f->target_arg->value.kind));
        f->target_arg = NULL;
    }
    if (f->kind != FK_MANY_TO_MANY && !seen[IX_ON_DELETE]) {
        diag_error(c->d, f->type_loc, "E118", "%s '%s.%s' needs an on_delete argument",
                   field_kind_name(f->kind), f->model->name, f->name);
        diag_note(c->d, f->type_loc, "add on_delete = CASCADE, PROTECT, RESTRICT or SET_NULL, "
                  "as Django requires");
    }
    if (f->kind == FK_MANY_TO_MANY && seen[IX_NULL]) {
        diag_warning(c->d, seen[IX_NULL]->key_loc, "W340",
                     "null has no effect on ManyToManyField '%s.%s'", f->model->name, f->name);
        diag_note(c->d, seen[IX_NULL]->key_loc, "remove the option");
        f->null = false;
    }
}

/* ---- models and fields -------------------------------------------------- */

static int cmp_field_name(const void *pa, const void *pb)
{
    const Field *a = *(const Field *const *)pa, *b = *(const Field *const *)pb;
    if (a->name != b->name)
        return strcmp(a->name, b->name);
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Fields sorted by name, for duplicate detection and lookups by name. */
typedef struct FieldIndex {
    Field **sorted;
    size_t n;
} FieldIndex;

static Field *find_field(const FieldIndex *ix, const char *name)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(ix->sorted[mid]->name, name);
        if (r == 0) {
            while (mid > 0 && ix->sorted[mid - 1]->name == name)
                mid--;
            return ix->sorted[mid];
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Django's own rules for model and field names (models.E023/E024,
 * fields.E001-E003): names that collide with its query lookup syntax. */
static void check_django_names(Checker *c, const Model *m)
{
    const Field *f;
    size_t n = strlen(m->name);
    if (m->name[0] == '_' || m->name[n - 1] == '_') {
        diag_error(c->d, m->loc, "E023", "model name '%s' cannot start or end with an underscore",
                   m->name);
        diag_note(c->d, m->loc, "Django reserves it for its query lookup syntax; rename the model");
    } else if (strstr(m->name, "__")) {
        diag_error(c->d, m->loc, "E024", "model name '%s' cannot contain '__'", m->name);
        diag_note(c->d, m->loc, "Django reserves it for its query lookup syntax; rename the model");
    }
    for (f = m->fields; f; f = f->next) {
        size_t k = strlen(f->name);
        if (f->name[k - 1] == '_') {
            diag_error(c->d, f->loc, "E001", "field name '%s.%s' must not end with an underscore",
                       m->name, f->name);
        } else if (strstr(f->name, "__")) {
            diag_error(c->d, f->loc, "E002", "field name '%s.%s' must not contain '__'",
                       m->name, f->name);
        } else if (strcmp(f->name, "pk") == 0) {
            diag_error(c->d, f->loc, "E003", "'pk' is a reserved word that cannot be used as a field name");
        } else {
            continue;
        }
        diag_note(c->d, f->loc, "Django reserves it for its query lookup syntax; rename the field");
    }
}

static bool index_fields(Checker *c, Model *m, FieldIndex *ix)
{
    Field *f;
    size_t i = 0;
    ix->n = 0;
    for (f = m->fields; f; f = f->next)   /* not m->nfields: GenericRelations left */
        ix->n++;
    ix->sorted = (Field **)arena_alloc(c->arena, (ix->n ? ix->n : 1) * sizeof *ix->sorted);
    if (!ix->sorted)
        return false;
    for (f = m->fields; f; f = f->next)
        ix->sorted[i++] = f;
    qsort(ix->sorted, ix->n, sizeof *ix->sorted, cmp_field_name);
    for (i = 1; i < ix->n; i++) {
        if (ix->sorted[i]->name == ix->sorted[i - 1]->name) {
            Field *dup = ix->sorted[i];
            diag_error(c->d, dup->loc, "E111", "duplicate field '%s' in model '%s'",
                       dup->name, m->name);
            diag_note(c->d, find_field(ix, dup->name)->loc, "'%s.%s' is first declared here",
                      m->name, dup->name);
        }
    }
    return true;
}

/* ---- relations ---------------------------------------------------------- */

/* Django formats related_name with %(class)s, %(model_name)s and
 * %(app_label)s (lower-cased), and %% for a percent sign.  Returns the
 * formatted name, or NULL when Python's formatting would fail. */
static const char *format_related_name(Checker *c, const Field *f, const char *s, size_t n)
{
    char *out, *p;
    size_t i, cap = n * 4 + 64 + strlen(f->model->name) + strlen(c->s->name) * 2;
    const char *result;

    if (!memchr(s, '%', n))
        return intern_or_oom(c, s, n);
    out = (char *)oom_malloc(cap);
    if (!out) {
        c->oom = true;
        return NULL;
    }
    p = out;
    for (i = 0; i < n;) {
        const char *sub = NULL;
        size_t skip = 0;
        if (s[i] != '%') {
            *p++ = s[i++];
            continue;
        }
        if (i + 1 < n && s[i + 1] == '%') {
            *p++ = '%';
            i += 2;
            continue;
        }
        if (n - i >= 9 && memcmp(s + i, "%(class)s", 9) == 0) {
            sub = f->model->name;
            skip = 9;
        } else if (n - i >= 14 && memcmp(s + i, "%(model_name)s", 14) == 0) {
            sub = f->model->name;
            skip = 14;
        } else if (n - i >= 13 && memcmp(s + i, "%(app_label)s", 13) == 0) {
            sub = c->s->name;
            skip = 13;
        } else {
            oom_free(out);
            return NULL;
        }
        for (; *sub; sub++)
            *p++ = lower(*sub);
        i += skip;
    }
    result = intern_or_oom(c, out, (size_t)(p - out));
    oom_free(out);
    return result;
}

static const char *default_accessor(Checker *c, const Field *f)
{
    size_t n = strlen(f->model->name), i;
    char *buf = (char *)oom_malloc(n + 5);
    const char *r;
    if (!buf) {
        c->oom = true;
        return NULL;
    }
    for (i = 0; i < n; i++)
        buf[i] = lower(f->model->name[i]);
    if (f->kind != FK_ONE_TO_ONE) {
        memcpy(buf + n, "_set", 4);
        n += 4;
    }
    r = intern_or_oom(c, buf, n);
    oom_free(buf);
    return r;
}

/* Target, symmetry, related name and reverse accessor of one relation,
 * exactly as Django decides them (RULES.md: Names, '+' and symmetry). */
static void resolve_relation(Checker *c, Field *f)
{
    const Value *t = f->target_arg ? &f->target_arg->value : NULL;
    const Value *rn = f->related_name_value;

    if (t) {
        const char *name = t->kind == VAL_STRING ? intern_or_oom(c, t->text, t->len) : t->text;
        if (name == c->w_self) {
            f->target = f->model;
            f->target_is_self = true;
        } else if (name) {
            f->target = (Model *)ptrmap_get(&c->models, name);
            if (!f->target && !c->input->had_syntax_errors) {
                const Model *guess = closest_model(c, name);
                diag_error(c->d, t->loc, "E300", "field '%s.%s' refers to unknown model '%s'",
                           f->model->name, f->name, name);
                if (guess)
                    diag_note(c->d, guess->loc, "did you mean '%s'?%s", guess->name,
                              strcmp(guess->name, name) != 0 && edit_distance(guess->name, name, 0) == 0
                                  ? " (model names are case-sensitive)" : "");
                else
                    diag_note(c->d, t->loc, "declare model '%s', or write 'self' for a relation "
                              "to '%s' itself", name, f->model->name);
            }
        }
    }
    /* symmetrical: true by default only when the target is written self,
     * and meaningful only for a relation to the declaring model. */
    if (f->kind == FK_MANY_TO_MANY) {
        bool given = f->symmetrical_arg != NULL;
        bool wanted = given ? f->symmetrical : f->target_is_self;
        if (given && f->target && f->target != f->model) {
            diag_warning(c->d, f->symmetrical_arg->key_loc, "W351",
                         "symmetrical has no effect on '%s.%s', a relation to another model",
                         f->model->name, f->name);
            diag_note(c->d, f->symmetrical_arg->key_loc,
                      "only a ManyToManyField to its own model can be symmetrical; remove the option");
        }
        f->symmetrical = wanted && f->target == f->model;
    } else {
        f->symmetrical = false;
    }

    if (f->symmetrical) {
        /* Django overwrites the related_name of a symmetrical relation with
         * a hidden one: there is no reverse side at all. */
        if (rn) {
            diag_warning(c->d, rn->loc, "W345",
                         "related_name has no effect on ManyToManyField '%s.%s' with a symmetrical "
                         "relationship, e.g. to \"self\"", f->model->name, f->name);
            diag_note(c->d, rn->loc, "adding b to a's %s also adds a to b's; remove the "
                      "related_name, or write symmetrical = false", f->name);
        }
        f->hidden = true;
        f->accessor = NULL;
        return;
    }

    if (rn) {
        const char *name = format_related_name(c, f, rn->text, rn->len);
        bool plus = name && name[0] && name[strlen(name) - 1] == '+';
        if (c->oom)
            return;
        if (!plus && (!name || !ident_is_ascii_identifier(name, strlen(name))
                      || ident_is_python_keyword(name))) {
            diag_error(c->d, rn->loc, "E306", "the name '%.*s' is not a valid related_name for "
                       "field '%s.%s'", (int)rn->len, rn->text, f->model->name, f->name);
            if (name && ident_is_python_keyword(name))
                diag_note(c->d, rn->loc, "it is a Python keyword, which Django rejects");
            else if (!name)
                diag_note(c->d, rn->loc, "the only placeholders are %%(class)s, %%(model_name)s "
                          "and %%(app_label)s; write %%%% for a percent sign");
            else
                diag_note(c->d, rn->loc, "use letters, digits and '_', not starting with a digit; "
                          "or '+' to have no reverse accessor");
            return;
        }
        f->related_name = name;
        if (plus) {
            f->hidden = true;
            f->accessor = NULL;
            return;
        }
        if (name[0]) {
            f->accessor = name;
            return;
        }
        /* '' counts as unset once it has been reported (Django: E306). */
    }
    f->accessor = default_accessor(c, f);
}

/* The reverse sides pointing at each model, in declaration order. */
static bool build_incoming(Checker *c)
{
    size_t i;
    Field *f;
    size_t j;
    for (i = 0; i < c->s->nmodels; i++)
        for (f = c->s->model_array[i]->fields; f; f = f->next)
            if (field_is_gfk(f))
                for (j = 0; j < f->nparts; j++)
                    f->parts[j]->target->nincoming++;
            else if (f->is_relation && f->target)
                f->target->nincoming++;
    for (i = 0; i < c->s->nmodels; i++) {
        Model *m = c->s->model_array[i];
        if (m->nincoming) {
            m->incoming = (Field **)arena_alloc(c->arena, m->nincoming * sizeof *m->incoming);
            if (!m->incoming)
                return false;
            m->nincoming = 0;
        }
    }
    for (i = 0; i < c->s->nmodels; i++)
        for (f = c->s->model_array[i]->fields; f; f = f->next)
            if (field_is_gfk(f))
                for (j = 0; j < f->nparts; j++)
                    f->parts[j]->target->incoming[f->parts[j]->target->nincoming++] = f->parts[j];
            else if (f->is_relation && f->target)
                f->target->incoming[f->target->nincoming++] = f;
    return true;
}

/* E302 and E304, per target model (Django's _check_clashes).
 *
 * Every model has an id field without declaring it (Django's automatic
 * primary key, relc's M_id), so a reverse accessor 'id' clashes with that
 * one when the model declares none.  Such a reverse side is then dropped
 * (its accessor set to NULL) before the generated names are checked: its
 * names would collide with M_id, which is what this E302 says already, and
 * the schema has an error, so nothing is generated from it.
 *
 * Reverse sides are grouped by accessor in one pass (first and second user
 * of each name), so the check is linear in the relations: each reverse side
 * that shares its accessor is reported once, against the first other one
 * (Django reports every pair, which for k relations sharing one name is
 * k(k-1) errors and as much time; for two it is the same two errors). */
static void check_clashes(Checker *c, Model *t, const FieldIndex *fields)
{
    PtrMap first, second;       /* accessor -> its first and second user */
    size_t i;
    int oom = 0;
    bool drop_id = false;

    ptrmap_init(&first);
    ptrmap_init(&second);
    for (i = 0; i < t->nincoming && !oom; i++) {
        Field *f = t->incoming[i];
        Field *prev;
        if (!f->accessor)
            continue;
        prev = (Field *)ptrmap_put(&first, f->accessor, f, &oom);
        if (prev && !oom)
            ptrmap_put(&second, f->accessor, f, &oom);
    }
    for (i = 0; i < t->nincoming && !oom; i++) {
        Field *f = t->incoming[i];
        const Field *clash, *g;
        if (!f->accessor)
            continue;
        clash = find_field(fields, f->accessor);
        if (clash) {
            diag_error(c->d, f->loc, "E302", "reverse accessor '%s' for '%s.%s' clashes with "
                       "field name '%s.%s'", f->accessor, f->model->name, f->name,
                       t->name, clash->name);
            diag_note(c->d, f->loc, "rename field '%s.%s', or add or change a related_name "
                      "argument to the definition for '%s.%s'", t->name, clash->name,
                      f->model->name, f->name);
            diag_note(c->d, clash->loc, "'%s.%s' is declared here", t->name, clash->name);
        } else if (strcmp(f->accessor, "id") == 0) {
            diag_error(c->d, f->loc, "E302", "reverse accessor '%s' for '%s.%s' clashes with "
                       "field name '%s.id'", f->accessor, f->model->name, f->name, t->name);
            diag_note(c->d, f->loc, "add or change a related_name argument to the definition "
                      "for '%s.%s'", f->model->name, f->name);
            diag_note(c->d, t->loc, "'%s.id' is the id field that every model has without "
                      "declaring it (Django's automatic primary key)", t->name);
        }
        if (strcmp(f->accessor, "id") == 0)
            drop_id = true;
        g = (const Field *)ptrmap_get(&first, f->accessor);
        if (g == f)
            g = (const Field *)ptrmap_get(&second, f->accessor);   /* NULL: no clash */
        if (!g)
            continue;
        diag_error(c->d, f->loc, "E304", "reverse accessor '%s' for '%s.%s' clashes with "
                   "reverse accessor for '%s.%s'", f->accessor, f->model->name, f->name,
                   g->model->name, g->name);
        diag_note(c->d, f->loc, "add or change a related_name argument to the definition "
                  "for '%s.%s' or '%s.%s'", f->model->name, f->name, g->model->name, g->name);
        diag_note(c->d, g->loc, "'%s.%s' is declared here", g->model->name, g->name);
    }
    ptrmap_free(&first);
    ptrmap_free(&second);
    if (oom)
        c->oom = true;
    /* After the loop, so that E304 still pairs every reverse side 'id'. */
    for (i = 0; drop_id && i < t->nincoming; i++)
        if (t->incoming[i]->accessor && strcmp(t->incoming[i]->accessor, "id") == 0)
            t->incoming[i]->accessor = NULL;
}

/* ---- required relations that can never be satisfied -------------------- */

static bool required_edge(const Field *f)
{
    /* A required GenericForeignKey is an edge when it lists one model: with
     * more, an object of any of them will do. */
    return (f->kind == FK_FOREIGN_KEY || f->kind == FK_ONE_TO_ONE || (f->kind == FK_GENERIC_FK && f->nparts == 1))
        && !f->null && f->target;
}

typedef struct Frame {
    Model *m;
    Field *next;      /* next outgoing relation to look at */
} Frame;

/* Describes and reports one strongly connected component of required
 * relations that really loops.  comp[] holds component ids. */
static void report_cycle(Checker *c, Model *start, const size_t *comp, long *walk_pos)
{
    Model *m = start;
    Field *path[64];
    size_t n = 0, from = 0, i, len = 0;
    char text[512];
    Field *first;

    /* Follow the first in-component required edge until a model repeats. */
    while (walk_pos[m->index] < 0 && n < 64) {
        Field *f;
        walk_pos[m->index] = (long)n;
        for (f = m->fields; f; f = f->next)
            if (required_edge(f) && comp[f->target->index] == comp[start->index])
                break;
        if (!f)
            break;
        path[n++] = f;
        m = f->target;
    }
    if (walk_pos[m->index] >= 0)
        from = (size_t)walk_pos[m->index];
    for (i = 0; i < n; i++)
        walk_pos[path[i]->model->index] = -1;
    walk_pos[start->index] = -1;
    if (from >= n)
        return;

    text[0] = '\0';
    for (i = from; i < n && len < sizeof text - 1; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s.%s", i == from ? "" : " -> ",
                                path[i]->model->name, path[i]->name);
    if (len < sizeof text - 1)
        snprintf(text + len, sizeof text - len, " -> %s", path[from]->model->name);
    first = path[from];
    diag_warning(c->d, first->loc, "W352", "required relations form a cycle, so no '%s' can "
                 "ever be created: %s", first->model->name, text);
    diag_note(c->d, first->loc, "make one of them null = true, and set it once both objects exist");
}

/* Tarjan's algorithm, iterative so that long chains of models cannot
 * exhaust the C stack. */
static bool check_cycles(Checker *c)
{
    size_t n = c->s->nmodels, next_index = 1, ncomp = 0, sp = 0, fp = 0, i;
    size_t *index = (size_t *)oom_calloc(n ? n : 1, sizeof *index);
    size_t *low = (size_t *)oom_calloc(n ? n : 1, sizeof *low);
    size_t *comp = (size_t *)oom_calloc(n ? n : 1, sizeof *comp);
    long *walk = (long *)oom_calloc(n ? n : 1, sizeof *walk);
    Model **stack = (Model **)oom_calloc(n ? n : 1, sizeof *stack);
    Frame *frames = (Frame *)oom_calloc(n ? n : 1, sizeof *frames);
    bool ok = index && low && comp && walk && stack && frames;

    for (i = 0; ok && i < n; i++)
        walk[i] = -1;
    for (i = 0; ok && i < n; i++) {
        Model *root = c->s->model_array[i];
        if (index[i] || root->duplicate)
            continue;
        frames[fp].m = root;
        frames[fp++].next = root->fields;
        index[i] = low[i] = next_index++;
        stack[sp++] = root;
        while (fp) {
            Frame *fr = &frames[fp - 1];
            Field *f = fr->next;
            if (f) {
                size_t t;
                fr->next = f->next;
                if (!required_edge(f))
                    continue;
                t = f->target->index;
                if (!index[t]) {
                    index[t] = low[t] = next_index++;
                    stack[sp++] = f->target;
                    frames[fp].m = f->target;
                    frames[fp++].next = f->target->fields;
                } else if (!comp[t] && index[t] < low[fr->m->index]) {
                    low[fr->m->index] = index[t];      /* on the stack */
                }
                continue;
            }
            /* All edges done: close the frame. */
            {
                Model *m = fr->m;
                size_t v = m->index;
                fp--;
                if (fp && low[v] < low[frames[fp - 1].m->index])
                    low[frames[fp - 1].m->index] = low[v];
                if (low[v] == index[v]) {
                    size_t size = 0;
                    bool loops = false;
                    Model *w;
                    Field *g;
                    ncomp++;
                    do {
                        w = stack[--sp];
                        comp[w->index] = ncomp;
                        size++;
                    } while (w != m);
                    for (g = m->fields; g; g = g->next)
                        if (required_edge(g) && g->target == m)
                            loops = true;
                    if (size > 1 || loops) {
                        /* Report from the member declared first. */
                        Model *first = m;
                        size_t k;
                        for (k = 0; k < n; k++)
                            if (comp[k] == ncomp) {
                                first = c->s->model_array[k];
                                break;
                            }
                        report_cycle(c, first, comp, walk);
                    }
                }
            }
        }
    }
    oom_free(index);
    oom_free(low);
    oom_free(comp);
    oom_free(walk);
    oom_free(stack);
    oom_free(frames);
    return ok;
}

/* ---- the whole ---------------------------------------------------------- */

static void check_schema_name(Checker *c)
{
    Schema *s = c->s;
    const char *name = c->input->default_name ? c->input->default_name : "";
    if (s->name_given)
        return;
    if (!ident_is_ascii_identifier(name, strlen(name))) {
        diag_error(c->d, loc_start(), "E103", "the schema name '%s', taken from the file name, "
                   "is not a C identifier", name);
        diag_note(c->d, loc_start(), "name the schema in the file: schema NAME;");
        name = "schema";
    }
    s->name = intern_or_oom(c, name, strlen(name));
}

/* Model options, Django's Meta: `name = value;` between a model's fields.
 * None is known yet; each is refused by name. */
static void check_model_options(Checker *c, const Model *m)
{
    const Arg *a;
    for (a = m->options; a; a = a->next) {
        if (a->key == c->w_unique_together)
            continue;   /* check_unique.c */
        diag_error(c->d, a->key_loc, "E113", "unknown option '%s' for model '%s'", a->key, m->name);
        diag_note(c->d, a->key_loc, "the only model option is unique_together");
    }
}

bool check_schema(Schema *s, const CheckInput *input, Arena *arena, Interner *in,
                  Diags *d, NameTables *names)
{
    Checker c;
    FieldIndex *indexes;
    Model *m;
    size_t i;
    bool ok = true;

    memset(&c, 0, sizeof c);
    c.arena = arena;
    c.in = in;
    c.d = d;
    c.s = s;
    c.input = input;
    ptrmap_init(&c.models);
    c.w_self = intern_cstr(in, "self");
    c.w_true = intern_cstr(in, "true");
    c.w_false = intern_cstr(in, "false");
    c.w_True = intern_cstr(in, "True");
    c.w_False = intern_cstr(in, "False");
    c.w_unique_together = intern_cstr(in, "unique_together");
    for (i = 0; i < NOPTIONS; i++)
        if (!(c.option_names[i] = intern_cstr(in, option_table[i].name)))
            c.oom = true;
    if (!c.w_self || !c.w_true || !c.w_false || !c.w_True || !c.w_False || !c.w_unique_together || c.oom)
        return false;

    check_schema_name(&c);
    s->model_array = (Model **)arena_alloc(arena, (s->nmodels ? s->nmodels : 1) * sizeof *s->model_array);
    indexes = (FieldIndex *)arena_alloc(arena, (s->nmodels ? s->nmodels : 1) * sizeof *indexes);
    if (!s->model_array || !indexes || c.oom)
        return false;
    for (m = s->models; m; m = m->next)
        s->model_array[m->index] = m;

    if (s->nmodels == 0 && !input->had_syntax_errors) {
        diag_error(d, loc_start(), "E102", "the schema defines no models");
        diag_note(d, loc_start(), "add one, for example: model Author { name: string; }");
    }

    /* 1. Models: unique names, Django's name rules. */
    for (i = 0; i < s->nmodels; i++) {
        int oom = 0;
        Model *prev;
        m = s->model_array[i];
        prev = (Model *)ptrmap_put(&c.models, m->name, m, &oom);
        if (oom) {
            ok = false;
            goto done;
        }
        if (prev) {
            diag_error(d, m->loc, "E110", "duplicate model '%s'", m->name);
            diag_note(d, prev->loc, "'%s' is first declared here", m->name);
            m->duplicate = true;
            continue;
        }
        if (m->name == c.w_self) {
            diag_error(d, m->loc, "E121", "a model cannot be named 'self'");
            diag_note(d, m->loc, "'self' names the declaring model in a relation; rename the model");
        }
        check_django_names(&c, m);
    }

    /* 2. Fields: types and options. */
    for (i = 0; i < s->nmodels; i++) {
        Field *f;
        m = s->model_array[i];
        if (m->duplicate)
            continue;
        for (f = m->fields; f; f = f->next)
            check_field(&c, f);
        check_model_options(&c, m);
        generic_detach(m);
        if (!index_fields(&c, m, &indexes[i])) {
            ok = false;
            goto done;
        }
    }

    /* 3. Targets, related names, accessors. */
    for (i = 0; i < s->nmodels && !c.oom; i++) {
        Field *f;
        m = s->model_array[i];
        if (m->duplicate)
            continue;
        for (f = m->fields; f; f = f->next) {
            if (f->is_relation && !field_is_gfk(f))
                resolve_relation(&c, f);
            if (f->is_relation && f->kind != FK_MANY_TO_MANY && f->on_delete == OD_SET_NULL
                && !f->null) {
                diag_error(d, f->loc, "E320", "field '%s.%s' specifies on_delete = SET_NULL, but "
                           "cannot be null", m->name, f->name);
                diag_note(d, f->loc, "add null = true to the field, or change the on_delete rule");
            }
        }
    }
    if (!c.oom) {
        GenericCtx g;
        g.arena = arena;
        g.in = in;
        g.d = d;
        g.s = s;
        g.models = &c.models;
        g.w_self = c.w_self;
        g.quiet = input->had_syntax_errors;
        if (!check_generic(&g))
            c.oom = true;
    }
    if (c.oom || !build_incoming(&c)) {
        ok = false;
        goto done;
    }
    /* Through models (E331 to E339): needs every target resolved. */
    if (!check_through(s, &c.models, in, d)) {
        ok = false;
        goto done;
    }

    /* 4. Clashes on each target. */
    for (i = 0; i < s->nmodels && !c.oom; i++)
        if (!s->model_array[i]->duplicate)
            check_clashes(&c, s->model_array[i], &indexes[i]);

    /* Unique fields, unique_together and to_field (check_unique.c). */
    if (c.oom || !check_unique(s, arena, in, d, c.w_unique_together)) {
        ok = false;
        goto done;
    }

    /* 5. Generated names; 6. cycles of required relations. */
    if (c.oom || !names_build(names, s, input->prefix, arena, in, d) || !check_cycles(&c))
        ok = false;

done:
    ptrmap_free(&c.models);
    return ok && !c.oom;
}
