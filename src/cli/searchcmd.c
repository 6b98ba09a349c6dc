/* The commands that search over designs: samplesize and sweep, each with
 * its progress file and --resume. */
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

const char usage_samplesize[] =
    "usage: itpsim samplesize SCENARIO --power P [--hypothesis NAME] [--min N] [--max N]\n"
    "                         [-n REPS] [-s SEED] [-j THREADS] [-o DIR] [--no-null] [options]\n"
    "Smallest total sample size (multiples of the allocation ratios' sum, so the\n"
    "ratio is kept) at which hypothesis NAME, or every hypothesis, reaches power P;\n"
    "bisection with common random numbers, each size with its null (type I error).\n"
    "Then a probit fit of the power on sqrt(patients) over the sizes evaluated: the\n"
    "size at P from the fit with its 95% interval. Writes DIR/samplesize.csv,\n"
    "DIR/power_fit.csv and DIR/samplesize.json.\n"
    "  --power P        target power in (0, 1)\n"
    "  --hypothesis H   the hypothesis (default: all of them)\n"
    "  --min N, --max N range searched (default 10 and 10 x the scenario's size,\n"
    "                   at most 100000)\n"
    "  -n REPS          replicates per size (default 1000)\n"
    "  -o DIR           output folder (default results/samplesize)\n"
    "  --no-null        skip the null runs (no type I error)\n"
    "  --resume DIR     continue the search stopped in DIR (the same options)\n"
    "  --force          start over in a folder holding a stopped search\n";

const char usage_sweep[] =
    "usage: itpsim sweep SCENARIO --vary KEY=V1,V2,... [--vary ...] [-n REPS] [-s SEED]\n"
    "                    [-j THREADS] [-o DIR] [--no-null] [--target-power P] [options]\n"
    "Power and type I error at every point of the grid of settings (any numeric\n"
    "setting, as for --set, or named choices of a text setting:\n"
    "--vary allocation.method=simple,permuted_blocks), with the same seed at every\n"
    "point. Writes\n"
    "DIR/sweep.csv, one row per point, DIR/sweep_arms.csv, per point and arm, and\n"
    "DIR/sweep.json (what the sweep was, for its report).\n"
    "Each finished point goes at once to DIR/sweep.progress.csv (and\n"
    "sweep_arms.progress.csv, sweep.id), removed at the end.\n"
    "  --vary KEY=V,... a setting and its values (up to 4 settings)\n"
    "  -n REPS          replicates per point (default 1000)\n"
    "  -o DIR           output folder (default results/sweep)\n"
    "  --resume DIR     continue the sweep stopped in DIR after its finished points\n"
    "                   (the same SCENARIO, --set, --vary, -n, -s and --no-null)\n"
    "  --force          start over in a folder holding a stopped sweep\n"
    "  --assurance K    also each point's assurance over K parameter sets (the joint\n"
    "                   calibration's draws, as run --assurance): columns\n"
    "                   H_assurance, H_assurance_mcse, H_power_q05/q50/q95 and\n"
    "                   H_most_influential in sweep.csv\n"
    "  --assurance-reps R  replicates per parameter set (default 200)\n"
    "  --draws FILE     with --assurance: another file of parameter draws\n"
    "  --priors         with --assurance: draw from the scenario's priors instead\n"
    "  --target-power P the power the report's picture marks (default: lines at\n"
    "                   0.8 and 0.9)\n";

/* One size's line of the progress file (search.h): "n reps r_0 .. r_15
 * null_reps t_0 .. t_15 null_any"; 0 when it is cut short. */
static int read_point(const char *line, itp_ss_point *q)
{
    char *end;
    memset(q, 0, sizeof *q);
    q->n = (int)strtol(line, &end, 10);
    q->reps = strtol(end, &end, 10);
    for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
        q->rejected[k] = strtol(end, &end, 10);
    q->null_reps = strtol(end, &end, 10);
    for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
        q->null_rejected[k] = strtol(end, &end, 10);
    q->null_any = strtol(end, &end, 10);
    return *end == '\n' && q->n > 0 && q->reps > 0;
}

/* samplesize.csv: per size its power per hypothesis, whether it reaches
 * the target and is the one chosen, then (added after those, so that the
 * columns before keep their places) the null's type I error per
 * hypothesis and family-wise error (NA without the null). */
