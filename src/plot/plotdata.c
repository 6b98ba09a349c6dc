/* The data behind the pictures of a run: histograms of the replicates'
 * estimates and p-values, and an assurance run's power over its parameter
 * sets (the re-simulated curves are in plotsim.c, power against a varied
 * setting in plotgrid.c, the helpers in plotio.c). Each is
 * written as CSV in DIR/plots/ for gnuplot (plot.c) and for users' own
 * plots. */

#define HIST_BINS 40
#define P_BINS 50
#include "plotdata.h"

#include <gsl/gsl_statistics_double.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/fmt.h"
#include "itpsim/json.h"
#include "itpsim/analysis.h"
#include "itpsim/calibrate.h"
#include "itpsim/endpoint.h"
#include "itpsim/model.h"
#include "itpsim/multiplicity.h"
#include "itpsim/report.h"
#include "itpsim/survival.h"
#include "itpsim/trial.h"

/* ---- histograms of replicates.csv ------------------------------------------ */

typedef struct hist_col {
    int est, p;               /* column indices */
} hist_col;

itp_status plotdata_replicates(const char *dir, const char *pdir, const itp_scenario *scn,
                               plot_info *info, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/replicates.csv", dir);
    char *text;
    if (plot_read_file(path, &text, NULL))
        return ITP_OK;  /* no replicates: no histograms */
    enum { MAXF = 16 * 6 + 16 };
    char *f[MAXF];
    char *pos = text, *line = plot_next_line(&pos);
    int nf = line ? plot_split_csv(line, f, MAXF) : 0;
    hist_col col[ITP_MAX_HYPOTHESES];
    info->n_hyp = 0;
    for (int i = 0; i < nf; i++) {
        size_t l = strlen(f[i]);
        if (l > 9 && !strcmp(f[i] + l - 9, "_estimate") && info->n_hyp < ITP_MAX_HYPOTHESES &&
            i + 1 < nf) {
            int h = info->n_hyp++;
            snprintf(info->hyp[h], sizeof info->hyp[h], "%.*s", (int)(l - 9), f[i]);
            col[h].est = i;
            col[h].p = i + 1;
            info->hyp_log[h] = 0;
            info->hyp_none[h] = info->hyp_alpha[h] = (double)NAN;
            info->hyp_assumed[h] = (double)NAN;
            info->hyp_assumed_sim[h] = 1;
            info->hyp_arm[h] = -1;
            snprintf(info->hyp_what[h], sizeof info->hyp_what[h], "estimate");
            for (int k = 0; scn && k < scn->plan.n_hyp; k++) {
                const itp_hypothesis *hy = &scn->plan.hyp[k];
                if (strcmp(hy->name, info->hyp[h]))
                    continue;
                const itp_estimate_kind *ek = hy->type->estimate;
                info->hyp_log[h] = ek->log_scale;
                info->hyp_arm[h] = hy->arm;
                /* the hazard model's hazard ratio is the assumed effect */
                if (ek->log_scale && isfinite(hy->true_hr)) {
                    info->hyp_assumed[h] = hy->true_hr;
                    info->hyp_assumed_sim[h] = 0;
                }
                /* no effect: a ratio of 1, a difference of 0 (a single
                 * arm's rate has its p0 instead: none drawn) */
                if (ek != &itp_est_rate)
                    info->hyp_none[h] = ek->log_scale ? 1.0 : 0.0;
                /* the alpha the hypothesis starts with: all of it without
                 * a procedure, its weight's share under a weighted one */
                const struct itp_mult_procedure *mp = scn->plan.mult;
                if (!mp)
                    info->hyp_alpha[h] = scn->plan.alpha;
                else if (mp->uses & ITP_MULT_USES_WEIGHTS)
                    info->hyp_alpha[h] = scn->plan.alpha * scn->plan.weights[k];
                snprintf(info->hyp_what[h], sizeof info->hyp_what[h], "%s",
                         hy->type->estimate->label);
            }
        }
    }
    if (nf < 2 || strcmp(f[0], "scenario") || info->n_hyp == 0) {
        free(text);
        return ITP_OK;
    }
    /* values per hypothesis and scenario */
    size_t cap = 1024, nrow = 0;
    double *est = malloc(cap * ITP_MAX_HYPOTHESES * sizeof *est);
    double *pv = malloc(cap * ITP_MAX_HYPOTHESES * sizeof *pv);
    int *sc = malloc(cap * sizeof *sc);
    itp_status st = est && pv && sc ? ITP_OK : ITP_ENOMEM;
    while (!st && (line = plot_next_line(&pos))) {
        if (!*line)
            continue;
        int m = plot_split_csv(line, f, MAXF);
        if (m < nf)
            continue;
        if (nrow == cap) {
            cap *= 2;
            double *e2 = realloc(est, cap * ITP_MAX_HYPOTHESES * sizeof *est);
            if (e2)
                est = e2;
            double *p2 = realloc(pv, cap * ITP_MAX_HYPOTHESES * sizeof *pv);
            if (p2)
                pv = p2;
            int *s2 = realloc(sc, cap * sizeof *sc);
            if (s2)
                sc = s2;
            if (!e2 || !p2 || !s2) {
                st = ITP_ENOMEM;
                break;
            }
        }
        sc[nrow] = !strcmp(f[0], "null");
        for (int h = 0; h < info->n_hyp; h++) {
            est[nrow * ITP_MAX_HYPOTHESES + (size_t)h] = plot_parse_num(f[col[h].est]);
            pv[nrow * ITP_MAX_HYPOTHESES + (size_t)h] = plot_parse_num(f[col[h].p]);
        }
        if (sc[nrow])
            info->has_null = 1;
        nrow++;
    }
    free(text);
    /* no closed form (the platelet model): the median design estimate */
    for (int h = 0; !st && h < info->n_hyp; h++) {
        if (!info->hyp_assumed_sim[h])
            continue;
        double *x = malloc((nrow ? nrow : 1) * sizeof *x);
        size_t m = 0;
        for (size_t r = 0; x && r < nrow; r++) {
            double v = est[r * ITP_MAX_HYPOTHESES + (size_t)h];
            if (!sc[r] && isfinite(v))
                x[m++] = v;
        }
        if (!x)
            st = ITP_ENOMEM;
        else
            info->hyp_assumed[h] = itp_plot_quantile(x, m, 0.5);
        free(x);
    }
    itp_out oe, op;
    int open_e = 0, open_p = 0;
    if (!st && !(st = itp_out_open(&oe, pdir, "estimates.csv", err, errlen)))
        open_e = 1;
    if (!st && !(st = itp_out_open(&op, pdir, "pvalues.csv", err, errlen)))
        open_p = 1;
    static const char *const scen_name[2] = {"design", "null"};
    if (!st) {
        fputs("hypothesis,hyp_index,scenario,scenario_index,bin_low,bin_high,bin_mid,count,share\n",
              oe.f);
        fputs("hypothesis,hyp_index,scenario,scenario_index,bin_low,bin_high,bin_mid,count,share\n",
              op.f);
        for (int h = 0; h < info->n_hyp; h++) {
            int lg = info->hyp_log[h];
            double lo = HUGE_VAL, hi = -HUGE_VAL;
            for (size_t r = 0; r < nrow; r++) {
                double v = est[r * ITP_MAX_HYPOTHESES + (size_t)h];
                if (lg)
                    v = v > 0 ? log(v) : (double)NAN;
                if (isfinite(v)) {
                    lo = fmin(lo, v);
                    hi = fmax(hi, v);
                }
            }
            if (!(hi > lo)) {
                double c = isfinite(lo) ? lo : 0;
                lo = c - 0.5;
                hi = c + 0.5;
            }
            double w = (hi - lo) / HIST_BINS;
            for (int s = 0; s < 2; s++) {
                long cnt[HIST_BINS] = {0}, bad = 0, pc[P_BINS] = {0}, total = 0;
                for (size_t r = 0; r < nrow; r++) {
                    if (sc[r] != s)
                        continue;
                    total++;
                    double v = est[r * ITP_MAX_HYPOTHESES + (size_t)h];
                    if (lg)
                        v = v > 0 ? log(v) : (double)NAN;
                    if (!isfinite(v))
                        bad++;
                    else {
                        int b = (int)floor((v - lo) / w);
                        cnt[b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b]++;
                    }
                    double p = pv[r * ITP_MAX_HYPOTHESES + (size_t)h];
                    int b = isnan(p) ? 0 : (int)floor(p * P_BINS);
                    pc[b < 0 ? 0 : b >= P_BINS ? P_BINS - 1 : b]++;
                }
                if (total == 0)
                    continue;
                for (int b = 0; b < HIST_BINS; b++) {
                    double a0 = lo + b * w, a1 = lo + (b + 1) * w, mid = lo + (b + 0.5) * w;
                    if (lg) {
                        a0 = exp(a0);
                        a1 = exp(a1);
                        mid = exp(mid);
                    }
                    fprintf(oe.f, "%s,%d,%s,%d,%.8g,%.8g,%.8g,%ld,%.6g\n", info->hyp[h], h,
                            scen_name[s], s, a0, a1, mid, cnt[b], (double)cnt[b] / (double)total);
                }
                if (bad)
                    fprintf(oe.f, "%s,%d,%s,%d,NA,NA,NA,%ld,%.6g\n", info->hyp[h], h,
                            scen_name[s], s, bad, (double)bad / (double)total);
                for (int b = 0; b < P_BINS; b++)
                    fprintf(op.f, "%s,%d,%s,%d,%.6g,%.6g,%.6g,%ld,%.6g\n", info->hyp[h], h,
                            scen_name[s], s, (double)b / P_BINS, (double)(b + 1) / P_BINS,
                            (b + 0.5) / P_BINS, pc[b], (double)pc[b] / (double)total);
            }
        }
        itp_out *both[2] = {&oe, &op};
        st = itp_out_commit_all(both, 2, err, errlen);
        open_e = open_p = 0;
    }
    if (open_e)
        itp_out_abort(&oe);
    if (open_p)
        itp_out_abort(&op);
    free(est);
    free(pv);
    free(sc);
    if (st && !err[0])
        snprintf(err, errlen, "%s: %s", path, itp_strerror(st));
    return st;
}

