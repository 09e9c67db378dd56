/* through.c: `make bench`'s through-model benchmark (bench/through.rel).
 *
 *   through-bench [--posts N] [--runs R] [--check]
 *
 * N posts, N/10 tags, each post given K = 8 distinct tags.  The same
 * operations on the plain many-to-many (Post.tags) and on the one through
 * Label (Post.labels): add every pair, iterate every post's set (summing
 * the tags' ids), find each pair's Label (through only), remove every
 * pair, then delete every post with its links.  Prints, per operation,
 * the median over R runs of ns per pair for each and their ratio (through
 * / plain), all from one run of the program.  --check: a small N, and
 * both stores must verify after each step (what `make check` runs). */
#include "tb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { K = 8, MAXRUNS = 15 };
enum { OP_ADD, OP_ITER, OP_FIND, OP_REMOVE, OP_READD, OP_DELETE, NOPS };
static const char *const op_names[NOPS] = {
    "add", "iterate", "find the pair's Label", "remove", "add again", "delete the posts",
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool check;

static void verify(const tb_store *db, const char *what)
{
    if (check && tb_store_verify(db) != REL_OK) {
        fprintf(stderr, "through-bench: verify after %s: %s\n", what, tb_store_errmsg(db));
        exit(1);
    }
}

/* The tag index of post i's j-th tag: distinct for one post. */
static size_t tag_of(size_t i, size_t j, size_t ntags) { return (i * 7 + j * (ntags / K + 1)) % ntags; }

/* Gives every post its K tags, through or not; the ns it took. */
static double add_all(Post **posts, size_t nposts, Tag **tags, size_t ntags, bool through)
{
    uint64_t t = now_ns();
    size_t i, j;
    for (i = 0; i < nposts; i++)
        for (j = 0; j < K; j++)
            if ((through ? Post_labels_add(posts[i], tags[tag_of(i, j, ntags)])
                         : Post_tags_add(posts[i], tags[tag_of(i, j, ntags)])) != REL_OK)
                exit(3);
    return (double)(now_ns() - t);
}

/* One run over one store; through selects the relation.  ns[op] gets ns
 * per pair; *sum a checksum of what iteration saw. */
static void run(size_t nposts, bool through, double *ns, uint64_t *sum, uint64_t *found)
{
    size_t ntags = nposts / 10 < K * 2 ? K * 2 : nposts / 10, i, j;
    tb_store *db = tb_store_new();
    Post **posts = (Post **)malloc(nposts * sizeof *posts);
    Tag **tags = (Tag **)malloc(ntags * sizeof *tags);
    double pairs = (double)nposts * K;
    uint64_t t, s = 0, f = 0;
    if (!db || !posts || !tags)
        exit(2);
    for (i = 0; i < ntags; i++)
        tags[i] = Tag_new(db);
    for (i = 0; i < nposts; i++)
        posts[i] = Post_new(db);

    ns[OP_ADD] = add_all(posts, nposts, tags, ntags, through) / pairs;
    verify(db, "add");

    t = now_ns();
    for (i = 0; i < nposts; i++) {
        TagList l = through ? Post_labels(posts[i]) : Post_tags(posts[i]);
        rel_foreach(Tag, x, l)
            s += Tag_id(x);
    }
    ns[OP_ITER] = (double)(now_ns() - t) / pairs;

    t = now_ns();
    for (i = 0; through && i < nposts; i++)
        for (j = 0; j < K; j++)
            f += Label_id(Post_labels_through(posts[i], tags[tag_of(i, j, ntags)]));
    ns[OP_FIND] = through ? (double)(now_ns() - t) / pairs : 0;

    t = now_ns();
    for (i = 0; i < nposts; i++)
        for (j = 0; j < K; j++)
            if ((through ? Post_labels_remove(posts[i], tags[tag_of(i, j, ntags)])
                         : Post_tags_remove(posts[i], tags[tag_of(i, j, ntags)])) != REL_OK)
                exit(3);
    ns[OP_REMOVE] = (double)(now_ns() - t) / pairs;
    verify(db, "remove");

    /* Again, with the memory the first adds grew (and, through, the
     * Labels' freed slots). */
    ns[OP_READD] = add_all(posts, nposts, tags, ntags, through) / pairs;

    t = now_ns();
    if (Post_delete_many(posts, nposts) != REL_OK)
        exit(3);
    ns[OP_DELETE] = (double)(now_ns() - t) / pairs;
    verify(db, "delete");
    if (Label_count(db) != 0)
        exit(4);
    *sum = s;
    *found = f;
    tb_store_free(db);
    free(posts);
    free(tags);
}

int main(int argc, char **argv)
{
    size_t nposts = 100000, runs = 5, r, op;
    double ns[2][NOPS][MAXRUNS];
    uint64_t sums[2] = { 0, 0 }, found = 0;
    int a;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--posts") == 0 && a + 1 < argc)
            nposts = (size_t)strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc)
            runs = (size_t)strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--check") == 0)
            check = true, nposts = 2000, runs = 1;
        else {
            fprintf(stderr, "usage: through-bench [--posts N] [--runs R] [--check]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > MAXRUNS || nposts < 10) {
        fprintf(stderr, "through-bench: 1 to %d runs, at least 10 posts\n", MAXRUNS);
        return 2;
    }
    for (r = 0; r < runs; r++) {
        double one[NOPS];
        uint64_t sum;
        int which;
        for (which = 0; which < 2; which++) {   /* plain, then through, each run */
            run(nposts, which == 1, one, &sum, &found);
            sums[which] = sum;
            for (op = 0; op < NOPS; op++)
                ns[which][op][r] = one[op];
        }
    }
    printf("through models: %zu posts x %d tags, median of %zu runs, ns per pair\n", nposts, K, runs);
    printf("  %-24s %10s %10s %8s\n", "operation", "plain", "through", "ratio");
    for (op = 0; op < NOPS; op++) {
        double p, t;
        qsort(ns[0][op], runs, sizeof(double), cmp_double);
        qsort(ns[1][op], runs, sizeof(double), cmp_double);
        p = ns[0][op][runs / 2];
        t = ns[1][op][runs / 2];
        if (op == OP_FIND)
            printf("  %-24s %10s %10.1f %8s\n", op_names[op], "-", t, "-");
        else
            printf("  %-24s %10.1f %10.1f %7.2fx\n", op_names[op], p, t, p > 0 ? t / p : 0);
    }
    /* Both relations iterated the same tags; each pair found its Label
     * (ids 1 to N * K, made in that order: their sum is known). */
    if (sums[0] != sums[1] || found != (uint64_t)nposts * K * ((uint64_t)nposts * K + 1) / 2) {
        fprintf(stderr, "through-bench: the checksums differ (%llu, %llu; %llu)\n", (unsigned long long)sums[0],
                (unsigned long long)sums[1], (unsigned long long)found);
        return 1;
    }
    if (check)
        printf("through-bench: checked\n");
    return 0;
}
