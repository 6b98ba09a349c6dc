/* The command line's shared parts: the options every command takes, their
 * parsing, the defaults file's place, loading a scenario. See cli.h. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include <gsl/gsl_errno.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "itpsim/analysis.h"
#include "itpsim/calibrate.h"
#include "itpsim/model.h"
#include "itpsim/plot.h"
#include "itpsim/report.h"
#include "itpsim/run.h"
#include "itpsim/search.h"
#include "itpsim/scenario.h"
#include "itpsim/trial.h"

#include "cli.h"

const char usage_common[] =
    "  --set PATH=VALUE   override a numeric setting (repeatable), e.g.\n"
    "                     --set components.ianalumab_3.dose_mg_kg=6\n"
    "  --defaults FILE    model parameters (default: config/defaults.cfg beside the\n"
    "                     program's folder, or $ITPSIM_DEFAULTS)\n"
    "  -h, --help         this text\n";

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "itpsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'itpsim %s%s--help' for usage.\n", cmd ? cmd : "", cmd ? " " : "");
    return 2;
}

int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Parses the arguments after the command. Returns -1 to go on, else an exit
 * code (0 after --help). */
int parse_options(const char *cmd, const char *usage, int argc, char **argv,
                         options *o, const char *allowed)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s%s", usage, usage_common);
            return 0;
        } else if (!strcmp(a, "--set")) {
            if (!val)
                return usage_error(cmd, "%s needs PATH=VALUE", a);
            if (o->n_sets == MAX_SETS)
                return usage_error(cmd, "at most 64 %s options", a);
            o->sets[o->n_sets++] = val;
            i++;
        } else if (!strcmp(a, "--no-null") && strchr(allowed, 'N')) {
            o->no_null = 1;
            o->given |= GIVEN_NULL;
        } else if (!strcmp(a, "--force") && strchr(allowed, 'F')) {
            o->force = 1;
        } else if (!strcmp(a, "--plots") && strchr(allowed, 'L')) {
            o->plots = 1;
        } else if (!strcmp(a, "--evaluate") && strchr(allowed, 'E')) {
            o->evaluate = 1;
        } else if (!strcmp(a, "--resume") && strchr(allowed, 'U')) {
            if (!val || !*val)
                return usage_error(cmd, "%s needs the folder of the interrupted run", a);
            o->resume = val;
            i++;
        } else if (!strcmp(a, "--assurance") && strchr(allowed, 'A')) {
            uint64_t k;
            if (parse_u64(val, &k) || k < 2 || k > 100000)
                return usage_error(cmd, "--assurance: '%s' is not a number of parameter sets "
                                   "in 2..100000", val ? val : "");
            o->assurance = (long)k;
            i++;
        } else if (!strcmp(a, "--draws") && strchr(allowed, 'A')) {
            if (!val || !*val)
                return usage_error(cmd, "%s needs a file of parameter draws", a);
            o->draws = val;
            i++;
        } else if (!strcmp(a, "--partial-nulls") && strchr(allowed, 'Z')) {
            o->partial_nulls = 1;
        } else if (!strcmp(a, "--priors") && strchr(allowed, 'A')) {
            o->priors = 1;
        } else if (!strcmp(a, "--quiet") && strchr(allowed, 'q')) {
            o->quiet = 1;
        } else if (!strcmp(a, "--precision") && strchr(allowed, 'P')) {
            char *end;
            if (!val)
                return usage_error(cmd, "%s needs a standard error", a);
            errno = 0;
            o->precision = strtod(val, &end);
            if (errno || *end || !(o->precision > 0.0 && o->precision < 0.5))
                return usage_error(cmd, "--precision: '%s' is not a number in (0, 0.5)", val);
            o->given |= GIVEN_PRECISION;
            i++;
        } else if ((!strcmp(a, "--power") || !strcmp(a, "--min") || !strcmp(a, "--max")) &&
                   strchr(allowed, 'S')) {
            char *end;
            if (!val)
                return usage_error(cmd, "%s needs a value", a);
            errno = 0;
            double x = strtod(val, &end);
            if (errno || *end || end == val)
                return usage_error(cmd, "%s: '%s' is not a number", a, val);
            if (!strcmp(a, "--power")) {
                if (!(x > 0.0 && x < 1.0))
                    return usage_error(cmd, "--power: '%s' is not in (0, 1)", val);
                o->power = x;
            } else {
                if (x != floor(x) || x < 1 || x > ITP_MAX_PATIENTS)
                    return usage_error(cmd, "%s: '%s' is not a sample size in 1..%d", a, val,
                                       ITP_MAX_PATIENTS);
                *(a[3] == 'i' ? &o->n_min : &o->n_max) = (long)x;
            }
            i++;
        } else if (!strcmp(a, "--hypothesis") && strchr(allowed, 'S')) {
            if (!val)
                return usage_error(cmd, "%s needs a name", a);
            o->hypothesis = val;
            i++;
        } else if (!strcmp(a, "--vary") && strchr(allowed, 'V')) {
            char verr[256];
            if (!val)
                return usage_error(cmd, "%s needs KEY=V1,V2,...", a);
            if (o->n_vary == ITP_MAX_VARY)
                return usage_error(cmd, "at most %d --vary options", ITP_MAX_VARY);
            if (itp_vary_parse(val, &o->vary[o->n_vary], verr, sizeof verr))
                return usage_error(cmd, "%s", verr);
            o->n_vary++;
            i++;
        } else if (!strcmp(a, "--defaults")) {
            if (!val)
                return usage_error(cmd, "%s needs a file", a);
            o->defaults = val;
            i++;
        } else if (a[0] == '-' && a[1] && !a[2] && strchr(allowed, a[1])) {
            if (!val)
                return usage_error(cmd, "%s needs a value", a);
            i++;
            if (a[1] == 's') {
                if (parse_u64(val, &o->seed))
                    return usage_error(cmd, "-s: '%s' is not a whole number >= 0", val);
                o->given |= GIVEN_SEED;
            } else if (a[1] == 'o') {
                if (!*val)
                    return usage_error(cmd, "%s", "-o needs a folder");
                o->outdir = val;
                o->given |= GIVEN_OUTDIR;
            } else if (a[1] == 'n') {
                uint64_t n;
                long max = strchr(allowed, 'R') ? ITP_MAX_REPLICATES : ITP_MAX_PATIENTS;
                if (parse_u64(val, &n) || n < 1 || n > (uint64_t)max)
                    return usage_error(cmd, "-n: '%s' is not a whole number in 1..%ld", val, max);
                o->n = (long)n;
                o->given |= GIVEN_REPS;
            } else if (a[1] == 'j') {
                uint64_t j;
                if (parse_u64(val, &j) || j < 1 || j > 256)
                    return usage_error(cmd, "-j: '%s' is not a thread count in 1..256", val);
                o->threads = (int)j;
            }
        } else if (a[0] == '-' && a[1]) {
            return usage_error(cmd, "unknown option '%s'", a);
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            return usage_error(cmd, "unexpected argument '%s'", a);
        }
    }
    if (!o->scenario)
        return usage_error(cmd, "%s", "missing SCENARIO");
    return -1;
}

