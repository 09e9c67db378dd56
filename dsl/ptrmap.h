/* ptrmap.h: a map from interned strings (compared by address) to pointers.
 *
 * Lookups by name (models, fields, generated identifiers) are the only maps
 * the checks need; keys are interned, so the address is the identity.  The
 * slots are malloc'd (they grow), the values are the caller's. */
#ifndef RELC_PTRMAP_H
#define RELC_PTRMAP_H

#include <stddef.h>

typedef struct PtrMap {
    const void **keys;
    void **vals;
    size_t cap, count;
} PtrMap;

void  ptrmap_init(PtrMap *m);
void  ptrmap_free(PtrMap *m);
void *ptrmap_get(const PtrMap *m, const void *key);
/* Inserts key -> val unless key is present.  Returns the value already
 * there, or NULL when inserted; *oom is set when memory ran out. */
void *ptrmap_put(PtrMap *m, const void *key, void *val, int *oom);

/* The value slot of key, inserted (holding NULL) if absent; NULL and *oom
 * set when memory ran out. */
void **ptrmap_slot(PtrMap *m, const void *key, int *oom);

#endif
