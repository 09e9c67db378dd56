/* emit_api.c: the functions of the generated header (SPEC section 5).
 *
 * Each is a short static inline wrapper, one template per kind of call:
 * getters read a member; the hot calls (relinking, many-to-many add,
 * contains and remove, lookups) pass constant member offsets to the
 * runtime's inline helpers, so that after inlining they are what one
 * would write by hand; the rest call the runtime's generic code with the
 * model, field or relation index of the descriptor.  A program pays only
 * for the functions it calls.
 *
 * Template variables (set by the vars_* functions below):
 *   $S$ store type, $db$ $o$ $x$ $value$ $objects$ $n$ $id$ $l$ parameter
 *   and local names (names.c picks words no schema name can shadow),
 *   $M$ the model's type, $k$ its index, $L$ its list type;
 *   for a relation: $r$ its index, $T$ the other side's type, $mt$/$tt$
 *   the declaring model's and the target's struct tag, $fwd$ $rev$ $pos$
 *   their members.
 */
#include "emit_c.h"

#include <string.h>

static void vars_common(const Emitter *e, PrVars *v)
{
    pv_init(v);
    pv_set(v, "S", e->n->schema.store);
    pv_set(v, "desc", e->n->schema.desc);
    pv_set(v, "o", e->l->self);
    pv_set(v, "x", e->l->other);
    pv_set(v, "value", e->l->value);
    pv_set(v, "db", e->l->db);
    pv_set(v, "objects", e->l->objects);
    pv_set(v, "n", e->l->n);
    pv_set(v, "id", e->l->id);
    pv_set(v, "l", e->l->view);
}

static void vars_model(const Emitter *e, PrVars *v, const Model *m)
{
    vars_common(e, v);
    pv_set(v, "M", MN(e, m)->type);
    pv_set(v, "L", MN(e, m)->list);
    pv_num(v, "k", m->index);
}

/* The relation's own variables, on top of the model's. */
static void vars_relation(const Emitter *e, PrVars *v, const Field *f)
{
    pv_num(v, "r", FN(e, f)->relation);
    pv_set(v, "mt", MN(e, f->model)->type);
    pv_set(v, "tt", MN(e, f->target)->type);
    pv_set(v, "fwd", f->name);
    pv_set(v, "rev", f->symmetrical ? f->name : FN(e, f)->rev_member);
    pv_set(v, "pos", FN(e, f)->pos_member ? FN(e, f)->pos_member : "");
    pv_set(v, "null", f->null ? "true" : "false");
}

/* "const char *" or "int64_t ": a scalar parameter's type, as a prefix. */
static const char *scalar_param_type(const Field *f)
{
    return f->kind == FK_STRING ? "const char *" : type_info(f->kind)->c_type;
}

/* ", Author *author, const char *email": the constructor arguments of m
 * (required relations, unique scalars), except skip, as parameters. */
static void required_params(const Emitter *e, const Model *m, const Field *skip)
{
    const Field *f;
    for (f = m->fields; f; f = f->next) {
        if (!is_ctor_arg(f) || f == skip)
            continue;
        if (f->is_relation)   /* a GenericForeignKey: any model it lists */
            pr(e->p, ", %s *%s", is_gfk(f) ? "void" : MN(e, f->target)->type, FN(e, f)->param);
        else
            pr(e->p, ", %s%s%s", scalar_param_type(f), f->kind == FK_STRING ? "" : " ", FN(e, f)->param);
    }
}

/* "rel_new1": the runtime's create for m's number of required relations
 * (rel_new0..2 take them as parameters, rel_new as variadic ones).  A
 * model with unique scalars among its arguments takes rel_new: given a
 * NULL store, rel_new1 and rel_new2 look for another store in their
 * arguments, which must then be objects, not pointers to values. */
static const char *new_fn(const Model *m)
{
    static const char *const fixed[] = { "rel_new0", "rel_new1", "rel_new2" };
    const Field *f;
    size_t n = 0;
    for (f = m->fields; f; f = f->next) {
        if (is_ctor_arg(f) && !f->is_relation)
            return "rel_new";
        n += is_ctor_arg(f);
    }
    return n < 3 ? fixed[n] : "rel_new";
}

