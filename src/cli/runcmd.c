/* The commands that run replicates into a folder and carry it on: run
 * (with its signals, --resume and --assurance) and merge (the shards of
 * run --replicates). */
#include <errno.h>
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

const char usage_run[] =
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

/* Set by the SIGINT/SIGTERM handler to the signal's number and read by the
 * replicate loop: one of the two file-scope mutables of itpsim (the other:
 * the signal a switch of result files defers, src/report/outdir.c), since a
 * signal handler can reach nothing else. A lock-free atomic is safe both in the
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

/* The checkpoints of a run (itp_run_checkpoint): at the first boundary
 * between chunks after ITPSIM_CHECKPOINT_SECONDS (default 10; 0: at every
 * one) since the last. */
typedef struct checkpoints {
    const char *dir;
    const itp_scenario *scn;
    const itp_run_opts *ro;
    const char *hash;
    itp_out *rep;
    double every, last;
    char *err;
    size_t errlen;
} checkpoints;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static itp_status on_checkpoint(void *ctx, const itp_run_result *res)
{
    checkpoints *c = ctx;
    double t = seconds_now();
    if (t - c->last < c->every)
        return ITP_OK;
    c->last = t;
    return itp_run_checkpoint(c->dir, c->scn, c->ro, res, c->hash, c->rep, c->err, c->errlen);
}

itp_status run_start(const char *dir, const itp_scenario *scn, const char *hash, uint64_t seed,
                     int force, itp_run_result *res, itp_out *rep, char *err, size_t errlen)
{
    /* made and locked before it is checked: one writer at a time */
    itp_status st = itp_mkdir_p(dir, err, errlen);
    if (!st && !force)
        st = itp_run_dir_check(dir, scn, hash, seed, err, errlen);
    if (!st)
        st = itp_run_result_init(res, scn);
    if (!st)
        st = itp_out_open(rep, dir, "replicates.csv", err, errlen);
    if (!st)
        itp_replicates_header(scn, rep->f);
    return st;
}

itp_status run_finish(const char *dir, const itp_scenario *scn, itp_run_opts *ro,
                      const char *hash, itp_run_result *res, itp_out *rep, char *err,
                      size_t errlen)
{
    struct sigaction old[2];
    const char *every = getenv("ITPSIM_CHECKPOINT_SECONDS");
    checkpoints ck = {dir, scn, ro, hash, rep, every ? strtod(every, NULL) : 10.0,
                      seconds_now(), err, errlen};
    if (!(ck.every >= 0))
        ck.every = 10.0;
    ro->checkpoint = on_checkpoint;
    ro->checkpoint_ctx = &ck;
    ro->replicates = rep->f;
    catch_signals(old);
    itp_status st = itp_run_continue(scn, ro, &stop_requested, res);
    release_signals(old);
    ro->checkpoint = NULL;   /* ck ends here */
    ro->checkpoint_ctx = NULL;
    if (st == ITP_OK || st == ITP_EINTERRUPT) {
        itp_status wst = itp_write_results(dir, scn, ro, res, hash, rep, err, errlen);
        if (wst)
            st = wst;
    }
    return st;
}

const char *run_stop_signal(void)
{
    /* 0: an MPI job stopped on another rank's signal */
    int sig = atomic_load(&stop_requested);
    return strsignal(sig ? sig : SIGINT);
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
    if (!o->scenario)
        o->scenario = sv->file;
    if (!o->defaults && sv->defaults[0])
        o->defaults = sv->defaults;
    if (o->n_sets == 0) {
        for (int i = 0; i < sv->n_sets && i < MAX_SETS; i++)
            o->sets[i] = sv->sets[i];
        o->n_sets = sv->n_sets < MAX_SETS ? sv->n_sets : MAX_SETS;
    }
}

