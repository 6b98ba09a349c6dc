/* The commands: check, simulate, run, samplesize, sweep, calibrate, plot,
 * each parsing its options and calling the modules; the table main reads. */
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
#include "itpsim/scenario.h"
#include "itpsim/trial.h"

#include "cli.h"

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
    "  --quiet          no progress on stderr\n"
    "  --plots          then draw DIR/plots/ and DIR/report.html (as itpsim plot DIR)\n"
    "  --force          overwrite DIR even when it holds another scenario's results\n"
    "  --resume DIR     continue the run interrupted in DIR (same scenario, --set and\n"
    "                   options; those not given are taken from DIR/run.state)\n"
    "  --partial-nulls  also the family-wise error under every partial null (each\n"
    "                   proper subset of 2-4 experimental arms given the control's\n"
    "                   treatment, as many replicates as the design); the largest\n"
    "                   with the null's is the strong family-wise error\n"
    "  --replicates FROM:TO  only replicates FROM..TO-1 (design and null): a shard\n"
    "                   folder for `itpsim merge` (array jobs)\n"
    "  --assurance K    instead: the assurance over K parameter sets, REPS replicates\n"
    "                   each (default 200), from the joint calibration's draws\n"
    "                   (config/fitted_draws.csv beside the defaults file), into\n"
    "                   DIR/assurance.csv and DIR/assurance.json (default DIR\n"
    "                   results/assurance)\n"
    "  --draws FILE     with --assurance: another file of parameter draws\n"
    "  --priors         with --assurance: draw from the scenario's priors instead\n"
    "SIGINT (Ctrl-C) or SIGTERM stops at the next replicate, writes the completed\n"
    "replicates to DIR marked \"partial\" and exits 130; a second signal ends at once.\n"
    "Exit codes: 0 success, 1 run failure (e.g. a write error), 2 bad input, 130\n"
    "interrupted.\n";

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
    "  -o DIR           output folder (default results/samplesize)\n"
    "  --resume DIR     continue the search stopped in DIR (the same options)\n"
    "  --force          start over in a folder holding a stopped search\n";

static const char usage_sweep[] =
    "usage: itpsim sweep SCENARIO --vary KEY=V1,V2,... [--vary ...] [-n REPS] [-s SEED]\n"
    "                    [-j THREADS] [-o DIR] [--no-null] [options]\n"
    "Power and type I error at every point of the grid of settings (any numeric\n"
    "setting, as for --set), with the same seed at every point. Writes\n"
    "DIR/sweep.csv, one row per point, and DIR/sweep_arms.csv, per point and arm.\n"
    "Each finished point goes at once to DIR/sweep.progress.csv (and\n"
    "sweep_arms.progress.csv, sweep.id), removed at the end.\n"
    "  --vary KEY=V,... a setting and its values (up to 4 settings)\n"
    "  -n REPS          replicates per point (default 1000)\n"
    "  -o DIR           output folder (default results/sweep)\n"
    "  --resume DIR     continue the sweep stopped in DIR after its finished points\n"
    "                   (the same SCENARIO, --set, --vary, -n, -s and --no-null)\n"
    "  --force          start over in a folder holding a stopped sweep\n";

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
    "with an analysis plan, DIR/analysis.csv.\n"
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
    printf("# %s: valid; %d arms, %d patients, %d scheduled visits, model %s\n",
           o.scenario, scn->n_arms, scn->n_patients, scn->n_visits, scn->model->name);
    itp_scenario_free(scn);
    return 0;
}

/* Set by the SIGINT/SIGTERM handler to the signal's number and read by the
 * replicate loop: the one file-scope mutable of itpsim, since a signal
 * handler can reach nothing else. A lock-free atomic is safe both in the
 * handler and across the OpenMP threads. */
static atomic_int stop_requested;

static void on_signal(int sig)
{
    atomic_store(&stop_requested, sig);
}

static const int run_signals[2] = {SIGINT, SIGTERM};

/* Catches SIGINT and SIGTERM for a graceful stop, once: SA_RESETHAND gives a
 * second signal its default effect, so a second Ctrl-C ends the process at
 * once (result files are then left under their temporary names only). A
 * signal ignored at start (a background job's SIGINT) stays ignored. */
