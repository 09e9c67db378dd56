/* printer.c: formatted, indented appends to a memory buffer. */
#include "printer.h"
#include "oom.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pr_init(Printer *p)
{
    memset(p, 0, sizeof *p);
    p->at_line_start = true;
}

void pr_free(Printer *p)
{
    oom_free(p->data);
    pr_init(p);
}

static bool reserve(Printer *p, size_t extra)
{
    size_t cap;
    char *d;
    if (p->oom)
        return false;
    if (p->len + extra + 1 <= p->cap)
        return true;
    cap = p->cap ? p->cap : 4096;
    while (cap < p->len + extra + 1)
        cap *= 2;
    d = (char *)oom_realloc(p->data, cap);
    if (!d) {
        p->oom = true;
        return false;
    }
    p->data = d;
    p->cap = cap;
    return true;
}

static void put(Printer *p, const char *s, size_t n)
{
    if (!reserve(p, n))
        return;
    memcpy(p->data + p->len, s, n);
    p->len += n;
    p->data[p->len] = '\0';
}

/* Splits at newlines so that every line gets its indentation; blank lines
 * get none, so the output has no trailing white space. */
void pr_raw(Printer *p, const char *s, size_t n)
{
    while (n > 0) {
        const char *nl = (const char *)memchr(s, '\n', n);
        size_t k = nl ? (size_t)(nl - s) + 1 : n;
        if (p->at_line_start && s[0] != '\n') {
            int i;
            for (i = 0; i < p->indent; i++)
                put(p, "    ", 4);
        }
        put(p, s, k);
        p->at_line_start = nl != NULL;
        s += k;
        n -= k;
    }
}

void pr(Printer *p, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        p->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        pr_raw(p, small, (size_t)n);
        return;
    }
    {
        char *big = (char *)oom_malloc((size_t)n + 1);
        if (!big) {
            p->oom = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        pr_raw(p, big, (size_t)n);
        oom_free(big);
    }
}

/* ---- named substitutions ----------------------------------------------- */

void pv_init(PrVars *v)
{
    v->n = 0;
}

static int pv_find(const PrVars *v, const char *key, size_t n)
{
    int i;
    for (i = 0; i < v->n; i++)
        if (v->keylen[i] == n && v->key[i][0] == key[0] && memcmp(v->key[i], key, n) == 0)
            return i;
    return -1;
}

static int pv_slot(PrVars *v, const char *key)
{
    int i = pv_find(v, key, strlen(key));
    if (i < 0 && v->n < PR_MAX_VARS) {
        i = v->n++;
        v->key[i] = key;
        v->keylen[i] = strlen(key);
    }
    return i;
}

void pv_set(PrVars *v, const char *key, const char *val)
{
    int i = pv_slot(v, key);
    if (i >= 0)
        v->val[i] = val;
}

void pv_num(PrVars *v, const char *key, unsigned long long n)
{
    int i = pv_slot(v, key);
    if (i >= 0) {
        snprintf(v->num[i], sizeof v->num[i], "%llu", n);
        v->val[i] = v->num[i];
    }
}

void pt(Printer *p, const PrVars *v, const char *tmpl)
{
    while (*tmpl) {
        const char *d = strchr(tmpl, '$'), *end;
        int i;
        if (!d) {
            pr_raw(p, tmpl, strlen(tmpl));
            return;
        }
        pr_raw(p, tmpl, (size_t)(d - tmpl));
        end = strchr(d + 1, '$');
        if (!end) {
            p->oom = true;
            return;
        }
        if (end == d + 1) {
            pr_raw(p, "$", 1);
        } else {
            i = pv_find(v, d + 1, (size_t)(end - d - 1));
            if (i < 0 || !v->val[i]) {
                p->oom = true;   /* an emitter bug: fail rather than print a hole */
                return;
            }
            pr_raw(p, v->val[i], strlen(v->val[i]));
        }
        tmpl = end + 1;
    }
}
