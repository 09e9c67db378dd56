/* syntax.c: runs the scanner and the parser over one schema text. */
#include "syntax.h"
#include "oom.h"
#include "parse.h"
#include "scan.h"

#include <string.h>

int relc_yyparse(yyscan_t scanner, ParseCtx *pc);

void syntax_fatal(ParseCtx *pc)
{
    longjmp(pc->fatal, 1);
}

/* What a parse owns besides the arena: flex's blocks and two buffers. */
static void release(ParseCtx *pc)
{
    while (pc->nflex)
        oom_free(pc->flex_blocks[--pc->nflex]);
    oom_free(pc->buf);
    oom_free(pc->doc);
    oom_free(pc);
}

Schema *syntax_parse(const char *src, size_t len, Arena *arena,
                     Interner *interner, Diags *diags, size_t *syntax_errors)
{
    /* On the heap, so that its contents are well defined after longjmp. */
    ParseCtx *const pc = (ParseCtx *)oom_calloc(1, sizeof *pc);
    yyscan_t scanner;
    Schema *schema = NULL;
    int rc;

    *syntax_errors = 0;
    if (!pc)
        return NULL;
    pc->arena = arena;
    pc->interner = interner;
    pc->diags = diags;
    pc->line = 1;
    pc->col = 1;
    ast_builder_init(&pc->builder, arena);
    if (pc->builder.oom || setjmp(pc->fatal) != 0) {
        *syntax_errors = pc->syntax_errors;
        release(pc);            /* flex ran out of memory */
        return NULL;
    }
    if (relc_yylex_init_extra(pc, &scanner) != 0) {
        release(pc);
        return NULL;
    }
    /* yy_scan_bytes copies the text, with the two NULs flex needs. */
    if (!relc_yy_scan_bytes(src, (int)len, scanner)) {
        relc_yylex_destroy(scanner);
        release(pc);
        return NULL;
    }
    rc = relc_yyparse(scanner, pc);
    relc_yylex_destroy(scanner);   /* frees the buffer too */

    /* rc 2 is bison's "memory exhausted"; the scanner and the builders
     * report their own allocation failures through pc. */
    if (rc != 2 && !pc->oom && !pc->builder.oom)
        schema = pc->builder.schema;
    *syntax_errors = pc->syntax_errors;
    release(pc);
    return schema;
}
