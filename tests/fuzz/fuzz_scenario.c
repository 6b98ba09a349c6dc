/* libFuzzer target for the scenario loader and validator.
 *
 * Each input is written to a scenario file in a private temporary folder
 * and loaded with itp_scenario_load against the real config/defaults.cfg
 * ($ITPSIM_DEFAULTS, else config/defaults.cfg in the current folder), with
 * the resolved settings printed (as `itpsim check` does) and, when the
 * scenario is valid, its null version built. A bad input must give
 * ITP_EINPUT and one message naming the file; anything else (a crash, a
 * sanitizer report, a status other than OK/EINPUT, an empty message) is a
 * finding. `make fuzz` runs it; seeds are scenarios/ and tests/bad-scenarios/.
 *
 * An input may hold several files: a line "//file NAME" (a comment to
 * libconfig) starts the file NAME (letters, digits, '_', '.', '-'), which
 * the scenario and the other files may @include, and ends the one before.
 * The folder also holds a FIFO ("fifo"), a folder ("sub") and, by absolute
 * name, the devices, so that @include reaches special files at any depth:
 * a hang on the FIFO is a finding (libFuzzer's -timeout). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "itpsim/trial.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer calls the target from one thread, one input at a time; the
 * folder and file names are set once at start-up. */
static char dir[64], path[128], fifo[128], sub[128];
static const char *defaults;
static FILE *devnull;

#define MAX_FILES 8
static char written[MAX_FILES][128];   /* the included files of the input */
static int n_written;

static void remove_written(void)
{
    for (int i = 0; i < n_written; i++)
        unlink(written[i]);
    n_written = 0;
}

static void cleanup(void)
{
    remove_written();
    unlink(path);
    unlink(fifo);
    rmdir(sub);
    if (dir[0])
        rmdir(dir);
}

/* Writes n bytes to file; aborts on failure (the fuzzer's own fault). */
static void write_file(const char *file, const uint8_t *data, size_t n)
{
    FILE *f = fopen(file, "wb");
    if (!f)
        abort();
    if (n && fwrite(data, 1, n, f) != n)
        abort();
    if (fclose(f) != 0)
        abort();
}

/* Where the next line beginning with "//file " starts, at or after line
 * start `from` (size when none). */
static size_t next_file_line(const uint8_t *data, size_t size, size_t from)
{
    for (size_t i = from; i < size;) {
        if (size - i >= 7 && !memcmp(data + i, "//file ", 7))
            return i;
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        i = nl ? (size_t)(nl - data) + 1 : size;
    }
    return size;
}

/* The input up to the first "//file NAME" line goes to the scenario; each
 * such line starts an included file. */
static void write_files(const uint8_t *data, size_t size)
{
    size_t at = next_file_line(data, size, 0);
    write_file(path, data, at);
    while (at < size && n_written < MAX_FILES) {
        size_t p = at + 7, k = 0;
        char name[40];
        while (p < size && data[p] != '\n' && k < sizeof name - 1) {
            char c = (char)data[p++];
            int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-' || (c == '.' && k);
            name[k++] = keep ? c : '_';
        }
        name[k] = '\0';
        while (p < size && data[p] != '\n')
            p++;
        size_t start = p < size ? p + 1 : p, next = next_file_line(data, size, start);
        if (k && strcmp(name, "scenario.cfg") && strcmp(name, "fifo") && strcmp(name, "sub")) {
            snprintf(written[n_written], sizeof written[0], "%s/%s", dir, name);
            write_file(written[n_written++], data + start, next - start);
        }
        at = next;
    }
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
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    if (mkfifo(fifo, 0600) != 0 || mkdir(sub, 0700) != 0) {
        perror("fuzz_scenario: mkfifo/mkdir");
        abort();
    }
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
    write_files(data, size);
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
        remove_written();
        return 0;
    }
    remove_written();
    /* A refusal: no scenario, and a one-line message that names the file. */
    if (st != ITP_EINPUT || scn || !err[0] || strchr(err, '\n')) {
        fprintf(stderr, "fuzz_scenario: status %d, message '%s'\n", (int)st, err);
        abort();
    }
    return 0;
}
