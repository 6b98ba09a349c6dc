/* Joint calibration: the run (fit, leave-one-trial-out refits,
 * uncertainty) and its files, joint.md, fitted.cfg and draws.csv (see
 * calibrate.h, joint_internal.h). */
#include "joint_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include "itpsim/report.h"
#include "itpsim/rng.h"

static int in_ci(const itp_cal_target *t, double v, double *lo, double *hi)
{
    if (!isnan(t->ci_low)) {
        *lo = t->ci_low;
        *hi = t->ci_high;
    } else {
        /* a rate without a published CI: value +/- 1.96 binomial SE at the
         * arm's size (the scale of the fit) */
        *lo = t->quantity == ITP_Q_HR ? t->value * exp(-1.96 * t->scale / t->value)
                                      : t->value - 1.96 * t->scale;
        *hi = t->quantity == ITP_Q_HR ? t->value * exp(1.96 * t->scale / t->value)
                                      : t->value + 1.96 * t->scale;
    }
    return !isnan(v) && v >= *lo && v <= *hi;
}


/* What a run computes, for its files. */
typedef struct joint_result {
    itp_cal_eval ev0[JOINT_MAX], ev[JOINT_MAX], pred[JOINT_MAX];  /* start, fit, left out */
    double best[NP], lo[NP], hi[NP], obj0, obj, ridge;
    gsl_matrix *cov;
    int primary_in, loto_in;   /* primary figures inside their CI: fitted, left out */
} joint_result;

/* The trials parameter i acts on, "A, B" ("none"). */
static void acts_list(const itp_joint *j, int i, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < j->n && used < len; k++)
        if (itp_joint_uses(j, k, i))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                                     j->trial[k]);
    if (!used)
        snprintf(buf, len, "none");
}

/* n_draws draws of u ~ N(u*, cov), in the parameters' own units. */
static itp_status write_draws(const itp_joint *j, const char *dir, const joint_result *r,
                              char *err, size_t errlen)
{
    int np = j->n_params;
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "draws.csv", err, errlen);
    if (st)
        return st;
    fputs("draw", o.f);
    for (int i = 0; i < np; i++)
        fprintf(o.f, ",%s", j->p[i].path[0]);
    fputc('\n', o.f);
    gsl_matrix *l = gsl_matrix_alloc((size_t)np, (size_t)np);
    gsl_vector *mu = gsl_vector_alloc((size_t)np), *z = gsl_vector_alloc((size_t)np);
    gsl_rng *g = gsl_rng_alloc(itp_rng_xoshiro256pp);
    if (!l || !mu || !z || !g) {
        st = ITP_ENOMEM;
    } else if (j->n_draws > 0) {
        gsl_matrix_memcpy(l, r->cov);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        if (gsl_linalg_cholesky_decomp1(l) != GSL_SUCCESS)
            st = ITP_EINTERNAL;
        gsl_set_error_handler(old);
        for (int i = 0; i < np; i++)
            gsl_vector_set(mu, (size_t)i, itp_cal_to_u(&j->p[i], r->best[i]));
        itp_rng_stream(g, j->seed, 0, 0, 98);
        for (int d = 0; !st && d < j->n_draws; d++) {
            gsl_ran_multivariate_gaussian(g, mu, l, z);
            fprintf(o.f, "%d", d + 1);
            for (int i = 0; i < np; i++)
                fprintf(o.f, ",%.6g", itp_cal_from_u(&j->p[i], gsl_vector_get(z, (size_t)i)));
            fputc('\n', o.f);
        }
    }
    gsl_matrix_free(l);
    gsl_vector_free(mu);
    gsl_vector_free(z);
    if (g)
        gsl_rng_free(g);
    if (st) {
        itp_out_abort(&o);
        snprintf(err, errlen, "%s", itp_strerror(st));
        return st;
    }
    return itp_out_commit(&o, err, errlen);
}

