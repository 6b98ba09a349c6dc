/* Calibration outputs: the evaluation table, fitted.cfg and calibration.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/calibrate.h"
#include "itpsim/endpoint.h"
#include "itpsim/report.h"
#include "itpsim/run.h"

static const char *quantity_name(itp_cal_quantity q)
{
    switch (q) {
    case ITP_Q_LANDMARK: return "free of failure at";
    case ITP_Q_MEDIAN: return "median (months)";
    case ITP_Q_HR: return "hazard ratio vs control";
    case ITP_Q_RATE: return "rate";
    }
    return "?";
}

void itp_cal_fmt_value(char *buf, size_t len, double v, double se)
{
    if (isinf(v))
        snprintf(buf, len, "not reached");
    else if (isnan(v))
        snprintf(buf, len, "NA");
    else if (isnan(se))
        snprintf(buf, len, "%.3f", v);
    else
        snprintf(buf, len, "%.3f (%.3f)", v, se);
}

static int inside(const itp_cal_target *t, double v)
{
    if (isnan(t->ci_low))
        return -1;
    return v >= t->ci_low && v <= t->ci_high;
}

static int within_scale(const itp_cal_target *t, double v)
{
    if (isnan(v))
        return 0;
    if (isinf(v))
        return t->bound == ITP_BOUND_AT_LEAST;
    /* a one-sided target is met on its side only */
    if (t->bound == ITP_BOUND_AT_LEAST)
        return v >= t->value;
    if (t->bound == ITP_BOUND_AT_MOST)
        return v <= t->value;
    return fabs(v - t->value) <= t->scale;
}

static void target_label(const itp_scenario *scn, const itp_cal_target *t, char *buf, size_t len)
{
    if (t->quantity == ITP_Q_LANDMARK)
        snprintf(buf, len, "%s: %s free at %g months", scn->arms[t->arm].name,
                 scn->endpoints[t->endpoint].name, t->months);
    else
        snprintf(buf, len, "%s: %s %s", scn->arms[t->arm].name, scn->endpoints[t->endpoint].name,
                 quantity_name(t->quantity));
}

itp_status itp_cal_report_evaluation(itp_calibrator *c, FILE *out, char *err, size_t errlen)
{
    const itp_cal_spec *s = itp_calibrator_spec(c);
    itp_cal_eval ev;
    itp_status st = itp_cal_evaluate(c, NULL, &ev, err, errlen);
    if (st)
        return st;
    const itp_scenario *scn = itp_calibrator_scenario(c, NULL, err, errlen);
    if (!scn)
        return ITP_EINPUT;
    fprintf(out, "%d simulated patients; objective %.4f with the scenario's own parameter "
                 "values\n", ev.patients, ev.objective);
    for (int k = 0; k < s->n_targets; k++) {
        char label[160], v[48];
        target_label(scn, &s->t[k], label, sizeof label);
        itp_cal_fmt_value(v, sizeof v, ev.value[k], ev.se[k]);
        fprintf(out, "%-10s %-48s published %6.3f%s  simulated %-16s%s\n", s->t[k].name, label,
                s->t[k].value, s->t[k].bound == ITP_BOUND_AT_LEAST ? "+" : " ", v,
                s->t[k].fit ? "" : "  (held out)");
    }
    return ITP_OK;
}

/* fitted.cfg: the parameters as scenario-level groups, nested by path. */
static int by_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

