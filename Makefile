# itpsim: Monte Carlo design of immune thrombocytopenia trials.
#
# Targets
#   make            build build/itpsim
#   make run        install missing packages, build, run the default scenario
#                   (power and type I error; RUN_REPS=1000 replicates each)
#   make test       install missing packages, build, run the whole test suite
#   make deps       check the Debian packages (installs them when root)
#   make clean
# Flags
#   WERROR=1        treat warnings as errors (CI)
#   DEBUG=1         -O0 -g

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

# ---- sources ---------------------------------------------------------------
LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# Drivers that run the statistics kernels on data files for the R reference check.
TOOL_SRC := $(wildcard tests/reference/*.c)
TOOL_BIN := $(TOOL_SRC:tests/reference/%.c=$(BUILD)/tools/%)
HEADERS  := $(wildcard include/itpsim/*.h) $(wildcard src/*.h)

# ---- rules -----------------------------------------------------------------
.PHONY: all deps run test clean

all: $(BUILD)/itpsim

deps:
	@sh tests/scripts/deps.sh $(PKGS)

$(BUILD)/obj/%.o: src/%.c $(HEADERS) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libitpsim.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/itpsim: src/main.c $(BUILD)/libitpsim.a $(HEADERS)
	$(CC) $(CFLAGS) src/main.c $(BUILD)/libitpsim.a $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libitpsim.a $(HEADERS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests $< $(BUILD)/libitpsim.a $(TEST_LIBS) $(LDLIBS) -o $@

$(BUILD)/tools/%: tests/reference/%.c $(BUILD)/libitpsim.a $(HEADERS) | $(BUILD)/tools
	$(CC) $(CFLAGS) $< $(BUILD)/libitpsim.a $(LDLIBS) -o $@

$(BUILD)/obj $(BUILD)/tests $(BUILD)/tools:
	mkdir -p $@

run: deps
	@$(MAKE) --no-print-directory all
	./$(BUILD)/itpsim run $(SCENARIO) -n $(RUN_REPS) -o $(RUN_DIR)

# Every cmocka binary, then the command-line checks; the last line sums up.
test: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(TOOL_BIN)
	@sh tests/scripts/run_tests.sh $(BUILD) $(TEST_BIN)

clean:
	rm -rf $(BUILD)
