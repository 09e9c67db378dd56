/* tree: a self ForeignKey that cascades down, a symmetrical set, and a
 * one-to-one pair. */
#include "tree.h"

#include <stdio.h>

static Employee *hire(tree_store *db, const char *name, Employee *boss)
{
    Employee *e = Employee_new(db);
    Employee_set_name(e, name);
    Employee_set_manager(e, boss);
    return e;
}

int main(void)
{
    tree_store *db = tree_store_new();
    Employee *ceo = hire(db, "Ceo", NULL);
    Employee *cto = hire(db, "Cto", ceo);
    Employee *dev = hire(db, "Dev", cto);
    Employee *ops = hire(db, "Ops", ceo);
    User *u = User_new(db);
    Profile *p = Profile_new(db, u);

    printf("Ceo has %zu reports, Cto has %zu\n", Employee_reports_count(ceo),
           Employee_reports_count(cto));
    Employee_friends_add(dev, ops);          /* symmetrical: both ways */
    printf("Ops's friends: %zu, Dev and Ops friends: %s\n", Employee_friends_count(ops),
           Employee_friends_contains(ops, dev) ? "yes" : "no");

    printf("delete Cto: %s; employees left %zu; Ops's friends %zu\n",
           rel_strerror(Employee_delete(cto)), Employee_count(db), Employee_friends_count(ops));

    printf("profile of user %llu: %s\n", (unsigned long long)User_id(u), Profile_bio(User_profile(u)));
    printf("second profile: %s (%s)\n", Profile_new(db, u) ? "made" : "refused", tree_store_errmsg(db));
    printf("delete user: %s; profiles %zu\n", rel_strerror(User_delete(u)), Profile_count(db));
    (void)p;
    printf("verify: %s\n", rel_strerror(tree_store_verify(db)));
    tree_store_free(db);
    return 0;
}
