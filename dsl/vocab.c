/* vocab.c: the type and on_delete tables (see vocab.h). */
#include "vocab.h"

#include <string.h>

/* In FieldKind order, so that type_info is an index. */
const TypeInfo vocab_types[] = {
    { "bool",            FK_BOOL,         "bool",         "REL_BOOL",         1 },
    { "int8",            FK_INT8,         "int8_t",       "REL_INT8",         1 },
    { "int16",           FK_INT16,        "int16_t",      "REL_INT16",        2 },
    { "int32",           FK_INT32,        "int32_t",      "REL_INT32",        4 },
    { "int64",           FK_INT64,        "int64_t",      "REL_INT64",        8 },
    { "uint8",           FK_UINT8,        "uint8_t",      "REL_UINT8",        1 },
    { "uint16",          FK_UINT16,       "uint16_t",     "REL_UINT16",       2 },
    { "uint32",          FK_UINT32,       "uint32_t",     "REL_UINT32",       4 },
    { "uint64",          FK_UINT64,       "uint64_t",     "REL_UINT64",       8 },
    { "float",           FK_FLOAT,        "float",        "REL_FLOAT",        4 },
    { "double",          FK_DOUBLE,       "double",       "REL_DOUBLE",       8 },
    { "string",          FK_STRING,       "const char *", "REL_STRING",       8 },
    { "ForeignKey",      FK_FOREIGN_KEY,  NULL,           "REL_FOREIGN_KEY",  8 },
    { "OneToOneField",   FK_ONE_TO_ONE,   NULL,           "REL_ONE_TO_ONE",   8 },
    { "ManyToManyField", FK_MANY_TO_MANY, NULL,           "REL_MANY_TO_MANY", 8 },
    { "GenericForeignKey", FK_GENERIC_FK, NULL,           "REL_GENERIC",      8 },
    { "GenericRelation", FK_GENERIC_REL,  NULL,           "REL_GENERIC",      8 },
};
const size_t vocab_ntypes = sizeof vocab_types / sizeof vocab_types[0];

const ActionInfo vocab_actions[] = {
    { "CASCADE",  OD_CASCADE,  "REL_CASCADE" },
    { "PROTECT",  OD_PROTECT,  "REL_PROTECT" },
    { "RESTRICT", OD_RESTRICT, "REL_RESTRICT" },
    { "SET_NULL", OD_SET_NULL, "REL_SET_NULL" },
};
const size_t vocab_nactions = sizeof vocab_actions / sizeof vocab_actions[0];

const TypeInfo *type_info(FieldKind k)
{
    size_t i = (size_t)k - (size_t)FK_BOOL;
    return k >= FK_BOOL && i < vocab_ntypes ? &vocab_types[i] : NULL;
}

const TypeInfo *type_named(const char *name)
{
    size_t i;
    for (i = 0; i < vocab_ntypes; i++)
        if (strcmp(name, vocab_types[i].name) == 0)
            return &vocab_types[i];
    return NULL;
}

const ActionInfo *action_info(OnDelete od)
{
    size_t i;
    for (i = 0; i < vocab_nactions; i++)
        if (vocab_actions[i].od == od)
            return &vocab_actions[i];
    return NULL;
}

const ActionInfo *action_named(const char *name)
{
    size_t i;
    for (i = 0; i < vocab_nactions; i++)
        if (strcmp(name, vocab_actions[i].name) == 0)
            return &vocab_actions[i];
    return NULL;
}
