/* itpsim: the command line. It parses arguments and calls the modules;
 * it simulates nothing itself. Exit codes: 0 success, 1 run failure,
 * 2 bad input (usage or scenario). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
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
#include "itpsim/report.h"
#include "itpsim/run.h"
#include "itpsim/search.h"
#include "itpsim/scenario.h"
#include "itpsim/trial.h"

#define MAX_SETS 64

typedef struct options {
    const char *scenario;
    const char *defaults;
    const char *outdir;
    uint64_t seed;
    long n;                /* -n: patients (simulate) or replicates (run, ...); 0: default */
    int threads;           /* -j; 0: OMP_NUM_THREADS or the core count */
    double precision;      /* --precision */
    int no_null, quiet;
    double power;          /* --power */
    const char *hypothesis;/* --hypothesis */
    long n_min, n_max;     /* --min, --max */
    int n_vary;
    itp_vary vary[ITP_MAX_VARY];
    int n_sets;
    const char *sets[MAX_SETS];
} options;

static const char usage_main[] =
    "itpsim: Monte Carlo design of immune thrombocytopenia (ITP) trials\n"
    "\n"
    "usage: itpsim COMMAND [options]\n"
    "commands:\n"
    "  run SCENARIO          power and type I error by simulation\n"
    "  samplesize SCENARIO   smallest sample size reaching a target power\n"
    "  sweep SCENARIO        power over a grid of settings\n"
    "  calibrate SCENARIO    fit model parameters to published results\n"
    "  check SCENARIO        validate a scenario and print every resolved setting\n"
    "  simulate SCENARIO     simulate one replicate trial: per-patient and per-visit CSV\n"
    "  help [COMMAND]        this text, or a command's options\n"
    "Run 'itpsim COMMAND --help' for a command's options.\n"
    "Exit codes: 0 success, 1 run failure, 2 bad input.\n";

static const char usage_common[] =
    "  --set PATH=VALUE   override a numeric setting (repeatable), e.g.\n"
    "                     --set components.ianalumab_3.dose_mg_kg=6\n"
    "  --defaults FILE    model parameters (default: config/defaults.cfg beside the\n"
    "                     program's folder, or $ITPSIM_DEFAULTS)\n"
    "  -h, --help         this text\n";

static const char usage_check[] =
    "usage: itpsim check SCENARIO [options]\n"
    "Validates SCENARIO and prints every resolved setting with its unit and origin.\n";

static const char usage_run[] =
    "usage: itpsim run SCENARIO [-n REPS] [-s SEED] [-j THREADS] [-o DIR] [--precision SE]\n"
    "                  [--no-null] [--quiet] [options]\n"
    "Simulates REPS replicate trials of the design and REPS of its null version (every\n"
    "study arm given the control arm's treatment), analyses each with the analysis\n"
    "plan, and writes DIR/summary.json, DIR/summary.csv, DIR/arms.csv and\n"
    "DIR/replicates.csv; prints power and type I error with Monte Carlo errors.\n"
    "  -n REPS          replicates (default 1000; with --precision, the maximum,\n"
    "                   default 1000000)\n"
    "  -s SEED          random seed (default 1)\n"
    "  -j THREADS       threads (default $OMP_NUM_THREADS or the number of cores);\n"
    "                   results do not depend on it\n"
    "  -o DIR           output folder (default results/run)\n"
    "  --precision SE   add replicates, 256 at a time, until every power's Monte\n"
    "                   Carlo standard error is at most SE\n"
    "  --no-null        skip the null version (no type I error)\n"
    "  --quiet          no progress on stderr\n";