/* The fitted parameters as a file the scenarios include, each with the
 * trials it acts on as its source. */
/* Whether joint parameter i is a general one (not a population's) that
 * some population has a joint parameter of its own for. */
static int has_population_sibling(const itp_joint *j, int i)
{
    const char *path = j->p[i].path[0];
    if (strncmp(path, "populations.", 12) == 0)
        return 0;
    for (int q = 0; q < j->n_params; q++) {
        const char *o = j->p[q].path[0], *dot;
        if (strncmp(o, "populations.", 12) == 0 && (dot = strchr(o + 12, '.')) &&
            strcmp(dot + 1, path) == 0)
            return 1;
    }
    return 0;
}

/* The exposures the fit saw, per drug (TYPE.DRUG) with an exposure: the
 * lowest and highest of the arms of the trials, and the trials, as the
 * list fitted_exposures (scenario exposure.c flags a dose outside them).
 * Into buf; "" when no trial has such a drug. */
static itp_status exposures_seen(const itp_joint *j, char *buf, size_t len, char *err,
                                 size_t errlen)
{
    enum { MAXD = 16 };
    char drug[MAXD][2 * ITP_NAME_MAX + 2], trials[MAXD][512];
    const char *unit[MAXD];
    double lo[MAXD], hi[MAXD];
    int nd = 0;
    for (int k = 0; k < j->n; k++) {
        const itp_scenario *scn = itp_calibrator_scenario(j->cal[k], NULL, err, errlen);
        if (!scn)
            return ITP_EINPUT;
        for (int a = 0; a < scn->n_arms; a++)
            for (int m = 0; m < scn->arms[a].n_components; m++) {
                const itp_component *c = &scn->components[scn->arms[a].component[m]];
                double x;
                const char *u;
                char name[sizeof drug[0]];
                if (!c->type->exposure || !c->type->exposure(c->params, &x, &u))
                    continue;
                snprintf(name, sizeof name, "%s.%s", c->type->name, c->drug);
                int d = 0;
                while (d < nd && strcmp(drug[d], name) != 0)
                    d++;
                if (d == nd) {
                    if (nd == MAXD)
                        continue;
                    snprintf(drug[nd], sizeof drug[nd], "%s", name);
                    unit[nd] = u;
                    lo[nd] = hi[nd] = x;
                    trials[nd++][0] = '\0';
                }
                lo[d] = fmin(lo[d], x);
                hi[d] = fmax(hi[d], x);
                if (!strstr(trials[d], j->trial[k])) {
                    size_t used = strlen(trials[d]);
                    snprintf(trials[d] + used, sizeof trials[d] - used, "%s%s", used ? ", " : "",
                             j->trial[k]);
                }
            }
    }
    size_t used = 0;
    buf[0] = '\0';
    for (int d = 0; d < nd; d++) {
        int w = snprintf(buf + used, len - used,
                         "%s  { drug = \"%s\"; min = %.6g; max = %.6g; unit = \"%s\";\n"
                         "    source = \"the lowest and highest in the arms of %s, the trials "
                         "fitted\"; }%s\n", d ? "" : "\n# The exposures the fitted trials gave "
                         "(a dose outside them is flagged as extrapolated).\n"
                         "fitted_exposures = (\n", drug[d], lo[d], hi[d], unit[d], trials[d],
                         d + 1 < nd ? "," : "\n);");
        used += w > 0 && (size_t)w < len - used ? (size_t)w : 0;
    }
    return ITP_OK;
}

/* fitted.cfg: the fitted values as groups a scenario includes. A general
 * parameter that some population has a value of its own for is written
 * under each population of the trials it acts on (populations.NAME.PATH)
 * instead of at PATH: a scenario's setting at PATH would hide every
 * population's value, the refractory one too. A trial enrolling no
 * population takes it at PATH. */
