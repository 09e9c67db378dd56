/* ast.c: node builders for the grammar's actions. */
#include "ast.h"
#include "vocab.h"

#include <string.h>

static Field *reverse_fields(Field *f);

void ast_builder_init(AstBuilder *b, Arena *a)
{
    b->arena = a;
    b->oom = false;
    b->schema = (Schema *)arena_alloc(a, sizeof *b->schema);
    if (!b->schema)
        b->oom = true;
    b->model_tail = b->schema ? &b->schema->models : NULL;
}

void ast_set_schema_name(AstBuilder *b, const char *name, Loc loc)
{
    if (!b->schema || !name)
        return;
    b->schema->name = name;
    b->schema->name_loc = loc;
    b->schema->name_given = true;
}

Model *ast_model(AstBuilder *b, const char *name, Loc loc, const char *doc, ModelBody body)
{
    Model *m;
    Field *f;

    if (!b->schema || !name)
        return NULL;
    m = (Model *)arena_alloc(b->arena, sizeof *m);
    if (!m) {
        b->oom = true;
        return NULL;
    }
    m->name = name;
    m->loc = loc;
    m->doc = doc;
    m->fields = reverse_fields(body.fields);
    m->options = ast_args_in_order(body.options);
    for (f = m->fields; f; f = f->next) {
        f->model = m;
        f->index = m->nfields++;
    }
    m->index = b->schema->nmodels++;
    *b->model_tail = m;
    b->model_tail = &m->next;
    return m;
}

Field *ast_field(AstBuilder *b, const char *name, Loc loc, const char *doc,
                 const char *type_name, Loc type_loc, Arg *args)
{
    Field *f;
    if (!name || !type_name)
        return NULL;
    f = (Field *)arena_alloc(b->arena, sizeof *f);
    if (!f) {
        b->oom = true;
        return NULL;
    }
    f->name = name;
    f->loc = loc;
    f->doc = doc;
    f->type_name = type_name;
    f->type_loc = type_loc;
    f->args = ast_args_in_order(args);
    return f;
}

/* Lists are built by pushing onto the front, which is O(1) however long
 * a model gets, and put back in source order by the node that owns them. */
Field *ast_field_push(Field *list, Field *f)
{
    if (!f)
        return list;
    f->next = list;
    return f;
}

static Field *reverse_fields(Field *f)
{
    Field *out = NULL;
    while (f) {
        Field *next = f->next;
        f->next = out;
        out = f;
        f = next;
    }
    return out;
}

Arg *ast_args_in_order(Arg *a)
{
    Arg *out = NULL;
    while (a) {
        Arg *next = a->next;
        a->next = out;
        out = a;
        a = next;
    }
    return out;
}

Arg *ast_arg(AstBuilder *b, const char *key, Loc key_loc, const Value *v, Loc loc)
{
    Arg *a = (Arg *)arena_alloc(b->arena, sizeof *a);
    if (!a) {
        b->oom = true;
        return NULL;
    }
    a->key = key;
    a->key_loc = key_loc;
    a->value = *v;
    a->loc = loc;
    return a;
}

Arg *ast_arg_push(Arg *list, Arg *a)
{
    if (!a)
        return list;
    a->next = list;
    return a;
}

const char *field_kind_name(FieldKind k)
{
    const TypeInfo *t = type_info(k);
    return t ? t->name : "?";
}

const char *on_delete_name(OnDelete od)
{
    const ActionInfo *a = action_info(od);
    return a ? a->name : "none";
}
