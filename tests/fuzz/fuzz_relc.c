/* fuzz_relc.c: the whole compiler in-process, for libFuzzer.
 *
 * Each input is a schema text.  It is scanned, parsed and checked with
 * diagnostics formatted (to /dev/null), and when it passes, both generated
 * files and the Graphviz diagram are emitted into memory.  The first byte of the input also picks
 * the options (prefix, -Werror, a small error cap), so those paths are
 * fuzzed too.  Any crash, hang, leak or sanitizer report is a finding.
 *
 * Built two ways (see the Makefile):
 *   make fuzz            clang -fsanitize=fuzzer,address,undefined
 *   replay (make check)  with replay_main.c and the normal compiler, which
 *                        runs every kept input of tests/fuzz/regress/.
 */
#include "emit.h"
#include "printer.h"
#include "relc.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    RelcOptions opt = {0};
    RelcUnit *u = NULL;
    uint8_t mode = size > 0 ? data[0] : 0;

    if (!sink && !(sink = fopen("/dev/null", "w")))
        return 0;
    /* Inputs starting with a byte of bit 7 set select options; the byte
     * is still part of the text, so an ordinary schema works as a seed. */
    if (mode & 0x80) {
        opt.prefix = (mode & 1) ? "pfx_" : NULL;
        opt.werror = (mode & 2) != 0;
        opt.max_errors = (mode & 4) ? 3 : 0;
    }
    if (relc_compile("fuzz.rel", (const char *)data, size, &opt, sink, &u) == RELC_OK) {
        Printer h, c, d;
        pr_init(&h);
        pr_init(&c);
        pr_init(&d);
        emit_header(u, &h);
        emit_source(u, &c);
        emit_dot(u, &d);
        pr_free(&h);
        pr_free(&c);
        pr_free(&d);
    }
    relc_unit_free(u);
    return 0;
}