static itp_status write_fitted(const itp_joint *j, const char *dir, const joint_result *r,
                               char *err, size_t errlen)
{
    enum { MAXW = NP * (JOINT_MAX + 1) };
    static const char *paths[MAXW], *units[MAXW], *srcs[MAXW];
    static char source[NP][1024], under[MAXW][192];
    static double val[MAXW];
    char header[1024], trials[768];
    int n = 0;
    for (int i = 0; i < j->n_params; i++) {
        acts_list(j, i, trials, sizeof trials);
        snprintf(source[i], sizeof source[i], "fitted jointly to %s (the trials it acts on), see "
                 "results/calibration/joint.md", trials);
        int split = has_population_sibling(j, i), general = !split;
        for (int k = 0; split && k < j->n; k++) {
            int seen = 0;
            if (!itp_joint_uses(j, k, i) || !j->population[k][0]) {
                general |= itp_joint_uses(j, k, i);
                continue;
            }
            snprintf(under[n], sizeof under[n], "populations.%s.%s", j->population[k],
                     j->p[i].path[0]);
            for (int q = 0; q < n; q++)
                seen |= strcmp(paths[q], under[n]) == 0;
            if (seen)
                continue;
            paths[n] = under[n];
            units[n] = j->p[i].unit;
            srcs[n] = source[i];
            val[n++] = r->best[i];
        }
        if (general) {
            paths[n] = j->p[i].path[0];
            units[n] = j->p[i].unit;
            srcs[n] = source[i];
            val[n++] = r->best[i];
        }
    }
    snprintf(header, sizeof header,
             "# Parameters fitted jointly to the seeded trials by `itpsim calibrate %s`\n"
             "# (results/calibration/joint.md). A scenario uses them with @include; its\n"
             "# own settings take precedence. Population values sit under populations\n"
             "# and act on the scenarios that enrol that population (a general parameter\n"
             "# that a population has a value of its own for is written per population).\n",
             j->file);
    static char footer[4096];
    itp_status st = exposures_seen(j, footer, sizeof footer, err, errlen);
    return st ? st : itp_cal_write_params(dir, "fitted.cfg", n, paths, val, units, srcs, header,
                                          footer, err, errlen);
}

/* joint.md: per trial and target, the leave-one-trial-out table, the
 * parameters. Counts the primary figures inside their CI into r. */
