/* emit_generic.c: the functions of a GenericForeignKey (SPEC section 9)
 * and of the reverse set a GenericRelation names.
 *
 * A GenericForeignKey f of M is, per listed model T, one relation of the
 * descriptor (a part): all share the reference member f, the position member
 * rel_pos_f and the discriminator rel_ct_f (0: unset, else T's model
 * number + 1).  The typed pair per T is inline with constant offsets, as
 * a ForeignKey's is; the untyped pair asks the runtime, which learns an
 * object's model from its region.
 */
#include "emit_c.h"

/* "content_object: GenericForeignKey(Bookmark, Note, on_delete = CASCADE)" */
static void gfk_comment(const Emitter *e, const Field *f)
{
    size_t j;
    pr(e->p, "/* %s: GenericForeignKey(", f->name);
    for (j = 0; j < f->nparts; j++)
        pr(e->p, "%s%s", j ? ", " : "", f->parts[j]->target->name);
    pr(e->p, ", on_delete = %s%s); fixtures: %s, %s */\n", on_delete_name(f->on_delete),
       f->null ? ", null = true" : "", f->ct_field, f->fk_field);
}

void emit_gfk_api(const Emitter *e, const Field *f, PrVars *v)
{
    Printer *p = e->p;
    const FieldNames *fn = FN(e, f);
    size_t j;

    gfk_comment(e, f);
    pv_set(v, "get", fn->fwd.get);
    pv_set(v, "set", fn->fwd.set);
    pv_set(v, "model_of", fn->model_of);
    pv_set(v, "ct", fn->ct_member);
    pv_set(v, "nullable", f->null ? "; NULL clears it" : "; never NULL");
    pt(p, v,
       "/* The model number it points at ($S$'s enum of models), or -1 when unset. */\n"
       "static inline int $model_of$(const $M$ *$o$) { return (int)REL_GET($o$, $o$->$ct$, 0u) - 1; }\n"
       "/* The object it points at, of whichever model; NULL when unset. */\n"
       "static inline void *$get$(const $M$ *$o$) { return rel_deref(REL_GET($o$, $o$->$fwd$, 0)); }\n"
       "/* Points it at $x$, an object of one of the models it lists (else REL_EINVAL)$nullable$. */\n"
       "static inline rel_status $set$($M$ *$o$, void *$x$) { return rel_gfk_set_any($o$, $k$, $x$, $r$, \"$set$\"); }\n");
    for (j = 0; j < f->nparts; j++) {
        const Field *part = f->parts[j];
        const FieldNames *pn = FN(e, part);
        PrVars w = *v;
        pv_num(&w, "r", pn->relation);
        pv_num(&w, "tk", part->target->index);
        pv_set(&w, "tt", MN(e, part->target)->type);
        pv_set(&w, "T", MN(e, part->target)->type);
        pv_set(&w, "rev", pn->rev_member);
        pv_set(&w, "get", pn->fwd.get);
        pv_set(&w, "set", pn->fwd.set);
        pt(p, &w,
           "static inline $T$ *$get$(const $M$ *$o$)\n"
           "{ return REL_GET($o$, $o$->$ct$, 0u) == $tk$u + 1 ? ($T$ *)rel_deref($o$->$fwd$) : NULL; }\n"
           "static inline rel_status $set$($M$ *$o$, $T$ *$x$)\n"
           "{ return rel_gfk_set($o$, $x$, $r$, offsetof(struct $mt$, $fwd$), offsetof(struct $mt$, $pos$), "
           "offsetof(struct $mt$, $ct$), offsetof(struct $tt$, $rev$), $tk$, $null$); }\n");
    }
}

/* The reverse of part g on its target $M$: Django's GenericRelation
 * manager.  Its remove and clear delete the objects, as Django's do. */
void emit_gfk_reverse(const Emitter *e, const Field *g, PrVars *v)
{
    Printer *p = e->p;
    emit_vars_side(e, v, &FN(e, g)->rev, g->target, g->model);
    pv_set(v, "set", FN(e, g)->rev_member);
    pv_set(v, "new", MN(e, g->model)->new_);
    pv_set(v, "ct", FN(e, g)->ct_member);
    pv_set(v, "fwd", g->head->name);
    pv_num(v, "tk", g->target->index);
    emit_list_view(e, v);
    pt(p, v,
       "static inline bool $contains$(const $Own$ *$o$, const $T$ *$x$)\n"
       "{ return rel_alive($o$) && rel_alive($x$) && $x$->$ct$ == $tk$u + 1 && rel_deref($x$->$fwd$) == $o$; }\n"
       "/* Points $x$'s $fwd$ at $o$. */\n"
       "static inline rel_status $add$($Own$ *$o$, $T$ *$x$)\n"
       "{\n"
       "    if (!rel_alive($o$) || !rel_alive($x$))\n"
       "        return rel_fail_link($r$, $x$, $o$, false, \"$add$\");\n"
       "    return rel_gfk_set($x$, $o$, $r$, offsetof(struct $mt$, $fwd$), offsetof(struct $mt$, $pos$), "
       "offsetof(struct $mt$, $ct$), offsetof(struct $tt$, $rev$), $tk$, $null$);\n"
       "}\n");
    emit_reverse_create(e, g, v);
    pt(p, v,
       "/* Deletes $x$ (on_delete applies to what points at it), as Django's remove\n"
       " * does; one that is not in the set changes nothing. */\n"
       "static inline rel_status $remove$($Own$ *$o$, $T$ *$x$) { return rel_gfk_remove($r$, $o$, $x$, \"$remove$\"); }\n"
       "/* Deletes every one, as Django's clear does; all or nothing. */\n"
       "static inline rel_status $clear$($Own$ *$o$)\n"
       "{ return rel_alive($o$) ? rel_gfk_clear($r$, $o$, \"$clear$\") : rel_fail_arg_of(&$desc$, $o$, $tk$, NULL, \"$clear$\"); }\n");
}
