/* test_front.c: the front end and the command line, in-process.
 *
 * Reverse accessor naming (SPEC section 2) as a table, the seeds'
 * scenarios, the command line's statuses and messages, determinism and
 * atomic outputs: outputs that would overwrite the schema or each other,
 * all or nothing when a rename fails, signals, a schema that changes while
 * it is read, names too long for a directory entry, dependency files and
 * stamps.  Per-check diagnostics are snapshot tests (tests/diag). */
#include "relc.h"
#include "emit.h"
#include "oom.h"
#include "unit.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- fault injection ------------------------------------------------------ */

/* This program defines rename, mkstemp and read itself, so the driver
 * (linked in from librelc.a) calls these.  Each passes through to the
 * system unless a test armed it: a rename that fails, something done right
 * after a temporary file is created or after the schema's first read. */
static int rename_fail_at;           /* the nth rename from arming fails; 0: none */
static int rename_calls;
static int mkstemp_act_at;           /* after the nth mkstemp, mkstemp_action() */
static int mkstemp_calls;
static void (*mkstemp_action)(void);
static void (*read_action)(void);    /* once, after a read that returned data */

int rename(const char *from, const char *to)
{
    if (rename_fail_at && ++rename_calls == rename_fail_at) {
        errno = EIO;
        return -1;
    }
    return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

int mkstemp(char *template)
{
    int fd = mkostemp(template, 0);
    if (mkstemp_act_at && ++mkstemp_calls == mkstemp_act_at && mkstemp_action)
        mkstemp_action();
    return fd;
}

ssize_t read(int fd, void *buf, size_t n)
{
    ssize_t got = (ssize_t)syscall(SYS_read, fd, buf, n);
    if (got > 0 && read_action) {
        void (*act)(void) = read_action;
        read_action = NULL;
        act();
    }
    return got;
}

static void disarm(void)
{
    rename_fail_at = rename_calls = 0;
    mkstemp_act_at = mkstemp_calls = 0;
    mkstemp_action = NULL;
    read_action = NULL;
}

/* Compiles text; returns the status, and the diagnostics in *diag. */
static int compile(const char *text, RelcUnit **unit, char **diag)
{
    size_t len = 0;
    char *buf = NULL;
    FILE *out = open_memstream(&buf, &len);
    RelcOptions opt;
    int rc;
    memset(&opt, 0, sizeof opt);
    opt.schema_name = "test";
    rc = relc_compile("test.rel", text, strlen(text), &opt, out, unit);
    fclose(out);
    if (diag)
        *diag = buf;
    else
        free(buf);
    return rc;
}

static const Field *field_of(const RelcUnit *u, const char *model, const char *field)
{
    size_t i;
    for (i = 0; i < u->schema->nmodels; i++) {
        const Field *f;
        if (strcmp(u->schema->model_array[i]->name, model) != 0)
            continue;
        for (f = u->schema->model_array[i]->fields; f; f = f->next)
            if (strcmp(f->name, field) == 0)
                return f;
    }
    return NULL;
}

/* ---- naming ------------------------------------------------------------- */

static const struct {
    const char *schema, *model, *field, *accessor;   /* accessor NULL: none */
} naming[] = {
    /* ForeignKey: lowercased declaring model + _set; related_name wins. */
    { "model Author {} model Book { author: ForeignKey(Author, on_delete = CASCADE); }",
      "Book", "author", "book_set" },
    { "model Author {} model Book { author: ForeignKey(Author, on_delete = CASCADE, related_name = \"books\"); }",
      "Book", "author", "books" },
    /* No underscore is added between words: bookreview_set. */
    { "model Book {} model BookReview { book: ForeignKey(Book, on_delete = CASCADE); }",
      "BookReview", "book", "bookreview_set" },
    /* OneToOneField: the lowercased model name alone. */
    { "model User {} model Profile { user: OneToOneField(User, on_delete = CASCADE); }",
      "Profile", "user", "profile" },
    /* ManyToManyField: _set, like a ForeignKey. */
    { "model Student { courses: ManyToManyField(Course); } model Course {}",
      "Student", "courses", "student_set" },
    /* '+' and anything ending in '+' hide the reverse side. */
    { "model Category {} model Product { c: ForeignKey(Category, on_delete = CASCADE, related_name = '+'); }",
      "Product", "c", NULL },
    { "model Category {} model Product { c: ForeignKey(Category, on_delete = CASCADE, related_name = \"products+\"); }",
      "Product", "c", NULL },
    { "model Tag {} model Post { tags: ManyToManyField(Tag, related_name = \"+\"); }",
      "Post", "tags", NULL },
    /* self in every spelling; symmetrical by default only when written self. */
    { "model Person { friends: ManyToManyField(self); }", "Person", "friends", NULL },
    { "model Person { friends: ManyToManyField(\"self\"); }", "Person", "friends", NULL },
    { "model Person { friends: ManyToManyField('self'); }", "Person", "friends", NULL },
    { "model Person { follows: ManyToManyField(Person); }", "Person", "follows", "person_set" },
    { "model Person { follows: ManyToManyField(self, symmetrical = false); }",
      "Person", "follows", "person_set" },
    { "model Person { friends: ManyToManyField(Person, symmetrical = true); }", "Person", "friends", NULL },
    /* A self ForeignKey: model_set on the model itself. */
    { "model Employee { manager: ForeignKey(self, on_delete = CASCADE, null = true); }",
      "Employee", "manager", "employee_set" },
    { "model Employee { manager: ForeignKey(self, on_delete = SET_NULL, null = true, related_name = \"reports\"); }",
      "Employee", "manager", "reports" },
    /* Django's %(class)s placeholders, lower-cased. */
    { "model Author {} model Book { a: ForeignKey(Author, on_delete = CASCADE, related_name = \"%(class)s_items\"); }",
      "Book", "a", "book_items" },
    { "schema Shop; model Author {} model Book { a: ForeignKey(Author, on_delete = CASCADE, related_name = \"%(app_label)s_%(model_name)s\"); }",
      "Book", "a", "shop_book" },
    /* A string target names the model, as in Django. */
    { "model Book { author: ForeignKey(\"Author\", on_delete = CASCADE); } model Author {}",
      "Book", "author", "book_set" },
};

START_TEST(test_naming_table)
{
    RelcUnit *u = NULL;
    char *diag = NULL;
    const Field *f;
    int rc = compile(naming[_i].schema, &u, &diag);
    ck_assert_msg(rc == RELC_OK, "%s\n%s", naming[_i].schema, diag);
    f = field_of(u, naming[_i].model, naming[_i].field);
    ck_assert_ptr_nonnull(f);
    if (naming[_i].accessor)
        ck_assert_msg(f->accessor && strcmp(f->accessor, naming[_i].accessor) == 0,
                      "%s: accessor %s, expected %s", naming[_i].schema,
                      f->accessor ? f->accessor : "(none)", naming[_i].accessor);
    else
        ck_assert_msg(f->accessor == NULL, "%s: accessor %s, expected none", naming[_i].schema,
                      f->accessor);
    relc_unit_free(u);
    free(diag);
}
END_TEST

/* ---- the seeds' scenarios ----------------------------------------------- */

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

START_TEST(test_seed_company_needs_related_names)
{
    char *diag = NULL;
    const char *unnamed =
        "model Employee { name: string; }\n"
        "model Department {\n"
        "    manager: ForeignKey(Employee, on_delete = CASCADE);\n"
        "    workers: ManyToManyField(Employee);\n"
        "}\n";
    const char *named =
        "model Employee { name: string; }\n"
        "model Department {\n"
        "    manager: ForeignKey(Employee, on_delete = CASCADE, related_name = \"managed_departments\");\n"
        "    workers: ManyToManyField(Employee, related_name = \"departments\");\n"
        "}\n";
    ck_assert_int_eq(compile(unnamed, NULL, &diag), RELC_ERRORS);
    /* One E304 for each field, each with a note naming the other. */
    ck_assert_int_eq(count_of(diag, "[E304]"), 2);
    ck_assert_ptr_nonnull(strstr(diag, "test.rel:3:5: error: reverse accessor 'department_set' for "
                                       "'Department.manager' clashes with reverse accessor for "
                                       "'Department.workers' [E304]"));
    ck_assert_ptr_nonnull(strstr(diag, "test.rel:3:5: note: 'Department.manager' is declared here"));
    ck_assert_ptr_nonnull(strstr(diag, "test.rel:4:5: note: 'Department.workers' is declared here"));
    free(diag);
    ck_assert_int_eq(compile(named, NULL, NULL), RELC_OK);
}
END_TEST

/* Three relations sharing one reverse accessor: each is reported once,
 * against the first other user of the name (not every pair: k relations
 * would give k(k-1) errors, and as much time). */
START_TEST(test_e304_each_clash_once)
{
    char *diag = NULL;
    const char *text =
        "model Employee { name: string; }\n"
        "model Department {\n"
        "    manager: ForeignKey(Employee, on_delete = CASCADE);\n"
        "    workers: ManyToManyField(Employee);\n"
        "    interns: ManyToManyField(Employee);\n"
        "}\n";
    ck_assert_int_eq(compile(text, NULL, &diag), RELC_ERRORS);
    ck_assert_int_eq(count_of(diag, "[E304]"), 3);
    ck_assert_ptr_nonnull(strstr(diag, "test.rel:3:5: error: reverse accessor 'department_set' for "
                                       "'Department.manager' clashes with reverse accessor for "
                                       "'Department.workers' [E304]"));
    ck_assert_ptr_nonnull(strstr(diag, "test.rel:4:5: error: reverse accessor 'department_set' for "
                                       "'Department.workers' clashes with reverse accessor for "
                                       "'Department.manager' [E304]"));
    ck_assert_ptr_nonnull(strstr(diag, "test.rel:5:5: error: reverse accessor 'department_set' for "
                                       "'Department.interns' clashes with reverse accessor for "
                                       "'Department.manager' [E304]"));
    free(diag);
}
END_TEST

START_TEST(test_seed_errors)
{
    static const struct { const char *schema, *code; } cases[] = {
        { "model Author { books: int32; } model Book { a: ForeignKey(Author, on_delete = CASCADE, related_name = \"books\"); }", "[E302]" },
        { "model Author {} model Book { a: ForeignKey(Author, on_delete = CASCADE, related_name = \"my books\"); }", "[E306]" },
        { "model Author {} model Book { a: ForeignKey(Author, on_delete = CASCADE, related_name = \"1st\"); }", "[E306]" },
        { "model Author {} model Book { a: ForeignKey(Author, on_delete = SET_NULL); }", "[E320]" },
        { "model Author {} model Book { a: ForeignKey(Author); }", "[E118]" },
        { "model Author {} model Book { a: ForeignKey(Author, on_delete = DO_NOTHING); }", "[E119]" },
        { "model Book { int: int32; }", "[E120]" },
        { "model Book { _Reserved: int32; }", "[E121]" },
        { "model Book {} model BookList {}", "[E122]" },
        { "", "[E102]" },
        { "model A { s: string(default = \"x); }", "[E101]" },
        { "model A {} /* open", "[E101]" },
        { "model A { @ }", "[E101]" },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *diag = NULL;
        ck_assert_int_eq(compile(cases[i].schema, NULL, &diag), RELC_ERRORS);
        ck_assert_msg(strstr(diag, cases[i].code), "%s: expected %s in\n%s", cases[i].schema,
                      cases[i].code, diag);
        free(diag);
    }
}
END_TEST

/* Every model has an id it does not declare (Django's automatic primary
 * key): a reverse accessor 'id' is Django's E302 against it, whatever the
 * relation kind and whether related_name or the default names it, and no
 * E122 for Target_id besides.  'pk' is no field: Django accepts it. */
START_TEST(test_reverse_accessor_id)
{
    static const struct { const char *schema, *clash; } cases[] = {
        { "model Target {} model Source { f: ForeignKey(Target, on_delete = CASCADE, related_name = \"id\"); }",
          "reverse accessor 'id' for 'Source.f' clashes with field name 'Target.id' [E302]" },
        { "model Target {} model Source { f: OneToOneField(Target, on_delete = CASCADE, related_name = \"id\"); }",
          "reverse accessor 'id' for 'Source.f' clashes with field name 'Target.id' [E302]" },
        { "model Target {} model Source { f: ManyToManyField(Target, related_name = \"id\"); }",
          "reverse accessor 'id' for 'Source.f' clashes with field name 'Target.id' [E302]" },
        { "model Node { up: ForeignKey(self, on_delete = CASCADE, null = true, related_name = \"id\"); }",
          "reverse accessor 'id' for 'Node.up' clashes with field name 'Node.id' [E302]" },
        { "model Target {} model Id { f: OneToOneField(Target, on_delete = CASCADE); }",
          "reverse accessor 'id' for 'Id.f' clashes with field name 'Target.id' [E302]" },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *diag = NULL;
        ck_assert_int_eq(compile(cases[i].schema, NULL, &diag), RELC_ERRORS);
        ck_assert_msg(strstr(diag, cases[i].clash), "%s: expected \"%s\" in\n%s", cases[i].schema,
                      cases[i].clash, diag);
        ck_assert_msg(!strstr(diag, "[E122]"), "%s: E122 besides E302:\n%s", cases[i].schema, diag);
        free(diag);
    }
    ck_assert_int_eq(compile("model Target {} model Source { f: ForeignKey(Target, on_delete = CASCADE, "
                             "related_name = \"pk\"); }", NULL, NULL), RELC_OK);
}
END_TEST

/* The bare words of a DOT text, outside quoted strings, HTML-like strings
 * and comments, that are DOT keywords (in any case); *n counts them and
 * the result lists them, space-separated, in buf. */
static const char *dot_bare_keywords(const char *s, char *buf, size_t cap, int *n)
{
    static const char *const kw[] = { "node", "edge", "graph", "digraph", "subgraph", "strict" };
    size_t len = 0;
    buf[0] = '\0';
    *n = 0;
    while (*s) {
        if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
        } else if (*s == '"') {
            for (s++; *s && *s != '"'; s++)
                if (*s == '\\' && s[1])
                    s++;
            if (*s)
                s++;
        } else if (*s == '<') {
            int depth = 0;
            do {
                depth += *s == '<' ? 1 : *s == '>' ? -1 : 0;
                s++;
            } while (*s && depth > 0);
        } else if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_') {
            const char *w = s;
            size_t k, j;
            while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')
                s++;
            for (k = 0; k < sizeof kw / sizeof kw[0]; k++) {
                if (strlen(kw[k]) != (size_t)(s - w))
                    continue;
                for (j = 0; j < (size_t)(s - w) && (w[j] | 0x20) == kw[k][j]; j++)
                    ;
                if (j == (size_t)(s - w)) {
                    (*n)++;
                    len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%.*s ", (int)(s - w), w);
                }
            }
        } else {
            s++;
        }
    }
    return buf;
}

