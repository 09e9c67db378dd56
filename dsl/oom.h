/* oom.h: the compiler's own allocation calls.
 *
 * relc must exit with status 2 and a message when memory runs out, never
 * crash.  Every allocation of the compiler goes through these wrappers so a
 * test can make the Nth one fail (oom_fail_at) and prove that each failure
 * is reported and nothing leaks.
 */
#ifndef RELC_OOM_H
#define RELC_OOM_H

#include <stddef.h>

void *oom_malloc(size_t n);
void *oom_calloc(size_t n, size_t size);
void *oom_realloc(void *p, size_t n);
void  oom_free(void *p);

/* Testing: make the nth allocation from now on fail (1 = the next one);
 * 0 turns injection off.  oom_count returns allocations made since the last
 * call to oom_fail_at. */
void   oom_fail_at(unsigned long nth);
unsigned long oom_count(void);

#endif
