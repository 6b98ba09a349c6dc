/* Design and null runs with progress and result files; see run.h. */
#include "itpsim/run.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "itpsim/report.h"

/* NAN is a float; every NA here is a double. */
#define NA_D ((double)NAN)

typedef struct progress {
    const itp_run_opts *o;
    const char *phase;
    long total, done;
    double start, last_print;
    int tty;
    long printed;        /* replicates done at the last plain line */
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show(progress *p, int final)
{
    if (p->o->quiet)
        return;
    double t = now(), el = t - p->start, rate = el > 0 ? p->done / el : 0.0;
    double left = rate > 0 ? (p->total - p->done) / rate : 0.0;
    if (p->tty) {
        int width = 30, fill = p->total ? (int)(width * p->done / p->total) : width;
        fprintf(stderr, "\r%s %-6s [", p->o->label ? p->o->label : "", p->phase);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %ld/%ld  %.0f rep/s  %.0f s left ", p->done, p->total, rate, left);
        if (final)
            fputc('\n', stderr);
    } else if ((final && p->printed != p->done) || (!final && t - p->last_print >= 5.0)) {
        p->printed = p->done;
        fprintf(stderr, "%s%s%s: %ld/%ld replicates, %.0f rep/s, %.0f s left\n",
                p->o->label ? p->o->label : "", p->o->label ? " " : "", p->phase, p->done,
                p->total, rate, left);
        p->last_print = t;
    }
}

static void put_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, ",%.8g", x);
    else if (isinf(x))
        fputs(x > 0 ? ",Inf" : ",-Inf", f);
    else
        fputs(",NA", f);
}

void itp_replicates_header(const itp_scenario *scn, FILE *f)
{
    fputs("scenario,replicate,analysis_month,patients,events", f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const char *h = scn->plan.hyp[k].name;
        fprintf(f, ",%s_estimate,%s_p,%s_adj_p,%s_rejected", h, h, h, h);
    }
    fputc('\n', f);
}

static int on_chunk(void *ctx, const itp_scenario *scn, long first, const itp_rep_result *res,
                    long count)
{
    progress *p = ctx;
    FILE *f = p->o->replicates;
    for (long i = 0; f && i < count; i++) {
        const itp_rep_result *r = &res[i];
        fprintf(f, "%s,%ld", p->phase, first + i);
        put_num(f, r->cut_month);
        fprintf(f, ",%d,%d", r->n_analysed, r->events);
        for (int k = 0; k < scn->plan.n_hyp; k++) {
            put_num(f, r->hyp[k].estimate);
            put_num(f, r->hyp[k].p_value);
            put_num(f, r->hyp[k].adj_p);
            fprintf(f, ",%d", r->hyp[k].rejected);
        }
        fputc('\n', f);
    }
    p->done += count;
    show(p, 0);
    return 0;
}

double itp_power(const itp_mc_summary *s, int k)
{
    if (s->reps == 0)
        return NA_D;
    return (double)(k < 0 ? s->all_rejected : s->rejected[k]) / (double)s->reps;
}

static double max_power_se(const itp_scenario *scn, const itp_mc_summary *s)
{
    double worst = 0.0;
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        double se = itp_mc_se(itp_power(s, k), s->reps);
        if (se > worst)
            worst = se;
    }
    return worst;
}