/* Models, fields and accessors named as DOT keywords, in any case: in the
 * diagram they are quoted, so the only bare keywords left are relc's own
 * (digraph, and the graph, node and edge attribute statements). */
START_TEST(test_dot_quotes_keywords)
{
    const char *text =
        "model Node { node: int32; EDGE: string; graph: ForeignKey(Graph, on_delete = CASCADE, related_name = \"node\"); }\n"
        "model Graph { Strict: bool; edge: ManyToManyField(node, related_name = \"Subgraph\"); }\n"
        "model node { DiGraph: OneToOneField(Node, on_delete = CASCADE, related_name = \"strict\"); }\n"
        "model EDGE { subgraph: ForeignKey(self, on_delete = SET_NULL, null = true, related_name = \"x<&>\\\"\\\\+\"); }\n";
    RelcUnit *u = NULL;
    Printer p;
    char words[256];
    int n;
    ck_assert_int_eq(compile(text, &u, NULL), RELC_OK);
    pr_init(&p);
    ck_assert(emit_dot(u, &p));
    dot_bare_keywords(p.data, words, sizeof words, &n);
    ck_assert_msg(n == 4 && strcmp(words, "digraph graph node edge ") == 0,
                  "bare DOT keywords: %s in\n%s", words, p.data);
    ck_assert_ptr_nonnull(strstr(p.data, "\"Node\":\"graph\" -> \"Graph\""));
    ck_assert_ptr_nonnull(strstr(p.data, "reverse hidden (related_name 'x<&>\\\"\\\\+')"));
    pr_free(&p);
    relc_unit_free(u);
}
END_TEST

