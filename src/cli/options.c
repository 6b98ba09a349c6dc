/* The command line's shared parts: the options every command takes, their
 * parsing, the defaults file's place, loading a scenario. See cli.h. */
/* realpath */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <gsl/gsl_errno.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "itpsim/analysis.h"
#include "itpsim/calibrate.h"
#include "itpsim/engine.h"
#include "itpsim/model.h"
#include "itpsim/plot.h"
#include "itpsim/report.h"
#include "itpsim/run.h"
#include "itpsim/search.h"
#include "itpsim/scenario.h"
#include "itpsim/trial.h"

#include "cli.h"

const char usage_common[] =
    "  --set PATH=VALUE   override a numeric or text setting (repeatable), e.g.\n"
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

/* A whole number >= 0 written in digits only: no sign, no blank, no
 * exponent, at most 2^64 - 1 (strtoull alone would take " -1" as 2^64 - 1). */
int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* The options, each with the letter of `allowed` that lets a command take
 * it (0: every command). Parsed by getopt_long: `--name=value` and
 * `--name value`, `-n10` and `-n 10`, `--` ends the options, and an option
 * without a value never takes the next argument. */
enum {
    O_SET = 256, O_DEFAULTS, O_NO_NULL, O_FORCE, O_PLOTS, O_EVALUATE, O_RESUME, O_QUIET,
    O_PRECISION, O_POWER, O_MIN, O_MAX, O_HYPOTHESIS, O_VARY, O_ASSURANCE, O_DRAWS, O_PRIORS,
    O_PARTIAL, O_HELP, O_REPS, O_RANGE, O_ASSURANCE_REPS, O_TARGET
};
static const struct {
    const char *name;
    int has_arg, code;
    char letter;
} option_table[] = {
    {"help", no_argument, O_HELP, 0},           {"set", required_argument, O_SET, 0},
    {"defaults", required_argument, O_DEFAULTS, 0},
    {"seed", required_argument, 's', 's'},      {"output", required_argument, 'o', 'o'},
    {"threads", required_argument, 'j', 'j'},   {"reps", required_argument, O_REPS, 'R'},
    {"replicates", required_argument, O_RANGE, 'X'},
    {"patients", required_argument, 'n', 0},    /* simulate's -n (no 'R') */
    {"no-null", no_argument, O_NO_NULL, 'N'},   {"quiet", no_argument, O_QUIET, 'q'},
    {"precision", required_argument, O_PRECISION, 'P'},
    {"force", no_argument, O_FORCE, 'F'},       {"resume", required_argument, O_RESUME, 'U'},
    {"plots", no_argument, O_PLOTS, 'L'},       {"evaluate", no_argument, O_EVALUATE, 'E'},
    {"power", required_argument, O_POWER, 'S'}, {"min", required_argument, O_MIN, 'S'},
    {"max", required_argument, O_MAX, 'S'},     {"hypothesis", required_argument, O_HYPOTHESIS, 'S'},
    {"vary", required_argument, O_VARY, 'V'},   {"assurance", required_argument, O_ASSURANCE, 'A'},
    {"draws", required_argument, O_DRAWS, 'A'}, {"priors", no_argument, O_PRIORS, 'A'},
    {"partial-nulls", no_argument, O_PARTIAL, 'Z'},
    {"assurance-reps", required_argument, O_ASSURANCE_REPS, 'B'},
    {"target-power", required_argument, O_TARGET, 'T'},
};
#define N_OPTIONS (sizeof option_table / sizeof option_table[0])

static int takes(const char *allowed, char letter)
{
    return letter == 0 || strchr(allowed, letter) != NULL;
}

/* A number option's value: a double (S options) checked by the caller. */
static int number(const char *cmd, const char *name, const char *val, double *x)
{
    char *end;
    errno = 0;
    *x = strtod(val, &end);
    if (errno || *end || end == val || isspace((unsigned char)val[0]) || !isfinite(*x))
        return usage_error(cmd, "--%s: '%s' is not a number", name, val);
    return -1;
}

