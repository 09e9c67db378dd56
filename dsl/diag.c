/* diag.c: collecting, ordering, capping and printing diagnostics. */
#include "diag.h"
#include "oom.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct Note {
    Note *next;
    Loc loc;
    char *msg;
};

struct Diag {
    Loc loc;
    bool is_error;
    bool from_warning;       /* a warning promoted by -Werror */
    char code[24];       /* "E304", "contenttypes.E004" */
    unsigned long seq;
    char *msg;
    Note *notes, **tail;
};

Loc loc_start(void)
{
    Loc l = { 1, 1, 1, 1 };
    return l;
}

void diags_init(Diags *d, const char *filename, const char *src, size_t len)
{
    memset(d, 0, sizeof *d);
    d->filename = filename;
    d->src = src;
    d->len = len;
    d->max_shown = 50;
}

static void diag_destroy(Diag *g)
{
    Note *n = g->notes;
    while (n) {
        Note *next = n->next;
        oom_free(n->msg);
        oom_free(n);
        n = next;
    }
    oom_free(g->msg);
    oom_free(g);
}

void diags_free(Diags *d)
{
    size_t i;
    for (i = 0; i < d->count; i++)
        diag_destroy(d->items[i]);
    oom_free(d->items);
    oom_free(d->line_starts);
    d->items = NULL;
    d->line_starts = NULL;
    d->count = 0;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *s;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    s = (char *)oom_malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* Order: line, column, then the order of reporting. */
static int diag_before(const Diag *a, const Diag *b)
{
    if (a->loc.first_line != b->loc.first_line)
        return a->loc.first_line < b->loc.first_line;
    if (a->loc.first_column != b->loc.first_column)
        return a->loc.first_column < b->loc.first_column;
    return a->seq < b->seq;
}

static void count_dropped(Diags *d, bool is_error)
{
    if (is_error)
        d->dropped_errors++;
    else
        d->dropped_warnings++;
}

static void report(Diags *d, Loc loc, bool is_error, bool from_warning,
                   const char *code, const char *fmt, va_list ap)
{
    Diag *g;
    size_t pos;

    if (is_error)
        d->errors++;
    else
        d->warnings++;
    d->last = NULL;

    /* Full, and this one sorts after every kept one: count it only. */
    if (d->count == d->max_shown) {
        Diag probe;
        probe.loc = loc;
        probe.seq = d->seq + 1;
        if (d->max_shown == 0 || diag_before(d->items[d->count - 1], &probe)) {
            d->seq++;
            count_dropped(d, is_error);
            return;
        }
    }

    g = (Diag *)oom_calloc(1, sizeof *g);
    if (!g || !(g->msg = vformat(fmt, ap))) {
        oom_free(g);
        d->oom = true;
        return;
    }
    g->loc = loc;
    g->is_error = is_error;
    g->from_warning = from_warning;
    snprintf(g->code, sizeof g->code, "%s", code);
    g->seq = ++d->seq;
    g->tail = &g->notes;

    if (!d->items) {
        d->items = (Diag **)oom_calloc(d->max_shown ? d->max_shown : 1, sizeof *d->items);
        if (!d->items) {
            diag_destroy(g);
            d->oom = true;
            return;
        }
    }
    if (d->count == d->max_shown) {          /* evict the last kept one */
        Diag *victim = d->items[--d->count];
        count_dropped(d, victim->is_error);
        diag_destroy(victim);
    }
    pos = d->count;
    while (pos > 0 && diag_before(g, d->items[pos - 1])) {
        d->items[pos] = d->items[pos - 1];
        pos--;
    }
    d->items[pos] = g;
    d->count++;
    d->last = g;
}

void diag_error(Diags *d, Loc loc, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, loc, true, false, code, fmt, ap);
    va_end(ap);
}

void diag_warning(Diags *d, Loc loc, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, loc, d->werror, d->werror, code, fmt, ap);
    va_end(ap);
}

void diag_note(Diags *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    Note *n;

    if (!d->last)
        return;
    n = (Note *)oom_calloc(1, sizeof *n);
    if (!n) {
        d->oom = true;
        return;
    }
    va_start(ap, fmt);
    n->msg = vformat(fmt, ap);
    va_end(ap);
    if (!n->msg) {
        oom_free(n);
        d->oom = true;
        return;
    }
    n->loc = loc;
    *d->last->tail = n;
    d->last->tail = &n->next;
}

bool diag_has_errors(const Diags *d) { return d->errors > 0; }

/* ---- printing ----------------------------------------------------------- */

