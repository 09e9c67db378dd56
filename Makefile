# relc: schema compiler for C object graphs with Django-style relations.
#
#   make            build relc and the runtime library (build/)
#   make check      every test: unit, golden, diagnostics, examples, CLI
#   make golden     rewrite the expected outputs after a deliberate change
#   make SAN=1 ...  the same under AddressSanitizer and UBSan (build-san/)
#   make clean

CC      ?= cc
SAN     ?=
ifeq ($(SAN),1)
B       := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B       := build
SANFLAGS :=
endif

OPT     ?= -O2 -g
WARN    := -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  := -std=c99 $(OPT) $(WARN) $(SANFLAGS) -D_POSIX_C_SOURCE=200809L
GENFLAGS := -std=c99 $(OPT) -Wall -Wno-unused-function -Wno-sign-compare $(SANFLAGS) -D_POSIX_C_SOURCE=200809L
LDFLAGS += $(SANFLAGS)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

DSL_SRC := dsl/arena.c dsl/oom.c dsl/utf8.c dsl/diag.c dsl/ast.c dsl/ptrmap.c dsl/names.c \
           dsl/check.c dsl/check_through.c dsl/check_unique.c dsl/check_generic.c dsl/syntax.c dsl/relc.c dsl/vocab.c
GEN_SRC := gen/driver.c gen/printer.c gen/emit_c.c gen/emit_types.c gen/emit_api.c gen/emit_desc.c gen/emit_generic.c gen/emit_dot.c
GENERATED := $(B)/gen-src/scan.c $(B)/gen-src/parse.c

LIB_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(DSL_SRC) $(GEN_SRC)) \
           $(B)/obj/scan.o $(B)/obj/parse.o
INC     := -Idsl -Igen -I$(B)/gen-src -Iruntime

RELC    := $(B)/relc
LIBRELC := $(B)/librelc.a

.PHONY: all check golden clean
all: $(RELC)

$(B)/gen-src/parse.c $(B)/gen-src/parse.h: dsl/parse.y
	@mkdir -p $(B)/gen-src
	bison -Wall -Werror --defines=$(B)/gen-src/parse.h -o $(B)/gen-src/parse.c $<

$(B)/gen-src/scan.c $(B)/gen-src/scan.h: dsl/scan.l $(B)/gen-src/parse.h
	@mkdir -p $(B)/gen-src
	flex --header-file=$(B)/gen-src/scan.h -o $(B)/gen-src/scan.c $<

$(B)/obj/scan.o: $(B)/gen-src/scan.c $(B)/gen-src/parse.h
	@mkdir -p $(dir $@)
	$(CC) $(GENFLAGS) $(INC) -c -o $@ $<

$(B)/obj/parse.o: $(B)/gen-src/parse.c $(B)/gen-src/scan.h
	@mkdir -p $(dir $@)
	$(CC) $(GENFLAGS) $(INC) -c -o $@ $<

$(B)/obj/%.o: %.c $(B)/gen-src/parse.h $(B)/gen-src/scan.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -MMD -MP -c -o $@ $<

$(LIBRELC): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(RELC): $(B)/obj/gen/main.o $(LIBRELC)
	$(CC) $(LDFLAGS) -o $@ $^

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

clean:
	rm -rf build build-san build-fuzz

# ---- runtime ----------------------------------------------------------------
# rel.c: statuses, allocation, collections, pools; rel_store.c: the store,
# creating, setters; rel_delete.c: the collector; rel_verify.c: invariants;
# rel_json.c and rel_fixture.c: Django's dumpdata and loaddata.
# rel_scrub.c: what a deleted object reads as; rel_delete_one.c: M_delete.
LIBREL  := $(B)/librel.a
RT_SRC  := runtime/rel.c runtime/rel_store.c runtime/rel_delete.c runtime/rel_verify.c runtime/rel_unique.c \
           runtime/rel_json.c runtime/rel_fixture.c runtime/rel_through.c runtime/rel_scrub.c runtime/rel_generic.c \
           runtime/rel_delete_one.c runtime/rel_m2m.c
