# itpsim: Monte Carlo design of immune thrombocytopenia trials.
#
# Targets
#   make            build build/itpsim
#   make mpi        build build/itpsim-mpi with mpicc (the same as make MPI=1;
#                   objects in build/obj-mpi): replicates shared out over
#                   the ranks of an MPI job (README, "Running on a cluster")
#   make run        install missing packages, build, run the default scenario
#                   (power and type I error; RUN_REPS=1000 replicates each)
#   make test       install missing packages, build, run the whole test suite
#   make deps       check the Debian packages (installs them when root)
#   make sanitize   the test suite under AddressSanitizer + UBSan (build-san/)
#   make valgrind   the unit tests and a few commands under valgrind (build-vg/)
#   make fuzz       fuzz the scenario loader for FUZZ_SECONDS (60; build-fuzz/)
#   make calibration  fit VAYHIT2 alone (results/calibration/vayhit2.md,
#                   config/vayhit2_fitted.cfg, about 10 minutes on 2 cores),
#                   then the nine trials jointly (make calibration-joint:
#                   results/calibration/joint.md, config/joint_fitted.cfg and
#                   config/fitted_draws.csv, which the scenarios use; about 6)
#   make clean
# Flags
#   WERROR=1        treat warnings as errors (CI)
#   DEBUG=1         -O0 -g
#   MPI=1           build/itpsim-mpi instead of build/itpsim (make mpi)

# ---- settings --------------------------------------------------------------
CC       ?= cc
BUILD    := build
OPT      := -O2
ifeq ($(DEBUG),1)
OPT      := -O0 -g
endif
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-qual -Wwrite-strings -Wformat=2 \
            -Wundef -Wvla -Wdouble-promotion
ifeq ($(WERROR),1)
WARN     += -Werror
endif
# Packages, each as pkg-config name:Debian package.
PKGS     := gsl:libgsl-dev libconfig:libconfig-dev cmocka:libcmocka-dev
PKG_NAMES = $(foreach p,$(PKGS),$(firstword $(subst :, ,$(p))))
CFLAGS   += -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) $(WARN) -fopenmp -Iinclude \
            $(shell pkg-config --cflags gsl libconfig 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs gsl libconfig 2>/dev/null) -lm -fopenmp
TEST_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
SCENARIO ?= scenarios/vayhit2.cfg
RUN_DIR  ?= results/vayhit2
RUN_REPS ?= 1000

# The MPI build: mpicc, -DITP_MPI, its own objects, archive and program, so
# the two builds never mix. `make test` builds it too when mpicc is on PATH
# (tests/cli/mpi.sh skips without it).
OBJ      := $(BUILD)/obj
LIBA     := $(BUILD)/libitpsim.a
PROG     := $(BUILD)/itpsim
ifeq ($(MPI),1)
CC       := mpicc
CFLAGS   += -DITP_MPI
OBJ      := $(BUILD)/obj-mpi
LIBA     := $(BUILD)/libitpsim-mpi.a
PROG     := $(BUILD)/itpsim-mpi
endif
HAVE_MPICC := $(if $(NO_MPI),,$(shell command -v mpicc 2>/dev/null))

# ---- sources ---------------------------------------------------------------
# One folder per layer under src/ (see README, "Code layout"); the library is
# every src/*/*.c but the command line's (src/cli/), which the program adds.
CLI_SRC  := $(wildcard src/cli/*.c)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(OBJ)/%.o)
LIB_SRC  := $(filter-out $(CLI_SRC),$(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(OBJ)/%.o)
# Unit tests mirror the layers (tests/unit/LAYER/test_NAME.c); each builds to
# $(BUILD)/tests/test_NAME. `make test T=NAME` runs one of them (or the
# check script tests/cli/NAME.sh) instead of the whole suite.
TEST_SRC := $(wildcard tests/unit/*/test_*.c)
TEST_BIN := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(TEST_SRC)))
vpath test_%.c $(sort $(dir $(TEST_SRC)))
TEST_RUN := $(if $(T),$(filter $(BUILD)/tests/$(T),$(TEST_BIN)),$(TEST_BIN))
# Drivers that run the statistics kernels on data files for the R reference check.
TOOL_SRC := $(wildcard tests/reference/*.c)
TOOL_BIN := $(TOOL_SRC:tests/reference/%.c=$(BUILD)/tools/%)
# Header dependencies are tracked per object (-MMD -MP); the tests, tools and
# the program list them in full.
HEADERS  := $(wildcard include/itpsim/*.h) $(wildcard src/*/*.h)
DEPFLAGS  = -MMD -MP

# ---- rules -----------------------------------------------------------------
.PHONY: calibration-joint all deps mpi run test clean everything clang

all: $(PROG)

mpi:
	@$(MAKE) --no-print-directory MPI=1 all

# `make deps ALL=1`: also every optional feature's packages (OPT_DEBS).
OPT_DEBS := gnuplot-nox chromium fonts-dejavu-core r-base-core r-cran-survival r-cran-rpact \
            openmpi-bin libopenmpi-dev valgrind clang
deps:
	@sh tests/scripts/deps.sh $(PKGS) $(if $(ALL),--all $(OPT_DEBS))