static void build_lines(Diags *d)
{
    size_t i, n = 1;
    if (d->line_starts || !d->src)
        return;
    for (i = 0; i < d->len; i++)
        if (d->src[i] == '\n')
            n++;
    d->line_starts = (size_t *)oom_malloc(n * sizeof *d->line_starts);
    if (!d->line_starts)
        return;                 /* quoting is a nicety; messages still print */
    d->line_starts[0] = 0;
    n = 1;
    for (i = 0; i < d->len; i++)
        if (d->src[i] == '\n')
            d->line_starts[n++] = i + 1;
    d->nlines = n;
}

/* Quote line `line` and underline columns [from, to] of it. */
/* Quoted lines are cut to a window of this many columns around the
 * caret, with "..." where they were cut, so that a megabyte-long line costs
 * a line of output, not a megabyte. */
enum { QUOTE_WIDTH = 120, QUOTE_LEAD = 40 };

/* Skips n columns (code points) of [s, end). */
static const char *skip_columns(const char *s, const char *end, int n)
{
    while (s < end && n > 0) {
        size_t k = utf8_char_len((const unsigned char *)s, (size_t)(end - s));
        s += k ? k : 1;
        n--;
    }
    return s;
}

static void quote(Diags *d, FILE *out, Loc loc)
{
    const char *line, *window, *s, *end;
    int col, shown, first, from = loc.first_column;
    int to = loc.last_line == loc.first_line ? loc.last_column : from;

    build_lines(d);
    if (!d->line_starts || loc.first_line < 1 || (size_t)loc.first_line > d->nlines)
        return;
    line = d->src + d->line_starts[loc.first_line - 1];
    end = line;
    while (end < d->src + d->len && *end != '\n')
        end++;
    if (end > line && end[-1] == '\r')
        end--;
    if (line == end && d->len == 0)
        return;                 /* nothing to quote in an empty file */
    if (to < from)
        to = from;

    /* The window: the whole line when it fits, else QUOTE_WIDTH columns
     * from column `first`. */
    first = 1;
    if (skip_columns(line, end, QUOTE_WIDTH) < end && from > QUOTE_LEAD)
        first = from - QUOTE_LEAD;
    window = skip_columns(line, end, first - 1);
    s = window;

    /* The line as it is, except what would garble a terminal: NUL and other
     * control bytes become spaces, bytes that are not UTF-8 become '?'. */
    fputs(first > 1 ? "    ..." : "    ", out);
    for (shown = 0; s < end && shown < QUOTE_WIDTH; shown++) {
        size_t k = utf8_char_len((const unsigned char *)s, (size_t)(end - s));
        if (k == 0) {
            fputc('?', out);
            s++;
        } else if (k == 1 && (unsigned char)*s < 0x20 && *s != '\t') {
            fputc(' ', out);
            s++;
        } else {
            fwrite(s, 1, k, out);
            s += k;
        }
    }
    fputs(s < end ? "...\n" : "\n", out);

    fputs(first > 1 ? "       " : "    ", out);
    s = window;
    for (col = first; col < from && s < end; s++) {
        if (((unsigned char)*s & 0xC0) == 0x80)
            continue;           /* UTF-8 continuation: same column */
        fputc(*s == '\t' ? '\t' : ' ', out);
        col++;
    }
    for (; col < from; col++)
        fputc(' ', out);
    fputc('^', out);
    for (col = from + 1; col <= to && col < first + QUOTE_WIDTH; col++)
        fputc('~', out);
    fputc('\n', out);
}

static int same_loc(Loc a, Loc b)
{
    return a.first_line == b.first_line && a.first_column == b.first_column;
}

void diag_print(Diags *d, FILE *out)
{
    size_t i;
    for (i = 0; i < d->count; i++) {
        Diag *g = d->items[i];
        Note *n;
        fprintf(out, "%s:%d:%d: %s: %s [%s%s]\n", d->filename,
                g->loc.first_line, g->loc.first_column,
                g->is_error ? "error" : "warning", g->msg, g->code,
                g->from_warning ? ", -Werror" : "");
        quote(d, out, g->loc);
        for (n = g->notes; n; n = n->next) {
            fprintf(out, "%s:%d:%d: note: %s\n", d->filename,
                    n->loc.first_line, n->loc.first_column, n->msg);
            if (!same_loc(n->loc, g->loc))
                quote(d, out, n->loc);
        }
    }
    if (d->dropped_errors || d->dropped_warnings)
        fprintf(out, "%s: note: %zu more error%s and %zu more warning%s not shown\n",
                d->filename, d->dropped_errors, d->dropped_errors == 1 ? "" : "s",
                d->dropped_warnings, d->dropped_warnings == 1 ? "" : "s");
    if (d->oom)
        fprintf(out, "%s: note: some diagnostics were lost: out of memory\n", d->filename);
}
