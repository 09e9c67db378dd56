/* fixture.c: `make bench`'s dumpdata and loaddata benchmark, on the
 * benchmark's store (bench/catalog.rel: N books, N/10 authors, N/10
 * students with 5 courses each out of 1,000).
 *
 *   fixture-bench [--books N] [--runs R] [--check] [--profile]
 *
 * Builds the store (fixed seed), dumps it to a file R times (compact, as
 * dumpdata without --indent), then loads that file into an empty store R
 * times, each load in a child process of its own, and prints the medians:
 * MB/s and objects/s of each, and for a load its peak memory: the heap
 * that the runtime's allocator hooks have in use at the worst moment
 * (store and temporaries), against the store it ends with plus the file,
 * and the child's peak RSS over that of a child that only reads the file.
 * In the same run, CPython's json.loads of the same bytes (parse only,
 * the file already read), when python3 is there ("-" otherwise).
 * --check: a small N, and the dump of the loaded store must be the file
 * again (what `make check` runs).  --profile: dump, then load in this
 * process, nothing else (for perf record). */
#include "catalog.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A heap that counts the bytes it has in use, and the most it had. */
static size_t in_use, peak;
static void *c_malloc(size_t n, void *ud)
{
    void *p = malloc(n);
    (void)ud;
    if (p && (in_use += malloc_usable_size(p) + sizeof(size_t)) > peak)
        peak = in_use;
    return p;
}
static void *c_realloc(void *p, size_t n, void *ud)
{
    size_t old = p ? malloc_usable_size(p) + sizeof(size_t) : 0;
    void *q = realloc(p, n);
    (void)ud;
    if (q) {
        in_use += malloc_usable_size(q) + sizeof(size_t) - old;
        if (in_use > peak)
            peak = in_use;
    }
    return q;
}
static void c_free(void *p, void *ud)
{
    (void)ud;
    if (p)
        in_use -= malloc_usable_size(p) + sizeof(size_t);
    free(p);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static catalog_store *build(size_t n_books, size_t *objects)
{
    size_t n_authors = n_books / 10 ? n_books / 10 : 1, n_students = n_authors, n_courses = 1000, i;
    catalog_store *db = catalog_store_new();
    Author **authors = (Author **)malloc(n_authors * sizeof *authors);
    Course **courses = (Course **)malloc(n_courses * sizeof *courses);
    for (i = 0; i < n_authors; i++) {
        authors[i] = Author_new(db);
        Author_set_born(authors[i], 1900 + (int32_t)rnd(120));
    }
    for (i = 0; i < n_books; i++)
        Book_set_pages(Book_new(db, authors[rnd((uint32_t)n_authors)]), 1 + (int32_t)rnd(1000));
    for (i = 0; i < n_courses; i++) {
        courses[i] = Course_new(db);
        Course_set_credits(courses[i], 1 + (int32_t)rnd(10));
    }
    for (i = 0; i < n_students; i++) {
        Student *s = Student_new(db);
        int j;
        Student_set_year(s, 1 + (int32_t)rnd(5));
        for (j = 0; j < 5; j++)
            Student_courses_add(s, courses[rnd((uint32_t)n_courses)]);
    }
    free(authors);
    free(courses);
    *objects = n_authors + n_books + n_courses + n_students;
    return db;
}

static char *read_all(FILE *f, size_t *len)
{
    long n;
    char *buf;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = (char *)malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    *len = (size_t)n;
    return buf;
}

typedef struct load_result {
    double seconds;
    size_t peak_heap, final_heap;
    long maxrss_kib;
    int ok;
} load_result;

/* In a child: read the file, (if load) load it with the counting heap. */
static load_result load_in_child(const char *path, int load)
{
    int fd[2];
    load_result r;
    pid_t pid;
    memset(&r, 0, sizeof r);
    if (pipe(fd) != 0)
        exit(2);
    if ((pid = fork()) == 0) {
        static const rel_allocator al = { c_malloc, c_realloc, c_free, NULL };
        FILE *f = fopen(path, "rb");
        size_t len;
        char *text;
        struct rusage ru;
        catalog_store *db;
        uint64_t t0;
        close(fd[0]);
        if (!f)
            _exit(2);
        text = read_all(f, &len);
        fclose(f);
        if (load) {
            rel_set_allocator(&al);
            in_use = peak = 0;
            db = catalog_store_new();
            t0 = now_ns();
            r.ok = catalog_store_loaddata(db, text, len, path) == REL_OK;
            r.seconds = (double)(now_ns() - t0) / 1e9;
            r.peak_heap = peak;
            r.final_heap = in_use;
            if (!r.ok)
                fprintf(stderr, "%s\n", catalog_store_errmsg(db));
        } else {
            r.ok = 1;
        }
        getrusage(RUSAGE_SELF, &ru);
        r.maxrss_kib = ru.ru_maxrss;
        if (write(fd[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(2);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &r, sizeof r) != (ssize_t)sizeof r)
        r.ok = 0;
    close(fd[0]);
    waitpid(pid, NULL, 0);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* CPython's json.loads of the file's bytes, median of `runs`, in seconds;
 * negative when python3 is not there. */
static double python_seconds(const char *path, int runs)
{
    char cmd[1024];
    FILE *p;
    double t = -1;
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json, sys, time\n"
             "data = open(sys.argv[1], \"rb\").read()\n"
             "ts = []\n"
             "for _ in range(%d):\n"
             "    t0 = time.perf_counter(); json.loads(data); ts.append(time.perf_counter() - t0)\n"
             "print(sorted(ts)[len(ts) // 2])' %s 2>/dev/null",
             runs, path);
    if (!(p = popen(cmd, "r")))
        return -1;
    if (fscanf(p, "%lf", &t) != 1)
        t = -1;
    pclose(p);
    return t;
}

int main(int argc, char **argv)
{
    size_t n_books = 1000000, objects, len, i;
    int runs = 3, check = 0, profile = 0, r;
    catalog_store *db;
    char path[] = "/tmp/relc-fixture-XXXXXX";
    double dump_s[16], load_s[16], py;
    load_result lr[16], base;
    FILE *f;
    char *text, *again;
    int fd;

    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--books") == 0 && i + 1 < (size_t)argc)
            n_books = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < (size_t)argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (strcmp(argv[i], "--profile") == 0)
            profile = 1, runs = 1;
    }
    if (runs < 1)
        runs = 1;
    if (runs > 16)
        runs = 16;
    if ((fd = mkstemp(path)) < 0)
        return 2;
    close(fd);
    db = build(n_books, &objects);
    for (r = 0; r < runs; r++) {
        uint64_t t0;
        if (!(f = fopen(path, "wb")))
            return 2;
        t0 = now_ns();
        if (catalog_store_dumpdata(db, f, 0) != REL_OK || fclose(f) != 0) {
            fprintf(stderr, "dumpdata: %s\n", catalog_store_errmsg(db));
            return 1;
        }
        dump_s[r] = (double)(now_ns() - t0) / 1e9;
    }
    if (!(f = fopen(path, "rb")))
        return 2;
    text = read_all(f, &len);
    fclose(f);
    if (profile) {
        catalog_store *copy = catalog_store_new();
        uint64_t t0 = now_ns();
        if (catalog_store_loaddata(copy, text, len, path) != REL_OK)
            return 1;
        printf("dump %.3f s, load %.3f s\n", dump_s[0], (double)(now_ns() - t0) / 1e9);
        catalog_store_free(copy);
        catalog_store_free(db);
        free(text);
        unlink(path);
        return 0;
    }
    if (check) {
        /* The loaded store dumps the same text again. */
        catalog_store *copy = catalog_store_new();
        size_t n2;
        char *buf = NULL;
        FILE *m;
        if (catalog_store_loaddata(copy, text, len, path) != REL_OK) {
            fprintf(stderr, "loaddata: %s\n", catalog_store_errmsg(copy));
            return 1;
        }
        m = open_memstream(&buf, &n2);
        catalog_store_dumpdata(copy, m, 0);
        fclose(m);
        again = buf;
        if (n2 != len || memcmp(again, text, len) != 0 || catalog_store_verify(copy) != REL_OK) {
            fprintf(stderr, "fixture bench: the loaded store dumps other text\n");
            return 1;
        }
        printf("fixture bench --check: %lu objects, %lu bytes, dump and load agree\n", (unsigned long)objects,
               (unsigned long)len);
        free(again);
        free(text);
        catalog_store_free(copy);
        catalog_store_free(db);
        unlink(path);
        return 0;
    }
    catalog_store_free(db);
    free(text);
    base = load_in_child(path, 0);
    for (r = 0; r < runs; r++) {
        lr[r] = load_in_child(path, 1);
        if (!lr[r].ok) {
            fprintf(stderr, "loaddata failed\n");
            return 1;
        }
        load_s[r] = lr[r].seconds;
    }
    py = python_seconds(path, runs);
    qsort(dump_s, (size_t)runs, sizeof *dump_s, cmp_double);
    qsort(load_s, (size_t)runs, sizeof *load_s, cmp_double);
    {
        double mb = (double)len / 1e6, d = dump_s[runs / 2], l = load_s[runs / 2];
        double mib = 1024.0 * 1024.0;
        printf("fixtures: %lu books, %lu objects, a %.1f MB file (compact dumpdata), median of %d runs\n\n",
               (unsigned long)n_books, (unsigned long)objects, mb, runs);
        printf("| operation | seconds | MB/s | objects/s |\n|---|---:|---:|---:|\n");
        printf("| dumpdata (to a file) | %.3f | %.0f | %.0f |\n", d, mb / d, (double)objects / d);
        printf("| loaddata (from memory) | %.3f | %.0f | %.0f |\n", l, mb / l, (double)objects / l);
        if (py >= 0)
            printf("| CPython json.loads, parse only | %.3f | %.0f | %.0f |\n", py, mb / py, (double)objects / py);
        else
            printf("| CPython json.loads, parse only | - | - | - |\n");
        printf("\nloaddata / json.loads time: %s", py >= 0 ? "" : "-\n");
        if (py >= 0)
            printf("%.2f (target: at most 1)\n", l / py);
        printf("peak heap during a load: %.1f MiB; the store it ends with: %.1f MiB; the file: %.1f MiB\n",
               (double)lr[0].peak_heap / mib, (double)lr[0].final_heap / mib, (double)len / mib);
        printf("  peak / (store + file) = %.2f (target: at most 1); temporaries at the peak: %.1f MiB\n",
               (double)lr[0].peak_heap / ((double)lr[0].final_heap + (double)len),
               ((double)lr[0].peak_heap - (double)lr[0].final_heap) / mib);
        printf("peak RSS of the load's process: %.1f MiB, of one that only reads the file: %.1f MiB\n",
               (double)lr[0].maxrss_kib / 1024.0, (double)base.maxrss_kib / 1024.0);
    }
    unlink(path);
    return 0;
}