static void catch_signals(struct sigaction old[2])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    for (int i = 0; i < 2; i++) {
        sigaction(run_signals[i], NULL, &old[i]);
        if (old[i].sa_handler != SIG_IGN)
            sigaction(run_signals[i], &sa, NULL);
    }
}

static void release_signals(const struct sigaction old[2])
{
    for (int i = 0; i < 2; i++)
        sigaction(run_signals[i], &old[i], NULL);
}

/* The options of a resumed run: those given must equal the saved ones, the
 * others are taken from them. */
static itp_status resume_options(const options *o, const itp_run_saved *sv, itp_run_opts *ro,
                                 char *err, size_t errlen)
{
    const char *bad = NULL;
    if ((o->given & GIVEN_SEED) && o->seed != sv->seed)
        bad = "-s";
    else if ((o->given & GIVEN_REPS) && o->n != sv->reps)
        bad = "-n";
    else if ((o->given & GIVEN_PRECISION) && o->precision != sv->precision)
        bad = "--precision";
    else if ((o->given & GIVEN_NULL) && sv->null)
        bad = "--no-null";
    if (bad) {
        snprintf(err, errlen,
                 "--resume %s: %s differs from the interrupted run (seed %llu, %ld replicates%s%s)",
                 o->outdir, bad, (unsigned long long)sv->seed, sv->reps,
                 sv->precision > 0 ? ", --precision" : "", sv->null ? "" : ", --no-null");
        return ITP_EINPUT;
    }
    if (o->shard_to > 0 && (!sv->shard || o->shard_from != sv->first ||
                            o->shard_to != sv->first + sv->reps)) {
        snprintf(err, errlen, "--resume %s: --replicates differs from the interrupted run's",
                 o->outdir);
        return ITP_EINPUT;
    }
    ro->seed = sv->seed;
    ro->reps = sv->reps;
    ro->precision = sv->precision;
    ro->null = sv->null;
    ro->patients = sv->patients;
    ro->first = sv->first;
    ro->shard = sv->shard;
    return ITP_OK;
}

/* The scenario, defaults and --set values a folder's state recorded, into
 * o where the command line gave none (run --resume DIR, merge). */
static void recorded_options(options *o, const itp_run_saved *sv)
{
    static const char *sets[ITP_RUN_MAX_SETS];
    if (!o->scenario)
        o->scenario = sv->file;
    if (!o->defaults && sv->defaults[0])
        o->defaults = sv->defaults;
    if (o->n_sets == 0) {
        for (int i = 0; i < sv->n_sets && i < MAX_SETS; i++)
            sets[i] = o->sets[i] = sv->sets[i];
        o->n_sets = sv->n_sets < MAX_SETS ? sv->n_sets : MAX_SETS;
    }
    (void)sets;
}

/* run --assurance K: the assurance over K parameter sets (assurance.h). */
static int run_assurance(options *o)
{
    if (!o->assurance)
        return usage_error("run", "%s", "--draws and --priors go with --assurance K");
    if (o->draws && o->priors)
        return usage_error("run", "%s", "--draws FILE or --priors, not both");
    if (o->resume || o->precision > 0 || o->plots || o->no_null)
        return usage_error("run", "%s", "--assurance does not go with --resume, --precision, "
                           "--plots or --no-null");
    char draws[1024], dbuf[1024], err[1024] = "";
    const char *defaults = find_defaults(o, dbuf, sizeof dbuf);
    if (!o->priors && !o->draws) {
        const char *slash = strrchr(defaults, '/');
        snprintf(draws, sizeof draws, "%.*s%sfitted_draws.csv",
                 slash ? (int)(slash - defaults) : 0, defaults, slash ? "/" : "");
    }
    itp_assurance_opts ao = {o->scenario, defaults, o->sets, o->n_sets,
                             o->priors ? NULL : (o->draws ? o->draws : draws), (int)o->assurance,
                             o->n ? o->n : 200L, o->seed,
                             o->threads ? o->threads : default_threads()};
    const char *dir = (o->given & GIVEN_OUTDIR) ? o->outdir : "results/assurance";
    itp_status st = itp_assurance_run(&ao, dir, stdout, o->quiet ? NULL : stderr, err,
                                      sizeof err);
    if (st)
        fprintf(stderr, "itpsim run: %s\n", err[0] ? err : itp_strerror(st));
    return st == ITP_EINPUT ? 2 : st ? 1 : 0;
}

