/* library: Django's author.books, in C. */
#include "library.h"

#include <stdio.h>

static void show(const Author *a)
{
    printf("%s has %zu book(s):", Author_name(a), Author_books_count(a));
    rel_foreach(Book, b, Author_books(a))
        printf(" \"%s\"", Book_title(b));
    printf("\n");
}

int main(void)
{
    library_store *db = library_store_new();
    Author *alex, *sam;
    Book *b;

    if (!db)
        return 1;
    alex = Author_new(db);
    sam = Author_new(db);
    Author_set_name(alex, "Alex Smith");
    Author_set_name(sam, "Sam Jones");

    /* book.author = alex;  alex.books.create(...) */
    b = Book_new(db, alex);
    Book_set_title(b, "How Django Works");
    b = Author_books_create(alex);
    Book_set_title(b, "How to Sell Django Books");
    b = Author_books_create(sam);
    Book_set_title(b, "What Alex Got Wrong");
    Book_set_editor(b, alex);
    show(alex);
    show(sam);

    /* Book.objects.filter(author=alex): walk the reverse set. */
    printf("books by %s with %d pages:", Author_name(alex), 100);
    rel_foreach(Book, x, Author_books(alex))
        if (Book_pages(x) == 100)
            printf(" %llu", (unsigned long long)Book_id(x));
    printf("\n");

    /* A title longer than max_length is refused, and nothing changes. */
    printf("too long: %s\n", rel_strerror(Book_set_title(b, "x"
        "..........................................................................................."
        "..........................................................................................."
        "..........................................................................................")));
    printf("title still: %s\n", Book_title(b));

    /* Moving a book keeps both sides in step. */
    Author_books_add(sam, Author_books(alex).items[0]);
    show(alex);
    show(sam);

    /* Deleting Alex cascades to Alex's books; Sam's book loses its editor. */
    printf("delete Alex Smith: %s\n", rel_strerror(Author_delete(alex)));
    printf("authors %zu, books %zu, editor of \"%s\": %s\n", Author_count(db), Book_count(db),
           Book_title(b), Book_editor(b) ? "set" : "none");
    rel_forall(Book, left, Book_all(db))
        printf("left: \"%s\" by %s\n", Book_title(left), Author_name(Book_author(left)));
    printf("verify: %s\n", rel_strerror(library_store_verify(db)));
    library_store_free(db);
    return 0;
}
