/* checker.h: name resolution and every semantic check (SPEC sections 2, 3).
 *
 * check_schema resolves a parsed Schema in place (each Field's kind,
 * options, target and reverse accessor; each Model's incoming relations),
 * reports everything Django would reject plus relc's own C-level checks,
 * and computes the generated names (names.h).  The emitter runs only when
 * this reported no error. */
#ifndef RELC_CHECK_H
#define RELC_CHECK_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "names.h"

#include <stdbool.h>

typedef struct CheckInput {
    const char *default_name;   /* schema name when there is no `schema` line */
    const char *prefix;         /* --prefix, "" for none */
    bool had_syntax_errors;     /* quiets checks that would only cascade */
} CheckInput;

/* Returns false only when memory ran out. */
bool check_schema(Schema *s, const CheckInput *in, Arena *arena, Interner *interner,
                  Diags *diags, NameTables *names);

/* check_unique.c: `unique` on fields, the model option unique_together
 * and to_field on relations, after relation targets are resolved: fills
 * Model.uniques, Field.ctor_arg and Field.to_field.  False only when
 * memory ran out. */
bool check_unique(Schema *s, Arena *arena, Interner *in, Diags *d, const char *w_unique_together);

#endif
