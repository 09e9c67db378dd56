/* arena.c: bump allocation in chunks, and string interning on top of it. */
#include "arena.h"
#include "oom.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaChunk {
    ArenaChunk *next;
    size_t size;
    /* Aligned payload follows. */
    union { long double ld; void *p; long long ll; } data[1];
};

#define CHUNK_MIN   (64u * 1024u)
#define ALIGN       (sizeof(union { long double ld; void *p; long long ll; }))

void arena_init(Arena *a) { a->head = NULL; a->used = 0; }

void arena_free(Arena *a)
{
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *next = c->next;
        oom_free(c);
        c = next;
    }
    arena_init(a);
}

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + ALIGN - 1) / ALIGN * ALIGN;
    if (n == 0)
        n = ALIGN;
    if (!a->head || a->head->size - a->used < n) {
        size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
        ArenaChunk *c;
        if (size > SIZE_MAX - sizeof(ArenaChunk))
            return NULL;
        c = (ArenaChunk *)oom_malloc(sizeof(ArenaChunk) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->next = a->head;
        a->head = c;
        a->used = 0;
    }
    {
        char *p = (char *)a->head->data + a->used;
        a->used += n;
        memset(p, 0, n);
        return p;
    }
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = (char *)arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    p = (char *)arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- interning ---------------------------------------------------------- */

struct InternEntry {
    InternEntry *next;
    size_t hash;
    size_t len;
    const char *str;
};

static size_t hash_bytes(const char *s, size_t n)
{
    size_t h = 1469598103934665603u;   /* FNV-1a, folded to size_t */
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

void intern_init(Interner *in, Arena *a)
{
    in->arena = a;
    in->buckets = NULL;
    in->nbuckets = 0;
    in->count = 0;
}

void intern_free(Interner *in)
{
    oom_free(in->buckets);
    in->buckets = NULL;
    in->nbuckets = in->count = 0;
}

static int intern_grow(Interner *in)
{
    size_t n = in->nbuckets ? in->nbuckets * 2 : 256;
    InternEntry **b = (InternEntry **)oom_calloc(n, sizeof *b);
    size_t i;
    if (!b)
        return -1;
    for (i = 0; i < in->nbuckets; i++) {
        InternEntry *e = in->buckets[i];
        while (e) {
            InternEntry *next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    oom_free(in->buckets);
    in->buckets = b;
    in->nbuckets = n;
    return 0;
}

const char *intern(Interner *in, const char *s, size_t n)
{
    size_t h = hash_bytes(s, n);
    InternEntry *e;

    if (in->nbuckets) {
        for (e = in->buckets[h & (in->nbuckets - 1)]; e; e = e->next)
            if (e->hash == h && e->len == n && memcmp(e->str, s, n) == 0)
                return e->str;
    }
    if (in->count * 4 >= in->nbuckets * 3 && intern_grow(in) != 0)
        return NULL;
    e = (InternEntry *)arena_alloc(in->arena, sizeof *e);
    if (!e)
        return NULL;
    e->str = arena_strndup(in->arena, s, n);
    if (!e->str)
        return NULL;
    e->hash = h;
    e->len = n;
    e->next = in->buckets[h & (in->nbuckets - 1)];
    in->buckets[h & (in->nbuckets - 1)] = e;
    in->count++;
    return e->str;
}

const char *intern_cstr(Interner *in, const char *s)
{
    return intern(in, s, strlen(s));
}