static itp_status write_report(const itp_joint *j, const char *dir, joint_result *r, char *err,
                               size_t errlen)
{
    itp_out o;
    itp_status st = itp_out_open(&o, dir, "joint.md", err, errlen);
    if (st)
        return st;
    FILE *m = o.f;
    r->primary_in = r->loto_in = 0;
    fprintf(m, "# Joint calibration: %d trials\n\n", j->n);
    fprintf(m, "Regenerate with `make calibration` (`itpsim calibrate %s`). One parameter set "
               "for every trial: a drug's parameters act on every trial that gives the drug, a "
               "population's on every trial that enrols it, the others on all. Expected values "
               "from a cohort of at least %d patients per arm per trial, the same for every "
               "parameter vector (common random numbers). The objective is the sum over every "
               "trial's fitted targets of ((simulated - published) / SE)^2, the SE the 95%% CI's "
               "half-width / 1.96 where one is published (hazard ratios on the log scale), else "
               "for a rate the binomial SE at the arm's size (or the target's own `scale`). "
               "Levenberg-Marquardt (GSL multifit_nlinear, trust region) on the residuals in the "
               "transformed parameters, the Jacobian by forward differences of %g in u, at most "
               "%d iterations from each starting point, the fit with the lowest objective "
               "kept; each leave-one-trial-out refit starts from that fit's starting point "
               "(what the left-out trial alone informs stays there), at most %d "
               "iterations.\n\n",
            j->file, j->per_arm, j->step_u, j->iters, j->loto_iters);
    fprintf(m, "Objective: %.3f at the starting values, %.3f fitted.\n\n", r->obj0, r->obj);
    if (j->n_alt > 0) {
        fputs("Starting points (a local optimum of one is not the fit of all):\n\n"
              "| starting point | differs from the starting values in | objective fitted |\n"
              "|---|---|---|\n", m);
        for (int s = 0; s <= j->n_alt; s++) {
            fprintf(m, "| %d%s | ", s + 1, s == j->chosen ? " (kept)" : "");
            int any = 0;
            for (int i = 0; s > 0 && i < j->n_params; i++)
                if (j->alt[s - 1][i] != j->p[i].start)
                    fprintf(m, "%s`%s` = %g", any++ ? ", " : "", j->p[i].path[0],
                            j->alt[s - 1][i]);
            fprintf(m, "%s | %.3f |\n", any ? "" : "-", j->fit_obj[s]);
        }
        fputc('\n', m);
    }
    fputs("## Trials\n\nPer target: published value and 95% CI (a rate without a published CI: "
          "+/- 1.96 binomial SE at the arm's size, marked *), the simulated value at the start "
          "and fitted (MCSE in brackets), whether the fitted value is inside the CI, and its "
          "contribution to the objective. The trial's primary figure is marked P.\n\n", m);
    for (int k = 0; k < j->n; k++) {
        const itp_cal_spec *s = itp_calibrator_spec(j->cal[k]);
        fprintf(m, "### %s (`%s`): objective %.3f\n\n", j->trial[k], j->scenario[k],
                r->ev[k].objective);
        fputs("| target | published | 95% CI | start | fitted | inside | contribution |\n"
              "|---|---|---|---|---|---|---|\n", m);
        for (int t = 0; t < s->n_targets; t++) {
            const itp_cal_target *tg = &s->t[t];
            double clo, chi, rr = itp_cal_residual(tg, r->ev[k].value[t]);
            int in = in_ci(tg, r->ev[k].value[t], &clo, &chi);
            char a[48], b[48], c[32] = "-";
            itp_cal_fmt_value(a, sizeof a, r->ev0[k].value[t], r->ev0[k].se[t]);
            itp_cal_fmt_value(b, sizeof b, r->ev[k].value[t], r->ev[k].se[t]);
            if (tg->fit)
                snprintf(c, sizeof c, "%.3f", rr * rr);
            fprintf(m, "| %s%s%s | %.3f | [%.3f, %.3f]%s | %s | %s | %s | %s |\n", tg->name,
                    t == s->primary ? " (P)" : "", tg->fit ? "" : " (held out)", tg->value, clo,
                    chi, isnan(tg->ci_low) ? "*" : "", a, b, in ? "yes" : "no", c);
            if (t == s->primary)
                r->primary_in += in;
        }
        fputc('\n', m);
    }
    fputs("## Leave one trial out\n\nEach trial's primary figure predicted by the model "
          "refitted without that trial's targets.\n\n"
          "| trial | primary | published | 95% CI | joint fit | left out | inside |\n"
          "|---|---|---|---|---|---|---|\n", m);
    for (int k = 0; k < j->n; k++) {
        const itp_cal_spec *s = itp_calibrator_spec(j->cal[k]);
        const itp_cal_target *tg = &s->t[s->primary];
        double clo, chi;
        int in = in_ci(tg, r->pred[k].value[s->primary], &clo, &chi);
        char a[48], b[48];
        itp_cal_fmt_value(a, sizeof a, r->ev[k].value[s->primary], r->ev[k].se[s->primary]);
        itp_cal_fmt_value(b, sizeof b, r->pred[k].value[s->primary], r->pred[k].se[s->primary]);
        fprintf(m, "| %s | %s | %.3f | [%.3f, %.3f]%s | %s | %s | %s |\n", j->trial[k],
                tg->name, tg->value, clo, chi, isnan(tg->ci_low) ? "*" : "", a, b,
                in ? "yes" : "no");
        r->loto_in += in;
    }
    fprintf(m, "\nPrimary figures inside their 95%% CI: %d of %d fitted, %d of %d left out.\n\n",
            r->primary_in, j->n, r->loto_in, j->n);
    fprintf(m, "## Parameters\n\nFitted values with 95%% intervals from the Laplace "
               "approximation in the transformed scale (u = logit of the position within the "
               "bounds): u ~ N(u*, (J'J)^-1), J the Jacobian of the residuals (forward "
               "differences, step %g in u)%s. `draws.csv` holds %d draws from it, in the "
               "parameters' own units.\n\n"
               "| parameter | unit | start | fitted | 95%% interval | bounds | trials it acts on |\n"
               "|---|---|---|---|---|---|---|\n",
            j->step_u, r->ridge > 0 ? "; J'J was singular, and a ridge was added: a parameter "
                                   "with an interval near its bounds is not informed" : "",
            j->n_draws);
    for (int i = 0; i < j->n_params; i++) {
        char trials[768];
        acts_list(j, i, trials, sizeof trials);
        fprintf(m, "| `%s` | %s | %.4g | %.4g | [%.4g, %.4g] | [%g, %g] | %s |\n",
                j->p[i].path[0], j->p[i].unit, j->p[i].start, r->best[i], r->lo[i], r->hi[i],
                j->p[i].min, j->p[i].max, trials);
    }
    return itp_out_commit(&o, err, errlen);
}