itp_status itp_cal_write_params(const char *dir, const char *file, int n,
                                const char *const *path_in, const double *val_in,
                                const char *const *unit_in, const char *const *source,
                                const char *header, const char *footer, char *err,
                                size_t errlen)
{
    enum { MAXP = ITP_CAL_MAX_JOINT_PARAMS * ITP_CAL_MAX_PATHS };
    const char *paths[MAXP];
    int order[MAXP];
    if (n > MAXP) {
        snprintf(err, errlen, "too many parameters to write (%d)", n);
        return ITP_EINPUT;
    }
    for (int k = 0; k < n; k++) {
        if (strchr(path_in[k], '[')) {
            snprintf(err, errlen, "%s: a list element cannot be written to %s", path_in[k], file);
            return ITP_EINPUT;
        }
        paths[k] = path_in[k];
    }
    qsort(paths, (size_t)n, sizeof *paths, by_path);
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++)
            if (paths[k] == path_in[i])
                order[k] = i;
    itp_out o;
    itp_status st = itp_out_open(&o, dir, file, err, errlen);
    if (st)
        return st;
    fputs(header, o.f);
    char prev[16][64];
    int depth = 0;
    for (int k = 0; k < n; k++) {
        char comp[16][64];
        int nc = 0;
        char buf[160];
        snprintf(buf, sizeof buf, "%s", paths[k]);
        for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && nc < 16;
             t = strtok_r(NULL, ".", &save))
            snprintf(comp[nc++], sizeof comp[0], "%s", t);
        int common = 0;
        while (common < depth && common < nc - 1 && !strcmp(prev[common], comp[common]))
            common++;
        for (; depth > common; depth--)
            fprintf(o.f, "%*s};\n", 2 * (depth - 1), "");
        for (; depth < nc - 1; depth++) {
            fprintf(o.f, "%*s%s = {\n", 2 * depth, "", comp[depth]);
            snprintf(prev[depth], sizeof prev[0], "%s", comp[depth]);
        }
        const char *u = unit_in[order[k]];
        fprintf(o.f, "%*s%s = { value = %.6g; unit = \"%s\"; source = \"%s\"; };\n",
                2 * depth, "", comp[nc - 1], val_in[order[k]],
                u && u[0] ? u : "as in config/defaults.cfg", source[order[k]]);
    }
    for (; depth > 0; depth--)
        fprintf(o.f, "%*s};\n", 2 * (depth - 1), "");
    if (footer)
        fputs(footer, o.f);
    return itp_out_commit(&o, err, errlen);
}

static itp_status write_fitted(const char *dir, const itp_scenario *scn, const itp_cal_spec *s,
                               const double *x, char *err, size_t errlen)
{
    const char *paths[ITP_CAL_MAX_PARAMS * ITP_CAL_MAX_PATHS];
    const char *unit[ITP_CAL_MAX_PARAMS * ITP_CAL_MAX_PATHS];
    const char *src[ITP_CAL_MAX_PARAMS * ITP_CAL_MAX_PATHS];
    double val[ITP_CAL_MAX_PARAMS * ITP_CAL_MAX_PATHS];
    char header[512], source[256];
    int n = 0;
    for (int i = 0; i < s->n_params; i++)
        for (int j = 0; j < s->p[i].n_paths; j++) {
            paths[n] = s->p[i].path[j];
            unit[n] = s->p[i].unit;
            src[n] = source;
            val[n++] = x[i];
        }
    snprintf(header, sizeof header,
             "# Parameters fitted to %s by `itpsim calibrate`; see results/calibration/.\n"
             "# A scenario uses them with @include; its own settings take precedence.\n",
             scn->name);
    snprintf(source, sizeof source, "fitted to %s, see results/calibration/", scn->name);
    return itp_cal_write_params(dir, "fitted.cfg", n, paths, val, unit, src, header, NULL, err,
                                errlen);
}

