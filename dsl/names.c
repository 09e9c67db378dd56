/* names.c: the generated C identifiers, and the checks that keep them legal
 * and distinct. */
#include "names.h"
#include "oom.h"
#include "ptrmap.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- word lists --------------------------------------------------------- */

/* C99 through C23 and C++20 keywords: the generated code compiles as both. */
static const char *const c_keywords[] = {
    "_Alignas", "_Alignof", "_Atomic", "_BitInt", "_Bool", "_Complex",
    "_Decimal128", "_Decimal32", "_Decimal64", "_Generic", "_Imaginary",
    "_Noreturn", "_Static_assert", "_Thread_local",
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor",
    "bool", "break", "case", "catch", "char", "char16_t", "char32_t", "char8_t",
    "class", "co_await", "co_return", "co_yield", "compl", "concept", "const",
    "const_cast", "consteval", "constexpr", "constinit", "continue", "decltype",
    "default", "delete", "do", "double", "dynamic_cast", "else", "enum",
    "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
    "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept",
    "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private",
    "protected", "public", "register", "reinterpret_cast", "requires",
    "restrict", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this",
    "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
    "typeof", "typeof_unqual", "union", "unsigned", "using", "virtual", "void",
    "volatile", "wchar_t", "while", "xor", "xor_eq",
};

/* Python's keywords: Django's E306 rejects them as related names. */
static const char *const python_keywords[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break",
    "class", "continue", "def", "del", "elif", "else", "except", "finally",
    "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
};

/* Names that the headers generated code includes (stdbool.h, stddef.h,
 * stdint.h and stdio.h, through rel.h) define as macros, types or
 * functions, in C99, GNU C and C++ (glibc's headers, listed with gcc -dM -E
 * and from their declarations), and the common string.h and stdlib.h
 * names a program includes beside them.  A macro breaks even a struct
 * member; the others break a file-scope declaration of the same name. */
static const char *const library_macros[] = {
    "BUFSIZ", "EOF", "FILENAME_MAX", "FOPEN_MAX", "INT16_C", "INT16_MAX",
    "INT16_MIN", "INT16_WIDTH", "INT32_C", "INT32_MAX", "INT32_MIN",
    "INT32_WIDTH", "INT64_C", "INT64_MAX", "INT64_MIN", "INT64_WIDTH",
    "INT8_C", "INT8_MAX", "INT8_MIN", "INT8_WIDTH", "INTMAX_C", "INTMAX_MAX",
    "INTMAX_MIN", "INTMAX_WIDTH", "INTPTR_MAX", "INTPTR_MIN", "INTPTR_WIDTH",
    "INT_FAST16_MAX", "INT_FAST16_MIN", "INT_FAST16_WIDTH", "INT_FAST32_MAX",
    "INT_FAST32_MIN", "INT_FAST32_WIDTH", "INT_FAST64_MAX", "INT_FAST64_MIN",
    "INT_FAST64_WIDTH", "INT_FAST8_MAX", "INT_FAST8_MIN", "INT_FAST8_WIDTH",
    "INT_LEAST16_MAX", "INT_LEAST16_MIN", "INT_LEAST16_WIDTH",
    "INT_LEAST32_MAX", "INT_LEAST32_MIN", "INT_LEAST32_WIDTH",
    "INT_LEAST64_MAX", "INT_LEAST64_MIN", "INT_LEAST64_WIDTH",
    "INT_LEAST8_MAX", "INT_LEAST8_MIN", "INT_LEAST8_WIDTH", "L_ctermid",
    "L_cuserid", "L_tmpnam", "NULL", "PTRDIFF_MAX", "PTRDIFF_MIN",
    "PTRDIFF_WIDTH", "P_tmpdir", "RENAME_EXCHANGE", "RENAME_NOREPLACE",
    "RENAME_WHITEOUT", "SEEK_CUR", "SEEK_DATA", "SEEK_END", "SEEK_HOLE",
    "SEEK_SET", "SIG_ATOMIC_MAX", "SIG_ATOMIC_MIN", "SIG_ATOMIC_WIDTH",
    "SIZE_MAX", "SIZE_WIDTH", "TMP_MAX", "UINT16_C", "UINT16_MAX",
    "UINT16_WIDTH", "UINT32_C", "UINT32_MAX", "UINT32_WIDTH", "UINT64_C",
    "UINT64_MAX", "UINT64_WIDTH", "UINT8_C", "UINT8_MAX", "UINT8_WIDTH",
    "UINTMAX_C", "UINTMAX_MAX", "UINTMAX_WIDTH", "UINTPTR_MAX",
    "UINTPTR_WIDTH", "UINT_FAST16_MAX", "UINT_FAST16_WIDTH",
    "UINT_FAST32_MAX", "UINT_FAST32_WIDTH", "UINT_FAST64_MAX",
    "UINT_FAST64_WIDTH", "UINT_FAST8_MAX", "UINT_FAST8_WIDTH",
    "UINT_LEAST16_MAX", "UINT_LEAST16_WIDTH", "UINT_LEAST32_MAX",
    "UINT_LEAST32_WIDTH", "UINT_LEAST64_MAX", "UINT_LEAST64_WIDTH",
    "UINT_LEAST8_MAX", "UINT_LEAST8_WIDTH", "WCHAR_MAX", "WCHAR_MIN",
    "WCHAR_WIDTH", "WINT_MAX", "WINT_MIN", "WINT_WIDTH", "assert", "errno",
    "offsetof", "stderr", "stdin", "stdout",
};
/* Types the generated code names: a struct member of the same name would
 * change their meaning in the rest of the struct under C++. */