static void write_sizes(FILE *f, const itp_scenario *scn, const itp_ss_result *res, double power)
{
    fputs("patients,replicates", f);
    for (int k = 0; k < scn->plan.n_hyp; k++)
        fprintf(f, ",%s_power,%s_power_mcse", scn->plan.hyp[k].name, scn->plan.hyp[k].name);
    fputs(",reaches_target,chosen", f);
    for (int k = 0; k < scn->plan.n_hyp; k++)
        fprintf(f, ",%s_type1,%s_type1_mcse", scn->plan.hyp[k].name, scn->plan.hyp[k].name);
    fputs(",fwer,fwer_mcse\n", f);
    for (int i = 0; i < res->n_points; i++) {
        const itp_ss_point *p = &res->points[i];
        fprintf(f, "%d,%ld", p->n, p->reps);
        for (int k = 0; k < scn->plan.n_hyp; k++) {
            double pw = (double)p->rejected[k] / p->reps;
            fprintf(f, ",%.6g,%.6g", pw, itp_mc_se(pw, p->reps));
        }
        fprintf(f, ",%d,%d", p->criterion >= power, i == res->chosen);
        for (int k = 0; k <= scn->plan.n_hyp; k++) {
            long x = k < scn->plan.n_hyp ? p->null_rejected[k] : p->null_any;
            if (p->null_reps > 0) {
                double t = (double)x / p->null_reps;
                fprintf(f, ",%.6g,%.6g", t, itp_mc_se(t, p->null_reps));
            } else {
                fputs(",NA,NA", f);
            }
        }
        fputc('\n', f);
    }
}

/* The search's table on stdout: each size evaluated, its power (the
 * criterion) with its MCSE and the null's family-wise error, then the size
 * from the fitted curve with its interval. */
static void print_search(const itp_scenario *scn, const itp_ss_result *res, int hyp, double power,
                         long reps, long n_max, const itp_ss_fit *fits, int binding)
{
    const char *what = hyp >= 0 ? scn->plan.hyp[hyp].name : "every hypothesis";
    int null = res->n_points > 0 && res->points[0].null_reps > 0;
    printf("%s: power %.2f for %s, %ld replicates per size, sizes in steps of %d\n", scn->name,
           power, what, reps, res->step);
    printf("%10s %10s %8s%s\n", "patients", "power", "MCSE", null ? "     FWER" : "");
    for (int i = 0; i < res->n_points; i++) {
        const itp_ss_point *p = &res->points[i];
        printf("%10d %10.3f %8.3f", p->n, p->criterion, itp_mc_se(p->criterion, p->reps));
        if (null)
            printf(" %8.4f", p->null_reps ? (double)p->null_any / p->null_reps : (double)NAN);
        printf("%s\n", i == res->chosen ? "   <- smallest reaching the target" : "");
    }
    if (res->chosen < 0)
        printf("not reached at %ld patients (--max)\n", n_max);
    if (binding < 0) {
        int k = hyp >= 0 ? hyp : 0;
        printf("fitted curve: none (%s)\n", fits[k].why[0] ? fits[k].why : "no hypothesis fitted");
        return;
    }
    const itp_ss_fit *q = &fits[binding];
    printf("fitted (probit on sqrt(patients), %d sizes): power %.2f at %.1f patients", q->probit.points,
           power, q->n_target);
    if (isfinite(q->n_low))
        printf(" (95%% CI %.1f to %.1f)", q->n_low, q->n_high);
    else
        printf(" (95%% CI unbounded: the slope is not clearly positive)");
    printf(" for %s\n", scn->plan.hyp[binding].name);
}

int cmd_samplesize(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/samplesize"};
    int rc = parse_options("samplesize", usage_samplesize, argc, argv, &o, "sonjRqSUFN");
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
        hyp = itp_scenario_hypothesis(scn, o.hypothesis);
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
                       .null = !o.no_null, .label = "samplesize"};
    /* every size simulated goes at once to DIR/samplesize.progress, after a
     * line saying what the search is; --resume takes the sizes it holds */
    char identity[512], ppath[PATH_MAX + 64];
    snprintf(identity, sizeof identity, "%s seed %llu reps %ld power %.17g hypothesis %s min %ld "
             "max %ld null %d", hash, (unsigned long long)o.seed, ro.reps, o.power,
             o.hypothesis ? o.hypothesis : "-", n_min, n_max, ro.null);
    snprintf(ppath, sizeof ppath, "%s/samplesize.progress", o.outdir);
    static itp_ss_point known[ITP_MAX_SS_POINTS];
    itp_ss_log log = {known, 0, NULL, NULL, NULL};
    /* locked (when it exists) before its progress is read: one writer at a time */
    itp_status st = itp_out_take(o.outdir, err, sizeof err);
    FILE *pf = st ? NULL : fopen(ppath, "r");
    if (st) {
        /* the folder is another process's */
    } else if (pf && !o.resume && !o.force) {
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
                     "--power, --hypothesis, --min, --max, -n, -s or --no-null); resume it with "
                     "the same ones", o.outdir);
            st = ITP_EINPUT;
        }
        while (!st && log.n_known < ITP_MAX_SS_POINTS && fgets(line, sizeof line, pf))
            if (read_point(line, &known[log.n_known]))
                log.n_known++;   /* a line cut short is left out */
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
    static itp_ss_fit fits[ITP_MAX_HYPOTHESES];
    int binding = -1;
    if (!st) {
        itp_ss_fit_curves(scn, res, hyp, o.power, fits, &binding);
        st = itp_out_open(&out, o.outdir, "samplesize.csv", err, sizeof err);
    }
    if (!st) {
        write_sizes(out.f, scn, res, o.power);
        st = itp_out_commit(&out, err, sizeof err);
    }
    if (!st)
        st = itp_ss_write_fit(o.outdir, scn, res, o.power, fits, binding, err, sizeof err);
    if (!st) {
        char dbuf[PATH_MAX + 32], prov[8192];
        provenance_json(find_defaults(&o, dbuf, sizeof dbuf), ro.threads, prov, sizeof prov);
        itp_grid_info g = {.command = "samplesize", .file = o.scenario, .hash = hash,
                           .provenance = prov, .sets = o.sets, .n_sets = o.n_sets,
                           .seed = o.seed, .reps = ro.reps, .null = ro.null,
                           .target_power = o.power, .hypothesis = o.hypothesis,
                           .n_min = n_min, .n_max = n_max, .res = res, .fits = fits,
                           .binding = binding};
        st = itp_grid_write_json(o.outdir, scn, &g, err, sizeof err);
    }
    if (!st && itp_out_writes())
        remove(ppath);
    if (!st) {
        print_search(scn, res, hyp, o.power, ro.reps, n_max, fits, binding);
        if (!o.quiet)
            fprintf(stderr, "itpsim samplesize: results in %s (samplesize.csv, "
                    "samplesize.json, power_fit.csv)\n", o.outdir);
    } else {
        fprintf(stderr, "itpsim samplesize: %s\n", err[0] ? err : itp_strerror(st));
    }
    free(res);
    itp_scenario_free(scn);
    return itp_exit_code(st);
}

