/* driver.c: the relc command line (SPEC section 4), as a library function.
 *
 *   relc [OPTIONS] SCHEMA.rel
 *
 * Reads the schema, compiles it, and writes NAME.h and NAME.c atomically:
 * both are generated in memory first, each is written to a temporary file
 * in the output directory and renamed into place, and a file whose content
 * did not change is left alone (so make does not rebuild what depends on
 * it).  Exit status: 0 success, 1 the schema has errors, 2 usage or I/O.
 */
#include "emit.h"
#include "oom.h"
#include "printer.h"
#include "relc.h"
#include "rel_version.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger schemas are surely a mistake (and the scanner counts in int). */
#define MAX_SCHEMA_BYTES (256u * 1024u * 1024u)

static const char usage_text[] =
    "Usage: relc [OPTIONS] SCHEMA.rel\n"
    "Compile a schema of models and relations into C: NAME.h and NAME.c.\n"
    "\n"
    "  -o DIR, --output-dir DIR   write NAME.h and NAME.c there (default: .)\n"
    "  --check                    check only, write nothing\n"
    "  --emit KIND                c: NAME.h and NAME.c (the default); dot: NAME.dot,\n"
    "                             a Graphviz diagram of the models and relations\n"
    "  --prefix P                 prefix every generated C type and function with P\n"
    "  -M FILE, --depfile FILE    also write a make dependency file for the outputs\n"
    "  --deptarget T              the target named in the dependency file\n"
    "                             (default: the output files)\n"
    "  -Werror                    treat warnings as errors\n"
    "  --version                  print the version and the runtime ABI version\n"
    "  --help                     print this help\n"
    "\n"
    "NAME is the schema's `schema NAME;` line, or the file's base name.\n"
    "Exit status: 0 success (warnings allowed), 1 the schema has errors,\n"
    "2 usage or I/O error.\n";

typedef struct Args {
    const char *schema;
    const char *out_dir;
    const char *prefix;
    const char *depfile;
    const char *deptarget;
    const char *emit;         /* "c" or "dot" */
    bool check_only;
    bool werror;
} Args;

static int fail(FILE *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int fail(FILE *err, const char *fmt, ...)
{
    va_list ap;
    fputs("relc: error: ", err);
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fputc('\n', err);
    return RELC_FAILED;
}

static int usage_fail(FILE *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int usage_fail(FILE *err, const char *fmt, ...)
{
    va_list ap;
    fputs("relc: error: ", err);
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fputs("\nTry 'relc --help' for more information.\n", err);
    return RELC_FAILED;
}

/* Long options take "--opt VALUE" or "--opt=VALUE". */
static const char *option_value(int argc, char **argv, int *i, const char *name, FILE *err,
                                int *bad)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    if (*i + 1 >= argc) {
        *bad = usage_fail(err, "option '%s' needs a value", name);
        return NULL;
    }
    return argv[++*i];
}

static bool is_option(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, Args *a, FILE *out, FILE *err)
{
    int i, bad = 0;
    bool only_files = false;
    memset(a, 0, sizeof *a);
    a->out_dir = ".";
    a->prefix = "";
    a->emit = "c";
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **slot = NULL;
        const char *name = NULL;
        if (only_files || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (a->schema)
                return usage_fail(err, "more than one schema given ('%s')", arg);
            a->schema = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_files = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, out);
            return 0;
        } else if (strcmp(arg, "--version") == 0) {
            fprintf(out, "relc %s (runtime ABI %d)\n", RELC_VERSION, REL_ABI_VERSION);
            return 0;
        } else if (strcmp(arg, "--check") == 0) {
            a->check_only = true;
        } else if (strcmp(arg, "-Werror") == 0) {
            a->werror = true;
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "-M") == 0) {
            if (i + 1 >= argc)
                return usage_fail(err, "option '%s' needs a value", arg);
            *(arg[1] == 'o' ? &a->out_dir : &a->depfile) = argv[++i];
        } else if (strncmp(arg, "-o", 2) == 0) {
            a->out_dir = arg + 2;
        } else if (strncmp(arg, "-M", 2) == 0 && arg[2] != '\0') {
            a->depfile = arg + 2;
        } else {
            if (is_option(arg, "--output-dir")) {
                slot = &a->out_dir;
                name = "--output-dir";
            } else if (is_option(arg, "--prefix")) {
                slot = &a->prefix;
                name = "--prefix";
            } else if (is_option(arg, "--depfile")) {
                slot = &a->depfile;
                name = "--depfile";
            } else if (is_option(arg, "--deptarget")) {
                slot = &a->deptarget;
                name = "--deptarget";
            } else if (is_option(arg, "--emit")) {
                slot = &a->emit;
                name = "--emit";
            } else {
                return usage_fail(err, "unknown option '%s'", arg);
            }
            *slot = option_value(argc, argv, &i, name, err, &bad);
            if (!*slot)
                return bad;
        }
    }
    if (!a->schema)
        return usage_fail(err, "no schema file given");
    if (a->out_dir[0] == '\0')
        return usage_fail(err, "the output directory is empty");
    if (strcmp(a->emit, "c") != 0 && strcmp(a->emit, "dot") != 0)
        return usage_fail(err, "--emit '%s' is not a kind of output (c or dot)", a->emit);
    if (a->prefix[0]) {
        const char *p = a->prefix;
        bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_';
        for (; *p && ok; p++)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
                 || *p == '_';
        if (!ok)
            return usage_fail(err, "--prefix '%s' is not the start of a C identifier", a->prefix);
    }
    return -1;
}