static const char *const library_types[] = {
    "int16_t", "int32_t", "int64_t", "int8_t", "intmax_t", "intptr_t",
    "ptrdiff_t", "size_t", "uint16_t", "uint32_t", "uint64_t", "uint8_t",
    "uintmax_t", "uintptr_t", "wchar_t",
};
static const char *const library_names[] = {
    "FILE", "abort", "asprintf", "atexit", "bsearch", "calloc", "clearerr",
    "clearerr_unlocked", "cookie_close_function_t", "cookie_io_functions_t",
    "cookie_read_function_t", "cookie_seek_function_t",
    "cookie_write_function_t", "ctermid", "cuserid", "div", "dprintf", "exit",
    "fclose", "fcloseall", "fdopen", "feof", "feof_unlocked", "ferror",
    "ferror_unlocked", "fflush", "fflush_unlocked", "fgetc", "fgetc_unlocked",
    "fgetpos", "fgetpos64", "fgets", "fgets_unlocked", "fileno",
    "fileno_unlocked", "flockfile", "fmemopen", "fopen", "fopen64",
    "fopencookie", "fpos64_t", "fpos_t", "fprintf", "fputc", "fputc_unlocked",
    "fputs", "fputs_unlocked", "fread", "fread_unlocked", "free", "freopen",
    "freopen64", "fscanf", "fseek", "fseeko", "fseeko64", "fsetpos",
    "fsetpos64", "ftell", "ftello", "ftello64", "ftrylockfile", "funlockfile",
    "fwrite", "fwrite_unlocked", "getc", "getc_unlocked", "getchar",
    "getchar_unlocked", "getdelim", "getline", "gets", "getw", "int_fast16_t",
    "int_fast32_t", "int_fast64_t", "int_fast8_t", "int_least16_t",
    "int_least32_t", "int_least64_t", "int_least8_t", "malloc", "max_align_t",
    "memchr", "memcmp", "memcpy", "memmove", "memset", "nullptr_t", "obstack",
    "obstack_printf", "obstack_vprintf", "off64_t", "off_t", "open_memstream",
    "pclose", "perror", "popen", "printf", "putc", "putc_unlocked", "putchar",
    "putchar_unlocked", "puts", "putw", "qsort", "rand", "realloc", "remove",
    "rename", "renameat", "renameat2", "rewind", "scanf", "setbuf",
    "setbuffer", "setlinebuf", "setvbuf", "snprintf", "sprintf", "sscanf",
    "ssize_t", "std", "stderr", "stdin", "stdout", "strcat", "strchr",
    "strcmp", "strcpy", "strdup", "strerror", "strlen", "strncmp", "strncpy",
    "strndup", "strrchr", "strstr", "strtol", "tempnam", "tmpfile",
    "tmpfile64", "tmpnam", "tmpnam_r", "uint_fast16_t", "uint_fast32_t",
    "uint_fast64_t", "uint_fast8_t", "uint_least16_t", "uint_least32_t",
    "uint_least64_t", "uint_least8_t", "ungetc", "va_list", "vasprintf",
    "vdprintf", "vfprintf", "vfscanf", "vprintf", "vscanf", "vsnprintf",
    "vsprintf", "vsscanf",
};
/* Macros that GNU C compilers predefine outside strict ISO modes
 * (-std=gnu99, the default): `unix` or `linux` as a name would be
 * replaced by 1.  (gcc -dM -E on each target lists them.) */
static const char *const predefined_macros[] = {
    "i386", "linux", "mips", "sparc", "sun", "unix", "vax",
};

/* Headers a program may include beside the generated one: a schema whose
 * NAME.h is one of them hides it wherever the output directory is on the
 * include path (C's and POSIX's common ones, and relc's runtime). */
