/* schemagen.c: a grammar-aware random schema generator for relc.
 *
 *   schemagen SEED [COUNT] OUTDIR
 *
 * writes OUTDIR/gN.rel for N = SEED, SEED + 1, ... SEED + COUNT - 1 (COUNT
 * defaults to 1).  Each file depends on its own N only, so `schemagen N 1
 * DIR` reproduces any one of them.
 *
 * The schemas use every construct of the language (SPEC section 1, dsl/
 * parse.y, dsl/scan.l, dsl/check.c): an optional `schema NAME;`, 1 to 12
 * models, scalar fields of every type with and without defaults at the
 * edges of their ranges, strings with every escape, trigraph and comment
 * look-alikes, non-ASCII text and (sometimes) more than 4095 bytes,
 * max_length up to 4294967295, the three relation kinds with every
 * on_delete, null, related_name (hidden, '%(class)s', colliding), symmetry,
 * self targets in all three spellings, forward references, unique fields,
 * unique_together and to_field, doc comments
 * full of comment delimiters, CRLF line ends, a byte order mark.
 *
 * Names are the point: models, fields and reverse accessors are drawn from
 * a pool that mixes ordinary words with the identifiers relc's emitter
 * writes itself (locals, parameters, members, internal functions), C and
 * C++ keywords, C library names, GNU's predefined macros, DOT keywords, the
 * schema's own model names, names ending in List, names with digits.
 *
 * Most schemas are meant to be accepted: the generator mirrors relc's
 * naming checks (Django's clashes, reserved identifiers, collisions of the
 * generated C names) and retries a name that would be refused.  About one
 * schema in twelve is "sloppy": it may keep such names (keywords, reserved
 * identifiers, clashes, out-of-range values), and relc should reject it.
 *
 * C99, no dependencies beyond the C library.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- randomness --------------------------------------------------------- */

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(Rng *r, unsigned n) { return n ? (unsigned)(rng_next(r) % n) : 0; }
static bool chance(Rng *r, unsigned percent) { return below(r, 100) < percent; }
static unsigned between(Rng *r, unsigned lo, unsigned hi) { return lo + below(r, hi - lo + 1); }
#define PICK(r, arr) ((arr)[below((r), (unsigned)(sizeof(arr) / sizeof((arr)[0])))])
#define COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* ---- text buffers --------------------------------------------------------- */

typedef struct Buf {
    char *p;
    size_t n, cap;
} Buf;

static void die(const char *msg)
{
    fprintf(stderr, "schemagen: %s\n", msg);
    exit(2);
}

static void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->p = (char *)realloc(b->p, cap);
        if (!b->p)
            die("out of memory");
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_puts(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_printf(Buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        die("internal: formatted text too long");
    buf_add(b, tmp, (size_t)n);
}

static char *buf_take(Buf *b)
{
    char *s = b->p;
    if (!s) {
        s = (char *)malloc(1);
        if (!s)
            die("out of memory");
        s[0] = '\0';
    }
    b->p = NULL;
    b->n = b->cap = 0;
    return s;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    if (!d)
        die("out of memory");
    memcpy(d, s, n);
    return d;
}

/* ---- what relc refuses (mirrored from dsl/names.c and dsl/check.c) ------- */

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
static const char *const python_keywords[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break",
    "class", "continue", "def", "del", "elif", "else", "except", "finally",
    "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
};
static const char *const library_macros[] = {
    "EOF", "INT16_MAX", "INT16_MIN", "INT32_MAX", "INT32_MIN", "INT64_MAX",
    "INT64_MIN", "INT8_MAX", "INT8_MIN", "NULL", "SIZE_MAX", "UINT16_MAX",
    "UINT32_MAX", "UINT64_MAX", "UINT8_MAX", "assert", "errno", "offsetof",
    "stderr", "stdin", "stdout",
};
static const char *const library_names[] = {
    "abort", "atexit", "bsearch", "calloc", "div", "exit", "free", "int16_t",
    "int32_t", "int64_t", "int8_t", "intmax_t", "intptr_t", "malloc",
    "memchr", "memcmp", "memcpy", "memmove", "memset", "ptrdiff_t", "qsort",
    "rand", "realloc", "size_t", "strcat", "strchr", "strcmp", "strcpy",
    "strdup", "strerror", "strlen", "strncmp", "strncpy", "strndup", "strrchr",
    "strstr", "strtol", "uint16_t", "uint32_t", "uint64_t", "uint8_t",
    "uintmax_t", "uintptr_t", "wchar_t",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}
#define IN(s, list) in_list((s), (list), COUNT(list))

static bool is_ident(const char *s)
{
    size_t i;
    if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (i = 1; s[i]; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')
              || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* Usable as a C name: as a struct member / parameter, or at file scope. */
static bool c_name_ok(const char *s, bool file_scope)
{
    if (IN(s, c_keywords))
        return false;
    if (s[0] == '_' && ((s[1] >= 'A' && s[1] <= 'Z') || s[1] == '_'))
        return false;
    if (file_scope && s[0] == '_')
        return false;
    if (strstr(s, "__"))
        return false;
    if (strncmp(s, "rel_", 4) == 0 || (file_scope && strncmp(s, "REL_", 4) == 0))
        return false;
    if (IN(s, library_macros))
        return false;
    if (file_scope && IN(s, library_names))
        return false;
    return true;
}

/* Django's E023/E024 (models) and E001-E003 (fields). */
static bool django_model_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[0] != '_' && s[n - 1] != '_' && !strstr(s, "__") && strcmp(s, "self") != 0;
}

static bool django_field_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] != '_' && !strstr(s, "__") && strcmp(s, "pk") != 0;
}

/* ---- the set of generated C identifiers ------------------------------------ */

typedef struct NameSet {
    char **slot;
    size_t cap, n;
} NameSet;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void set_clear(NameSet *ns)
{
    size_t i;
    for (i = 0; i < ns->cap; i++)
        free(ns->slot[i]);
    free(ns->slot);
    ns->slot = NULL;
    ns->cap = ns->n = 0;
}

static bool set_has(const NameSet *ns, const char *s)
{
    size_t i;
    if (!ns->cap)
        return false;
    for (i = (size_t)(hash_str(s) & (ns->cap - 1)); ns->slot[i]; i = (i + 1) & (ns->cap - 1))
        if (strcmp(ns->slot[i], s) == 0)
            return true;
    return false;
}

static void set_add(NameSet *ns, const char *s)
{
    size_t i;
    if ((ns->n + 1) * 2 > ns->cap) {
        NameSet big;
        big.cap = ns->cap ? ns->cap * 2 : 256;
        big.n = 0;
        big.slot = (char **)calloc(big.cap, sizeof *big.slot);
        if (!big.slot)
            die("out of memory");
        for (i = 0; i < ns->cap; i++)
            if (ns->slot[i]) {
                size_t j = (size_t)(hash_str(ns->slot[i]) & (big.cap - 1));
                while (big.slot[j])
                    j = (j + 1) & (big.cap - 1);
                big.slot[j] = ns->slot[i];
                big.n++;
            }
        free(ns->slot);
        *ns = big;
    }
    for (i = (size_t)(hash_str(s) & (ns->cap - 1)); ns->slot[i]; i = (i + 1) & (ns->cap - 1))
        if (strcmp(ns->slot[i], s) == 0)
            return;
    ns->slot[i] = xstrdup(s);
    ns->n++;
}

