/* failing_alloc.h: an allocator for rel_set_allocator that fails the
 * fail_at-th allocation (0: none) and counts the allocations still live,
 * so that an out-of-memory test can fail every allocation a call makes,
 * one at a time, and see that nothing leaked.  Shared by the test
 * programs (test_api.c, test_runtime.c, test_fixture.c); each defines its
 * own loop over the calls it tests. */
#ifndef RELC_TESTS_FAILING_ALLOC_H
#define RELC_TESTS_FAILING_ALLOC_H

#include <stdlib.h>

static long fail_at, allocs, live;

static void *t_malloc(size_t n, void *ud)
{
    void *p;
    (void)ud;
    if (fail_at && ++allocs == fail_at)
        return NULL;
    if ((p = malloc(n)) != NULL)
        live++;
    return p;
}

static void *t_realloc(void *p, size_t n, void *ud)
{
    void *q;
    (void)ud;
    if (fail_at && ++allocs == fail_at)
        return NULL;
    if ((q = realloc(p, n)) != NULL && !p)
        live++;
    return q;
}

static void t_free(void *p, void *ud)
{
    (void)ud;
    if (p)
        live--;
    free(p);
}

#endif