static const char *const header_names[] = {
    "assert", "complex", "ctype", "errno", "fenv", "float", "inttypes", "iso646", "limits",
    "locale", "math", "rel", "rel_version", "setjmp", "signal", "stdalign", "stdarg",
    "stdatomic", "stdbool", "stddef", "stdint", "stdio", "stdlib", "stdnoreturn", "string",
    "strings", "tgmath", "threads", "time", "uchar", "unistd", "wchar", "wctype",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    return bsearch(&s, list, n, sizeof *list, cmp_str) != NULL;
}

#define IN(s, list) in_list((s), (list), sizeof(list) / sizeof((list)[0]))

bool ident_is_c_keyword(const char *s) { return IN(s, c_keywords); }
bool ident_is_python_keyword(const char *s) { return IN(s, python_keywords); }

bool ident_is_ascii_identifier(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* ---- where a name comes from ------------------------------------------- */

typedef enum Owner { OWN_SCHEMA, OWN_MODEL, OWN_FIELD, OWN_REVERSE } Owner;

typedef struct Origin {
    Owner owner;
    const Model *model;
    const Field *field;
    const char *role;       /* "the constructor", "the getter", ... */
} Origin;

typedef struct Builder {
    Arena *arena;
    Interner *in;
    Diags *diags;
    const Schema *schema;
    const char *prefix;
    PtrMap seen;            /* identifier -> Origin* */
    PtrMap reported;        /* owner key -> (void *)1: one reserved-name error each */
    PtrMap pairs;           /* owner key -> the owner it last collided with */
    char *scratch;
    size_t scratch_cap;
    bool oom;
} Builder;

static Loc origin_loc(const Builder *b, const Origin *o)
{
    switch (o->owner) {
    case OWN_SCHEMA:
        return b->schema->name_given ? b->schema->name_loc : loc_start();
    case OWN_MODEL:
        return o->model->loc;
    case OWN_FIELD:   /* a GenericForeignKey's part: the GenericForeignKey
                         (the part's own loc is its GenericRelation's) */
        return o->field->head ? o->field->head->loc : o->field->loc;
    case OWN_REVERSE:
        return o->field->related_name_value ? o->field->related_name_value->loc : o->field->loc;
    }
    return loc_start();
}

/* "the getter of field 'Book.title'"; in the arena. */
static const char *describe(Builder *b, const Origin *o)
{
    const char *s = NULL;
    switch (o->owner) {
    case OWN_SCHEMA:
        s = arena_printf(b->arena, "%s of schema '%s'", o->role, b->schema->name);
        break;
    case OWN_MODEL:
        s = arena_printf(b->arena, "%s of model '%s'", o->role, o->model->name);
        break;
    case OWN_FIELD:
        if (o->field->head)   /* a GenericForeignKey's part: M_f_T */
            s = arena_printf(b->arena, "%s for model '%s' of field '%s.%s'", o->role,
                             o->field->target->name, o->field->model->name, o->field->name);
        else
            s = arena_printf(b->arena, "%s of field '%s.%s'", o->role,
                             o->field->model->name, o->field->name);
        break;
    case OWN_REVERSE:
        s = arena_printf(b->arena, "%s of reverse accessor '%s.%s' (of '%s.%s')", o->role,
                         o->field->target->name, o->field->accessor,
                         o->field->model->name, o->field->name);
        break;
    }
    if (!s)
        b->oom = true;
    return s ? s : "?";
}

/* The key under which one reserved-name error per source is remembered. */
static const void *owner_key(const Builder *b, const Origin *o)
{
    switch (o->owner) {
    case OWN_SCHEMA:  return b->schema;
    case OWN_MODEL:   return o->model;
    case OWN_FIELD:   return o->field;
    case OWN_REVERSE: return &o->field->accessor;
    }
    return b->schema;
}

static bool first_report(Builder *b, const Origin *o)
{
    int oom = 0;
    if (ptrmap_put(&b->reported, owner_key(b, o), (void *)1, &oom) != NULL)
        return false;
    if (oom)
        b->oom = true;
    return !oom;
}

/* Why `id` cannot be used in generated C, or NULL.  A file-scope name
 * (function, type) has more reserved forms than a struct member or
 * parameter; *code becomes E120 for a keyword, else stays E121. */
static const char *unusable_why(const char *id, bool file_scope, const char **code)
{
    *code = "E121";
    if (ident_is_c_keyword(id)) {
        *code = "E120";
        return "it is a C or C++ keyword";
    }
    if (id[0] == '_' && ((id[1] >= 'A' && id[1] <= 'Z') || id[1] == '_'))
        return "it begins with an underscore and a capital letter or a second underscore, reserved in C";
    if (file_scope && id[0] == '_')
        return "it begins with an underscore, reserved at file scope in C";
    if (strstr(id, "__"))
        return "it contains '__', reserved in C++";
    if (strncmp(id, "rel_", 4) == 0 || strncmp(id, "REL_", 4) == 0)
        return "names beginning with 'rel_' or 'REL_' belong to relc's runtime and generated internals";
    if (IN(id, library_macros))
        return "the C library the generated code includes defines it as a macro";
    if (IN(id, predefined_macros))
        return "GNU C compilers predefine it as a macro (outside -std=c99)";
    if (IN(id, library_types))
        return "the C library the generated code includes defines it as a type";
    if (file_scope && IN(id, library_names))
        return "the C library the generated code includes declares it";
    return NULL;
}

static void check_file_scope(Builder *b, const char *id, const Origin *o)
{
    const char *code;
    const char *why = unusable_why(id, true, &code);
    if (why && first_report(b, o)) {
        Loc loc = origin_loc(b, o);
        diag_error(b->diags, loc, code, "generated name '%s' for %s cannot be used: %s",
                   id, describe(b, o), why);
        diag_note(b->diags, loc, "rename it%s", b->prefix[0] ? "" : ", or give relc a --prefix");
    }
}

/* The struct member a source adds to a model: a field, or a reverse
 * accessor on the target.  Two sources with the same member on the same
 * model were reported by the checks already (E111, E302, E304). */
static bool same_member(const Origin *a, const Origin *b)
{
    const Model *ma, *mb;
    const char *na, *nb;
    if ((a->owner != OWN_FIELD && a->owner != OWN_REVERSE)
        || (b->owner != OWN_FIELD && b->owner != OWN_REVERSE))
        return false;
    ma = a->owner == OWN_FIELD ? a->field->model : a->field->target;
    mb = b->owner == OWN_FIELD ? b->field->model : b->field->target;
    na = a->owner == OWN_FIELD ? a->field->name : a->field->accessor;
    nb = b->owner == OWN_FIELD ? b->field->name : b->field->accessor;
    /* A GenericForeignKey's parts share its name, but each has names of
     * its own (M_f_T), which can meet the head's (M_f_model, for a model
     * named "model"). */
    if (a->owner == OWN_FIELD && b->owner == OWN_FIELD && a->field != b->field
        && (a->field->head || b->field->head))
        return false;
    return ma == mb && na == nb;
}

/* One E122 per pair of sources, however many names the pair shares. */
static bool already_reported(Builder *b, const Origin *o, const Origin *prev)
{
    void **slot;
    int oom = 0;
    if (same_member(o, prev))
        return true;
    slot = ptrmap_slot(&b->pairs, owner_key(b, o), &oom);
    if (!slot) {
        b->oom = true;
        return true;
    }
    if (*slot == owner_key(b, prev))
        return true;
    *slot = (void *)owner_key(b, prev);
    return false;
}

/* Interns prefix + the NULL-terminated parts, then checks and records it:
 * the one door every generated identifier goes through. */
static const char *make(Builder *b, const Origin *o, ...)
{
    va_list ap;
    const char *part, *id;
    size_t n = 0;
    Origin *copy, *prev;
    int oom = 0;

    if (b->oom)
        return NULL;
    va_start(ap, o);
    for (part = b->prefix; part; part = va_arg(ap, const char *)) {
        size_t k = strlen(part);
        if (n + k + 1 > b->scratch_cap) {
            size_t cap = (n + k + 1) * 2;
            char *p = (char *)oom_realloc(b->scratch, cap);
            if (!p) {
                va_end(ap);
                b->oom = true;
                return NULL;
            }
            b->scratch = p;
            b->scratch_cap = cap;
        }
        memcpy(b->scratch + n, part, k);
        n += k;
    }
    va_end(ap);

    id = intern(b->in, b->scratch ? b->scratch : "", n);
    copy = (Origin *)arena_alloc(b->arena, sizeof *copy);
    if (!id || !copy) {
        b->oom = true;
        return NULL;
    }
    *copy = *o;
    check_file_scope(b, id, o);
    prev = (Origin *)ptrmap_put(&b->seen, id, copy, &oom);
    if (oom) {
        b->oom = true;
        return NULL;
    }
    if (prev && !already_reported(b, o, prev)) {
        Loc here = origin_loc(b, o), there = origin_loc(b, prev);
        diag_error(b->diags, here, "E122", "generated name '%s' for %s collides with %s",
                   id, describe(b, o), describe(b, prev));
        diag_note(b->diags, there, "%s comes from here", describe(b, prev));
        diag_note(b->diags, here, o->owner == OWN_REVERSE || prev->owner == OWN_REVERSE
                                      ? "rename one of them, or change a related_name" : "rename one of them");
    }
    return id;
}

/* A bare name used as a struct member or parameter. */
static void check_member(Builder *b, const char *name, const Origin *o, const char *what)
{
    const char *code;
    const char *why = unusable_why(name, false, &code);
    if (why && first_report(b, o)) {
        Loc loc = origin_loc(b, o);
        diag_error(b->diags, loc, code, "%s '%s' cannot be used in C: %s", what, name, why);
        diag_note(b->diags, loc, "rename it");
    }
}

/* The functions of one side: a getter (and setter), or the set API. */
static void side(Builder *b, SideNames *s, const Origin *base, const char *owner,
                 const char *name, bool set_api, bool settable, bool removable, bool through)
{
    Origin o = *base;
    o.role = set_api ? "the list" : "the getter";
    s->get = make(b, &o, owner, "_", name, (char *)NULL);
    if (settable) {
        o.role = "the setter";
        s->set = make(b, &o, owner, "_set_", name, (char *)NULL);
    }
    if (!set_api)
        return;
    o.role = "the count function";
    s->count = make(b, &o, owner, "_", name, "_count", (char *)NULL);
    o.role = "the membership test";
    s->contains = make(b, &o, owner, "_", name, "_contains", (char *)NULL);
    o.role = "the add function";
    s->add = make(b, &o, owner, "_", name, "_add", (char *)NULL);
    o.role = "the create function";
    s->create = make(b, &o, owner, "_", name, "_create", (char *)NULL);
    if (through) {
        o.role = "the through object lookup";
        s->through = make(b, &o, owner, "_", name, "_through", (char *)NULL);
    }
    if (removable) {
        o.role = "the remove function";
        s->remove = make(b, &o, owner, "_", name, "_remove", (char *)NULL);
        o.role = "the clear function";
        s->clear = make(b, &o, owner, "_", name, "_clear", (char *)NULL);
    }
}

/* Is `w` unusable as a parameter: a generated identifier, a field name,
 * or a field name plus '_' (the fallback of a field's own parameter)? */
static bool word_taken(Builder *b, const char *w)
{
    const Model *m;
    const Field *f;
    size_t n = strlen(w), i;
    if (ptrmap_get(&b->seen, intern(b->in, w, n)) || ident_is_c_keyword(w))
        return true;
    for (i = 0; i < b->schema->nmodels; i++)
        for (m = b->schema->model_array[i], f = m->fields; f; f = f->next)
            if (strcmp(f->name, w) == 0
                || (n > 1 && w[n - 1] == '_' && strlen(f->name) == n - 1 && strncmp(f->name, w, n - 1) == 0))
                return true;
    return false;
}

/* The first of word, word1_, word2_ ... that is not taken. */
static const char *free_word(Builder *b, const char *word, const char *const *chosen, size_t nchosen)
{
    const char *w = word;
    unsigned k = 0;
    for (;;) {
        size_t i;
        bool clash = w == NULL || word_taken(b, w);
        for (i = 0; !clash && i < nchosen; i++)
            clash = strcmp(w, chosen[i]) == 0;
        if (!clash || !w)
            return w;
        w = arena_printf(b->arena, "%s%u_", word, ++k);
    }
}

enum { NLOCALS = 8 };

/* Parameter names.  The shared words first, avoiding every generated
 * identifier and field name (so they shadow nothing a body uses); then
 * each relation's constructor parameter: its field name, or name_ when
 * that is a generated identifier or one of the shared words. */
static void choose_params(Builder *b, NameTables *t)
{
    static const char *const words[NLOCALS] = { "o", "x", "value", "db", "objects", "n", "id", "l" };
    const char **slots[NLOCALS];
    const char *chosen[NLOCALS];
    size_t i;
    const Field *f;
    slots[0] = &t->local.self;
    slots[1] = &t->local.other;
    slots[2] = &t->local.value;
    slots[3] = &t->local.db;
    slots[4] = &t->local.objects;
    slots[5] = &t->local.n;
    slots[6] = &t->local.id;
    slots[7] = &t->local.view;
    for (i = 0; i < NLOCALS; i++)
        if (!(chosen[i] = *slots[i] = free_word(b, words[i], chosen, i)))
            b->oom = true;
    for (i = 0; i < b->schema->nmodels && !b->oom; i++) {
        const Model *m = b->schema->model_array[i];
        if (m->duplicate)
            continue;
        for (f = m->fields; f; f = f->next) {
            FieldNames *fn = &t->fields[i][f->index];
            size_t k;
            bool clash = ptrmap_get(&b->seen, f->name) != NULL;
            if (!f->is_relation && !f->ctor_arg)
                continue;
            for (k = 0; k < NLOCALS && !b->oom; k++)
                clash = clash || strcmp(f->name, chosen[k]) == 0;
            fn->param = clash ? arena_printf(b->arena, "%s_", f->name) : f->name;
            if (!fn->param)
                b->oom = true;
        }
    }
}

/* Whether w is a constructor parameter of m (a required relation or a
 * scalar of a unique constraint). */
static bool param_of(const NameTables *t, const Model *m, const char *w)
{
    const Field *g;
    for (g = m->fields; g; g = g->next)
        if ((((g->kind == FK_FOREIGN_KEY || g->kind == FK_ONE_TO_ONE) && !g->null) || g->ctor_arg)
            && strcmp(t->fields[m->index][g->index].param, w) == 0)
            return true;
    return false;
}

/* The arguments that add and create of a relation through a model take
 * for the through model's other required relations: each its param,
 * unless create's partner (either side's) has a parameter of that name. */
static void choose_through_params(Builder *b, NameTables *t)
{
    size_t i;
    const Field *f, *g;
    for (i = 0; i < b->schema->nmodels && !b->oom; i++) {
        const Model *m = b->schema->model_array[i];
        if (m->duplicate)
            continue;
        for (f = m->fields; f; f = f->next) {
            if (!f->through_src)
                continue;
            for (g = f->through->fields; g; g = g->next) {
                FieldNames *gn = &t->fields[f->through->index][g->index];
                const char *w = gn->through_param ? gn->through_param : gn->param;
                unsigned k = 0;
                if (!g->is_relation && !g->ctor_arg)
                    continue;
                while (w && (param_of(t, f->model, w) || param_of(t, f->target, w)))
                    w = arena_printf(b->arena, "%s%u_", gn->param, ++k);
                if (!(gn->through_param = w))
                    b->oom = true;
            }
        }
    }
}

/* M_get_by_f1_f2 for each unique constraint of each model. */
static void get_by_names(Builder *b, NameTables *t)
{
    size_t i, j, k;
    Origin o;
    t->get_by = (const char ***)arena_alloc(b->arena, (b->schema->nmodels ? b->schema->nmodels : 1) * sizeof *t->get_by);
    if (!t->get_by) {
        b->oom = true;
        return;
    }
    for (i = 0; i < b->schema->nmodels && !b->oom; i++) {
        const Model *m = b->schema->model_array[i];
        t->get_by[i] = NULL;
        if (m->duplicate || !m->nuniques)
            continue;
        if (!(t->get_by[i] = (const char **)arena_alloc(b->arena, m->nuniques * sizeof **t->get_by))) {
            b->oom = true;
            return;
        }
        for (j = 0; j < m->nuniques; j++) {
            const Unique *u = &m->uniques[j];
            const char *suffix = "";
            for (k = 0; k < u->n && suffix; k++)
                suffix = arena_printf(b->arena, "%s_%s", suffix, u->fields[k]->name);
            if (!suffix) {
                b->oom = true;
                return;
            }
            memset(&o, 0, sizeof o);
            o.owner = u->together ? OWN_MODEL : OWN_FIELD;
            o.model = m;
            o.field = u->fields[0];
            o.role = "the unique lookup";
            t->get_by[i][j] = make(b, &o, m->name, "_get_by", suffix, (char *)NULL);
        }
    }
}

static char *upper_copy(Arena *a, const char *s)
{
    char *u = arena_strndup(a, s, strlen(s));
    char *p;
    if (u)
        for (p = u; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    return u;
}

/* The names of a schema S: S + suffix, into the SchemaNames member at `at`. */
static const struct {
    const char *role, *suffix;
    size_t at;
} schema_names[] = {
    { "the store type", "_store", offsetof(SchemaNames, store) },
    { "the store constructor", "_store_new", offsetof(SchemaNames, store_new) },
    { "the store destructor", "_store_free", offsetof(SchemaNames, store_free) },
    { "the error message function", "_store_errmsg", offsetof(SchemaNames, store_errmsg) },
    { "the verify function", "_store_verify", offsetof(SchemaNames, store_verify) },
    { "the delete result type", "_delete_result", offsetof(SchemaNames, delete_result) },
    { "the number of models", "_NMODELS", offsetof(SchemaNames, nmodels) },
    { "the dumpdata function", "_store_dumpdata", offsetof(SchemaNames, store_dumpdata) },
    { "the loaddata function", "_store_loaddata", offsetof(SchemaNames, store_loaddata) },
};

/* GenericForeignKey f of m: which model it points at, and per listed
 * target the typed getter and setter, M_f_T and M_set_f_T. */
static void generic_forward(Builder *b, NameTables *t, const Model *m, const Field *f)
{
    FieldNames *fn = &t->fields[m->index][f->index];
    Origin o;
    size_t j;
    memset(&o, 0, sizeof o);
    o.owner = OWN_FIELD;
    o.model = m;
    o.field = f;
    o.role = "the model function";
    fn->model_of = make(b, &o, m->name, "_", f->name, "_model", (char *)NULL);
    for (j = 0; j < f->nparts && !b->oom; j++) {
        const Field *p = f->parts[j];
        const char *name = arena_printf(b->arena, "%s_%s", f->name, p->target->name);
        if (!name) {
            b->oom = true;
            return;
        }
        o.field = p;
        side(b, &t->fields[m->index][p->index].fwd, &o, m->name, name, false, true, true, false);
    }
}

/* The relations of GenericForeignKey f, numbered from k, one per part,
 * with their members, and each part's reverse set when a GenericRelation
 * names it.  The head shares its first part's number.  Returns the next
 * number. */
static size_t generic_relations(Builder *b, NameTables *t, const Field *f, size_t k)
{
    FieldNames *head = &t->fields[f->model->index][f->index];
    Origin o;
    size_t j;
    head->relation = k;
    head->pos_member = arena_printf(b->arena, "rel_pos_%s", f->name);
    head->ct_member = arena_printf(b->arena, "rel_ct_%s", f->name);
    head->rev_member = "";
    if (!head->pos_member || !head->ct_member)
        b->oom = true;
    for (j = 0; j < f->nparts && !b->oom; j++) {
        const Field *p = f->parts[j];
        FieldNames *fn = &t->fields[p->model->index][p->index];
        fn->relation = k++;
        fn->pos_member = head->pos_member;
        fn->ct_member = head->ct_member;
        fn->rev_member = p->accessor ? p->accessor : arena_printf(b->arena, "rel_rev_%lu", (unsigned long)fn->relation);
        if (!fn->rev_member)
            b->oom = true;
        if (!p->accessor)
            continue;
        memset(&o, 0, sizeof o);
        o.owner = OWN_REVERSE;
        o.model = p->model;
        o.field = p;
        check_member(b, p->accessor, &o, "reverse accessor");
        side(b, &fn->rev, &o, p->target->name, p->accessor, true, false, true, false);
    }
    return k;
}

bool names_build(NameTables *t, const Schema *s, const char *prefix,
                 Arena *arena, Interner *in, Diags *diags)
{
    Builder b;
    Origin o;
    size_t i, nrelations = 0;
    const char *S = s->name;

    memset(&b, 0, sizeof b);
    b.arena = arena;
    b.in = in;
    b.diags = diags;
    b.schema = s;
    b.prefix = prefix ? prefix : "";
    ptrmap_init(&b.seen);
    ptrmap_init(&b.reported);
    ptrmap_init(&b.pairs);
    memset(t, 0, sizeof *t);

    t->models = (ModelNames *)arena_alloc(arena, (s->nmodels ? s->nmodels : 1) * sizeof *t->models);
    t->fields = (FieldNames **)arena_alloc(arena, (s->nmodels ? s->nmodels : 1) * sizeof *t->fields);
    if (!t->models || !t->fields)
        b.oom = true;

    /* The schema's own names: the store, its functions and types. */
    memset(&o, 0, sizeof o);
    o.owner = OWN_SCHEMA;
    for (i = 0; i < sizeof schema_names / sizeof schema_names[0]; i++) {
        o.role = schema_names[i].role;
        *(const char **)(void *)((char *)&t->schema + schema_names[i].at) =
            make(&b, &o, S, schema_names[i].suffix, (char *)NULL);
    }
    t->schema.base = arena_printf(arena, "%s%s", b.prefix, S);
    t->schema.desc = t->schema.base ? arena_printf(arena, "rel_desc_%s", t->schema.base) : NULL;
    t->schema.guard = t->schema.base ? arena_printf(arena, "RELC_%s_H", upper_copy(arena, t->schema.base)) : NULL;
    if (!t->schema.base || !t->schema.guard || !t->schema.desc)
        b.oom = true;
    else if (IN(t->schema.base, header_names)) {
        Loc loc = s->name_given ? s->name_loc : loc_start();
        diag_error(diags, loc, "E121", "schema name '%s' would write %s.h, which hides the header <%s.h>",
                   t->schema.base, t->schema.base, t->schema.base);
        diag_note(diags, loc, "rename the schema (schema NAME;)%s", b.prefix[0] ? "" : ", or give relc a --prefix");
    }

    /* Models and their own fields (the forward side). */
    for (i = 0; i < s->nmodels && !b.oom; i++) {
        const Model *m = s->model_array[i];
        ModelNames *mn = &t->models[i];
        const Field *f;
        if (m->duplicate)
            continue;
        memset(&o, 0, sizeof o);
        o.owner = OWN_MODEL;
        o.model = m;
        o.role = "the struct type";
        mn->type = make(&b, &o, m->name, (char *)NULL);
        o.role = "the list type";
        mn->list = make(&b, &o, m->name, "List", (char *)NULL);
        o.role = "the constructor";
        mn->new_ = make(&b, &o, m->name, "_new", (char *)NULL);
        o.role = "the delete function";
        mn->delete_ = make(&b, &o, m->name, "_delete", (char *)NULL);
        o.role = "the bulk delete function";
        mn->delete_many = make(&b, &o, m->name, "_delete_many", (char *)NULL);
        o.role = "the counting delete function";
        mn->delete_ex = make(&b, &o, m->name, "_delete_ex", (char *)NULL);
        o.role = "the delete plan function";
        mn->delete_plan = make(&b, &o, m->name, "_delete_plan", (char *)NULL);
        o.role = "the model number";
        mn->number = make(&b, &o, S, "_", m->name, "_model", (char *)NULL);
        o.role = "the id function";
        mn->id = make(&b, &o, m->name, "_id", (char *)NULL);
        o.role = "the lookup function";
        mn->get = make(&b, &o, m->name, "_get", (char *)NULL);
        o.role = "the all-objects cursor";
        mn->all = make(&b, &o, m->name, "_all", (char *)NULL);
        o.role = "the cursor step";
        mn->next = make(&b, &o, m->name, "_next", (char *)NULL);
        o.role = "the store function";
        mn->store = make(&b, &o, m->name, "_store", (char *)NULL);
        o.role = "the object count";
        mn->count = make(&b, &o, m->name, "_count", (char *)NULL);

        t->fields[i] = (FieldNames *)arena_alloc(arena, (m->nfields + m->nparts ? m->nfields + m->nparts : 1)
                                                            * sizeof **t->fields);
        if (!t->fields[i]) {
            b.oom = true;
            break;
        }
        for (f = m->fields; f; f = f->next) {
            FieldNames *fn = &t->fields[i][f->index];
            memset(&o, 0, sizeof o);
            o.owner = OWN_FIELD;
            o.model = m;
            o.field = f;
            check_member(&b, f->name, &o, "field name");
            side(&b, &fn->fwd, &o, m->name, f->name, f->kind == FK_MANY_TO_MANY,
                 f->kind != FK_MANY_TO_MANY, true, f->through_src != NULL);
            if (field_is_gfk(f))
                generic_forward(&b, t, m, f);
        }
    }

    /* Relations: the emitter's member and parameter names, then the
     * reverse side on each target, in the order relations point at it.
     * Every type name is known by now, so a parameter can avoid them. */
    for (i = 0; i < s->nmodels && !b.oom; i++) {
        const Model *m = s->model_array[i];
        const Field *f;
        if (m->duplicate)
            continue;
        for (f = m->fields; f; f = f->next) {
            FieldNames *fn = &t->fields[i][f->index];
            if (!f->is_relation)
                continue;
            if (field_is_gfk(f)) {
                nrelations = generic_relations(&b, t, f, nrelations);
                continue;
            }
            fn->relation = nrelations++;
            if (f->symmetrical)
                fn->rev_member = f->name;
            else if (f->accessor)
                fn->rev_member = f->accessor;
            else
                fn->rev_member = arena_printf(arena, "rel_rev_%lu", (unsigned long)fn->relation);
            fn->pos_member = f->kind == FK_FOREIGN_KEY
                                 ? arena_printf(arena, "rel_pos_%s", f->name) : NULL;
            if (!fn->rev_member || (f->kind == FK_FOREIGN_KEY && !fn->pos_member))
                b.oom = true;
            if (!f->target || !f->accessor)
                continue;
            memset(&o, 0, sizeof o);
            o.owner = OWN_REVERSE;
            o.model = m;
            o.field = f;
            check_member(&b, f->accessor, &o, "reverse accessor");
            side(&b, &fn->rev, &o, f->target->name, f->accessor,
                 f->kind != FK_ONE_TO_ONE, false,
                 f->kind == FK_MANY_TO_MANY || f->null, f->through_src != NULL);
        }
    }

    get_by_names(&b, t);
    if (!b.oom)
        choose_params(&b, t);
    if (!b.oom)
        choose_through_params(&b, t);

    oom_free(b.scratch);
    ptrmap_free(&b.seen);
    ptrmap_free(&b.reported);
    ptrmap_free(&b.pairs);
    return !b.oom;
}