itp_status itp_run(const itp_scenario *scn, const itp_run_opts *o, itp_run_result *res)
{
    memset(res, 0, sizeof *res);
    itp_status st = itp_mc_summary_init(&res->design, scn);
    if (st)
        return st;
    progress p = {o, "design", o->reps * (o->null ? 2 : 1), 0, now(), now(), isatty(2), -1};
    itp_mc_run_opts mo = {o->seed, 0, o->reps, o->threads, o->patients};
    if (o->precision > 0) {
        /* Chunk by chunk, in replicate order, until every power's standard
         * error is at most the target: the stopping point depends on the
         * seed only. */
        mo.reps = ITP_MC_CHUNK;
        p.total = o->reps;
        while (!st && mo.first < o->reps) {
            if (mo.first + mo.reps > o->reps)
                mo.reps = o->reps - mo.first;
            st = itp_mc_run(scn, &mo, &res->design, on_chunk, &p);
            mo.first += mo.reps;
            if (max_power_se(scn, &res->design) <= o->precision)
                break;
        }
        p.total = res->design.reps * (o->null ? 2 : 1);
    } else {
        st = itp_mc_run(scn, &mo, &res->design, on_chunk, &p);
    }
    if (st || !o->null) {
        show(&p, 1);
        return st;
    }
    itp_scenario *null;
    if ((st = itp_scenario_null(scn, &null)))
        return st;
    if ((st = itp_mc_summary_init(&res->null, null))) {
        itp_scenario_free(null);
        return st;
    }
    res->has_null = 1;
    p.phase = "null";
    itp_mc_run_opts no = {o->seed, 0, res->design.reps, o->threads, o->patients};
    st = itp_mc_run(null, &no, &res->null, on_chunk, &p);
    show(&p, 1);
    itp_scenario_free(null);
    return st;
}

void itp_run_result_free(itp_run_result *res)
{
    itp_mc_summary_free(&res->design);
    if (res->has_null)
        itp_mc_summary_free(&res->null);
}

/* ---- result files -------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.10g", x);
    else
        fputs("null", f);
}

/* "NAME": p, "SE": its MC standard error, "NAME_ci": its Wilson 95% CI. */
static void json_prop(FILE *f, const char *name, const char *se, long k, long r, int comma)
{
    double p = r ? (double)k / (double)r : NA_D, lo, hi;
    itp_mc_wilson(k, r, &lo, &hi);
    fprintf(f, "\"%s\": ", name);
    json_num(f, p);
    fprintf(f, ", \"%s\": ", se);
    json_num(f, itp_mc_se(p, r));
    fprintf(f, ", \"%s_ci\": [", name);
    json_num(f, lo);
    fputs(", ", f);
    json_num(f, hi);
    fprintf(f, "]%s", comma ? ", " : "");
}

/* Single-arm hypotheses have no automatic null (the historical rate is not
 * an arm of the design): their type I error is not estimated. */
static int has_type1(const itp_scenario *scn, const itp_run_result *res, int k)
{
    return res->has_null && scn->plan.hyp[k].kind != ITP_TEST_BINOMIAL;
}