static const char usage_samplesize[] =
    "usage: itpsim samplesize SCENARIO --power P [--hypothesis NAME] [--min N] [--max N]\n"
    "                         [-n REPS] [-s SEED] [-j THREADS] [-o DIR] [options]\n"
    "Smallest total sample size (multiples of the allocation ratios' sum, so the\n"
    "ratio is kept) at which hypothesis NAME, or every hypothesis, reaches power P;\n"
    "bisection with common random numbers. Writes DIR/samplesize.csv.\n"
    "  --power P        target power in (0, 1)\n"
    "  --hypothesis H   the hypothesis (default: all of them)\n"
    "  --min N, --max N range searched (default 10 and 10 x the scenario's size,\n"
    "                   at most 100000)\n"
    "  -n REPS          replicates per size (default 1000)\n"
    "  -o DIR           output folder (default results/samplesize)\n";

static const char usage_sweep[] =
    "usage: itpsim sweep SCENARIO --vary KEY=V1,V2,... [--vary ...] [-n REPS] [-s SEED]\n"
    "                    [-j THREADS] [-o DIR] [--no-null] [options]\n"
    "Power and type I error at every point of the grid of settings (any numeric\n"
    "setting, as for --set), with the same seed at every point. Writes\n"
    "DIR/sweep.csv, one row per point.\n"
    "  --vary KEY=V,... a setting and its values (up to 4 settings)\n"
    "  -n REPS          replicates per point (default 1000)\n"
    "  -o DIR           output folder (default results/sweep)\n";

static const char usage_calibrate[] =
    "usage: itpsim calibrate SCENARIO [-o DIR] [-s SEED] [-j THREADS] [--evaluate] [options]\n"
    "Fits the free parameters of the scenario's calibration section to its targets\n"
    "(Nelder-Mead from several starts, expected values from large simulated cohorts\n"
    "with common random numbers), then writes DIR/fitted.cfg (the fitted parameters,\n"
    "for a scenario to @include) and DIR/calibration.md (every target published vs\n"
    "simulated, parameters before and after, and the power of the design as run).\n"
    "  --evaluate   only compare the targets with the scenario as it is (its own\n"
    "               parameter values, e.g. fitted ones it includes); no fit\n"
    "  -o DIR       output folder (default results/calibration)\n";

static const char usage_simulate[] =
    "usage: itpsim simulate SCENARIO [-s SEED] [-o DIR] [-n PATIENTS] [options]\n"
    "Simulates one replicate trial and writes DIR/patients.csv and DIR/visits.csv;\n"
    "with endpoints, DIR/endpoints.csv; with an analysis plan, DIR/analysis.csv.\n"
    "Prints a short per-arm summary and the analysis.\n"
    "  -s SEED       random seed, a whole number (default 1)\n"
    "  -o DIR        output folder (default results/simulate)\n"
    "  -n PATIENTS   sample size instead of the scenario's\n";

static int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "itpsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'itpsim %s--help' for usage.\n", cmd ? cmd : "");
    return 2;
}

