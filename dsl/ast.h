/* ast.h: the syntax tree of a schema, and what resolution adds to it.
 *
 * The parser builds Schema, Model, Field, Arg and Value nodes and nothing
 * else (ast.c holds the builders its actions call).  check.c then fills the
 * "resolved" part of each Field: the field's kind, its options decoded into
 * plain C values, the target model and the reverse accessor.  The emitter
 * reads only resolved nodes of a schema that passed every check.
 *
 * All nodes live in the compilation's arena; identifiers are interned, so
 * two names are equal exactly when their pointers are.
 */
#ifndef RELC_AST_H
#define RELC_AST_H

#include "arena.h"
#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- syntax ------------------------------------------------------------- */

typedef enum ValueKind {
    VAL_STRING,     /* "text" or 'text', escapes decoded */
    VAL_INT,        /* -12 */
    VAL_FLOAT,      /* 1.5, 2e10 */
    VAL_IDENT,      /* CASCADE, true, Author, self */
    VAL_CALL,       /* SET(...): parsed only to be rejected with a hint */
    VAL_LIST        /* ("a", "b") or ["a", "b"]: args, all positional */
} ValueKind;

typedef struct Arg Arg;

typedef struct Value {
    ValueKind kind;
    Loc loc;
    const char *text;     /* string: decoded; ident: interned; numbers: as written */
    size_t len;           /* bytes in text */
    uint64_t magnitude;   /* VAL_INT: absolute value */
    bool negative;        /* VAL_INT: written with '-' */
    bool overflow;        /* VAL_INT: magnitude does not fit 64 bits */
    Arg *args;            /* VAL_CALL, VAL_LIST: the elements */
} Value;

struct Arg {
    Arg *next;
    Loc loc;              /* the whole argument */
    const char *key;      /* interned; NULL for a positional argument */
    Loc key_loc;
    Value value;
};

/* ---- resolution --------------------------------------------------------- */

typedef enum FieldKind {
    FK_UNRESOLVED = 0,
    FK_BOOL, FK_INT8, FK_INT16, FK_INT32, FK_INT64,
    FK_UINT8, FK_UINT16, FK_UINT32, FK_UINT64,
    FK_FLOAT, FK_DOUBLE, FK_STRING,
    FK_FOREIGN_KEY, FK_ONE_TO_ONE, FK_MANY_TO_MANY,
    FK_GENERIC_FK,          /* GenericForeignKey: a relation, one part per listed target */
    FK_GENERIC_REL          /* GenericRelation: names a part's reverse accessor; check.c
                               takes it out of its model's field list */
} FieldKind;

typedef enum OnDelete {
    OD_NONE = 0, OD_CASCADE, OD_PROTECT, OD_RESTRICT, OD_SET_NULL
} OnDelete;

typedef struct Model Model;
typedef struct Field Field;

/* A scalar field's default, decoded once by check.c so that the emitter
 * only prints it.  `nonzero` is false for the type's zero (false, 0, +0.0,
 * ""), which a new object gets without being told. */
typedef struct FieldDefault {
    bool nonzero;
    bool b;                  /* bool */
    int64_t i;               /* int8 .. int64 */
    uint64_t u;              /* uint8 .. uint64 */
    double d;                /* double; float: the value as a float */
    const char *s;           /* string: decoded bytes (may hold NUL) */
    size_t len;
} FieldDefault;

struct Field {
    Field *next;
    Model *model;            /* the model that declares it */
    const char *name;        /* interned */
    Loc loc;                 /* the name */
    const char *type_name;   /* interned, as written */
    Loc type_loc;
    Arg *args;
    const char *doc;         /* /// lines, joined with '\n'; NULL if none */
    size_t index;            /* position in its model */

