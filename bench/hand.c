/* hand.c: the workload written by hand, as an expert writes it for
 * exactly this workload and nothing else.
 *
 * - Objects hold their fields and nothing more: a book is its author, its
 *   position in that author's vector and its pages (16 bytes); an author
 *   is the vector of its books and born (24 bytes).  No ids, no store
 *   pointer, no flags, no list of every object.
 * - Objects come from slabs (64 KiB chunks carved in order) with a
 *   last-in, first-out free list threaded through freed objects.
 * - A reverse set is a vector of pointers; each member stores its
 *   position in it, so leaving it is a swap with the last (O(1)).
 * - A many-to-many set is one vector per side, each entry with the
 *   position of the other end in the partner's vector ("back"), so that
 *   removal is O(1) on both sides once found; items and back positions
 *   share one block (one allocation, one pointer).
 * - The cascade (f) frees as it goes: each of the author's books back to
 *   the slab, its vector, the author.  Nothing to unlink, since every
 *   book goes with its author.
 * - Out of memory ends the program; there are no other errors, because
 *   nothing is checked: a dangling pointer is the caller's bug.
 *
 * The workload refers to "author i", "book i", "student i" and "course i"
 * (the i-th one created).  The driver keeps the pointers the creates
 * return in plain arrays to replay that; those arrays are the workload's,
 * not the implementation's: they come from malloc and are not counted in
 * bytes per book (generated.c's arrays of authors, students and courses
 * are not counted either; what it finds through the store, by walking it
 * or by id, is the library's and is counted). */
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct HBook HBook;

typedef struct HAuthor {
    HBook **books;            /* books[i]->pos == i */
    uint32_t nbooks, cap;
    int32_t born;
} HAuthor;

struct HBook {
    HAuthor *author;
    uint32_t pos;             /* where it sits in author->books */
    int32_t pages;
};

/* One side of a many-to-many relation: the partners, and after them in
 * the same block (at items + cap) where this object sits in each
 * partner's vector. */
typedef struct HSet {
    void **items;
    uint32_t count, cap;
} HSet;

#define BACK(s) ((uint32_t *)(void *)((s)->items + (s)->cap))

typedef struct HStudent { HSet courses; int32_t year; } HStudent;
typedef struct HCourse { HSet students; int32_t credits; } HCourse;

static void *xmalloc(size_t n)
{
    void *p = count_malloc(n);
    if (!p) {
        fprintf(stderr, "hand: out of memory\n");
        exit(3);
    }
    return p;
}

/* The driver's arrays (not the implementation's memory: plain malloc). */
static void *driver_array(size_t n, size_t size)
{
    void *p = malloc(n ? n * size : 1);
    if (!p) {
        fprintf(stderr, "hand: out of memory\n");
        exit(3);
    }
    return p;
}

/* ---- slabs ------------------------------------------------------------- */

/* Objects of one size carved in order from 64 KiB chunks; freed ones go on
 * a free list threaded through their first word and come back last in,
 * first out.  Chunks are linked through their first 16 bytes (which keeps
 * 16-byte objects 16-byte aligned, so that none straddles a cache line)
 * and are freed only with the slab. */
enum { CHUNK = 65536, CHUNK_HEADER = 16 };

typedef struct Slab {
    char *next, *end;         /* the rest of the newest chunk */
    void *free_list;
    void *chunks;
} Slab;

static void slab_grow(Slab *s, size_t size)
{
    char *c = (char *)xmalloc(CHUNK);
    *(void **)(void *)c = s->chunks;
    s->chunks = c;
    s->next = c + CHUNK_HEADER;
    s->end = s->next + (CHUNK - CHUNK_HEADER) / size * size;
}

static inline void *slab_get(Slab *s, size_t size)
{
    void *o = s->free_list;
    if (o) {
        s->free_list = *(void **)o;
        return o;
    }
    if (s->next == s->end)
        slab_grow(s, size);
    o = s->next;
    s->next += size;
    return o;
}

static inline void slab_put(Slab *s, void *o)
{
    *(void **)o = s->free_list;
    s->free_list = o;
}

static void slab_free(Slab *s)
{
    void *c, *next;
    for (c = s->chunks; c; c = next) {
        next = *(void **)c;
        count_free(c);
    }
}

/* ---- the author's books -------------------------------------------------- */

/* Doubles from 4, into a new block (measured: fewer instructions than
 * glibc's realloc, which seldom grows in place here). */
static void books_grow(HAuthor *a)
{
    uint32_t cap = a->cap ? a->cap * 2 : 4;
    HBook **p = (HBook **)xmalloc(cap * sizeof *p);
    if (a->nbooks)
        memcpy(p, a->books, a->nbooks * sizeof *p);
    count_free(a->books);
    a->books = p;
    a->cap = cap;
}

