/* The commands check, simulate, calibrate and plot, and the table of every
 * command main reads (run and merge: runcmd.c; samplesize, sweep: searchcmd.c). */
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
#include "itpsim/assurance.h"
#include "itpsim/calibrate.h"
#include "itpsim/model.h"
#include "itpsim/plot.h"
#include "itpsim/report.h"
#include "itpsim/run.h"
#include "itpsim/search.h"
#include "itpsim/endpoint.h"
#include "itpsim/scenario.h"
#include "itpsim/trial.h"

#include "cli.h"

static const char usage_check[] =
    "usage: itpsim check SCENARIO [options]\n"
    "Validates SCENARIO and prints every resolved setting with its unit and origin.\n";

static const char usage_calibrate[] =
    "usage: itpsim calibrate SCENARIO [-o DIR] [-s SEED] [-j THREADS] [--evaluate] [options]\n"
    "Fits the free parameters of the scenario's calibration section to its targets\n"
    "(Nelder-Mead from several starts, expected values from large simulated cohorts\n"
    "with common random numbers), then writes DIR/fitted.cfg (the fitted parameters,\n"
    "for a scenario to @include) and DIR/calibration.md (every target published vs\n"
    "simulated, parameters before and after, and the power of the design as run).\n"
    "  --evaluate   only compare the targets with the scenario as it is (its own\n"
    "               parameter values, e.g. fitted ones it includes); no fit\n"
    "  -o DIR       output folder (default results/calibration)\n"
    "usage: itpsim calibrate JOINT.cfg [-o DIR] [-s SEED] [-j THREADS]\n"
    "A joint calibration file (one listing `scenarios`) fits one parameter set to the\n"
    "targets of every scenario it lists, refits without each trial in turn to predict\n"
    "it, and approximates the parameters' uncertainty: DIR/joint.md, DIR/fitted.cfg\n"
    "and DIR/draws.csv (draws of the parameters).\n";

static const char usage_simulate[] =
    "usage: itpsim simulate SCENARIO [-s SEED] [-o DIR] [-n PATIENTS] [options]\n"
    "Simulates one replicate trial and writes DIR/patients.csv, DIR/visits.csv and\n"
    "DIR/events.csv (the treatments' event log); with endpoints, DIR/endpoints.csv;\n"
    "with an analysis plan, DIR/analysis.csv: the analysis at the scenario's data cut\n"
    "(event-driven too), as run's replicate 0 for the same seed.\n"
    "Prints a short per-arm summary and the analysis.\n"
    "  -s SEED       random seed, a whole number (default 1)\n"
    "  -o DIR        output folder (default results/simulate)\n"
    "  -n PATIENTS   sample size instead of the scenario's\n";

static const char usage_plot[] =
    "usage: itpsim plot DIR [-j THREADS] [options]\n"
    "Draws the results in DIR with gnuplot (gnuplot-nox): DIR/plots/ gets PNG and SVG\n"
    "pictures, the CSV data behind each and its gnuplot script, and DIR/report.html\n"
    "one self-contained page (pictures embedded). A run's curves (Kaplan-Meier,\n"
    "platelet trajectories) come from re-simulating its first replicates (at most\n"
    "200) with the scenario file, seed and --set values of DIR/summary.json (more\n"
    "--set options come after those; give --defaults again if the run had its own).\n"
    "A folder of sweep.csv or samplesize.csv gets power curves, one of assurance.csv\n"
    "the power over the parameter sets.\n"
    "  -j THREADS   threads for the re-simulation\n"
    "Exit codes: 0 success, 1 failure (gnuplot missing: the CSV files are still\n"
    "written), 2 bad input.\n";

static int cmd_check(int argc, char **argv)
{
    options o = {.seed = 1};
    int rc = parse_options("check", usage_check, argc, argv, &o, "");
    if (rc >= 0)
        return rc;
    itp_scenario *scn;
    if ((rc = load(&o, stdout, &scn, NULL)))
        return rc;
    /* the endpoints' rules in words, after their settings */
    for (int e = 0; e < scn->n_endpoints; e++) {
        char words[512];
        itp_endpoint_describe(scn, e, words, sizeof words);
        printf("# endpoint %s: %s\n", scn->endpoints[e].name, words);
    }
    printf("# %s: valid; %d arms, %d patients, %d scheduled visits, model %s\n",
           strcmp(o.scenario, "-") ? o.scenario : "<stdin>", scn->n_arms, scn->n_patients, scn->n_visits, scn->model->name);
    if (scn->extrapolated[0])
        printf("# extrapolated: outside the exposures the fitted trials gave: %s\n",
               scn->extrapolated);
    itp_scenario_free(scn);
    return 0;
}

