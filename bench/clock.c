/* clock.c: the two measures of the benchmarks (workload.h): monotonic
 * time, and the user-space instructions of this process (0 when the
 * hardware counter cannot be opened). */
#include "workload.h"

#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A user-space instruction counter for this process, opened on first use
 * (so in each child).  Instructions are what an operation costs whatever
 * else the machine is doing; time is what it costs here and now. */
uint64_t now_inst(void)
{
    static int fd = -2;
    uint64_t n;
    if (fd == -2) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.type = PERF_TYPE_HARDWARE;
        a.size = sizeof a;
        a.config = PERF_COUNT_HW_INSTRUCTIONS;
        a.exclude_kernel = 1;
        a.exclude_hv = 1;
        fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    }
    if (fd < 0 || read(fd, &n, sizeof n) != (ssize_t)sizeof n)
        return 0;
    return n;
}