int cmd_sweep(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/sweep"};
    int rc = parse_options("sweep", usage_sweep, argc, argv, &o, "sonjRNqVUFABT");
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
    char identity[8192];
    int used = snprintf(identity, sizeof identity, "%s seed %llu reps %ld null %d", hash,
                        (unsigned long long)o.seed, o.n ? o.n : 1000L, !o.no_null);
    for (int v = 0; v < o.n_vary && used > 0 && (size_t)used < sizeof identity; v++) {
        used += snprintf(identity + used, sizeof identity - (size_t)used, " %s=", o.vary[v].key);
        for (int k = 0; k < o.vary[v].n && (size_t)used < sizeof identity; k++)
            /* each value as the point is run from it (a number or a choice) */
            used += snprintf(identity + used, sizeof identity - (size_t)used, "%s%s",
                             k ? "," : "", o.vary[v].text[k]);
    }
    /* each point's assurance over the parameter draws (the robustness of
     * its power to what the fit leaves open) */
    itp_assurance_opts ao;
    char draws[1024];
    if (o.assurance || o.draws || o.priors || o.assurance_reps) {
        rc = o.assurance_reps && !o.assurance
                 ? usage_error("sweep", "%s", "--assurance-reps goes with --assurance K")
                 : assurance_setup("sweep", &o, defaults,
                                   o.assurance_reps ? o.assurance_reps : 200L, draws,
                                   sizeof draws, &ao);
        if (rc >= 0) {
            itp_scenario_free(base);
            return rc;
        }
        if (used > 0 && (size_t)used < sizeof identity)
            snprintf(identity + used, sizeof identity - (size_t)used,
                     " assurance %d reps %ld draws %s", ao.draws, ao.reps,
                     ao.draws_file ? ao.draws_file : "priors");
    }
    itp_run_opts ro = {.seed = o.seed, .reps = o.n ? o.n : 1000L,
                       .threads = o.threads ? o.threads : default_threads(),
                       .null = !o.no_null, .quiet = o.quiet};
    itp_status st = itp_mkdir_p(o.outdir, err, sizeof err);
    if (!st)
        st = itp_sweep(o.scenario, defaults, o.sets, o.n_sets, o.vary, o.n_vary, &ro,
                       o.assurance ? &ao : NULL, o.outdir, identity, o.resume != NULL, o.force,
                       stdout, err, sizeof err);
    if (!st) {
        char prov[8192];
        provenance_json(defaults, ro.threads, prov, sizeof prov);
        itp_grid_info g = {.command = "sweep", .file = o.scenario, .hash = hash,
                           .provenance = prov, .sets = o.sets, .n_sets = o.n_sets,
                           .seed = o.seed, .reps = ro.reps, .null = ro.null,
                           .target_power = o.power > 0 ? o.power : (double)NAN, .vary = o.vary,
                           .n_vary = o.n_vary};
        /* the scenario's name and alpha: the base design's */
        st = itp_grid_write_json(o.outdir, base, &g, err, sizeof err);
    }
    itp_scenario_free(base);
    if (!st && !o.quiet)
        fprintf(stderr, "itpsim sweep: results in %s (sweep.csv, sweep_arms.csv, sweep.json)\n",
                o.outdir);
    if (st)
        fprintf(stderr, "itpsim sweep: %s\n", err[0] ? err : itp_strerror(st));
    return itp_exit_code(st);
}
