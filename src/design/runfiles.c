/* The result files of a run (summary.json, summary.csv, arms.csv) and its
 * printed summary; see run.h. */
#include "itpsim/fmt.h"
#include "itpsim/json.h"
#include "itpsim/run.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "itpsim/report.h"
#include "run_internal.h"

/* NAN is a float; every NA here is a double. */
#define NA_D ((double)NAN)

/* ---- result files -------------------------------------------------------------- */


/* "NAME": p, "SE": its MC standard error, "NAME_ci": its Wilson 95% CI. */
static void json_prop(FILE *f, const char *name, const char *se, long k, long r, int comma)
{
    double p = r ? (double)k / (double)r : NA_D, lo, hi;
    itp_mc_wilson(k, r, &lo, &hi);
    fprintf(f, "\"%s\": ", name);
    itp_fmt_json(f, p, 10);
    fprintf(f, ", \"%s\": ", se);
    itp_fmt_json(f, itp_mc_se(p, r), 10);
    fprintf(f, ", \"%s_ci\": [", name);
    itp_fmt_json(f, lo, 10);
    fputs(", ", f);
    itp_fmt_json(f, hi, 10);
    fprintf(f, "]%s", comma ? ", " : "");
}

/* The landmark in months as labels give it: 12, 6, 1.5, 0.25. */
static const char *landmark_text(const itp_scenario *scn, char *buf, size_t len)
{
    snprintf(buf, len, "%.4g", scn->plan.landmark_months);
    return buf;
}

/* The per-arm landmark column: tf_free_12m at the default of 12 months,
 * tf_free_6m at landmark_months = 6, tf_free_1.5m at 1.5. */
static const char *landmark_key(const itp_scenario *scn, char *buf, size_t len)
{
    char m[32];
    snprintf(buf, len, "tf_free_%sm", landmark_text(scn, m, sizeof m));
    return buf;
}

/* ---- group-sequential designs: the analyses ------------------------------------- */

/* Analysis k of summary s: share of replicates reaching it, stopping there
 * for efficacy and for futility, mean information fraction, month and
 * bound (NaN when none). */
enum { FIG_HELD, FIG_EFF, FIG_FUT, FIG_T, FIG_MONTH, FIG_BOUND, N_FIG };
static const char *const fig_key[N_FIG] = {"held", "stop_efficacy", "stop_futility",
                                           "mean_fraction", "mean_month", "mean_z_bound"};
typedef struct stage_fig {
    double v[N_FIG];
} stage_fig;

static stage_fig stage_of(const itp_mc_summary *s, int k)
{
    stage_fig g;
    double r = s->reps ? (double)s->reps : NA_D;
    g.v[FIG_HELD] = s->gs_held[k] / r;
    g.v[FIG_EFF] = s->gs_eff[k] / r;
    g.v[FIG_FUT] = s->gs_fut[k] / r;
    g.v[FIG_T] = s->gs_held[k] ? s->gs_t_sum[k] / s->gs_held[k] : NA_D;
    g.v[FIG_MONTH] = s->gs_held[k] ? s->gs_month_sum[k] / s->gs_held[k] : NA_D;
    g.v[FIG_BOUND] = s->gs_bound_n[k] ? s->gs_bound_sum[k] / s->gs_bound_n[k] : NA_D;
    return g;
}

/* The design's planned fractions and nominal bounds (NaN for calendar
 * interims, whose fractions are not planned). */
static void nominal(const itp_scenario *scn, double *t, double *b)
{
    const itp_interims *iv = &scn->plan.interims;
    if (itp_interims_nominal(scn, b) != ITP_OK)
        for (int k = 0; k <= iv->n; k++)
            b[k] = NA_D;
    for (int k = 0; k <= iv->n; k++)
        t[k] = iv->by_months ? NA_D : k < iv->n ? iv->at[k] : 1.0;
}

