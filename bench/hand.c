/* hand.c: the workload written by hand, as well as we can: structs with
 * direct pointers, reverse sets as pointer vectors where each element
 * stores its position (O(1) removal), many-to-many sets as two such
 * vectors that store each other's positions, and objects from slabs with a
 * free list.  It does what the workload needs and no more: no ids, no
 * error messages, no store checks, no allocator failure handling beyond
 * stopping.  Like a real program (and like the generated store), it does
 * not know the number of objects in advance: its lists of every author and
 * every book grow by doubling. */
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct HBook HBook;
typedef struct HCourse HCourse;
typedef struct HStudent HStudent;

typedef struct HAuthor {
    HBook **books;
    uint32_t nbooks, capbooks;
    uint32_t pos;             /* in the list of every author */
    int32_t born;
} HAuthor;

struct HBook {
    HAuthor *author;
    uint32_t pos_in_author;   /* where it sits in author->books */
    uint32_t pos;             /* in the list of every book */
    int32_t pages;
};

/* One side of a many-to-many set: the partners, and where this object
 * sits in each partner's set. */
typedef struct HSet {
    void **items;
    uint32_t *back;
    uint32_t count, cap;
} HSet;

struct HStudent { HSet courses; int32_t year; };
struct HCourse { HSet students; int32_t credits; };

static void *xalloc(void *p, size_t n)
{
    p = count_realloc(p, n);
    if (!p) {
        fprintf(stderr, "hand: out of memory\n");
        exit(3);
    }
    return p;
}

/* A slab: objects of one size carved from 64 KiB chunks, freed onto a list. */
typedef struct Slab {
    size_t size;
    char *next, *end;
    void *free_list;
    void **chunks;
    size_t nchunks;
} Slab;

static void *slab_get(Slab *s)
{
    void *o = s->free_list;
    if (o) {
        s->free_list = *(void **)o;
        return o;
    }
    if (s->next == s->end) {
        size_t bytes = (65536 / s->size) * s->size;
        s->chunks = (void **)xalloc(s->chunks, (s->nchunks + 1) * sizeof *s->chunks);
        s->next = (char *)xalloc(NULL, bytes);
        s->chunks[s->nchunks++] = s->next;
        s->end = s->next + bytes;
    }
    o = s->next;
    s->next += s->size;
    return o;
}

static void slab_put(Slab *s, void *o)
{
    *(void **)o = s->free_list;
    s->free_list = o;
}

static void slab_free(Slab *s)
{
    size_t i;
    for (i = 0; i < s->nchunks; i++)
        count_free(s->chunks[i]);
    count_free(s->chunks);
}

/* Pointer vectors grow by doubling. */
static void grow(void **items, uint32_t **back, uint32_t *cap)
{
    uint32_t n = *cap ? *cap * 2 : 4;
    *items = xalloc(*items, n * sizeof(void *));
    if (back)
        *back = (uint32_t *)xalloc(*back, n * sizeof(uint32_t));
    *cap = n;
}

static void author_link(HAuthor *a, HBook *b)
{
    if (a->nbooks == a->capbooks)
        grow((void **)&a->books, NULL, &a->capbooks);
    b->pos_in_author = a->nbooks;
    a->books[a->nbooks++] = b;
    b->author = a;
}

static void author_unlink(HBook *b)
{
    HAuthor *a = b->author;
    HBook *last = a->books[--a->nbooks];
    a->books[b->pos_in_author] = last;
    last->pos_in_author = b->pos_in_author;
}

static uint32_t set_find(const HStudent *s, const HCourse *c)
{
    uint32_t i;
    if (s->courses.count <= c->students.count) {
        for (i = 0; i < s->courses.count; i++)
            if (s->courses.items[i] == c)
                return i;
    } else {
        for (i = 0; i < c->students.count; i++)
            if (c->students.items[i] == s)
                return c->students.back[i];
    }
    return UINT32_MAX;
}