START_TEST(test_nul_and_invalid_utf8_never_crash)
{
    static const char bad[] = "model A { x: int32; \0 \xff\xfe \xc3 } \"\xff\" /// \xff\nmodel B {}";
    RelcOptions opt;
    memset(&opt, 0, sizeof opt);
    ck_assert_int_eq(relc_compile("bad.rel", bad, sizeof bad - 1, &opt, NULL, NULL), RELC_ERRORS);
}
END_TEST

START_TEST(test_error_cap)
{
    /* 10,000 errors: 50 shown, the rest counted. */
    size_t n = 10000, i, len = 0;
    char *text = (char *)malloc(n * 8 + 1), *diag = NULL;
    for (i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "@\n");
    ck_assert_int_eq(compile(text, NULL, &diag), RELC_ERRORS);
    ck_assert_int_eq(count_of(diag, ": error: "), 50);
    ck_assert_ptr_nonnull(strstr(diag, "9950 more errors and 0 more warnings not shown"));
    free(diag);
    free(text);
}
END_TEST

/* Out of memory: every allocation the compiler makes, failed in turn.
 * Each run either fails cleanly (RELC_FAILED) or, where the failure only
 * cost a nicety such as a quoted source line, gives the normal verdict;
 * under the sanitizers a leak on any of these paths fails the test. */