/* Whether a new object of m needs more than zeroes (rel_init_fields). */
static bool needs_init(const Model *m)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (f->kind == FK_STRING || (!f->is_relation && f->def.nonzero))
            return true;
    return false;
}

/* Whether M_new can take rel_new_fast: no required relation, or exactly
 * one and a ForeignKey. */
static bool fast_create(const Model *m)
{
    const Field *f;
    size_t n = 0;
    if (m->nuniques)
        return false;   /* the generic path keeps the unique indexes */
    for (f = m->fields; f; f = f->next)
        if (is_required(f) && (n++ || !is_fk(f)))
            return false;
    return true;
}

/* The first required relation of m, or NULL. */
static const Field *first_required(const Model *m)
{
    const Field *f;
    for (f = m->fields; f && !is_required(f); f = f->next)
        ;
    return f;
}

/* ", (void *)author, (void *)&email, (void *)o": the same as rel_new's
 * variadic arguments (a scalar's as a pointer to it), with `fill` in
 * place of skip. */
static void required_args(const Emitter *e, const Model *m, const Field *skip, const char *fill)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (is_ctor_arg(f))
            pr(e->p, ", (void *)%s%s", f->is_relation ? "" : "&", f == skip ? fill : FN(e, f)->param);
}

/* ==== the store ========================================================== */

void emit_store_api(const Emitter *e)
{
    const SchemaNames *sn = &e->n->schema;
    PrVars v;
    vars_common(e, &v);
    pv_set(&v, "new", sn->store_new);
    pv_set(&v, "free", sn->store_free);
    pv_set(&v, "errmsg", sn->store_errmsg);
    pv_set(&v, "verify", sn->store_verify);
    pv_set(&v, "dumpdata", sn->store_dumpdata);
    pv_set(&v, "loaddata", sn->store_loaddata);
    pt(e->p, &v,
       "/* ==== the store ==== */\n\n"
       "/* A new, empty store; NULL when out of memory. */\n"
       "static inline $S$ *$new$(void) { return ($S$ *)rel_store_new(&$desc$); }\n"
       "/* Frees every object, then the store. */\n"
       "static inline void $free$($S$ *$db$) { rel_store_free((rel_store *)$db$); }\n"
       "/* Why the last failing call on the store failed (a call that named no\n"
       " * store, with a NULL store or object alone: rel_errmsg_nostore()). */\n"
       "static inline const char *$errmsg$(const $S$ *$db$)\n"
       "{ return $db$ ? ((const rel_store *)$db$)->errmsg.text : rel_errmsg_nostore(); }\n"
       "/* Checks every invariant: REL_ECORRUPT, with the first broken one in errmsg. */\n"
       "static inline rel_status $verify$(const $S$ *$db$) { return rel_store_verify((const rel_store *)$db$); }\n"
       "/* Writes every object as Django's `manage.py dumpdata` does (a JSON\n"
       " * fixture; indent 0: as without --indent). */\n"
       "static inline rel_status $dumpdata$(const $S$ *$db$, FILE *rel_out, int rel_indent)\n"
       "{ return rel_dumpdata((const rel_store *)$db$, rel_out, rel_indent); }\n"
       "/* Loads a JSON fixture as `manage.py loaddata` does, all or nothing;\n"
       " * errmsg says \"rel_source:line:col: ...\" when it fails. */\n"
       "static inline rel_status $loaddata$($S$ *$db$, const char *rel_text, size_t rel_len, const char *rel_source)\n"
       "{ return rel_loaddata((rel_store *)$db$, rel_text, rel_len, rel_source); }\n\n");
}

/* ==== a model's own functions ============================================ */

static bool has_required(const Model *m)
{
    const Field *f;
    for (f = m->fields; f; f = f->next)
        if (is_ctor_arg(f))
            return true;
    return false;
}