static int parse_u64(const char *s, uint64_t *out)
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
static int parse_options(const char *cmd, const char *usage, int argc, char **argv,
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
            } else if (a[1] == 'o') {
                o->outdir = val;
            } else if (a[1] == 'n') {
                uint64_t n;
                long max = strchr(allowed, 'R') ? ITP_MAX_REPLICATES : ITP_MAX_PATIENTS;
                if (parse_u64(val, &n) || n < 1 || n > (uint64_t)max)
                    return usage_error(cmd, "-n: '%s' is not a whole number in 1..%ld", val, max);
                o->n = (long)n;
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
static const char *find_defaults(const options *o, char *buf, size_t len)
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

static int load(const options *o, FILE *resolved, itp_scenario **scn)
{
    char dbuf[PATH_MAX + 32], err[1024];
    const char *defaults = find_defaults(o, dbuf, sizeof dbuf);
    itp_status st = itp_scenario_load(scn, o->scenario, defaults, o->sets, o->n_sets,
                                      resolved, err, sizeof err);
    if (st) {
        fprintf(stderr, "itpsim: %s\n", err);
        return itp_exit_code(st);
    }
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    options o = {.seed = 1};
    int rc = parse_options("check", usage_check, argc, argv, &o, "");
    if (rc >= 0)
        return rc;
    itp_scenario *scn;
    if ((rc = load(&o, stdout, &scn)))
        return rc;
    printf("# %s: valid; %d arms, %d patients, %d scheduled visits, model %s\n",
           o.scenario, scn->n_arms, scn->n_patients, scn->n_visits, scn->model->name);
    itp_scenario_free(scn);
    return 0;
}

static int default_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static int cmd_run(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/run"};
    int rc = parse_options("run", usage_run, argc, argv, &o, "sonjRNqP");
    if (rc >= 0)
        return rc;
    itp_scenario *scn;
    if ((rc = load(&o, NULL, &scn)))
        return rc;
    if (scn->plan.n_hyp == 0) {
        fprintf(stderr, "itpsim run: %s: no analysis plan (section analysis): nothing to test\n",
                o.scenario);
        itp_scenario_free(scn);
        return 2;
    }
    char err[1024] = "";
    itp_run_opts ro = {o.seed, o.n ? o.n : (o.precision > 0 ? 1000000L : 1000L),
                       o.threads ? o.threads : default_threads(), o.precision, !o.no_null,
                       o.quiet, 0, NULL, NULL};
    itp_run_result res;
    itp_out rep = {0};
    itp_status st = itp_mkdir_p(o.outdir, err, sizeof err);
    if (!st)
        st = itp_out_open(&rep, o.outdir, "replicates.csv", err, sizeof err);
    if (!st) {
        ro.replicates = rep.f;
        itp_replicates_header(scn, rep.f);
        st = itp_run(scn, &ro, &res);
        if (!st)
            st = itp_out_commit(&rep, err, sizeof err);
        else
            itp_out_abort(&rep);
        if (!st)
            st = itp_write_summary(o.outdir, scn, &ro, &res, err, sizeof err);
        if (!st)
            itp_print_summary(scn, &res, stdout);
        itp_run_result_free(&res);
    }
    if (st)
        fprintf(stderr, "itpsim run: %s\n", err[0] ? err : itp_strerror(st));
    itp_scenario_free(scn);
    return itp_exit_code(st);
}

static int cmd_samplesize(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/samplesize"};
    int rc = parse_options("samplesize", usage_samplesize, argc, argv, &o, "sonjRqS");
    if (rc >= 0)
        return rc;
    if (!(o.power > 0))
        return usage_error("samplesize", "%s", "--power P is required");
    itp_scenario *scn;
    if ((rc = load(&o, NULL, &scn)))
        return rc;
    int hyp = -1;
    if (scn->plan.n_hyp == 0) {
        fprintf(stderr, "itpsim samplesize: %s: no analysis plan: nothing to test\n", o.scenario);
        itp_scenario_free(scn);
        return 2;
    }
    if (o.hypothesis) {
        for (int k = 0; k < scn->plan.n_hyp; k++)
            if (!strcmp(scn->plan.hyp[k].name, o.hypothesis))
                hyp = k;
        if (hyp < 0) {
            fprintf(stderr, "itpsim samplesize: --hypothesis: %s has no hypothesis '%s'\n",
                    o.scenario, o.hypothesis);
            itp_scenario_free(scn);
            return 2;
        }
    }
    long n_min = o.n_min ? o.n_min : 10;
    long n_max = o.n_max ? o.n_max : (scn->n_patients * 10L > ITP_MAX_PATIENTS ? ITP_MAX_PATIENTS
                                                                             : scn->n_patients * 10L);
    if (n_max < n_min) {
        itp_scenario_free(scn);
        return usage_error("samplesize", "%s", "--max is below --min");
    }
    char err[1024] = "";
    itp_run_opts ro = {o.seed, o.n ? o.n : 1000L, o.threads ? o.threads : default_threads(), 0, 0,
                       o.quiet, 0, NULL, "samplesize"};
    itp_ss_result *res = malloc(sizeof *res);
    itp_status st = res ? itp_samplesize(scn, &ro, hyp, o.power, (int)n_min, (int)n_max, res)
                        : ITP_ENOMEM;
    itp_out out;
    if (!st)
        st = itp_mkdir_p(o.outdir, err, sizeof err);
    if (!st)
        st = itp_out_open(&out, o.outdir, "samplesize.csv", err, sizeof err);
    if (!st) {
        fputs("patients,replicates", out.f);
        for (int k = 0; k < scn->plan.n_hyp; k++)
            fprintf(out.f, ",%s_power,%s_power_mcse", scn->plan.hyp[k].name, scn->plan.hyp[k].name);
        fputs(",reaches_target,chosen\n", out.f);
        for (int i = 0; i < res->n_points; i++) {
            const itp_ss_point *p = &res->points[i];
            fprintf(out.f, "%d,%ld", p->n, p->reps);
            for (int k = 0; k < scn->plan.n_hyp; k++) {
                double pw = (double)p->rejected[k] / p->reps;
                fprintf(out.f, ",%.6g,%.6g", pw, itp_mc_se(pw, p->reps));
            }
            fprintf(out.f, ",%d,%d\n", p->criterion >= o.power, i == res->chosen);
        }
        st = itp_out_commit(&out, err, sizeof err);
    }
    if (!st) {
        const char *what = hyp >= 0 ? scn->plan.hyp[hyp].name : "every hypothesis";
        printf("%s: power %.2f for %s, %ld replicates per size, sizes in steps of %d\n", scn->name,
               o.power, what, ro.reps, res->step);
        printf("%10s %10s %8s\n", "patients", "power", "MCSE");
        for (int i = 0; i < res->n_points; i++) {
            const itp_ss_point *p = &res->points[i];
            printf("%10d %10.3f %8.3f%s\n", p->n, p->criterion, itp_mc_se(p->criterion, p->reps),
                   i == res->chosen ? "   <- smallest reaching the target" : "");
        }
        if (res->chosen < 0)
            printf("not reached at %ld patients (--max)\n", n_max);
    } else {
        fprintf(stderr, "itpsim samplesize: %s\n", err[0] ? err : itp_strerror(st));
    }
    free(res);
    itp_scenario_free(scn);
    return itp_exit_code(st);
}

static int cmd_sweep(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/sweep"};
    int rc = parse_options("sweep", usage_sweep, argc, argv, &o, "sonjRNqV");
    if (rc >= 0)
        return rc;
    if (o.n_vary == 0)
        return usage_error("sweep", "%s", "at least one --vary KEY=V1,V2,... is required");
    char dbuf[PATH_MAX + 32], err[1024] = "";
    const char *defaults = find_defaults(&o, dbuf, sizeof dbuf);
    itp_run_opts ro = {o.seed, o.n ? o.n : 1000L, o.threads ? o.threads : default_threads(), 0,
                       !o.no_null, o.quiet, 0, NULL, NULL};
    itp_status st = itp_mkdir_p(o.outdir, err, sizeof err);
    if (!st)
        st = itp_sweep(o.scenario, defaults, o.sets, o.n_sets, o.vary, o.n_vary, &ro, o.outdir,
                       stdout, err, sizeof err);
    if (st)
        fprintf(stderr, "itpsim sweep: %s\n", err[0] ? err : itp_strerror(st));
    return itp_exit_code(st);
}

static int cmd_calibrate(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/calibration"};
    int evaluate = 0;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--evaluate")) {
            evaluate = 1;
            for (int j = i; j + 1 < argc; j++)
                argv[j] = argv[j + 1];
            argc--;
            break;
        }
    int rc = parse_options("calibrate", usage_calibrate, argc, argv, &o, "sojq");
    if (rc >= 0)
        return rc;
    char dbuf[PATH_MAX + 32], err[1024] = "";
    const char *defaults = find_defaults(&o, dbuf, sizeof dbuf);
    itp_calibrator *cal;
    itp_status st = itp_calibrator_create(&cal, o.scenario, defaults, o.sets, o.n_sets, o.seed,
                                          o.threads ? o.threads : default_threads(), err,
                                          sizeof err);
    if (!st) {
        if (evaluate)
            st = itp_cal_report_evaluation(cal, stdout, err, sizeof err);
        else
            st = itp_cal_run(cal, o.outdir, o.quiet ? NULL : stderr, stdout, err, sizeof err);
    }
    if (st)
        fprintf(stderr, "itpsim calibrate: %s\n", err[0] ? err : itp_strerror(st));
    itp_calibrator_free(cal);
    return itp_exit_code(st);
}