/* A candidate group of generated names: all must be new, distinct and
 * usable at file scope, or none is taken. */
#define MAX_GROUP 12
typedef struct Group {
    char name[MAX_GROUP][600];
    int n;
} Group;

static void group_add(Group *g, const char *a, const char *b, const char *c, const char *d)
{
    if (g->n >= MAX_GROUP)
        die("internal: group overflow");
    snprintf(g->name[g->n++], sizeof g->name[0], "%s%s%s%s", a, b ? b : "", c ? c : "", d ? d : "");
}

static bool group_ok(const NameSet *ns, const Group *g)
{
    int i, j;
    for (i = 0; i < g->n; i++) {
        if (!c_name_ok(g->name[i], true) || set_has(ns, g->name[i]))
            return false;
        for (j = 0; j < i; j++)
            if (strcmp(g->name[i], g->name[j]) == 0)
                return false;
    }
    return true;
}

static void group_commit(NameSet *ns, const Group *g)
{
    int i;
    for (i = 0; i < g->n; i++)
        set_add(ns, g->name[i]);
}

/* ---- the schema being generated ------------------------------------------------ */

enum {
    T_BOOL, T_INT8, T_INT16, T_INT32, T_INT64, T_UINT8, T_UINT16, T_UINT32, T_UINT64,
    T_FLOAT, T_DOUBLE, T_STRING, T_FK, T_O2O, T_M2M, T_COUNT
};
static const char *const type_names[T_COUNT] = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float", "double", "string", "ForeignKey", "OneToOneField", "ManyToManyField",
};

#define MAX_MODELS 12
#define MAX_FIELDS 9
#define NAME_MAX_LEN 300

typedef struct Field {
    char name[NAME_MAX_LEN];
    int type;
    char *doc;              /* NULL or lines joined by '\n' */
    char *scalar_args;      /* scalars: the option list, or NULL for none */
    bool empty_parens;      /* scalars without options: `string()` */
    /* relations */
    int target;             /* model index */
    int target_form;        /* 0 name, 1 "name", 2 'name', 3 self, 4 'self', 5 "self" */
    int on_delete;          /* 0 CASCADE, 1 PROTECT, 2 RESTRICT, 3 SET_NULL, 4 other (sloppy) */
    int null_opt;           /* 0 absent, 1 true, 2 false, 3 True, 4 False */
    int symmetrical;        /* -1 absent, 0 false, 1 true */
    bool has_rn;
    char rn[NAME_MAX_LEN];  /* related_name as written (inside quotes) */
    char rn_quote;
    bool rqn;               /* related_query_name */
    bool trailing_comma;
    int through;            /* ManyToManyField: its through model's index + 1; 0 none */
    bool through_fields;    /* write through_fields too */
    bool unique;            /* unique = true (a ForeignKey: W342) */
    int to_field;           /* -1, or the target's unique scalar field it names */
} Field;

typedef struct Model {
    char name[NAME_MAX_LEN];
    char *doc;
    Field f[MAX_FIELDS];
    int nf;
    int together[2];        /* a unique_together group of two fields; [0] -1: none */
} Model;

typedef struct Gen {
    Rng r;
    uint64_t seed;
    bool sloppy;            /* may keep names and values that relc refuses */
    char schema_name[NAME_MAX_LEN];
    bool schema_given;
    Model m[MAX_MODELS];
    int nm;
    NameSet names;          /* generated C identifiers taken so far */
    /* A GenericForeignKey (SPEC section 9) in a model of its own,
     * ZzGenericTag, over up to three of the models; some of them name its
     * reverse with a GenericRelation.  Names nothing else uses, so that
     * the schemas that have one are still accepted. */
    int gfk_target[3], ngfk;
    bool gfk_rel[3];
    const char *gfk_on_delete;
} Gen;

/* ---- name pools ------------------------------------------------------------------ */

static const char *const ordinary_models[] = {
    "Author", "Book", "Person", "Tag", "Order", "Customer", "Widget", "Gadget", "Shelf",
    "Review", "Comment", "Post", "User", "Group", "Team", "Company", "Employee",
    "Department", "Project", "Task", "Invoice", "Payment", "Product", "Category",
    "Article", "Blog", "Entry", "Photo", "Album", "Song", "Artist", "Student", "Course",
    "City", "Country", "Address", "Event", "Ticket", "Venue", "Account", "Session",
    "Message", "Thread", "Vote", "Poll", "Choice", "Recipe", "Ingredient", "Car",
    "Driver", "Route", "Ship", "Cargo", "Planet", "Moon", "Membership", "BookReview",
    "author", "book", "person", "tag", "widget",
};

/* Identifiers the C emitter writes itself: locals, parameters, struct
 * members of the store and the collector, fixed internal names. */
static const char *const emitter_names[] = {
    "o", "t", "x", "i", "j", "k", "m", "w", "l", "n", "b", "c", "s", "p", "db", "st", "it",
    "im", "live", "last", "moved", "items", "count", "back", "cap", "copy", "value",
    "target", "objects", "applied", "more", "touched", "ntouched", "collector", "errmsg",
    "store", "model", "collected", "text", "next", "end", "size", "status", "mark", "pos",
    "ud", "free_list", "chunks", "keep_offset", "chunk_bytes", "id", "pk", "who", "msg",
    "fmt", "index", "result", "plan", "var", "list", "item", "link", "unlink", "find",
    "prepare", "commit", "destroy", "verify", "remove", "clear", "add", "create", "get",
    "all", "new_", "set", "delete_many", "List", "schema", "self", "main",
};

/* Names the C library, the compiler or the C++ library defines in some mode
 * (relc checks some of them, not all). */
static const char *const library_like[] = {
    "memset", "memcpy", "strlen", "strcmp", "malloc", "free", "size_t", "uint32_t",
    "int64_t", "uint8_t", "ptrdiff_t", "abort", "exit", "qsort", "printf", "FILE",
    "puts", "va_list", "jmp_buf", "signal", "time", "clock", "index", "rindex", "bzero",
    "bcopy", "ffs", "basename", "strsep", "stpcpy", "strnlen", "memmem", "strtok",
    "strcoll", "strxfrm", "strspn", "strpbrk", "strerror_r", "mempcpy", "memrchr",
    "strcasecmp", "max_align_t", "nullptr_t", "int_least8_t", "int_fast32_t", "intmax_t",
    "WCHAR_MAX", "PTRDIFF_MAX", "INTPTR_MIN", "INT_FAST8_MAX", "SIG_ATOMIC_MIN",
    "WINT_MAX", "INTMAX_MAX", "UINTPTR_MAX", "INT64_C", "UINT8_C", "linux", "unix",
    "i386", "Linux", "Unix", "I386", "std", "final", "override", "import", "module",
    "__bool_true_false_are_defined", "bool_", "stdin_", "errno_",
};

static const char *const dot_keywords[] = {
    "Node", "Edge", "Graph", "Digraph", "Subgraph", "Strict", "node", "edge", "graph",
    "digraph", "subgraph", "strict", "NODE", "EDGE", "DiGraph", "SubGraph", "STRICT", "GRAPH",
};

/* Python keywords are fine names in C, except as related_name (E306). */
static const char *const python_only[] = {
    "None", "def", "pass", "lambda", "yield", "import", "from", "global", "with",
    "elif", "except", "finally", "is", "in", "as", "del", "raise", "nonlocal", "async",
    "await", "True", "False",
};