static void model_basics(const Emitter *e, const Model *m, PrVars *v)
{
    Printer *p = e->p;
    const ModelNames *mn = MN(e, m);

    pv_set(v, "new", mn->new_);
    pv_set(v, "delete", mn->delete_);
    pv_set(v, "delete_many", mn->delete_many);
    pv_set(v, "delete_ex", mn->delete_ex);
    pv_set(v, "delete_plan", mn->delete_plan);
    pv_set(v, "R", e->n->schema.delete_result);
    pv_set(v, "N", e->n->schema.nmodels);
    pv_set(v, "id_fn", mn->id);
    pv_set(v, "get", mn->get);
    pv_set(v, "all", mn->all);
    pv_set(v, "next", mn->next);
    pv_set(v, "count", mn->count);
    pv_set(v, "store_fn", mn->store);

    pr(p, "/* ==== %s ==== */\n\n", m->name);
    if (m->nuniques)
        pt(p, v, "/* A new $M$ with the values its unique constraints need and its required\n"
                 " * relations set, every other field at its default; NULL (with the reason\n"
                 " * in errmsg) when a value is taken (REL_EUNIQUE) or invalid, a relation\n"
                 " * NULL, in another store or (one-to-one) taken, or out of memory. */\n");
    else if (has_required(m))
        pt(p, v, "/* A new $M$ with every field at its default and its required relations\n"
                 " * set; NULL (with the reason in errmsg) when one is NULL, in another\n"
                 " * store or (one-to-one) taken, or when out of memory. */\n");
    else
        pt(p, v, "/* A new $M$ with every field at its default; NULL when out of memory. */\n");
    pt(p, v, "static inline $M$ *$new$($S$ *$db$");
    required_params(e, m, NULL);
    pv_set(v, "new_fn", new_fn(m));
    pv_set(v, "init", needs_init(m) ? "true" : "false");
    if (fast_create(m)) {
        /* No required relation, or one ForeignKey: the inline fast path. */
        const Field *f = first_required(m);
        if (f) {
            PrVars w = *v;
            vars_relation(e, &w, f);
            pv_set(&w, "param", FN(e, f)->param);
            pt(p, &w, ")\n{ return ($M$ *)rel_new_fast((rel_store *)$db$, $k$, sizeof(struct $M$), $init$, $r$, $param$, "
                      "offsetof(struct $mt$, $fwd$), offsetof(struct $mt$, $pos$), offsetof(struct $tt$, $rev$), \"$new$\"); }\n");
        } else {
            pt(p, v, ")\n{ return ($M$ *)rel_new_fast((rel_store *)$db$, $k$, sizeof(struct $M$), $init$, REL_NONE, NULL, 0, 0, 0, "
                     "\"$new$\"); }\n");
        }
    } else {
        if (strcmp(new_fn(m), "rel_new") == 0)   /* the schema says which arguments are objects */
            pt(p, v, ")\n{ return ($M$ *)rel_new_of(&$desc$, (rel_store *)$db$, $k$, REL_NONE, NULL, false, \"$new$\"");
        else
            pt(p, v, ")\n{ return ($M$ *)$new_fn$((rel_store *)$db$, $k$, REL_NONE, NULL, false, \"$new$\"");
        required_args(e, m, NULL, NULL);
        pt(p, v, "); }\n");
    }
    pt(p, v,
       "/* Deletes it as Django's collector does (on_delete); all or nothing. */\n"
       "static inline rel_status $delete$($M$ *$o$)\n"
       "{ return rel_delete_one_of(&$desc$, $k$, $o$, \"$delete$\"); }\n"
       "/* The same, saying what went (when it succeeds; zeroes when refused). */\n"
       "static inline rel_status $delete_ex$($M$ *$o$, $R$ *$x$)\n"
       "{ return rel_delete_ex_of(&$desc$, $k$, (void *const *)&$o$, 1, $x$ ? &$x$->total : NULL, $x$ ? $x$->per_model : NULL, $N$, \"$delete_ex$\"); }\n"
       "/* What deleting it would do, changing nothing: what would go, what would be\n"
       " * set NULL, every PROTECT and RESTRICT blocker.  rel_delete_plan_free after. */\n"
       "static inline rel_status $delete_plan$(const $M$ *$o$, rel_delete_plan *$x$)\n"
       "{ return rel_delete_plan_of(&$desc$, $k$, (void *const *)&$o$, 1, $x$, \"$delete_plan$\"); }\n"
       "/* Deletes n objects with one collector, like QuerySet.delete(). */\n"
       "static inline rel_status $delete_many$($M$ *const *$objects$, size_t $n$)\n"
       "{ return rel_delete_many_of(&$desc$, $k$, (void *const *)$objects$, $n$, \"$delete_many$\"); }\n"
       "/* 1, 2, 3 ... in creation order; never reused. */\n"
       "static inline uint64_t $id_fn$(const $M$ *$o$) { return rel_id_of($o$); }\n"
       "/* The store it belongs to. */\n"
       "static inline $S$ *$store_fn$(const $M$ *$o$) { return ($S$ *)rel_store_of($o$); }\n"
       "/* The object with that id; NULL if there is none (any more). */\n"
       "static inline $M$ *$get$(const $S$ *$db$, uint64_t $id$)\n"
       "{ return ($M$ *)rel_get((const rel_store *)$db$, $k$, $id$); }\n"
       "static inline size_t $count$(const $S$ *$db$) { return ((const rel_store *)$db$)->models[$k$].count; }\n"
       "/* Every $M$: rel_forall($M$, x, $all$(db)), or $next$ until NULL. */\n"
       "static inline rel_cursor $all$(const $S$ *$db$) { return rel_all((const rel_store *)$db$, $k$); }\n"
       "static inline $M$ *$next$(rel_cursor *$l$) { return ($M$ *)rel_cursor_next($l$); }\n");
}

