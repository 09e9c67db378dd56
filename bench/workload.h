/* workload.h: the benchmark's one workload, which every implementation
 * (generated, hand-written, SQLite) runs on the same precomputed random
 * choices, timing each operation and computing the same checksums. */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

enum { ENROLL_PER_STUDENT = 10, REMOVE_PER_STUDENT = 5 };

typedef struct Workload {
    size_t n_books, n_authors, n_students, n_courses;
    uint32_t *book_author;    /* [n_books] index of the book's first author */
    int32_t *book_pages;      /* [n_books] */
    uint32_t *relink;         /* [n_books] index of its author after (d) */
    uint32_t *enroll;         /* [n_students * ENROLL_PER_STUDENT] course indexes;
                                 the first REMOVE_PER_STUDENT are removed again */
    uint32_t *query_student;  /* [n_books] membership queries: each student */
    uint32_t *query_course;   /* in turn, asked about random courses */
} Workload;

/* The timed operations, in the order they run. */
enum {
    OP_CREATE,        /* (a) every object, each book linked to its author */
    OP_REVERSE,       /* (b) for each author, sum its books' pages (per book) */
    OP_FORWARD,       /* (c) for each book, read its author's born */
    OP_RELINK,        /* (d) every book to another author */
    OP_M2M_ADD,       /* (e) ENROLL_PER_STUDENT adds per student */
    OP_M2M_CONTAINS,  /*     n_books membership queries */
    OP_M2M_REMOVE,    /*     REMOVE_PER_STUDENT removes per student */
    OP_M2M_ITERATE,   /*     every course's students (per link) */
    OP_DELETE,        /* (f) every author, cascading to its books (per object) */
    N_OPS,
    /* What the generated API offers that hand.c has no counterpart for,
     * timed on the generated side only (between (c) and (d)): */
    OP_WALK = N_OPS,  /* every Book through the store (Book_all), reading
                         its author's born, as (c) does through the array */
    OP_GET,           /* every Book by id (Book_get), the first call
                         building the id index */
    N_ALL_OPS
};

typedef struct Result {
    double ns_per_op[N_ALL_OPS];
    double inst_per_op[N_ALL_OPS];   /* user-space instructions; 0: no counter */
    uint64_t checksum[N_ALL_OPS];     /* OP_WALK's must equal OP_FORWARD's */
    double bytes_per_book;    /* heap in use for authors and books after (a),
                                 plus what (d) adds, over n_books; what the
                                 driver keeps to replay the workload does
                                 not count */
    double index_bytes_per_book;  /* what OP_GET's id index takes */
    double peak_rss_mib;      /* filled in by the harness */
} Result;

/* Monotonic time and a heap that counts its bytes in use (glibc's
 * malloc_usable_size plus the chunk header), for implementations to
 * allocate through. */
uint64_t now_ns(void);
/* Instructions this process has retired in user space so far (Linux
 * perf_event_open); 0 where the counter cannot be had. */
uint64_t now_inst(void);
/* Marks a phase boundary for callgrind: op < 0 before a phase, else the
 * phase that just ended (bench/inst.sh reads the dumps). */
void phase_mark(int op);
void *count_malloc(size_t n);
void *count_realloc(void *p, size_t n);
void count_free(void *p);
/* Like count_malloc, at an address that is a multiple of alignment (for
 * rel_set_aligned_alloc); freed with count_free. */
void *count_aligned_alloc(size_t alignment, size_t n);
size_t count_in_use(void);

/* Runs the statements after nops and stores the time and the instructions
 * per operation in r->ns_per_op[op] and r->inst_per_op[op].  (Variadic,
 * so that commas in the body are fine.) */
#define TIMED(r, op, nops, ...)                                               \
    do {                                                                      \
        uint64_t i0_, t0_;                                                    \
        phase_mark(-1);                                                       \
        i0_ = now_inst();                                                     \
        t0_ = now_ns();                                                       \
        __VA_ARGS__;                                                          \
        (r)->ns_per_op[op] = (double)(now_ns() - t0_) / (double)(nops);       \
        phase_mark(op);                                                       \
        (r)->inst_per_op[op] = (double)(now_inst() - i0_) / (double)(nops);   \
    } while (0)

void run_generated(const Workload *w, Result *r);
void run_hand(const Workload *w, Result *r);
void run_sqlite(const Workload *w, Result *r);

#endif
