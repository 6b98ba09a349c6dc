/* The files of a sweep or sample size search beyond its table (search.h):
 * the fitted power curve of a search (power_fit.csv) and what the sweep or
 * search was (sweep.json, samplesize.json), for the report. */
#include "itpsim/search.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "itpsim/fmt.h"
#include "itpsim/json.h"
#include "itpsim/report.h"

#define CURVE_POINTS 101

void itp_ss_fit_curves(const itp_scenario *scn, const itp_ss_result *res, int hyp, double power,
                       itp_ss_fit *fits, int *binding)
{
    double x[ITP_MAX_SS_POINTS], r[ITP_MAX_SS_POINTS], m[ITP_MAX_SS_POINTS];
    *binding = -1;
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        itp_ss_fit *f = &fits[k];
        memset(f, 0, sizeof *f);
        f->n_target = f->n_low = f->n_high = (double)NAN;
        if (hyp >= 0 && k != hyp) {
            snprintf(f->why, sizeof f->why, "not the hypothesis searched for");
            continue;
        }
        for (int i = 0; i < res->n_points; i++) {
            x[i] = sqrt((double)res->points[i].n);
            r[i] = (double)res->points[i].rejected[k];
            m[i] = (double)res->points[i].reps;
        }
        itp_status st = itp_probit_fit(x, r, m, (size_t)res->n_points, &f->probit);
        if (st == ITP_EINPUT) {
            snprintf(f->why, sizeof f->why, "fewer than two sizes evaluated");
            continue;
        }
        if (st) {
            snprintf(f->why, sizeof f->why, "the power does not rise and fall smoothly enough "
                     "over the sizes to fit (%s)", itp_strerror(st));
            continue;
        }
        double xs, lo, hi;
        int inv = itp_probit_inverse(&f->probit, power, ITP_Z975, &xs, &lo, &hi);
        if (inv < 0) {
            snprintf(f->why, sizeof f->why, "the fitted power does not rise with the size");
            continue;
        }
        if (!(xs > 0)) {   /* the target at or below no patients: no size to give */
            snprintf(f->why, sizeof f->why, "the fitted power reaches the target only below "
                     "one patient");
            continue;
        }
        f->ok = 1;
        f->n_target = xs * xs;
        if (inv == 0) {
            f->n_low = lo > 0 ? lo * lo : 0.0;
            f->n_high = hi * hi;
        }
        if (*binding < 0 || !(f->n_target <= fits[*binding].n_target))
            *binding = k;
    }
}

itp_status itp_ss_write_fit(const char *dir, const itp_scenario *scn, const itp_ss_result *res,
                            double power, const itp_ss_fit *fits, int binding, char *err,
                            size_t errlen)
{
    itp_out out;
    itp_status st = itp_out_open(&out, dir, "power_fit.csv", err, errlen);
    if (st)
        return st;
    FILE *f = out.f;
    fputs("row,hypothesis,patients,power,power_low,power_high,patients_low,patients_high,"
          "chosen\n", f);
    double n0 = res->n_points ? res->points[0].n : 0;
    double n1 = res->n_points ? res->points[res->n_points - 1].n : 0;
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_ss_fit *q = &fits[k];
        if (!q->ok)
            continue;
        for (int i = 0; i < CURVE_POINTS; i++) {
            double n = n0 + (n1 - n0) * i / (CURVE_POINTS - 1), lo, hi;
            double p = itp_probit_at(&q->probit, sqrt(n), ITP_Z975, &lo, &hi);
            fprintf(f, "curve,%s,%.6g", scn->plan.hyp[k].name, n);
            itp_fmt_csv(f, ",", p, 6);
            itp_fmt_csv(f, ",", lo, 6);
            itp_fmt_csv(f, ",", hi, 6);
            fputs(",NA,NA,0\n", f);
        }
    }
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_ss_fit *q = &fits[k];
        if (!q->ok)
            continue;
        fprintf(f, "size,%s", scn->plan.hyp[k].name);
        itp_fmt_csv(f, ",", q->n_target, 6);
        itp_fmt_csv(f, ",", power, 6);
        fputs(",NA,NA", f);
        itp_fmt_csv(f, ",", q->n_low, 6);
        itp_fmt_csv(f, ",", q->n_high, 6);
        fprintf(f, ",%d\n", k == binding);
    }
    return itp_out_commit(&out, err, errlen);
}

