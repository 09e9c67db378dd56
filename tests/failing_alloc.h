/* failing_alloc.h: an allocator for rel_set_allocator that fails the
 * fail_at-th allocation (0: none) and counts the allocations still live,
 * so that an out-of-memory test can fail every allocation a call makes,
 * one at a time, and see that nothing leaked.  Shared by the test
 * programs (test_api.c, test_runtime.c, test_fixture.c); each defines its
 * own loop over the calls it tests. */
#ifndef RELC_TESTS_FAILING_ALLOC_H
#define RELC_TESTS_FAILING_ALLOC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The usual loop over one operation: for k = 1, 2, ... a fresh store
 * (setup), its fingerprint, the operation with the k-th allocation
 * failing, verify, and when the operation failed the same fingerprint;
 * then teardown, and nothing live.  Until the operation succeeds (at most
 * `limit` tries).  Returns the number of allocations failed in turn; adds
 * to *nchecks and *nfailures as the CHECK macros of the tests do.  The
 * caller installs t_malloc and the others with rel_set_allocator. */
typedef struct oom_hooks {
    void (*setup)(void);
    char *(*fingerprint)(void);
    void (*verify)(void);
    void (*teardown)(void);
} oom_hooks;

static inline long oom_sweep(const oom_hooks *h, const char *name, int (*op)(void), long limit, int *nchecks,
                             int *nfailures)
{
    long k;
    int done = 0;
    for (k = 1; !done && k < limit; k++) {
        char *before, *after;
        fail_at = 0;
        h->setup();
        before = h->fingerprint();
        allocs = 0;
        fail_at = k;
        done = op();
        fail_at = 0;
        h->verify();
        if (!done) {
            after = h->fingerprint();
            ++*nchecks;
            if (strcmp(before, after) != 0) {
                ++*nfailures;
                fprintf(stderr, "oom %s at %ld: the store changed:\n  %s\n  %s\n", name, k, before, after);
            }
            free(after);
        }
        free(before);
        h->teardown();
        ++*nchecks;
        if (live != 0) {
            ++*nfailures;
            fprintf(stderr, "oom %s at %ld: %ld allocations leaked\n", name, k, live);
        }
    }
    ++*nchecks;
    if (!done) {
        ++*nfailures;
        fprintf(stderr, "oom %s never succeeded\n", name);
    }
    return k - 2;
}

#endif
