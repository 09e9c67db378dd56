/* tagging: django-taggit's tags, through one generic TaggedItem model. */
#include "tagging.h"

#include <stdio.h>
#include <string.h>

/* Tags an object of any listed model; the store keeps the tag's and the
 * object's sides in step. */
static void tag(tagging_store *db, Tag *t, void *object)
{
    TaggedItem *item = TaggedItem_new(db, t, object);
    if (!item)
        printf("cannot tag: %s\n", tagging_store_errmsg(db));
}

static const char *model_name(int model)
{
    switch (model) {
    case tagging_Bookmark_model: return "Bookmark";
    case tagging_Photo_model: return "Photo";
    case tagging_Note_model: return "Note";
    default: return "nothing";
    }
}

static void show_tags(const char *what, TaggedItemList items)
{
    printf("%s:", what);
    rel_foreach(TaggedItem, item, items)
        printf(" %s", Tag_name(TaggedItem_tag(item)));
    printf("\n");
}

/* With --indent, the fixture at the end is written as dumpdata --indent 2
 * writes it (tests/fixtures/generic_django.py compares both with Django). */
int main(int argc, char **argv)
{
    int indent = argc > 1 && strcmp(argv[1], "--indent") == 0 ? 2 : 0;
    tagging_store *db = tagging_store_new();
    Tag *c = Tag_new(db), *django = Tag_new(db), *todo = Tag_new(db);
    Bookmark *docs = Bookmark_new(db);
    Photo *cat = Photo_new(db);
    Note *note = Note_new(db);
    rel_status st;

    Tag_set_name(c, "c");
    Tag_set_name(django, "django");
    Tag_set_name(todo, "todo");
    Bookmark_set_url(docs, "https://docs.djangoproject.com/");
    Photo_set_title(cat, "cat.jpg");
    Note_set_text(note, "write the README");

    tag(db, c, docs);
    tag(db, django, docs);
    tag(db, todo, note);
    tag(db, todo, cat);
    tag(db, c, Tag_new(db));              /* a Tag cannot be tagged: refused */
    show_tags("bookmark", Bookmark_tagged_items(docs));
    show_tags("photo", Photo_tagged_items(cat));

    /* Which model each of todo's items points at. */
    printf("todo is on:");
    rel_foreach(TaggedItem, item, Tag_tagged_items(todo))
        printf(" %s", model_name(TaggedItem_content_object_model(item)));
    printf("\n");

    /* Moving an item to another model keeps both sides in step. */
    TaggedItem_set_content_object_Bookmark(Photo_tagged_items(cat).items[0], docs);
    show_tags("bookmark after the move", Bookmark_tagged_items(docs));
    printf("photo tags: %zu\n", Photo_tagged_items_count(cat));

    /* A deleted note takes its tagged items with it, though Note declares
     * no GenericRelation: nothing dangles. */
    st = Note_delete(note);
    printf("delete note: %s; tagged items %zu\n", rel_strerror(st), TaggedItem_count(db));
    /* Django's remove deletes the tagged item. */
    Bookmark_tagged_items_remove(docs, Bookmark_tagged_items(docs).items[0]);
    show_tags("bookmark after remove", Bookmark_tagged_items(docs));
    /* A deleted tag goes from every object. */
    Tag_delete(django);
    show_tags("bookmark after deleting the tag django", Bookmark_tagged_items(docs));
    printf("tagged items %zu\n", TaggedItem_count(db));
    tagging_store_dumpdata(db, stdout, indent);
    printf("\nverify: %s\n", rel_strerror(tagging_store_verify(db)));
    tagging_store_free(db);
    return 0;
}
