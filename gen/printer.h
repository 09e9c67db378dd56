/* printer.h: a growable output buffer with indentation, the one way the
 * emitter writes.  Generated files are built in memory, so snapshot tests
 * need no files and the driver can write them atomically. */
#ifndef RELC_PRINTER_H
#define RELC_PRINTER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Printer {
    char *data;
    size_t len, cap;
    int indent;          /* levels of four spaces at the start of each line */
    bool at_line_start;
    bool oom;            /* an append failed; the content is incomplete */
} Printer;

void pr_init(Printer *p);
void pr_free(Printer *p);
/* printf-style; indentation is added at the start of every line. */
void pr(Printer *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void pr_raw(Printer *p, const char *s, size_t n);

/* Named substitutions, as protobuf-c's printer does them: in a template,
 * $name$ stands for the value set for name and $$ for a dollar sign, so a
 * generated function reads as one template instead of a format string
 * with a dozen positional %s.  Values are not copied: they must outlive
 * the printing. */
enum { PR_MAX_VARS = 64 };
typedef struct PrVars {
    const char *key[PR_MAX_VARS];
    size_t keylen[PR_MAX_VARS];    /* compared first: most keys differ in length */
    const char *val[PR_MAX_VARS];
    char num[PR_MAX_VARS][24];     /* storage for pv_num's values */
    int n;
} PrVars;

void pv_init(PrVars *v);
/* Sets (or replaces) a variable. */
void pv_set(PrVars *v, const char *key, const char *val);
/* Sets a variable to a number, kept in v. */
void pv_num(PrVars *v, const char *key, unsigned long long n);
/* Prints a template; an unknown $name$ is a bug in the emitter and makes
 * the output fail like running out of memory would. */
void pt(Printer *p, const PrVars *v, const char *tmpl);

#endif
