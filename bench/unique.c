/* unique.c: part of `make bench`.  User_get_by_email (the runtime's
 * index of a unique field, rel_unique.c) against what an expert writes by
 * hand for the same job: a struct per user and an open-addressing table
 * of pointers keyed by the e-mail (FNV-1a, linear probing, at most three
 * quarters full).  Both build N users, then look up N e-mails in a random
 * order (every one there) and N that are not there; a run reports ns per
 * operation, and the median of R runs is printed with the ratios
 * generated/hand.  (Instructions: run it under callgrind, as the README
 * says.)  Memory: the bytes per user
 * that each index takes (its table), and what a user costs in all
 * (the generated object with its string, or the hand struct with its
 * string), measured from the allocations.
 *
 *   unique-bench [--users N] [--runs R] [--check]
 *
 * --check runs once at the given N and only checks that both find the
 * same users (what `make check` runs). */
#include "users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Bytes allocated, through the runtime's hooks and the hand code alike. */
static size_t allocated;
static void *count_malloc(size_t n, void *ud)
{
    size_t *p = (size_t *)malloc(n + 16);
    (void)ud;
    if (!p)
        return NULL;
    *p = n;
    allocated += n;
    return (char *)p + 16;
}
static void count_free(void *q, void *ud)
{
    (void)ud;
    if (q) {
        size_t *p = (size_t *)(void *)((char *)q - 16);
        allocated -= *p;
        free(p);
    }
}
static void *count_realloc(void *q, size_t n, void *ud)
{
    void *r = count_malloc(n, ud);
    if (r && q) {
        size_t old = *(size_t *)(void *)((char *)q - 16);
        memcpy(r, q, old < n ? old : n);
        count_free(q, ud);
    }
    return r;
}

/* ---- the hand-written version ---------------------------------------------- */

typedef struct HUser {
    char *email;
    int32_t visits;
} HUser;

typedef struct HTable {
    HUser **slots;
    size_t cap, count;
} HTable;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h ^ (h >> 29);
}

static HUser *h_find(const HTable *t, const char *email)
{
    size_t mask = t->cap - 1, i;
    for (i = fnv1a(email) & mask; t->slots[i]; i = (i + 1) & mask)
        if (strcmp(t->slots[i]->email, email) == 0)
            return t->slots[i];
    return NULL;
}

static void h_put(HTable *t, HUser *u)
{
    size_t mask = t->cap - 1, i;
    for (i = fnv1a(u->email) & mask; t->slots[i]; i = (i + 1) & mask)
        ;
    t->slots[i] = u;
    t->count++;
}

static int h_grow(HTable *t)
{
    HTable g;
    size_t i;
    g.cap = t->cap ? t->cap * 2 : 8;
    g.count = 0;
    if (!(g.slots = (HUser **)count_malloc(g.cap * sizeof *g.slots, NULL)))
        return -1;
    memset(g.slots, 0, g.cap * sizeof *g.slots);
    for (i = 0; i < t->cap; i++)
        if (t->slots[i])
            h_put(&g, t->slots[i]);
    count_free(t->slots, NULL);
    *t = g;
    return 0;
}

/* A new user, refused (NULL) when the e-mail is taken. */
static HUser *h_new(HTable *t, const char *email)
{
    HUser *u;
    size_t n = strlen(email) + 1;
    if ((t->count + 1) * 4 > t->cap * 3 && h_grow(t))
        return NULL;
    if (h_find(t, email) || !(u = (HUser *)count_malloc(sizeof *u, NULL)))
        return NULL;
    if (!(u->email = (char *)count_malloc(n, NULL))) {
        count_free(u, NULL);
        return NULL;
    }
    memcpy(u->email, email, n);
    u->visits = 0;
    h_put(t, u);
    return u;
}

/* ---- one run ------------------------------------------------------------------ */

enum { OP_CREATE, OP_HIT, OP_MISS, N_OPS };
static const char *const op_names[N_OPS] = { "create (per user)", "get_by hit", "get_by miss" };

typedef struct Run {
    double ns[N_OPS];
    double index_bytes, user_bytes;   /* per user */
    uint64_t checksum;
} Run;

static char **keys, **missing;
static size_t *order;
static size_t n_users;

static void run_generated(Run *r)
{
    users_store *db;
    size_t i, before;
    uint64_t t0, sum = 0;
    before = allocated;
    db = users_store_new();
    t0 = now_ns();
    for (i = 0; i < n_users; i++)
        if (!User_new(db, keys[i])) {
            fprintf(stderr, "unique-bench: %s\n", users_store_errmsg(db));
            exit(1);
        }
    r->ns[OP_CREATE] = (double)(now_ns() - t0) / (double)n_users;
    r->user_bytes = (double)(allocated - before) / (double)n_users;
    r->index_bytes = (double)((const rel_store *)db)->indexes[0].cap * sizeof(void *) / (double)n_users;
    t0 = now_ns();
    for (i = 0; i < n_users; i++) {
        User *u = User_get_by_email(db, keys[order[i]]);
        sum += u ? User_id(u) : 0;
    }
    r->ns[OP_HIT] = (double)(now_ns() - t0) / (double)n_users;
    t0 = now_ns();
    for (i = 0; i < n_users; i++)
        sum += User_get_by_email(db, missing[i]) != NULL;
    r->ns[OP_MISS] = (double)(now_ns() - t0) / (double)n_users;
    r->checksum = sum;
    if (users_store_verify(db) != REL_OK) {
        fprintf(stderr, "unique-bench: %s\n", users_store_errmsg(db));
        exit(1);
    }
    users_store_free(db);
}