/* One option with its value (NULL: none); -1 to go on, else an exit code. */
static int take_option(const char *cmd, const char *usage, int code, const char *name,
                       const char *val, options *o, const char *allowed)
{
    double x;
    int rc;
    switch (code) {
    case O_HELP:
        printf("%s%s", usage, usage_common);
        return 0;
    case O_SET:
        if (o->n_sets == MAX_SETS)
            return usage_error(cmd, "at most %d --set options", MAX_SETS);
        o->sets[o->n_sets++] = val;
        return -1;
    case O_DEFAULTS:
        if (!*val)
            return usage_error(cmd, "%s", "--defaults needs a file");
        o->defaults = val;
        return -1;
    case 's':
        if (parse_u64(val, &o->seed))
            return usage_error(cmd, "-s/--seed: '%s' is not a whole number >= 0", val);
        o->given |= GIVEN_SEED;
        return -1;
    case 'o':
        if (!*val)
            return usage_error(cmd, "%s", "-o/--output needs a folder");
        o->outdir = val;
        o->given |= GIVEN_OUTDIR;
        return -1;
    case 'n':
    case O_REPS: {
        uint64_t n;
        long max = strchr(allowed, 'R') ? ITP_MAX_REPLICATES : ITP_MAX_PATIENTS;
        if (parse_u64(val, &n) || n < 1 || n > (uint64_t)max)
            return usage_error(cmd, "-n/--%s: '%s' is not a whole number in 1..%ld",
                               strchr(allowed, 'R') ? "reps" : "patients", val, max);
        o->n = (long)n;
        o->given |= GIVEN_REPS;
        return -1;
    }
    case 'j': {
        uint64_t j;
        if (parse_u64(val, &j) || j < 1 || j > 256)
            return usage_error(cmd, "-j/--threads: '%s' is not a thread count in 1..256", val);
        o->threads = (int)j;
        return -1;
    }
    case O_NO_NULL:
        o->no_null = 1;
        o->given |= GIVEN_NULL;
        return -1;
    case O_FORCE:
        o->force = 1;
        return -1;
    case O_PLOTS:
        o->plots = 1;
        return -1;
    case O_EVALUATE:
        o->evaluate = 1;
        return -1;
    case O_RESUME:
        if (!*val)
            return usage_error(cmd, "%s", "--resume needs the folder of the interrupted run");
        o->resume = val;
        return -1;
    case O_QUIET:
        o->quiet = 1;
        return -1;
    case O_PRECISION:
        if ((rc = number(cmd, name, val, &o->precision)) >= 0)
            return rc;
        if (!(o->precision > 0.0 && o->precision < 0.5))
            return usage_error(cmd, "--precision: '%s' is not a number in (0, 0.5)", val);
        o->given |= GIVEN_PRECISION;
        return -1;
    case O_POWER:
        if ((rc = number(cmd, name, val, &x)) >= 0)
            return rc;
        if (!(x > 0.0 && x < 1.0))
            return usage_error(cmd, "--power: '%s' is not in (0, 1)", val);
        o->power = x;
        return -1;
    case O_TARGET:   /* sweep: the power the picture marks */
        if ((rc = number(cmd, name, val, &x)) >= 0)
            return rc;
        if (!(x > 0.0 && x < 1.0))
            return usage_error(cmd, "--target-power: '%s' is not in (0, 1)", val);
        o->power = x;
        return -1;
    case O_MIN:
    case O_MAX:
        if ((rc = number(cmd, name, val, &x)) >= 0)
            return rc;
        if (x != floor(x) || x < 1 || x > ITP_MAX_PATIENTS)
            return usage_error(cmd, "--%s: '%s' is not a sample size in 1..%d", name, val,
                               ITP_MAX_PATIENTS);
        *(code == O_MIN ? &o->n_min : &o->n_max) = (long)x;
        return -1;
    case O_HYPOTHESIS:
        o->hypothesis = val;
        return -1;
    case O_VARY: {
        char verr[256];
        if (o->n_vary == ITP_MAX_VARY)
            return usage_error(cmd, "at most %d --vary options", ITP_MAX_VARY);
        if (itp_vary_parse(val, &o->vary[o->n_vary], verr, sizeof verr))
            return usage_error(cmd, "%s", verr);
        o->n_vary++;
        return -1;
    }
    case O_ASSURANCE: {
        uint64_t k;
        if (parse_u64(val, &k) || k < 2 || k > 100000)
            return usage_error(cmd, "--assurance: '%s' is not a number of parameter sets in "
                               "2..100000", val);
        o->assurance = (long)k;
        return -1;
    }
    case O_DRAWS:
        if (!*val)
            return usage_error(cmd, "%s", "--draws needs a file of parameter draws");
        o->draws = val;
        return -1;
    case O_PRIORS:
        o->priors = 1;
        return -1;
    case O_ASSURANCE_REPS: {
        uint64_t r;
        if (parse_u64(val, &r) || r < 2 || r > ITP_MAX_REPLICATES)
            return usage_error(cmd, "--assurance-reps: '%s' is not a number of replicates in "
                               "2..%ld", val, (long)ITP_MAX_REPLICATES);
        o->assurance_reps = (long)r;
        return -1;
    }
    case O_PARTIAL:
        o->partial_nulls = 1;
        return -1;
    case O_RANGE: {
        /* FROM:TO, replicates FROM .. TO - 1 */
        const char *colon = strchr(val, ':');
        char from[32];
        uint64_t a, b;
        if (!colon || (size_t)(colon - val) >= sizeof from)
            return usage_error(cmd, "--replicates: '%s' is not FROM:TO", val);
        snprintf(from, sizeof from, "%.*s", (int)(colon - val), val);
        if (parse_u64(from, &a) || parse_u64(colon + 1, &b) || !(a < b) ||
            b > (uint64_t)ITP_MAX_REPLICATES)
            return usage_error(cmd, "--replicates: '%s' is not FROM:TO with 0 <= FROM < TO <= "
                               "%ld", val, ITP_MAX_REPLICATES);
        o->shard_from = (long)a;
        o->shard_to = (long)b;
        return -1;
    }
    }
    return usage_error(cmd, "unknown option '--%s'", name);
}