/* ---- files -------------------------------------------------------------- */

static int read_schema(const char *path, char **text, size_t *len, FILE *err)
{
    int fd;
    struct stat st;
    char *buf;
    size_t have = 0;

    *text = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is then
     * refused as not a regular file. */
    fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return fail(err, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        close(fd);
        return fail(err, "cannot read '%s': %s", path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return fail(err, "cannot read '%s': it is a directory, not a schema file", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, "cannot read '%s': not a regular file", path);
    }
    if ((unsigned long long)st.st_size > MAX_SCHEMA_BYTES) {
        close(fd);
        return fail(err, "'%s' is too large for a schema (%lld bytes; the limit is %u)",
                    path, (long long)st.st_size, MAX_SCHEMA_BYTES);
    }
    buf = (char *)oom_malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return fail(err, "out of memory reading '%s'", path);
    }
    while (have < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            oom_free(buf);
            close(fd);
            return fail(err, "cannot read '%s': %s", path, strerror(e));
        }
        if (n == 0)
            break;              /* shrank while we read: take what is there */
        have += (size_t)n;
    }
    close(fd);
    buf[have] = '\0';
    *text = buf;
    *len = have;
    return 0;
}

/* The file's base name without directory and extension: the default
 * schema name. */
static char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *start = slash ? slash + 1 : path;
    const char *dot = strrchr(start, '.');
    size_t n = dot && dot != start ? (size_t)(dot - start) : strlen(start);
    char *s = (char *)oom_malloc(n + 1);
    if (s) {
        memcpy(s, start, n);
        s[n] = '\0';
    }
    return s;
}

static char *join(const char *dir, const char *name, const char *ext)
{
    size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
    char *s = (char *)oom_malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s", dir, name, ext);
    return s;
}

/* mkdir -p */
static int make_dirs(const char *dir, FILE *err)
{
    char *p, *copy;
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return fail(err, "cannot write into '%s': not a directory", dir);
        return 0;
    }
    copy = (char *)oom_malloc(strlen(dir) + 1);
    if (!copy)
        return fail(err, "out of memory");
    strcpy(copy, dir);
    for (p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                int rc = fail(err, "cannot create output directory '%s': %s", copy, strerror(e));
                oom_free(copy);
                return rc;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
    oom_free(copy);
    return 0;
}

static bool same_content(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t off = 0, n;
    bool same = true;
    if (!f)
        return false;
    while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (off + n > len || memcmp(buf, data + off, n) != 0)
            same = false;
        off += n;
    }
    fclose(f);
    return same && off == len;
}

/* A temporary file beside `path`, holding data; its name in *tmp. */
static int write_temp(const char *path, const char *data, size_t len, char **tmp, FILE *err)
{
    size_t n = strlen(path) + 16;
    int fd;
    size_t off = 0;
    *tmp = (char *)oom_malloc(n);
    if (!*tmp)
        return fail(err, "out of memory");
    snprintf(*tmp, n, "%s.tmp.XXXXXX", path);
    fd = mkstemp(*tmp);
    if (fd < 0) {
        int e = errno;
        oom_free(*tmp);
        *tmp = NULL;
        return fail(err, "cannot write '%s': %s", path, strerror(e));
    }
    while (off < len) {
        ssize_t k = write(fd, data + off, len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : ENOSPC;
            close(fd);
            unlink(*tmp);
            oom_free(*tmp);
            *tmp = NULL;
            return fail(err, "cannot write '%s': %s", path, strerror(e));
        }
        off += (size_t)k;
    }
    fchmod(fd, 0644);
    if (close(fd) != 0) {
        int e = errno;
        unlink(*tmp);
        oom_free(*tmp);
        *tmp = NULL;
        return fail(err, "cannot write '%s': %s", path, strerror(e));
    }
    return 0;
}