    /* Filled by check.c. */
    FieldKind kind;
    bool is_relation;
    /* scalars */
    const Value *default_value;   /* as written; NULL: the type's zero */
    FieldDefault def;             /* the same, decoded for the C type */
    uint64_t max_length;          /* 0: unlimited */
    /* relations */
    Model *target;
    const Arg *target_arg;
    bool target_is_self;     /* written self / "self" */
    OnDelete on_delete;
    bool null;
    const Value *related_name_value;   /* the option as written, if any */
    const char *related_name;          /* after %(class)s substitution */
    bool hidden;             /* related_name '+' or '...+' */
    bool symmetrical;        /* ManyToMany to self, both directions */
    const Arg *symmetrical_arg;   /* the option, if written */
    const char *accessor;    /* interned reverse accessor; NULL: none */
    /* Through models (check_through.c).  On a ManyToManyField: the options
     * as written, the through model, and its two ForeignKeys that carry
     * the relation (to the declaring model, to the target).  On such a
     * ForeignKey: the ManyToManyField it serves. */
    const Arg *through_arg, *through_fields_arg;
    Model *through;
    Field *through_src, *through_dst;
    Field *serves;
    /* unique fields, unique_together, to_field (check_unique.c) */
    const Arg *unique_arg;   /* unique = ..., as written; NULL: not given */
    bool unique;             /* unique = true */
    bool ctor_arg;           /* a scalar in a unique constraint: an argument
                                of every constructor of its model */
    const Value *to_field_value;  /* to_field = ..., as written */
    Field *to_field;         /* the target's field it names; NULL: the pk */
    /* Generic relations (check_generic.c).  A GenericForeignKey (the head,
     * in its model's field list) has one part per listed target: a Field
     * of the same kind, model and name, not in the list, indexed after
     * the model's fields (Model.nparts), that is what the target's
     * incoming list and the descriptor's relations hold. */
    Field **parts;           /* head: its parts, in the order listed */
    size_t nparts;
    const char *ct_field, *fk_field;   /* head: the fixture names, interned */
    Field *head;             /* part: its GenericForeignKey; NULL otherwise */
    Field *grel;             /* part: the GenericRelation naming its accessor;
                                GenericRelation: the part it names */
    const Value *object_id_field, *content_type_field;   /* GenericRelation */
};

/* One unique constraint of a model: a field with unique = true, or one
 * group of unique_together (fields in the order written). */
typedef struct Unique {
    Field **fields;
    size_t n;
    Loc loc;                 /* the field, or the group */
    bool together;           /* from unique_together */
} Unique;

struct Model {
    Model *next;
    const char *name;        /* interned */
    Loc loc;                 /* the name */
    const char *doc;
    Field *fields;
    size_t nfields;
    Arg *options;            /* model options (name = value;), in order */
    size_t index;            /* position in the schema */

    /* Filled by check.c: relations pointing here, in declaration order
     * (model order, then field order).  These are the reverse sides. */
    Field **incoming;
    size_t nincoming;
    bool duplicate;          /* a second model of this name: ignored */
    Unique *uniques;         /* its unique constraints (check_unique.c):
                                unique fields in order, then unique_together */
    size_t nuniques;
    size_t nparts;           /* parts of its GenericForeignKeys (index
                                nfields + j) */
    Field *grels;            /* its GenericRelation fields, taken out of
                                `fields` by check_generic.c */
};

typedef struct Schema {
    const char *name;        /* interned; from `schema NAME;` or the file */
    Loc name_loc;
    bool name_given;
    Model *models;
    size_t nmodels;
    Model **model_array;     /* filled by check.c, in declaration order */
} Schema;

/* ---- builders, called by the grammar's actions -------------------------- */

/* What the grammar collects between a model's braces. */
typedef struct ModelBody {
    Field *fields;           /* pushed in reverse */
    Arg *options;            /* pushed in reverse */
} ModelBody;

typedef struct AstBuilder {
    Arena *arena;
    Schema *schema;
    Model **model_tail;
    bool oom;
} AstBuilder;

void   ast_builder_init(AstBuilder *b, Arena *a);
void   ast_set_schema_name(AstBuilder *b, const char *name, Loc loc);
Model *ast_model(AstBuilder *b, const char *name, Loc loc, const char *doc, ModelBody body);
Field *ast_field(AstBuilder *b, const char *name, Loc loc, const char *doc,
                 const char *type_name, Loc type_loc, Arg *args);
/* Lists are pushed in reverse; ast_model and ast_field restore the order of
 * their own lists, and a call value restores its arguments with
 * ast_args_in_order. */
Field *ast_field_push(Field *list, Field *f);
Arg   *ast_arg(AstBuilder *b, const char *key, Loc key_loc, const Value *v, Loc loc);
Arg   *ast_arg_push(Arg *list, Arg *a);
Arg   *ast_args_in_order(Arg *reversed);

const char *field_kind_name(FieldKind k);

static inline bool field_is_gfk(const Field *f) { return f->kind == FK_GENERIC_FK; }
const char *on_delete_name(OnDelete od);

#endif