RT_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(RT_SRC))
RT_HDR  := runtime/rel.h runtime/rel_impl.h runtime/rel_version.h runtime/rel_json.h
$(RT_OBJ): $(B)/obj/%.o: %.c $(RT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iruntime -c -o $@ $<
# The runtime again, built with AddressSanitizer, installed beside the
# other for programs built with -fsanitize=address: a deleted object's
# memory is then poisoned, so reading one through a dangling pointer is
# reported where it happens.
LIBREL_ASAN := $(B)/librel-asan.a
RT_ASAN_OBJ := $(patsubst %.c,$(B)/obj-asan/%.o,$(RT_SRC))
$(RT_ASAN_OBJ): $(B)/obj-asan/%.o: %.c $(RT_HDR)
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(OPT) $(WARN) -fsanitize=address -fno-omit-frame-pointer -Iruntime -c -o $@ $<
$(LIBREL_ASAN): $(RT_ASAN_OBJ)
	rm -f $@
	ar rcs $@ $^

$(LIBREL): $(RT_OBJ)
	rm -f $@
	ar rcs $@ $^
all: $(LIBREL)

# The runtime on a schema descriptor written by hand (tests/test_runtime.c).
$(B)/test_runtime: tests/test_runtime.c tests/failing_alloc.h $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -o $@ $< $(LIBREL) $(CHECK_LIBS) $(LDFLAGS)
# check-build makes everything the tests run (in parallel if asked: make
# -j2 check-build); check then runs the tests one after another, so that
# the timing checks of run_hostile.sh do not share the machine with a
# compiler.  .ci/run does both.
check: check-build
.PHONY: check-build
check-build: $(B)/test_runtime

# ---- tests -------------------------------------------------------------------
$(B)/test_front: tests/test_front.c $(LIBRELC)
	$(CC) $(CFLAGS) -D_GNU_SOURCE $(INC) -o $@ $< $(LIBRELC) $(CHECK_LIBS) $(LDFLAGS)

# ---- examples: relc as a build step -------------------------------------------
# The rule users copy (see README): generate NAME.h and NAME.c from NAME.rel,
# with a dependency file so make knows when to run relc again.
EXAMPLES := library shop company school profiles tree tracker tagging
.SECONDEXPANSION:
$(B)/ex/%.c: examples/$$*/$$*.rel $(RELC)
	@mkdir -p $(B)/ex
	$(RELC) -o $(B)/ex -M $(B)/ex/$*.d $<
$(B)/ex/%.h: $(B)/ex/%.c ;
$(B)/ex/%-prog: examples/$$*/main.c $(B)/ex/%.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -Iruntime -I$(B)/ex -o $@ examples/$*/main.c $(B)/ex/$*.c $(LIBREL) $(LDFLAGS)
-include $(wildcard $(B)/ex/*.d)

PROGS := $(patsubst %,$(B)/ex/%-prog,$(EXAMPLES))
# Generated sources are results to keep, not intermediates to delete.
.SECONDARY: $(patsubst %,$(B)/ex/%.c,$(EXAMPLES)) $(patsubst %,$(B)/ex/%.h,$(EXAMPLES))

check-build: all $(B)/test_front $(PROGS)
check: check-build
	CXX="$(CXX)" sh tests/run_checks.sh $(B) "$(EXAMPLES)"

# Rewrites every expected output after a deliberate change: diagnostics,
# generated code, example output, the DOT diagrams (with the commands that
# run_checks.sh checks them with).  Review the diff like code.
golden: all $(PROGS)
	UPDATE=1 sh tests/run_diag.sh $(RELC)
	sh tests/run_checks.sh $(B) --update-dot-goldens
	for ex in $(EXAMPLES); do cp $(B)/ex/$$ex.h $(B)/ex/$$ex.c tests/golden/; \
	    $(B)/ex/$$ex-prog > examples/$$ex/expected.txt; done

# The README's first command: build relc, generate the library example with
# it, build the program and run it.
example: $(B)/ex/library-prog
	$(B)/ex/library-prog
.PHONY: example

# The generated API's own suite, on tests/api/api.rel.
$(B)/api/api.c: tests/api/api.rel $(RELC)
	@mkdir -p $(B)/api
	$(RELC) -o $(B)/api $<
$(B)/api/api.h: $(B)/api/api.c ;
$(B)/test_api: tests/test_api.c tests/failing_alloc.h $(B)/api/api.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/api -o $@ $< $(B)/api/api.c $(LIBREL) $(CHECK_LIBS) $(LDFLAGS)
$(B)/test_api_cxx: tests/test_api.c tests/failing_alloc.h $(B)/api/api.c $(RT_SRC) $(RT_HDR)
	$(CXX) -x c++ $(OPT) -Wall -Wextra -pedantic -Werror $(SANFLAGS) -Iruntime -I$(B)/api -o $@ \
	    tests/test_api.c $(B)/api/api.c $(RT_SRC) $(CHECK_LIBS) $(LDFLAGS)
check-build: $(B)/test_api $(B)/test_api_cxx

# The NULL-and-deleted-argument sweep (tests/test_sweep.c) over every
# function of api.h, from the table tests/gen_sweep.sh reads out of it.
$(B)/sweep/sweep_calls.h: tests/gen_sweep.sh $(B)/api/api.c $(B)/api/api.h
	@mkdir -p $(B)/sweep
	CC="$(CC)" sh tests/gen_sweep.sh $(B)/api/api.h > $@.tmp && mv $@.tmp $@
$(B)/test_sweep: tests/test_sweep.c $(B)/sweep/sweep_calls.h $(B)/api/api.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -Iruntime -I$(B)/api -I$(B)/sweep -o $@ tests/test_sweep.c $(B)/api/api.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_sweep

# The regressions of issue 11 (tests/test_safety.c) on tests/safety/safety.rel.
$(B)/safety/safety.c: tests/safety/safety.rel $(RELC)
	@mkdir -p $(B)/safety
	$(RELC) -o $(B)/safety $<
$(B)/safety/safety.h: $(B)/safety/safety.c ;
$(B)/test_safety: tests/test_safety.c $(B)/safety/safety.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/safety -o $@ $< $(B)/safety/safety.c $(LIBREL) $(CHECK_LIBS) $(LDFLAGS)
check-build: $(B)/test_safety
# rel_foreach built with -DREL_DEBUG: changing the collection walked aborts.
$(B)/test_iter_debug: tests/test_iter_debug.c $(B)/safety/safety.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -DREL_DEBUG -Iruntime -I$(B)/safety -o $@ $< $(B)/safety/safety.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_iter_debug

# Fixtures (tests/test_fixture.c): Django's dumpdata and loaddata, on the
# schemas of the cases recorded from Django (tests/fixtures/gen_cases.py
# writes them and the cases) and on tests/fixtures/fx.rel.
FIXTURE_SCHEMAS := fx lib social cycle club uniq
$(B)/fixtures/%.c: tests/fixtures/schemas/%.rel $(RELC)
	@mkdir -p $(B)/fixtures
	@$(RELC) -o $(B)/fixtures $< 2> $(B)/fixtures/$*.warnings || { cat $(B)/fixtures/$*.warnings; exit 1; }
$(B)/fixtures/%.h: $(B)/fixtures/%.c ;
$(B)/test_fixture: tests/test_fixture.c tests/failing_alloc.h tests/fixtures/fingerprint.h $(FIXTURE_SCHEMAS:%=$(B)/fixtures/%.c) $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/fixtures -Itests/fixtures -o $@ tests/test_fixture.c \
	    $(FIXTURE_SCHEMAS:%=$(B)/fixtures/%.c) $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_fixture

# Unique fields, unique_together and to_field (tests/test_unique.c).
$(B)/unique/uq.c: tests/unique/uq.rel $(RELC)
	@mkdir -p $(B)/unique
	@$(RELC) -o $(B)/unique $< 2> $(B)/unique/uq.warnings || { cat $(B)/unique/uq.warnings; exit 1; }
$(B)/unique/uq.h: $(B)/unique/uq.c ;
$(B)/test_unique: tests/test_unique.c tests/failing_alloc.h $(B)/unique/uq.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/unique -o $@ $< $(B)/unique/uq.c $(LIBREL) $(CHECK_LIBS) $(LDFLAGS)
$(B)/test_unique_cxx: tests/test_unique.c tests/failing_alloc.h $(B)/unique/uq.c $(RT_SRC) $(RT_HDR)
	$(CXX) -x c++ $(OPT) -Wall -Wextra -pedantic -Werror $(SANFLAGS) -D_GNU_SOURCE -Iruntime -I$(B)/unique -o $@ \
	    tests/test_unique.c $(B)/unique/uq.c $(RT_SRC) $(CHECK_LIBS) $(LDFLAGS)
check-build: $(B)/test_unique $(B)/test_unique_cxx

# Generic relations (SPEC section 9), on tests/generic/gen.rel.
$(B)/generic/gen.c: tests/generic/gen.rel $(RELC)
	@mkdir -p $(B)/generic
	$(RELC) -o $(B)/generic $<
$(B)/generic/gen.h: $(B)/generic/gen.c ;
$(B)/test_generic: tests/test_generic.c tests/failing_alloc.h tests/checks.h $(B)/generic/gen.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/generic -o $@ $< $(B)/generic/gen.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_generic

# Through models, unique fields and generic relations together
# (tests/test_combo.c), on tests/combo/combo.rel.
$(B)/combo/combo.c: tests/combo/combo.rel $(RELC)
	@mkdir -p $(B)/combo
	$(RELC) -o $(B)/combo $<
$(B)/combo/combo.h: $(B)/combo/combo.c ;
$(B)/test_combo: tests/test_combo.c tests/failing_alloc.h tests/checks.h $(B)/combo/combo.c $(B)/combo/combo.h $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/combo -o $@ $< $(B)/combo/combo.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_combo

# The randomized model-based test, on tests/model/mb.rel.
$(B)/model/mb.c: tests/model/mb.rel $(RELC)
	@mkdir -p $(B)/model
	$(RELC) -o $(B)/model $<
$(B)/model/mb.h: $(B)/model/mb.c ;
$(B)/test_model: tests/test_model.c $(B)/model/mb.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -Iruntime -I$(B)/model -o $@ $< $(B)/model/mb.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_model

# M_delete's short path against the collector (issue 15), on
# tests/delete_one/dp.rel.
$(B)/delete_one/dp.c: tests/delete_one/dp.rel $(RELC)
	@mkdir -p $(B)/delete_one
	$(RELC) -o $(B)/delete_one $<
$(B)/delete_one/dp.h: $(B)/delete_one/dp.c ;
$(B)/test_delete_one: tests/test_delete_one.c $(B)/delete_one/dp.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/delete_one -o $@ $< $(B)/delete_one/dp.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_delete_one

# The object pools' regions, with and without an aligned allocation, and
# the relink fast path (tests/test_pool.c, issue 15), on tests/api/api.rel.
$(B)/test_pool: tests/test_pool.c tests/checks.h tests/failing_alloc.h $(B)/api/api.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -Iruntime -I$(B)/api -o $@ $< $(B)/api/api.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_pool
# The inline create and the free lists deletes hand back (issue 15), on
# the same schema.
$(B)/test_create_fast: tests/test_create_fast.c $(B)/delete_one/dp.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -Iruntime -I$(B)/delete_one -o $@ $< $(B)/delete_one/dp.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_create_fast

# The 32-bit references (tests/test_cref.c), on tests/cref/cref.rel and
# on the big objects of the schema tests/cref/big.sh writes.
$(B)/cref/cref.c: tests/cref/cref.rel $(RELC)
	@mkdir -p $(B)/cref
	$(RELC) -o $(B)/cref $<
$(B)/cref/cref.h: $(B)/cref/cref.c ;
$(B)/cref/big.rel: tests/cref/big.sh
	@mkdir -p $(B)/cref
	sh tests/cref/big.sh > $@.tmp && mv $@.tmp $@
$(B)/cref/big.c: $(B)/cref/big.rel $(RELC)
	$(RELC) -o $(B)/cref $<
$(B)/cref/big.h: $(B)/cref/big.c ;
$(B)/test_cref: tests/test_cref.c tests/checks.h tests/failing_alloc.h tests/fixtures/fingerprint.h $(B)/cref/cref.c $(B)/cref/big.c \
                $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -pthread -Iruntime -I$(B)/cref -Itests/fixtures -o $@ $< $(B)/cref/cref.c \
	    $(B)/cref/big.c $(LIBREL) $(LDFLAGS) -pthread
check-build: $(B)/test_cref
# Its two threads again under ThreadSanitizer (the table of region numbers
# is the process's), where the compiler has it; in the plain build only
# (the SAN=1 build would build and run the same program again).
TSAN_OK := $(shell printf 'int main(void) { return 0; }' | $(CC) -x c -fsanitize=thread -pthread -o /dev/null - \
             2>/dev/null && echo yes)
ifeq ($(TSAN_OK)$(SAN),yes)
$(B)/test_cref_tsan: tests/test_cref.c tests/checks.h tests/failing_alloc.h tests/fixtures/fingerprint.h $(B)/cref/cref.c \
                     $(B)/cref/big.c $(RT_SRC) $(RT_HDR)
	$(CC) -std=c99 -O1 -g $(WARN) -Werror -fsanitize=thread -D_GNU_SOURCE -pthread -Iruntime -I$(B)/cref \
	    -Itests/fixtures -o $@ $< $(B)/cref/cref.c $(B)/cref/big.c $(RT_SRC)
check-build: $(B)/test_cref_tsan
endif

# The Check suites and the examples under valgrind: no invalid access, no
# leak.  (Check runs its tests in-process here, so valgrind sees them.)
VALGRIND := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9
valgrind: $(B)/test_front $(B)/test_api $(B)/test_runtime $(B)/test_model $(B)/test_safety $(B)/test_fixture \
          $(B)/test_through $(B)/test_unique $(B)/test_generic $(B)/test_combo $(B)/test_delete_one $(PROGS) \
          $(B)/test_pool $(B)/test_create_fast $(B)/test_cref
	CK_FORK=no $(VALGRIND) $(B)/test_front
	CK_FORK=no $(VALGRIND) $(B)/test_runtime
	CK_FORK=no $(VALGRIND) $(B)/test_api
	CK_FORK=no $(VALGRIND) $(B)/test_safety
	CK_FORK=no $(VALGRIND) $(B)/test_unique
	$(VALGRIND) $(B)/test_fixture
	$(VALGRIND) $(B)/test_model 7 2000
	$(VALGRIND) $(B)/test_through
	$(VALGRIND) $(B)/test_generic
	$(VALGRIND) $(B)/test_combo
	$(VALGRIND) $(B)/test_delete_one 3 3000 > /dev/null
	$(VALGRIND) $(B)/test_pool
	$(VALGRIND) $(B)/test_create_fast > /dev/null
	$(VALGRIND) $(B)/test_cref --memcheck
	for p in $(PROGS); do $(VALGRIND) $$p > /dev/null || exit 1; done
	@echo "valgrind: clean"
.PHONY: valgrind

# ---- fuzzing -------------------------------------------------------------------
# make fuzz [FUZZ_TIME=seconds] runs libFuzzer on the whole compiler in-process
# (tests/fuzz/fuzz_relc.c) with ASan and UBSan, seeded from every test schema.
# New crashes, hangs and leaks land in tests/fuzz/regress/, which `make check`
# replays (fuzz-replay) under whichever build it runs.
FUZZ_TIME ?= 60
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SEEDS := $(wildcard tests/diag/*.rel examples/*/*.rel tests/api/*.rel tests/compile/*.rel)
build-fuzz/fuzz_relc: tests/fuzz/fuzz_relc.c $(DSL_SRC) $(GEN_SRC) dsl/scan.l dsl/parse.y
	$(MAKE) B=build-fuzz CC=clang SANFLAGS='-fsanitize=fuzzer-no-link $(FUZZ_SAN)' build-fuzz/librelc.a
	clang -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) -Idsl -Igen -o $@ tests/fuzz/fuzz_relc.c build-fuzz/librelc.a
fuzz: build-fuzz/fuzz_relc
	@mkdir -p build-fuzz/corpus build-fuzz/seeds tests/fuzz/regress
	cp $(FUZZ_SEEDS) build-fuzz/seeds/
	build-fuzz/fuzz_relc -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	    -dict=tests/fuzz/relc.dict -artifact_prefix=tests/fuzz/regress/ -print_final_stats=1 \
	    build-fuzz/corpus build-fuzz/seeds
.PHONY: fuzz

$(B)/fuzz-replay: tests/fuzz/fuzz_relc.c tests/fuzz/replay_main.c $(LIBRELC)
	$(CC) $(CFLAGS) $(INC) -o $@ tests/fuzz/fuzz_relc.c tests/fuzz/replay_main.c $(LIBRELC) $(LDFLAGS)
check-build: $(B)/fuzz-replay

# make fuzz-loaddata [FUZZ_TIME=seconds]: libFuzzer on loaddata
# (tests/fuzz/fuzz_loaddata.c) into a store of tests/fixtures/fx.rel, with
# ASan and UBSan, seeded from tests/fuzz/seeds-loaddata/ with the
# dictionary tests/fuzz/fixture.dict.  Findings land in
# tests/fuzz/regress-loaddata/, which `make check` replays
# (fuzz-replay-loaddata, with the seeds).
build-fuzz/fx/fx.c: tests/fixtures/fx.rel $(RELC)
	@mkdir -p build-fuzz/fx
	@$(RELC) -o build-fuzz/fx $< 2> build-fuzz/fx/fx.warnings || { cat build-fuzz/fx/fx.warnings; exit 1; }
build-fuzz/fuzz_loaddata: tests/fuzz/fuzz_loaddata.c tests/fixtures/fingerprint.h build-fuzz/fx/fx.c $(RT_SRC) $(RT_HDR)
	clang -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) -D_GNU_SOURCE -Iruntime -Ibuild-fuzz/fx -Itests/fixtures -o $@ \
	    tests/fuzz/fuzz_loaddata.c build-fuzz/fx/fx.c $(RT_SRC)
fuzz-loaddata: build-fuzz/fuzz_loaddata
	@mkdir -p build-fuzz/corpus-loaddata tests/fuzz/regress-loaddata
	build-fuzz/fuzz_loaddata -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	    -dict=tests/fuzz/fixture.dict -artifact_prefix=tests/fuzz/regress-loaddata/ -print_final_stats=1 \
	    build-fuzz/corpus-loaddata tests/fuzz/seeds-loaddata
.PHONY: fuzz-loaddata

$(B)/fixtures/fx.c: tests/fixtures/fx.rel $(RELC)
	@mkdir -p $(B)/fixtures
	@$(RELC) -o $(B)/fixtures $< 2> $(B)/fixtures/fx.warnings || { cat $(B)/fixtures/fx.warnings; exit 1; }
$(B)/fuzz-replay-loaddata: tests/fuzz/fuzz_loaddata.c tests/fuzz/replay_main.c tests/fixtures/fingerprint.h \
                           $(B)/fixtures/fx.c $(LIBREL)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Iruntime -I$(B)/fixtures -Itests/fixtures -o $@ tests/fuzz/fuzz_loaddata.c \
	    tests/fuzz/replay_main.c $(B)/fixtures/fx.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/fuzz-replay-loaddata

# ---- benchmarks ----------------------------------------------------------------
# make bench: the generated code against hand-written C and SQLite on one
# workload (bench/), BENCH_ROUNDS rounds of the generated and hand-written
# versions in turn at BENCH_BOOKS books, then the other benchmarks (the
# median of BENCH_RUNS runs each) and relc's own scale against protoc-c
# (bench/scale.sh).  `make check` runs the first program at a small N and
# compares checksums only.
BENCH_BOOKS ?= 1000000
BENCH_ROUNDS ?= 7
BENCH_RUNS ?= 3
BENCH_SRC := bench/main.c bench/clock.c bench/generated.c bench/hand.c bench/sql.c
$(B)/bench/catalog.c: bench/catalog.rel $(RELC)
	@mkdir -p $(B)/bench
	$(RELC) -o $(B)/bench $<
$(B)/bench/catalog.h: $(B)/bench/catalog.c ;
$(B)/bench/bench: $(BENCH_SRC) bench/workload.h $(B)/bench/catalog.c $(LIBREL)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Iruntime -I$(B)/bench -Ibench -o $@ $(BENCH_SRC) \
	    $(B)/bench/catalog.c $(LIBREL) -lsqlite3 $(LDFLAGS)
# Fixtures (bench/fixture.c): dumpdata and loaddata of the same store, and
# CPython's json.loads of the same file.
$(B)/bench/fixture-bench: bench/fixture.c $(B)/bench/catalog.c $(LIBREL)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Iruntime -I$(B)/bench -o $@ bench/fixture.c $(B)/bench/catalog.c $(LIBREL) $(LDFLAGS)
# Through models (bench/through.c): add, iterate, remove and delete on a
# plain many-to-many and on one through a model, with their ratios.
BENCH_POSTS ?= 200000
$(B)/bench/tb.c: bench/through.rel $(RELC)
	@mkdir -p $(B)/bench
	$(RELC) -o $(B)/bench $<
$(B)/bench/tb.h: $(B)/bench/tb.c ;
$(B)/bench/through-bench: bench/through.c $(B)/bench/tb.c $(LIBREL)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Iruntime -I$(B)/bench -o $@ bench/through.c $(B)/bench/tb.c $(LIBREL) $(LDFLAGS)

# Unique fields (bench/unique.c): User_get_by_email against a hand-written
# hash table, and the bytes an index adds per object.
$(B)/bench/users.c: bench/users.rel $(RELC)
	@mkdir -p $(B)/bench
	$(RELC) -o $(B)/bench $<
$(B)/bench/users.h: $(B)/bench/users.c ;
$(B)/bench/unique-bench: bench/unique.c $(B)/bench/users.c $(LIBREL)
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Iruntime -I$(B)/bench -o $@ bench/unique.c $(B)/bench/users.c $(LIBREL) $(LDFLAGS)
bench: $(B)/bench/unique-bench

# Generic relations (bench/generic.c): a GenericForeignKey's getter, setter
# and reverse iteration against a plain ForeignKey's, as ratios of one run.
$(B)/bench/gbench.c: bench/generic.rel $(RELC)
	@mkdir -p $(B)/bench
	$(RELC) -o $(B)/bench $<
$(B)/bench/gbench.h: $(B)/bench/gbench.c ;
$(B)/bench/generic-bench: bench/generic.c bench/clock.c bench/workload.h $(B)/bench/gbench.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -I$(B)/bench -Ibench -o $@ bench/generic.c bench/clock.c \
	    $(B)/bench/gbench.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/bench/generic-bench
bench: $(B)/bench/generic-bench
bench: $(B)/bench/bench $(B)/bench/fixture-bench $(B)/bench/through-bench $(RELC)
	$(B)/bench/bench --books $(BENCH_BOOKS) --runs $(BENCH_ROUNDS)
	@echo
	$(B)/bench/fixture-bench --books $(BENCH_BOOKS) --runs $(BENCH_RUNS)
	@echo
	$(B)/bench/through-bench --posts $(BENCH_POSTS) --runs $(BENCH_RUNS)
	@echo
	$(B)/bench/unique-bench --users $(BENCH_BOOKS) --runs $(BENCH_RUNS)
	@echo
	$(B)/bench/generic-bench --runs $(BENCH_RUNS)
	@echo
	sh bench/scale.sh $(RELC)
check-build: $(B)/bench/bench $(B)/bench/fixture-bench $(B)/bench/through-bench $(B)/bench/unique-bench
.PHONY: bench

# ---- install ---------------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=staging]: the relc command, the
# runtime (librelc-runtime.a and include/relc/), pkg-config's relc.pc, the
# CMake package (find_package(relc)), the make fragment share/relc/relc.mk
# and the relc(1) man page.  make uninstall removes exactly those.
PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := $(shell sed -n 's/^\#define RELC_VERSION "\(.*\)"/\1/p' dsl/relc.h)
I_BIN   := $(DESTDIR)$(PREFIX)/bin
I_LIB   := $(DESTDIR)$(PREFIX)/lib
I_INC   := $(DESTDIR)$(PREFIX)/include/relc
I_PC    := $(I_LIB)/pkgconfig
I_CMAKE := $(I_LIB)/cmake/relc
I_SHARE := $(DESTDIR)$(PREFIX)/share/relc
I_MAN   := $(DESTDIR)$(PREFIX)/share/man/man1
SUBST   := sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g'
INSTALLED := $(I_BIN)/relc $(I_LIB)/librelc-runtime.a $(I_LIB)/librelc-runtime-asan.a \
             $(I_INC)/rel.h $(I_INC)/rel_version.h \
             $(I_PC)/relc.pc $(I_CMAKE)/relcConfig.cmake $(I_CMAKE)/relcConfigVersion.cmake \
             $(I_SHARE)/relc.mk $(I_MAN)/relc.1

install: $(RELC) $(LIBREL) $(LIBREL_ASAN)
	install -d $(I_BIN) $(I_LIB) $(I_INC) $(I_PC) $(I_CMAKE) $(I_SHARE) $(I_MAN)
	install -m 755 $(RELC) $(I_BIN)/relc
	install -m 644 $(LIBREL) $(I_LIB)/librelc-runtime.a
	install -m 644 $(LIBREL_ASAN) $(I_LIB)/librelc-runtime-asan.a
	install -m 644 runtime/rel.h runtime/rel_version.h $(I_INC)/
	$(SUBST) dist/relc.pc.in > $(I_PC)/relc.pc
	install -m 644 dist/relcConfig.cmake $(I_CMAKE)/relcConfig.cmake
	$(SUBST) dist/relcConfigVersion.cmake.in > $(I_CMAKE)/relcConfigVersion.cmake
	$(SUBST) dist/relc.mk.in > $(I_SHARE)/relc.mk
	install -m 644 docs/relc.1 $(I_MAN)/relc.1

uninstall:
	rm -f $(INSTALLED)
	-rmdir $(I_INC) $(I_CMAKE) $(I_SHARE) 2>/dev/null
.PHONY: install uninstall

# The installed relc used the way users use it: CMake with Ninja and with
# Makefiles, a plain make project including relc.mk, pkg-config; the man
# page against --help.  (tests/run_install.sh; part of make check.)
check-install: $(RELC) $(LIBREL) $(LIBREL_ASAN)
	sh tests/run_install.sh
check: check-install
.PHONY: check-install

# The hostile-schema catalogue (tests/run_hostile.sh).
check-hostile: $(RELC)
	sh tests/run_hostile.sh $(RELC)
check: check-hostile
.PHONY: check-hostile

# Every accepted schema compiles (tests/run_compile.sh): random schemas from
# tests/schemagen.c, the hand-written regressions of tests/compile/ and every
# schema in the tree, compiled as C99, GNU C99 and C++ with -Werror, the
# output deterministic and the diagram valid Graphviz.
# `build/schemagen SEED 1 DIR` writes one of them; `sh tests/run_compile.sh
# build SEED...` checks extra seeds.  The sanitizer build takes the next 150
# seeds rather than the same ones again: CI's two runs cover seeds 1 to 300
# for the time of 150 each (relc under ASan finds the same crashes on any).
ifeq ($(SAN),1)
SCHEMAGEN_FIRST ?= 151
else
SCHEMAGEN_FIRST ?= 1
endif
$(B)/schemagen: tests/schemagen.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)
all: $(B)/schemagen
check-compile: $(RELC) $(B)/schemagen
	CC="$(CC)" CXX="$(CXX)" SCHEMAGEN_FIRST=$(SCHEMAGEN_FIRST) sh tests/run_compile.sh $(B)
check: check-compile
.PHONY: check-compile

# Through models (tests/test_through.c) on tests/through/th.rel.
$(B)/through/th.c: tests/through/th.rel $(RELC)
	@mkdir -p $(B)/through
	$(RELC) -o $(B)/through $<
$(B)/through/th.h: $(B)/through/th.c ;
$(B)/test_through: tests/test_through.c tests/failing_alloc.h tests/checks.h $(B)/through/th.c $(LIBREL)
	$(CC) $(CFLAGS) -Werror -D_GNU_SOURCE -Iruntime -Itests -I$(B)/through -o $@ $< $(B)/through/th.c $(LIBREL) $(LDFLAGS)
check-build: $(B)/test_through