/* Capitalised so that an O2O default accessor (lower case) is a keyword or a
 * macro. */
static const char *const lowers_badly[] = {
    "Int", "Class", "Float", "New", "Delete", "Auto", "Template", "Errno", "Assert",
    "Null", "Linux", "Unix", "Node", "Index", "Memset", "Size_t", "Struct", "Bool",
};

static const char *const hostile[] = {
    "int", "class", "new", "delete", "template", "this", "auto", "register", "restrict",
    "bool", "and", "or", "not", "xor", "typename", "typeof", "inline", "volatile",
    "union", "enum", "char", "default", "switch", "static", "_Foo", "__x", "x__y",
    "rel_thing", "REL_X", "rel", "NULL", "errno", "assert", "offsetof", "stdin", "EOF",
    "INT32_MAX", "SIZE_MAX", "UINT8_MAX", "trailing_", "_leading", "pk", "self",
};

static const char *const ordinary_fields[] = {
    "name", "title", "age", "score", "price", "label", "note", "body", "flag", "rank",
    "weight", "ratio", "level", "data", "info", "created", "owner", "parent", "children",
    "tags", "friends", "members", "author", "book", "editor", "manager", "city", "email",
    "bio", "pages", "born", "rating", "enabled", "visible", "color", "height", "width",
    "start", "stop", "total", "amount", "user", "group", "leader", "mentor", "followers",
    "x1", "v2_0", "a9b", "t0", "m1_2", "Point3D", "TodoList", "ItemList", "List",
};

static const char *const ordinary_related[] = {
    "books", "posts", "entries", "kids", "members_of", "followers", "reports", "works",
    "reviews", "comments", "tasks", "owned", "managed", "led_by", "authored", "edited",
    "children_set", "parents", "friends_of", "liked_by", "twin_of", "mate_of",
};

static const char *const related_templates[] = {
    "%(class)s_set", "%(class)s", "%(model_name)s_list", "%(app_label)s_%(class)s",
    "x%(class)s", "%(class)s_by_%(app_label)s", "%(class)s1",
};

static const char *const hidden_related[] = {
    "+", "x+", "%(class)s+", "hidden_+", "++", "o+", "Node+", "*/+", "a b+", "\\+",
};

static const char *const sloppy_related[] = {
    "", "bad name", "1abc", "%(foo)s", "None", "def", "class", "%", "a-b", "rel_x",
};

static const char *const schema_names[] = {
    "shop", "library", "app1", "o", "db", "x", "model", "schema", "linux", "unix",
    "string", "stdint", "stddef", "stdbool", "stdlib", "stdio", "rel", "rel_version",
    "Node", "graph", "count", "items", "S", "store",
};

/* ---- picking names ----------------------------------------------------------------- */

/* dst = a + b, cut to fit. */
static void cat2(char *dst, size_t cap, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > cap - 1)
        na = cap - 1;
    if (nb > cap - 1 - na)
        nb = cap - 1 - na;
    memmove(dst, a, na);
    memcpy(dst + na, b, nb);
    dst[na + nb] = '\0';
}

static void lower_into(char *dst, size_t cap, const char *src)
{
    size_t i;
    for (i = 0; src[i] && i + 1 < cap; i++)
        dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] - 'A' + 'a') : src[i];
    dst[i] = '\0';
}

static void long_name(Gen *g, char *dst, size_t cap, bool capital)
{
    size_t n = between(&g->r, 64, 255), i;
    if (g->sloppy && chance(&g->r, 20))
        n = 256;
    if (n + 1 > cap)
        n = cap - 1;
    for (i = 0; i < n; i++)
        dst[i] = (char)(i == 0 ? (capital ? 'L' : 'l') : "ong_name0123456789"[i % 18]);
    if (dst[n - 1] == '_')
        dst[n - 1] = 'x';
    dst[n] = '\0';
}

/* A name for a model, a field or a schema, from the mixed pool; names built
 * from another model's use the models named so far (g->nm of them). */
static void pick_name(Gen *g, char *dst, size_t cap, bool for_model)
{
    Rng *r = &g->r;
    unsigned roll = below(r, 100);
    const char *other = g->nm > 0 ? g->m[below(r, (unsigned)g->nm)].name : "Author";
    char low[NAME_MAX_LEN];

    if (g->sloppy && roll < 8) {
        snprintf(dst, cap, "%s", PICK(r, hostile));
    } else if (roll < (for_model ? 30u : 34u)) {
        if (for_model)
            snprintf(dst, cap, "%s", PICK(r, ordinary_models));
        else
            snprintf(dst, cap, "%s", PICK(r, ordinary_fields));
    } else if (roll < 62) {
        snprintf(dst, cap, "%s", PICK(r, emitter_names));
    } else if (roll < 72) {
        snprintf(dst, cap, "%s", PICK(r, library_like));
    } else if (roll < 78) {
        snprintf(dst, cap, "%s", PICK(r, dot_keywords));
    } else if (roll < 82) {
        snprintf(dst, cap, "%s", PICK(r, python_only));
    } else if (roll < 86) {
        snprintf(dst, cap, "%s", PICK(r, lowers_badly));
    } else if (roll < 95 && g->nm > 0) {
        /* built from another model's name */
        lower_into(low, sizeof low, other);
        switch (below(r, 10)) {
        case 0: cat2(dst, cap, "done_", other); break;
        case 1: cat2(dst, cap, "all_", other); break;
        case 2: cat2(dst, cap, "ids_", other); break;
        case 3: cat2(dst, cap, "pool_", other); break;
        case 4: cat2(dst, cap, other, "List"); break;
        case 5: cat2(dst, cap, low, "_set"); break;
        case 6: cat2(dst, cap, low, ""); break;
        case 7: cat2(dst, cap, g->schema_name, "_store"); break;
        default: cat2(dst, cap, other, ""); break;   /* named like a model */
        }
    } else if (roll < 97) {
        long_name(g, dst, cap, for_model);
    } else {
        snprintf(dst, cap, "%s%u", for_model ? "Model" : "f", below(r, 100));
    }
}

static bool model_exists(const Gen *g, const char *name, int upto)
{
    int i;
    for (i = 0; i < upto; i++)
        if (strcmp(g->m[i].name, name) == 0)
            return true;
    return false;
}

static bool field_exists(const Model *m, const char *name)
{
    int i;
    for (i = 0; i < m->nf; i++)
        if (strcmp(m->f[i].name, name) == 0)
            return true;
    return false;
}

static void model_group(Group *gr, const char *M)
{
    gr->n = 0;
    group_add(gr, M, NULL, NULL, NULL);
    group_add(gr, M, "List", NULL, NULL);
    group_add(gr, M, "_new", NULL, NULL);
    group_add(gr, M, "_delete", NULL, NULL);
    group_add(gr, M, "_delete_many", NULL, NULL);
    group_add(gr, M, "_id", NULL, NULL);
    group_add(gr, M, "_get", NULL, NULL);
    group_add(gr, M, "_all", NULL, NULL);
    group_add(gr, M, "_count", NULL, NULL);
}

