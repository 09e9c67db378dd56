/* unit.h: one compilation, as the driver and the emitter see it. */
#ifndef RELC_UNIT_H
#define RELC_UNIT_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "names.h"
#include "relc.h"

struct RelcUnit {
    Arena arena;          /* the AST, interned names, generated names */
    Interner interner;
    Diags diags;
    Schema *schema;
    NameTables names;
    const char *prefix;
};

#endif
