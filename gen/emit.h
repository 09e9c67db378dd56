/* emit.h: the C emitter.  It reads a unit that passed every check and
 * never rejects input: all judgement happened in dsl/. */
#ifndef RELC_EMIT_H
#define RELC_EMIT_H

#include "printer.h"
#include "relc.h"

#include <stdbool.h>

/* NAME.h and NAME.c of the unit, byte-identical for the same input.
 * Returns false when memory ran out. */
bool emit_header(const RelcUnit *u, Printer *out);
bool emit_source(const RelcUnit *u, Printer *out);
/* `--emit dot`: NAME.dot, a Graphviz diagram of the models and relations. */
bool emit_dot(const RelcUnit *u, Printer *out);

#endif