/* The functions of one side: getter and setter, or the set API. */
static void side_group(Group *gr, const char *owner, const char *name, bool set_api,
                       bool settable, bool removable)
{
    gr->n = 0;
    group_add(gr, owner, "_", name, NULL);
    if (settable)
        group_add(gr, owner, "_set_", name, NULL);
    if (!set_api)
        return;
    group_add(gr, owner, "_", name, "_count");
    group_add(gr, owner, "_", name, "_contains");
    group_add(gr, owner, "_", name, "_add");
    group_add(gr, owner, "_", name, "_create");
    if (removable) {
        group_add(gr, owner, "_", name, "_remove");
        group_add(gr, owner, "_", name, "_clear");
    }
}

/* ---- values -------------------------------------------------------------------------- */

static const char *const int_edges[9][8] = {
    { 0 },
    { "-128", "127", "0", "-1", "+5", "007", "-0", "100" },
    { "-32768", "32767", "0", "-1", "255", "-256", "+32767", "0000" },
    { "-2147483648", "2147483647", "0", "-1", "+2147483647", "-2147483647", "65536", "42" },
    { "-9223372036854775808", "9223372036854775807", "0", "-1", "-9223372036854775807",
      "+9223372036854775807", "4294967296", "-2147483649" },
    { "0", "255", "1", "+255", "128", "-0", "0255", "7" },
    { "0", "65535", "1", "32768", "+65535", "256", "-0", "9" },
    { "0", "4294967295", "2147483648", "1", "+4294967295", "2147483647", "-0", "12" },
    { "0", "18446744073709551615", "9223372036854775808", "1", "4294967296",
      "+18446744073709551615", "-0", "00000000000000000000018446744073709551615" },
};
static const char *const int_out_of_range[9][2] = {
    { 0 }, { "-129", "128" }, { "-32769", "32768" }, { "-2147483649", "2147483648" },
    { "-9223372036854775809", "9223372036854775808" }, { "-1", "256" }, { "-1", "65536" },
    { "-1", "4294967296" }, { "-1", "18446744073709551616" },
};
static const char *const float_values[] = {
    "1e-50", "1e-46", "1e-45", "1.4e-45", "1.17549435e-38", "1e-38", "3.4e38", "3.4028234e38",
    "-3.4028234e38", "-0.0", "0.1", "1.5", "+2.5", "100", "-7", "16777217", "1e10", "0",
    "123456789012345678901234567890", "0.000000000000000000000000000000000000000000001",
    "2E5", "1e+5", "-1E-5", "00.5", "3.14159265358979323846264338327950288",
};
static const char *const double_values[] = {
    "1e-50", "1e300", "-1e300", "1e-320", "1e-400", "4.9e-324", "2e-324", "2.2250738585072014e-308",
    "1.7976931348623157e308", "-1.7976931348623157e308", "-0.0", "0.30000000000000004",
    "1e308", "0", "+1.5", "-2", "123456789012345678901234567890123456789", "1e-310", "5e-324",
    "99999999999999999999999999999999999999999999999999999999999999999",
};
static const char *const float_bad[] = { "1e39", "3.5e38", "1e300", "-1e40" };
static const char *const double_bad[] = { "1e309", "1.8e308", "-1e400" };

/* Pieces of string values (raw: string_value escapes them for the schema). */
static const char *const string_pieces[] = {
    "hello", " ", "world", "\\", "\n", "\t", "?", "?\?/", "?\?=", "?\?'", "?\?-", "?\?!",
    "?\?(", "?\?)", "?\?<", "?\?>", "/*", "*/", "//", "%s", "%d", "%%", "#include", "\\0",
    "\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80", "\xe2\x80\xa8", "\xef\xbb\xbf",
    "\xc2\x85", "\xc2\xa0", "$", "@", "`", "{", "}", "\\n", "x\\", "\xe2\x80\xae",
    "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf", "a\tb", "0", "'", "\"", "\"\"", "''", "\\x41", "\\u00e9",
    "\x7f", "\r",
};

/* A string literal of relc's language (quotes included) and its length in
 * code points. */
static void string_value(Gen *g, Buf *out, size_t *cps, size_t min_bytes)
{
    Rng *r = &g->r;
    char q = chance(r, 70) ? '"' : '\'';
    size_t n = below(r, 8), i;
    Buf raw = { NULL, 0, 0 };
    const char *s;
    *cps = 0;
    for (i = 0; i < n || raw.n < min_bytes; i++) {
        const char *piece = PICK(r, string_pieces);
        if (strcmp(piece, "\r") == 0 && !(g->sloppy && chance(r, 30)))
            continue;                     /* a raw CR: not an escape relc knows */
        buf_puts(&raw, piece);
    }
    buf_add(out, &q, 1);
    for (s = raw.p ? raw.p : ""; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) != 0x80)
            (*cps)++;
        if (c == '\\')
            buf_puts(out, "\\\\");
        else if (c == (unsigned char)q || (c == '"' && chance(r, 30)) || (c == '\'' && chance(r, 30)))
            buf_printf(out, "\\%c", c);
        else if (c == '\n')
            buf_puts(out, "\\n");
        else if (c == '\t')
            buf_puts(out, chance(r, 80) ? "\\t" : "\t");
        else
            buf_add(out, s, 1);
    }
    buf_add(out, &q, 1);
    free(raw.p);
}

static void scalar_options(Gen *g, Field *f)
{
    Rng *r = &g->r;
    Buf b = { NULL, 0, 0 };
    bool has_default = chance(r, 55);
    bool has_max = f->type == T_STRING && chance(r, 45);
    bool default_first = chance(r, 50);
    size_t cps = 0;
    Buf dv = { NULL, 0, 0 };
    char maxv[64] = "";

    if (has_default) {
        int t = f->type;
        if (t == T_BOOL) {
            static const char *const bools[] = { "true", "false", "True", "False" };
            buf_puts(&dv, PICK(r, bools));
            if (g->sloppy && chance(r, 10))
                buf_puts(&dv, "1");            /* bool default = true1: not a bool */
        } else if (t == T_FLOAT || t == T_DOUBLE) {
            if (g->sloppy && chance(r, 15))
                buf_puts(&dv, t == T_FLOAT ? PICK(r, float_bad) : PICK(r, double_bad));
            else
                buf_puts(&dv, t == T_FLOAT ? PICK(r, float_values) : PICK(r, double_values));
        } else if (t == T_STRING) {
            size_t min = 0;
            unsigned roll = below(r, 100);
            if (roll < 4)
                min = between(r, 4096, 6000);
            else if (roll < 6)
                min = between(r, 4000, 4095);
            string_value(g, &dv, &cps, min);
        } else if (g->sloppy && chance(r, 15)) {
            buf_puts(&dv, int_out_of_range[t][below(r, 2)]);
        } else {
            buf_puts(&dv, int_edges[t][below(r, 8)]);
        }
    }
    if (has_max) {
        static const char *const maxes[] = {
            "1", "2", "10", "200", "255", "4095", "4096", "65535", "65536", "2147483647",
            "2147483648", "4294967295", "4294967295", "+300",
        };
        static const char *const bad_max[] = { "0", "-1", "4294967296", "18446744073709551616",
                                               "99999999999", "1.5", "\"10\"" };
        if (g->sloppy && chance(r, 20)) {
            snprintf(maxv, sizeof maxv, "%s", PICK(r, bad_max));
        } else {
            snprintf(maxv, sizeof maxv, "%s", PICK(r, maxes));
            if (has_default && strtoull(maxv, NULL, 10) < cps
                && !(g->sloppy && chance(r, 30)))
                snprintf(maxv, sizeof maxv, "%s", chance(r, 50) ? "4294967295" : "");
            if (has_default && !maxv[0])
                snprintf(maxv, sizeof maxv, "%lu", (unsigned long)(cps ? cps : 1));
        }
    }
    if (!has_default && !has_max) {
        f->scalar_args = NULL;
        f->empty_parens = chance(r, 10);
        free(dv.p);
        return;
    }
    if (has_default && (!has_max || default_first)) {
        buf_puts(&b, "default = ");
        buf_puts(&b, dv.p);
    }
    if (has_max) {
        if (b.n)
            buf_puts(&b, ", ");
        buf_printf(&b, "max_length%s=%s%s", chance(r, 80) ? " " : "", chance(r, 80) ? " " : "",
                   maxv);
    }
    if (has_default && has_max && !default_first) {
        buf_puts(&b, ", default = ");
        buf_puts(&b, dv.p);
    }
    if (chance(r, 8))
        buf_puts(&b, ",");
    if (g->sloppy && chance(r, 5))
        buf_puts(&b, ", default = 1");        /* E114 or E115 */
    free(dv.p);
    f->scalar_args = buf_take(&b);
}