itp_status itp_cal_run(itp_calibrator *c, const char *dir, FILE *progress, FILE *out, char *err,
                       size_t errlen)
{
    const itp_cal_spec *s = itp_calibrator_spec(c);
    double start[ITP_CAL_MAX_PARAMS], best[ITP_CAL_MAX_PARAMS];
    itp_cal_eval before, after;
    for (int i = 0; i < s->n_params; i++)
        start[i] = s->p[i].start;
    itp_status st = itp_mkdir_p(dir, err, errlen);
    if (!st)
        st = itp_cal_evaluate(c, start, &before, err, errlen);
    if (!st)
        st = itp_cal_fit(c, best, &after, progress, err, errlen);
    if (st)
        return st;
    const itp_scenario *scn = itp_calibrator_scenario(c, best, err, errlen);
    if (!scn)
        return ITP_EINPUT;
    if ((st = write_fitted(dir, scn, s, best, err, errlen)))
        return st;
    /* the design as run, at the fitted values */
    itp_run_result rr;
    itp_run_opts ro = {0};
    int have_power = s->power_reps > 0 && scn->plan.n_hyp > 0;
    if (have_power) {
        ro.seed = 1;
        ro.reps = s->power_reps;
        ro.threads = 2;
        ro.null = 1;
        ro.quiet = progress == NULL;
        ro.label = "power at the fitted values";
        if ((st = itp_run(scn, &ro, &rr))) {
            snprintf(err, errlen, "%s", itp_strerror(st));
            return st;
        }
    }
    itp_out o;
    if ((st = itp_out_open(&o, dir, "calibration.md", err, errlen))) {
        if (have_power)
            itp_run_result_free(&rr);
        return st;
    }
    FILE *f = o.f;
    fprintf(f, "# Calibration: %s\n\n", scn->name);
    fprintf(f, "Regenerate with `make calibration` (that is, `itpsim calibrate %s -o "
               "results/calibration`). Expected values come from %d simulated patients (%d "
               "replicate trials of the scenario pooled, at least %d per arm), the same for "
               "every parameter vector (common random numbers). Nelder-Mead (GSL nmsimplex2) "
               "from %d starting points, at most %d evaluations each. The objective is the sum "
               "of ((simulated - published) / scale)^2 over the fitted targets (hazard ratios "
               "on the log scale; a one-sided target counts only when it is missed).\n\n",
            scn->file, after.patients, after.patients / scn->n_patients, s->per_arm, s->starts,
            s->max_evals);
    fputs("## Targets\n\nSimulated values with their Monte Carlo standard errors in brackets. "
          "\"Within scale\" says whether the simulated value is within the target's scale "
          "of the published one (a one-sided target: on its side).\n\n", f);
    fputs("| target | what | published | 95% CI | scale | before | after | in CI | within scale | |\n"
          "|---|---|---|---|---|---|---|---|---|---|\n", f);
    for (int k = 0; k < s->n_targets; k++) {
        const itp_cal_target *t = &s->t[k];
        char label[160], b[48], a[48], ci[48];
        target_label(scn, t, label, sizeof label);
        itp_cal_fmt_value(b, sizeof b, before.value[k], before.se[k]);
        itp_cal_fmt_value(a, sizeof a, after.value[k], after.se[k]);
        if (isnan(t->ci_low))
            snprintf(ci, sizeof ci, "-");
        else
            snprintf(ci, sizeof ci, "%.2f-%.2f", t->ci_low, t->ci_high);
        int in = inside(t, after.value[k]);
        fprintf(f, "| %s | %s | %s%.3f | %s | %g | %s | %s | %s | %s | %s |\n", t->name, label,
                t->bound == ITP_BOUND_AT_LEAST ? ">= " : t->bound == ITP_BOUND_AT_MOST ? "<= " : "",
                t->value, ci, t->scale, b, a, in < 0 ? "-" : in ? "yes" : "no",
                within_scale(t, after.value[k]) ? "yes" : "no", t->fit ? "fitted" : "held out");
    }
    fprintf(f, "\nObjective: %.4f before, %.4f after.\n\n", before.objective, after.objective);
    for (int k = 0; k < s->n_targets; k++)
        if (!s->t[k].fit) {
            char label[160];
            target_label(scn, &s->t[k], label, sizeof label);
            fprintf(f, "Held out: %s (%s) was not fitted. The fitted model predicts %.3f "
                       "(MCSE %.3f) against the published %.3f: a difference of %+.3f.\n\n",
                    s->t[k].name, label, after.value[k], after.se[k], s->t[k].value,
                    after.value[k] - s->t[k].value);
        }
    fputs("## Parameters\n\n| parameter | unit | bounds | before | after |\n|---|---|---|---|---|\n", f);
    for (int i = 0; i < s->n_params; i++) {
        fputs("| ", f);
        for (int j = 0; j < s->p[i].n_paths; j++)
            fprintf(f, "%s%s", j ? ", " : "", s->p[i].path[j]);
        fprintf(f, " | %s | %g-%g | %.4g | %.4g |\n", s->p[i].unit, s->p[i].min, s->p[i].max,
                start[i], best[i]);
    }
    if (have_power) {
        const itp_mc_summary *d = &rr.design, *n = &rr.null;
        fprintf(f, "\n## The trial as run\n\nThe %s design (%d patients) at the fitted "
                   "values: %ld replicates and as many under the null (seed 1).\n\n"
                   "| hypothesis | power (MCSE) | type I error (MCSE) |\n|---|---|---|\n",
                scn->name, scn->n_patients, d->reps);
        for (int k = 0; k < scn->plan.n_hyp; k++) {
            double pw = itp_power(d, k), t1 = itp_type1(n, k);
            fprintf(f, "| %s | %.3f (%.3f) | %.4f (%.4f) |\n", scn->plan.hyp[k].name, pw,
                    itp_mc_se(pw, d->reps), t1, itp_mc_se(t1, n->reps));
        }
        double fw = (double)n->any_rejected / n->reps;
        fprintf(f, "\nFamily-wise error rate under the null: %.4f (%.4f).\n", fw,
                itp_mc_se(fw, n->reps));
    }
    if (have_power)
        itp_run_result_free(&rr);
    if ((st = itp_out_commit(&o, err, errlen)))
        return st;
    fprintf(out, "objective %.4f -> %.4f; wrote %s/fitted.cfg and %s/calibration.md\n",
            before.objective, after.objective, dir, dir);
    for (int i = 0; i < s->n_params; i++)
        fprintf(out, "  %-44s %.4g -> %.4g\n", s->p[i].path[0], start[i], best[i]);
    return ITP_OK;
}
