/* main.c: `make bench`.  Builds the workload once (fixed seed), then runs
 * the generated and hand-written implementations R times each, in turn
 * (generated then hand in odd rounds, hand then generated in even ones),
 * and SQLite once, each run in a child process of its own (so that peak
 * RSS is its own).  It prints for every operation the median ns/op of
 * each and generated/hand as the median of the R rounds' own ratios,
 * with the lowest and highest: on a shared machine the speed drifts
 * between rounds, and a ratio of two runs made side by side cancels most
 * of the drift that a ratio of two medians keeps.  Every run must
 * produce the same checksums in every implementation, or the bench
 * fails.
 *
 *   bench [--books N] [--runs R] [--check] [--only generated|hand|sqlite]
 *
 * --only runs one implementation and prints its times alone (for a
 * profiler: perf record bench --only generated).
 * --check runs each implementation once and compares checksums only (no
 * timing is printed): that is what `make check` runs, at a small N. */
#include "workload.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const op_names[N_ALL_OPS] = {
    "(a) create (per object)",
    "(b) reverse traversal (per book)",
    "(c) forward (per book)",
    "(d) relink (per book)",
    "(e) m2m add",
    "(e) m2m contains",
    "(e) m2m remove",
    "(e) m2m iterate (per link)",
    "(f) cascade delete (per object)",
    "walk every Book (Book_all)",
    "find every Book by id (Book_get)",
};

enum { IMPL_GENERATED, IMPL_HAND, IMPL_SQLITE, N_IMPLS };
static const char *const impl_names[N_IMPLS] = { "generated", "hand", "sqlite" };
static void (*const impl_run[N_IMPLS])(const Workload *, Result *) = {
    run_generated, run_hand, run_sqlite
};

/* Under callgrind (bench/inst.sh), each timed phase ends with a dump of
 * the instructions since the last one, named after the phase. */
void phase_mark(int op)
{
#ifdef HAVE_CALLGRIND
    static int on = -1;
    if (on < 0)
        on = getenv("BENCH_PHASES") != NULL;
    if (!on)
        return;
    if (op < 0)
        CALLGRIND_ZERO_STATS;
    else
        CALLGRIND_DUMP_STATS_AT(op_names[op]);
#else
    (void)op;
#endif
}

/* The counting heap: bytes in use as glibc sees them (the usable size and
 * the 8-byte chunk header). */
static size_t in_use;
static size_t footprint(void *p) { return p ? malloc_usable_size(p) + 8 : 0; }
void *count_malloc(size_t n)
{
    void *p = malloc(n);
    in_use += footprint(p);
    return p;
}
void *count_realloc(void *p, size_t n)
{
    size_t old = footprint(p);
    void *q = realloc(p, n);
    if (q || n == 0)
        in_use = in_use - old + footprint(q);
    return q;
}
void *count_aligned_alloc(size_t alignment, size_t n)
{
    void *p;
    if (posix_memalign(&p, alignment, n))
        return NULL;
    in_use += footprint(p);
    return p;
}
void count_free(void *p)
{
    in_use -= footprint(p);
    free(p);
}
size_t count_in_use(void) { return in_use; }

/* xorshift64*: the fixed-seed source of every random choice. */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t below(size_t n)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)(((rng * 0x2545F4914F6CDD1Du) >> 32) % n);
}

static void *must_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench: out of memory\n");
        exit(2);
    }
    return p;
}

static void make_workload(Workload *w, size_t n)
{
    size_t i;
    w->n_books = n;
    w->n_authors = n / 10 ? n / 10 : 1;
    w->n_students = n / 10 ? n / 10 : 1;
    w->n_courses = n / 1000 ? n / 1000 : 1;
    w->book_author = (uint32_t *)must_alloc(n * sizeof(uint32_t));
    w->book_pages = (int32_t *)must_alloc(n * sizeof(int32_t));
    w->relink = (uint32_t *)must_alloc(n * sizeof(uint32_t));
    w->query_student = (uint32_t *)must_alloc(n * sizeof(uint32_t));
    w->query_course = (uint32_t *)must_alloc(n * sizeof(uint32_t));
    w->enroll = (uint32_t *)must_alloc(w->n_students * ENROLL_PER_STUDENT * sizeof(uint32_t));
    for (i = 0; i < n; i++) {
        w->book_author[i] = below(w->n_authors);
        w->book_pages[i] = (int32_t)below(500) + 1;
    }
    for (i = 0; i < n; i++) {
        /* another author, when there is one */
        uint32_t a = below(w->n_authors);
        if (a == w->book_author[i] && w->n_authors > 1)
            a = (a + 1) % (uint32_t)w->n_authors;
        w->relink[i] = a;
    }
    for (i = 0; i < w->n_students * ENROLL_PER_STUDENT; i++)
        w->enroll[i] = below(w->n_courses);
    for (i = 0; i < n; i++) {
        w->query_student[i] = (uint32_t)(i * w->n_students / n);
        w->query_course[i] = below(w->n_courses);
    }
}