static void set_add(HStudent *s, HCourse *c)
{
    if (set_find(s, c) != UINT32_MAX)
        return;
    if (s->courses.count == s->courses.cap)
        grow((void **)&s->courses.items, &s->courses.back, &s->courses.cap);
    if (c->students.count == c->students.cap)
        grow((void **)&c->students.items, &c->students.back, &c->students.cap);
    s->courses.items[s->courses.count] = c;
    s->courses.back[s->courses.count] = c->students.count;
    c->students.items[c->students.count] = s;
    c->students.back[c->students.count] = s->courses.count;
    s->courses.count++;
    c->students.count++;
}

static void set_remove(HStudent *s, HCourse *c)
{
    uint32_t is = set_find(s, c), ic, last;
    if (is == UINT32_MAX)
        return;
    ic = s->courses.back[is];
    last = --s->courses.count;
    if (is != last) {
        HCourse *moved = (HCourse *)s->courses.items[last];
        s->courses.items[is] = moved;
        s->courses.back[is] = s->courses.back[last];
        moved->students.back[s->courses.back[is]] = is;
    }
    last = --c->students.count;
    if (ic != last) {
        HStudent *moved = (HStudent *)c->students.items[last];
        c->students.items[ic] = moved;
        c->students.back[ic] = c->students.back[last];
        moved->courses.back[c->students.back[ic]] = ic;
    }
}