/* ---- assurance ----------------------------------------------------------------- */

itp_status plotdata_assurance(const char *dir, const char *pdir, plot_info *info, char *err,
                              size_t errlen)
{
    enum { MAXF = 1 + 64 + ITP_MAX_HYPOTHESES + 1 };
    char path[1024], *text = NULL, *hdr[MAXF], *f[MAXF];
    snprintf(path, sizeof path, "%s/assurance.csv", dir);
    if (plot_read_file(path, &text, NULL))
        return ITP_OK;
    char *pos = text, *line = plot_next_line(&pos);
    int nf = line ? plot_split_csv(line, hdr, MAXF) : 0, pc = 1;
    while (pc < nf && strncmp(hdr[pc], "power_", 6))
        pc++;
    int np = pc - 1;
    size_t cap = 256, n = 0;
    double *x = malloc(cap * (size_t)(np + 1) * sizeof *x);
    while (x && np > 0 && pc < nf && (line = plot_next_line(&pos))) {
        if (!*line || plot_split_csv(line, f, MAXF) < nf)
            continue;
        if (n == cap) {
            double *y = realloc(x, 2 * cap * (size_t)(np + 1) * sizeof *x);
            if (!y)
                break;
            x = y;
            cap *= 2;
        }
        for (int c = 0; c <= np; c++)
            x[n * (size_t)(np + 1) + (size_t)c] = strtod(f[c < np ? 1 + c : pc], NULL);
        n++;
    }
    itp_status st = ITP_OK;
    if (x && n > 2) {
        /* the three parameters most correlated with the power */
        double *col = malloc(2 * n * sizeof *col), *work = malloc(2 * n * sizeof *work);
        int best[3] = {-1, -1, -1};
        double rho[64];
        for (int c = 0; col && work && c < np && c < 64; c++) {
            for (size_t i = 0; i < n; i++) {
                col[i] = x[i * (size_t)(np + 1) + (size_t)c];
                col[n + i] = x[i * (size_t)(np + 1) + (size_t)np];
            }
            rho[c] = gsl_stats_spearman(col, 1, col + n, 1, n, work);
            for (int b = 0; b < 3; b++)
                if (!isnan(rho[c]) && (best[b] < 0 || fabs(rho[c]) > fabs(rho[best[b]]))) {
                    for (int m = 2; m > b; m--)
                        best[m] = best[m - 1];
                    best[b] = c;
                    break;
                }
        }
        free(col);
        free(work);
        itp_out out;
        if (!(st = itp_out_open(&out, pdir, "assurance.csv", err, errlen))) {
            fputs("set,power", out.f);
            info->n_assur_par = 0;
            for (int b = 0; b < 3 && best[b] >= 0; b++) {
                fprintf(out.f, ",%s", hdr[1 + best[b]]);
                snprintf(info->assur_par[b], sizeof info->assur_par[b], "%s", hdr[1 + best[b]]);
                info->assur_rho[b] = rho[best[b]];
                info->n_assur_par++;
            }
            fputc('\n', out.f);
            for (size_t i = 0; i < n; i++) {
                fprintf(out.f, "%zu,%.6g", i, x[i * (size_t)(np + 1) + (size_t)np]);
                for (int b = 0; b < info->n_assur_par; b++)
                    fprintf(out.f, ",%.9g", x[i * (size_t)(np + 1) + (size_t)best[b]]);
                fputc('\n', out.f);
            }
            st = itp_out_commit(&out, err, errlen);
        }
        if (!st) {
            double m = 0;
            for (size_t i = 0; i < n; i++)
                m += x[i * (size_t)(np + 1) + (size_t)np] / (double)n;
            info->assur_mean = m;
            info->assur_fixed = (double)NAN;
            char jpath[1100], *json = NULL, v[64];
            snprintf(jpath, sizeof jpath, "%s/assurance.json", dir);
            if (!plot_read_file(jpath, &json, NULL) &&
                itp_json_get(json, "power_at_fixed_parameters", 0, v, sizeof v))
                info->assur_fixed = plot_parse_num(v);
            free(json);
            info->assur_sets = (int)n;
            snprintf(info->assur_hyp, sizeof info->assur_hyp, "%s", hdr[pc] + 6);
        }
    }
    free(x);
    free(text);
    return st;
}
