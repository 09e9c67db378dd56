/* rel.c: the runtime's few functions. */
#include "rel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rel_strerror(rel_status status)
{
    switch (status) {
    case REL_OK:          return "success";
    case REL_ENOMEM:      return "out of memory";
    case REL_EPROTECTED:  return "protected by an on_delete = PROTECT relation";
    case REL_ERESTRICTED: return "restricted by an on_delete = RESTRICT relation";
    case REL_EUNIQUE:     return "one-to-one target already has an object";
    case REL_ENULL:       return "null not allowed";
    case REL_ETOOLONG:    return "string longer than max_length";
    case REL_EINVAL:      return "invalid argument";
    case REL_ECORRUPT:    return "invariant violated";
    }
    return "unknown status";
}

rel_status rel_fail(rel_errmsg *msg, rel_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg->text, sizeof msg->text, fmt, ap);
    va_end(ap);
    return status;
}

/* ---- allocation --------------------------------------------------------- */

static void *std_malloc(size_t size, void *ud) { (void)ud; return malloc(size); }
static void *std_realloc(void *p, size_t size, void *ud) { (void)ud; return realloc(p, size); }
static void  std_free(void *p, void *ud) { (void)ud; free(p); }

static rel_allocator current = { std_malloc, std_realloc, std_free, NULL };

void rel_set_allocator(const rel_allocator *a)
{
    if (a) {
        current = *a;
    } else {
        current.malloc_fn = std_malloc;
        current.realloc_fn = std_realloc;
        current.free_fn = std_free;
        current.ud = NULL;
    }
}

void *rel_malloc(size_t size) { return current.malloc_fn(size ? size : 1, current.ud); }
void *rel_realloc(void *p, size_t size) { return current.realloc_fn(p, size ? size : 1, current.ud); }
void  rel_free(void *p) { if (p) current.free_fn(p, current.ud); }

/* ---- lists and vectors -------------------------------------------------- */

/* The capacity for `need` elements: doubling from 4; 0 when need is too
 * many. */
static size_t grown_cap(uint32_t cap, size_t need)
{
    size_t c = cap ? cap : 4;
    if (need > REL_VEC_MAX)
        return 0;
    while (c < need)
        c *= 2;  /* at most 2^31: need is below it, and caps are powers of two */
    return c;
}

rel_status rel_list_grow(rel_list *l, size_t need)
{
    size_t cap;
    void *items;
    if (need <= l->cap)
        return REL_OK;
    if (!(cap = grown_cap(l->cap, need)) || !(items = rel_realloc(l->items, cap * sizeof(void *))))
        return REL_ENOMEM;
    l->items = (void **)items;
    l->cap = (uint32_t)cap;
    return REL_OK;
}

/* Items and back positions share one block: [items...][back...]. */
rel_status rel_vec_grow(rel_vec *v, size_t need)
{
    size_t cap, item = sizeof(void *);
    char *block;

    if (need <= v->cap)
        return REL_OK;
    if (!(cap = grown_cap(v->cap, need)) || !(block = (char *)rel_malloc(cap * (item + sizeof(uint32_t)))))
        return REL_ENOMEM;
    if (v->count) {
        memcpy(block, v->items, v->count * item);
        memcpy(block + cap * item, v->back, v->count * sizeof(uint32_t));
    }
    rel_free(v->items);
    v->items = (void **)(void *)block;
    v->back = (uint32_t *)(void *)(block + cap * item);
    v->cap = (uint32_t)cap;
    return REL_OK;
}

void rel_list_free(rel_list *l)
{
    rel_free(l->items);
    l->items = NULL;
    l->count = l->cap = 0;
}

void rel_vec_free(rel_vec *v)
{
    rel_free(v->items);
    v->items = NULL;
    v->back = NULL;
    v->count = v->cap = 0;
}

/* ---- object pools ------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* A chunk starts with this header; objects follow it from the first
 * 64-byte boundary (a cache line: objects of 32 or 64 bytes then never
 * straddle two). */
typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t bytes;
} pool_chunk;

enum { POOL_FIRST_CHUNK = 1024, POOL_LAST_CHUNK = 256 * 1024 };

void rel_pool_init(rel_pool *p, size_t object_size, size_t keep_offset)
{
    size_t word = sizeof(void *);
    memset(p, 0, sizeof *p);
    p->keep_offset = keep_offset;
    p->size = (object_size + word - 1) / word * word;
    if (p->size < word)
        p->size = word;
    p->chunk_bytes = POOL_FIRST_CHUNK;
}

void *rel_pool_get_slow(rel_pool *p)
{
    void *o = p->free_list;
    if (o) {
        UNPOISON(o, p->size);
        p->free_list = *(void **)o;
        return o;
    }
    if (!p->next || (size_t)(p->end - p->next) < p->size) {
        size_t bytes = p->chunk_bytes;
        pool_chunk *c;
        if (bytes < 64 + sizeof(pool_chunk) + p->size)
            bytes = 64 + sizeof(pool_chunk) + p->size;
        if (!(c = (pool_chunk *)rel_malloc(bytes)))
            return NULL;
        c->next = (pool_chunk *)p->chunks;
        c->bytes = bytes;
        p->chunks = c;
        /* the padding up to the next 64-byte boundary */
        p->next = (char *)(c + 1) + (size_t)(-(uintptr_t)(c + 1) & 63);
        p->end = (char *)c + bytes;
        if (p->chunk_bytes < POOL_LAST_CHUNK)
            p->chunk_bytes *= 2;
    }
    o = p->next;
    p->next += p->size;
    return o;
}

void rel_pool_put(rel_pool *p, void *o)
{
    size_t word = sizeof(void *), keep_end = p->keep_offset + sizeof(uint32_t);
    *(void **)o = p->free_list;
    p->free_list = o;
    /* Poison all but the link and the kept field. */
    if (p->keep_offset >= word && keep_end <= p->size) {
        POISON((char *)o + word, p->keep_offset - word);
        POISON((char *)o + keep_end, p->size - keep_end);
    } else {
        POISON((char *)o + word, p->size - word);
    }
}

void rel_pool_free(rel_pool *p)
{
    pool_chunk *c = (pool_chunk *)p->chunks;
    while (c) {
        pool_chunk *next = c->next;
        UNPOISON(c, c->bytes);
        rel_free(c);
        c = next;
    }
    rel_pool_init(p, p->size, p->keep_offset);
}

/* ---- strings ------------------------------------------------------------ */

size_t rel_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

char *rel_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = (char *)rel_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
