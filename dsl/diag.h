/* diag.h: compiler diagnostics.
 *
 * Every message relc prints about a schema goes through here, in the form C
 * compilers use so editors and build logs can jump to it:
 *
 *     file:line:col: error: message [CODE]
 *         source line
 *         ^~~~
 *     file:line:col: note: the other end, or what to do
 *
 * Diagnostics are kept sorted by position (then by the order they were
 * reported) and only the first `max_shown` are kept at all, so a file of a
 * hundred thousand errors costs a bounded amount of memory; the rest are
 * counted and summarised in one line.
 */
#ifndef RELC_DIAG_H
#define RELC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A source range, 1-based; columns count UTF-8 code points.  The field names
 * are bison's, so this type is the parser's YYLTYPE too. */
typedef struct Loc {
    int first_line, first_column;
    int last_line, last_column;   /* inclusive */
} Loc;

typedef struct Note Note;
typedef struct Diag Diag;

typedef struct Diags {
    const char *filename;      /* as given on the command line */
    const char *src;           /* the schema text, for quoting lines */
    size_t len;
    bool werror;               /* warnings count (and print) as errors */
    size_t max_shown;          /* keep at most this many (default 50) */

    Diag **items;              /* kept diagnostics, sorted */
    size_t count;
    Diag *last;                /* the one notes attach to; NULL if dropped */
    unsigned long seq;         /* report order, the tie-breaker */
    size_t errors, warnings;   /* totals, shown or not */
    size_t dropped_errors, dropped_warnings;
    bool oom;                  /* a message was lost for lack of memory */
    size_t *line_starts;       /* built when printing */
    size_t nlines;
} Diags;

void diags_init(Diags *d, const char *filename, const char *src, size_t len);
void diags_free(Diags *d);

/* code is "E304", "W340" ...; the message is printf-formatted. */
void diag_error(Diags *d, Loc loc, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void diag_warning(Diags *d, Loc loc, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Attach a note to the diagnostic reported last (dropped with it). */
void diag_note(Diags *d, Loc loc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

bool diag_has_errors(const Diags *d);
void diag_print(Diags *d, FILE *out);

/* A location at the start of the file, for diagnostics about the whole. */
Loc loc_start(void);

#endif