static int cmd_run(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/run"};
    int rc = parse_options("run", usage_run, argc, argv, &o, "sonjRNqPFULAZX");
    if (rc >= 0)
        return rc;
    if (o.assurance || o.draws || o.priors)
        return run_assurance(&o);
    if (o.resume) {
        static itp_run_saved rec;
        char perr[1200];
        if ((o.given & GIVEN_OUTDIR) && strcmp(o.outdir, o.resume))
            return usage_error("run", "%s", "--resume DIR continues in DIR: leave out -o");
        if (o.force)
            return usage_error("run", "%s", "--force does not go with --resume");
        o.outdir = o.resume;
        /* what the folder recorded, where the command line says nothing */
        if (!o.scenario) {
            if (itp_run_state_peek(o.resume, "run.state", &rec, perr, sizeof perr)) {
                fprintf(stderr, "itpsim run: --resume %s: %s\n", o.resume, perr);
                return 2;
            }
            recorded_options(&o, &rec);
        }
    } else if (!o.scenario) {
        return usage_error("run", "%s", "missing SCENARIO");
    }
    if (o.shard_to > 0 && (o.precision > 0 || o.partial_nulls))
        return usage_error("run", "%s", "--replicates FROM:TO does not go with --precision or "
                           "--partial-nulls");
    itp_scenario *scn;
    itp_cal_spec cal;
    char hash[25];
    if ((rc = load_with_hash(&o, &scn, &cal, hash)))
        return rc;
    if (scn->plan.n_hyp == 0) {
        fprintf(stderr, "itpsim run: %s: no analysis plan (section analysis): nothing to test\n",
                o.scenario);
        itp_scenario_free(scn);
        return 2;
    }
    char err[1024] = "";
    char dbuf[1024], prov[8192];
    int threads = o.threads ? o.threads : default_threads();
    const char *defaults_file = find_defaults(&o, dbuf, sizeof dbuf);
    provenance_json(&o, defaults_file, threads, prov, sizeof prov);
    itp_run_opts ro = {.seed = o.seed,
                       .reps = o.n ? o.n : (o.precision > 0 ? 1000000L : 1000L),
                       .threads = threads, .precision = o.precision, .null = !o.no_null,
                       .quiet = o.quiet, .partial_nulls = o.partial_nulls, .provenance = prov,
                       .file = o.scenario, .defaults = o.defaults ? defaults_file : NULL,
                       .sets = o.sets, .n_sets = o.n_sets};
    if (o.shard_to > 0) {
        ro.first = o.shard_from;
        ro.reps = o.shard_to - o.shard_from;
        ro.shard = 1;
    }
    itp_run_result res;
    itp_out rep = {0};
    itp_status st;
    memset(&res, 0, sizeof res);
    if (o.resume) {
        itp_run_saved sv;
        st = itp_run_state_read(o.outdir, scn, &sv, &res, err, sizeof err);
        if (!st && strcmp(sv.hash, hash)) {
            snprintf(err, sizeof err,
                     "--resume %s: the interrupted run there is of another scenario, or of "
                     "other settings (--set); resume with the same ones",
                     o.outdir);
            st = ITP_EINPUT;
        }
        if (!st)
            st = resume_options(&o, &sv, &ro, err, sizeof err);
        if (!st)
            st = itp_out_open(&rep, o.outdir, "replicates.csv", err, sizeof err);
        if (!st)
            st = itp_replicates_resume(o.outdir, scn, &res, rep.f, err, sizeof err);
    } else {
        st = o.force ? ITP_OK : itp_run_dir_check(o.outdir, scn, hash, o.seed, err, sizeof err);
        if (!st)
            st = itp_run_result_init(&res, scn);
        if (!st)
            st = itp_mkdir_p(o.outdir, err, sizeof err);
        if (!st)
            st = itp_out_open(&rep, o.outdir, "replicates.csv", err, sizeof err);
        if (!st)
            itp_replicates_header(scn, rep.f);
    }
    if (!st) {
        struct sigaction old[2];
        ro.replicates = rep.f;
        catch_signals(old);
        st = itp_run_continue(scn, &ro, &stop_requested, &res);
        release_signals(old);
        if (st == ITP_OK || st == ITP_EINTERRUPT) {
            itp_status wst = itp_write_results(o.outdir, scn, &ro, &res, hash, &rep, err,
                                               sizeof err);
            if (!wst)
                itp_print_summary(scn, &res, stdout);
            if (!wst && !o.quiet)
                fprintf(stderr, "itpsim run: results in %s (summary.json, summary.csv, "
                                "arms.csv, replicates.csv%s)\n",
                        o.outdir, scn->plan.interims.n > 0 ? ", stages.csv" : "");
            if (!wst && st == ITP_EINTERRUPT)
                fprintf(stderr,
                        "itpsim run: %s: stopped; the %ld completed replicates are in %s, marked "
                        "partial.\nContinue with: itpsim run %s --resume %s (and the same --set "
                        "options)\n",
                        /* 0: an MPI job stopped on another rank's signal */
                        strsignal(atomic_load(&stop_requested) ? atomic_load(&stop_requested)
                                                               : SIGINT),
                        res.design.reps + (res.has_null ? res.null.reps : 0L), o.outdir,
                        o.scenario, o.outdir);
            if (wst)
                st = wst;
        }
    }
    if (!st && o.plots) {
        /* the numeric results are complete: pictures and report.html next */
        itp_plot_opts po = {ro.seed, res.design.reps, ro.patients, ro.threads, NULL,
                            cal.n_targets ? &cal : NULL};
        st = itp_plot_run(o.outdir, scn, &po, o.quiet ? NULL : stdout, err, sizeof err);
    }
    if (st == ITP_EIO && rep.f && !err[0])
        itp_out_commit(&rep, err, sizeof err);   /* names the write error; removes the file */
    itp_out_abort(&rep);
    if (st && st != ITP_EINTERRUPT)
        fprintf(stderr, "itpsim run: %s\n", err[0] ? err : itp_strerror(st));
    /* Results printed to a full disk or a closed pipe are a failure too. */
    if ((!st || st == ITP_EINTERRUPT) && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "itpsim run: standard output: %s\n", strerror(errno ? errno : EIO));
        st = ITP_EIO;
    }
    itp_run_result_free(&res);
    itp_scenario_free(scn);
    return itp_exit_code(st);
}

