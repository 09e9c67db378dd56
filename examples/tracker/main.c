/* tracker: unique fields, unique_together and to_field. */
#include "tracker.h"

#include <stdio.h>

int main(void)
{
    tracker_store *db = tracker_store_new();
    User *ann = User_new(db, "ann@example.com"), *bob = User_new(db, "bob@example.com");
    Project *relc = Project_new(db, "RELC");
    Issue *i1 = Issue_new(db, relc, 1), *i2 = Project_issues_create(relc, 2);
    User *found;

    Issue_set_title(i1, "find a user by e-mail");
    Issue_set_assignee(i1, ann);
    Watch_new(db, i1, bob);

    /* Lookups by the unique values, O(1). */
    found = User_get_by_email(db, "bob@example.com");
    printf("bob@example.com: user %llu\n", found ? (unsigned long long)User_id(found) : 0ull);
    printf("RELC-1: %s\n", Issue_title(Issue_get_by_project_number(db, relc, 1)));
    printf("RELC-3: %s\n", Issue_get_by_project_number(db, relc, 3) ? "found" : "none");

    /* Every call keeps them: nothing changes when one is refused. */
    printf("another ann: %s\n", User_new(db, "ann@example.com") ? "made" : tracker_store_errmsg(db));
    printf("renumber RELC-2 as 1: %s (%s)\n", rel_strerror(Issue_set_number(i2, 1)), tracker_store_errmsg(db));
    printf("bob watches RELC-1 twice: %s\n", Watch_new(db, i1, bob) ? "made" : tracker_store_errmsg(db));
    printf("ann's new e-mail: %s\n", rel_strerror(User_set_email(ann, "ann@example.org")));
    printf("ann@example.com: %s\n", User_get_by_email(db, "ann@example.com") ? "found" : "none");

    /* to_field: the relation is the pointer; fixtures write the e-mail. */
    printf("dumpdata:\n");
    tracker_store_dumpdata(db, stdout, 0);
    printf("\n");

    /* Deleting frees the values for others. */
    User_delete(bob);
    printf("watches after deleting bob: %zu\n", Watch_count(db));
    printf("bob again: %s\n", User_new(db, "bob@example.com") ? "made" : tracker_store_errmsg(db));
    printf("verify: %s\n", rel_strerror(tracker_store_verify(db)));
    tracker_store_free(db);
    return 0;
}