static inline void book_link(HBook *b, HAuthor *a)
{
    if (a->nbooks == a->cap)
        books_grow(a);
    b->pos = a->nbooks;
    a->books[a->nbooks++] = b;
    b->author = a;
}

/* Leaves its author's vector: the last book moves into its place. */
static inline void book_unlink(HBook *b)
{
    HAuthor *a = b->author;
    HBook *last = a->books[--a->nbooks];
    a->books[b->pos] = last;
    last->pos = b->pos;
}

/* ---- many-to-many ---------------------------------------------------------- */

/* Doubles from 4: a new block, the items and back positions copied to
 * their places in it. */
static void set_grow(HSet *s)
{
    uint32_t cap = s->cap ? s->cap * 2 : 4;
    char *p = (char *)xmalloc(cap * (sizeof(void *) + sizeof(uint32_t)));
    if (s->count) {
        memcpy(p, s->items, s->count * sizeof(void *));
        memcpy(p + cap * sizeof(void *), BACK(s), s->count * sizeof(uint32_t));
    }
    count_free(s->items);
    s->items = (void **)(void *)p;
    s->cap = cap;
}

/* Where c sits in s's courses, or UINT32_MAX: scans the smaller side. */
static inline uint32_t set_find(const HStudent *s, const HCourse *c)
{
    uint32_t i, n;
    if (s->courses.count <= c->students.count) {
        void *const *items = s->courses.items;
        for (i = 0, n = s->courses.count; i < n; i++)
            if (items[i] == c)
                return i;
    } else {
        void *const *items = c->students.items;
        for (i = 0, n = c->students.count; i < n; i++)
            if (items[i] == s)
                return BACK(&c->students)[i];
    }
    return UINT32_MAX;
}

static inline void set_add(HStudent *s, HCourse *c)
{
    HSet *a = &s->courses, *b = &c->students;
    uint32_t ia, ib;
    if (set_find(s, c) != UINT32_MAX)
        return;
    if (a->count == a->cap)
        set_grow(a);
    if (b->count == b->cap)
        set_grow(b);
    ia = a->count++;
    ib = b->count++;
    a->items[ia] = c;
    BACK(a)[ia] = ib;
    b->items[ib] = s;
    BACK(b)[ib] = ia;
}

/* Drops entry i of set v, whose partners keep their side at `other` bytes
 * into themselves: the last entry moves into the hole, and its partner
 * learns the new position. */
static inline void set_drop(HSet *v, uint32_t i, size_t other)
{
    uint32_t last = --v->count;
    if (i != last) {
        void **items = v->items;
        uint32_t *back = BACK(v), pos = back[last];
        void *moved = items[last];
        HSet *ms = (HSet *)(void *)((char *)moved + other);
        items[i] = moved;
        back[i] = pos;
        BACK(ms)[pos] = i;
    }
}

static inline void set_remove(HStudent *s, HCourse *c)
{
    uint32_t is = set_find(s, c), ic;
    if (is == UINT32_MAX)
        return;
    ic = BACK(&s->courses)[is];
    set_drop(&s->courses, is, offsetof(HCourse, students));
    set_drop(&c->students, ic, offsetof(HStudent, courses));
}

/* ---- the workload ------------------------------------------------------------ */

