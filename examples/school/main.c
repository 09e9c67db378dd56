/* school: many-to-many sets from both sides, and refused deletes. */
#include "school.h"

#include <stdio.h>

static void roster(const Course *c)
{
    printf("%s:", Course_title(c));
    rel_foreach(Student, s, Course_students(c))
        printf(" %s", Student_name(s));
    printf("\n");
}

int main(void)
{
    school_store *db = school_store_new();
    Student *ann = Student_new(db), *bob = Student_new(db);
    Course *math, *art;
    Teacher *t = Teacher_new(db);
    rel_status st;

    Student_set_name(ann, "Ann");
    Student_set_name(bob, "Bob");
    math = Student_courses_create(ann);
    Course_set_title(math, "Math");
    art = Course_new(db);
    Course_set_title(art, "Art");
    Student_courses_add(bob, math);
    Course_students_add(art, ann);
    Student_courses_add(ann, math);          /* already there: nothing changes */
    roster(math);
    roster(art);
    printf("Ann takes %zu courses; Bob in Art: %s\n", Student_courses_count(ann),
           Student_courses_contains(bob, art) ? "yes" : "no");

    Assignment_new(db, math, t);
    st = Teacher_delete(t);
    printf("delete teacher: %s (%s)\n", rel_strerror(st), school_store_errmsg(db));
    st = Course_delete(math);                /* cascades to the assignment */
    printf("delete Math: %s; Ann takes %zu, assignments %zu\n", rel_strerror(st),
           Student_courses_count(ann), Assignment_count(db));
    printf("delete teacher: %s\n", rel_strerror(Teacher_delete(t)));
    Student_courses_clear(ann);
    roster(art);
    printf("verify: %s\n", rel_strerror(school_store_verify(db)));
    school_store_free(db);
    return 0;
}
