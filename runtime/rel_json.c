/* rel_json.c: the JSON reader and number formatting of rel_json.h. */
#include "rel_json.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rel_json_init(rel_json *j, const char *text, size_t len)
{
    j->start = j->p = text;
    j->end = text + len;
    j->err = NULL;
    j->err_at = NULL;
}

void rel_json_buf_free(rel_json_buf *b)
{
    rel_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int rel_json_fail(rel_json *j, const char *at, const char *what)
{
    if (!j->err) {
        j->err = what;
        j->err_at = at;
    }
    return REL_JSON_ERROR;
}

/* Room for `more` bytes after buf->len. */
static int buf_room(rel_json_buf *b, size_t more)
{
    size_t cap;
    char *data;
    if (more <= b->cap - b->len)
        return REL_JSON_OK;
    if (more > SIZE_MAX / 2 - b->len)
        return REL_JSON_NOMEM;
    cap = b->cap ? b->cap : 64;
    while (cap - b->len < more)
        cap *= 2;
    if (!(data = (char *)rel_realloc(b->data, cap)))
        return REL_JSON_NOMEM;
    b->data = data;
    b->cap = cap;
    return REL_JSON_OK;
}

size_t rel_json_utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n = (size_t)(end - p);
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* ---- strings ---------------------------------------------------------------- */

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
    unsigned v = 0;
    int i;
    if (end - p < 4)
        return 0;
    for (i = 0; i < 4; i++) {
        unsigned c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return 0;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int rel_json_string(rel_json *j, rel_json_buf *buf, rel_json_str *out)
{
    const unsigned char *p = (const unsigned char *)j->p, *end = (const unsigned char *)j->end;
    const unsigned char *open, *run;
    size_t cont = 0;

    if (p >= end || *p != '"')
        return rel_json_fail(j, j->p, "expected a string");
    open = p++;
    /* The common case: no escape, so the value is the text itself. */
    for (;;) {
        unsigned c;
        if (p >= end)
            return rel_json_fail(j, (const char *)open, "unterminated string");
        c = *p;
        if (c == '"') {
            out->s = (const char *)open + 1;
            out->len = (size_t)(p - open - 1);
            out->chars = out->len - cont;
            out->nul = false;
            j->p = (const char *)p + 1;
            return REL_JSON_OK;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return rel_json_fail(j, (const char *)p, "control character in a string (JSON writes it as an escape)");
        if (c < 0x80) {
            p++;
        } else {
            size_t n = rel_json_utf8_seq(p, end);
            if (!n)
                return rel_json_fail(j, (const char *)p, "invalid UTF-8");
            cont += n - 1;
            p += n;
        }
    }

    /* Escapes: decode into buf.  The text so far goes first. */
    buf->len = 0;
    out->nul = false;
    run = open + 1;
    for (;;) {
        unsigned c;
        if (p >= end)
            return rel_json_fail(j, (const char *)open, "unterminated string");
        c = *p;
        if (c == '"' || c == '\\') {
            size_t n = (size_t)(p - run);
            if (buf_room(buf, n + 4))
                return REL_JSON_NOMEM;
            memcpy(buf->data + buf->len, run, n);
            buf->len += n;
            if (c == '"')
                break;
            /* An escape. */
            if (p + 1 >= end)
                return rel_json_fail(j, (const char *)open, "unterminated string");
            switch (p[1]) {
            case '"':  buf->data[buf->len++] = '"'; p += 2; break;
            case '\\': buf->data[buf->len++] = '\\'; p += 2; break;
            case '/':  buf->data[buf->len++] = '/'; p += 2; break;
            case 'b':  buf->data[buf->len++] = '\b'; p += 2; break;
            case 'f':  buf->data[buf->len++] = '\f'; p += 2; break;
            case 'n':  buf->data[buf->len++] = '\n'; p += 2; break;
            case 'r':  buf->data[buf->len++] = '\r'; p += 2; break;
            case 't':  buf->data[buf->len++] = '\t'; p += 2; break;
            case 'u': {
                unsigned cp, lo;
                if (!hex4(p + 2, end, &cp))
                    return rel_json_fail(j, (const char *)p, "invalid \\u escape (four hex digits must follow)");
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return rel_json_fail(j, (const char *)p, "lone surrogate in a \\u escape (not a character)");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !hex4(p + 8, end, &lo) || lo < 0xDC00
                        || lo > 0xDFFF)
                        return rel_json_fail(j, (const char *)p,
                                             "lone surrogate in a \\u escape (not a character)");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
                if (cp == 0)
                    out->nul = true;
                {
                    size_t w = put_utf8(buf->data + buf->len, cp);
                    cont += w - 1;
                    buf->len += w;
                }
                p += 6;
                break;
            }
            default:
                return rel_json_fail(j, (const char *)p, "invalid escape in a string");
            }
            run = p;
            continue;
        }
        if (c < 0x20)
            return rel_json_fail(j, (const char *)p, "control character in a string (JSON writes it as an escape)");
        if (c < 0x80) {
            p++;
        } else {
            size_t n = rel_json_utf8_seq(p, end);
            if (!n)
                return rel_json_fail(j, (const char *)p, "invalid UTF-8");
            cont += n - 1;
            p += n;
        }
    }
    out->s = buf->data;
    out->len = buf->len;
    out->chars = buf->len - cont;
    j->p = (const char *)p + 1;
    return REL_JSON_OK;
}

/* ---- numbers and literals ----------------------------------------------------- */

static bool word_at(const char *p, const char *end, const char *w, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, w, n) == 0;
}

int rel_json_number(rel_json *j, rel_json_num *out)
{
    const char *p = j->p, *end = j->end;
    uint64_t mag = 0;
    bool overflow = false;

    out->s = p;
    out->len = 0;
    out->integer = true;
    out->negative = false;
    out->overflow = false;
    out->mag = 0;
    out->special = 0;
    if (word_at(p, end, "NaN", 3)) {
        out->special = REL_JSON_NAN;
        out->integer = false;
        p += 3;
        goto done;
    }
    if (word_at(p, end, "Infinity", 8)) {
        out->special = REL_JSON_INF;
        out->integer = false;
        p += 8;
        goto done;
    }
    if (word_at(p, end, "-Infinity", 9)) {
        out->special = REL_JSON_NEG_INF;
        out->integer = false;
        out->negative = true;
        p += 9;
        goto done;
    }
    if (p < end && *p == '-') {
        out->negative = true;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9')
        return rel_json_fail(j, j->p, "expected a value");
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return rel_json_fail(j, p - 1, "a number with a leading zero");
    } else {
        while (p < end && *p >= '0' && *p <= '9') {
            unsigned d = (unsigned)(*p - '0');
            if (mag > (UINT64_MAX - d) / 10)
                overflow = true;
            else
                mag = mag * 10 + d;
            p++;
        }
    }
    if (p < end && *p == '.') {
        out->integer = false;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return rel_json_fail(j, p, "a digit must follow the decimal point");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        out->integer = false;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return rel_json_fail(j, p, "a digit must follow the exponent's e");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    out->overflow = overflow;
    out->mag = overflow ? 0 : mag;
done:
    out->len = (size_t)(p - out->s);
    j->p = p;
    return REL_JSON_OK;
}

int rel_json_literal(rel_json *j, int *which)
{
    if (word_at(j->p, j->end, "true", 4)) {
        *which = REL_JSON_TRUE;
        j->p += 4;
    } else if (word_at(j->p, j->end, "false", 5)) {
        *which = REL_JSON_FALSE;
        j->p += 5;
    } else if (word_at(j->p, j->end, "null", 4)) {
        *which = REL_JSON_NULL;
        j->p += 4;
    } else {
        return rel_json_fail(j, j->p, "expected a value");
    }
    return REL_JSON_OK;
}

/* The significant digits of a number token, rewritten as "DIGITSeEXP"
 * (no decimal point, so no locale can read it differently) for strtod.
 * More than SIG digits are cut, with a final 1 standing for any nonzero
 * digit cut (enough for correct rounding: a double's exact decimal
 * expansions have at most 767 significant digits). */
enum { SIG = 780 };

int rel_json_num_double(const rel_json_num *n, double *out)
{
    char digits[SIG + 32];
    const char *p = n->s, *end = n->s + n->len;
    size_t nd = 0;
    long exp10 = 0, e = 0;
    bool sticky = false, started = false, neg_e = false;
    double d;

    if (n->special) {
        if (n->special == REL_JSON_NAN)
            return REL_JSON_ERROR;
        *out = n->special == REL_JSON_INF ? HUGE_VAL : -HUGE_VAL;
        return REL_JSON_OK;
    }
    if (p < end && *p == '-')
        p++;
    /* Integer part: each digit after the first significant one, kept or
     * not, moves the point; fraction digits move it back. */
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (*p != '0')
            started = true;
        if (!started)
            continue;
        if (nd < SIG)
            digits[nd++] = *p;
        else {
            exp10++;
            sticky |= *p != '0';
        }
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            if (*p != '0')
                started = true;
            if (!started) {
                exp10--;
                continue;
            }
            if (nd < SIG) {
                digits[nd++] = *p;
                exp10--;
            } else {
                sticky |= *p != '0';
            }
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            neg_e = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (e < 100000000L)
                e = e * 10 + (*p - '0');
        exp10 += neg_e ? -e : e;
    }
    if (nd == 0) {
        *out = n->negative ? -0.0 : 0.0;
        return REL_JSON_OK;
    }
    if (sticky) {
        digits[nd++] = '1';
        exp10--;
    }
    if (exp10 > 100000L)
        exp10 = 100000L;
    if (exp10 < -100000L)
        exp10 = -100000L;
    snprintf(digits + nd, sizeof digits - nd, "e%ld", exp10);
    errno = 0;
    d = strtod(digits, NULL);
    if (d == HUGE_VAL && errno == ERANGE)
        return REL_JSON_ERROR;
    *out = n->negative ? -d : d;
    return REL_JSON_OK;
}

/* ---- skipping a value ------------------------------------------------------------ */

int rel_json_skip(rel_json *j, int max_depth, rel_json_buf *scratch)
{
    uint64_t objects = 0;       /* bit i: level i is an object */
    int depth = 0, c, st;
    rel_json_str s;
    rel_json_num n;

    if (max_depth > 64)
        max_depth = 64;
    for (;;) {
        /* A value. */
        c = rel_json_peek(j);
        if (c == '{' || c == '[') {
            if (depth == max_depth)
                return rel_json_fail(j, j->p, "nested too deeply for a fixture");
            if (c == '{')
                objects |= (uint64_t)1 << depth;
            else
                objects &= ~((uint64_t)1 << depth);
            depth++;
            j->p++;
            c = rel_json_peek(j);
            if (c == (objects >> (depth - 1) & 1 ? '}' : ']')) {
                j->p++;
                depth--;
            } else if (objects >> (depth - 1) & 1) {
                goto key;
            } else {
                continue;
            }
        } else if (c == '"') {
            if ((st = rel_json_string(j, scratch, &s)))
                return st;
        } else if (c == 't' || c == 'f' || c == 'n') {
            int which;
            if ((st = rel_json_literal(j, &which)))
                return st;
        } else if (c < 0) {
            return rel_json_fail(j, j->p, "expected a value, found the end of the text");
        } else {
            if ((st = rel_json_number(j, &n)))
                return st;
        }
        /* After a value. */
        for (;;) {
            bool in_object;
            if (depth == 0)
                return REL_JSON_OK;
            in_object = objects >> (depth - 1) & 1;
            c = rel_json_peek(j);
            if (c == ',') {
                j->p++;
                if (in_object)
                    goto key;
                break;
            }
            if (c == (in_object ? '}' : ']')) {
                j->p++;
                depth--;
                continue;
            }
            return rel_json_fail(j, j->p, in_object ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        continue;
    key:
        if (rel_json_peek(j) != '"')
            return rel_json_fail(j, j->p, "expected a key (a string)");
        if ((st = rel_json_string(j, scratch, &s)))
            return st;
        if ((st = rel_json_expect(j, ':', "expected ':' after a key")))
            return st;
    }
}

void rel_json_linecol(const char *start, const char *at, unsigned long *line, unsigned long *col)
{
    const char *p;
    unsigned long l = 1, c = 1;
    for (p = start; p < at; p++) {
        if (*p == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)*p & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* ---- formatting a double as Python's repr -------------------------------------- */

size_t rel_json_format_double(char *buf, double d, bool single)
{
    char tmp[48], digits[24];
    const char *t;
    size_t nd = 0, n = 0;
    int prec, first = single ? 6 : 15, last = single ? 9 : 17;
    long e;

    if (d != d)
        return (size_t)sprintf(buf, "NaN");
    if (d == HUGE_VAL)
        return (size_t)sprintf(buf, "Infinity");
    if (d == -HUGE_VAL)
        return (size_t)sprintf(buf, "-Infinity");
    /* The shortest of 6..9 (float) or 15..17 (double) significant digits
     * that reads back: any shorter one that does is the first with its
     * trailing zeros dropped, since that many digits always survive a
     * round trip through the type.  Not so for subnormal numbers, which
     * have fewer significant bits: those try every length. */
    if (d != 0 && (d < 0 ? -d : d) < (single ? (double)FLT_MIN : DBL_MIN))
        first = 1;
    for (prec = first; prec <= last; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (prec == last || (single ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d))
            break;
    }
    t = tmp;
    if (*t == '-') {
        buf[n++] = '-';
        t++;
    }
    for (; *t && *t != 'e' && *t != 'E'; t++)
        if (*t >= '0' && *t <= '9')
            digits[nd++] = *t;
    e = strtol(t + 1, NULL, 10);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (e >= -4 && e < 16) {
        if (e >= 0) {
            long i;
            for (i = 0; i <= e; i++)
                buf[n++] = (size_t)i < nd ? digits[i] : '0';
            buf[n++] = '.';
            if ((size_t)e + 1 < nd) {
                memcpy(buf + n, digits + e + 1, nd - (size_t)e - 1);
                n += nd - (size_t)e - 1;
            } else {
                buf[n++] = '0';
            }
        } else {
            long i;
            buf[n++] = '0';
            buf[n++] = '.';
            for (i = 0; i < -e - 1; i++)
                buf[n++] = '0';
            memcpy(buf + n, digits, nd);
            n += nd;
        }
    } else {
        buf[n++] = digits[0];
        if (nd > 1) {
            buf[n++] = '.';
            memcpy(buf + n, digits + 1, nd - 1);
            n += nd - 1;
        }
        n += (size_t)sprintf(buf + n, "e%c%02ld", e < 0 ? '-' : '+', e < 0 ? -e : e);
    }
    buf[n] = '\0';
    return n;
}