static int cmd_calibrate(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/calibration"};
    int rc = parse_options("calibrate", usage_calibrate, argc, argv, &o, "sojqE");
    if (rc >= 0)
        return rc;
    char dbuf[PATH_MAX + 32], err[1024] = "";
    const char *defaults = find_defaults(&o, dbuf, sizeof dbuf);
    if (itp_joint_is_file(o.scenario)) {
        itp_joint *j = NULL;
        itp_status st = ITP_EINPUT;
        if (o.evaluate || o.n_sets)
            snprintf(err, sizeof err, "%s: --evaluate and --set are for a scenario, not a joint "
                     "calibration file", o.scenario);
        else
            st = itp_joint_create(&j, o.scenario, defaults, o.seed,
                                  o.threads ? o.threads : default_threads(), err, sizeof err);
        if (!st)
            st = itp_joint_run(j, o.outdir, o.quiet ? NULL : stderr, stdout, err, sizeof err);
        if (st)
            fprintf(stderr, "itpsim calibrate: %s\n", err[0] ? err : itp_strerror(st));
        itp_joint_free(j);
        return itp_exit_code(st);
    }
    itp_calibrator *cal;
    itp_status st = itp_calibrator_create(&cal, o.scenario, defaults, o.sets, o.n_sets, o.seed,
                                          o.threads ? o.threads : default_threads(), err,
                                          sizeof err);
    if (!st) {
        if (o.evaluate)
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
    if ((rc = load(&o, NULL, &scn, NULL)))
        return rc;
    char err[1024] = "";
    itp_sim_ws *ws = NULL;
    itp_mc_ws *mws = NULL;
    itp_rep_result *rr = calloc(1, sizeof *rr);
    const itp_hyp_result *res = rr ? rr->hyp : NULL;
    itp_record rec;
    itp_record_init(&rec);
    int n = o.n ? (int)o.n : scn->n_patients;
    itp_status st = rr ? itp_sim_ws_create(&ws, scn) : ITP_ENOMEM;
    if (!st)
        st = itp_mc_ws_create(&mws, scn, n);
    /* every patient followed to the end (the files show the whole trial);
     * the analysis is run's replicate 0: the same data cut (calendar or
     * event-driven), interim analyses and plan */
    if (!st)
        st = itp_trial_simulate(scn, o.seed, 0, n, ws, &rec);
    if (!st)
        st = itp_mc_analyse_record(scn, o.seed, 0, &rec, mws, rr);
    if (!st)
        st = itp_mkdir_p(o.outdir, err, sizeof err);
    if (!st)   /* all the files or none */
        st = itp_write_simulation(o.outdir, scn, &rec, scn->n_endpoints ? itp_mc_outcomes(mws) : NULL,
                                  res, err, sizeof err);
    if (!st) {
        itp_arm_summary sum[ITP_MAX_ARMS];
        itp_summarise_arms(scn, &rec, sum);
        printf("%s: one replicate, seed %llu, %d patients -> %s/\n", scn->name,
               (unsigned long long)o.seed, rec.n_patients, o.outdir);
        itp_print_arm_summary(scn, sum, stdout);
        if (scn->plan.n_hyp) {
            if (isfinite(rr->cut_month))
                printf("\nanalysis at month %.2f (the data cut), %d events\n", rr->cut_month,
                       rr->events);
            else
                printf("\nanalysis at the end of follow-up, %d events\n", rr->events);
            itp_print_analysis(scn, res, stdout);
        }
    } else {
        fprintf(stderr, "itpsim simulate: %s\n", err[0] ? err : itp_strerror(st));
    }
    itp_record_free(&rec);
    itp_mc_ws_free(mws);
    itp_sim_ws_free(ws);
    free(rr);
    itp_scenario_free(scn);
    return itp_exit_code(st);
}

/* `itpsim plot DIR`: its own small option loop (DIR is not a scenario). */
static int cmd_plot(int argc, char **argv)
{
    options o = {.seed = 1};
    const char *dir = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s%s", usage_plot, usage_common);
            return 0;
        } else if (!strcmp(a, "--set")) {
            if (i + 1 >= argc || !strchr(argv[i + 1], '='))
                return usage_error("plot", "%s needs PATH=VALUE", a);
            if (o.n_sets >= MAX_SETS)
                return usage_error("plot", "at most 64 %s options", a);
            o.sets[o.n_sets++] = argv[++i];
        } else if (!strcmp(a, "--defaults")) {
            if (i + 1 >= argc)
                return usage_error("plot", "%s needs a file", a);
            o.defaults = argv[++i];
        } else if (!strcmp(a, "-j")) {
            char *end;
            long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || *end || end == argv[i + 1] || v < 1 || v > 256)
                return usage_error("plot", "-j: '%s' is not a thread count in 1..256",
                                   i + 1 < argc ? argv[i + 1] : "");
            o.threads = (int)v;
            i++;
        } else if (a[0] == '-') {
            return usage_error("plot", "unknown option '%s'", a);
        } else if (!dir) {
            dir = a;
        } else {
            return usage_error("plot", "unexpected argument '%s'", a);
        }
    }
    if (!dir)
        return usage_error("plot", "%s", "missing DIR");
    {
        /* a run killed while switching its files there is finished first */
        char serr[1200];
        itp_status sst = itp_out_settle(dir, serr, sizeof serr);
        if (sst) {
            fprintf(stderr, "itpsim plot: %s\n", serr);
            return itp_exit_code(sst);
        }
    }
    char path[PATH_MAX + 32], file[1024] = "", val[64] = "", sets[MAX_SETS][256];
    itp_plot_opts po = {.seed = 1, .threads = o.threads ? o.threads : default_threads()};
    itp_scenario *scn = NULL;
    itp_cal_spec cal;
    /* a run's summary.json, else a sweep's or sample size search's JSON
     * file: the scenario (and its --set) for the report */
    FILE *jf = NULL;
    static const char *const jname[] = {"summary.json", "sweep.json", "samplesize.json"};
    for (int k = 0; k < 3 && !jf; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, jname[k]);
        jf = fopen(path, "rb");
    }
    if (jf) {
        size_t cap = 1 << 20;
        char *json = malloc(cap);
        size_t n = json ? fread(json, 1, cap - 1, jf) : 0;
        fclose(jf);
        if (!json) {
            fprintf(stderr, "itpsim plot: %s\n", itp_strerror(ITP_ENOMEM));
            return 1;
        }
        json[n] = '\0';
        if (!itp_json_get(json, "file", -1, file, sizeof file) || !file[0]) {
            fprintf(stderr, "itpsim plot: %s: no \"file\" (the scenario)\n", path);
            free(json);
            return 2;
        }
        if (itp_json_get(json, "seed", -1, val, sizeof val) && parse_u64(val, &po.seed)) {
            fprintf(stderr, "itpsim plot: %s: \"seed\": '%s' is not a whole number\n", path, val);
            free(json);
            return 2;
        }
        if (itp_json_get(json, "replicates", -1, val, sizeof val))
            po.replicates = strtol(val, NULL, 10);
        if (itp_json_get(json, "patients", -1, val, sizeof val))
            po.patients = (int)strtol(val, NULL, 10);
        /* overrides the run recorded, if it records them, come first */
        int nrec = 0;
        for (const char *key = "sets"; nrec == 0 && key; key = strcmp(key, "sets") ? NULL : "settings")
            while (nrec < MAX_SETS && o.n_sets < MAX_SETS &&
                   itp_json_get(json, key, nrec, sets[nrec], sizeof sets[nrec]))
                nrec++;
        if (nrec) {
            memmove(o.sets + nrec, o.sets, (size_t)o.n_sets * sizeof o.sets[0]);
            for (int k = 0; k < nrec; k++)
                o.sets[k] = sets[k];
            o.n_sets += nrec;
        }
        free(json);
        o.scenario = file;
        int rc = load(&o, NULL, &scn, &cal);
        if (rc)
            return rc;
        po.published = cal.n_targets ? &cal : NULL;
        if (po.patients == scn->n_patients)
            po.patients = 0;
    }
    char err[1024] = "";
    itp_status st = itp_plot_run(dir, scn, &po, stdout, err, sizeof err);
    if (st)
        fprintf(stderr, "itpsim plot: %s\n", err[0] ? err : itp_strerror(st));
    itp_scenario_free(scn);
    return itp_exit_code(st);
}

const itp_cli_command itp_cli_commands[] = {
    {"check", cmd_check, usage_check},
    {"simulate", cmd_simulate, usage_simulate},
    {"run", cmd_run, usage_run},
    {"samplesize", cmd_samplesize, usage_samplesize},
    {"sweep", cmd_sweep, usage_sweep},
    {"compare", cmd_compare, usage_compare},
    {"calibrate", cmd_calibrate, usage_calibrate},
    {"plot", cmd_plot, usage_plot},
    {"merge", cmd_merge, usage_merge},
    {NULL, NULL, NULL}};
