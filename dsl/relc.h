/* relc.h: the compiler as a library.
 *
 * The relc command (gen/main.c) is a thin wrapper over this, and the tests
 * call it in-process: compile a schema text, read its diagnostics, and hand
 * the checked unit to the emitter.
 */
#ifndef RELC_H
#define RELC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RELC_VERSION "0.4.0"

/* Results of relc_compile, which are also the command's exit statuses. */
enum {
    RELC_OK = 0,          /* no errors (warnings allowed) */
    RELC_ERRORS = 1,      /* the schema has errors */
    RELC_FAILED = 2       /* out of memory, or bad usage or I/O (driver) */
};

typedef struct RelcOptions {
    const char *prefix;       /* prefix of every generated C name; NULL: none */
    const char *schema_name;  /* when the schema has no `schema` line; NULL: "schema" */
    bool werror;              /* warnings are errors */
    size_t max_errors;        /* diagnostics shown; 0: 50 */
} RelcOptions;

typedef struct RelcUnit RelcUnit;

/* Parses and checks src[0..len), named `filename` in diagnostics, which are
 * printed to diag_out (may be NULL).  On RELC_OK or RELC_ERRORS *unit (if
 * unit is not NULL) receives the compilation, to be freed with
 * relc_unit_free; on RELC_FAILED it is NULL. */
int  relc_compile(const char *filename, const char *src, size_t len,
                  const RelcOptions *opt, FILE *diag_out, RelcUnit **unit);
void relc_unit_free(RelcUnit *unit);

/* The schema's base name: PREFIX + NAME, the stem of NAME.h and NAME.c. */
const char *relc_unit_output_stem(const RelcUnit *unit);

/* The command line: argv as main receives it; messages go to out and err.
 * Returns the exit status. */
int relc_main(int argc, char **argv, FILE *out, FILE *err);

#endif
