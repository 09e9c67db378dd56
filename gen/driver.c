/* driver.c: the relc command line (SPEC section 4), as a library function.
 *
 *   relc [OPTIONS] SCHEMA.rel
 *
 * Reads the schema (refusing one that changes while it is read), compiles
 * it, and writes its outputs all or nothing: NAME.h and NAME.c (or
 * NAME.dot), the -M dependency file and the --stamp file.
 *
 *   1. Every output is generated in memory.
 *   2. Each is checked before anything is written: its name fits in a
 *      directory entry, it is neither the schema nor another output, it is
 *      not a directory, and its directory takes new files.
 *   3. Each changed output is written to a temporary file beside it, named
 *      .relc-XXXXXX (short, so every output name that fits has a temporary
 *      that fits).  SIGINT, SIGTERM and SIGHUP remove the temporaries.
 *   4. With those signals held back, the temporaries are renamed into
 *      place, each earlier file kept as a backup link until every rename
 *      has succeeded, so a failure puts every earlier file back.
 *
 * An output whose content did not change is left alone, so make does not
 * rebuild what depends on it; the stamp file is the one output written on
 * every successful run, for build rules (README, "In your build").
 * Exit status: 0 success, 1 the schema has errors, 2 usage or I/O.
 */
/* realpath, S_ISVTX and SA_RESETHAND are POSIX's X/Open part. */
#define _XOPEN_SOURCE 700

#include "emit.h"
#include "oom.h"
#include "printer.h"
#include "relc.h"
#include "rel_version.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger schemas are surely a mistake (and the scanner counts in int). */
#define MAX_SCHEMA_BYTES (256u * 1024u * 1024u)

/* The longest name of a directory entry (POSIX's minimum for it is 14, but
 * every file system relc is used on allows 255). */
#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* Temporary files, and backups of replaced files during a commit, live in
 * the output's own directory (rename works only within a file system)
 * under this short name, appended to the directory. */
#define TEMP_NAME "/.relc-XXXXXX"

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
    "                             (default: the stamp file, else the outputs)\n"
    "  --stamp FILE               write FILE on every successful run, after the\n"
    "                             outputs: the target for build rules\n"
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
    const char *stamp;
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

/* A file relc is to write must not be empty or name a directory (end in
 * '/', "." or "..", or be one): refused as usage, before any work. */