/* ==== scalar fields ====================================================== */

static void scalar_api(const Emitter *e, const Field *f, PrVars *v)
{
    Printer *p = e->p;
    pv_set(v, "f", f->name);
    pv_set(v, "get", FN(e, f)->fwd.get);
    pv_set(v, "set", FN(e, f)->fwd.set);
    pv_set(v, "C", type_info(f->kind)->c_type);
    /* "int32_t " but "const char *": the getter's return type as a prefix */
    pv_set(v, "Cp", f->kind == FK_STRING ? "const char *" : type_info(f->kind)->c_type);
    pv_set(v, "sp", f->kind == FK_STRING ? "" : " ");
    pv_num(v, "i", scalar_index(f));

    pr(p, "/* %s: %s", f->name, field_kind_name(f->kind));
    if (f->kind == FK_STRING && f->max_length)
        pr(p, "(max_length = %llu)", (unsigned long long)f->max_length);
    pr(p, f->kind == FK_STRING ? "; never NULL; the setter copies the text */\n" : " */\n");
    pv_set(v, "empty", f->kind == FK_STRING ? "\"\"" : "0");
    pt(p, v, "static inline $Cp$$sp$$get$(const $M$ *$o$) { return REL_GET($o$, $o$->$f$, $empty$); }\n");
    if (f->ctor_arg)   /* in a unique constraint: checked and indexed */
        pt(p, v, f->kind == FK_STRING
                 ? "static inline rel_status $set$($M$ *$o$, const char *$value$)\n"
                   "{ return rel_alive($o$) ? rel_set_unique($o$, $k$, $i$, (const void *)&$value$) : rel_fail_arg_of(&$desc$, $o$, $k$, NULL, \"$set$\"); }\n"
                 : "static inline rel_status $set$($M$ *$o$, $C$ $value$)\n"
                   "{ return rel_alive($o$) ? rel_set_unique($o$, $k$, $i$, (const void *)&$value$) : rel_fail_arg_of(&$desc$, $o$, $k$, NULL, \"$set$\"); }\n");
    else if (f->kind == FK_STRING)
        pt(p, v, "static inline rel_status $set$($M$ *$o$, const char *$value$)\n"
                 "{ return rel_alive($o$) ? rel_set_string($o$, $k$, $i$, $value$) : rel_fail_arg_of(&$desc$, $o$, $k$, NULL, \"$set$\"); }\n");
    else
        pt(p, v, "static inline rel_status $set$($M$ *$o$, $C$ $value$)\n"
                 "{ return rel_alive($o$) ? ($o$->$f$ = $value$, REL_OK) : rel_fail_arg_of(&$desc$, $o$, $k$, NULL, \"$set$\"); }\n");
}

/* ==== relations ========================================================== */