static void write_json(FILE *f, const itp_scenario *scn, const itp_run_opts *o,
                       const itp_run_result *res)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    const itp_analysis_plan *pl = &scn->plan;
    fputs("{\n  \"scenario\": ", f);
    json_str(f, scn->name);
    fputs(",\n  \"file\": ", f);
    json_str(f, scn->file);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"replicates\": %ld,\n  \"null_replicates\": %ld,\n",
            (unsigned long long)o->seed, d->reps, res->has_null ? n->reps : 0L);
    fprintf(f, "  \"patients\": %d,\n  \"alpha\": ", o->patients ? o->patients : scn->n_patients);
    json_num(f, pl->alpha);
    fputs(",\n  \"multiplicity\": ", f);
    json_str(f, pl->mult ? pl->mult->name : "none");
    fputs(",\n  \"hypotheses\": [\n", f);
    for (int k = 0; k < pl->n_hyp; k++) {
        const itp_hypothesis *h = &pl->hyp[k];
        int tte = scn->endpoints[h->endpoint].type->kind == ITP_EP_TIME;
        fputs("    {\"name\": ", f);
        json_str(f, h->name);
        fputs(", \"endpoint\": ", f);
        json_str(f, scn->endpoints[h->endpoint].name);
        fputs(", \"arm\": ", f);
        json_str(f, scn->arms[h->arm].name);
        fputs(", \"control\": ", f);
        if (h->control >= 0)
            json_str(f, scn->arms[h->control].name);
        else
            fputs("null", f);
        fputs(", \"test\": ", f);
        json_str(f, h->test);
        fputs(",\n     ", f);
        json_prop(f, "power", "power_mcse", d->rejected[k], d->reps, 1);
        fputs("\n     ", f);
        if (has_type1(scn, res, k))
            json_prop(f, "type1_error", "type1_mcse", n->rejected[k], n->reps, 1);
        else
            fputs("\"type1_error\": null, \"type1_mcse\": null, \"type1_error_ci\": null, ", f);
        fputs("\n     \"estimate\": ", f);
        json_str(f, tte ? "hazard_ratio" : h->kind == ITP_TEST_BINOMIAL ? "rate" : "risk_difference");
        fputs(", \"median_estimate\": ", f);
        json_num(f, itp_mc_median_estimate(d, scn, k));
        fputs(", \"ci_coverage\": ", f);
        json_num(f, d->coverable[k] ? (double)d->covered[k] / d->coverable[k] : NA_D);
        fputs(", \"true_hazard_ratio\": ", f);
        json_num(f, h->true_hr);
        fprintf(f, ", \"flagged_replicates\": %ld}%s\n", d->flagged[k], k + 1 < pl->n_hyp ? "," : "");
    }
    fputs("  ],\n  ", f);
    if (res->has_null)
        json_prop(f, "fwer", "fwer_mcse", n->any_rejected, n->reps, 1);
    else
        fputs("\"fwer\": null, \"fwer_mcse\": null, \"fwer_ci\": null, ", f);
    fputs("\n  ", f);
    json_prop(f, "any_rejected", "any_rejected_mcse", d->any_rejected, d->reps, 1);
    fputs("\n  ", f);
    json_prop(f, "all_rejected", "all_rejected_mcse", d->all_rejected, d->reps, 0);
    fputs(",\n  \"mean_analysis_month\": ", f);
    json_num(f, d->reps ? d->cut_sum / d->reps : NA_D);
    fputs(",\n  \"mean_events\": ", f);
    json_num(f, d->reps ? d->events_sum / d->reps : NA_D);
    fputs(",\n  \"arms\": [\n", f);
    for (int a = 0; a < scn->n_arms; a++) {
        fputs("    {\"name\": ", f);
        json_str(f, scn->arms[a].name);
        fputs(", \"tf_free_12m\": ", f);
        json_num(f, d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D);
        fputs(", \"median_ttf_months\": ", f);
        json_num(f, itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH);
        fputs(", \"mean_patients\": ", f);
        json_num(f, d->reps ? d->arm_n_sum[a] / d->reps : NA_D);
        fputs(", \"mean_events\": ", f);
        json_num(f, d->reps ? d->arm_events_sum[a] / d->reps : NA_D);
        for (int e = 0; e < scn->n_endpoints; e++) {
            if (scn->endpoints[e].type->kind != ITP_EP_BINARY)
                continue;
            fputs(", ", f);
            json_str(f, scn->endpoints[e].name);
            fputs(": ", f);
            json_num(f, d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D);
        }
        fprintf(f, "}%s\n", a + 1 < scn->n_arms ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

static void csv_prop(FILE *f, long k, long r, int have)
{
    double lo, hi, p = have && r ? (double)k / (double)r : NA_D;
    itp_mc_wilson(k, r, &lo, &hi);
    put_num(f, p);
    put_num(f, have ? itp_mc_se(p, r) : NA_D);
    put_num(f, have ? lo : NA_D);
    put_num(f, have ? hi : NA_D);
}

itp_status itp_write_summary(const char *dir, const itp_scenario *scn, const itp_run_opts *o,
                             const itp_run_result *res, char *err, size_t errlen)
{
    itp_out out;
    itp_status st = itp_out_open(&out, dir, "summary.json", err, errlen);
    if (st)
        return st;
    write_json(out.f, scn, o, res);
    if ((st = itp_out_commit(&out, err, errlen)) ||
        (st = itp_out_open(&out, dir, "summary.csv", err, errlen)))
        return st;
    const itp_mc_summary *d = &res->design, *n = &res->null;
    fputs("hypothesis,endpoint,arm,control,test,replicates,power,power_mcse,power_ci_low,"
          "power_ci_high,type1_error,type1_mcse,type1_ci_low,type1_ci_high,median_estimate,"
          "ci_coverage,flagged_replicates\n", out.f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        fprintf(out.f, "%s,%s,%s,%s,%s,%ld", h->name, scn->endpoints[h->endpoint].name,
                scn->arms[h->arm].name, h->control >= 0 ? scn->arms[h->control].name : "NA",
                h->test, d->reps);
        csv_prop(out.f, d->rejected[k], d->reps, 1);
        csv_prop(out.f, res->has_null ? n->rejected[k] : 0, n->reps, has_type1(scn, res, k));
        put_num(out.f, itp_mc_median_estimate(d, scn, k));
        put_num(out.f, d->coverable[k] ? (double)d->covered[k] / d->coverable[k] : NA_D);
        fprintf(out.f, ",%ld\n", d->flagged[k]);
    }
    if ((st = itp_out_commit(&out, err, errlen)) ||
        (st = itp_out_open(&out, dir, "arms.csv", err, errlen)))
        return st;
    fputs("arm,mean_patients,mean_events,tf_free_12m,median_ttf_months", out.f);
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
            fprintf(out.f, ",%s", scn->endpoints[e].name);
    fputc('\n', out.f);
    for (int a = 0; a < scn->n_arms; a++) {
        fprintf(out.f, "%s", scn->arms[a].name);
        put_num(out.f, d->reps ? d->arm_n_sum[a] / d->reps : NA_D);
        put_num(out.f, d->reps ? d->arm_events_sum[a] / d->reps : NA_D);
        put_num(out.f, d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D);
        put_num(out.f, itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH);
        for (int e = 0; e < scn->n_endpoints; e++)
            if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
                put_num(out.f, d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D);
        fputc('\n', out.f);
    }
    return itp_out_commit(&out, err, errlen);
}

void itp_print_summary(const itp_scenario *scn, const itp_run_result *res, FILE *f)
{
    const itp_mc_summary *d = &res->design, *n = &res->null;
    fprintf(f, "%s: %ld replicates%s, %d patients\n", scn->name, d->reps,
            res->has_null ? " (and as many under the null)" : "", scn->n_patients);
    fprintf(f, "%-12s %-14s %-8s %16s %16s %12s\n", "hypothesis", "arm", "test", "power (MCSE)",
            "type I (MCSE)", "median est.");
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        double pw = itp_power(d, k);
        fprintf(f, "%-12s %-14.14s %-8s %7.3f (%.3f)  ", h->name, scn->arms[h->arm].name, h->test,
                pw, itp_mc_se(pw, d->reps));
        if (has_type1(scn, res, k)) {
            double t1 = itp_power(n, k);
            fprintf(f, "%7.4f (%.4f)", t1, itp_mc_se(t1, n->reps));
        } else {
            fprintf(f, "%16s", "-");
        }
        fprintf(f, " %12.3f\n", itp_mc_median_estimate(d, scn, k));
    }
    double any = d->reps ? (double)d->any_rejected / d->reps : NA_D;
    double all = itp_power(d, -1);
    fprintf(f, "any rejected %.3f (%.3f), all rejected %.3f (%.3f)", any, itp_mc_se(any, d->reps),
            all, itp_mc_se(all, d->reps));
    if (res->has_null) {
        double fw = (double)n->any_rejected / n->reps;
        fprintf(f, ", family-wise error %.4f (%.4f)", fw, itp_mc_se(fw, n->reps));
    }
    fprintf(f, "\n%-16s %10s %14s %12s", "arm", "patients", "TF-free 12 mo", "median (mo)");
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
            fprintf(f, " %8s", scn->endpoints[e].name);
    fputc('\n', f);
    for (int a = 0; a < scn->n_arms; a++) {
        double med = itp_mc_median_time(d, a) / ITP_DAYS_PER_MONTH;
        fprintf(f, "%-16s %10.1f %14.3f ", scn->arms[a].name, d->arm_n_sum[a] / d->reps,
                d->landmark_n[a] ? d->landmark_sum[a] / d->landmark_n[a] : NA_D);
        if (isinf(med))
            fprintf(f, "%12s", "not reached");
        else
            fprintf(f, "%12.1f", med);
        for (int e = 0; e < scn->n_endpoints; e++)
            if (scn->endpoints[e].type->kind == ITP_EP_BINARY)
                fprintf(f, " %8.3f", d->rate_n[e][a] ? d->rate_sum[e][a] / d->rate_n[e][a] : NA_D);
        fputc('\n', f);
    }
}
