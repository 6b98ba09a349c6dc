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

const char usage_sweep[] =
    "usage: itpsim sweep SCENARIO --vary KEY=V1,V2,... [--vary ...] [-n REPS] [-s SEED]\n"
    "                    [-j THREADS] [-o DIR] [--no-null] [options]\n"
    "Power and type I error at every point of the grid of settings (any numeric\n"
    "setting, as for --set, or named choices of a text setting:\n"
    "--vary allocation.method=simple,permuted_blocks), with the same seed at every\n"
    "point. Writes\n"
    "DIR/sweep.csv, one row per point, and DIR/sweep_arms.csv, per point and arm.\n"
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
    "                   assurance_most_influential in sweep.csv\n"
    "  --assurance-reps R  replicates per parameter set (default 200)\n"
    "  --draws FILE     with --assurance: another file of parameter draws\n"
    "  --priors         with --assurance: draw from the scenario's priors instead\n";

int cmd_samplesize(int argc, char **argv)
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

int cmd_sweep(int argc, char **argv)
{
    options o = {.seed = 1, .outdir = "results/sweep"};
    int rc = parse_options("sweep", usage_sweep, argc, argv, &o, "sonjRNqVUFAB");
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
            used += isnan(o.vary[v].values[k])   /* a named choice */
                        ? snprintf(identity + used, sizeof identity - (size_t)used, "%s%s",
                                   k ? "," : "", o.vary[v].text[k])
                        : snprintf(identity + used, sizeof identity - (size_t)used, "%s%.17g",
                                   k ? "," : "", o.vary[v].values[k]);
    }
    /* each point's assurance over the parameter draws (the robustness of
     * its power to what the fit leaves open) */
    itp_assurance_opts ao;
    char draws[1024];
    if (o.assurance || o.draws || o.priors || o.assurance_reps) {
        if (o.assurance_reps && !o.assurance)
            return usage_error("sweep", "%s", "--assurance-reps goes with --assurance K");
        rc = assurance_setup("sweep", &o, defaults, o.assurance_reps ? o.assurance_reps : 200L,
                             draws, sizeof draws, &ao);
        if (rc >= 0)
            return rc;
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
    if (st)
        fprintf(stderr, "itpsim sweep: %s\n", err[0] ? err : itp_strerror(st));
    return itp_exit_code(st);
}
