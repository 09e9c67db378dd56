/* generated.c: the workload on relc's generated API (catalog.rel), as a
 * user of that API writes it.
 *
 * How it reaches the objects the workload names: "author i", "book i",
 * "student i" and "course i" are the pointers the creates returned, kept
 * in arrays, as any program keeps what it creates and uses again.
 * hand.c keeps the same arrays.  They are the driver's, not the store's,
 * and are not counted in bytes per book on either side.
 *
 * The store can also find its objects itself, which hand.c cannot: it
 * walks every Book (Book_all) and finds one by id (Book_get, whose id
 * index is built on the first call).  Those two are timed apart (OP_WALK
 * and OP_GET, after (c)), with the bytes the index takes, so that what
 * they cost is visible without being charged to (c) and (d).
 * Every call that can fail is checked, as a program must. */
#include "catalog.h"
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>

static void *hook_malloc(size_t n, void *ud) { (void)ud; return count_malloc(n); }
static void *hook_realloc(void *p, size_t n, void *ud) { (void)ud; return count_realloc(p, n); }
static void hook_free(void *p, void *ud) { (void)ud; count_free(p); }
static void *hook_aligned(size_t alignment, size_t n, void *ud) { (void)ud; return count_aligned_alloc(alignment, n); }

#if defined(__GNUC__)
__attribute__((noreturn, cold))
#endif
static void die(const char *what)
{
    fprintf(stderr, "generated: %s failed\n", what);
    exit(3);
}

static inline void must(int ok, const char *what)
{
    if (!ok)
        die(what);
}

