/* company: managed_departments and departments on one Employee. */
#include "company.h"

#include <stdio.h>

static Employee *hire(company_store *db, const char *name)
{
    Employee *e = Employee_new(db);
    Employee_set_name(e, name);
    return e;
}

static void describe(const Employee *e)
{
    printf("%s manages", Employee_name(e));
    rel_foreach(Department, d, Employee_managed_departments(e))
        printf(" %s", Department_name(d));
    printf("; works in");
    rel_foreach(Department, d, Employee_departments(e))
        printf(" %s", Department_name(d));
    printf("\n");
}

int main(void)
{
    company_store *db = company_store_new();
    Employee *ada = hire(db, "Ada"), *bo = hire(db, "Bo");
    Department *rd = Department_new(db, ada), *ops = Employee_managed_departments_create(bo);

    Department_set_name(rd, "R&D");
    Department_set_name(ops, "Ops");
    Department_workers_add(rd, bo);
    Employee_departments_add(ada, ops);       /* the reverse side adds too */
    Department_workers_add(ops, bo);
    describe(ada);
    describe(bo);

    /* PROTECT: Ada manages R&D, so she cannot be deleted ... */
    printf("delete Ada: %s\n", rel_strerror(Employee_delete(ada)));
    printf("  %s\n", company_store_errmsg(db));
    /* ... until R&D has another manager. */
    Department_set_manager(rd, bo);
    printf("delete Ada: %s\n", rel_strerror(Employee_delete(ada)));
    describe(bo);
    printf("Ops has %zu workers\n", Department_workers_count(ops));
    printf("verify: %s\n", rel_strerror(company_store_verify(db)));
    company_store_free(db);
    return 0;
}
