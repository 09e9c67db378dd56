/* vocab.h: the language's vocabularies, one table each.
 *
 * The scalar and relation types and the on_delete actions are listed here
 * once, with everything any phase needs to know about them: the checks look
 * names up here, diagnostics and notes print them from here, and the
 * emitter takes each type's C spelling, runtime enum and member alignment
 * from here.  (Options are only the checker's business: check.c keeps
 * their table.)
 */
#ifndef RELC_VOCAB_H
#define RELC_VOCAB_H

#include "ast.h"

#include <stddef.h>

typedef struct TypeInfo {
    const char *name;        /* in the schema: "int32", "ForeignKey" */
    FieldKind kind;
    const char *c_type;      /* the getter's C type: "int32_t", "const char *";
                                NULL for relations */
    const char *rel_type;    /* the runtime's rel_type: "REL_INT32" */
    unsigned align;          /* the member's alignment class: 8 (pointers,
                                64-bit numbers), 4, 2 or 1 */
} TypeInfo;

typedef struct ActionInfo {
    const char *name;        /* "CASCADE" */
    OnDelete od;
    const char *rel_name;    /* the runtime's rel_on_delete: "REL_CASCADE" */
} ActionInfo;

extern const TypeInfo vocab_types[];
extern const size_t vocab_ntypes;
extern const ActionInfo vocab_actions[];
extern const size_t vocab_nactions;

/* The entry of a resolved kind (never NULL for a kind the checker set). */
const TypeInfo *type_info(FieldKind k);
/* The entry of a type written in a schema, or NULL. */
const TypeInfo *type_named(const char *name);
/* The entry of an action, or NULL (OD_NONE has none). */
const ActionInfo *action_info(OnDelete od);
const ActionInfo *action_named(const char *name);

#endif