int assurance_setup(const char *cmd, const options *o, const char *defaults, long reps,
                    char *draws, size_t len, itp_assurance_opts *ao)
{
    if (!o->assurance)
        return usage_error(cmd, "%s", "--draws and --priors go with --assurance K");
    if (o->draws && o->priors)
        return usage_error(cmd, "%s", "--draws FILE or --priors, not both");
    if (!o->priors && !o->draws) {
        const char *slash = strrchr(defaults, '/');
        snprintf(draws, len, "%.*s%sfitted_draws.csv", slash ? (int)(slash - defaults) : 0,
                 defaults, slash ? "/" : "");
    }
    *ao = (itp_assurance_opts){o->scenario, defaults, o->sets, o->n_sets,
                               o->priors ? NULL : (o->draws ? o->draws : draws),
                               (int)o->assurance, reps, o->seed,
                               o->threads ? o->threads : default_threads()};
    return -1;
}

/* run --assurance K: the assurance over K parameter sets (assurance.h). */
static int run_assurance(options *o)
{
    if (o->resume || o->precision > 0 || o->plots || o->no_null)
        return usage_error("run", "%s", "--assurance does not go with --resume, --precision, "
                           "--plots or --no-null");
    char draws[1024], dbuf[1024], err[1024] = "";
    const char *defaults = find_defaults(o, dbuf, sizeof dbuf);
    itp_assurance_opts ao;
    int rc = assurance_setup("run", o, defaults, o->n ? o->n : 200L, draws, sizeof draws, &ao);
    if (rc >= 0)
        return rc;
    const char *dir = (o->given & GIVEN_OUTDIR) ? o->outdir : "results/assurance";
    itp_status st = itp_assurance_run(&ao, dir, stdout, o->quiet ? NULL : stderr, err,
                                      sizeof err);
    if (st)
        fprintf(stderr, "itpsim run: %s\n", err[0] ? err : itp_strerror(st));
    return st == ITP_EINPUT ? 2 : st ? 1 : 0;
}

int cmd_run(int argc, char **argv)
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
        /* the folder is this process's from here on (one writer at a time) */
        char lerr[1200] = "";
        itp_status lst = itp_out_take(o.resume, lerr, sizeof lerr);
        if (lst) {
            fprintf(stderr, "itpsim run: %s\n", lerr);
            return itp_exit_code(lst);
        }
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
    provenance_json(defaults_file, threads, prov, sizeof prov);
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
        st = run_start(o.outdir, scn, hash, o.seed, o.force, &res, &rep, err, sizeof err);
    }
    if (!st) {
        st = run_finish(o.outdir, scn, &ro, hash, &res, &rep, err, sizeof err);
        if (st == ITP_OK || st == ITP_EINTERRUPT) {
            itp_print_summary(scn, &res, stdout);
            if (!o.quiet)
                fprintf(stderr, "itpsim run: results in %s (summary.json, summary.csv, "
                                "arms.csv, replicates.csv%s)\n",
                        o.outdir, scn->plan.interims.n > 0 ? ", stages.csv" : "");
            if (st == ITP_EINTERRUPT)
                fprintf(stderr,
                        "itpsim run: %s: stopped; the %ld completed replicates are in %s, marked "
                        "partial.\nContinue with: itpsim run %s --resume %s (and the same --set "
                        "options)\n",
                        run_stop_signal(), res.design.reps + (res.has_null ? res.null.reps : 0L),
                        o.outdir, o.scenario, o.outdir);
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

const char usage_merge[] =
    "usage: itpsim merge OUT SHARD... [--force] [--quiet]\n"
    "Combines shard folders (run --replicates FROM:TO, with the same scenario, --set\n"
    "values, seed and options, their ranges covering 0..N once) into OUT: the files\n"
    "one run of N replicates writes. The scenario is the one the shards recorded.\n"
    "  --force          overwrite OUT even when it holds other results\n"
    "  --quiet          print nothing but errors\n";

int cmd_merge(int argc, char **argv)
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
        /* a shard killed while switching its files is finished first */
        if (itp_out_settle(shards[i], err, sizeof err)) {
            fprintf(stderr, "itpsim merge: %s\n", err);
            return 2;
        }
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
    if (!st)
        st = itp_mkdir_p(out, err, sizeof err);   /* made and locked before it is checked */
    if (!st && !o.force)
        st = itp_run_dir_check(out, scn, hash, rec.seed, err, sizeof err);
    char dbuf[1024], prov[8192];
    provenance_json(find_defaults(&o, dbuf, sizeof dbuf), 1, prov, sizeof prov);
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