itp_status itp_joint_run(itp_joint *j, const char *dir, FILE *progress, FILE *out, char *err,
                         size_t errlen)
{
    static joint_result r;
    static double loto[JOINT_MAX][NP];
    double start[NP];
    int np = j->n_params;
    itp_joint_starts(j, 0, start);
    memset(&r, 0, sizeof r);
    itp_status st = itp_mkdir_p(dir, err, errlen);
    if (!st)
        st = itp_joint_eval_all(j, start, -1, r.ev0, &r.obj0, err, errlen);
    if (!st)
        st = itp_joint_fit_starts(j, r.best, start, progress, err, errlen);
    if (!st)
        st = itp_joint_eval_all(j, r.best, -1, r.ev, &r.obj, err, errlen);
    /* leave one trial out: refit without trial k from the chosen starting
     * point (what trial k alone informs stays there), then predict k */
    for (int k = 0; !st && k < j->n; k++)
        if (!(st = itp_joint_fit_from(j, k, start, j->loto_iters, loto[k], progress, err,
                                      errlen)))
            st = itp_joint_eval_trial(j, k, loto[k], &r.pred[k], err, errlen);
    if (st)
        return st;
    if (!(r.cov = gsl_matrix_alloc((size_t)np, (size_t)np)))
        return ITP_ENOMEM;
    st = itp_joint_laplace(j, r.best, r.cov, r.lo, r.hi, &r.ridge, err, errlen);
    if (!st)
        st = write_draws(j, dir, &r, err, errlen);
    if (!st)
        st = write_fitted(j, dir, &r, err, errlen);
    if (!st)
        st = write_report(j, dir, &r, err, errlen);
    gsl_matrix_free(r.cov);
    if (st || !out)
        return st;
    fprintf(out, "joint calibration of %d trials: objective %.3f -> %.3f; primary figures "
                 "inside their CI: %d of %d fitted, %d of %d left out\n",
            j->n, r.obj0, r.obj, r.primary_in, j->n, r.loto_in, j->n);
    for (int i = 0; i < np; i++)
        fprintf(out, "  %-52s %.4g -> %.4g  [%.4g, %.4g]\n", j->p[i].path[0], j->p[i].start,
                r.best[i], r.lo[i], r.hi[i]);
    fprintf(out, "wrote %s/joint.md, %s/fitted.cfg, %s/draws.csv\n", dir, dir, dir);
    return ITP_OK;
}