/* The typed view of the set at member $set$ of $o$ ($Own$), of $T$s. */
void emit_list_view(const Emitter *e, PrVars *v)
{
    pt(e->p, v,
       "static inline $TL$ $get$(const $Own$ *$o$)\n"
       "{ $TL$ $l$; $l$.items = (struct $T$ *const *)REL_GET($o$, $o$->$set$.items, NULL); $l$.count = REL_GET($o$, $o$->$set$.count, 0); return $l$; }\n"
       "static inline size_t $count$(const $Own$ *$o$) { return REL_GET($o$, $o$->$set$.count, 0); }\n");
}

/* The set API's names for one side. */
void emit_vars_side(const Emitter *e, PrVars *v, const SideNames *sn, const Model *own,
                      const Model *other)
{
    pv_set(v, "get", sn->get);
    pv_set(v, "count", sn->count);
    pv_set(v, "contains", sn->contains);
    pv_set(v, "add", sn->add);
    pv_set(v, "remove", sn->remove);
    pv_set(v, "clear", sn->clear);
    pv_set(v, "create", sn->create);
    pv_set(v, "Own", MN(e, own)->type);
    pv_set(v, "T", MN(e, other)->type);
    pv_set(v, "TL", MN(e, other)->list);
    pv_set(v, "Tname", other->name);
}

/* ForeignKey and OneToOneField: the forward getter and setter. */
static void single_forward(const Emitter *e, const Field *f, PrVars *v)
{
    pv_set(v, "get", FN(e, f)->fwd.get);
    pv_set(v, "set", FN(e, f)->fwd.set);
    pv_set(v, "T", MN(e, f->target)->type);
    pt(e->p, v, "static inline $T$ *$get$(const $M$ *$o$) { return ($T$ *)rel_deref(REL_GET($o$, $o$->$fwd$, 0)); }\n");
    if (is_fk(f) && f->serves)
        pr(e->p, "/* Also moves the pair of this %s in %s.%s. */\n", f->model->name, f->serves->model->name,
           f->serves->name);
    if (in_unique(f))   /* in a unique constraint: checked and indexed (and a bound ForeignKey's pair moved) */
        pt(e->p, v, "static inline rel_status $set$($M$ *$o$, $T$ *$x$) { return rel_set_rel_unique($o$, $x$, $r$); }\n");
    else if (is_fk(f) && f->serves)
        pt(e->p, v, "static inline rel_status $set$($M$ *$o$, $T$ *$x$)\n"
                    "{ return rel_through_fk_set($o$, $x$, $r$, \"$set$\"); }\n");
    else if (is_fk(f))
        pt(e->p, v, "static inline rel_status $set$($M$ *$o$, $T$ *$x$)\n"
                    "{ return rel_fk_set($o$, $x$, $r$, offsetof(struct $mt$, $fwd$), offsetof(struct $mt$, $pos$), offsetof(struct $tt$, $rev$), $null$); }\n");
    else
        pt(e->p, v, "static inline rel_status $set$($M$ *$o$, $T$ *$x$)\n"
                    "{ return rel_o2o_set($o$, $x$, $r$, offsetof(struct $mt$, $fwd$), offsetof(struct $tt$, $rev$), $null$); }\n");
}

/* T_rv_create for the reverse of a ForeignKey or of a GenericForeignKey's
 * part f: a new $T$ pointing at $o$ through f, the rest of its required
 * relations as parameters. */
void emit_reverse_create(const Emitter *e, const Field *f, PrVars *v)
{
    Printer *p = e->p;
    const Field *decl = f->head ? f->head : f;   /* the field M_new takes */
    pt(p, v, "static inline $T$ *$create$($Own$ *$o$");
    required_params(e, f->model, decl);
    if (is_required(decl)) {
        pt(p, v, ")\n{ return ($T$ *)rel_new_from_of(&$desc$, $o$, $k$, $mk$, REL_NONE, NULL, false, \"$create$\"");
        required_args(e, f->model, decl, e->l->self);
    } else {
        pt(p, v, ")\n{ return ($T$ *)rel_new_from_of(&$desc$, $o$, $k$, $mk$, $r$, $o$, true, \"$create$\"");
        required_args(e, f->model, NULL, NULL);
    }
    pr(p, "); }\n");
}