/* Parses the arguments after the command (getopt_long; the command's name
 * stands in as argv[0]). Returns -1 to go on, else an exit code (0 after
 * --help). */
static int parse_argv(const char *cmd, const char *usage, int argc, char **argv, char **av,
                      options *o, const char *allowed)
{
    struct option lo[N_OPTIONS + 1];
    char shorts[16] = ":h";
    int nl = 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (!takes(allowed, option_table[i].letter) ||
            (option_table[i].code == 'n' && strchr(allowed, 'R')) ||
            (option_table[i].code == 'n' && !strchr(allowed, 'n')))
            continue;
        lo[nl++] = (struct option){option_table[i].name, option_table[i].has_arg, NULL,
                                   option_table[i].code};
    }
    lo[nl] = (struct option){NULL, 0, NULL, 0};
    for (const char *c = "sonj"; *c; c++)
        if (strchr(allowed, *c)) {
            size_t l = strlen(shorts);
            shorts[l] = *c;
            shorts[l + 1] = ':';
            shorts[l + 2] = '\0';
        }
    av[0] = (char *)(uintptr_t)cmd;
    for (int i = 0; i < argc; i++)
        av[i + 1] = argv[i];
    av[argc + 1] = NULL;
    optind = 0;   /* glibc: a full new scan */
    opterr = 0;
    for (;;) {
        int li = -1, c = getopt_long(argc + 1, av, shorts, lo, &li);
        if (c == -1)
            break;
        const char *name = li >= 0 ? lo[li].name : NULL;
        char sname[2] = {(char)optopt, '\0'};
        if (c == '?') {
            if (optopt)
                return usage_error(cmd, "unknown option '-%c'", optopt);
            return usage_error(cmd, "unknown option '%s'", av[optind - 1]);
        }
        if (c == ':') {
            if (optopt && optopt < 256)
                return usage_error(cmd, "-%s needs a value", sname);
            return usage_error(cmd, "%s needs a value", av[optind - 1]);
        }
        if (c == 'h')
            c = O_HELP;
        /* A value given as the next argument that looks like an option
         * (-o --quiet) is refused rather than taken: a forgotten value
         * would otherwise swallow the next option. Attached (--output=-x,
         * -o-x) it is taken as written. */
        if (optarg && optarg == av[optind - 1] && optarg[0] == '-' && optarg[1] &&
            !isdigit((unsigned char)optarg[1]) && optarg[1] != '.') {
            if (name)
                return usage_error(cmd, "--%s needs a value, and '%s' is an option (write "
                                   "--%s=%s for a value that begins with '-')", name, optarg,
                                   name, optarg);
            return usage_error(cmd, "-%c needs a value, and '%s' is an option (write -%c%s "
                               "for a value that begins with '-')", c, optarg, c, optarg);
        }
        if (c == 'n' && strchr(allowed, 'R'))
            c = O_REPS;
        int rc = take_option(cmd, usage, c, name ? name : sname, optarg, o, allowed);
        if (rc >= 0)
            return rc;
    }
    for (int i = optind; i < argc + 1; i++) {
        if (strchr(allowed, 'M')) {   /* compare: every argument a scenario */
            if (o->n_files == MAX_FILES)
                return usage_error(cmd, "at most %d scenarios", MAX_FILES);
            o->files[o->n_files++] = av[i];
            if (!o->scenario)
                o->scenario = av[i];
        } else if (!o->scenario)
            o->scenario = av[i];
        else
            return usage_error(cmd, "unexpected argument '%s'", av[i]);
    }
    if (!o->scenario && !o->resume)
        return usage_error(cmd, "%s", "missing SCENARIO");
    return -1;
}