void run_hand(const Workload *w, Result *r)
{
    Slab author_slab = { 0, 0, 0, 0 }, book_slab = { 0, 0, 0, 0 };
    Slab student_slab = { 0, 0, 0, 0 }, course_slab = { 0, 0, 0, 0 };
    /* The driver's: the i-th object created, to replay the workload. */
    HAuthor **authors = (HAuthor **)driver_array(w->n_authors, sizeof *authors);
    HBook **books = (HBook **)driver_array(w->n_books, sizeof *books);
    HStudent **students = (HStudent **)driver_array(w->n_students, sizeof *students);
    HCourse **courses = (HCourse **)driver_array(w->n_courses, sizeof *courses);
    size_t nauthors = 0, nbooks = 0, i, j, base, mem;
    uint64_t sum;

    /* (a) create */
    base = count_in_use();
    mem = 0;
    TIMED(r, OP_CREATE, w->n_authors + w->n_books + w->n_students + w->n_courses, {
        for (i = 0; i < w->n_authors; i++) {
            HAuthor *a = (HAuthor *)slab_get(&author_slab, sizeof *a);
            a->books = NULL;
            a->nbooks = a->cap = 0;
            a->born = (int32_t)i;
            authors[i] = a;
        }
        nauthors = w->n_authors;
        for (i = 0; i < w->n_books; i++) {
            HBook *b = (HBook *)slab_get(&book_slab, sizeof *b);
            b->pages = w->book_pages[i];
            book_link(b, authors[w->book_author[i]]);
            books[i] = b;
        }
        nbooks = w->n_books;
        mem = count_in_use() - base;
        for (i = 0; i < w->n_students; i++) {
            HStudent *s = (HStudent *)slab_get(&student_slab, sizeof *s);
            s->courses.items = NULL;
            s->courses.count = s->courses.cap = 0;
            s->year = (int32_t)(i % 5);
            students[i] = s;
        }
        for (i = 0; i < w->n_courses; i++) {
            HCourse *c = (HCourse *)slab_get(&course_slab, sizeof *c);
            c->students.items = NULL;
            c->students.count = c->students.cap = 0;
            c->credits = (int32_t)(i % 7);
            courses[i] = c;
        }
    });
    r->checksum[OP_CREATE] = nauthors + nbooks + w->n_students + w->n_courses;

    /* (b) reverse traversal */
    sum = 0;
    TIMED(r, OP_REVERSE, w->n_books, {
        for (i = 0; i < w->n_authors; i++) {
            const HAuthor *a = authors[i];
            for (j = 0; j < a->nbooks; j++)
                sum += (uint64_t)a->books[j]->pages;
        }
    });
    r->checksum[OP_REVERSE] = sum;

    /* (c) forward */
    sum = 0;
    TIMED(r, OP_FORWARD, w->n_books, {
        for (i = 0; i < w->n_books; i++)
            sum += (uint64_t)books[i]->author->born;
    });
    r->checksum[OP_FORWARD] = sum;

    /* (d) relink.  Bytes per book: the authors' and books' memory after
     * (a), plus what relinking adds (vectors that grow). */
    base = count_in_use();
    TIMED(r, OP_RELINK, w->n_books, {
        for (i = 0; i < w->n_books; i++) {
            HBook *b = books[i];
            HAuthor *a = authors[w->relink[i]];
            if (b->author != a) {
                book_unlink(b);
                book_link(b, a);
            }
        }
    });
    mem += count_in_use() - base;
    r->bytes_per_book = (double)mem / (double)w->n_books;
    sum = 0;
    for (i = 0; i < w->n_authors; i++)
        for (j = 0; j < authors[i]->nbooks; j++)
            sum += (uint64_t)authors[i]->books[j]->pages * (uint64_t)authors[i]->born;
    r->checksum[OP_RELINK] = sum;

    /* (e) many-to-many */
    TIMED(r, OP_M2M_ADD, w->n_students * ENROLL_PER_STUDENT, {
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < ENROLL_PER_STUDENT; j++)
                set_add(students[i], courses[w->enroll[i * ENROLL_PER_STUDENT + j]]);
    });
    sum = 0;
    for (i = 0; i < w->n_students; i++)
        sum += students[i]->courses.count;
    r->checksum[OP_M2M_ADD] = sum;

    sum = 0;
    TIMED(r, OP_M2M_CONTAINS, w->n_books, {
        for (i = 0; i < w->n_books; i++)
            sum += set_find(students[w->query_student[i]], courses[w->query_course[i]]) != UINT32_MAX;
    });
    r->checksum[OP_M2M_CONTAINS] = sum;

    TIMED(r, OP_M2M_REMOVE, w->n_students * REMOVE_PER_STUDENT, {
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < REMOVE_PER_STUDENT; j++)
                set_remove(students[i], courses[w->enroll[i * ENROLL_PER_STUDENT + j]]);
    });
    sum = 0;
    for (i = 0; i < w->n_courses; i++)
        sum += courses[i]->students.count;
    r->checksum[OP_M2M_REMOVE] = sum;

    sum = 0;
    TIMED(r, OP_M2M_ITERATE, r->checksum[OP_M2M_REMOVE] ? r->checksum[OP_M2M_REMOVE] : 1, {
        for (i = 0; i < w->n_courses; i++) {
            const HSet *s = &courses[i]->students;
            for (j = 0; j < s->count; j++)
                sum += (uint64_t)((const HStudent *)s->items[j])->year + 1;
        }
    });
    r->checksum[OP_M2M_ITERATE] = sum;

    /* (f) delete every author, cascading to its books: each book back to
     * the slab, then the vector, then the author. */
    TIMED(r, OP_DELETE, w->n_authors + w->n_books, {
        for (i = 0; i < w->n_authors; i++) {
            HAuthor *a = authors[i];
            for (j = 0; j < a->nbooks; j++)
                slab_put(&book_slab, a->books[j]);
            nbooks -= a->nbooks;
            count_free(a->books);
            slab_put(&author_slab, a);
            nauthors--;
        }
    });
    r->checksum[OP_DELETE] = nauthors * 1000003u + nbooks * 1009u + w->n_students;

    for (i = 0; i < w->n_students; i++)
        count_free(students[i]->courses.items);
    for (i = 0; i < w->n_courses; i++)
        count_free(courses[i]->students.items);
    slab_free(&author_slab);
    slab_free(&book_slab);
    slab_free(&student_slab);
    slab_free(&course_slab);
    free(authors);
    free(books);
    free(students);
    free(courses);
}
