/* rel_json.h: the JSON that fixtures need, read and written without a
 * document tree.  Internal to the runtime (rel_fixture.c and its tests).
 *
 * The reader is a cursor over text that the caller owns: it never reads
 * past the end, never allocates except to decode a string with escapes
 * (into a buffer the caller passes and keeps), and never recurses, so no
 * input can exhaust the stack.  It reads what Python's json.loads reads,
 * which is what Django's loaddata reads: RFC 8259 JSON plus the literals
 * NaN, Infinity and -Infinity; raw control characters in strings, a BOM,
 * leading zeros, trailing commas and comments are errors, as there.
 * Strings must be valid UTF-8, and \u escapes must not be lone surrogates.
 *
 * Every function returns REL_JSON_OK, REL_JSON_ERROR (j->err says what,
 * j->err_at where) or REL_JSON_NOMEM.
 */
#ifndef REL_JSON_H
#define REL_JSON_H

#include "rel.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { REL_JSON_OK = 0, REL_JSON_ERROR = -1, REL_JSON_NOMEM = -2 };

typedef struct rel_json {
    const char *start;      /* the text */
    const char *p;          /* the next byte to read */
    const char *end;
    const char *err;        /* the first error: a constant message */
    const char *err_at;     /* and where it is */
} rel_json;

/* A growable byte buffer (rel_malloc), for decoded strings. */
typedef struct rel_json_buf {
    char *data;
    size_t len, cap;
} rel_json_buf;

/* A string value, decoded: in the text itself when it had no escape,
 * else in the buffer passed to rel_json_string.  Not NUL-terminated. */
typedef struct rel_json_str {
    const char *s;
    size_t len;             /* bytes */
    size_t chars;           /* code points (what max_length counts) */
    bool nul;               /* it contains U+0000 (written \u0000) */
} rel_json_str;

/* A number token, classified. */
typedef struct rel_json_num {
    const char *s;          /* the token */
    size_t len;
    bool integer;           /* no fraction and no exponent */
    bool negative;
    bool overflow;          /* an integer whose magnitude passes UINT64_MAX */
    uint64_t mag;           /* an integer's magnitude, unless overflow */
    int special;            /* REL_JSON_NAN, REL_JSON_INF, REL_JSON_NEG_INF or 0 */
} rel_json_num;

enum { REL_JSON_NAN = 1, REL_JSON_INF, REL_JSON_NEG_INF };
/* What rel_json_literal read. */
enum { REL_JSON_FALSE = 1, REL_JSON_TRUE, REL_JSON_NULL };

void rel_json_init(rel_json *j, const char *text, size_t len);
void rel_json_buf_free(rel_json_buf *b);

/* Records an error (the first one wins) and returns REL_JSON_ERROR. */
int rel_json_fail(rel_json *j, const char *at, const char *what);

/* Skips whitespace (space, tab, line feed, carriage return); returns the
 * next byte, or -1 at the end of the text. */
static inline int rel_json_peek(rel_json *j)
{
    const char *p = j->p, *end = j->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    j->p = p;
    return p < end ? (unsigned char)*p : -1;
}

/* Skips whitespace and the byte c, or fails saying `what` was expected. */
static inline int rel_json_expect(rel_json *j, char c, const char *what)
{
    if (rel_json_peek(j) != (unsigned char)c)
        return rel_json_fail(j, j->p, what);
    j->p++;
    return REL_JSON_OK;
}

/* After an element of a list or an object: skips a ',' (returns 1:
 * another element follows) or the closing byte `close` (returns 0: the
 * end), or returns -1 when neither comes next. */
static inline int rel_json_next(rel_json *j, char close)
{
    int c = rel_json_peek(j);
    if (c != ',' && c != (unsigned char)close)
        return -1;
    j->p++;
    return c == ',';
}

/* A string at j->p (after whitespace). */
int rel_json_string(rel_json *j, rel_json_buf *buf, rel_json_str *out);
/* A number at j->p, or NaN, Infinity, -Infinity. */
int rel_json_number(rel_json *j, rel_json_num *out);
/* true, false or null at j->p: *which is REL_JSON_TRUE ... */
int rel_json_literal(rel_json *j, int *which);
/* Any value at j->p, checked and skipped; arrays and objects may nest
 * max_depth deep (at most 64), deeper is an error. */
int rel_json_skip(rel_json *j, int max_depth, rel_json_buf *scratch);

/* A number's value as a double: REL_JSON_ERROR (with no message) when it
 * is beyond the range of double.  Independent of the C locale. */
int rel_json_num_double(const rel_json_num *n, double *out);

/* Line and column (both from 1; the column counts characters, as
 * Python's json does) of position `at` in text starting at `start`. */
void rel_json_linecol(const char *start, const char *at, unsigned long *line, unsigned long *col);

/* ---- writing -------------------------------------------------------------- */

/* d as Python's repr writes a float (what Django's dumpdata writes): the
 * shortest digits that read back as d (as a float when `single`), fixed
 * notation for exponents -4 to 15 ("0.1", "100.0"), else "1e+16";
 * NaN, Infinity, -Infinity.  buf has room for 32 bytes; returns the
 * length. */
size_t rel_json_format_double(char *buf, double d, bool single);

/* The length of the valid UTF-8 sequence at p (1 to 4; p < end), or 0
 * when the bytes there are not one (overlong, a surrogate, past
 * U+10FFFF, cut short). */
size_t rel_json_utf8_seq(const unsigned char *p, const unsigned char *end);

#ifdef __cplusplus
}
#endif

#endif