/* The reverse side of a ForeignKey, on the target: Django's t.rv. */
static void fk_reverse(const Emitter *e, const Field *f, PrVars *v)
{
    Printer *p = e->p;
    emit_vars_side(e, v, &FN(e, f)->rev, f->target, f->model);
    pv_set(v, "set", FN(e, f)->rev_member);
    pv_set(v, "new", MN(e, f->model)->new_);
    emit_list_view(e, v);
    pt(p, v,
       "static inline bool $contains$(const $Own$ *$o$, const $T$ *$x$)\n"
       "{ return rel_alive($o$) && rel_alive($x$) && rel_deref($x$->$fwd$) == $o$; }\n"
       "/* Sets $x$'s $fwd$ to $o$. */\n"
       "static inline rel_status $add$($Own$ *$o$, $T$ *$x$)\n"
       "{\n"
       "    if (!rel_alive($o$) || !rel_alive($x$))\n"
       "        return rel_fail_link($r$, $x$, $o$, false, \"$add$\");\n");
    if (in_unique(f))
        pt(p, v, "    return rel_set_rel_unique($x$, $o$, $r$);\n}\n");
    else if (f->serves)
        pt(p, v, "    return rel_through_fk_set($x$, $o$, $r$, \"$add$\");\n}\n");
    else
        pt(p, v, "    return rel_fk_set($x$, $o$, $r$, offsetof(struct $mt$, $fwd$), offsetof(struct $mt$, $pos$), offsetof(struct $tt$, $rev$), $null$);\n"
                 "}\n");
    emit_reverse_create(e, f, v);
    if (FN(e, f)->rev.remove)
        pt(p, v,
           "static inline rel_status $remove$($Own$ *$o$, $T$ *$x$) { return rel_fk_remove($r$, $o$, $x$, \"$remove$\"); }\n"
           "static inline rel_status $clear$($Own$ *$o$)\n"
           "{ return rel_alive($o$) ? rel_fk_clear($r$, $o$) : rel_fail_arg_of(&$desc$, $o$, $k$, NULL, \"$clear$\"); }\n");
}

/* ", Role *role": the required relations of through model of f other than
 * its two bound ForeignKeys, as parameters (args: as arguments). */
static void through_extras(const Emitter *e, const Field *f, bool args)
{
    const Field *g;
    for (g = f->through->fields; g; g = g->next) {
        if (!is_ctor_arg(g) || g == f->through_src || g == f->through_dst)
            continue;
        if (args)
            pr(e->p, ", (void *)%s%s", g->is_relation ? "" : "&", FN(e, g)->through_param);
        else if (g->is_relation)
            pr(e->p, ", %s *%s", MN(e, g->target)->type, FN(e, g)->through_param);
        else
            pr(e->p, ", %s%s%s", scalar_param_type(g), g->kind == FK_STRING ? "" : " ", FN(e, g)->through_param);
    }
}

/* The set API of a many-to-many through a model, over its through
 * objects (rel_through.c), after the list, count and contains of any
 * many-to-many: add, remove, clear and create make and delete through
 * objects; $through$ finds a pair's. */
