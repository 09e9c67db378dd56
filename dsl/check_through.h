/* check_through.h: ManyToManyField(..., through = M, through_fields = (a, b)),
 * resolved and checked as Django 3.2's _check_relationship_model does
 * (fields.E331, E333 to E339). */
#ifndef RELC_CHECK_THROUGH_H
#define RELC_CHECK_THROUGH_H

#include "ast.h"
#include "diag.h"
#include "ptrmap.h"

/* For every ManyToManyField with a through model: finds the model (models
 * maps interned names to models), binds its two ForeignKeys (Field.through,
 * through_src, through_dst, and serves on each ForeignKey) or reports why
 * it cannot.  Runs after the targets are resolved.  Returns false only
 * when memory ran out. */
bool check_through(Schema *s, const PtrMap *models, Interner *in, Diags *d);

#endif
