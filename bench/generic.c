/* generic.c: the cost of a GenericForeignKey against a plain ForeignKey
 * (`make bench`), on bench/generic.rel: N Refs (ForeignKey to Photo) and
 * N Tags (GenericForeignKey over Photo and Note), spread over N/8 photos,
 * timed in the same run on the same random choices:
 *   get      Ref_photo vs Tag_object_Photo (typed; the discriminator test)
 *   set      Ref_set_photo vs Tag_set_object_Photo, and the untyped
 *            Tag_set_object (which finds the object's model in its region)
 *   reverse  Photo_refs vs Photo_tags, per element iterated
 * Each line is the median of RUNS runs in ns per operation and in
 * instructions per operation (when the hardware counter can be read), and
 * the ratios generic / ForeignKey of both.
 *
 *   generic-bench [--n N] [--runs R] [--check]
 *
 * --check runs once at the given size and checks the sums agree (what
 * `make check` runs). */
#include "gbench.h"
#include "workload.h"   /* now_ns, now_inst (bench/clock.c) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

enum { G_GET, G_SET, G_SET_ANY, G_REVERSE, G_NOPS };
static const char *const g_op_names[G_NOPS] = {
    "get (typed)", "set (typed, relink)", "set (untyped, relink)", "reverse iteration (per element)",
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t n = 200000, runs = 5, i, run, nphotos;
    bool check = false;
    double (*fk)[G_NOPS], (*gen)[G_NOPS];
    double ifk[G_NOPS] = { 0 }, igen[G_NOPS] = { 0 };
    int a;
    long long sum_fk = 0, sum_gen = 0;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--n") == 0 && a + 1 < argc)
            n = strtoul(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc)
            runs = strtoul(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--check") == 0)
            check = true;
        else {
            fprintf(stderr, "usage: generic-bench [--n N] [--runs R] [--check]\n");
            return 2;
        }
    }
    if (check)
        runs = 1;
    if (n < 8 || runs < 1)
        return 2;
    nphotos = n / 8;
    fk = calloc(runs, sizeof *fk);
    gen = calloc(runs, sizeof *gen);
    if (!fk || !gen)
        return 1;
    for (run = 0; run < runs; run++) {
        gbench_store *db = gbench_store_new();
        Photo **photos = malloc(nphotos * sizeof *photos);
        Note *note;
        Ref **refs = malloc(n * sizeof *refs);
        Tag **tags = malloc(n * sizeof *tags);
        uint32_t *pick = malloc(n * sizeof *pick);
        uint64_t t0;
        long long s1 = 0, s2 = 0;
        if (!db || !photos || !refs || !tags || !pick)
            return 1;
        for (i = 0; i < nphotos; i++) {
            photos[i] = Photo_new(db);
            Photo_set_n(photos[i], (int32_t)i);
        }
        note = Note_new(db);
        for (i = 0; i < n; i++) {
            Photo *p = photos[next_rand((uint32_t)nphotos)];
            refs[i] = Ref_new(db, p);
            tags[i] = Tag_new(db, p);
            if (!refs[i] || !tags[i])
                return 1;
            Ref_set_n(refs[i], 1);
            Tag_set_n(tags[i], 1);
        }
        /* Each pair timed in turn, the ForeignKey first in even runs and
         * the generic one first in odd ones, so that neither always meets
         * the caches the other left. */
        for (a = 0; a < G_NOPS; a++) {
            int side;
            for (i = 0; i < n; i++)
                pick[i] = next_rand((uint32_t)nphotos);
            for (side = 0; side < 2; side++) {
                bool generic = (side + (int)run) % 2 == 1;
                long long sum = 0;
                uint64_t i0 = now_inst();
                t0 = now_ns();
                if (a == G_GET && !generic) {
                    for (i = 0; i < n; i++)
                        sum += Photo_n(Ref_photo(refs[i]));
                } else if (a == G_GET) {
                    for (i = 0; i < n; i++)
                        sum += Photo_n(Tag_object_Photo(tags[i]));
                } else if (a != G_REVERSE && !generic) {
                    for (i = 0; i < n; i++)
                        sum += Ref_set_photo(refs[i], photos[pick[i]]) == REL_OK;
                } else if (a == G_SET) {
                    for (i = 0; i < n; i++)
                        sum += Tag_set_object_Photo(tags[i], photos[pick[i]]) == REL_OK;
                } else if (a == G_SET_ANY) {
                    for (i = 0; i < n; i++)
                        sum += Tag_set_object(tags[i], photos[pick[i]]) == REL_OK;
                } else if (!generic) {
                    for (i = 0; i < nphotos; i++)
                        rel_foreach(Ref, r, Photo_refs(photos[i]))
                            sum += Ref_n(r);
                } else {
                    for (i = 0; i < nphotos; i++)
                        rel_foreach(Tag, t, Photo_tags(photos[i]))
                            sum += Tag_n(t);
                }
                (generic ? gen : fk)[run][a] = (double)(now_ns() - t0) / (double)n;
                (generic ? igen : ifk)[a] = (double)(now_inst() - i0) / (double)n;
                if (generic)
                    s2 = sum;
                else
                    s1 = sum;
            }
            if (s1 != s2 || (a != G_GET && s1 != (long long)n))
                return fprintf(stderr, "generic-bench: %s: the sums differ\n", g_op_names[a]), 1;
        }
        /* the other model, and verify */
        if (Tag_set_object(tags[0], note) || Note_tags_count(note) != 1 || Tag_object_model(tags[0]) != gbench_Note_model
            || gbench_store_verify(db))
            return fprintf(stderr, "generic-bench: %s\n", gbench_store_errmsg(db)), 1;
        sum_fk += s1;
        sum_gen += s2;
        gbench_store_free(db);
        free(photos);
        free(refs);
        free(tags);
        free(pick);
    }
    if (check) {
        printf("generic-bench --check: %zu objects, sums agree (%lld)\n", n, sum_fk);
        free(fk);
        free(gen);
        return sum_fk != sum_gen;
    }
    printf("generic relations vs a plain ForeignKey: %zu of each, %zu photos, median of %zu runs (ns/op)\n", n,
           nphotos, runs);
    printf("  %-34s %10s %10s %8s   %12s %12s %8s\n", "operation", "ForeignKey", "generic", "ratio",
           "instructions", "generic", "ratio");
    for (a = 0; a < G_NOPS; a++) {
        double *x = malloc(runs * sizeof *x), *y = malloc(runs * sizeof *y), mx, my;
        if (!x || !y)
            return 1;
        for (run = 0; run < runs; run++) {
            x[run] = fk[run][a];
            y[run] = gen[run][a];
        }
        qsort(x, runs, sizeof *x, cmp_double);
        qsort(y, runs, sizeof *y, cmp_double);
        mx = x[runs / 2];
        my = y[runs / 2];
        printf("  %-34s %10.2f %10.2f %7.2fx", g_op_names[a], mx, my, mx > 0 ? my / mx : 0.0);
        if (ifk[a] > 0)
            printf("   %12.1f %12.1f %7.2fx\n", ifk[a], igen[a], igen[a] / ifk[a]);
        else
            printf("   %12s %12s %8s\n", "n/a", "n/a", "");   /* no hardware counter here */
        free(x);
        free(y);
    }
    free(fk);
    free(gen);
    return 0;
}