START_TEST(test_compiler_out_of_memory)
{
    const char *text =
        "/// Authors.\n"
        "model Author { name: string(max_length = 5, default = \"ab\"); books: int32; }\n"
        "model Book {\n"
        "    author: ForeignKey(Author, on_delete = CASCADE, related_name = \"books\");\n"
        "    tags: ManyToManyField(Tag, null = true);\n"
        "    bad: strin;\n"
        "}\n"
        "model Tag { x: int32 }\n";
    unsigned long n;
    int normal = compile(text, NULL, NULL);
    ck_assert_int_eq(normal, RELC_ERRORS);
    for (n = 1; ; n++) {
        int rc;
        unsigned long made;
        oom_fail_at(n);
        rc = compile(text, NULL, NULL);
        made = oom_count();
        oom_fail_at(0);
        ck_assert_msg(rc == RELC_FAILED || rc == normal, "allocation %lu: status %d", n, rc);
        if (made < n)
            break;              /* the run needed fewer: all points covered */
    }
    ck_assert_uint_gt(n, 20);
    printf("out of memory while compiling: %lu allocation points failed in turn, each a clean failure\n", n - 1);
}
END_TEST

/* ---- the command line --------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    buf[fread(buf, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return buf;
}

/* Runs relc with the arguments; stdout and stderr captured. */
static int run(char **out, char **err, ...)
{
    char *argv[16];
    int argc = 1;
    size_t ol = 0, el = 0;
    char *ob = NULL, *eb = NULL;
    FILE *o = open_memstream(&ob, &ol), *e = open_memstream(&eb, &el);
    va_list ap;
    int rc;
    argv[0] = (char *)"relc";
    va_start(ap, err);
    while ((argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    rc = relc_main(argc, argv, o, e);
    fclose(o);
    fclose(e);
    if (out) *out = ob; else free(ob);
    if (err) *err = eb; else free(eb);
    return rc;
}

static void setup_dir(void)
{
    strcpy(tmpdir, "/tmp/relc-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

START_TEST(test_cli_statuses)
{
    char *out = NULL, *err = NULL;
    write_file(path("good.rel"), "model Author { name: string; }\n");
    write_file(path("bad.rel"), "model Author { name: strin; }\n");
    write_file(path("warn.rel"), "model T {} model P { t: ManyToManyField(T, null = true); }\n");

    ck_assert_int_eq(run(&out, NULL, "--version", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "relc " RELC_VERSION " (runtime ABI "));
    free(out);
    ck_assert_int_eq(run(&out, NULL, "--help", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "Usage: relc [OPTIONS] SCHEMA.rel"));
    free(out);

    ck_assert_int_eq(run(NULL, NULL, "--check", path("good.rel"), NULL), 0);
    ck_assert_int_eq(run(NULL, &err, "--check", path("bad.rel"), NULL), 1);
    ck_assert_ptr_nonnull(strstr(err, "bad.rel:1:22: error: unknown type 'strin'"));
    free(err);
    ck_assert_int_eq(run(NULL, NULL, "--check", path("warn.rel"), NULL), 0);
    ck_assert_int_eq(run(NULL, &err, "--check", "-Werror", path("warn.rel"), NULL), 1);
    ck_assert_ptr_nonnull(strstr(err, "error: null has no effect"));
    free(err);

    /* Usage and I/O errors: one clear line, status 2. */
    ck_assert_int_eq(run(NULL, &err, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "relc: error: no schema file given"));
    free(err);
    ck_assert_int_eq(run(NULL, &err, "--frobnicate", path("good.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown option '--frobnicate'"));
    free(err);
    ck_assert_int_eq(run(NULL, &err, "--check", path("missing.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
    free(err);
    ck_assert_int_eq(run(NULL, &err, "--check", tmpdir, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "is a directory"));
    free(err);
    ck_assert_int_eq(mkfifo(path("fifo.rel"), 0600), 0);
    ck_assert_int_eq(run(NULL, &err, "--check", path("fifo.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
    free(err);
    ck_assert_int_eq(run(NULL, &err, "--prefix", "x-y", path("good.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "is not the start of a C identifier"));
    free(err);
    write_file(path("plainfile"), "x");
    ck_assert_int_eq(run(NULL, &err, "-o", path("plainfile/sub"), path("good.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "cannot create output directory"));
    free(err);
}
END_TEST

START_TEST(test_cli_outputs_atomic_and_deterministic)
{
    char *h1, *c1, *h2, *dep;
    struct stat st1, st2;
    write_file(path("library.rel"),
               "model Author { name: string; }\n"
               "model Book { author: ForeignKey(Author, on_delete = CASCADE, related_name = \"books\"); }\n");
    ck_assert_int_eq(run(NULL, NULL, "-o", path("out"), "-M", path("out/library.d"), path("library.rel"), NULL), 0);
    h1 = read_file(path("out/library.h"));
    c1 = read_file(path("out/library.c"));
    ck_assert_ptr_nonnull(h1);
    ck_assert_ptr_nonnull(c1);
    ck_assert_ptr_nonnull(strstr(h1, "generated by relc " RELC_VERSION " from library.rel"));
    ck_assert_ptr_null(strstr(h1, tmpdir));      /* no absolute paths */
    dep = read_file(path("out/library.d"));
    ck_assert_ptr_nonnull(strstr(dep, "library.h "));
    ck_assert_ptr_nonnull(strstr(dep, "library.c: "));
    free(dep);

    /* Two runs into different directories: identical bytes. */
    ck_assert_int_eq(run(NULL, NULL, "-o", path("again"), path("library.rel"), NULL), 0);
    h2 = read_file(path("again/library.h"));
    ck_assert_str_eq(h1, h2);
    free(h2);
    h2 = read_file(path("again/library.c"));
    ck_assert_str_eq(c1, h2);
    free(h2);

    /* Same input into the same place: the files are not rewritten. */
    ck_assert_int_eq(stat(path("out/library.h"), &st1), 0);
    sleep(1);
    ck_assert_int_eq(run(NULL, NULL, "-o", path("out"), path("library.rel"), NULL), 0);
    ck_assert_int_eq(stat(path("out/library.h"), &st2), 0);
    ck_assert_int_eq((long)st1.st_mtime, (long)st2.st_mtime);
    h2 = read_file(path("out/library.h"));
    ck_assert_str_eq(h1, h2);
    free(h2);

    /* A failing run leaves the earlier outputs untouched. */
    write_file(path("library.rel"), "model Author { name: strin; }\n");
    ck_assert_int_eq(run(NULL, NULL, "-o", path("out"), path("library.rel"), NULL), 1);
    h2 = read_file(path("out/library.h"));
    ck_assert_str_eq(h1, h2);
    free(h2);

    /* --check writes nothing. */
    write_file(path("other.rel"), "model A {}\n");
    ck_assert_int_eq(run(NULL, NULL, "--check", "-o", path("out2"), path("other.rel"), NULL), 0);
    ck_assert_int_ne(access(path("out2"), F_OK), 0);

    /* --prefix and --deptarget. */
    ck_assert_int_eq(run(NULL, NULL, "--prefix", "lib_", "-o", path("out3"), "-M", path("out3.d"),
                         "--deptarget", "stamp", path("other.rel"), NULL), 0);
    h2 = read_file(path("out3/lib_other.h"));
    ck_assert_ptr_nonnull(h2);
    ck_assert_ptr_nonnull(strstr(h2, "static inline lib_A *lib_A_new(lib_other_store *db)\n"));
    free(h2);
    dep = read_file(path("out3.d"));
    ck_assert_int_eq(strncmp(dep, "stamp: ", 7), 0);
    free(dep);
    free(h1);
    free(c1);
}
END_TEST

/* The command line out of memory: status 2 and a message, never a crash,
 * and never a half-written output. */
START_TEST(test_cli_out_of_memory)
{
    unsigned long n;
    write_file(path("library.rel"),
               "model Author { name: string; }\n"
               "model Book { author: ForeignKey(Author, on_delete = CASCADE, related_name = \"books\"); }\n");
    for (n = 1; ; n++) {
        char *err = NULL, *h, *c;
        unsigned long made;
        int rc;
        oom_fail_at(n);
        rc = run(NULL, &err, "-o", path("oom"), path("library.rel"), NULL);
        made = oom_count();
        oom_fail_at(0);
        h = read_file(path("oom/library.h"));
        c = read_file(path("oom/library.c"));
        if (rc == 2) {
            ck_assert_ptr_nonnull(strstr(err, "out of memory"));
            ck_assert_ptr_null(h);
            ck_assert_ptr_null(c);
        } else {
            ck_assert_int_eq(rc, 0);
            ck_assert_ptr_nonnull(h);
            ck_assert_ptr_nonnull(c);
            unlink(path("oom/library.h"));
            unlink(path("oom/library.c"));
        }
        free(h);
        free(c);
        free(err);
        if (made < n)
            break;
    }
    printf("out of memory in the command line: %lu allocation points failed in turn, "
           "each status 2 with no output written\n", n - 1);
}
END_TEST

START_TEST(test_large_schema)
{
    /* 10,000 models with two relations each: accepted. */
    size_t n = 10000, i, len = 0;
    char *text = (char *)malloc(n * 200);
    for (i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "model M%lu { a: int32; s: string; p: ForeignKey(M%lu, on_delete = CASCADE, null = true, related_name = \"r%lu\"); q: ManyToManyField(M%lu, related_name = \"s%lu\"); }\n",
                               (unsigned long)i, (unsigned long)((i + 1) % n), (unsigned long)i,
                               (unsigned long)((i + 7) % n), (unsigned long)i);
    ck_assert_int_eq(compile(text, NULL, NULL), RELC_OK);
    free(text);
}
END_TEST

/* ---- outputs that would lose a file (issue 11) -------------------------- */

/* The entries of a directory (with hidden ones), sorted, space-separated:
 * a leftover temporary or backup shows. */
static char *listing(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), i;
    size_t len = 0;
    char *out = (char *)calloc(1, 4096);
    for (i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
            len += (size_t)snprintf(out + len, 4096 - len, "%s%s", len ? " " : "", names[i]->d_name);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    else
        strcpy(out, "(none)");
    return out;
}

static void assert_listing(const char *dir, const char *expected)
{
    char *got = listing(dir);
    ck_assert_msg(strcmp(got, expected) == 0, "%s holds '%s', expected '%s'", dir, got, expected);
    free(got);
}

static void assert_file(const char *file, const char *expected)
{
    char *got = read_file(file);
    ck_assert_msg(got != NULL, "%s is missing", file);
    ck_assert_msg(strcmp(got, expected) == 0, "%s holds '%.60s', expected '%.60s'", file, got, expected);
    free(got);
}

static const char lib_schema[] =
    "model Author { name: string; }\n"
    "model Book { author: ForeignKey(Author, on_delete = CASCADE, related_name = \"books\"); }\n";

/* Item 1: an output that is the schema, or another output, is refused
 * (status 2, both named) before anything is written, however it is
 * spelled: the same directory entry, or the same file through a link. */
START_TEST(test_cli_outputs_never_overwrite_the_schema_or_each_other)
{
    char *err = NULL;
    char target[512];
    write_file(path("lib.rel"), lib_schema);

    /* relc -o . -M lib.rel lib.rel used to replace the schema by its
     * dependency file. */
    ck_assert_int_eq(run(NULL, &err, "-o", tmpdir, "-M", path("lib.rel"), path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "the dependency file"));
    ck_assert_ptr_nonnull(strstr(err, "and the schema"));
    ck_assert_ptr_nonnull(strstr(err, "are the same file"));
    free(err);
    assert_file(path("lib.rel"), lib_schema);
    assert_listing(tmpdir, "lib.rel");

    /* -M naming the header, spelled through a directory that does not
     * exist yet: nothing is written, not even the directory. */
    snprintf(target, sizeof target, "%s/out/sub/../lib.h", tmpdir);
    ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", target, path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "the dependency file"));
    ck_assert_ptr_nonnull(strstr(err, "and the header"));
    free(err);
    assert_listing(tmpdir, "lib.rel");

    /* --emit dot with a schema named lib.dot (no schema line). */
    write_file(path("lib.dot"), lib_schema);
    ck_assert_int_eq(run(NULL, &err, "--emit", "dot", "-o", tmpdir, path("lib.dot"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "the diagram"));
    free(err);
    assert_file(path("lib.dot"), lib_schema);

    /* An output that is a symbolic or hard link to the schema. */
    ck_assert_int_eq(mkdir(path("sym"), 0777), 0);
    ck_assert_int_eq(symlink("../lib.rel", path("sym/lib.h")), 0);
    ck_assert_int_eq(run(NULL, &err, "-o", path("sym"), path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "the header"));
    free(err);
    assert_listing(path("sym"), "lib.h");
    ck_assert_int_eq(mkdir(path("hard"), 0777), 0);
    ck_assert_int_eq(link(path("lib.rel"), path("hard/lib.c")), 0);
    ck_assert_int_eq(run(NULL, &err, "-o", path("hard"), path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "the source"));
    free(err);
    assert_listing(path("hard"), "lib.c");
    assert_file(path("lib.rel"), lib_schema);
}
END_TEST

/* Earlier outputs for the all-or-nothing tests: out/lib.h and out/lib.d
 * exist with old content, out/lib.c does not. */
static void earlier_outputs(void)
{
    mkdir(path("out"), 0777);
    write_file(path("out/lib.h"), "old h\n");
    write_file(path("out/lib.d"), "old d\n");
    unlink(path("out/lib.c"));
}

static void assert_earlier_outputs(void)
{
    assert_listing(path("out"), "lib.d lib.h");
    assert_file(path("out/lib.h"), "old h\n");
    assert_file(path("out/lib.d"), "old d\n");
}

/* Item 2: the known ways a rename fails are refused before anything is
 * written; a rename that still fails puts back every file already
 * replaced (and removes one that did not exist), leaving nothing else. */
START_TEST(test_cli_outputs_all_or_nothing)
{
    char *err = NULL;
    int n;
    write_file(path("lib.rel"), lib_schema);

    /* The source is a directory: the header is not written either. */
    earlier_outputs();
    ck_assert_int_eq(mkdir(path("out/lib.c"), 0777), 0);
    ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", path("out/lib.d"), path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "it is a directory"));
    free(err);
    assert_listing(path("out"), "lib.c lib.d lib.h");
    assert_file(path("out/lib.h"), "old h\n");
    ck_assert_int_eq(rmdir(path("out/lib.c")), 0);

    /* -M naming a directory or nothing is a usage error. */
    ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", "", path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "does not name a file"));
    ck_assert_ptr_nonnull(strstr(err, "Try 'relc --help'"));
    free(err);
    ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", path("out"), path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "does not name a file"));
    free(err);
    ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", path("out/new/"), path("lib.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "does not name a file"));
    free(err);
    assert_earlier_outputs();

    /* The first, second or third rename fails: every earlier file comes
     * back, the new source goes, no temporary or backup is left. */
    for (n = 1; n <= 3; n++) {
        earlier_outputs();
        rename_fail_at = n;
        ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", path("out/lib.d"), path("lib.rel"), NULL), 2);
        disarm();
        ck_assert_msg(strstr(err, "Input/output error") != NULL, "rename %d: %s", n, err);
        ck_assert_ptr_nonnull(strstr(err, "nothing was written"));
        free(err);
        assert_earlier_outputs();
    }
    ck_assert_int_eq(run(NULL, NULL, "-o", path("out"), "-M", path("out/lib.d"), path("lib.rel"), NULL), 0);
    assert_listing(path("out"), "lib.c lib.d lib.h");
}
END_TEST

/* Item 3: a signal while temporaries exist removes them; relc dies of
 * that signal and the earlier outputs are as they were. */
static int signal_to_raise;
static void raise_chosen(void) { raise(signal_to_raise); }

START_TEST(test_cli_signal_removes_temporaries)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    size_t i;
    write_file(path("lib.rel"), lib_schema);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        int status;
        pid_t pid;
        earlier_outputs();
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            /* The second temporary: one is written, one just created. */
            signal(sigs[i], SIG_DFL);
            signal_to_raise = sigs[i];
            mkstemp_action = raise_chosen;
            mkstemp_act_at = 2;
            _exit(run(NULL, NULL, "-o", path("out"), "-M", path("out/lib.d"), path("lib.rel"), NULL));
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i],
                      "signal %d: status %#x", sigs[i], status);
        assert_earlier_outputs();
    }
}
END_TEST

/* Item 4: a schema that changes while relc reads it, or before relc
 * commits its outputs, is refused: status 2, nothing written. */
static void append_to_schema(void)
{
    int fd = open(path("lib.rel"), O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "// more\n", 8), 8);
    close(fd);
}

static void replace_schema(void)
{
    write_file(path("new.rel"), lib_schema);     /* the same bytes, another file */
    ck_assert_int_eq(renameat(AT_FDCWD, path("new.rel"), AT_FDCWD, path("lib.rel")), 0);
}

START_TEST(test_cli_schema_changed_while_read)
{
    static void (*const changes[])(void) = { append_to_schema, replace_schema };
    size_t i;
    for (i = 0; i < 2; i++) {
        char *err = NULL;
        write_file(path("lib.rel"), lib_schema);
        earlier_outputs();
        read_action = changes[i];
        ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", path("out/lib.d"), path("lib.rel"), NULL), 2);
        disarm();
        ck_assert_msg(strstr(err, "changed while it was read; run relc again") != NULL, "%s", err);
        free(err);
        assert_earlier_outputs();

        /* Changed after the read, before the outputs are in place: the
         * stamp would be newer than the edit and hide it from make. */
        write_file(path("lib.rel"), lib_schema);
        mkstemp_action = changes[i];
        mkstemp_act_at = 1;
        ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", path("out/lib.d"), path("lib.rel"), NULL), 2);
        disarm();
        ck_assert_msg(strstr(err, "changed while relc ran; run relc again") != NULL, "%s", err);
        free(err);
        assert_earlier_outputs();
    }
}
END_TEST

/* A schema named by its schema line with n characters. */
static void long_schema(const char *file, size_t n)
{
    char *text = (char *)malloc(n + 200);
    memcpy(text, "schema ", 7);
    memset(text + 7, 'a', n);
    strcpy(text + 7 + n, ";\nmodel Author { name: string; }\n");
    write_file(file, text);
    free(text);
}

/* Item 5: every name up to 255 characters is written (the temporary has a
 * short name of its own); a longer one is refused before anything is
 * written, saying how to shorten it. */
START_TEST(test_cli_names_too_long)
{
    char *err = NULL, name[300], expected[700];
    long_schema(path("long.rel"), 253);          /* NAME.h: 255 characters */
    ck_assert_int_eq(run(NULL, &err, "-o", path("out"), "-M", path("out/long.d"), path("long.rel"), NULL), 0);
    free(err);
    memset(name, 'a', 253);
    name[253] = '\0';
    snprintf(expected, sizeof expected, "%s.c %s.h long.d", name, name);
    assert_listing(path("out"), expected);

    long_schema(path("long.rel"), 254);
    ck_assert_int_eq(run(NULL, &err, "-o", path("out2"), path("long.rel"), NULL), 2);
    ck_assert_msg(strstr(err, "is too long (256 characters; the limit is 255)") != NULL, "%s", err);
    ck_assert_ptr_nonnull(strstr(err, "`schema NAME;`"));
    free(err);
    ck_assert_int_ne(access(path("out2"), F_OK), 0);

    long_schema(path("long.rel"), 252);
    ck_assert_int_eq(run(NULL, &err, "--prefix", "pre_", "-o", path("out3"), path("long.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "shorter --prefix"));
    free(err);
    ck_assert_int_eq(run(NULL, &err, "--emit", "dot", "-o", path("out3"), path("long.rel"), NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "is too long (256 characters"));
    free(err);
    ck_assert_int_ne(access(path("out3"), F_OK), 0);
}
END_TEST

/* Item 6: dependency files escape what make would misread (checked with
 * make itself by tests/run_install.sh), and refuse what it cannot read. */
START_TEST(test_cli_depfile_escapes)
{
    char *err = NULL, *dep, expected[1024];
    const char *odd = "a b$c#d:e";
    char dir[200], schema[300], depfile[300];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, odd);
    snprintf(schema, sizeof schema, "%s/lib.rel", dir);
    snprintf(depfile, sizeof depfile, "%s/lib.d", dir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    write_file(schema, lib_schema);
    ck_assert_int_eq(run(NULL, &err, "-o", dir, "-M", depfile, schema, NULL), 0);
    free(err);
    dep = read_file(depfile);
    snprintf(expected, sizeof expected,
             "%s/a\\ b$$c\\#d\\:e/lib.h %s/a\\ b$$c\\#d\\:e/lib.c: %s/a\\ b$$c\\#d\\:e/lib.rel\n",
             tmpdir, tmpdir, tmpdir);
    ck_assert_str_eq(dep, expected);
    free(dep);

    /* Backslashes: doubled before an escaped character and at the end of
     * a name (gcc -MD's rule), kept anywhere else. */
    ck_assert_int_eq(run(NULL, NULL, "-o", dir, "-M", depfile, "--deptarget", "x\\ y\\z\\", schema, NULL), 0);
    dep = read_file(depfile);
    snprintf(expected, sizeof expected, "x\\\\\\ y\\z\\\\: %s/a\\ b$$c\\#d\\:e/lib.rel\n", tmpdir);
    ck_assert_str_eq(dep, expected);
    free(dep);

    /* A line break cannot be written in a make rule at all. */
    ck_assert_int_eq(run(NULL, &err, "-o", dir, "-M", depfile, "--deptarget", "x\ny", schema, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "line break"));
    free(err);
}
END_TEST

static long long mtime_ns(const char *file)
{
    struct stat st;
    ck_assert_int_eq(stat(file, &st), 0);
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* Item 6: --stamp is written on every successful run, after the outputs,
 * while unchanged outputs are left alone; it is the dependency file's
 * target; a failed run does not touch it. */
START_TEST(test_cli_stamp)
{
    long long h1, s1;
    char *dep, expected[512];
    write_file(path("lib.rel"), lib_schema);
    ck_assert_int_eq(run(NULL, NULL, "-o", path("out"), "-M", path("out/lib.d"), "--stamp",
                         path("out/lib.stamp"), path("lib.rel"), NULL), 0);
    assert_listing(path("out"), "lib.c lib.d lib.h lib.stamp");
    assert_file(path("out/lib.stamp"), "");
    dep = read_file(path("out/lib.d"));
    snprintf(expected, sizeof expected, "%s: %s\n", path("out/lib.stamp"), path("lib.rel"));
    ck_assert_str_eq(dep, expected);
    free(dep);
    ck_assert_int_le(mtime_ns(path("out/lib.stamp")), mtime_ns(path("out/lib.h")));
    h1 = mtime_ns(path("out/lib.h"));
    s1 = mtime_ns(path("out/lib.stamp"));
    usleep(20000);
    ck_assert_int_eq(run(NULL, NULL, "-o", path("out"), "-M", path("out/lib.d"), "--stamp",
                         path("out/lib.stamp"), path("lib.rel"), NULL), 0);
    ck_assert_int_eq(mtime_ns(path("out/lib.h")), h1);
    ck_assert_int_gt(mtime_ns(path("out/lib.stamp")), s1);
    ck_assert_int_gt(mtime_ns(path("out/lib.stamp")), mtime_ns(path("lib.rel")));
    s1 = mtime_ns(path("out/lib.stamp"));
    write_file(path("lib.rel"), "model A { x: nosuch; }\n");
    ck_assert_int_eq(run(NULL, NULL, "-o", path("out"), "--stamp", path("out/lib.stamp"), path("lib.rel"), NULL), 1);
    ck_assert_int_eq(mtime_ns(path("out/lib.stamp")), s1);
    ck_assert_int_eq(run(NULL, NULL, "--stamp", path("out"), path("lib.rel"), NULL), 2);
}
END_TEST

static Suite *front_suite(void)
{
    Suite *s = suite_create("front end");
    TCase *t = tcase_create("naming");
    tcase_add_loop_test(t, test_naming_table, 0, (int)(sizeof naming / sizeof naming[0]));
    suite_add_tcase(s, t);
    t = tcase_create("seeds");
    tcase_add_test(t, test_seed_company_needs_related_names);
    tcase_add_test(t, test_e304_each_clash_once);
    tcase_add_test(t, test_seed_errors);
    tcase_add_test(t, test_reverse_accessor_id);
    tcase_add_test(t, test_dot_quotes_keywords);
    tcase_add_test(t, test_nul_and_invalid_utf8_never_crash);
    tcase_add_test(t, test_error_cap);
    tcase_add_test(t, test_large_schema);
    tcase_add_test(t, test_compiler_out_of_memory);
    tcase_set_timeout(t, 60);
    suite_add_tcase(s, t);
    t = tcase_create("command line");
    tcase_add_checked_fixture(t, setup_dir, teardown_dir);
    tcase_add_test(t, test_cli_statuses);
    tcase_add_test(t, test_cli_outputs_atomic_and_deterministic);
    tcase_add_test(t, test_cli_out_of_memory);
    tcase_add_test(t, test_cli_outputs_never_overwrite_the_schema_or_each_other);
    tcase_add_test(t, test_cli_outputs_all_or_nothing);
    tcase_add_test(t, test_cli_signal_removes_temporaries);
    tcase_add_test(t, test_cli_schema_changed_while_read);
    tcase_add_test(t, test_cli_names_too_long);
    tcase_add_test(t, test_cli_depfile_escapes);
    tcase_add_test(t, test_cli_stamp);
    tcase_set_timeout(t, 60);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(front_suite());
    int failed;
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
