/* The integration projects' program: built against an installed relc by
 * CMake, make and pkg-config (tests/run_install.sh). */
#include "shelf.h"

#include <stdio.h>

int main(void)
{
    shelf_store *db = shelf_store_new();
    Shelf *s;
    if (!db)
        return 1;
    s = Shelf_new(db);
    Shelf_set_label(s, "top");
    Item_set_name(Shelf_items_create(s), "lamp");
    Item_set_name(Shelf_items_create(s), "clock");
    printf("%s holds %zu items\n", Shelf_label(s), Shelf_items_count(s));
    Shelf_delete(s);
    printf("after the delete: %zu items\n", Item_count(db));
    shelf_store_free(db);
    return 0;
}
