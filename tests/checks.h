/* checks.h: CHECK for the test programs that count their checks
 * themselves (test_pool, test_cref, test_through, test_combo and
 * test_generic): a failed one is printed with its line and counted, and
 * the program goes on; main prints nchecks and nfailures and fails when
 * nfailures is not 0.  Include it after
 * failing_alloc.h, whose oom_sweep has parameters of the same names. */
#ifndef RELC_TESTS_CHECKS_H
#define RELC_TESTS_CHECKS_H

#include <stdio.h>

static int nchecks, nfailures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        nchecks++;                                                               \
        if (!(cond)) {                                                           \
            nfailures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#endif
