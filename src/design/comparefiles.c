/* The files of a comparison (compare.csv, compare_arms.csv,
 * compare_diff.csv, compare.json) and its terminal table; see compare.h. */
#include "itpsim/compare.h"
#include "itpsim/fmt.h"
#include "itpsim/json.h"

#include <math.h>
#include <string.h>
#include "itpsim/report.h"

#define NA_D ((double)NAN)

static const char *const fig_key[ITP_CMP_N] = {"power", "type1_error", "fwer",
                                               "expected_patients", "expected_duration_months",
                                               "mean_events"};

/* A figure and its MCSE as two CSV fields. */
static void csv_pair(FILE *f, double x, double se)
{
    itp_fmt_csv(f, ",", x, 8);
    itp_fmt_csv(f, ",", se, 8);
}

/* compare.csv: a row per design and hypothesis (of any design). */
static void write_compare_csv(FILE *f, const itp_compare *c)
{
    fputs("design,hypothesis,arm,control,replicates,power,power_mcse,power_ci_low,"
          "power_ci_high,type1_error,type1_mcse,type1_ci_low,type1_ci_high,fwer,fwer_mcse,"
          "expected_patients,expected_patients_mcse,expected_duration_months,"
          "expected_duration_months_mcse,mean_events,mean_events_mcse\n", f);
    for (int i = 0; i < c->n; i++) {
        const itp_cmp_design *d = &c->d[i];
        const itp_mc_summary *s = &d->res.design, *n = &d->res.null;
        for (int j = 0; j < c->n_hyp; j++) {
            const char *h = c->hyp[j];
            int k = itp_scenario_hypothesis(d->scn, h);
            const itp_hypothesis *hy = k >= 0 ? &d->scn->plan.hyp[k] : NULL;
            fprintf(f, "%s,%s,%s,%s,%ld", d->name, h, hy ? d->scn->arms[hy->arm].name : "NA",
                    hy && hy->control >= 0 ? d->scn->arms[hy->control].name : "NA", s->reps);
            double se, x = itp_compare_value(c, i, ITP_CMP_POWER, h, &se), lo = NA_D, hi = NA_D;
            if (hy)
                itp_mc_wilson(s->rejected[k], s->reps, &lo, &hi);
            csv_pair(f, x, se);
            itp_fmt_csv(f, ",", lo, 8);
            itp_fmt_csv(f, ",", hi, 8);
            x = itp_compare_value(c, i, ITP_CMP_TYPE1, h, &se);
            lo = hi = NA_D;
            if (hy && !isnan(x))
                itp_mc_wilson(n->rejected[k] + n->harm_rejected[k], n->reps, &lo, &hi);
            csv_pair(f, x, se);
            itp_fmt_csv(f, ",", lo, 8);
            itp_fmt_csv(f, ",", hi, 8);
            for (int q = ITP_CMP_FWER; q < ITP_CMP_N; q++) {
                x = itp_compare_value(c, i, q, NULL, &se);
                csv_pair(f, x, se);
            }
            fputc('\n', f);
        }
    }
}

/* compare_diff.csv: per design after the first and hypothesis both have
 * (a row with hypothesis NA when they share none), every figure's
 * difference from the first design with its paired and unpaired MCSE and
 * the paired 95% interval. */
static void write_diff_csv(FILE *f, const itp_compare *c)
{
    fputs("design,reference,hypothesis,replicates", f);
    for (int q = 0; q < ITP_CMP_N; q++)
        fprintf(f, ",%s_diff,%s_diff_mcse_paired,%s_diff_mcse_unpaired,%s_diff_ci_low,"
                   "%s_diff_ci_high", fig_key[q], fig_key[q], fig_key[q], fig_key[q],
                fig_key[q]);
    fputc('\n', f);
    for (int i = 1; i < c->n; i++) {
        const itp_cmp_design *d = &c->d[i];
        int rows = 0;
        for (int j = 0; j <= c->n_hyp; j++) {
            const char *h = j < c->n_hyp ? c->hyp[j] : NULL;
            double pa, un;
            if (h && isnan(itp_compare_diff(c, i, ITP_CMP_POWER, h, &pa, &un)))
                continue;   /* not in both */
            if (!h && rows)
                break;
            rows++;
            fprintf(f, "%s,%s,%s,%ld", d->name, c->d[0].name, h ? h : "NA", d->res.design.reps);
            for (int q = 0; q < ITP_CMP_N; q++) {
                double x = itp_compare_diff(c, i, q, h, &pa, &un);
                itp_fmt_csv(f, ",", x, 8);
                itp_fmt_csv(f, ",", pa, 8);
                itp_fmt_csv(f, ",", un, 8);
                itp_fmt_csv(f, ",", x - ITP_Z975 * pa, 8);
                itp_fmt_csv(f, ",", x + ITP_Z975 * pa, 8);
            }
            fputc('\n', f);
        }
    }
}