static bool file_name_ok(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *last = slash ? slash + 1 : path;
    struct stat st;
    if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
        return false;
    return !(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
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
            } else if (is_option(arg, "--stamp")) {
                slot = &a->stamp;
                name = "--stamp";
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
    if (a->depfile && !file_name_ok(a->depfile))
        return usage_fail(err, "-M '%s' does not name a file (the dependency file)", a->depfile);
    if (a->stamp && !file_name_ok(a->stamp))
        return usage_fail(err, "--stamp '%s' does not name a file", a->stamp);
    if (a->deptarget && a->deptarget[0] == '\0')
        return usage_fail(err, "--deptarget is empty");
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

/* ---- the schema ----------------------------------------------------------- */

/* The schema as read: the file's identity and version when it was opened,
 * compared again after reading and before committing the outputs. */
typedef struct SchemaFile {
    const char *path;
    char *text;
    size_t len;
    struct stat st;
} SchemaFile;

/* Same file (device and inode), same size, same modification and change
 * times to the nanosecond: nothing wrote to it or replaced it. */
static bool same_version(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size
           && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
           && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Is the schema's path still the file read, as it was?  (An editor that
 * saves by renaming a new file into place changes the inode; one that
 * writes in place changes the size or times.) */
static bool schema_unchanged(const SchemaFile *s)
{
    struct stat now;
    return stat(s->path, &now) == 0 && same_version(&s->st, &now);
}

static int read_schema(SchemaFile *s, FILE *err)
{
    const char *path = s->path;
    int fd;
    struct stat after;
    char *buf;
    size_t have = 0;

    s->text = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is then
     * refused as not a regular file. */
    fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return fail(err, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, &s->st) != 0) {
        close(fd);
        return fail(err, "cannot read '%s': %s", path, strerror(errno));
    }
    if (S_ISDIR(s->st.st_mode)) {
        close(fd);
        return fail(err, "cannot read '%s': it is a directory, not a schema file", path);
    }
    if (!S_ISREG(s->st.st_mode)) {
        close(fd);
        return fail(err, "cannot read '%s': not a regular file", path);
    }
    if ((unsigned long long)s->st.st_size > MAX_SCHEMA_BYTES) {
        close(fd);
        return fail(err, "'%s' is too large for a schema (%lld bytes; the limit is %u)",
                    path, (long long)s->st.st_size, MAX_SCHEMA_BYTES);
    }
    buf = (char *)oom_malloc((size_t)s->st.st_size + 1);
    if (!buf) {
        close(fd);
        return fail(err, "out of memory reading '%s'", path);
    }
    while (have < (size_t)s->st.st_size) {
        ssize_t n = read(fd, buf + have, (size_t)s->st.st_size - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            oom_free(buf);
            close(fd);
            return fail(err, "cannot read '%s': %s", path, strerror(e));
        }
        if (n == 0)
            break;              /* shrank while we read: reported below */
        have += (size_t)n;
    }
    /* A schema written while relc reads it would be compiled half old,
     * half new, and the outputs would say neither: refuse it. */
    if (fstat(fd, &after) != 0 || have != (size_t)s->st.st_size || !same_version(&s->st, &after)
        || !schema_unchanged(s)) {
        oom_free(buf);
        close(fd);
        return fail(err, "the schema '%s' changed while it was read; run relc again", path);
    }
    close(fd);
    buf[have] = '\0';
    s->text = buf;
    s->len = have;
    return 0;
}

/* ---- paths ---------------------------------------------------------------- */

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

static char *dup_string(const char *s)
{
    char *d = (char *)oom_malloc(strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

static char *join(const char *dir, const char *name, const char *ext)
{
    size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
    char *s = (char *)oom_malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s", dir, name, ext);
    return s;
}

static const char *file_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The directory a path's file is in: "." for a bare name, "/" for /x. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *s = (char *)oom_malloc(n + 1);
    if (s) {
        memcpy(s, !slash ? "." : path, n);
        s[n] = '\0';
    }
    return s;
}

/* The current directory, allocated; "" when it cannot be known (deleted),
 * NULL when memory ran out. */
static char *current_dir(void)
{
    size_t n = 256;
    for (;;) {
        char *buf = (char *)oom_malloc(n);
        if (!buf)
            return NULL;
        if (getcwd(buf, n))
            return buf;
        if (errno != ERANGE) {
            buf[0] = '\0';
            return buf;
        }
        oom_free(buf);
        n *= 2;
    }
}

/* Appends the components of rel to out (which holds a path without a
 * trailing '/'), dropping "." and empty ones and taking ".." back one
 * component: exact for components that do not exist yet, which cannot
 * be symbolic links. */
static void append_normalized(char *out, const char *rel)
{
    size_t len = strlen(out);
    while (*rel) {
        size_t n = strcspn(rel, "/");
        if (n == 2 && rel[0] == '.' && rel[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;               /* the '/' too */
        } else if (n > 0 && !(n == 1 && rel[0] == '.')) {
            out[len++] = '/';
            memcpy(out + len, rel, n);
            len += n;
        }
        out[len] = '\0';
        rel += n;
        while (*rel == '/')
            rel++;
    }
}

/* The path of the directory entry a path names, made absolute and
 * canonical so that two spellings of one entry compare equal ("out/x.h",
 * "./out//x.h", "/abs/out/sub/../x.h", through a symbolic link to the
 * directory): the longest existing directory prefix is resolved by
 * realpath, the rest (directories relc will create) normalized by hand.
 * The last component is kept as it is, not followed: it is the entry a
 * rename replaces.  NULL when memory ran out. */
static char *canonical_path(const char *path)
{
    char *abs, *out, *real = NULL;
    size_t cut;

    if (path[0] == '/') {
        abs = dup_string(path);
    } else {
        char *cwd = current_dir();
        if (!cwd)
            return NULL;
        abs = cwd[0] ? join(cwd, path, "") : dup_string(path);
        oom_free(cwd);
    }
    if (!abs)
        return NULL;
    /* The directory part, then each shorter prefix, until one exists
     * (for an absolute path, "/" at the latest). */
    cut = (size_t)(file_part(abs) - abs);
    while (cut > 0 && !real) {
        cut--;                                   /* abs[cut] is a '/' */
        abs[cut] = '\0';
        real = realpath(cut ? abs : "/", NULL);
        abs[cut] = '/';
        while (!real && cut > 0 && abs[cut - 1] != '/')
            cut--;
    }
    out = (char *)oom_malloc((real ? strlen(real) : 0) + strlen(abs) + 3);
    if (out) {
        /* (Without a current directory a relative path stays relative:
         * "." keeps it apart from every absolute one.) */
        strcpy(out, real ? (strcmp(real, "/") != 0 ? real : "") : abs[0] == '/' ? "" : ".");
        append_normalized(out, abs + cut);
    }
    free(real);
    oom_free(abs);
    return out;
}

/* ---- outputs -------------------------------------------------------------- */

/* What became of the file an output replaces, during the commit. */
enum { OLD_NONE, OLD_LINKED, OLD_MOVED };

typedef struct Output {
    const char *role;         /* "the header" ..., in messages */
    char *path;
    const char *data;
    size_t len;
    bool generated;           /* named after the schema, not by an option */
    bool always;              /* written even when unchanged: the stamp */
    bool changed;             /* to be written: always, or new content */
    char *canon;              /* canonical_path(path) */
    char *dir;                /* where its temporary goes */
    char *tmp;                /* the new content until renamed; NULL: unchanged */
    char *backup;             /* the earlier file's name during the commit */
    int old;                  /* OLD_*: where the earlier file is */
    bool renamed;             /* tmp is in place */
    bool keep_backup;         /* a restore failed: the backup is the only copy */
} Output;

#define MAX_OUTPUTS 4         /* NAME.h, NAME.c, the depfile, the stamp */

/* Names longer than a directory entry takes cannot be written at all;
 * say so before writing anything, and how to shorten a generated name. */
static int check_name_length(const Output *o, bool prefixed, FILE *err)
{
    const char *name = file_part(o->path);
    size_t n = strlen(name);
    if (n <= NAME_MAX)
        return 0;
    if (!o->generated)
        return fail(err, "cannot write %s '%s': its file name is too long (%lu characters; "
                    "the limit is %d)", o->role, o->path, (unsigned long)n, NAME_MAX);
    return fail(err, "cannot write %s: the file name '%.20s...%s' is too long (%lu characters; "
                "the limit is %d); give the schema a shorter name with `schema NAME;`%s",
                o->role, name, name + n - 8, (unsigned long)n, NAME_MAX,
                prefixed ? " or use a shorter --prefix" : "");
}

/* Do two paths name one file: the same directory entry, or (when both
 * exist) the same file through a symbolic or hard link? */
static bool same_file(const char *path_a, const char *canon_a, const char *path_b,
                      const char *canon_b)
{
    struct stat a, b;
    if (strcmp(canon_a, canon_b) == 0)
        return true;
    return stat(path_a, &a) == 0 && stat(path_b, &b) == 0 && a.st_dev == b.st_dev
           && a.st_ino == b.st_ino;
}

/* Writing an output over the schema, or two outputs to one file, would
 * lose a file (`relc -o . -M lib.rel lib.rel` used to replace the schema
 * by its dependency file): refuse, naming both. */
static int check_distinct(Output *outs, size_t n, const char *schema, FILE *err)
{
    char *schema_canon = canonical_path(schema);
    size_t i, j;
    int rc = 0;

    if (!schema_canon)
        return fail(err, "out of memory");
    for (i = 0; i < n && rc == 0; i++) {
        outs[i].canon = canonical_path(outs[i].path);
        if (!outs[i].canon) {
            rc = fail(err, "out of memory");
            break;
        }
        if (same_file(outs[i].path, outs[i].canon, schema, schema_canon)) {
            rc = fail(err, "%s '%s' and the schema '%s' are the same file; nothing was written",
                      outs[i].role, outs[i].path, schema);
            break;
        }
        for (j = 0; j < i && rc == 0; j++)
            if (same_file(outs[i].path, outs[i].canon, outs[j].path, outs[j].canon))
                rc = fail(err, "%s '%s' and %s '%s' are the same file; nothing was written",
                          outs[i].role, outs[i].path, outs[j].role, outs[j].path);
    }
    oom_free(schema_canon);
    return rc;
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

/* The known ways a rename into place fails, checked before anything is
 * written: the destination is a directory; its directory is missing, not
 * a directory or not writable; it is sticky and the file is another
 * user's.  (Whatever still fails later is undone by the commit.) */
static int check_destination(Output *o, FILE *err)
{
    struct stat st, dst;
    bool exists = lstat(o->path, &st) == 0;

    if (exists && S_ISDIR(st.st_mode))
        return fail(err, "cannot write %s '%s': it is a directory", o->role, o->path);
    o->dir = dir_of(o->path);
    if (!o->dir)
        return fail(err, "out of memory");
    if (stat(o->dir, &dst) != 0)
        return fail(err, "cannot write %s '%s': directory '%s': %s", o->role, o->path, o->dir,
                    strerror(errno));
    if (!S_ISDIR(dst.st_mode))
        return fail(err, "cannot write %s '%s': '%s' is not a directory", o->role, o->path, o->dir);
    if (access(o->dir, W_OK | X_OK) != 0)
        return fail(err, "cannot write %s '%s': directory '%s': %s", o->role, o->path, o->dir,
                    strerror(errno));
    if (exists && (dst.st_mode & S_ISVTX) && geteuid() != 0 && st.st_uid != geteuid()
        && dst.st_uid != geteuid())
        return fail(err, "cannot replace %s '%s': it belongs to another user, in a sticky "
                    "directory", o->role, o->path);
    return 0;
}

/* Does the regular file at path hold exactly data?  (Anything else, such
 * as a FIFO that would block the read, counts as different.) */
static bool same_content(const char *path, const char *data, size_t len)
{
    struct stat st;
    FILE *f;
    char buf[65536];
    size_t off = 0, n;
    bool same = true;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size != len)
        return false;
    f = fopen(path, "rb");
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

/* ---- temporaries and signals ---------------------------------------------- */

/* The temporary files that exist right now, for the signal handler.  The
 * list only changes with the caught signals held back, so the handler
 * never sees it half updated. */
static const int caught_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NCAUGHT (sizeof caught_signals / sizeof caught_signals[0])
static const char *volatile live_temps[MAX_OUTPUTS];

/* Removes the temporaries (unlink is async-signal-safe), then dies of the
 * same signal: SA_RESETHAND has put back the default action, and make or
 * the shell see how relc ended. */
static void on_signal(int sig)
{
    size_t i;
    for (i = 0; i < MAX_OUTPUTS; i++)
        if (live_temps[i])
            unlink(live_temps[i]);
    raise(sig);
}

typedef struct SignalGuard {
    struct sigaction old[NCAUGHT];
    bool installed[NCAUGHT];
} SignalGuard;

/* Installed only while temporaries may exist (relc_main is also called
 * in-process); a signal the caller ignores stays ignored. */
static void guard_install(SignalGuard *g)
{
    struct sigaction sa;
    size_t i;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < NCAUGHT; i++)
        sigaddset(&sa.sa_mask, caught_signals[i]);
    for (i = 0; i < NCAUGHT; i++) {
        g->installed[i] = sigaction(caught_signals[i], NULL, &g->old[i]) == 0
                          && g->old[i].sa_handler != SIG_IGN
                          && sigaction(caught_signals[i], &sa, NULL) == 0;
    }
}

static void guard_remove(SignalGuard *g)
{
    size_t i;
    for (i = 0; i < NCAUGHT; i++)
        if (g->installed[i])
            sigaction(caught_signals[i], &g->old[i], NULL);
}

static void hold_signals(sigset_t *saved)
{
    sigset_t set;
    size_t i;
    sigemptyset(&set);
    for (i = 0; i < NCAUGHT; i++)
        sigaddset(&set, caught_signals[i]);
    sigprocmask(SIG_BLOCK, &set, saved);
}

static void release_signals(const sigset_t *saved)
{
    sigprocmask(SIG_SETMASK, saved, NULL);
}

static void set_live(const char *path, const char *value)
{
    size_t i;
    for (i = 0; i < MAX_OUTPUTS; i++)
        if (live_temps[i] == path) {
            live_temps[i] = value;
            return;
        }
}

/* A temporary file in the output's directory holding its new content.
 * The name for a backup is allocated here too, so that the commit needs
 * no memory. */
static int write_temp(Output *o, FILE *err)
{
    size_t n = strlen(o->dir) + sizeof TEMP_NAME, off = 0;
    sigset_t saved;
    int fd, e;

    o->tmp = (char *)oom_malloc(n);
    o->backup = (char *)oom_malloc(n);
    if (!o->tmp || !o->backup) {
        oom_free(o->tmp);
        o->tmp = NULL;
        return fail(err, "out of memory");
    }
    snprintf(o->tmp, n, "%s%s", o->dir, TEMP_NAME);
    /* Created and listed with the signals held, so that no signal comes
     * between the two. */
    hold_signals(&saved);
    fd = mkstemp(o->tmp);
    if (fd >= 0)
        set_live(NULL, o->tmp);
    release_signals(&saved);
    if (fd < 0) {
        e = errno;
        oom_free(o->tmp);
        o->tmp = NULL;
        return fail(err, "cannot write %s '%s': %s", o->role, o->path, strerror(e));
    }
    while (off < o->len) {
        ssize_t k = write(fd, o->data + off, o->len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            e = k < 0 ? errno : ENOSPC;
            close(fd);
            return fail(err, "cannot write %s '%s': %s", o->role, o->path, strerror(e));
        }
        off += (size_t)k;
    }
    fchmod(fd, 0644);
    if (close(fd) != 0)
        return fail(err, "cannot write %s '%s': %s", o->role, o->path, strerror(errno));
    return 0;
}

/* Removes what is left of the temporaries and backups, and unlists them. */
static void discard_temps(Output *outs, size_t n)
{
    size_t i;
    sigset_t saved;
    for (i = 0; i < n; i++) {
        Output *o = &outs[i];
        if (o->tmp && !o->renamed)
            unlink(o->tmp);
        if (o->old != OLD_NONE && !o->keep_backup)
            unlink(o->backup);
        hold_signals(&saved);
        set_live(o->tmp, NULL);
        release_signals(&saved);
        oom_free(o->tmp);
        oom_free(o->backup);
        o->tmp = o->backup = NULL;
    }
}

/* ---- the commit ----------------------------------------------------------- */

/* Keeps the file an output is about to replace under o->backup: a second
 * link to it, so the file never leaves its name; or, where the file system
 * or its owner allows no link, the file itself moved aside for the moment
 * until the rename.  No earlier file is fine too (OLD_NONE). */
static bool keep_old(Output *o)
{
    int tries;
    for (tries = 0; tries < 100; tries++) {
        /* A fresh unique name: mkstemp makes one, link needs it free. */
        int fd;
        snprintf(o->backup, strlen(o->dir) + sizeof TEMP_NAME, "%s%s", o->dir, TEMP_NAME);
        fd = mkstemp(o->backup);
        if (fd < 0)
            return false;
        close(fd);
        unlink(o->backup);
        if (link(o->path, o->backup) == 0) {
            o->old = OLD_LINKED;
            return true;
        }
        if (errno == ENOENT) {
            o->old = OLD_NONE;
            return true;
        }
        if (errno == EEXIST)
            continue;           /* someone took the name meanwhile */
        if (rename(o->path, o->backup) == 0) {
            o->old = OLD_MOVED;
            return true;
        }
        if (errno == ENOENT) {
            o->old = OLD_NONE;
            return true;
        }
        return false;
    }
    errno = EEXIST;
    return false;
}

/* Puts back the earlier files of the first n outputs, last first: an
 * output that had none is removed again.  False if any could not be. */
static bool roll_back(Output *outs, size_t n, FILE *err)
{
    bool all = true;
    while (n-- > 0) {
        Output *o = &outs[n];
        bool ok = true;
        if (!o->tmp)
            continue;
        if (o->old == OLD_MOVED || (o->renamed && o->old == OLD_LINKED)) {
            ok = rename(o->backup, o->path) == 0;
            if (ok)
                o->old = OLD_NONE;          /* the backup is the file again */
        } else if (o->renamed) {
            ok = unlink(o->path) == 0;
        }
        if (!ok) {
            all = false;
            o->keep_backup = o->old != OLD_NONE;
            if (o->keep_backup)
                fail(err, "could not put back %s '%s' (%s); its earlier content is in '%s'",
                     o->role, o->path, strerror(errno), o->backup);
            else
                fail(err, "could not remove the new %s '%s': %s", o->role, o->path,
                     strerror(errno));
        }
    }
    return all;
}

/* Renames every temporary into place, or none: on a failure the files
 * already replaced are put back.  The caller holds the signals back. */
static int commit(Output *outs, size_t n, FILE *err)
{
    size_t i;
    for (i = 0; i < n; i++) {
        Output *o = &outs[i];
        int e;
        if (!o->tmp)
            continue;
        if (keep_old(o) && rename(o->tmp, o->path) == 0) {
            o->renamed = true;
            continue;
        }
        e = errno;
        fail(err, "cannot write %s '%s': %s", o->role, o->path, strerror(e));
        if (roll_back(outs, i + 1, err))
            return fail(err, "nothing was written: every earlier output is as it was");
        return RELC_FAILED;
    }
    return 0;
}

/* All or nothing, in the steps the top of this file describes. */
static int write_outputs(Output *outs, size_t n, const SchemaFile *schema, FILE *err)
{
    SignalGuard guard;
    sigset_t saved;
    size_t i;
    int rc = 0;

    /* Only what will be written is checked: unchanged outputs in a
     * directory relc may not write are fine. */
    for (i = 0; i < n && rc == 0; i++) {
        outs[i].changed = outs[i].always || !same_content(outs[i].path, outs[i].data, outs[i].len);
        if (outs[i].changed)
            rc = check_destination(&outs[i], err);
    }
    if (rc != 0)
        return rc;
    guard_install(&guard);
    /* Last to first: the stamp (last) is written first, so it is never
     * newer than an output this run rewrote; it is renamed last, so it is
     * never in place before them. */
    for (i = n; i-- > 0 && rc == 0;)
        if (outs[i].changed)
            rc = write_temp(&outs[i], err);
    hold_signals(&saved);
    /* An edit after the read would otherwise be hidden by the stamp, which
     * is newer than it. */
    if (rc == 0 && !schema_unchanged(schema))
        rc = fail(err, "the schema '%s' changed while relc ran; run relc again", schema->path);
    if (rc == 0)
        rc = commit(outs, n, err);
    discard_temps(outs, n);
    guard_remove(&guard);
    release_signals(&saved);
    return rc;
}

/* ---- the dependency file -------------------------------------------------- */

/* A file name as make reads it, escaped the way gcc -MD does: a backslash
 * before ' ', '\t', '#' and ':' (which would end the name or start a
 * comment), '$' doubled; backslashes just before such an escape or at the
 * end of the name (where they would escape the separator) doubled, any
 * other backslash kept as it is. */
static void dep_escaped(Printer *p, const char *s)
{
    const char *start = s, *q;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '#' || *s == ':') {
            for (q = s; q > start && q[-1] == '\\'; q--)
                pr_raw(p, "\\", 1);
            pr_raw(p, "\\", 1);
        } else if (*s == '$') {
            pr_raw(p, "$", 1);
        }
        pr_raw(p, s, 1);
    }
    for (q = s; q > start && q[-1] == '\\'; q--)
        pr_raw(p, "\\", 1);
}

/* A newline in a file name cannot be written in a make rule at all. */
static int check_dep_name(const char *name, FILE *err)
{
    if (strchr(name, '\n') || strchr(name, '\r'))
        return fail(err, "cannot name '%s' in a dependency file: make cannot read a line break "
                    "in a file name", name);
    return 0;
}

/* TARGETS: SCHEMA, where TARGETS is --deptarget, else the stamp file, else
 * the generated files. */
static int write_depfile(Printer *d, const Args *a, const Output *outs, size_t nouts, FILE *err)
{
    size_t i;
    int rc = check_dep_name(a->schema, err);
    if (a->deptarget || a->stamp) {
        const char *target = a->deptarget ? a->deptarget : a->stamp;
        if (rc == 0)
            rc = check_dep_name(target, err);
        dep_escaped(d, target);
    } else {
        for (i = 0; i < nouts && rc == 0; i++) {
            rc = check_dep_name(outs[i].path, err);
            if (i)
                pr_raw(d, " ", 1);
            dep_escaped(d, outs[i].path);
        }
    }
    pr_raw(d, ": ", 2);
    dep_escaped(d, a->schema);
    pr_raw(d, "\n", 1);
    if (rc == 0 && d->oom)
        rc = fail(err, "out of memory");
    return rc;
}

/* ---- the command -------------------------------------------------------- */

static int generate(const Args *a, RelcUnit *u, const SchemaFile *schema, FILE *err)
{
    Printer h, c, d;
    Output outs[MAX_OUTPUTS];
    size_t nouts, ngen, i;
    const char *stem = relc_unit_output_stem(u);
    bool dot = strcmp(a->emit, "dot") == 0;
    bool ok;
    int rc = 0;

    memset(outs, 0, sizeof outs);
    pr_init(&h);
    pr_init(&c);
    pr_init(&d);
    if (dot) {
        ok = emit_dot(u, &h);
        outs[0].role = "the diagram";
        outs[0].path = join(a->out_dir, stem, ".dot");
        ngen = 1;
    } else {
        ok = emit_header(u, &h) && emit_source(u, &c);
        outs[0].role = "the header";
        outs[0].path = join(a->out_dir, stem, ".h");
        outs[1].role = "the source";
        outs[1].path = join(a->out_dir, stem, ".c");
        ngen = 2;
    }
    nouts = ngen;
    if (a->depfile) {
        outs[nouts].role = "the dependency file";
        outs[nouts++].path = dup_string(a->depfile);
    }
    if (a->stamp) {
        outs[nouts].role = "the stamp file";
        outs[nouts].always = true;
        outs[nouts++].path = dup_string(a->stamp);
    }
    if (!ok)
        rc = fail(err, "out of memory while generating code");
    for (i = 0; i < nouts && rc == 0; i++)
        if (!outs[i].path)
            rc = fail(err, "out of memory");
    for (i = 0; i < ngen; i++) {
        const Printer *body = i == 0 ? &h : &c;
        outs[i].generated = true;
        outs[i].data = body->data;
        outs[i].len = body->len;
    }
    if (rc == 0 && a->depfile) {
        rc = write_depfile(&d, a, outs, ngen, err);
        outs[ngen].data = d.data;
        outs[ngen].len = d.len;
    }
    for (i = 0; i < nouts && rc == 0; i++)
        rc = check_name_length(&outs[i], a->prefix[0] != '\0', err);
    if (rc == 0)
        rc = check_distinct(outs, nouts, a->schema, err);
    if (rc == 0)
        rc = make_dirs(a->out_dir, err);
    if (rc == 0)
        rc = write_outputs(outs, nouts, schema, err);
    for (i = 0; i < MAX_OUTPUTS; i++) {
        oom_free(outs[i].path);
        oom_free(outs[i].canon);
        oom_free(outs[i].dir);
    }
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
    SchemaFile schema;
    char *name = NULL;
    int rc = parse_args(argc, argv, &a, out, err);

    if (rc >= 0)
        return rc;
    memset(&schema, 0, sizeof schema);
    schema.path = a.schema;
    rc = read_schema(&schema, err);
    if (rc != 0)
        return rc;
    name = base_name(a.schema);
    if (!name) {
        oom_free(schema.text);
        return fail(err, "out of memory");
    }
    memset(&opt, 0, sizeof opt);
    opt.prefix = a.prefix;
    opt.schema_name = name;
    opt.werror = a.werror;
    rc = relc_compile(a.schema, schema.text, schema.len, &opt, err, &u);
    if (rc == RELC_FAILED)
        fail(err, "out of memory while compiling '%s'", a.schema);
    else if (rc == RELC_OK && !a.check_only)
        rc = generate(&a, u, &schema, err);
    relc_unit_free(u);
    oom_free(name);
    oom_free(schema.text);
    return rc;
}
