/* syntax.h: what the scanner (scan.l) and the parser (parse.y) share.
 *
 * One ParseCtx is the scanner's "extra" and the parser's parameter: the
 * position the scanner has reached, the string and doc-comment buffers, and
 * the arena, interner, diagnostics and AST builder that the grammar's
 * actions use.  syntax_parse is the whole front half: text in, AST out.
 */
#ifndef RELC_SYNTAX_H
#define RELC_SYNTAX_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

#include <setjmp.h>
#include <stddef.h>

/* The longest name (model, field, schema) relc accepts, in bytes: names
 * become parts of C identifiers, and an identifier of a megabyte helps no
 * one. */
#define RELC_MAX_NAME 255

/* The deepest nesting of brackets, ( and [, relc reads: a list of lists is
 * the deepest any option needs, and a bound keeps the parser's stack (and
 * its "memory exhausted") out of reach of a hostile file. */
#define RELC_MAX_NESTING 64

/* The semantic value of an identifier or keyword token.  A doc comment
 * (///) right before it rides along, so the grammar can attach it to the
 * model or field that the token starts. */
typedef struct Tok {
    const char *text;     /* interned */
    size_t len;
    const char *doc;      /* NULL if none */
} Tok;

typedef struct ParseCtx {
    Arena *arena;
    Interner *interner;
    Diags *diags;
    AstBuilder builder;

    int line, col;            /* where the scanner is */
    char *buf;                /* string literal being decoded (oom_malloc) */
    size_t buflen, bufcap;
    Loc str_loc;              /* the literal's opening quote */
    char *doc;                /* pending /// lines (oom_malloc) */
    size_t doclen, doccap;
    Loc comment_loc;          /* the open block comment */
    char last_text[48];       /* the last token, for "unexpected 'x'" */
    size_t syntax_errors;
    int depth;                /* brackets open */
    bool too_deep;            /* over RELC_MAX_NESTING: reading stopped */
    bool oom;
    jmp_buf fatal;            /* where a flex fatal error (no memory) lands */
    void *flex_blocks[16];    /* flex's live allocations, freed after one */
    size_t nflex;
} ParseCtx;

/* Flex's fatal error: frees the scanner's memory and returns from
 * syntax_parse with NULL (out of memory).  Does not return. */
void syntax_fatal(ParseCtx *pc);

/* Parses src[0..len) into a Schema allocated in `arena`.  Diagnostics go to
 * `diags`.  Returns NULL only when memory ran out. */
Schema *syntax_parse(const char *src, size_t len, Arena *arena,
                     Interner *interner, Diags *diags, size_t *syntax_errors);

#endif