static void write_arms_csv(FILE *f, const itp_compare *c)
{
    itp_arm_cols cols = {0};
    for (int i = 0; i < c->n; i++)
        itp_arm_cols_add(&cols, c->d[i].scn);
    itp_arm_cols_header(&cols, "design,", f);
    for (int i = 0; i < c->n; i++) {
        char lead[ITP_NAME_MAX + 2];
        snprintf(lead, sizeof lead, "%s,", c->d[i].name);
        itp_arm_cols_rows(&cols, c->d[i].scn, lead, c->d[i].ran ? &c->d[i].res.design : NULL, f);
    }
}

/* One top-level array of a text per design (the readers of compare.json,
 * json.h, take arrays of scalars). */
static void json_list(FILE *f, const itp_compare *c, const char *key, int what)
{
    fprintf(f, "  \"%s\": [", key);
    for (int i = 0; i < c->n; i++) {
        const itp_cmp_design *d = &c->d[i];
        char folder[ITP_NAME_MAX + 16];
        snprintf(folder, sizeof folder, "designs/%s", d->name);
        fputs(i ? ", " : "", f);
        itp_json_put_str(f, what == 0 ? d->name : what == 1 ? d->file : what == 2 ? d->hash
                    : what == 3 ? d->scn->name : folder);
    }
    fputs("],\n", f);
}

static void write_json(FILE *f, const itp_compare *c, const itp_compare_info *info)
{
    fputs("{\n", f);
    json_list(f, c, "designs", 0);
    json_list(f, c, "files", 1);
    json_list(f, c, "scenario_hashes", 2);
    json_list(f, c, "scenarios", 3);
    json_list(f, c, "folders", 4);
    fputs("  \"patients\": [", f);
    for (int i = 0; i < c->n; i++)
        fprintf(f, "%s%d", i ? ", " : "", c->d[i].scn->n_patients);
    fputs("],\n  \"reference\": ", f);
    itp_json_put_str(f, c->n ? c->d[0].name : "");
    fprintf(f, ",\n  \"seed\": %llu,\n  \"replicates\": %ld,\n  \"null\": %s,\n  \"sets\": ",
            (unsigned long long)info->seed, c->reps, c->null ? "true" : "false");
    itp_json_put_strs(f, info->sets, info->n_sets);
    fputs(",\n  \"hypotheses\": [", f);
    for (int j = 0; j < c->n_hyp; j++) {
        fputs(j ? ", " : "", f);
        itp_json_put_str(f, c->hyp[j]);
    }
    fputs("]", f);
    /* on one line of its own, as in summary.json: what differs between
     * comparisons of the same results */
    if (info->provenance)
        fprintf(f, ",\n  \"provenance\": %s", info->provenance);
    fputs("\n}\n", f);
}

itp_status itp_compare_write(const char *dir, const itp_compare *c, const itp_compare_info *info,
                             char *err, size_t errlen)
{
    static const char *const names[4] = {"compare.csv", "compare_arms.csv", "compare_diff.csv",
                                         "compare.json"};
    itp_out out[4];
    itp_out *all[4];
    itp_status st = ITP_OK;
    int n = 0;
    for (; n < 4 && !st; n++) {
        if ((st = itp_out_open(&out[n], dir, names[n], err, errlen)))
            break;
        all[n] = &out[n];
        if (n == 0)
            write_compare_csv(out[n].f, c);
        else if (n == 1)
            write_arms_csv(out[n].f, c);
        else if (n == 2)
            write_diff_csv(out[n].f, c);
        else
            write_json(out[n].f, c, info);
    }
    if (st) {
        for (int i = 0; i < n; i++)
            itp_out_abort(all[i]);
        return st;
    }
    return itp_out_commit_all(all, 4, err, errlen);
}

