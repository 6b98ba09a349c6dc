/* libFuzzer target for the scenario loader and validator.
 *
 * Each input is written to a scenario file in a private temporary folder
 * and loaded with itp_scenario_load against the real config/defaults.cfg
 * ($ITPSIM_DEFAULTS, else config/defaults.cfg in the current folder), with
 * the resolved settings printed (as `itpsim check` does) and, when the
 * scenario is valid, its null version built. A bad input must give
 * ITP_EINPUT and one message naming the file; anything else (a crash, a
 * sanitizer report, a status other than OK/EINPUT, an empty message) is a
 * finding. `make fuzz` runs it; seeds are scenarios/ and tests/bad-scenarios/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "itpsim/trial.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer calls the target from one thread, one input at a time; the
 * folder and file names are set once at start-up. */
static char dir[64], path[128];
static const char *defaults;
static FILE *devnull;

static void cleanup(void)
{
    if (path[0])
        unlink(path);
    if (dir[0])
        rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/itpsim-fuzz-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(path, sizeof path, "%s/scenario.cfg", dir);
    atexit(cleanup);
    defaults = getenv("ITPSIM_DEFAULTS");
    if (!defaults || !*defaults)
        defaults = "config/defaults.cfg";
    if (access(defaults, R_OK) != 0) {
        fprintf(stderr, "fuzz_scenario: cannot read the defaults file %s\n", defaults);
        abort();
    }
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();
    /* Leading lines "//set PATH=VALUE" (comments to libconfig) are also
     * given as --set overrides, so that their parsing is fuzzed too. */
    char sets[4][128];
    const char *over[4];
    int n_over = 0;
    for (size_t i = 0; n_over < 4 && i + 6 <= size && !memcmp(data + i, "//set ", 6);) {
        size_t j = i + 6, k = 0;
        while (j < size && data[j] != '\n' && k < sizeof sets[0] - 1)
            sets[n_over][k++] = (char)data[j++];
        sets[n_over][k] = '\0';
        over[n_over] = sets[n_over];
        n_over++;
        while (j < size && data[j] != '\n')
            j++;
        i = j + 1;
    }
    itp_scenario *scn = NULL;
    char err[1024] = "";
    itp_status st = itp_scenario_load(&scn, path, defaults, over, n_over, devnull, err,
                                      sizeof err);
    if (st == ITP_OK) {
        itp_scenario *null = NULL;
        if (!scn || itp_scenario_null(scn, &null) != ITP_OK)
            abort();
        itp_scenario_free(null);
        itp_scenario_free(scn);
        return 0;
    }
    /* A refusal: no scenario, and a one-line message that names the file. */
    if (st != ITP_EINPUT || scn || !err[0] || strchr(err, '\n')) {
        fprintf(stderr, "fuzz_scenario: status %d, message '%s'\n", (int)st, err);
        abort();
    }
    return 0;
}