/* ---- doc comments ---------------------------------------------------------------------- */

static const char *const doc_pieces[] = {
    "A thing.", "/*", "*/", "*/*", "/*/", "**/", "*", "/", "\\", "\\\\", "?\?/", "?\?=",
    "x */ int y; /*", "\xc3\xa9t\xc3\xa9", "\xe2\x80\x94", "\xf0\x9f\x90\x8d", "#define x 1",
    "// nested", "*/ /*", "\"quoted\"", "'q'", "%s", "@param o", "  spaced  ", "<b>&amp;</b>",
    "-*-", "/**/", "*//*", "end */",
};

static char *make_doc(Gen *g)
{
    Rng *r = &g->r;
    Buf b = { NULL, 0, 0 };
    unsigned lines = between(r, 1, 4), i, j;
    for (i = 0; i < lines; i++) {
        unsigned pieces = below(r, 5);
        if (i)
            buf_puts(&b, "\n");
        for (j = 0; j < pieces; j++) {
            if (j)
                buf_puts(&b, chance(r, 70) ? " " : "");
            buf_puts(&b, PICK(r, doc_pieces));
        }
        if (chance(r, 10))
            buf_puts(&b, "?\?/");              /* a trigraph line splice at the end */
        else if (chance(r, 8))
            buf_puts(&b, "\\");               /* a backslash at the end */
        else if (chance(r, 5))
            buf_puts(&b, "*");
    }
    return buf_take(&b);
}

/* ---- the schema ------------------------------------------------------------------------ */

static void schema_group(Group *gr, const char *S)
{
    gr->n = 0;
    group_add(gr, S, "_store", NULL, NULL);
    group_add(gr, S, "_store_new", NULL, NULL);
    group_add(gr, S, "_store_free", NULL, NULL);
    group_add(gr, S, "_store_errmsg", NULL, NULL);
    group_add(gr, S, "_store_verify", NULL, NULL);
}

static void gen_models(Gen *g)
{
    Rng *r = &g->r;
    unsigned roll = below(r, 100);
    int i, tries;
    Group gr;
    /* Mostly small schemas (compiling the output is what costs), a few big. */
    int total = (int)(roll < 50 ? between(r, 1, 2) : roll < 88 ? between(r, 3, 4)
                      : roll < 97 ? between(r, 5, 8) : between(r, 9, 12));
    for (i = 0; i < total; i++) {
        Model *m = &g->m[i];
        memset(m, 0, sizeof *m);
        for (tries = 0; tries < 200; tries++) {
            bool ok;
            g->nm = i;                         /* so pick_name sees models 0..i-1 */
            pick_name(g, m->name, sizeof m->name, true);
            g->nm = i + 1;
            if (tries > 100)
                snprintf(m->name, sizeof m->name, "Model%d_%d", i, tries);
            model_group(&gr, m->name);
            ok = is_ident(m->name) && strlen(m->name) <= 255 && !model_exists(g, m->name, i);
            if (g->sloppy && chance(r, 15))
                break;                         /* keep it, whatever it is */
            if (ok && django_model_name_ok(m->name) && group_ok(&g->names, &gr))
                break;
        }
        group_commit(&g->names, &gr);
        if (chance(r, 25))
            m->doc = make_doc(g);
    }
}

/* unique = true now and then, when its lookup's name M_get_by_f is free. */
static void unique_option(Gen *g, const Model *m, Field *f)
{
    Group gr;
    if (!chance(&g->r, f->type == T_FK ? 4 : 12))
        return;
    gr.n = 0;
    group_add(&gr, m->name, "_get_by_", f->name, NULL);
    if (!group_ok(&g->names, &gr))
        return;
    group_commit(&g->names, &gr);
    f->unique = true;
}

/* unique_together over two of a model's fields (not many-to-many), and
 * to_field on relations whose target has a unique scalar field. */
static void gen_uniques(Gen *g)
{
    Rng *r = &g->r;
    int i, j, k;
    for (i = 0; i < g->nm; i++) {
        Model *m = &g->m[i];
        m->together[0] = -1;
        if (m->nf >= 2 && chance(r, 20)) {
            int a = (int)below(r, (unsigned)m->nf), b = (int)below(r, (unsigned)m->nf);
            char tail[NAME_MAX_LEN + 2];
            Group gr;
            if (a == b || m->f[a].type == T_M2M || m->f[b].type == T_M2M)
                continue;
            snprintf(tail, sizeof tail, "_%s", m->f[b].name);
            gr.n = 0;
            group_add(&gr, m->name, "_get_by_", m->f[a].name, tail);
            if (!group_ok(&g->names, &gr))
                continue;
            group_commit(&g->names, &gr);
            m->together[0] = a;
            m->together[1] = b;
        }
    }
    for (i = 0; i < g->nm; i++)
        for (j = 0; j < g->m[i].nf; j++) {
            Field *f = &g->m[i].f[j];
            const Model *t;
            if ((f->type != T_FK && f->type != T_O2O) || !chance(r, 40))
                continue;
            t = &g->m[f->target];
            for (k = 0; k < t->nf; k++)
                if (t->f[k].unique && t->f[k].type <= T_STRING) {
                    f->to_field = k;
                    break;
                }
        }
}

