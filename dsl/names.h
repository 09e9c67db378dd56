/* names.h: every C identifier that relc generates, computed in one place.
 *
 * The checks (collisions, keywords, reserved names) and the emitter both
 * read these tables, so what is checked is exactly what is written.  For
 * schema S, prefix P, model M, field f and reverse accessor rv:
 *
 *   P S_store, P S_store_new/_free/_errmsg/_verify
 *   P M, P MList, P M_new/_delete/_delete_many/_id/_get/_all/_next/_count/_store
 *   scalar, ForeignKey, OneToOneField:  P M_f, P M_set_f
 *   ManyToManyField:  P M_r and P M_r_count/_contains/_add/_remove/_clear/_create,
 *                     and P M_r_through with a through model
 *   reverse of a ForeignKey on T:  P T_rv, _count, _contains, _add, _create,
 *                                  and _remove, _clear when null = true
 *   reverse of a OneToOneField:    P T_rv
 *   reverse of a ManyToManyField:  the forward set, under rv
 *   unique constraint over f1, f2:  P M_get_by_f1_f2
 *   GenericForeignKey f:  P M_f, P M_set_f (untyped), P M_f_model, and per
 *                         listed T: P M_f_T, P M_set_f_T
 *   reverse of a GenericForeignKey (GenericRelation rv on T): the set API
 *                         of a ForeignKey's reverse, with _remove, _clear
 *
 * Struct members are the bare field and accessor names; relc's own members
 * and internal symbols start with rel_, which user names may not.  The
 * parameters of generated functions are words chosen here so that they
 * can be no generated identifier, field name or other parameter.
 */
#ifndef RELC_NAMES_H
#define RELC_NAMES_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

#include <stdbool.h>

typedef struct SchemaNames {
    const char *store, *store_new, *store_free, *store_errmsg, *store_verify;
    const char *delete_result;  /* S_delete_result */
    const char *nmodels;        /* S_NMODELS */
    const char *store_dumpdata, *store_loaddata;   /* Django's fixtures */
    const char *guard;          /* include guard macro */
    const char *base;           /* P S: file names NAME.h, NAME.c */
    const char *desc;           /* the schema descriptor: rel_desc_P S */
} SchemaNames;

/* Parameter and local names of generated functions: the object a call is
 * made on, another object, a value, the store, an array of objects and its
 * length, an id, a list view.  "o", "x", "value", "db", "objects", "n",
 * "id", "l" unless the schema uses those words. */
typedef struct LocalNames {
    const char *self, *other, *value, *db, *objects, *n, *id, *view;
} LocalNames;

typedef struct ModelNames {
    const char *type, *list;
    const char *new_, *delete_, *delete_many, *delete_ex, *delete_plan, *id, *get, *all, *next, *count, *store;
    const char *number;         /* S_M_model: its number among the models */
} ModelNames;

/* The functions of one side of a relation, or of a scalar (get, set). */
typedef struct SideNames {
    const char *get;            /* scalar/FK/O2O getter; M2M and reverse: the list */
    const char *set;            /* scalar, FK, O2O forward */
    const char *count, *contains, *add, *remove, *clear, *create;
    const char *through;        /* many-to-many with a through model: the
                                   pair's through object */
} SideNames;

typedef struct FieldNames {
    SideNames fwd;              /* on the declaring model */
    SideNames rev;              /* on the target; all NULL without accessor */
    /* Relations only: */
    size_t relation;            /* k: its place among the schema's relations */
    const char *rev_member;     /* member on the target holding the reverse
                                   side: the accessor, the forward member of a
                                   symmetrical relation, or rel_rev_k */
    const char *pos_member;     /* ForeignKey: rel_pos_f, its place in the
                                   target's reverse list */
    const char *param;          /* parameter name in constructors (relations
                                   and unique scalars): the field name, or
                                   name_ where that is a generated
                                   identifier or a LocalNames word */
    const char *through_param;  /* a required relation of a through model,
                                   as an argument of add and create of the
                                   relations through it: param, or param
                                   plus 1_, 2_ ... where that is a parameter
                                   of the partner's constructor too */
    /* GenericForeignKey, on its head: P M_f_model, which model it points
     * at; on head and parts: rel_ct_f, the discriminator member.  (A part's
     * fwd is its typed pair P M_f_T, P M_set_f_T; the head's the untyped
     * P M_f, P M_set_f.) */
    const char *model_of;
    const char *ct_member;
} FieldNames;

typedef struct NameTables {
    SchemaNames schema;
    LocalNames local;
    ModelNames *models;         /* indexed by Model.index */
    FieldNames **fields;        /* [model index][field index] */
    const char ***get_by;       /* [model index][unique index]: M_get_by_f,
                                   M_get_by_f1_f2 (Model.uniques) */
} NameTables;

/* Fills the tables for a resolved schema (every Field.accessor known) and
 * reports, into diags: identifiers that are C or C++ keywords, reserved
 * identifiers, names taken by the C library or relc's runtime, and any two
 * generated identifiers that are equal (E122, naming both sources).
 * Returns false only when memory ran out. */
bool names_build(NameTables *t, const Schema *s, const char *prefix,
                 Arena *arena, Interner *in, Diags *diags);

/* Predicates shared with check.c. */
bool ident_is_c_keyword(const char *s);        /* C99..C23 and C++ */
bool ident_is_python_keyword(const char *s);   /* what Django's E306 rejects */
bool ident_is_ascii_identifier(const char *s, size_t n);

#endif