/* config/defaults.cfg beside the folder holding the program (build/itpsim ->
 * config/defaults.cfg), unless given. */
const char *find_defaults(const options *o, char *buf, size_t len)
{
    if (o->defaults)
        return o->defaults;
    const char *env = getenv("ITPSIM_DEFAULTS");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, len, "%s/../config/defaults.cfg", exe);
            if (access(buf, R_OK) == 0)
                return buf;
        }
    }
    return "config/defaults.cfg";
}

int load(const options *o, FILE *resolved, itp_scenario **scn, itp_cal_spec *cal)
{
    char dbuf[PATH_MAX + 32], err[1024];
    const char *defaults = find_defaults(o, dbuf, sizeof dbuf);
    itp_cal_spec unkept;
    itp_status st = itp_cal_load(scn, cal ? cal : &unkept, o->scenario, defaults, o->sets,
                                 o->n_sets, resolved, err, sizeof err);
    if (st) {
        fprintf(stderr, "itpsim: %s\n", err);
        return itp_exit_code(st);
    }
    return 0;
}

int default_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* The resolved settings (as `check` prints them) followed by the scenario
 * file's bytes, for itp_run_hash: what identifies a scenario. */
int load_with_hash(const options *o, itp_scenario **scn, itp_cal_spec *cal, char hash[25])
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        fprintf(stderr, "itpsim: out of memory\n");
        return 1;
    }
    int rc = load(o, mem, scn, cal);
    FILE *f = rc ? NULL : fopen(o->scenario, "rb");
    char buf[4096];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    if (f)
        fclose(f);
    fclose(mem);
    if (!rc)
        itp_run_hash(text ? text : "", len, hash);
    free(text);
    return rc;
}