$(OBJ)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# Made afresh each time, so that the object of a removed or moved source
# does not stay in the archive.
$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PROG): $(CLI_OBJ) $(LIBA)
	$(CC) $(CFLAGS) $(CLI_OBJ) $(LIBA) $(LDLIBS) -o $@

$(BUILD)/tests/%: %.c tests/testutil.h $(BUILD)/libitpsim.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests $< $(BUILD)/libitpsim.a $(TEST_LIBS) $(LDLIBS) -o $@

$(BUILD)/tools/%: tests/reference/%.c $(BUILD)/libitpsim.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/libitpsim.a $(LDLIBS) -o $@

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/itpsim run $(SCENARIO) -n $(RUN_REPS) -o $(RUN_DIR)

# The modules' include graph has no cycle (tests/scripts/check_layers.sh),
# then every cmocka binary and the command-line checks; the last line sums up.
# The benchmark programs are built too (not run), so they keep compiling.
# Every program the test target builds, without running anything; `make
# clang` builds them all with clang and warnings as errors in build-clang/.
everything:
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(TOOL_BIN) \
	  $(addprefix $(BUILD)/bench/,$(BENCH_PROGS))
clang: deps
	@$(MAKE) --no-print-directory CC=clang WERROR=1 BUILD=build-clang everything

test: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(TOOL_BIN) \
	  $(addprefix $(BUILD)/bench/,$(BENCH_PROGS))
	@$(if $(HAVE_MPICC),$(MAKE) --no-print-directory MPI=1 all)
	@sh tests/scripts/check_layers.sh
	@ITPSIM_ONLY="$(T)" sh tests/scripts/run_tests.sh $(BUILD) $(TEST_RUN)

# ---- sanitizers, valgrind and fuzzing -----------------------------------------
# Each builds in its own folder, so none disturbs the normal build.
# `make sanitize`: the whole test suite with AddressSanitizer (leaks included)
# and UndefinedBehaviorSanitizer, stopping at the first report. The MPI
# build and tests/cli/mpi.sh are left out there (NO_MPI=1): Open MPI's own
# allocations at exit would count as leaks; `make test` runs them. Reports go
# to files (log_path) and any file fails the target, so a report counts even
# where a test script discards stderr or expects a non-zero exit code.
SAN_BUILD    := build-san
SAN_OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fsanitize=float-cast-overflow -fno-sanitize-recover=all
# `make valgrind`: every unit test, then a few commands, under memcheck.
# OpenMP threads are kept (the tests ask for 2); libgomp's thread pool is
# still reachable at exit, and only definite and indirect leaks count.
VG_BUILD     := build-vg
VALGRIND     := valgrind -q --error-exitcode=1 --leak-check=full \
                --errors-for-leak-kinds=definite,indirect
# `make fuzz`: the libFuzzer target of the scenario loader for FUZZ_SECONDS,
# seeded from tests/fuzz/corpus/, scenarios/ and tests/bad-scenarios/; new
# inputs go to build-fuzz/corpus, a crashing input to build-fuzz/crashes/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer -fopenmp \
                -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude \
                $(shell pkg-config --cflags gsl libconfig 2>/dev/null)
FUZZ_OBJ     := $(LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)

.PHONY: sanitize valgrind fuzz