typedef struct Output {
    char *path;
    const char *data;
    size_t len;
    char *tmp;        /* NULL: unchanged, nothing to rename */
} Output;

/* All or nothing: every changed file goes to a temporary first; only when
 * all are written are they renamed into place. */
static int write_outputs(Output *outs, size_t n, FILE *err)
{
    size_t i;
    int rc = 0;
    for (i = 0; i < n && rc == 0; i++)
        if (!same_content(outs[i].path, outs[i].data, outs[i].len))
            rc = write_temp(outs[i].path, outs[i].data, outs[i].len, &outs[i].tmp, err);
    for (i = 0; i < n; i++) {
        if (!outs[i].tmp)
            continue;
        if (rc == 0 && rename(outs[i].tmp, outs[i].path) != 0)
            rc = fail(err, "cannot write '%s': %s", outs[i].path, strerror(errno));
        if (rc != 0)
            unlink(outs[i].tmp);
        oom_free(outs[i].tmp);
        outs[i].tmp = NULL;
    }
    return rc;
}

/* make escapes: a space or '#' with a backslash, '$' doubled. */
static void dep_escaped(Printer *p, const char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '#' || *s == '\\')
            pr_raw(p, "\\", 1);
        else if (*s == '$')
            pr_raw(p, "$", 1);
        pr_raw(p, s, 1);
    }
}

/* ---- the command -------------------------------------------------------- */

static int generate(const Args *a, RelcUnit *u, FILE *err)
{
    Printer h, c, d;
    Output outs[3];
    size_t nouts, i;
    const char *stem = relc_unit_output_stem(u);
    bool dot = strcmp(a->emit, "dot") == 0;
    bool ok;
    int rc;

    memset(outs, 0, sizeof outs);
    pr_init(&h);
    pr_init(&c);
    pr_init(&d);
    if (dot) {
        ok = emit_dot(u, &h);
        outs[0].path = join(a->out_dir, stem, ".dot");
        nouts = 1;
    } else {
        ok = emit_header(u, &h) && emit_source(u, &c);
        outs[0].path = join(a->out_dir, stem, ".h");
        outs[1].path = join(a->out_dir, stem, ".c");
        nouts = 2;
    }
    if (!ok) {
        rc = fail(err, "out of memory while generating code");
        goto done;
    }
    for (i = 0; i < nouts; i++)
        if (!outs[i].path) {
            rc = fail(err, "out of memory");
            goto done;
        }
    for (i = 0; i < nouts; i++) {
        const Printer *body = i == 0 ? &h : &c;
        outs[i].data = body->data;
        outs[i].len = body->len;
    }
    if (a->depfile) {
        if (a->deptarget) {
            dep_escaped(&d, a->deptarget);
        } else {
            for (i = 0; i < nouts; i++) {
                if (i)
                    pr_raw(&d, " ", 1);
                dep_escaped(&d, outs[i].path);
            }
        }
        pr_raw(&d, ": ", 2);
        dep_escaped(&d, a->schema);
        pr_raw(&d, "\n", 1);
        outs[nouts].path = (char *)oom_malloc(strlen(a->depfile) + 1);
        if (d.oom || !outs[nouts].path) {
            rc = fail(err, "out of memory");
            goto done;
        }
        strcpy(outs[nouts].path, a->depfile);
        outs[nouts].data = d.data;
        outs[nouts].len = d.len;
        nouts++;
    }
    rc = make_dirs(a->out_dir, err);
    if (rc == 0)
        rc = write_outputs(outs, nouts, err);
done:
    for (i = 0; i < 3; i++)
        oom_free(outs[i].path);
    pr_free(&h);
    pr_free(&c);
    pr_free(&d);
    return rc;
}

int relc_main(int argc, char **argv, FILE *out, FILE *err)
{
    Args a;
    RelcOptions opt;
    RelcUnit *u = NULL;
    char *text = NULL, *name = NULL;
    size_t len = 0;
    int rc = parse_args(argc, argv, &a, out, err);

    if (rc >= 0)
        return rc;
    rc = read_schema(a.schema, &text, &len, err);
    if (rc != 0)
        return rc;
    name = base_name(a.schema);
    if (!name) {
        oom_free(text);
        return fail(err, "out of memory");
    }
    memset(&opt, 0, sizeof opt);
    opt.prefix = a.prefix;
    opt.schema_name = name;
    opt.werror = a.werror;
    rc = relc_compile(a.schema, text, len, &opt, err, &u);
    if (rc == RELC_FAILED)
        fail(err, "out of memory while compiling '%s'", a.schema);
    else if (rc == RELC_OK && !a.check_only)
        rc = generate(&a, u, err);
    relc_unit_free(u);
    oom_free(name);
    oom_free(text);
    return rc;
}