static void write_stages_json(FILE *f, const itp_scenario *scn, const itp_run_result *res)
{
    const itp_interims *iv = &scn->plan.interims;
    double pt[ITP_GS_STAGES], pb[ITP_GS_STAGES];
    nominal(scn, pt, pb);
    fputs(",\n  \"stop_on\": ", f);
    itp_json_put_str(f, scn->plan.hyp[iv->stop_on].name);
    fputs(",\n  \"stages\": [\n", f);
    const itp_mc_summary *sum[2] = {&res->design, &res->null};
    for (int k = 0; k <= iv->n; k++) {
        fprintf(f, "    {\"analysis\": %d, \"planned_fraction\": ", k + 1);
        itp_fmt_json(f, pt[k], 10);
        fputs(", \"planned_z_bound\": ", f);
        itp_fmt_json(f, pb[k], 10);
        fputs(", \"planned_p_bound\": ", f);
        itp_fmt_json(f, isfinite(pb[k]) ? gsl_cdf_ugaussian_Q(pb[k]) : NA_D, 10);
        for (int v = 0; v < 1 + res->has_null; v++) {
            stage_fig g = stage_of(sum[v], k);
            for (int q = 0; q < N_FIG; q++) {
                fprintf(f, "%s\"%s%s\": ", q ? ", " : ",\n     ", v ? "null_" : "",
                        fig_key[q]);
                itp_fmt_json(f, g.v[q], 10);
            }
        }
        fprintf(f, "}%s\n", k < iv->n ? "," : "");
    }
    fputs("  ]", f);
    for (int v = 0; v < 1 + res->has_null; v++) {
        const itp_mc_summary *d = sum[v];
        double np = 0;
        for (int a = 0; a < scn->n_arms; a++)
            np += d->arm_n_sum[a];
        fprintf(f, ",\n  \"%sexpected_patients\": ", v ? "null_" : "");
        itp_fmt_json(f, d->reps ? np / d->reps : NA_D, 10);
        fprintf(f, ", \"%sexpected_events\": ", v ? "null_" : "");
        itp_fmt_json(f, d->reps ? d->events_sum / d->reps : NA_D, 10);
        fprintf(f, ", \"%sexpected_duration_months\": ", v ? "null_" : "");
        itp_fmt_json(f, d->reps ? d->cut_sum / d->reps : NA_D, 10);
    }
}

static void write_stages_csv(FILE *f, const itp_scenario *scn, const itp_run_result *res)
{
    const itp_interims *iv = &scn->plan.interims;
    double pt[ITP_GS_STAGES], pb[ITP_GS_STAGES];
    nominal(scn, pt, pb);
    fputs("scenario,analysis,planned_fraction,planned_z_bound,planned_p_bound", f);
    for (int q = 0; q < N_FIG; q++)
        fprintf(f, ",%s", fig_key[q]);
    fputc('\n', f);
    const itp_mc_summary *sum[2] = {&res->design, &res->null};
    for (int v = 0; v < 1 + res->has_null; v++)
        for (int k = 0; k <= iv->n; k++) {
            stage_fig g = stage_of(sum[v], k);
            fprintf(f, "%s,%d", v ? "null" : "design", k + 1);
            itp_fmt_csv(f, ",", pt[k], 8);
            itp_fmt_csv(f, ",", pb[k], 8);
            itp_fmt_csv(f, ",", isfinite(pb[k]) ? gsl_cdf_ugaussian_Q(pb[k]) : NA_D, 8);
            for (int q = 0; q < N_FIG; q++)
                itp_fmt_csv(f, ",", g.v[q], 8);
            fputc('\n', f);
        }
}

/* The arms of partial null i, "a+b". */
static const char *null_arms(const itp_scenario *scn, unsigned arms, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int a = 0; a < scn->n_arms && used < len; a++)
        if (arms >> a & 1u)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "+" : "",
                                     scn->arms[a].name);
    return buf;
}

/* The largest family-wise error: under the null and every partial null. */
static double strong_fwer(const itp_run_result *res, long *k, long *r)
{
    *k = res->null.any_rejected;
    *r = res->null.reps;
    double worst = *r ? (double)*k / *r : NA_D;
    for (int i = 0; i < res->n_partial; i++) {
        double x = (double)res->partial_fwer[i] / res->partial_reps[i];
        if (x > worst) {
            worst = x;
            *k = res->partial_fwer[i];
            *r = res->partial_reps[i];
        }
    }
    return worst;
}

static void write_partial_json(FILE *f, const itp_scenario *scn, const itp_run_result *res)
{
    char buf[512];
    fputs("\n  \"partial_nulls\": [\n", f);
    for (int i = 0; i < res->n_partial; i++) {
        fputs("    {\"null_arms\": ", f);
        itp_json_put_str(f, null_arms(scn, res->partial_arms[i], buf, sizeof buf));
        fputs(", ", f);
        json_prop(f, "fwer", "fwer_mcse", res->partial_fwer[i], res->partial_reps[i], 0);
        fprintf(f, "}%s\n", i + 1 < res->n_partial ? "," : "");
    }
    long k, r;
    strong_fwer(res, &k, &r);
    fputs("  ],\n  ", f);
    json_prop(f, "strong_fwer", "strong_fwer_mcse", k, r, 1);
}