sanitize: deps
	@rm -rf $(SAN_BUILD)/reports && mkdir -p $(SAN_BUILD)/reports
	@ASAN_OPTIONS=log_path=$(CURDIR)/$(SAN_BUILD)/reports/asan:detect_leaks=1 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0 \
	 UBSAN_OPTIONS=log_path=$(CURDIR)/$(SAN_BUILD)/reports/ubsan:print_stacktrace=1 \
	 ITPSIM_EXCLUDE=mpi $(MAKE) --no-print-directory BUILD=$(SAN_BUILD) OPT="$(SAN_OPT)" \
	   NO_MPI=1 test
	@if ls $(SAN_BUILD)/reports/* >/dev/null 2>&1; then \
	   cat $(SAN_BUILD)/reports/*; echo "sanitize: reports above"; exit 1; fi
	@echo "sanitize: no AddressSanitizer or UndefinedBehaviorSanitizer report"

valgrind: deps
	@$(MAKE) --no-print-directory BUILD=$(VG_BUILD) OPT="-O1 -g" all \
	   $(TEST_BIN:$(BUILD)/%=$(VG_BUILD)/%)
	@VALGRIND="$(VALGRIND)" sh tests/scripts/valgrind.sh $(VG_BUILD) \
	   $(TEST_BIN:$(BUILD)/%=$(VG_BUILD)/%)

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

-include $(FUZZ_OBJ:.o=.d)

$(FUZZ_BUILD)/fuzz_scenario: tests/fuzz/fuzz_scenario.c $(FUZZ_OBJ) $(HEADERS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer tests/fuzz/fuzz_scenario.c $(FUZZ_OBJ) \
	   $(LDLIBS) -o $@

fuzz: $(FUZZ_BUILD)/fuzz_scenario
	@mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/crashes
	ITPSIM_DEFAULTS=config/defaults.cfg \
	LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp:print_suppressions=0 $(FUZZ_BUILD)/fuzz_scenario \
	   -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	   -dict=tests/fuzz/scenario.dict -artifact_prefix=$(FUZZ_BUILD)/crashes/ \
	   $(FUZZ_BUILD)/corpus tests/fuzz/corpus scenarios tests/bad-scenarios

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(VG_BUILD) $(FUZZ_BUILD) build-clang

# ---- install ------------------------------------------------------------------
# `make install PREFIX=/usr/local` (after `make`): the program in
# PREFIX/bin, the model's files in PREFIX/share/itpsim/config (where the
# installed program finds its defaults), the example scenarios in
# PREFIX/share/itpsim/scenarios (their @include of ../config/ holds there
# too), the man page in PREFIX/share/man/man1. DESTDIR is prefixed to
# every path (for packaging). It installs what $(BUILD) holds, builds
# nothing. `make uninstall PREFIX=...` removes exactly those files.
PREFIX    ?= /usr/local
SHARE     := $(DESTDIR)$(PREFIX)/share/itpsim
INST_CFG  := config/defaults.cfg config/joint_fitted.cfg config/vayhit2_fitted.cfg \
             config/fitted_draws.csv
INST_SCN  := $(wildcard scenarios/*.cfg) scenarios/calibration/joint.cfg
.PHONY: install uninstall
install:
	@test -x $(BUILD)/itpsim || { echo "make install: build $(BUILD)/itpsim first (make)"; exit 1; }
	install -D -m 755 $(BUILD)/itpsim $(DESTDIR)$(PREFIX)/bin/itpsim
	install -d $(SHARE)/config $(SHARE)/scenarios/calibration $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(INST_CFG) $(SHARE)/config/
	install -m 644 $(wildcard scenarios/*.cfg) $(SHARE)/scenarios/
	install -m 644 scenarios/calibration/joint.cfg $(SHARE)/scenarios/calibration/
	install -m 644 doc/itpsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/itpsim.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/itpsim $(DESTDIR)$(PREFIX)/share/man/man1/itpsim.1
	rm -f $(addprefix $(SHARE)/,$(INST_CFG) $(INST_SCN))
	-rmdir $(SHARE)/scenarios/calibration $(SHARE)/scenarios $(SHARE)/config $(SHARE) 2>/dev/null

# ---- benchmarks ---------------------------------------------------------------
# `make bench`: a release build in its own folder (BENCH_OPT, tuned for this
# machine, so its figures are not those of the portable build), then
# tests/bench/bench.sh prints the performance figures with the machine's
# cores and CPU and writes results/bench/latest.txt (about 8 minutes on 2
# cores; BENCH_RUNS=3 for a quicker, noisier run; BENCH_WAIT_IDLE=600 to
# wait up to 10 minutes for a quiet machine first).
BENCH_BUILD := build-bench
BENCH_OPT   ?= -O3 -march=native
BENCH_PROGS := bench_trial bench_kinetics runstat
BENCH_BIN   := $(addprefix $(BENCH_BUILD)/bench/,$(BENCH_PROGS))

# Figures 1-3 come with their ratio to the reference commit BENCH_REF
# (built from git archive in the same run); section 6 runs against rpact
# when Rscript and r-cran-rpact are installed (`make bench-peers`: that
# section alone, written to results/bench/peers.txt).
.PHONY: bench bench-peers

bench bench-peers: deps
	@$(MAKE) --no-print-directory BUILD=$(BENCH_BUILD) OPT="$(BENCH_OPT)" all $(BENCH_BIN)
	@$(if $(filter bench-peers,$@),BENCH_SECTIONS=6 BENCH_OUT=results/bench/peers.txt) \
	  BENCH_OPT="$(BENCH_OPT)" CC="$(CC)" sh tests/bench/bench.sh $(BENCH_BUILD)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libitpsim.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(BUILD)/libitpsim.a $(LDLIBS) -o $@

# ---- calibration ----------------------------------------------------------------
# `make calibration`: fits the default scenario's free parameters to the
# published VAYHIT2 results and writes the committed reference report and
# the fitted parameters the scenario includes. The same seed gives the same
# numbers, so the committed files are reproduced exactly.
.PHONY: calibration

calibration: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/itpsim calibrate $(SCENARIO) -o results/calibration
	mv results/calibration/calibration.md results/calibration/vayhit2.md
	mv results/calibration/fitted.cfg config/vayhit2_fitted.cfg
	@$(MAKE) --no-print-directory calibration-joint

# The joint calibration to the nine seeded trials (about 6 minutes on 2
# cores): results/calibration/joint.md, config/joint_fitted.cfg (which
# every shipped scenario includes) and the parameter draws
# config/fitted_draws.csv (run --assurance).
calibration-joint: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/itpsim calibrate scenarios/calibration/joint.cfg -o results/calibration/joint
	mv results/calibration/joint/joint.md results/calibration/joint.md
	mv results/calibration/joint/fitted.cfg config/joint_fitted.cfg
	mv results/calibration/joint/draws.csv config/fitted_draws.csv
	rmdir results/calibration/joint
