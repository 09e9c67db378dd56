/* sql.c: the workload on SQLite in memory, used the way a program uses it
 * as its object store: the same tables, foreign keys enforced with
 * ON DELETE CASCADE, an index on every foreign key and on both columns of
 * the link table, prepared statements reused, each phase in a
 * transaction. */
#include "workload.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static sqlite3 *db;

static void die(const char *what)
{
    fprintf(stderr, "sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    exit(3);
}

static void exec(const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(sql);
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql);
    return st;
}

/* Binds up to two integers, steps to the end, and returns the sum of the
 * first column over the rows (for queries) or 0 (for changes). */
static int64_t run(sqlite3_stmt *st, int64_t a, int64_t b, int nargs)
{
    int64_t sum = 0;
    int rc;
    sqlite3_bind_int64(st, 1, a);
    if (nargs > 1)
        sqlite3_bind_int64(st, 2, b);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        sum += sqlite3_column_int64(st, 0);
    if (rc != SQLITE_DONE)
        die(sqlite3_sql(st));
    sqlite3_reset(st);
    return sum;
}

static int64_t scalar(const char *sql)
{
    sqlite3_stmt *st = prepare(sql);
    int64_t v = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

void run_sqlite(const Workload *w, Result *r)
{
    sqlite3_stmt *ins_author, *ins_book, *ins_student, *ins_course, *books_of, *author_of,
        *set_author, *enroll, *enrolled, *unenroll, *students_of, *del_author;
    size_t i, j;
    int64_t base;
    uint64_t sum;

    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        die("open");
    exec("PRAGMA foreign_keys = ON;"
         "CREATE TABLE author(id INTEGER PRIMARY KEY, born INTEGER NOT NULL);"
         "CREATE TABLE book(id INTEGER PRIMARY KEY, pages INTEGER NOT NULL,"
         "  author_id INTEGER NOT NULL REFERENCES author(id) ON DELETE CASCADE);"
         "CREATE INDEX book_author ON book(author_id);"
         "CREATE TABLE student(id INTEGER PRIMARY KEY, year INTEGER NOT NULL);"
         "CREATE TABLE course(id INTEGER PRIMARY KEY, credits INTEGER NOT NULL);"
         "CREATE TABLE enrollment("
         "  student_id INTEGER NOT NULL REFERENCES student(id) ON DELETE CASCADE,"
         "  course_id INTEGER NOT NULL REFERENCES course(id) ON DELETE CASCADE,"
         "  PRIMARY KEY (student_id, course_id)) WITHOUT ROWID;"
         "CREATE INDEX enrollment_course ON enrollment(course_id);");
    ins_author = prepare("INSERT INTO author(id, born) VALUES (?1, ?1 - 1)");
    ins_book = prepare("INSERT INTO book(pages, author_id) VALUES (?1, ?2)");
    ins_student = prepare("INSERT INTO student(id, year) VALUES (?1, (?1 - 1) % 5)");
    ins_course = prepare("INSERT INTO course(id, credits) VALUES (?1, (?1 - 1) % 7)");
    books_of = prepare("SELECT pages FROM book WHERE author_id = ?1");
    author_of = prepare("SELECT born FROM author WHERE id = (SELECT author_id FROM book WHERE id = ?1)");
    set_author = prepare("UPDATE book SET author_id = ?2 WHERE id = ?1");
    enroll = prepare("INSERT OR IGNORE INTO enrollment(student_id, course_id) VALUES (?1, ?2)");
    enrolled = prepare("SELECT count(*) FROM enrollment WHERE student_id = ?1 AND course_id = ?2");
    unenroll = prepare("DELETE FROM enrollment WHERE student_id = ?1 AND course_id = ?2");
    students_of = prepare("SELECT s.year + 1 FROM enrollment e JOIN student s ON s.id = e.student_id"
                          " WHERE e.course_id = ?1");
    del_author = prepare("DELETE FROM author WHERE id = ?1");

    /* (a) create; ids are index + 1 */
    base = sqlite3_memory_used();
    TIMED(r, OP_CREATE, w->n_authors + w->n_books + w->n_students + w->n_courses, {
        exec("BEGIN");
        for (i = 0; i < w->n_authors; i++)
            run(ins_author, (int64_t)i + 1, 0, 1);
        for (i = 0; i < w->n_books; i++)
            run(ins_book, w->book_pages[i], (int64_t)w->book_author[i] + 1, 2);
        r->bytes_per_book = (double)(sqlite3_memory_used() - base) / (double)w->n_books;
        for (i = 0; i < w->n_students; i++)
            run(ins_student, (int64_t)i + 1, 0, 1);
        for (i = 0; i < w->n_courses; i++)
            run(ins_course, (int64_t)i + 1, 0, 1);
        exec("COMMIT");
    });
    r->checksum[OP_CREATE] = (uint64_t)scalar("SELECT (SELECT count(*) FROM author) + (SELECT count(*) FROM book)"
                                              " + (SELECT count(*) FROM student) + (SELECT count(*) FROM course)");

    sum = 0;
    TIMED(r, OP_REVERSE, w->n_books, {
        exec("BEGIN");
        for (i = 0; i < w->n_authors; i++)
            sum += (uint64_t)run(books_of, (int64_t)i + 1, 0, 1);
        exec("COMMIT");
    });
    r->checksum[OP_REVERSE] = sum;

    sum = 0;
    TIMED(r, OP_FORWARD, w->n_books, {
        exec("BEGIN");
        for (i = 0; i < w->n_books; i++)
            sum += (uint64_t)run(author_of, (int64_t)i + 1, 0, 1);
        exec("COMMIT");
    });
    r->checksum[OP_FORWARD] = sum;

    TIMED(r, OP_RELINK, w->n_books, {
        exec("BEGIN");
        for (i = 0; i < w->n_books; i++)
            run(set_author, (int64_t)i + 1, (int64_t)w->relink[i] + 1, 2);
        exec("COMMIT");
    });
    r->checksum[OP_RELINK] = (uint64_t)scalar("SELECT sum(b.pages * a.born) FROM book b JOIN author a ON a.id = b.author_id");

    TIMED(r, OP_M2M_ADD, w->n_students * ENROLL_PER_STUDENT, {
        exec("BEGIN");
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < ENROLL_PER_STUDENT; j++)
                run(enroll, (int64_t)i + 1, (int64_t)w->enroll[i * ENROLL_PER_STUDENT + j] + 1, 2);
        exec("COMMIT");
    });
    r->checksum[OP_M2M_ADD] = (uint64_t)scalar("SELECT count(*) FROM enrollment");

    sum = 0;
    TIMED(r, OP_M2M_CONTAINS, w->n_books, {
        exec("BEGIN");
        for (i = 0; i < w->n_books; i++)
            sum += (uint64_t)run(enrolled, (int64_t)w->query_student[i] + 1, (int64_t)w->query_course[i] + 1, 2);
        exec("COMMIT");
    });
    r->checksum[OP_M2M_CONTAINS] = sum;

    TIMED(r, OP_M2M_REMOVE, w->n_students * REMOVE_PER_STUDENT, {
        exec("BEGIN");
        for (i = 0; i < w->n_students; i++)
            for (j = 0; j < REMOVE_PER_STUDENT; j++)
                run(unenroll, (int64_t)i + 1, (int64_t)w->enroll[i * ENROLL_PER_STUDENT + j] + 1, 2);
        exec("COMMIT");
    });
    r->checksum[OP_M2M_REMOVE] = (uint64_t)scalar("SELECT count(*) FROM enrollment");

    sum = 0;
    TIMED(r, OP_M2M_ITERATE, r->checksum[OP_M2M_REMOVE] ? r->checksum[OP_M2M_REMOVE] : 1, {
        exec("BEGIN");
        for (i = 0; i < w->n_courses; i++)
            sum += (uint64_t)run(students_of, (int64_t)i + 1, 0, 1);
        exec("COMMIT");
    });
    r->checksum[OP_M2M_ITERATE] = sum;

    TIMED(r, OP_DELETE, w->n_authors + w->n_books, {
        exec("BEGIN");
        for (i = 0; i < w->n_authors; i++)
            run(del_author, (int64_t)i + 1, 0, 1);
        exec("COMMIT");
    });
    r->checksum[OP_DELETE] = (uint64_t)scalar("SELECT (SELECT count(*) FROM author) * 1000003"
                                              " + (SELECT count(*) FROM book) * 1009 + (SELECT count(*) FROM student)");

    sqlite3_finalize(ins_author);
    sqlite3_finalize(ins_book);
    sqlite3_finalize(ins_student);
    sqlite3_finalize(ins_course);
    sqlite3_finalize(books_of);
    sqlite3_finalize(author_of);
    sqlite3_finalize(set_author);
    sqlite3_finalize(enroll);
    sqlite3_finalize(enrolled);
    sqlite3_finalize(unenroll);
    sqlite3_finalize(students_of);
    sqlite3_finalize(del_author);
    sqlite3_close(db);
    db = NULL;
}
