/* syntax.c: runs the scanner and the parser over one schema text. */
#include "syntax.h"
#include "oom.h"
#include "parse.h"
#include "scan.h"

#include <string.h>

int relc_yyparse(yyscan_t scanner, ParseCtx *pc);

Schema *syntax_parse(const char *src, size_t len, Arena *arena,
                     Interner *interner, Diags *diags, size_t *syntax_errors)
{
    ParseCtx pc;
    yyscan_t scanner;
    YY_BUFFER_STATE buf;
    Schema *schema = NULL;
    int rc;

    memset(&pc, 0, sizeof pc);
    pc.arena = arena;
    pc.interner = interner;
    pc.diags = diags;
    pc.line = 1;
    pc.col = 1;
    ast_builder_init(&pc.builder, arena);
    *syntax_errors = 0;
    if (pc.builder.oom)
        return NULL;

    if (relc_yylex_init_extra(&pc, &scanner) != 0)
        return NULL;
    buf = relc_yy_scan_bytes(src, (int)len, scanner);
    if (!buf) {
        relc_yylex_destroy(scanner);
        return NULL;
    }
    rc = relc_yyparse(scanner, &pc);
    relc_yy_delete_buffer(buf, scanner);
    relc_yylex_destroy(scanner);
    oom_free(pc.buf);
    oom_free(pc.doc);

    /* rc 2 is bison's "memory exhausted"; the scanner and the builders
     * report their own allocation failures through pc. */
    if (rc != 2 && !pc.oom && !pc.builder.oom)
        schema = pc.builder.schema;
    *syntax_errors = pc.syntax_errors;
    return schema;
}