/* The sample size search's own members: its range, steps and fit. */
static void json_search(FILE *f, const itp_scenario *scn, const itp_grid_info *g)
{
    const itp_ss_result *res = g->res;
    fputs(",\n  \"hypothesis\": ", f);
    itp_json_put_str(f, g->hypothesis ? g->hypothesis : "");
    fprintf(f, ",\n  \"min\": %ld,\n  \"max\": %ld,\n  \"step\": %d,\n  \"steps\": [", g->n_min,
            g->n_max, res->step);
    for (int i = 0; i < res->n_steps; i++)
        fprintf(f, "%s%d", i ? ", " : "", res->steps[i]);
    fputs("],\n  \"chosen\": ", f);
    if (res->chosen >= 0)
        fprintf(f, "%d", res->points[res->chosen].n);
    else
        fputs("null", f);
    const itp_ss_fit *q = g->fits && g->binding >= 0 ? &g->fits[g->binding] : NULL;
    fputs(",\n  \"fit\": ", f);
    fputs(q ? "\"probit on sqrt(patients)\"" : "null", f);
    if (q) {
        fputs(",\n  \"fit_hypothesis\": ", f);
        itp_json_put_str(f, scn->plan.hyp[g->binding].name);
        static const char *const key[] = {"fit_intercept", "fit_slope", "fit_intercept_se",
                                          "fit_slope_se", "fit_covariance", "fit_deviance",
                                          "fit_patients", "fit_patients_low", "fit_patients_high"};
        double v[] = {q->probit.a, q->probit.b, sqrt(q->probit.v_aa), sqrt(q->probit.v_bb),
                      q->probit.v_ab, q->probit.deviance, q->n_target, q->n_low, q->n_high};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            fprintf(f, ",\n  \"%s\": ", key[i]);
            itp_fmt_json(f, v[i], 10);
        }
        fprintf(f, ",\n  \"fit_points\": %d", q->probit.points);
    }
}

itp_status itp_grid_write_json(const char *dir, const itp_scenario *scn, const itp_grid_info *g,
                               char *err, size_t errlen)
{
    char name[64];
    snprintf(name, sizeof name, "%s.json", g->command);
    itp_out out;
    itp_status st = itp_out_open(&out, dir, name, err, errlen);
    if (st)
        return st;
    FILE *f = out.f;
    fputs("{\n  \"command\": ", f);
    itp_json_put_str(f, g->command);
    fputs(",\n  \"scenario\": ", f);
    itp_json_put_str(f, scn ? scn->name : "");
    fputs(",\n  \"file\": ", f);
    itp_json_put_str(f, g->file);
    fputs(",\n  \"scenario_hash\": ", f);
    itp_json_put_str(f, g->hash ? g->hash : "");
    fprintf(f, ",\n  \"seed\": %llu,\n  \"replicates\": %ld,\n  \"null\": %s,\n  \"sets\": ",
            (unsigned long long)g->seed, g->reps, g->null ? "true" : "false");
    itp_json_put_strs(f, g->sets, g->n_sets);
    fputs(",\n", f);
    if (g->provenance)
        fprintf(f, "  \"provenance\": %s,\n", g->provenance);
    fputs("  \"alpha\": ", f);
    itp_fmt_json(f, scn ? scn->plan.alpha : (double)NAN, 10);
    fputs(",\n  \"target_power\": ", f);
    itp_fmt_json(f, g->target_power, 10);
    /* the grid, one "KEY=V1,V2,..." text per setting */
    fputs(",\n  \"vary\": [", f);
    for (int v = 0; v < g->n_vary; v++) {
        char buf[128 + ITP_MAX_VARY_VALUES * 65];
        size_t l = (size_t)snprintf(buf, sizeof buf, "%s=", g->vary[v].key);
        for (int k = 0; k < g->vary[v].n && l < sizeof buf; k++)
            l += (size_t)snprintf(buf + l, sizeof buf - l, "%s%s", k ? "," : "",
                                  g->vary[v].text[k]);
        fputs(v ? ", " : "", f);
        itp_json_put_str(f, buf);
    }
    fputc(']', f);
    if (g->res && scn)
        json_search(f, scn, g);
    fputs("\n}\n", f);
    return itp_out_commit(&out, err, errlen);
}