void run_hand(const Workload *w, Result *r)
{
    Slab author_slab = { sizeof(HAuthor), 0, 0, 0, 0, 0 };
    Slab book_slab = { sizeof(HBook), 0, 0, 0, 0, 0 };
    HAuthor **authors;     /* every author, at its pos */
    HBook **books;         /* every book, at its pos */
    HStudent *students;
    HCourse *courses;
    size_t nauthors = 0, nbooks = 0, capauthors = 0, capbooks = 0, i, j, base;
    uint64_t sum;

    base = count_in_use();
    authors = NULL;
    books = NULL;
    students = (HStudent *)xalloc(NULL, w->n_students * sizeof *students);
    courses = (HCourse *)xalloc(NULL, w->n_courses * sizeof *courses);

    /* (a) create */
    TIMED(r, OP_CREATE, w->n_authors + w->n_books + w->n_students + w->n_courses, {
        for (i = 0; i < w->n_authors; i++) {
            HAuthor *a = (HAuthor *)slab_get(&author_slab);
            a->books = NULL;
            a->nbooks = a->capbooks = 0;
            a->born = (int32_t)i;
            a->pos = (uint32_t)nauthors;
            if (nauthors == capauthors) {
                capauthors = capauthors ? capauthors * 2 : 16;
                authors = (HAuthor **)xalloc(authors, capauthors * sizeof *authors);
            }
            authors[nauthors++] = a;
        }
        for (i = 0; i < w->n_books; i++) {
            HBook *b = (HBook *)slab_get(&book_slab);
            b->pages = w->book_pages[i];
            b->pos = (uint32_t)nbooks;
            if (nbooks == capbooks) {
                capbooks = capbooks ? capbooks * 2 : 16;
                books = (HBook **)xalloc(books, capbooks * sizeof *books);
            }
            books[nbooks++] = b;
            author_link(authors[w->book_author[i]], b);
        }
        r->bytes_per_book = (double)(count_in_use() - base) / (double)w->n_books;
        for (i = 0; i < w->n_students; i++) {
            students[i].courses.items = NULL;
            students[i].courses.back = NULL;
            students[i].courses.count = students[i].courses.cap = 0;
            students[i].year = (int32_t)(i % 5);
        }
        for (i = 0; i < w->n_courses; i++) {
            courses[i].students.items = NULL;
            courses[i].students.back = NULL;
            courses[i].students.count = courses[i].students.cap = 0;
            courses[i].credits = (int32_t)(i % 7);
        }
    });
    r->checksum[OP_CREATE] = nauthors + nbooks + w->n_students + w->n_courses;

    sum = 0;
    TIMED(r, OP_REVERSE, w->n_books, {
        for (i = 0; i < w->n_authors; i++) {
            HAuthor *a = authors[i];
            for (j = 0; j < a->nbooks; j++)
                sum += (uint64_t)a->books[j]->pages;
        }
    });
    r->checksum[OP_REVERSE] = sum;

    sum = 0;
    TIMED(r, OP_FORWARD, w->n_books, {
        for (i = 0; i < nbooks; i++)
            sum += (uint64_t)books[i]->author->born;
    });
    r->checksum[OP_FORWARD] = sum;

    TIMED(r, OP_RELINK, w->n_books, {
        for (i = 0; i < w->n_books; i++) {
            HBook *b = books[i];
            HAuthor *a = authors[w->relink[i]];
            if (b->author != a) {
                author_unlink(b);
                author_link(a, b);
            }
        }
    });
    sum = 0;
    for (i = 0; i < w->n_authors; i++)
        for (j = 0; j < authors[i]->nbooks; j++)
            sum += (uint64_t)authors[i]->books[j]->pages * (uint64_t)authors[i]->born;
    r->checksum[OP_RELINK] = sum;

    TIMED(r, OP_M2M_ADD, w->n_students * ENROLL_PER_STUDENT, {
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < ENROLL_PER_STUDENT; j++)
                set_add(&students[i], &courses[w->enroll[i * ENROLL_PER_STUDENT + j]]);
    });
    sum = 0;
    for (i = 0; i < w->n_students; i++)
        sum += students[i].courses.count;
    r->checksum[OP_M2M_ADD] = sum;

    sum = 0;
    TIMED(r, OP_M2M_CONTAINS, w->n_books, {
        for (i = 0; i < w->n_books; i++)
            sum += set_find(&students[w->query_student[i]], &courses[w->query_course[i]]) != UINT32_MAX;
    });
    r->checksum[OP_M2M_CONTAINS] = sum;

    TIMED(r, OP_M2M_REMOVE, w->n_students * REMOVE_PER_STUDENT, {
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < REMOVE_PER_STUDENT; j++)
                set_remove(&students[i], &courses[w->enroll[i * ENROLL_PER_STUDENT + j]]);
    });
    sum = 0;
    for (i = 0; i < w->n_courses; i++)
        sum += courses[i].students.count;
    r->checksum[OP_M2M_REMOVE] = sum;

    sum = 0;
    TIMED(r, OP_M2M_ITERATE, r->checksum[OP_M2M_REMOVE] ? r->checksum[OP_M2M_REMOVE] : 1, {
        for (i = 0; i < w->n_courses; i++)
            for (j = 0; j < courses[i].students.count; j++)
                sum += (uint64_t)((HStudent *)courses[i].students.items[j])->year + 1;
    });
    r->checksum[OP_M2M_ITERATE] = sum;

    /* (f) delete every author and, by cascade, its books */
    TIMED(r, OP_DELETE, w->n_authors + w->n_books, {
        /* Last to first, so that removing each from the list of every
         * author moves nothing. */
        for (i = w->n_authors; i-- > 0;) {
            HAuthor *a = authors[i], *lasta;
            for (j = 0; j < a->nbooks; j++) {
                HBook *b = a->books[j], *last = books[--nbooks];
                books[b->pos] = last;
                last->pos = b->pos;
                slab_put(&book_slab, b);
            }
            count_free(a->books);
            lasta = authors[--nauthors];
            authors[a->pos] = lasta;
            lasta->pos = a->pos;
            slab_put(&author_slab, a);
        }
    });
    r->checksum[OP_DELETE] = nauthors * 1000003u + nbooks * 1009u + w->n_students;

    for (i = 0; i < w->n_students; i++) {
        count_free(students[i].courses.items);
        count_free(students[i].courses.back);
    }
    for (i = 0; i < w->n_courses; i++) {
        count_free(courses[i].students.items);
        count_free(courses[i].students.back);
    }
    slab_free(&author_slab);
    slab_free(&book_slab);
    count_free(authors);
    count_free(books);
    count_free(students);
    count_free(courses);
}