static void write_json(FILE *f, const itp_scenario *scn, const itp_run_opts *o,
                       const itp_run_result *res, const char *hash)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    const itp_analysis_plan *pl = &scn->plan;
    fputs("{\n  \"scenario\": ", f);
    itp_json_put_str(f, scn->name);
    fputs(",\n  \"file\": ", f);
    itp_json_put_str(f, scn->file);
    /* Which scenario wrote the folder (itp_run_dir_check reads it back), and
     * whether every planned replicate ran. */
    fputs(",\n  \"scenario_hash\": ", f);
    itp_json_put_str(f, hash ? hash : "");
    fprintf(f, ",\n  \"partial\": %s,\n  \"completed\": %ld",
            res->complete ? "false" : "true", d->reps + (res->has_null ? n->reps : 0L));
    fprintf(f, ",\n  \"seed\": %llu,\n  \"replicates\": %ld,\n  \"null_replicates\": %ld,\n",
            (unsigned long long)o->seed, d->reps, res->has_null ? n->reps : 0L);
    /* the --set overrides (itpsim plot reads them back) */
    fputs("  \"sets\": ", f);
    itp_json_put_strs(f, o->sets, o->n_sets);
    fputs(",\n", f);
    /* on one line of its own: what differs between runs of the same results */
    if (o->provenance)
        fprintf(f, "  \"provenance\": %s,\n", o->provenance);
    if (o->shard)
        fprintf(f, "  \"shard_from\": %ld, \"shard_to\": %ld,\n", o->first, o->first + o->reps);
    fprintf(f, "  \"patients\": %d,\n  \"alpha\": ", o->patients ? o->patients : scn->n_patients);
    itp_fmt_json(f, pl->alpha, 10);
    fputs(",\n  \"multiplicity\": ", f);
    itp_json_put_str(f, pl->mult ? pl->mult->name : "none");
    /* the arm components outside the exposures the fit saw ("" none) */
    fputs(",\n  \"extrapolated\": ", f);
    itp_json_put_str(f, scn->extrapolated);
    fputs(",\n  \"hypotheses\": [\n", f);
    for (int k = 0; k < pl->n_hyp; k++) {
        const itp_hypothesis *h = &pl->hyp[k];
        fputs("    {\"name\": ", f);
        itp_json_put_str(f, h->name);
        fputs(", \"endpoint\": ", f);
        itp_json_put_str(f, scn->endpoints[h->endpoint].name);
        fputs(", \"arm\": ", f);
        itp_json_put_str(f, scn->arms[h->arm].name);
        fputs(", \"control\": ", f);
        if (h->control >= 0)
            itp_json_put_str(f, scn->arms[h->control].name);
        else
            fputs("null", f);
        fputs(", \"test\": ", f);
        itp_json_put_str(f, h->test);
        fputs(",\n     ", f);
        json_prop(f, "power", "power_mcse", d->rejected[k], d->reps, 1);
        json_prop(f, "harm_rejections", "harm_rejections_mcse", d->harm_rejected[k], d->reps, 1);
        fputs("\n     ", f);
        /* every hypothesis, a single-arm one too (its responses drawn at
         * p0, analysis.h), is a true null in the null version: both
         * directions of a two-sided one err */
        if (res->has_null)
            json_prop(f, "type1_error", "type1_mcse", n->rejected[k] + n->harm_rejected[k],
                      n->reps, 1);
        else
            fputs("\"type1_error\": null, \"type1_mcse\": null, \"type1_error_ci\": null, ", f);
        fputs("\n     \"estimate\": ", f);
        itp_json_put_str(f, h->type->estimate->name);
        fputs(", \"median_estimate\": ", f);
        itp_fmt_json(f, itp_mc_median_estimate(d, scn, k), 10);
        fputs(", \"ci_coverage\": ", f);
        itp_fmt_json(f, d->coverable[k] ? (double)d->covered[k] / d->coverable[k] : NA_D, 10);
        fputs(", \"true_hazard_ratio\": ", f);
        itp_fmt_json(f, h->true_hr, 10);
        fprintf(f, ", \"flagged_replicates\": %ld}%s\n", d->flagged[k], k + 1 < pl->n_hyp ? "," : "");
    }
    fputs("  ],\n  ", f);
    if (res->has_null)
        json_prop(f, "fwer", "fwer_mcse", n->any_rejected, n->reps, 1);
    else
        fputs("\"fwer\": null, \"fwer_mcse\": null, \"fwer_ci\": null, ", f);
    if (res->n_partial > 0)
        write_partial_json(f, scn, res);
    fputs("\n  ", f);
    json_prop(f, "any_rejected", "any_rejected_mcse", d->any_rejected, d->reps, 1);
    fputs("\n  ", f);
    json_prop(f, "all_rejected", "all_rejected_mcse", d->all_rejected, d->reps, 0);
    fputs(",\n  \"mean_analysis_month\": ", f);
    itp_fmt_json(f, d->reps ? d->cut_sum / d->reps : NA_D, 10);
    fputs(",\n  \"mean_events\": ", f);
    itp_fmt_json(f, d->reps ? d->events_sum / d->reps : NA_D, 10);
    if (pl->interims.n > 0)
        write_stages_json(f, scn, res);
    fputs(",\n  \"landmark_months\": ", f);
    itp_fmt_json(f, pl->landmark_months, 10);
    fputs(",\n  \"arms\": [\n", f);
    char key[48];
    landmark_key(scn, key, sizeof key);
    for (int a = 0; a < scn->n_arms; a++) {
        fputs("    {\"name\": ", f);
        itp_json_put_str(f, scn->arms[a].name);
        fprintf(f, ", \"%s\": ", key);
        itp_fmt_json(f, d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D, 10);
        fputs(", \"median_ttf_months\": ", f);
        itp_fmt_json(f, itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH, 10);
        fputs(", \"mean_patients\": ", f);
        itp_fmt_json(f, d->reps ? d->arm_n_sum[a] / d->reps : NA_D, 10);
        fputs(", \"mean_events\": ", f);
        itp_fmt_json(f, d->reps ? d->arm_events_sum[a] / d->reps : NA_D, 10);
        for (int e = 0; e < scn->n_endpoints; e++) {
            if (scn->endpoints[e].type->kind != ITP_EP_BINARY)
                continue;
            fputs(", ", f);
            itp_json_put_str(f, scn->endpoints[e].name);
            fputs(": ", f);
            itp_fmt_json(f, d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D, 10);
        }
        fprintf(f, "}%s\n", a + 1 < scn->n_arms ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

static void csv_prop(FILE *f, long k, long r, int have)
{
    double lo, hi, p = have && r ? (double)k / (double)r : NA_D;
    itp_mc_wilson(k, r, &lo, &hi);
    itp_fmt_csv(f, ",", p, 8);
    itp_fmt_csv(f, ",", have ? itp_mc_se(p, r) : NA_D, 8);
    itp_fmt_csv(f, ",", have ? lo : NA_D, 8);
    itp_fmt_csv(f, ",", have ? hi : NA_D, 8);
}

static void write_summary_csv(FILE *f, const itp_scenario *scn, const itp_run_result *res)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    fputs("hypothesis,endpoint,arm,control,test,replicates,power,power_mcse,power_ci_low,"
          "power_ci_high,type1_error,type1_mcse,type1_ci_low,type1_ci_high,median_estimate,"
          "ci_coverage,flagged_replicates,harm_rejections,harm_rejections_mcse\n", f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        fprintf(f, "%s,%s,%s,%s,%s,%ld", h->name, scn->endpoints[h->endpoint].name,
                scn->arms[h->arm].name, h->control >= 0 ? scn->arms[h->control].name : "NA",
                h->test, d->reps);
        csv_prop(f, d->rejected[k], d->reps, 1);
        csv_prop(f, res->has_null ? n->rejected[k] + n->harm_rejected[k] : 0,
                 res->has_null ? n->reps : 0, res->has_null);
        itp_fmt_csv(f, ",", itp_mc_median_estimate(d, scn, k), 8);
        itp_fmt_csv(f, ",", d->coverable[k] ? (double)d->covered[k] / d->coverable[k] : NA_D, 8);
        fprintf(f, ",%ld", d->flagged[k]);
        double hr = d->reps ? (double)d->harm_rejected[k] / d->reps : NA_D;
        itp_fmt_csv(f, ",", hr, 8);
        itp_fmt_csv(f, ",", d->reps ? itp_mc_se(hr, d->reps) : NA_D, 8);
        fputc('\n', f);
    }
}

static void write_arms_csv(FILE *f, const itp_scenario *scn, const itp_run_result *res)
{
    const itp_mc_summary *d = &res->design;
    char key[48];
    fprintf(f, "arm,mean_patients,mean_events,%s,median_ttf_months",
            landmark_key(scn, key, sizeof key));
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
            fprintf(f, ",%s", scn->endpoints[e].name);
    fputc('\n', f);
    for (int a = 0; a < scn->n_arms; a++) {
        fprintf(f, "%s", scn->arms[a].name);
        itp_fmt_csv(f, ",", d->reps ? d->arm_n_sum[a] / d->reps : NA_D, 8);
        itp_fmt_csv(f, ",", d->reps ? d->arm_events_sum[a] / d->reps : NA_D, 8);
        itp_fmt_csv(f, ",", d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D, 8);
        itp_fmt_csv(f, ",", itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH, 8);
        for (int e = 0; e < scn->n_endpoints; e++)
            if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
                itp_fmt_csv(f, ",", d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D, 8);
        fputc('\n', f);
    }
}

/* ---- writing the results --------------------------------------------------------- */

itp_status itp_write_results(const char *dir, const itp_scenario *scn, const itp_run_opts *o,
                             const itp_run_result *res, const char *hash, itp_out *replicates,
                             char *err, size_t errlen)
{
    itp_out out[6];
    itp_out *all[7] = {replicates};
    static const char *const names[] = {STATE_FILE, ITP_SHARD_STATE, "summary.csv", "arms.csv",
                                        "stages.csv", "summary.json"};
    int n = 1;
    itp_status st = ITP_OK;
    /* replicates.csv first and summary.json last: summary.json says which
     * scenario the folder holds, and whether the run is partial. */
    for (int i = res->complete ? 1 : 0; !st && i < 6; i++) {
        if ((i == 1 && !(o->shard && res->complete)) || (i == 4 && scn->plan.interims.n == 0))
            continue;   /* a finished shard's state; stages.csv: group-sequential designs */
        if ((st = itp_out_open(&out[i], dir, names[i], err, errlen)))
            break;
        all[n++] = &out[i];
        if (i <= 1)
            itp_run_write_state(out[i].f, scn, o, res, hash);
        else if (i == 2)
            write_summary_csv(out[i].f, scn, res);
        else if (i == 3)
            write_arms_csv(out[i].f, scn, res);
        else if (i == 4)
            write_stages_csv(out[i].f, scn, res);
        else
            write_json(out[i].f, scn, o, res, hash);
    }
    if (st) {
        for (int i = 0; i < n; i++)
            itp_out_abort(all[i]);
        return st;
    }
    /* the files of an earlier set that this one does not have go with the
     * switch: a finished run's state, a shard's state, stages.csv */
    const char *gone[5] = {CHECKPOINT_FILE, CHECKPOINT_ROWS};
    int n_gone = 2;
    if (res->complete)
        gone[n_gone++] = STATE_FILE;
    if (!(o->shard && res->complete))
        gone[n_gone++] = ITP_SHARD_STATE;
    if (scn->plan.interims.n == 0)
        gone[n_gone++] = "stages.csv";
    return itp_out_commit_set(all, n, gone, n_gone, err, errlen);
}

itp_status itp_run_checkpoint(const char *dir, const itp_scenario *scn, const itp_run_opts *o,
                              const itp_run_result *res, const char *hash, itp_out *rep,
                              char *err, size_t errlen)
{
    if (!itp_out_writes() || !rep->f || !rep->tmp[0])
        return ITP_OK;
    /* the rows the state counts, on the disk first */
    if (fflush(rep->f) != 0 ||
        (fsync(fileno(rep->f)) != 0 && errno != EINVAL && errno != EROFS)) {
        snprintf(err, errlen, "%s: write failed: %s", rep->path, strerror(errno ? errno : EIO));
        return ITP_EIO;
    }
    char ck[1100], rows[1100];
    struct stat a, b;
    snprintf(ck, sizeof ck, "%s/%s", dir, CHECKPOINT_FILE);
    snprintf(rows, sizeof rows, "%s/%s", dir, CHECKPOINT_ROWS);
    if (stat(rep->tmp, &a) != 0 || stat(rows, &b) != 0 || a.st_ino != b.st_ino ||
        a.st_dev != b.st_dev) {
        /* an earlier run's checkpoint goes, state first */
        remove(ck);
        remove(rows);
        if (link(rep->tmp, rows) != 0)
            return ITP_OK;   /* no hard links on this file system: no checkpoints */
    }
    itp_out c;
    itp_status st = itp_out_open(&c, dir, CHECKPOINT_FILE, err, errlen);
    if (st)
        return st;
    itp_run_write_state(c.f, scn, o, res, hash);
    return itp_out_commit(&c, err, errlen);
}

/* A number for the table, or "NA" when it is not finite. */
static const char *num(char *buf, size_t len, int decimals, double x)
{
    if (isfinite(x))
        snprintf(buf, len, "%.*f", decimals, x);
    else
        snprintf(buf, len, "%s", isinf(x) ? (x > 0 ? "Inf" : "-Inf") : "NA");
    return buf;
}

static double share(long k, long r)
{
    return r > 0 ? (double)k / (double)r : NA_D;
}

/* The analyses of a group-sequential design: planned fraction and bound,
 * then per analysis the share stopping for efficacy and futility (design,
 * and under the null), and the expected size, events and duration. */
static void print_stages(const itp_scenario *scn, const itp_run_result *res, FILE *f)
{
    const itp_interims *iv = &scn->plan.interims;
    double pt[ITP_GS_STAGES], pb[ITP_GS_STAGES];
    char b[8][32];
    nominal(scn, pt, pb);
    fprintf(f, "\nanalyses (stopping on %s): planned fraction, z bound (one-sided p), mean "
               "month; stops for efficacy / futility, design%s\n",
            scn->plan.hyp[iv->stop_on].name, res->has_null ? " | null" : "");
    for (int k = 0; k <= iv->n; k++) {
        stage_fig g = stage_of(&res->design, k), z = stage_of(&res->null, k);
        fprintf(f, "  %d%s %6s  %6s (%s)  month %5s   %6s / %6s", k + 1, k < iv->n ? " " : "F",
                num(b[0], 32, 2, pt[k]),
                num(b[1], 32, 3, isfinite(pb[k]) ? pb[k] : g.v[FIG_BOUND]),
                num(b[2], 32, 4, isfinite(pb[k]) ? gsl_cdf_ugaussian_Q(pb[k]) : NA_D),
                num(b[3], 32, 1, g.v[FIG_MONTH]), num(b[4], 32, 3, g.v[FIG_EFF]),
                num(b[5], 32, 3, g.v[FIG_FUT]));
        if (res->has_null)
            fprintf(f, " | %6s / %6s", num(b[6], 32, 4, z.v[FIG_EFF]),
                    num(b[7], 32, 4, z.v[FIG_FUT]));
        fputc('\n', f);
    }
    for (int v = 0; v < 1 + res->has_null; v++) {
        const itp_mc_summary *d = v ? &res->null : &res->design;
        double np = 0;
        for (int a = 0; a < scn->n_arms; a++)
            np += d->arm_n_sum[a];
        fprintf(f, "  expected %s: %s patients, %s events, %s months\n", v ? "under the null"
                                                                            : "(design)",
                num(b[0], 32, 1, d->reps ? np / d->reps : NA_D),
                num(b[1], 32, 1, d->reps ? d->events_sum / d->reps : NA_D),
                num(b[2], 32, 1, d->reps ? d->cut_sum / d->reps : NA_D));
    }
}

/* What a hypothesis's median estimate is, in the summary's column. */
static const char *estimate_abbrev(const itp_estimate_kind *e)
{
    if (e == &itp_est_hazard_ratio)
        return "HR";
    if (e == &itp_est_risk_difference)
        return "RD";
    if (e == &itp_est_rmst_difference)
        return "RMSTd";
    return e == &itp_est_rate ? "rate" : "";
}

void itp_print_summary(const itp_scenario *scn, const itp_run_result *res, FILE *f)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    char b1[32], b2[32], b3[32], b4[32];
    if (res->complete)
        fprintf(f, "%s: %ld replicates%s, %d patients\n", scn->name, d->reps,
                res->has_null ? " (and as many under the null)" : "", scn->n_patients);
    else
        fprintf(f, "%s: PARTIAL, interrupted after %ld design and %ld null replicates, %d patients\n",
                scn->name, d->reps, res->has_null ? n->reps : 0L, scn->n_patients);
    if (scn->extrapolated[0])
        fprintf(f, "EXTRAPOLATED: outside the exposures the fitted trials gave: %s\n",
                scn->extrapolated);
    fprintf(f, "%-12s %-14s %-8s %16s %16s %12s\n", "hypothesis", "arm", "test", "power (MCSE)",
            "type I (MCSE)", "median est.");
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        double pw = itp_power(d, k);
        fprintf(f, "%-12s %-14.14s %-8s %7s (%s)  ", h->name, scn->arms[h->arm].name, h->test,
                num(b1, sizeof b1, 3, pw), num(b2, sizeof b2, 3, itp_mc_se(pw, d->reps)));
        if (res->has_null) {
            double t1 = itp_type1(n, k);
            fprintf(f, "%7s (%s)", num(b1, sizeof b1, 4, t1),
                    num(b2, sizeof b2, 4, itp_mc_se(t1, n->reps)));
        } else {
            fprintf(f, "%16s", "-");
        }
        char est[48];
        snprintf(est, sizeof est, "%s %s", estimate_abbrev(h->type->estimate),
                 num(b1, sizeof b1, 3, itp_mc_median_estimate(d, scn, k)));
        fprintf(f, " %12s\n", est);
    }
    /* two-sided: the power above is for benefit; the harmful side apart */
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        if (!scn->plan.hyp[k].two_sided)
            continue;
        double hm = share(d->harm_rejected[k], d->reps);
        fprintf(f, "%s (two-sided): rejected in the harmful direction %s (%s)\n",
                scn->plan.hyp[k].name, num(b1, sizeof b1, 3, hm),
                num(b2, sizeof b2, 3, itp_mc_se(hm, d->reps)));
    }
    double any = share(d->any_rejected, d->reps), all = itp_power(d, -1);
    fprintf(f, "any rejected %s (%s), all rejected %s (%s)", num(b1, sizeof b1, 3, any),
            num(b2, sizeof b2, 3, itp_mc_se(any, d->reps)), num(b3, sizeof b3, 3, all),
            num(b4, sizeof b4, 3, itp_mc_se(all, d->reps)));
    if (res->has_null) {
        double fw = share(n->any_rejected, n->reps);
        fprintf(f, ", family-wise error under the global null %s (%s)", num(b1, sizeof b1, 4, fw),
                num(b2, sizeof b2, 4, itp_mc_se(fw, n->reps)));
    }
    for (int i = 0; i < res->n_partial; i++) {
        char arms[512];
        double x = (double)res->partial_fwer[i] / res->partial_reps[i];
        fprintf(f, "%sfamily-wise error with %s null %s (%s)", i ? "; " : "\n",
                null_arms(scn, res->partial_arms[i], arms, sizeof arms), num(b1, sizeof b1, 4, x),
                num(b2, sizeof b2, 4, itp_mc_se(x, res->partial_reps[i])));
    }
    if (res->n_partial > 0) {
        long k, r;
        double x = strong_fwer(res, &k, &r);
        fprintf(f, "\nstrong family-wise error (the largest) %s (%s)", num(b1, sizeof b1, 4, x),
                num(b2, sizeof b2, 4, itp_mc_se(x, r)));
    }
    if (scn->plan.interims.n > 0)
        print_stages(scn, res, f);
    char lm[32], label[48];
    snprintf(label, sizeof label, "TF-free %s mo", landmark_text(scn, lm, sizeof lm));
    int w = strlen(label) > 14 ? (int)strlen(label) : 14;
    fprintf(f, "\n%-16s %10s %*s %12s", "arm", "patients", w, label, "median (mo)");
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
            fprintf(f, " %8s", scn->endpoints[e].name);
    fputc('\n', f);
    for (int a = 0; a < scn->n_arms; a++) {
        double med = itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH;
        fprintf(f, "%-16s %10s %*s ", scn->arms[a].name,
                num(b1, sizeof b1, 1, d->reps ? d->arm_n_sum[a] / d->reps : NA_D), w,
                num(b2, sizeof b2, 3,
                    d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D));
        fprintf(f, "%12s", isinf(med) ? "not reached" : num(b1, sizeof b1, 1, med));
        for (int e = 0; e < scn->n_endpoints; e++)
            if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
                fprintf(f, " %8s",
                        num(b1, sizeof b1, 3,
                            d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D));
        fputc('\n', f);
    }
}