int parse_options(const char *cmd, const char *usage, int argc, char **argv, options *o,
                  const char *allowed)
{
    char **av = malloc((size_t)(argc + 2) * sizeof *av);
    if (!av) {
        fprintf(stderr, "itpsim %s: out of memory\n", cmd);
        return 1;
    }
    int rc = parse_argv(cmd, usage, argc, argv, av, o, allowed);
    free(av);
    return rc;
}

/* The defaults file: --defaults, $ITPSIM_DEFAULTS, beside the folder
 * holding the program (build/itpsim -> config/defaults.cfg; installed,
 * bin/itpsim -> share/itpsim/config/defaults.cfg), or config/defaults.cfg
 * in the working folder. When none of the last three exists, says where
 * it looked on stderr (the load then names the file it could not open). */
const char *find_defaults(const options *o, char *buf, size_t len)
{
    static const char *const beside[] = {"../config/defaults.cfg",
                                         "../share/itpsim/config/defaults.cfg"};
    if (o->defaults)
        return o->defaults;
    const char *env = getenv("ITPSIM_DEFAULTS");
    if (env && *env)
        return env;
    char exe[PATH_MAX] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash)
        *slash = '\0';
    for (int i = 0; slash && i < 2; i++) {
        snprintf(buf, len, "%s/%s", exe, beside[i]);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    if (access("config/defaults.cfg", R_OK) != 0)
        fprintf(stderr, "itpsim: no defaults file: looked for %s/%s, %s/%s and "
                        "config/defaults.cfg (give --defaults FILE or $ITPSIM_DEFAULTS)\n",
                exe, beside[0], exe, beside[1]);
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
    size_t n;
    const char *in = !rc && !strcmp(o->scenario, "-") ? itp_cfg_stdin_text(&n) : NULL;
    FILE *f = rc || in ? NULL : fopen(o->scenario, "rb");
    char buf[4096];
    if (in)
        fwrite(in, 1, n, mem);
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

/* s as a JSON string into f. */
static void json_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void provenance_json(const char *defaults, int threads, char *buf, size_t len)
{
    char *text = NULL, hash[25] = "";
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f) {
        snprintf(buf, len, "null");
        return;
    }
    fprintf(f, "{\"version\": \"%s\", \"command\": ", ITP_VERSION);
    /* the arguments joined by spaces, each as typed */
    char *cmd = NULL;
    size_t cn = 0;
    FILE *c = open_memstream(&cmd, &cn);
    for (int i = 0; c && i < itp_cli_argc; i++)
        fprintf(c, "%s%s", i ? " " : "", i ? itp_cli_argv[i] : "itpsim");
    if (c)
        fclose(c);
    json_text(f, cmd ? cmd : "");
    free(cmd);
    /* the defaults' path relative to the working folder when it is inside it */
    char real[PATH_MAX], cwd[PATH_MAX];
    const char *shown = defaults;
    if (realpath(defaults, real) && getcwd(cwd, sizeof cwd)) {
        size_t l = strlen(cwd);
        shown = !strncmp(real, cwd, l) && real[l] == '/' ? real + l + 1 : real;
    }
    fputs(", \"defaults\": ", f);
    json_text(f, shown);
    char *dtext = NULL;
    size_t dlen = 0;
    FILE *d = fopen(defaults, "rb");
    if (d) {
        FILE *m = open_memstream(&dtext, &dlen);
        char b[4096];
        size_t k;
        while (m && (k = fread(b, 1, sizeof b, d)) > 0)
            fwrite(b, 1, k, m);
        if (m)
            fclose(m);
        fclose(d);
        itp_run_hash(dtext ? dtext : "", dlen, hash);
        free(dtext);
    }
    fputs(", \"defaults_hash\": ", f);
    json_text(f, hash);
    time_t now = time(NULL);
    struct tm tm;
    char date[32] = "";
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, ", \"threads\": %d, \"ranks\": %d, \"date\": \"%s\"}", threads,
            itp_engine_ranks(), date);
    fclose(f);
    snprintf(buf, len, "%s", text ? text : "null");
    free(text);
}
