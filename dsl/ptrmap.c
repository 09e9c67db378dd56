/* ptrmap.c: open addressing with linear probing, keyed by address. */
#include "ptrmap.h"
#include "oom.h"

#include <stdint.h>

void ptrmap_init(PtrMap *m) { m->keys = NULL; m->vals = NULL; m->cap = m->count = 0; }

void ptrmap_free(PtrMap *m)
{
    oom_free((void *)m->keys);
    oom_free(m->vals);
    ptrmap_init(m);
}

static size_t slot_of(const void *key, size_t cap)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15u;
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

void *ptrmap_get(const PtrMap *m, const void *key)
{
    size_t i;
    if (!m->cap)
        return NULL;
    for (i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key)
            return m->vals[i];
    return NULL;
}

static int grow(PtrMap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64, i;
    const void **keys = (const void **)oom_calloc(ncap, sizeof *keys);
    void **vals = (void **)oom_calloc(ncap, sizeof *vals);
    if (!keys || !vals) {
        oom_free((void *)keys);
        oom_free(vals);
        return -1;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            size_t j = slot_of(m->keys[i], ncap);
            while (keys[j])
                j = (j + 1) & (ncap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
    }
    oom_free((void *)m->keys);
    oom_free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = ncap;
    return 0;
}

void *ptrmap_put(PtrMap *m, const void *key, void *val, int *oom)
{
    void **slot = ptrmap_slot(m, key, oom);
    if (!slot)
        return NULL;
    if (*slot)
        return *slot;
    *slot = val;
    return NULL;
}

void **ptrmap_slot(PtrMap *m, const void *key, int *oom)
{
    size_t i;
    if ((m->count + 1) * 2 > m->cap && grow(m) != 0) {
        *oom = 1;
        return NULL;
    }
    for (i = slot_of(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key)
            return &m->vals[i];
    m->keys[i] = key;
    m->vals[i] = NULL;
    m->count++;
    return &m->vals[i];
}
