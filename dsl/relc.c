/* relc.c: one compilation: parse, then resolve and check. */
#include "relc.h"
#include "checker.h"
#include "oom.h"
#include "syntax.h"
#include "unit.h"

#include <string.h>

void relc_unit_free(RelcUnit *u)
{
    if (!u)
        return;
    diags_free(&u->diags);
    intern_free(&u->interner);
    arena_free(&u->arena);
    oom_free(u);
}

int relc_compile(const char *filename, const char *src, size_t len,
                 const RelcOptions *opt, FILE *diag_out, RelcUnit **out)
{
    RelcUnit *u;
    CheckInput in;
    size_t syntax_errors = 0;
    bool ok;

    if (out)
        *out = NULL;
    u = (RelcUnit *)oom_calloc(1, sizeof *u);
    if (!u)
        return RELC_FAILED;
    arena_init(&u->arena);
    intern_init(&u->interner, &u->arena);
    diags_init(&u->diags, filename, src, len);
    u->diags.werror = opt && opt->werror;
    if (opt && opt->max_errors)
        u->diags.max_shown = opt->max_errors;
    u->prefix = opt && opt->prefix ? opt->prefix : "";

    u->schema = syntax_parse(src, len, &u->arena, &u->interner, &u->diags, &syntax_errors);
    ok = u->schema != NULL;
    if (ok) {
        memset(&in, 0, sizeof in);
        in.default_name = opt && opt->schema_name ? opt->schema_name : "schema";
        in.prefix = u->prefix;
        in.had_syntax_errors = syntax_errors > 0 || u->diags.errors > 0;
        ok = check_schema(u->schema, &in, &u->arena, &u->interner, &u->diags, &u->names);
    }
    if (diag_out)
        diag_print(&u->diags, diag_out);
    if (!ok || u->diags.oom) {
        relc_unit_free(u);
        return RELC_FAILED;
    }
    {
        int rc = diag_has_errors(&u->diags) ? RELC_ERRORS : RELC_OK;
        if (out)
            *out = u;
        else
            relc_unit_free(u);
        return rc;
    }
}

const char *relc_unit_output_stem(const RelcUnit *u) { return u->names.schema.base; }