static void run_hand(Run *r)
{
    HTable t = { NULL, 0, 0 };
    HUser **all = (HUser **)malloc(n_users * sizeof *all);
    size_t i, before = allocated;
    uint64_t t0, sum = 0;
    if (!all)
        exit(1);
    t0 = now_ns();
    for (i = 0; i < n_users; i++)
        if (!(all[i] = h_new(&t, keys[i])))
            exit(1);
    r->ns[OP_CREATE] = (double)(now_ns() - t0) / (double)n_users;
    r->user_bytes = (double)(allocated - before) / (double)n_users;
    r->index_bytes = (double)t.cap * sizeof(void *) / (double)n_users;
    t0 = now_ns();
    for (i = 0; i < n_users; i++) {
        HUser *u = h_find(&t, keys[order[i]]);
        sum += u ? (uint64_t)(u - u) + order[i] + 1 : 0;   /* the id: creation order + 1 */
    }
    r->ns[OP_HIT] = (double)(now_ns() - t0) / (double)n_users;
    t0 = now_ns();
    for (i = 0; i < n_users; i++)
        sum += h_find(&t, missing[i]) != NULL;
    r->ns[OP_MISS] = (double)(now_ns() - t0) / (double)n_users;
    r->checksum = sum;
    for (i = 0; i < n_users; i++) {
        count_free(all[i]->email, NULL);
        count_free(all[i], NULL);
    }
    count_free(t.slots, NULL);
    free(all);
}

static void report(const Run *g, const Run *h, size_t runs);

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    rel_allocator al = { count_malloc, count_realloc, count_free, NULL };
    size_t runs = 5, i, k;
    int check = 0;
    Run *g, *h;
    uint64_t rng = 0x9E3779B97F4A7C15u;

    n_users = 200000;
    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--users") == 0 && i + 1 < (size_t)argc)
            n_users = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < (size_t)argc)
            runs = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
    }
    if (check)
        runs = 1;
    if (!n_users || !runs)
        return 2;
    rel_set_allocator(&al);
    keys = (char **)malloc(n_users * sizeof *keys);
    missing = (char **)malloc(n_users * sizeof *missing);
    order = (size_t *)malloc(n_users * sizeof *order);
    g = (Run *)calloc(runs, sizeof *g);
    h = (Run *)calloc(runs, sizeof *h);
    if (!keys || !missing || !order || !g || !h)
        return 1;
    for (i = 0; i < n_users; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "user%zu@example.com", i * 7919 % n_users);
        keys[i] = strdup(buf);
        snprintf(buf, sizeof buf, "nobody%zu@example.org", i);
        missing[i] = strdup(buf);
        order[i] = i;
    }
    for (i = n_users; i-- > 1;) {   /* a random order of lookups */
        size_t j, t;
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
        j = (size_t)(rng % (i + 1));
        t = order[i]; order[i] = order[j]; order[j] = t;
    }
    for (k = 0; k < runs; k++) {
        run_generated(&g[k]);
        run_hand(&h[k]);
        if (g[k].checksum != h[k].checksum) {
            fprintf(stderr, "unique-bench: the generated code and the hand code found different users\n");
            return 1;
        }
    }
    if (check)
        printf("unique-bench --check: %zu users, generated and hand agree\n", n_users);
    else
        report(g, h, runs);
    for (i = 0; i < n_users; i++) {
        free(keys[i]);
        free(missing[i]);
    }
    free(keys);
    free(missing);
    free(order);
    free(g);
    free(h);
    return 0;
}

/* The medians and ratios. */
static void report(const Run *g, const Run *h, size_t runs)
{
    size_t i, k;
    printf("\nunique fields: User_get_by_email against a hand-written hash table, %zu users, median of %zu runs\n",
           n_users, runs);
    printf("%-22s %12s %12s %8s\n", "operation", "generated ns", "hand ns", "ratio");
    for (i = 0; i < N_OPS; i++) {
        double gv[64], hv[64], gm, hm;
        for (k = 0; k < runs && k < 64; k++) {
            gv[k] = g[k].ns[i];
            hv[k] = h[k].ns[i];
        }
        gm = median(gv, k);
        hm = median(hv, k);
        printf("%-22s %12.1f %12.1f %8.2f\n", op_names[i], gm, hm, gm / hm);
    }
    printf("%-22s %12.1f %12.1f %8.2f   (the index's table, per user)\n", "index bytes/user", g[0].index_bytes,
           h[0].index_bytes, g[0].index_bytes / h[0].index_bytes);
    printf("%-22s %12.1f %12.1f %8.2f   (everything a user costs, index included)\n", "all bytes/user",
           g[0].user_bytes, h[0].user_bytes, g[0].user_bytes / h[0].user_bytes);
}
