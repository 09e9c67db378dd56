/* replay_main.c: runs fuzz_relc.c's entry point on files, without
 * libFuzzer, so that `make check` replays every input the fuzzer ever
 * found (tests/fuzz/regress/) under the normal or sanitizer build.
 * Usage: fuzz-replay FILE...   Exit status 0 when every input ran. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0, n;
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        do {
            if (cap - len < 4096) {
                uint8_t *nb = realloc(buf, cap = cap * 2 + 4096);
                if (!nb) {
                    fclose(f);
                    free(buf);
                    return 2;
                }
                buf = nb;
            }
            n = fread(buf + len, 1, cap - len, f);
            len += n;
        } while (n > 0);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
    }
    printf("fuzz replay: %d inputs ran\n", argc - 1);
    return 0;
}