static void free_workload(Workload *w)
{
    free(w->book_author);
    free(w->book_pages);
    free(w->relink);
    free(w->query_student);
    free(w->query_course);
    free(w->enroll);
}

/* Runs one implementation in a child; its Result comes back on a pipe. */
static int run_child(int impl, const Workload *w, Result *r)
{
    int fds[2], status;
    struct rusage ru;
    pid_t pid;
    ssize_t got;

    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        Result mine;
        memset(&mine, 0, sizeof mine);
        close(fds[0]);
        impl_run[impl](w, &mine);
        if (write(fds[1], &mine, sizeof mine) != (ssize_t)sizeof mine)
            _exit(4);
        _exit(0);
    }
    close(fds[1]);
    got = read(fds[0], r, sizeof *r);
    close(fds[0]);
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0
        || got != (ssize_t)sizeof *r) {
        fprintf(stderr, "bench: the %s implementation failed\n", impl_names[impl]);
        return -1;
    }
    r->peak_rss_mib = (double)ru.ru_maxrss / 1024.0;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int runs = 7, check = 0, only = -1, run, impl, op, i;
    Result (*res)[N_IMPLS];
    Workload w;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--books") && i + 1 < argc)
            n = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--check"))
            check = 1;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            for (only = N_IMPLS; only-- > 0;)
                if (!strcmp(argv[i + 1], impl_names[only]))
                    break;
            if (only < 0)
                break;
            i++;
        } else {
            fprintf(stderr, "usage: bench [--books N] [--runs R] [--check] [--only generated|hand|sqlite]\n");
            return 2;
        }
    }
    if (check)
        runs = 1;
    if (n < 10 || runs < 1) {
        fprintf(stderr, "bench: need at least 10 books and one run\n");
        return 2;
    }
    if (i < argc) {
        fprintf(stderr, "bench: unknown implementation '%s'\n", argv[i + 1]);
        return 2;
    }
    make_workload(&w, n);
    if (only >= 0) {
        Result r;
        memset(&r, 0, sizeof r);
        impl_run[only](&w, &r);  /* in this process, for a profiler */
        for (op = 0; op < (only == IMPL_GENERATED ? N_ALL_OPS : N_OPS); op++)
            printf("%-34s %8.1f ns/op %8.1f inst/op\n", op_names[op], r.ns_per_op[op], r.inst_per_op[op]);
        printf("%-34s %8.1f\n", "bytes per book", r.bytes_per_book);
        if (only == IMPL_GENERATED)
            printf("%-34s %8.1f\n", "id index bytes per book", r.index_bytes_per_book);
        /* the operations of (e) iterate, for bench/inst.sh */
        printf("%-34s %8llu\n", "m2m links iterated", (unsigned long long)r.checksum[OP_M2M_REMOVE]);
        free_workload(&w);
        return 0;
    }
    if (runs > 64)
        runs = 64;
    res = (Result(*)[N_IMPLS])must_alloc((size_t)runs * sizeof *res);
    for (run = 0; run < runs; run++)
        for (i = 0; i < N_IMPLS; i++) {
            /* generated and hand in turn, SQLite (the slow one, whose
             * ratio is not a target) in the first round only */
            impl = i == IMPL_SQLITE ? IMPL_SQLITE : run % 2 ? 1 - i : i;
            if (impl == IMPL_SQLITE && run > 0)
                continue;
            if (check) {
                /* In this process, so that leak checkers see everything. */
                memset(&res[run][impl], 0, sizeof res[run][impl]);
                impl_run[impl](&w, &res[run][impl]);
            } else if (run_child(impl, &w, &res[run][impl]) != 0) {
                return 1;
            }
        }

    /* Every implementation, every run: the same checksums. */
    for (run = 0; run < runs; run++)
        for (impl = 0; impl < (run ? IMPL_SQLITE : N_IMPLS); impl++)
            for (op = 0; op < N_OPS; op++)
                if (res[run][impl].checksum[op] != res[0][0].checksum[op]) {
                    fprintf(stderr, "bench: checksum of %s differs: %s %llu, %s %llu\n", op_names[op],
                            impl_names[impl], (unsigned long long)res[run][impl].checksum[op],
                            impl_names[0], (unsigned long long)res[0][0].checksum[op]);
                    return 1;
                }
    /* The generated side's own walk and lookups: the same sums as (c)
     * over the array and (b) over the authors. */
    for (run = 0; run < runs; run++) {
        const Result *g = &res[run][IMPL_GENERATED];
        if (g->checksum[OP_WALK] != g->checksum[OP_FORWARD] || g->checksum[OP_GET] != g->checksum[OP_REVERSE]) {
            fprintf(stderr, "bench: Book_all or Book_get found other books than the arrays\n");
            return 1;
        }
    }
    if (check) {
        printf("bench --check: %zu books, %d operations, checksums agree in all %d implementations\n",
               n, N_OPS, N_IMPLS);
        free(res);
        free_workload(&w);
        return 0;
    }

    printf("relc bench: %zu books, %zu authors, %zu students, %zu courses; generated and hand %d times "
           "each, in turn, SQLite once\n\n",
           w.n_books, w.n_authors, w.n_students, w.n_courses, runs);
    printf("| operation | generated ns/op | hand ns/op | SQLite ns/op | generated/hand (lowest-highest) "
           "| SQLite/generated | generated inst/op | hand inst/op |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (op = 0; op <= N_OPS + 1; op++) {
        double med[N_IMPLS], inst[N_IMPLS], v[64], ratio[64], mid;
        const char *name;
        for (impl = 0; impl < N_IMPLS; impl++) {
            int n_runs = impl == IMPL_SQLITE ? 1 : runs;
            for (run = 0; run < n_runs; run++) {
                const Result *r = &res[run][impl];
                v[run] = op < N_OPS ? r->ns_per_op[op] : op == N_OPS ? r->bytes_per_book : r->peak_rss_mib;
            }
            med[impl] = median(v, n_runs);
            for (run = 0; op < N_OPS && run < n_runs; run++)
                v[run] = res[run][impl].inst_per_op[op];
            inst[impl] = op < N_OPS ? median(v, n_runs) : 0;
        }
        for (run = 0; run < runs; run++) {   /* each round's own ratio */
            const Result *g = &res[run][IMPL_GENERATED], *h = &res[run][IMPL_HAND];
            ratio[run] = op < N_OPS ? g->ns_per_op[op] / h->ns_per_op[op]
                         : op == N_OPS ? g->bytes_per_book / h->bytes_per_book : g->peak_rss_mib / h->peak_rss_mib;
        }
        name = op < N_OPS ? op_names[op] : op == N_OPS ? "bytes per book" : "peak RSS (MiB)";
        mid = median(ratio, runs);   /* which sorts them */
        printf("| %s | %.1f | %.1f | %.1f | %.2f (%.2f-%.2f) | %.1f |", name, med[IMPL_GENERATED], med[IMPL_HAND],
               med[IMPL_SQLITE], mid, ratio[0], ratio[runs - 1], med[IMPL_SQLITE] / med[IMPL_GENERATED]);
        if (op < N_OPS && inst[IMPL_GENERATED] > 0)
            printf(" %.0f | %.0f |\n", inst[IMPL_GENERATED], inst[IMPL_HAND]);
        else
            printf(" - | - |\n");
    }
    printf("\nWhat the store does that hand.c cannot (generated only; the same\n"
           "reads as (c) and (b), through the store instead of the driver's array):\n\n");
    printf("| operation | generated ns/op | generated inst/op |\n|---|---:|---:|\n");
    for (op = N_OPS; op < N_ALL_OPS; op++) {
        double t[64], in[64];
        for (run = 0; run < runs; run++) {
            t[run] = res[run][IMPL_GENERATED].ns_per_op[op];
            in[run] = res[run][IMPL_GENERATED].inst_per_op[op];
        }
        printf("| %s | %.1f |", op_names[op], median(t, runs));
        if (median(in, runs) > 0)
            printf(" %.0f |\n", median(in, runs));
        else
            printf(" - |\n");
    }
    {
        double v[64];
        for (run = 0; run < runs; run++)
            v[run] = res[run][IMPL_GENERATED].index_bytes_per_book;
        printf("| the id index (bytes per book) | %.1f | - |\n", median(v, runs));
    }
    printf("\nchecksums agree in every run of every implementation.\n");
    free(res);
    free_workload(&w);
    return 0;
}
