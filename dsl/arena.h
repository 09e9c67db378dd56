/* arena.h: the one allocator of a compilation.
 *
 * Everything the front end builds (AST nodes, decoded strings, interned
 * identifiers, generated names) lives in one arena and is released with it,
 * so no pass ever frees a node and no error path can leak one.  Allocation
 * failure is reported to the caller (NULL); the driver turns it into exit
 * status 2.
 */
#ifndef RELC_ARENA_H
#define RELC_ARENA_H

#include <stddef.h>

typedef struct ArenaChunk ArenaChunk;

typedef struct Arena {
    ArenaChunk *head;   /* newest chunk; older ones follow through ->next */
    size_t used;        /* bytes used in head */
} Arena;

void  arena_init(Arena *a);
void  arena_free(Arena *a);
/* n bytes aligned for any object, zeroed; NULL when out of memory. */
void *arena_alloc(Arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *arena_strndup(Arena *a, const char *s, size_t n);
/* printf into the arena. */
char *arena_printf(Arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Interning: equal strings give the same pointer, so identifiers compare
 * with ==.  The table lives in the arena's memory plus one malloc'd bucket
 * array that intern_free releases. */
typedef struct InternEntry InternEntry;
typedef struct Interner {
    Arena *arena;
    InternEntry **buckets;
    size_t nbuckets;
    size_t count;
} Interner;

void        intern_init(Interner *in, Arena *a);
void        intern_free(Interner *in);
const char *intern(Interner *in, const char *s, size_t n);   /* NULL: OOM */
const char *intern_cstr(Interner *in, const char *s);

#endif