static int cmd_simulate(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/simulate"};
    int rc = parse_options("simulate", usage_simulate, argc, argv, &o, "son");
    if (rc >= 0)
        return rc;
    itp_scenario *scn;
    if ((rc = load(&o, NULL, &scn)))
        return rc;
    char err[1024] = "";
    itp_sim_ws *ws = NULL;
    itp_analysis_ws *aws = NULL;
    itp_hyp_result res[ITP_MAX_HYPOTHESES];
    itp_record rec;
    itp_record_init(&rec);
    int n = o.n ? (int)o.n : scn->n_patients;
    itp_status st = itp_sim_ws_create(&ws, scn);
    if (!st)
        st = itp_analysis_ws_create(&aws, scn, n);
    if (!st)
        st = itp_trial_simulate(scn, o.seed, 0, n, ws, &rec);
    if (!st)
        st = itp_analyse(scn, &rec, NULL, aws, res);
    if (!st)
        st = itp_mkdir_p(o.outdir, err, sizeof err);
    if (!st)
        st = itp_write_patients(o.outdir, scn, &rec, err, sizeof err);
    if (!st)
        st = itp_write_visits(o.outdir, scn, &rec, err, sizeof err);
    if (!st && scn->n_endpoints)
        st = itp_write_endpoints(o.outdir, scn, &rec, aws->outcomes, err, sizeof err);
    if (!st && scn->plan.n_hyp)
        st = itp_write_analysis(o.outdir, scn, res, err, sizeof err);
    if (!st) {
        itp_arm_summary sum[ITP_MAX_ARMS];
        itp_summarise_arms(scn, &rec, sum);
        printf("%s: one replicate, seed %llu, %d patients -> %s/\n", scn->name,
               (unsigned long long)o.seed, rec.n_patients, o.outdir);
        itp_print_arm_summary(scn, sum, stdout);
        if (scn->plan.n_hyp) {
            printf("\n");
            itp_print_analysis(scn, res, stdout);
        }
    } else {
        fprintf(stderr, "itpsim simulate: %s\n", err[0] ? err : itp_strerror(st));
    }
    itp_record_free(&rec);
    itp_analysis_ws_free(aws);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
    return itp_exit_code(st);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; every GSL status is checked instead. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "simulate"))
        return cmd_simulate(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "samplesize"))
        return cmd_samplesize(argc - 2, argv + 2);
    if (!strcmp(cmd, "sweep"))
        return cmd_sweep(argc - 2, argv + 2);
    if (!strcmp(cmd, "calibrate"))
        return cmd_calibrate(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        const char *topic = argc > 2 ? argv[2] : "";
        if (!strcmp(topic, "check"))
            printf("%s%s", usage_check, usage_common);
        else if (!strcmp(topic, "simulate"))
            printf("%s%s", usage_simulate, usage_common);
        else if (!strcmp(topic, "run"))
            printf("%s%s", usage_run, usage_common);
        else if (!strcmp(topic, "samplesize"))
            printf("%s%s", usage_samplesize, usage_common);
        else if (!strcmp(topic, "sweep"))
            printf("%s%s", usage_sweep, usage_common);
        else if (!strcmp(topic, "calibrate"))
            printf("%s%s", usage_calibrate, usage_common);
        else
            fputs(usage_main, stdout);
        return 0;
    }
    return usage_error(NULL, "unknown command '%s'", cmd);
}