static void through_side(const Emitter *e, const Field *f, PrVars *v, bool forward)
{
    Printer *p = e->p;
    const Model *other = forward ? f->target : f->model;
    pv_set(v, "through", forward ? FN(e, f)->fwd.through : FN(e, f)->rev.through);
    pv_set(v, "Thr", MN(e, f->through)->type);
    pt(p, v,
       "/* The $Thr$ that links them (the lowest id if several); NULL if none. */\n"
       "static inline $Thr$ *$through$(const $Own$ *$o$, const $T$ *$x$)\n"
       "{ return ($Thr$ *)rel_through_find($r$, $m$, $t$); }\n"
       "/* A new $Thr$ linking them, its fields at their defaults ($through$ finds\n"
       " * it); a pair already linked changes nothing, as Django's add. */\n"
       "static inline rel_status $add$($Own$ *$o$, $T$ *$x$");
    through_extras(e, f, false);
    pt(p, v, ")\n{ return rel_through_add($r$, $m$, $t$, $fwd_side$, \"$add$\"");
    through_extras(e, f, true);
    pt(p, v, "); }\n"
       "/* Deletes every $Thr$ of the pair, with its on_delete rules; all or nothing. */\n"
       "static inline rel_status $remove$($Own$ *$o$, $T$ *$x$)\n"
       "{ return rel_through_remove($r$, $m$, $t$, $fwd_side$, \"$remove$\"); }\n"
       "/* Deletes every $Thr$ of it, with its on_delete rules; all or nothing. */\n"
       "static inline rel_status $clear$($Own$ *$o$) { return rel_through_clear(&$desc$, $r$, $o$, $fwd_side$, \"$clear$\"); }\n"
       "/* A new $T$, added as $add$ adds; all or nothing. */\n");
    pt(p, v, "static inline $T$ *$create$($Own$ *$o$");
    required_params(e, other, NULL);
    through_extras(e, f, false);
    pt(p, v, ")\n{ return ($T$ *)rel_through_create(&$desc$, $r$, $o$, $fwd_side$, \"$create$\"");
    required_args(e, other, NULL, NULL);
    through_extras(e, f, true);
    pr(p, "); }\n");
}

/* One side of a many-to-many relation: the set API on $Own$, of $T$s.
 * The runtime's helpers take the declaring object first; $m$ and $t$
 * say which parameter that is on this side. */
static void m2m_side(const Emitter *e, const Field *f, PrVars *v, bool forward)
{
    Printer *p = e->p;
    const Model *own = forward ? f->model : f->target, *other = forward ? f->target : f->model;
    emit_vars_side(e, v, forward ? &FN(e, f)->fwd : &FN(e, f)->rev, own, other);
    pv_set(v, "set", forward ? f->name : FN(e, f)->rev_member);
    pv_set(v, "m", forward ? e->l->self : e->l->other);
    pv_set(v, "t", forward ? e->l->other : e->l->self);
    pv_set(v, "fwd_side", forward ? "true" : "false");
    pv_set(v, "new_side", forward ? "false" : "true");
    /* Only a symmetrical relation can link an object to itself in one
     * set: a constant, so that the runtime's test for it folds away
     * everywhere else. */
    pv_set(v, "sym", f->symmetrical ? "true" : "false");
    pv_num(v, "ok", other->index);
    emit_list_view(e, v);
    pt(p, v,
       "static inline bool $contains$(const $Own$ *$o$, const $T$ *$x$)\n"
       "{ return rel_m2m_contains($m$, offsetof(struct $mt$, $fwd$), $t$, offsetof(struct $tt$, $rev$)); }\n");
    if (f->through_src) {
        through_side(e, f, v, forward);
        return;
    }
    pt(p, v,
       "/* Adding an existing link changes nothing. */\n"
       "static inline rel_status $add$($Own$ *$o$, $T$ *$x$)\n"
       "{ return rel_m2m_add($r$, $m$, offsetof(struct $mt$, $fwd$), $t$, offsetof(struct $tt$, $rev$), $sym$, $fwd_side$, \"$add$\"); }\n"
       "static inline rel_status $remove$($Own$ *$o$, $T$ *$x$)\n"
       "{ return rel_m2m_remove($r$, $m$, offsetof(struct $mt$, $fwd$), $t$, offsetof(struct $tt$, $rev$), $sym$, $fwd_side$, \"$remove$\"); }\n"
       "static inline rel_status $clear$($Own$ *$o$)\n"
       "{ return rel_alive($o$) ? rel_m2m_clear($r$, $o$, $fwd_side$) : rel_fail_arg_of(&$desc$, $o$, $k$, NULL, \"$clear$\"); }\n");
    pt(p, v, "static inline $T$ *$create$($Own$ *$o$");
    required_params(e, other, NULL);
    pt(p, v, ")\n{ return ($T$ *)rel_new_from_of(&$desc$, $o$, $k$, $ok$, $r$, $o$, $new_side$, \"$create$\"");
    required_args(e, other, NULL, NULL);
    pr(p, "); }\n");
}

