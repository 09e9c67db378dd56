/* generated.c: the workload on relc's generated API (catalog.rel). */
#include "catalog.h"
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>

static void *hook_malloc(size_t n, void *ud) { (void)ud; return count_malloc(n); }
static void *hook_realloc(void *p, size_t n, void *ud) { (void)ud; return count_realloc(p, n); }
static void hook_free(void *p, void *ud) { (void)ud; count_free(p); }

static void must(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "generated: %s failed\n", what);
        exit(3);
    }
}

void run_generated(const Workload *w, Result *r)
{
    rel_allocator counting = { hook_malloc, hook_realloc, hook_free, NULL };
    catalog_store *db;
    Author **authors;
    Student **students;
    Course **courses;
    size_t i, j, base;
    uint64_t sum;

    rel_set_allocator(&counting);
    db = catalog_store_new();
    authors = (Author **)malloc(w->n_authors * sizeof *authors);
    students = (Student **)malloc(w->n_students * sizeof *students);
    courses = (Course **)malloc(w->n_courses * sizeof *courses);
    must(db && authors && students && courses, "setup");

    /* (a) create */
    base = count_in_use();
    TIMED(r, OP_CREATE, w->n_authors + w->n_books + w->n_students + w->n_courses, {
        for (i = 0; i < w->n_authors; i++) {
            authors[i] = Author_new(db);
            Author_set_born(authors[i], (int32_t)i);
        }
        for (i = 0; i < w->n_books; i++) {
            Book *b = Book_new(db, authors[w->book_author[i]]);
            Book_set_pages(b, w->book_pages[i]);
        }
        r->bytes_per_book = (double)(count_in_use() - base) / (double)w->n_books;
        for (i = 0; i < w->n_students; i++) {
            students[i] = Student_new(db);
            Student_set_year(students[i], (int32_t)(i % 5));
        }
        for (i = 0; i < w->n_courses; i++) {
            courses[i] = Course_new(db);
            Course_set_credits(courses[i], (int32_t)(i % 7));
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
        rel_forall(Book, b, Book_all(db))
            sum += (uint64_t)Author_born(Book_author(b));
    });
    r->checksum[OP_FORWARD] = sum;

    /* (d) relink: books in id order, so that book i gets relink[i] */
    TIMED(r, OP_RELINK, w->n_books, {
        for (i = 0; i < w->n_books; i++)
            Book_set_author(Book_get(db, i + 1), authors[w->relink[i]]);
    });
    sum = 0;
    for (i = 0; i < w->n_authors; i++)
        rel_foreach(Book, b, Author_books(authors[i]))
            sum += (uint64_t)Book_pages(b) * (uint64_t)Author_born(authors[i]);
    r->checksum[OP_RELINK] = sum;

    /* (e) many-to-many */
    TIMED(r, OP_M2M_ADD, w->n_students * ENROLL_PER_STUDENT, {
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < ENROLL_PER_STUDENT; j++)
                Student_courses_add(students[i], courses[w->enroll[i * ENROLL_PER_STUDENT + j]]);
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
                Student_courses_remove(students[i], courses[w->enroll[i * ENROLL_PER_STUDENT + j]]);
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
    free(students);
    free(courses);
}
