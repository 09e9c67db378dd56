/* The same program against code generated with relc_generate(... PREFIX
 * app_): every generated name, and the output files, carry the prefix. */
#include "app_shelf.h"

#include <stdio.h>

int main(void)
{
    app_shelf_store *db = app_shelf_store_new();
    app_Shelf *s;
    if (!db)
        return 1;
    s = app_Shelf_new(db);
    app_Shelf_set_label(s, "top");
    app_Item_set_name(app_Shelf_items_create(s), "lamp");
    app_Item_set_name(app_Shelf_items_create(s), "clock");
    printf("%s holds %zu items\n", app_Shelf_label(s), app_Shelf_items_count(s));
    app_Shelf_delete(s);
    printf("after the delete: %zu items\n", app_Item_count(db));
    app_shelf_store_free(db);
    return 0;
}
