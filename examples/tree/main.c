/* tree: a self ForeignKey that cascades down, and a symmetrical set. */
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
    rel_status st;

    printf("Ceo has %zu reports, Cto has %zu\n", Employee_reports_count(ceo),
           Employee_reports_count(cto));
    Employee_friends_add(dev, ops);          /* symmetrical: both ways */
    printf("Ops's friends: %zu, Dev and Ops friends: %s\n", Employee_friends_count(ops),
           Employee_friends_contains(ops, dev) ? "yes" : "no");

    /* Deleting Cto cascades to Dev, whose friendship goes from both sides. */
    st = Employee_delete(cto);
    printf("delete Cto: %s; employees left %zu; Ops's friends %zu\n", rel_strerror(st),
           Employee_count(db), Employee_friends_count(ops));

    Employee_friends_add(ceo, ceo);          /* a link to oneself is one entry */
    printf("Ceo's friends: %zu\n", Employee_friends_count(ceo));
    st = Employee_delete(ceo);
    printf("delete Ceo: %s; employees left %zu\n", rel_strerror(st), Employee_count(db));
    printf("verify: %s\n", rel_strerror(tree_store_verify(db)));
    tree_store_free(db);
    return 0;
}