/* ---- the terminal table ---------------------------------------------------------- */

static const char *num(char *buf, size_t len, int decimals, double x)
{
    if (isfinite(x))
        snprintf(buf, len, "%.*f", decimals, x);
    else
        snprintf(buf, len, "-");
    return buf;
}

/* "x (se)" in a field of width w. */
static void fig(FILE *f, int w, int decimals, double x, double se)
{
    char a[32], b[32], cell[80];
    if (isnan(x))
        snprintf(cell, sizeof cell, "-");
    else
        snprintf(cell, sizeof cell, "%s (%s)", num(a, sizeof a, decimals, x),
                 num(b, sizeof b, decimals, se));
    fprintf(f, " %*s", w, cell);
}

void itp_compare_print(const itp_compare *c, FILE *f)
{
    int nw = 10;
    for (int i = 0; i < c->n; i++)
        if ((int)strlen(c->d[i].name) > nw)
            nw = (int)strlen(c->d[i].name);
    fprintf(f, "%d designs, %ld replicates each%s, the same seed: common random numbers\n",
            c->n, c->reps, c->null ? " (and as many under the null)" : "");
    fprintf(f, "power (MCSE)\n%-*s", nw, "design");
    for (int j = 0; j < c->n_hyp; j++)
        fprintf(f, " %15s", c->hyp[j]);
    fprintf(f, " %17s %17s %17s\n", "FWER (global null)", "patients", "months");
    for (int i = 0; i < c->n; i++) {
        double se, x;
        fprintf(f, "%-*s", nw, c->d[i].name);
        for (int j = 0; j < c->n_hyp; j++) {
            x = itp_compare_value(c, i, ITP_CMP_POWER, c->hyp[j], &se);
            fig(f, 15, 3, x, se);
        }
        x = itp_compare_value(c, i, ITP_CMP_FWER, NULL, &se);
        fig(f, 18, 4, x, se);
        x = itp_compare_value(c, i, ITP_CMP_PATIENTS, NULL, &se);
        fig(f, 17, 1, x, se);
        x = itp_compare_value(c, i, ITP_CMP_MONTH, NULL, &se);
        fig(f, 17, 1, x, se);
        fputc('\n', f);
    }
    if (c->n < 2)
        return;
    fprintf(f, "\ndifference from %s: power (paired MCSE) [unpaired MCSE]\n%-*s", c->d[0].name,
            nw, "design");
    for (int j = 0; j < c->n_hyp; j++)
        fprintf(f, " %24s", c->hyp[j]);
    fprintf(f, " %24s %24s\n", "patients", "months");
    for (int i = 1; i < c->n; i++) {
        fprintf(f, "%-*s", nw, c->d[i].name);
        for (int j = 0; j <= c->n_hyp + 1; j++) {
            double pa, un, x;
            if (j < c->n_hyp)
                x = itp_compare_diff(c, i, ITP_CMP_POWER, c->hyp[j], &pa, &un);
            else
                x = itp_compare_diff(c, i, j == c->n_hyp ? ITP_CMP_PATIENTS : ITP_CMP_MONTH,
                                     NULL, &pa, &un);
            int dec = j < c->n_hyp ? 3 : 1;
            if (x == 0)
                x = 0.0;   /* no "-0" */
            char a[32], b[32], u[32], cell[112];
            if (isnan(x))
                snprintf(cell, sizeof cell, "-");
            else
                snprintf(cell, sizeof cell, "%s%s (%s) [%s]", x >= 0 ? "+" : "",
                         num(a, sizeof a, dec, x), num(b, sizeof b, dec, pa),
                         num(u, sizeof u, dec, un));
            fprintf(f, " %24s", cell);
        }
        fputc('\n', f);
    }
}