static void gen_fields(Gen *g)
{
    Rng *r = &g->r;
    int i, j, tries;
    Group gr;

    for (i = 0; i < g->nm; i++) {
        Model *m = &g->m[i];
        unsigned fr = below(r, 100);
        int nf = (int)(fr < 10 ? 0 : fr < 70 ? between(r, 1, 3) : fr < 97 ? between(r, 4, 5)
                       : between(r, 6, MAX_FIELDS));
        for (j = 0; j < nf; j++) {
            Field *f = &m->f[m->nf];
            unsigned roll = below(r, 100);
            memset(f, 0, sizeof *f);
            f->symmetrical = -1;
            if (roll < 55)
                f->type = (int)below(r, T_STRING + 1);
            else if (roll < 75)
                f->type = T_FK;
            else if (roll < 85)
                f->type = T_O2O;
            else
                f->type = T_M2M;
            for (tries = 0; tries < 200; tries++) {
                bool ok;
                pick_name(g, f->name, sizeof f->name, false);
                if (tries > 100)
                    snprintf(f->name, sizeof f->name, "f%d_%d", j, tries);
                side_group(&gr, m->name, f->name, f->type == T_M2M, f->type != T_M2M, true);
                ok = is_ident(f->name) && strlen(f->name) <= 255 && !field_exists(m, f->name);
                if (g->sloppy && chance(r, 10))
                    break;
                if (ok && django_field_name_ok(f->name) && c_name_ok(f->name, false)
                    && group_ok(&g->names, &gr))
                    break;
            }
            group_commit(&g->names, &gr);
            if (chance(r, 20))
                f->doc = make_doc(g);
            f->to_field = -1;
            if (f->type <= T_STRING || f->type == T_FK)
                unique_option(g, m, f);
            if (f->type <= T_STRING) {
                scalar_options(g, f);
            } else {
                /* the target: self in its spellings, itself by name, or any model */
                if (chance(r, 22)) {
                    f->target = i;
                    f->target_form = (int)between(r, 0, 5);
                } else {
                    f->target = (int)below(r, (unsigned)g->nm);
                    f->target_form = (int)between(r, 0, 2);
                }
                if (f->type != T_M2M) {
                    f->on_delete = (int)below(r, 4);
                    if (g->sloppy && chance(r, 8))
                        f->on_delete = 4;
                    if (f->on_delete == 3)
                        f->null_opt = chance(r, 80) ? 1 : 3;
                    else if (chance(r, 30))
                        f->null_opt = (int)between(r, 1, 4);
                    if (f->on_delete == 3 && g->sloppy && chance(r, 15))
                        f->null_opt = 0;       /* E320 */
                } else {
                    if (chance(r, 6))
                        f->null_opt = 1;       /* W340 */
                    if (chance(r, 30))
                        f->symmetrical = (int)below(r, 2);
                }
                f->rqn = chance(r, 5);
                f->trailing_comma = chance(r, 8);
            }
            m->nf++;
        }
    }
}

static bool is_self_form(const Field *f) { return f->target_form >= 3; }
static void gen_through(Gen *g);

static bool field_null(const Field *f) { return f->null_opt == 1 || f->null_opt == 3; }

