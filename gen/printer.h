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

#endif
