/* shop: category.products, and a '+' relation with no reverse side. */
#include "shop.h"

#include <stdio.h>

static Product *add(Category *c, const char *name, int64_t cents)
{
    Product *p = Category_products_create(c);
    Product_set_name(p, name);
    Product_set_price_cents(p, cents);
    return p;
}

int main(void)
{
    shop_store *db = shop_store_new();
    Category *tools = Category_new(db), *garden = Category_new(db);
    Product *p;
    int64_t total = 0;

    Category_set_name(tools, "Tools");
    Category_set_name(garden, "Garden");
    add(tools, "Hammer", 1299);
    add(tools, "Saw", 2450);
    p = add(garden, "Rake", 1800);
    Product_set_featured_in(p, tools);       /* forward only: related_name '+' */

    /* category.products.all() */
    rel_foreach(Product, x, Category_products(tools)) {
        printf("%s: %s %lld\n", Category_name(tools), Product_name(x), (long long)Product_price_cents(x));
        total += Product_price_cents(x);
    }
    printf("%zu products in %s, %lld cents in all\n", Category_products_count(tools),
           Category_name(tools), (long long)total);
    printf("Rake featured in %s\n", Category_name(Product_featured_in(p)));

    /* Deleting Tools cascades to its products; the '+' relation is
     * SET_NULL, so the Rake stays and loses its featured category. */
    printf("delete Tools: %s\n", rel_strerror(Category_delete(tools)));
    printf("products left %zu, Rake featured in %s\n", Product_count(db),
           Product_featured_in(p) ? Category_name(Product_featured_in(p)) : "nothing");
    printf("verify: %s\n", rel_strerror(shop_store_verify(db)));
    shop_store_free(db);
    return 0;
}