/* Django's related_name formatting (check.c format_related_name). */
static bool format_rn(const Gen *g, const Model *m, const char *s, char *out, size_t cap)
{
    size_t n = 0;
    char low[NAME_MAX_LEN];
    while (*s) {
        const char *sub = NULL;
        if (s[0] == '%' && s[1] == '%') {
            sub = "%";
            s += 2;
        } else if (strncmp(s, "%(class)s", 9) == 0) {
            lower_into(low, sizeof low, m->name);
            sub = low;
            s += 9;
        } else if (strncmp(s, "%(model_name)s", 14) == 0) {
            lower_into(low, sizeof low, m->name);
            sub = low;
            s += 14;
        } else if (strncmp(s, "%(app_label)s", 13) == 0) {
            lower_into(low, sizeof low, g->schema_name);
            sub = low;
            s += 13;
        } else if (s[0] == '%') {
            return false;
        }
        if (sub) {
            size_t k = strlen(sub);
            if (n + k + 1 > cap)
                return false;
            memcpy(out + n, sub, k);
            n += k;
        } else {
            if (n + 2 > cap)
                return false;
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    return true;
}

/* Reverse accessors, in the order relc assigns them (models, then fields,
 * in declaration order). */
static void gen_reverse(Gen *g)
{
    Rng *r = &g->r;
    int i, j, tries;
    Group gr;

    for (i = 0; i < g->nm; i++) {
        Model *m = &g->m[i];
        for (j = 0; j < m->nf; j++) {
            Field *f = &m->f[j];
            Model *t;
            bool symmetrical;
            char acc[NAME_MAX_LEN * 2];
            if (f->type < T_FK)
                continue;
            t = &g->m[f->target];
            f->rn_quote = chance(r, 75) ? '"' : '\'';
            symmetrical = f->type == T_M2M && f->target == i
                          && (f->symmetrical == 1 || (f->symmetrical == -1 && is_self_form(f)));
            if (symmetrical) {
                if (chance(r, 15)) {           /* W345: a warning, kept */
                    f->has_rn = true;
                    snprintf(f->rn, sizeof f->rn, "%s", PICK(r, ordinary_related));
                }
                continue;
            }
            for (tries = 0; tries < 60; tries++) {
                unsigned roll = below(r, 100);
                bool keep_anyway = g->sloppy && chance(r, 15);
                f->has_rn = true;
                if (tries >= 50) {
                    snprintf(f->rn, sizeof f->rn, "+");
                    break;
                }
                if (g->sloppy && roll < 5) {
                    snprintf(f->rn, sizeof f->rn, "%s", PICK(r, sloppy_related));
                    break;
                } else if (roll < 16) {
                    snprintf(f->rn, sizeof f->rn, "%s", PICK(r, hidden_related));
                    break;                     /* hidden: no accessor, nothing to check */
                } else if (roll < 40) {
                    size_t n;
                    f->has_rn = false;         /* Django's default accessor */
                    lower_into(acc, sizeof acc, m->name);
                    n = strlen(acc);
                    if (f->type != T_O2O && n + 5 <= sizeof acc)
                        memcpy(acc + n, "_set", 5);
                } else {
                    unsigned k = below(r, 100);
                    char raw[NAME_MAX_LEN];
                    if (k < 30)
                        snprintf(raw, sizeof raw, "%s", PICK(r, ordinary_related));
                    else if (k < 45)
                        snprintf(raw, sizeof raw, "%s", PICK(r, related_templates));
                    else if (k < 55 && t->nf > 0)
                        snprintf(raw, sizeof raw, "%s", t->f[below(r, (unsigned)t->nf)].name);
                    else
                        pick_name(g, raw, sizeof raw, false);
                    snprintf(f->rn, sizeof f->rn, "%s", raw);
                    if (!format_rn(g, m, raw, acc, sizeof acc))
                        continue;
                }
                if (keep_anyway)
                    break;
                if (!is_ident(acc) || IN(acc, python_keywords) || !c_name_ok(acc, false)
                    || strlen(acc) > 255)
                    continue;
                side_group(&gr, t->name, acc, f->type != T_O2O, false,
                           f->type == T_M2M || field_null(f));
                if (!group_ok(&g->names, &gr))
                    continue;
                group_commit(&g->names, &gr);
                break;
            }
        }
    }
}

/* ---- writing it out ---------------------------------------------------------------------- */

static void ws(Gen *g, Buf *b)
{
    switch (below(&g->r, 12)) {
    case 0: buf_puts(b, ""); break;
    case 1: buf_puts(b, "  "); break;
    case 2: buf_puts(b, "\t"); break;
    case 3: buf_puts(b, " /* c */ "); break;
    default: buf_puts(b, " "); break;
    }
}

static void write_doc(Buf *b, const char *doc, const char *indent)
{
    const char *line = doc;
    while (line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        buf_puts(b, indent);
        buf_puts(b, "///");
        if (n) {
            buf_puts(b, " ");
            buf_add(b, line, n);
        }
        buf_puts(b, "\n");
        line = nl ? nl + 1 : NULL;
    }
}

static void write_relation(Gen *g, Buf *b, const Model *m, const Field *f)
{
    Rng *r = &g->r;
    static const char *const on_delete[] = { "CASCADE", "PROTECT", "RESTRICT", "SET_NULL" };
    static const char *const other_on_delete[] = { "DO_NOTHING", "SET_DEFAULT", "SET(None)", "Cascade" };
    static const char *const nulls[] = { "", "true", "false", "True", "False" };
    const char *tname = g->m[f->target].name;
    char opts[8][NAME_MAX_LEN * 2 + 64];
    int n = 0, i;
    (void)m;

    /* `ForeignKey(model, ...)`: relc's grammar takes the keywords `model`
     * and `schema` as names of models and fields but not as a bare target
     * (E100), so a model so named is quoted, except in a sloppy schema. */
    if (f->target_form == 0 && (strcmp(tname, "model") == 0 || strcmp(tname, "schema") == 0)
        && !g->sloppy)
        buf_printf(b, "\"%s\"", tname);
    else switch (f->target_form) {
    case 0: buf_puts(b, tname); break;
    case 1: buf_printf(b, "\"%s\"", tname); break;
    case 2: buf_printf(b, "'%s'", tname); break;
    case 3: buf_puts(b, "self"); break;
    case 4: buf_puts(b, "'self'"); break;
    default: buf_puts(b, "\"self\""); break;
    }
    if (f->type != T_M2M)
        snprintf(opts[n++], sizeof opts[0], "on_delete = %s",
                 f->on_delete < 4 ? on_delete[f->on_delete] : PICK(r, other_on_delete));
    if (f->null_opt)
        snprintf(opts[n++], sizeof opts[0], "null = %s", nulls[f->null_opt]);
    if (f->has_rn) {
        /* the related name, escaped for its quotes */
        char esc[NAME_MAX_LEN * 2 + 8];
        size_t k = 0;
        const char *s;
        for (s = f->rn; *s && k + 3 < sizeof esc; s++) {
            if (*s == f->rn_quote || *s == '\\')
                esc[k++] = '\\';
            esc[k++] = *s;
        }
        esc[k] = '\0';
        snprintf(opts[n++], sizeof opts[0], "related_name = %c%s%c", f->rn_quote, esc, f->rn_quote);
    }
    if (f->symmetrical >= 0)
        snprintf(opts[n++], sizeof opts[0], "symmetrical = %s",
                 f->symmetrical ? (chance(r, 50) ? "true" : "True") : (chance(r, 50) ? "false" : "False"));
    if (f->rqn)
        snprintf(opts[n++], sizeof opts[0], "related_query_name = \"q_%s\"", f->name);
    if (f->through)
        snprintf(opts[n++], sizeof opts[0], "through = \"%s\"", g->m[f->through - 1].name);
    if (f->through_fields)
        snprintf(opts[n++], sizeof opts[0], "through_fields = (\"src\", \"dst\")");
    if (f->unique)
        snprintf(opts[n++], sizeof opts[0], "unique = true");
    if (f->to_field >= 0)
        snprintf(opts[n++], sizeof opts[0], "to_field = \"%s\"", g->m[f->target].f[f->to_field].name);
    /* options in any order after the target */
    for (i = n - 1; i > 0; i--) {
        int k = (int)below(r, (unsigned)i + 1);
        char tmp[sizeof opts[0]];
        memcpy(tmp, opts[i], sizeof tmp);
        memcpy(opts[i], opts[k], sizeof tmp);
        memcpy(opts[k], tmp, sizeof tmp);
    }
    for (i = 0; i < n; i++) {
        buf_puts(b, ",");
        ws(g, b);
        buf_puts(b, opts[i]);
    }
    if (f->trailing_comma)
        buf_puts(b, ",");
}

/* Now and then a many-to-many gets a through model of its own, appended
 * to the schema: two ForeignKeys src (to the declaring model) and dst (to
 * the target), with hidden reverse sides, and sometimes a scalar.  Only a
 * relation that is not symmetrical and whose reverse side is hidden, so
 * that the one new name on it (M_r_through) is easy to keep free. */
static void gen_through(Gen *g)
{
    Rng *r = &g->r;
    int i, j, tries;
    Group gr;
    for (i = 0; i < g->nm && g->nm < MAX_MODELS; i++) {
        Model *m = &g->m[i];
        for (j = 0; j < m->nf && g->nm < MAX_MODELS; j++) {
            Field *f = &m->f[j];
            Model *t;
            bool ok = false;
            size_t n;
            if (f->type != T_M2M || g->sloppy || !chance(r, 50))
                continue;
            if (f->target == i && (f->symmetrical == 1 || (f->symmetrical == -1 && is_self_form(f))))
                continue;
            n = strlen(f->rn);
            if (!f->has_rn || n == 0 || f->rn[n - 1] != '+')
                continue;
            gr.n = 0;
            group_add(&gr, m->name, "_", f->name, "_through");
            if (!group_ok(&g->names, &gr))
                continue;
            group_commit(&g->names, &gr);
            t = &g->m[g->nm];
            memset(t, 0, sizeof *t);
            for (tries = 0; tries < 100 && !ok; tries++) {
                pick_name(g, t->name, sizeof t->name, true);
                if (tries > 50)
                    snprintf(t->name, sizeof t->name, "Through%d_%d", i, tries);
                model_group(&gr, t->name);
                ok = is_ident(t->name) && strlen(t->name) <= 255 && !model_exists(g, t->name, g->nm)
                     && django_model_name_ok(t->name) && group_ok(&g->names, &gr);
                if (ok) {
                    group_commit(&g->names, &gr);
                    side_group(&gr, t->name, "src", false, true, true);
                    ok = group_ok(&g->names, &gr);
                    group_commit(&g->names, &gr);
                    side_group(&gr, t->name, "dst", false, true, true);
                    ok = ok && group_ok(&g->names, &gr);
                    group_commit(&g->names, &gr);
                }
            }
            if (!ok)
                return;   /* names run out: no through model this time */
            t->nf = 2;
            snprintf(t->f[0].name, sizeof t->f[0].name, "src");
            snprintf(t->f[1].name, sizeof t->f[1].name, "dst");
            t->f[0].target = i;
            t->f[1].target = f->target;
            t->f[0].type = t->f[1].type = T_FK;
            t->f[0].symmetrical = t->f[1].symmetrical = -1;
            t->f[0].on_delete = (int)below(r, 3);   /* CASCADE, PROTECT, RESTRICT */
            t->f[1].on_delete = chance(r, 70) ? 0 : 3;
            t->f[1].null_opt = t->f[1].on_delete == 3 ? 1 : 0;
            t->f[0].has_rn = t->f[1].has_rn = true;
            snprintf(t->f[0].rn, sizeof t->f[0].rn, "+");
            snprintf(t->f[1].rn, sizeof t->f[1].rn, "+");
            t->f[0].rn_quote = t->f[1].rn_quote = '"';
            if (chance(r, 50)) {
                Field *x = &t->f[t->nf++];
                snprintf(x->name, sizeof x->name, "joined");
                side_group(&gr, t->name, "joined", false, true, false);
                if (group_ok(&g->names, &gr)) {
                    group_commit(&g->names, &gr);
                    x->type = T_STRING;
                    x->symmetrical = -1;
                } else {
                    t->nf--;
                }
            }
            f->through = ++g->nm;
            f->through_fields = chance(r, 30);
        }
    }
}

static char *write_schema(Gen *g)
{
    Rng *r = &g->r;
    Buf b = { NULL, 0, 0 };
    int i, j;
    bool crlf = chance(r, 8);
    const char *indent = chance(r, 20) ? "\t" : "    ";

    if (chance(r, 4))
        buf_puts(&b, "\xEF\xBB\xBF");
    if (chance(r, 50))
        buf_printf(&b, "// schemagen %llu\n", (unsigned long long)g->seed);
    if (chance(r, 10))
        buf_puts(&b, "/* a block comment with /* inside, and ** and / */\n");
    if (g->schema_given)
        buf_printf(&b, "schema%s%s;\n\n", chance(r, 90) ? " " : "\t", g->schema_name);
    for (i = 0; i < g->nm; i++) {
        const Model *m = &g->m[i];
        bool one_line = m->nf <= 2 && chance(r, 20);
        if (m->doc)
            write_doc(&b, m->doc, "");
        else if (chance(r, 10))
            buf_puts(&b, "//// four slashes: a plain comment\n");
        buf_printf(&b, "model %s {%s", m->name, one_line ? " " : "\n");
        for (j = 0; j < g->ngfk; j++)
            if (g->gfk_target[j] == i && g->gfk_rel[j])
                buf_printf(&b, "%szz_generic_tags: GenericRelation(ZzGenericTag);%s", one_line ? "" : "    ",
                           one_line ? " " : "\n");
        for (j = 0; j < m->nf; j++) {
            const Field *f = &m->f[j];
            if (f->doc && !one_line)
                write_doc(&b, f->doc, indent);
            if (!one_line)
                buf_puts(&b, indent);
            buf_puts(&b, f->name);
            buf_puts(&b, chance(r, 85) ? ": " : " :");
            buf_puts(&b, type_names[f->type]);
            if (f->type >= T_FK) {
                buf_puts(&b, "(");
                write_relation(g, &b, m, f);
                buf_puts(&b, ")");
            } else if (f->scalar_args) {
                buf_puts(&b, f->unique ? "(unique = true, " : "(");
            buf_puts(&b, f->scalar_args);
            buf_puts(&b, ")");
            } else if (f->unique) {
                buf_puts(&b, "(unique = true)");
            } else if (f->empty_parens) {
                buf_puts(&b, "()");
            }
            buf_puts(&b, ";");
            if (!one_line && chance(r, 8))
                buf_puts(&b, "  // trailing comment */ /*");
            buf_puts(&b, one_line ? " " : "\n");
        }
        if (m->together[0] >= 0)
            buf_printf(&b, "%sunique_together = (\"%s\", \"%s\");\n", one_line ? "" : indent, m->f[m->together[0]].name,
                       m->f[m->together[1]].name);
        buf_puts(&b, "}\n\n");
    }
    if (g->ngfk) {
        buf_puts(&b, "model ZzGenericTag {\n    zz_label: string;\n    zz_object: GenericForeignKey(");
        for (j = 0; j < g->ngfk; j++)
            buf_printf(&b, "%s%s", j ? ", " : "", g->m[g->gfk_target[j]].name);
        buf_printf(&b, ", on_delete = %s%s);\n}\n", g->gfk_on_delete,
                   strcmp(g->gfk_on_delete, "SET_NULL") == 0 || chance(r, 30) ? ", null = true" : "");
    }
    if (chance(r, 5))
        buf_puts(&b, "// no newline at the end");
    if (crlf) {
        Buf c = { NULL, 0, 0 };
        size_t k;
        for (k = 0; k < b.n; k++) {
            if (b.p[k] == '\n')
                buf_add(&c, "\r", 1);
            buf_add(&c, b.p + k, 1);
        }
        free(b.p);
        return buf_take(&c);
    }
    return buf_take(&b);
}

static void free_schema(Gen *g)
{
    int i, j;
    for (i = 0; i < g->nm; i++) {
        free(g->m[i].doc);
        for (j = 0; j < g->m[i].nf; j++) {
            free(g->m[i].f[j].doc);
            free(g->m[i].f[j].scalar_args);
        }
    }
    set_clear(&g->names);
}

static char *generate(uint64_t seed)
{
    static Gen g;                       /* large: keep it off the stack */
    Group gr;
    char *text;
    int tries;

    memset(&g, 0, sizeof g);
    g.seed = seed;
    g.r.s = seed * 0xD1B54A32D192ED03ull + 0x2545F4914F6CDD1Dull;
    rng_next(&g.r);
    g.sloppy = chance(&g.r, 8);

    snprintf(g.schema_name, sizeof g.schema_name, "g%llu", (unsigned long long)seed);
    g.schema_given = chance(&g.r, 35);
    if (g.schema_given) {
        for (tries = 0; tries < 50; tries++) {
            if (chance(&g.r, 60))
                snprintf(g.schema_name, sizeof g.schema_name, "%s", PICK(&g.r, schema_names));
            else
                pick_name(&g, g.schema_name, sizeof g.schema_name, false);
            schema_group(&gr, g.schema_name);
            if (g.sloppy || (is_ident(g.schema_name) && strlen(g.schema_name) <= 255
                             && group_ok(&g.names, &gr)))
                break;
            snprintf(g.schema_name, sizeof g.schema_name, "s%llu", (unsigned long long)seed);
        }
    }
    schema_group(&gr, g.schema_name);
    group_commit(&g.names, &gr);

    gen_models(&g);
    gen_fields(&g);
    gen_uniques(&g);
    gen_reverse(&g);
    gen_through(&g);
    if (g.nm && chance(&g.r, 30)) {
        static const char *const actions[] = { "CASCADE", "PROTECT", "RESTRICT", "SET_NULL" };
        int want = (int)between(&g.r, 1, 3), i, j;
        for (i = 0; i < want; i++) {
            int t = (int)below(&g.r, (unsigned)g.nm);
            for (j = 0; j < g.ngfk && g.gfk_target[j] != t; j++)
                ;
            if (j < g.ngfk)
                continue;
            g.gfk_rel[g.ngfk] = chance(&g.r, 50);
            g.gfk_target[g.ngfk++] = t;
        }
        g.gfk_on_delete = actions[below(&g.r, 4)];
    }
    text = write_schema(&g);
    free_schema(&g);
    return text;
}

int main(int argc, char **argv)
{
    unsigned long long seed, count = 1, i;
    const char *outdir;
    char *end;

    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: schemagen SEED [COUNT] OUTDIR\n");
        return 2;
    }
    errno = 0;
    seed = strtoull(argv[1], &end, 10);
    if (errno || *end || end == argv[1]) {
        fprintf(stderr, "schemagen: bad seed '%s'\n", argv[1]);
        return 2;
    }
    if (argc == 4) {
        count = strtoull(argv[2], &end, 10);
        if (errno || *end || end == argv[2]) {
            fprintf(stderr, "schemagen: bad count '%s'\n", argv[2]);
            return 2;
        }
    }
    outdir = argv[argc - 1];
    for (i = 0; i < count; i++) {
        char path[4096];
        char *text = generate(seed + i);
        FILE *fp;
        snprintf(path, sizeof path, "%s/g%llu.rel", outdir, seed + i);
        fp = fopen(path, "wb");
        if (!fp) {
            fprintf(stderr, "schemagen: cannot write %s: %s\n", path, strerror(errno));
            free(text);
            return 2;
        }
        fputs(text, fp);
        if (fclose(fp) != 0) {
            fprintf(stderr, "schemagen: cannot write %s\n", path);
            free(text);
            return 2;
        }
        free(text);
    }
    return 0;
}