/* "author: ForeignKey(Author, on_delete = CASCADE, related_name = "books")" */
static void relation_comment(const Emitter *e, const Field *f)
{
    Printer *p = e->p;
    pr(p, "/* %s: %s(%s", f->name, field_kind_name(f->kind), f->target_is_self ? "self" : f->target->name);
    if (is_single(f))
        pr(p, ", on_delete = %s", on_delete_name(f->on_delete));
    if (f->null && is_single(f))
        pr(p, ", null = true");
    if (f->symmetrical)
        pr(p, ", symmetrical");
    if (f->accessor && !f->symmetrical)
        pr(p, "); reverse: %s.%s */\n", f->target->name, f->accessor);
    else
        pr(p, ")%s */\n", f->null && is_single(f) ? "; NULL when unset" : "");
}

static void field_api(const Emitter *e, const Model *m, const Field *f)
{
    PrVars v;
    vars_model(e, &v, m);
    pr(e->p, "\n");
    c_doc_comment(e->p, f->doc);
    if (!f->is_relation) {
        scalar_api(e, f, &v);
        return;
    }
    vars_relation(e, &v, f);
    if (is_gfk(f)) {
        emit_gfk_api(e, f, &v);
        return;
    }
    relation_comment(e, f);
    if (is_single(f))
        single_forward(e, f, &v);
    else
        m2m_side(e, f, &v, true);
}

/* The reverse accessor that relation g (pointing at m) gives m. */
static void reverse_api(const Emitter *e, const Model *m, const Field *g)
{
    PrVars v;
    if (!FN(e, g)->rev.get)
        return;
    vars_model(e, &v, m);
    vars_relation(e, &v, g);
    pv_num(&v, "mk", g->model->index);
    pr(e->p, "\n/* %s: reverse of %s.%s */\n", g->accessor, g->model->name, g->name);
    if (is_gfk(g)) {
        emit_gfk_reverse(e, g, &v);
    } else if (is_o2o(g)) {
        pv_set(&v, "get", FN(e, g)->rev.get);
        pv_set(&v, "T", MN(e, g->model)->type);
        pt(e->p, &v, "static inline $T$ *$get$(const $M$ *$o$) { return REL_GET($o$, $o$->$rev$, NULL); }\n");
    } else if (is_fk(g)) {
        fk_reverse(e, g, &v);
    } else {
        m2m_side(e, g, &v, false);
    }
}

/* M_get_by_f1_f2 for each unique constraint of m. */
static void get_by_api(const Emitter *e, const Model *m, PrVars *v)
{
    Printer *p = e->p;
    size_t i, j, base = unique_base(e->s, m);
    for (i = 0; i < m->nuniques; i++) {
        const Unique *u = &m->uniques[i];
        pv_set(v, "get_by", e->n->get_by[m->index][i]);
        pv_num(v, "u", base + i);
        pv_num(v, "nm", u->n);
        pt(p, v, "/* The $M$ with these values of a unique constraint; NULL if none (or a\n"
                 " * NULL string or object).  O(1) on average. */\n"
                 "static inline $M$ *$get_by$(const $S$ *$db$");
        for (j = 0; j < u->n; j++) {
            const Field *f = u->fields[j];
            if (f->is_relation)
                pr(p, ", const %s *%s", MN(e, f->target)->type, FN(e, f)->param);
            else
                pr(p, ", %s%s%s", scalar_param_type(f), f->kind == FK_STRING ? "" : " ", FN(e, f)->param);
        }
        pt(p, v, ")\n{\n    const void *rel_v[$nm$];\n");
        for (j = 0; j < u->n; j++)
            pr(p, "    rel_v[%lu] = (const void *)&%s;\n", (unsigned long)j, FN(e, u->fields[j])->param);
        pt(p, v, "    return ($M$ *)rel_get_by((const rel_store *)$db$, $u$, rel_v);\n}\n");
    }
}

void emit_model_api(const Emitter *e, const Model *m)
{
    PrVars v;
    const Field *f;
    size_t i;
    vars_model(e, &v, m);
    model_basics(e, m, &v);
    get_by_api(e, m, &v);
    for (f = m->fields; f; f = f->next)
        field_api(e, m, f);
    for (i = 0; i < m->nincoming; i++)
        reverse_api(e, m, m->incoming[i]);
    pr(e->p, "\n");
}