void run_generated(const Workload *w, Result *r)
{
    rel_allocator counting = { hook_malloc, hook_realloc, hook_free, NULL };
    catalog_store *db;
    Author **authors;
    Book **books;
    Student **students;
    Course **courses;
    size_t i, j, base, mem;
    uint64_t sum;

    rel_set_allocator(&counting);
    rel_set_aligned_alloc(hook_aligned);   /* regions one at a time, none wasted */
    db = catalog_store_new();
    authors = (Author **)malloc(w->n_authors * sizeof *authors);
    books = (Book **)malloc(w->n_books * sizeof *books);
    students = (Student **)malloc(w->n_students * sizeof *students);
    courses = (Course **)malloc(w->n_courses * sizeof *courses);
    must(db && authors && books && students && courses, "setup");

    /* (a) create */
    base = count_in_use();
    mem = 0;
    TIMED(r, OP_CREATE, w->n_authors + w->n_books + w->n_students + w->n_courses, {
        for (i = 0; i < w->n_authors; i++) {
            Author *a = Author_new(db);
            must(a && Author_set_born(a, (int32_t)i) == REL_OK, "Author_new");
            authors[i] = a;
        }
        for (i = 0; i < w->n_books; i++) {
            Book *b = Book_new(db, authors[w->book_author[i]]);
            must(b && Book_set_pages(b, w->book_pages[i]) == REL_OK, "Book_new");
            books[i] = b;
        }
        mem = count_in_use() - base;
        for (i = 0; i < w->n_students; i++) {
            Student *s = Student_new(db);
            must(s && Student_set_year(s, (int32_t)(i % 5)) == REL_OK, "Student_new");
            students[i] = s;
        }
        for (i = 0; i < w->n_courses; i++) {
            Course *c = Course_new(db);
            must(c && Course_set_credits(c, (int32_t)(i % 7)) == REL_OK, "Course_new");
            courses[i] = c;
        }
    });
    r->checksum[OP_CREATE] = Author_count(db) + Book_count(db) + Student_count(db) + Course_count(db);

    /* (b) reverse traversal */
    sum = 0;
    TIMED(r, OP_REVERSE, w->n_books, {
        for (i = 0; i < w->n_authors; i++) {
            rel_foreach(Book, b, Author_books(authors[i]))
                sum += (uint64_t)Book_pages(b);
        }
    });
    r->checksum[OP_REVERSE] = sum;

    /* (c) forward */
    sum = 0;
    TIMED(r, OP_FORWARD, w->n_books, {
        for (i = 0; i < w->n_books; i++)
            sum += (uint64_t)Author_born(Book_author(books[i]));
    });
    r->checksum[OP_FORWARD] = sum;

    /* What the store offers beyond the arrays: the same walk over the
     * store's own Books, and every Book by id.  The id index is the
     * store's memory, reported apart (it stays until the store goes, but
     * (d)'s measurement below starts after it). */
    sum = 0;
    TIMED(r, OP_WALK, w->n_books, {
        rel_forall(Book, b, Book_all(db))
            sum += (uint64_t)Author_born(Book_author(b));
    });
    r->checksum[OP_WALK] = sum;
    sum = 0;
    base = count_in_use();
    TIMED(r, OP_GET, w->n_books, {
        for (i = 0; i < w->n_books; i++) {
            Book *b = Book_get(db, i + 1);
            must(b == books[i], "Book_get");
            sum += (uint64_t)Book_pages(b);
        }
    });
    r->index_bytes_per_book = (double)(count_in_use() - base) / (double)w->n_books;
    r->checksum[OP_GET] = sum;

    /* (d) relink.  Bytes per book: the authors' and books' memory after
     * (a), plus what (d) adds (lists that grow). */
    base = count_in_use();
    TIMED(r, OP_RELINK, w->n_books, {
        for (i = 0; i < w->n_books; i++)
            must(Book_set_author(books[i], authors[w->relink[i]]) == REL_OK, "Book_set_author");
    });
    mem += count_in_use() - base;
    r->bytes_per_book = (double)mem / (double)w->n_books;
    sum = 0;
    for (i = 0; i < w->n_authors; i++)
        rel_foreach(Book, b, Author_books(authors[i]))
            sum += (uint64_t)Book_pages(b) * (uint64_t)Author_born(authors[i]);
    r->checksum[OP_RELINK] = sum;

    /* (e) many-to-many */
    TIMED(r, OP_M2M_ADD, w->n_students * ENROLL_PER_STUDENT, {
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < ENROLL_PER_STUDENT; j++)
                must(Student_courses_add(students[i], courses[w->enroll[i * ENROLL_PER_STUDENT + j]]) == REL_OK,
                     "Student_courses_add");
    });
    sum = 0;
    for (i = 0; i < w->n_students; i++)
        sum += Student_courses_count(students[i]);
    r->checksum[OP_M2M_ADD] = sum;

    sum = 0;
    TIMED(r, OP_M2M_CONTAINS, w->n_books, {
        for (i = 0; i < w->n_books; i++)
            sum += Student_courses_contains(students[w->query_student[i]], courses[w->query_course[i]]);
    });
    r->checksum[OP_M2M_CONTAINS] = sum;

    TIMED(r, OP_M2M_REMOVE, w->n_students * REMOVE_PER_STUDENT, {
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < REMOVE_PER_STUDENT; j++)
                must(Student_courses_remove(students[i], courses[w->enroll[i * ENROLL_PER_STUDENT + j]]) == REL_OK,
                     "Student_courses_remove");
    });
    sum = 0;
    for (i = 0; i < w->n_courses; i++)
        sum += Course_students_count(courses[i]);
    r->checksum[OP_M2M_REMOVE] = sum;

    sum = 0;
    TIMED(r, OP_M2M_ITERATE, r->checksum[OP_M2M_REMOVE] ? r->checksum[OP_M2M_REMOVE] : 1, {
        for (i = 0; i < w->n_courses; i++)
            rel_foreach(Student, s, Course_students(courses[i]))
                sum += (uint64_t)Student_year(s) + 1;
    });
    r->checksum[OP_M2M_ITERATE] = sum;

    /* (f) delete every author, cascading */
    TIMED(r, OP_DELETE, w->n_authors + w->n_books, {
        for (i = 0; i < w->n_authors; i++)
            must(Author_delete(authors[i]) == REL_OK, "Author_delete");
    });
    r->checksum[OP_DELETE] = Author_count(db) * 1000003u + Book_count(db) * 1009u + Student_count(db);

    must(catalog_store_verify(db) == REL_OK, "verify");
    catalog_store_free(db);
    free(authors);
    free(books);
    free(students);
    free(courses);
}
