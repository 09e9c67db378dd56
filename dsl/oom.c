/* oom.c: allocation wrappers with a failure hook for tests. */
#include "oom.h"

#include <stdlib.h>

static unsigned long fail_at;   /* 0: never fail */
static unsigned long made;

static int should_fail(void)
{
    made++;
    return fail_at != 0 && made == fail_at;
}

void *oom_malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }
void *oom_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}
void *oom_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void  oom_free(void *p) { free(p); }

void oom_fail_at(unsigned long nth) { fail_at = nth; made = 0; }
unsigned long oom_count(void) { return made; }
