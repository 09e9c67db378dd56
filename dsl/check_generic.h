/* check_generic.h: GenericForeignKey and GenericRelation (SPEC section 9),
 * resolved and checked for check.c.
 *
 * A GenericForeignKey lists the models it may point at; check_generic
 * gives it one part per listed model (ast.h: Field.parts), which is what
 * the target's incoming list, the generated names and the descriptor see,
 * so that every listed target knows its referrers and nothing dangles.  A
 * GenericRelation only names one part's reverse accessor: generic_detach
 * takes it out of its model's fields (it is no member, no fixture field),
 * and check_generic pairs it with its part. */
#ifndef RELC_CHECK_GENERIC_H
#define RELC_CHECK_GENERIC_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "ptrmap.h"

#include <stdbool.h>

typedef struct GenericCtx {
    Arena *arena;
    Interner *in;
    Diags *d;
    Schema *s;
    const PtrMap *models;       /* name -> Model */
    const char *w_self;
    bool quiet;                 /* syntax errors: no unknown-model errors */
} GenericCtx;

/* Moves m's GenericRelation fields from m->fields to m->grels. */
void generic_detach(Model *m);
/* Targets, parts, the GenericRelations' accessors and every check of
 * section 9.  False only when memory ran out. */
bool check_generic(const GenericCtx *g);

#endif