static int cmd_samplesize(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/samplesize"};
    int rc = parse_options("samplesize", usage_samplesize, argc, argv, &o, "sonjRqSUF");
    if (rc >= 0)
        return rc;
    if (!(o.power > 0))
        return usage_error("samplesize", "%s", "--power P is required");
    if (!o.scenario)
        return usage_error("samplesize", "%s", "missing SCENARIO (--resume DIR continues a "
                           "search of the same SCENARIO and options)");
    if (o.resume) {
        if ((o.given & GIVEN_OUTDIR) && strcmp(o.outdir, o.resume))
            return usage_error("samplesize", "%s", "--resume DIR continues in DIR: leave out -o");
        o.outdir = o.resume;
    }
    itp_scenario *scn;
    char hash[25];
    if ((rc = load_with_hash(&o, &scn, NULL, hash)))
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
    itp_run_opts ro = {.seed = o.seed, .reps = o.n ? o.n : 1000L,
                       .threads = o.threads ? o.threads : default_threads(), .quiet = o.quiet,
                       .label = "samplesize"};
    /* every size simulated goes at once to DIR/samplesize.progress, after a
     * line saying what the search is; --resume takes the sizes it holds */
    char identity[512], ppath[PATH_MAX + 64];
    snprintf(identity, sizeof identity, "%s seed %llu reps %ld power %.17g hypothesis %s min %ld "
             "max %ld", hash, (unsigned long long)o.seed, ro.reps, o.power,
             o.hypothesis ? o.hypothesis : "-", n_min, n_max);
    snprintf(ppath, sizeof ppath, "%s/samplesize.progress", o.outdir);
    static itp_ss_point known[ITP_MAX_SS_POINTS];
    itp_ss_log log = {known, 0, NULL, NULL, NULL};
    itp_status st = ITP_OK;
    FILE *pf = fopen(ppath, "r");
    if (pf && !o.resume && !o.force) {
        snprintf(err, sizeof err, "%s holds a stopped search (samplesize.progress): continue it "
                 "with --resume %s, or start over with --force", o.outdir, o.outdir);
        st = ITP_EINPUT;
    } else if (o.resume && !pf) {
        snprintf(err, sizeof err, "%s: no stopped search to resume (no samplesize.progress)",
                 o.outdir);
        st = ITP_EINPUT;
    } else if (o.resume) {
        char line[1024];
        size_t il = strlen(identity);
        if (!fgets(line, sizeof line, pf) || strncmp(line, identity, il) || line[il] != '\n') {
            snprintf(err, sizeof err, "%s: the stopped search there is another (scenario, --set, "
                     "--power, --hypothesis, --min, --max, -n or -s); resume it with the same "
                     "ones", o.outdir);
            st = ITP_EINPUT;
        }
        while (!st && log.n_known < ITP_MAX_SS_POINTS && fgets(line, sizeof line, pf)) {
            itp_ss_point *q = &known[log.n_known];
            char *pos = line, *end;
            q->n = (int)strtol(pos, &end, 10);
            q->reps = strtol(end, &end, 10);
            for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
                q->rejected[k] = strtol(end, &end, 10);
            if (*end == '\n' && q->n > 0 && q->reps > 0)
                log.n_known++;   /* a line cut short is left out */
        }
    }
    if (pf)
        fclose(pf);
    if (!st)
        st = itp_mkdir_p(o.outdir, err, sizeof err);
    log.path = ppath;
    log.identity = identity;
    itp_ss_result *res = malloc(sizeof *res);
    if (!st && !res)
        st = ITP_ENOMEM;
    if (!st)
        st = itp_samplesize(scn, &ro, hyp, o.power, (int)n_min, (int)n_max, &log, res);
    if (log.out)
        fclose(log.out);
    itp_out out;
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
        if (!st && itp_out_writes())
            remove(ppath);
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
    int rc = parse_options("sweep", usage_sweep, argc, argv, &o, "sonjRNqVUF");
    if (rc >= 0)
        return rc;
    if (o.n_vary == 0)
        return usage_error("sweep", "%s", "at least one --vary KEY=V1,V2,... is required");
    if (!o.scenario)
        return usage_error("sweep", "%s", "missing SCENARIO (--resume DIR continues a sweep "
                           "of the same SCENARIO and --vary options)");
    if (o.resume) {
        if ((o.given & GIVEN_OUTDIR) && strcmp(o.outdir, o.resume))
            return usage_error("sweep", "%s", "--resume DIR continues in DIR: leave out -o");
        o.outdir = o.resume;
    }
    char dbuf[PATH_MAX + 32], err[1024] = "", hash[25];
    const char *defaults = find_defaults(&o, dbuf, sizeof dbuf);
    /* what the sweep is, for --resume: the scenario's hash with the base
     * --set values, the grid, seed, replicates, null */
    itp_scenario *base;
    if ((rc = load_with_hash(&o, &base, NULL, hash)))
        return rc;
    itp_scenario_free(base);
    char identity[8192];
    int used = snprintf(identity, sizeof identity, "%s seed %llu reps %ld null %d", hash,
                        (unsigned long long)o.seed, o.n ? o.n : 1000L, !o.no_null);
    for (int v = 0; v < o.n_vary && used > 0 && (size_t)used < sizeof identity; v++) {
        used += snprintf(identity + used, sizeof identity - (size_t)used, " %s=", o.vary[v].key);
        for (int k = 0; k < o.vary[v].n && (size_t)used < sizeof identity; k++)
            used += snprintf(identity + used, sizeof identity - (size_t)used, "%s%.17g",
                             k ? "," : "", o.vary[v].values[k]);
    }
    itp_run_opts ro = {.seed = o.seed, .reps = o.n ? o.n : 1000L,
                       .threads = o.threads ? o.threads : default_threads(),
                       .null = !o.no_null, .quiet = o.quiet};
    itp_status st = itp_mkdir_p(o.outdir, err, sizeof err);
    if (!st)
        st = itp_sweep(o.scenario, defaults, o.sets, o.n_sets, o.vary, o.n_vary, &ro, o.outdir,
                       identity, o.resume != NULL, o.force, stdout, err, sizeof err);
    if (st)
        fprintf(stderr, "itpsim sweep: %s\n", err[0] ? err : itp_strerror(st));
    return itp_exit_code(st);
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
    if (!st)
        st = itp_write_events(o.outdir, scn, &rec, err, sizeof err);
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
    char path[PATH_MAX + 32], file[1024] = "", val[64] = "", sets[MAX_SETS][256];
    itp_plot_opts po = {.seed = 1, .threads = o.threads ? o.threads : default_threads()};
    itp_scenario *scn = NULL;
    itp_cal_spec cal;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *jf = fopen(path, "rb");
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

static const char usage_merge[] =
    "usage: itpsim merge OUT SHARD... [--force] [--quiet]\n"
    "Combines shard folders (run --replicates FROM:TO, with the same scenario, --set\n"
    "values, seed and options, their ranges covering 0..N once) into OUT: the files\n"
    "one run of N replicates writes. The scenario is the one the shards recorded.\n"
    "  --force          overwrite OUT even when it holds other results\n"
    "  --quiet          print nothing but errors\n";

static int cmd_merge(int argc, char **argv)
{
    options o = {.seed = 1};
    const char *out = NULL, *shards[4096];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("%s%s", usage_merge, usage_common);
            return 0;
        } else if (!strcmp(argv[i], "--force")) {
            o.force = 1;
        } else if (!strcmp(argv[i], "--quiet")) {
            o.quiet = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("merge", "unknown option '%s'", argv[i]);
        } else if (!out) {
            out = argv[i];
        } else if (n < 4096) {
            shards[n++] = argv[i];
        } else {
            return usage_error("merge", "%s", "at most 4096 shards");
        }
    }
    if (!out || n == 0)
        return usage_error("merge", "%s", "expected OUT and at least one SHARD folder");
    static itp_run_saved rec;
    char err[1200] = "";
    for (int i = 0; i < n; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", shards[i], ITP_SHARD_STATE);
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "itpsim merge: %s is not a shard folder (no %s: run "
                            "--replicates FROM:TO writes one)\n", shards[i], ITP_SHARD_STATE);
            return 2;
        }
    }
    if (itp_run_state_peek(shards[0], ITP_SHARD_STATE, &rec, err, sizeof err)) {
        fprintf(stderr, "itpsim merge: %s\n", err);
        return 2;
    }
    recorded_options(&o, &rec);
    itp_scenario *scn;
    char hash[25];
    int rc = load_with_hash(&o, &scn, NULL, hash);
    if (rc)
        return rc;
    itp_status st = ITP_OK;
    if (strcmp(hash, rec.hash)) {
        snprintf(err, sizeof err, "%s: the scenario %s (with the recorded --set values) is not "
                 "the one the shards ran: it changed since", shards[0], rec.file);
        st = ITP_EINPUT;
    }
    if (!st && !o.force)
        st = itp_run_dir_check(out, scn, hash, rec.seed, err, sizeof err);
    char dbuf[1024], prov[8192];
    provenance_json(&o, find_defaults(&o, dbuf, sizeof dbuf), 1, prov, sizeof prov);
    itp_run_opts ro = {.seed = rec.seed, .null = rec.null, .patients = rec.patients,
                       .provenance = prov, .file = o.scenario, .defaults = o.defaults,
                       .sets = o.sets, .n_sets = o.n_sets};
    if (!st)
        st = itp_run_merge(out, scn, hash, shards, n, &ro, err, sizeof err);
    if (!st && !o.quiet)
        printf("merged %d shards of %s into %s\n", n, scn->name, out);
    itp_scenario_free(scn);
    if (st)
        fprintf(stderr, "itpsim merge: %s\n", err[0] ? err : itp_strerror(st));
    return st == ITP_EINPUT ? 2 : st ? 1 : 0;
}

const itp_cli_command itp_cli_commands[] = {
    {"check", cmd_check, usage_check},
    {"simulate", cmd_simulate, usage_simulate},
    {"run", cmd_run, usage_run},
    {"samplesize", cmd_samplesize, usage_samplesize},
    {"sweep", cmd_sweep, usage_sweep},
    {"calibrate", cmd_calibrate, usage_calibrate},
    {"plot", cmd_plot, usage_plot},
    {"merge", cmd_merge, usage_merge},
    {NULL, NULL, NULL}};
