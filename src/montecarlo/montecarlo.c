/* The Monte Carlo engine; see montecarlo.h. */
#include "itpsim/montecarlo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "itpsim/engine.h"
#include "itpsim/trial.h"

/* NAN is a float; every NA here is a double. */
#define NA_D ((double)NAN)

struct itp_mc_ws {
    itp_sim_ws *sim;
    itp_analysis_ws *an;
    itp_record rec;
    int cap;
    int *limit;        /* [cap] study-day limits of an event-driven cut */
    double *times;     /* [cap] event calendar times, then KM times */
    int *event;        /* [cap] */
    int *group;        /* [cap] */
};

/* A replicate only analyses: a patient whose outcomes are all settled
 * need not be simulated further. Not with an event-driven cut, whose day
 * may rest on the end of every patient's follow-up. */
void itp_mc_stop_settled(const itp_scenario *scn, itp_sim_ws *ws)
{
    ws->settled = scn->n_endpoints > 0 && scn->cut_kind != ITP_CUT_EVENTS ? itp_endpoints_settled
                                                                          : NULL;
}

itp_status itp_mc_ws_create(itp_mc_ws **out, const itp_scenario *scn, int n_patients)
{
    itp_mc_ws *ws = calloc(1, sizeof *ws);
    *out = NULL;
    if (!ws)
        return ITP_ENOMEM;
    int n = n_patients > 0 ? n_patients : scn->n_patients;
    ws->cap = n;
    itp_record_init(&ws->rec);
    ws->limit = malloc((size_t)n * sizeof *ws->limit);
    ws->times = malloc((size_t)n * sizeof *ws->times);
    ws->event = malloc((size_t)n * sizeof *ws->event);
    ws->group = malloc((size_t)n * sizeof *ws->group);
    itp_status st = ws->limit && ws->times && ws->event && ws->group ? ITP_OK : ITP_ENOMEM;
    if (!st)
        st = itp_sim_ws_create(&ws->sim, scn);
    if (!st)
        itp_mc_stop_settled(scn, ws->sim);
    if (!st)
        st = itp_analysis_ws_create(&ws->an, scn, n);
    if (!st)
        st = itp_record_reset(&ws->rec, n) ? ITP_ENOMEM : ITP_OK;
    if (st) {
        itp_mc_ws_free(ws);
        return st;
    }
    *out = ws;
    return ITP_OK;
}

void itp_mc_ws_free(itp_mc_ws *ws)
{
    if (!ws)
        return;
    itp_sim_ws_free(ws->sim);
    itp_analysis_ws_free(ws->an);
    itp_record_free(&ws->rec);
    free(ws->limit);
    free(ws->times);
    free(ws->event);
    free(ws->group);
    free(ws);
}

static int first_time_endpoint(const itp_scenario *scn)
{
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_TIME)
            return e;
    return -1;
}

/* The k-th smallest (0-based) of x[n], reordering x: Wirth's selection
 * (Algorithms + Data Structures = Programs, 1976; expected O(n); a full
 * sort was a tenth of a hazard-model replicate). */
static double kth_smallest(double *x, long n, long k)
{
    long l = 0, m = n - 1;
    while (l < m) {
        double pivot = x[k];
        long i = l, j = m;
        do {
            while (x[i] < pivot)
                i++;
            while (pivot < x[j])
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k)
            l = i;
        if (k < i)
            m = j;
    }
    return x[k];
}

/* The last calendar day of any patient's follow-up. */
static double final_day(const itp_record *rec)
{
    double end = 0.0;
    for (int i = 0; i < rec->n_patients; i++)
        end = fmax(end, rec->patients[i].enrol_day + rec->patients[i].last_day);
    return end;
}

/* Event-driven cut: the calendar day of the cut_events-th event of the cut
 * endpoint (all events of that day included), or the end of all follow-up
 * when there are fewer. Sets the per-patient limits. */
static double event_cut(const itp_scenario *scn, const itp_record *rec, itp_mc_ws *ws)
{
    size_t ne = (size_t)scn->n_endpoints, m = 0;
    double end = 0.0;
    itp_endpoints_eval(scn, rec, NULL, ws->an->outcomes);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        const itp_outcome *o = &ws->an->outcomes[(size_t)i * ne + (size_t)scn->cut_endpoint];
        if (o->included && o->event)
            ws->times[m++] = p->enrol_day + o->time;
        if (p->enrol_day + p->last_day > end)
            end = p->enrol_day + p->last_day;
    }
    double cut = end;
    if (m >= (size_t)scn->cut_events)
        cut = kth_smallest(ws->times, (long)m, (long)scn->cut_events - 1);
    for (int i = 0; i < rec->n_patients; i++) {
        double lim = floor(cut - rec->patients[i].enrol_day + 1e-9);
        ws->limit[i] = lim < 0 ? -1 : (int)fmin(lim, (double)rec->patients[i].followup_days);
    }
    return cut;
}

itp_status itp_mc_replicate(const itp_scenario *scn, uint64_t seed, uint64_t rep, int n,
                            itp_mc_ws *ws, itp_rep_result *out)
{
    if (n <= 0)
        n = scn->n_patients;
    if (n > ws->cap)
        return ITP_ERANGE;
    itp_status st = itp_trial_simulate(scn, seed, rep, n, ws->sim, &ws->rec);
    if (st)
        return st;
    return itp_mc_analyse_record(scn, seed, rep, &ws->rec, ws, out);
}

const itp_outcome *itp_mc_outcomes(const itp_mc_ws *ws)
{
    return ws->an->outcomes;
}

itp_status itp_mc_analyse_record(const itp_scenario *scn, uint64_t seed, uint64_t rep,
                                 const itp_record *rec, itp_mc_ws *ws, itp_rep_result *out)
{
    itp_status st;
    int n = rec->n_patients;
    if (n > ws->cap)
        return ITP_ERANGE;
    double cut = rec->cut_day;
    const int *limit = NULL;
    if (scn->cut_kind == ITP_CUT_EVENTS) {
        cut = event_cut(scn, rec, ws);
        limit = ws->limit;
    }
    memset(out, 0, sizeof *out);
    ws->an->seed = seed;
    ws->an->replicate = rep;
    if (scn->plan.interims.n > 0) {
        /* the last analysis held is the trial's: its cut and limits */
        if (!isfinite(cut))
            cut = final_day(rec);
        if ((st = itp_analyse_gs(scn, rec, limit, cut, ws->an, out->hyp, &out->gs)))
            return st;
        if (out->gs.reason != ITP_GS_FINAL) {
            cut = out->gs.cut_day;
            limit = ws->an->limit;
        }
    } else if ((st = itp_analyse(scn, rec, limit, ws->an, out->hyp))) {
        return st;
    }
    out->cut_month = (cut - rec->patients[0].enrol_day) / ITP_DAYS_PER_MONTH;
    size_t ne = (size_t)scn->n_endpoints;
    int e0 = first_time_endpoint(scn);
    for (int a = 0; a < scn->n_arms; a++) {
        out->landmark[a] = out->median_days[a] = NA_D;
        for (int e = 0; e < scn->n_endpoints; e++)
            out->rate[e][a] = NA_D;
    }
    /* Per arm: patients randomised by the cut, events, binary rates. */
    int rn[ITP_MAX_ENDPOINTS][ITP_MAX_ARMS] = {{0}}, rk[ITP_MAX_ENDPOINTS][ITP_MAX_ARMS] = {{0}};
    for (int i = 0; i < n; i++) {
        const itp_patient *p = &rec->patients[i];
        const itp_outcome *o = &ws->an->outcomes[(size_t)i * ne];
        int lim = limit ? limit[i] : p->followup_days;
        if (lim < 0)
            continue;
        out->n_analysed++;
        out->arm_n[p->arm]++;
        for (size_t e = 0; e < ne; e++) {
            if (!o[e].included)
                continue;
            if ((int)e == e0) {
                out->arm_events[p->arm] += o[e].event;
                out->events += o[e].event;
            }
            if (scn->endpoints[e].type->kind == ITP_EP_BINARY) {
                rn[e][p->arm]++;
                rk[e][p->arm] += o[e].event;
            }
        }
    }
    for (size_t e = 0; e < ne; e++)
        for (int a = 0; a < scn->n_arms; a++)
            if (rn[e][a])
                out->rate[e][a] = (double)rk[e][a] / rn[e][a];
    if (e0 < 0)
        return ITP_OK;
    /* Kaplan-Meier per arm for the first time-to-event endpoint. */
    for (int a = 0; a < scn->n_arms; a++) {
        size_t m = 0;
        for (int i = 0; i < n; i++) {
            const itp_outcome *o = &ws->an->outcomes[(size_t)i * ne + (size_t)e0];
            if (rec->patients[i].arm != a || !o->included)
                continue;
            ws->times[m] = o->time;
            ws->event[m] = o->event;
            ws->group[m] = 0;
            m++;
        }
        if (m == 0)
            continue;
        itp_surv_data d = {m, ws->times, ws->event, ws->group, NULL, 1};
        itp_km_result km;
        if (itp_surv_km_point(&d, ITP_SURV_ALL, scn->plan.landmark_days, ws->an->surv, &km))
            return ITP_EINTERNAL;
        /* a curve at 0 before the landmark is 0 there; one censored
         * before it with S > 0 is not estimable (NA, left out) */
        out->landmark[a] = km.surv_zero_before ? 0.0
                           : km.surv_not_estimable ? (double)NA_D : km.surv;
        out->median_days[a] = km.median_not_reached ? HUGE_VAL : km.median;
    }
    return ITP_OK;
}

/* ---- aggregation ------------------------------------------------------------- */

itp_status itp_mc_summary_init(itp_mc_summary *s, const itp_scenario *scn)
{
    memset(s, 0, sizeof *s);
    size_t h = (size_t)(scn->plan.n_hyp > 0 ? scn->plan.n_hyp : 1);
    s->est_hist = calloc(h * ITP_MC_BINS, sizeof *s->est_hist);
    s->median_hist = calloc((size_t)scn->n_arms * ITP_MC_TIME_BINS, sizeof *s->median_hist);
    if (!s->est_hist || !s->median_hist) {
        itp_mc_summary_free(s);
        return ITP_ENOMEM;
    }
    return ITP_OK;
}

void itp_mc_summary_free(itp_mc_summary *s)
{
    free(s->est_hist);
    free(s->median_hist);
    s->est_hist = NULL;
    s->median_hist = NULL;
}

/* Estimates are binned on their kind's scale (analysis.h): the log scale
 * for hazard ratios (0 and inf at the ends), the natural scale for rates
 * and risk differences. */
static long est_bin(const itp_scenario *scn, int k, double x)
{
    const itp_estimate_kind *ek = scn->plan.hyp[k].type->estimate;
    double lo = ek->lo, hi = ek->hi;
    if (ek->log_scale)
        x = log(x);
    double b = floor((x - lo) / (hi - lo) * ITP_MC_BINS);
    return b < 0 ? 0 : b >= ITP_MC_BINS ? ITP_MC_BINS - 1 : (long)b;
}

void itp_mc_summary_add(itp_mc_summary *s, const itp_scenario *scn, const itp_rep_result *r)
{
    int any = 0, all = 1;
    s->reps++;
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hyp_result *h = &r->hyp[k];
        double t = scn->plan.hyp[k].true_hr;
        int harm = h->rejected && scn->plan.hyp[k].two_sided &&
                   itp_hyp_harmful(&scn->plan.hyp[k], h);
        s->rejected[k] += h->rejected && !harm;
        s->harm_rejected[k] += harm;
        any |= h->rejected;
        all &= h->rejected;
        s->flagged[k] += h->flags != 0;
        if (isfinite(t) && t > 0 && isfinite(h->ci_low) && isfinite(h->ci_high)) {
            s->coverable[k]++;
            s->covered[k] += h->ci_low <= t && t <= h->ci_high;
        }
        if (!isnan(h->estimate)) {
            s->est_hist[(size_t)k * ITP_MC_BINS + (size_t)est_bin(scn, k, h->estimate)]++;
            s->est_n[k]++;
        }
    }
    s->any_rejected += any;
    s->all_rejected += all && scn->plan.n_hyp > 0;
    for (int k = 0; k < r->gs.stages && scn->plan.interims.n > 0; k++) {
        s->gs_held[k]++;
        s->gs_t_sum[k] += r->gs.t[k];
        s->gs_month_sum[k] += r->gs.month[k];
        if (isfinite(r->gs.bound[k])) {
            s->gs_bound_sum[k] += r->gs.bound[k];
            s->gs_bound_n[k]++;
        }
    }
    /* efficacy: the stop_on hypothesis rejected there (at the final too) */
    int rs = scn->plan.interims.n > 0 ? r->gs.reject_stage[scn->plan.interims.stop_on] : -1;
    if (rs >= 0)
        s->gs_eff[rs]++;
    if (scn->plan.interims.n > 0 && r->gs.reason == ITP_GS_FUTILITY)
        s->gs_fut[r->gs.stop]++;
    for (int a = 0; a < scn->n_arms; a++) {
        if (!isnan(r->landmark[a])) {
            s->landmark_sum[a] += r->landmark[a];
            s->landmark_n[a]++;
        }
        double m = r->median_days[a] / ITP_DAYS_PER_MONTH;
        if (!isnan(m)) {
            s->median_n[a]++;
            double b = floor(m / 480.0 * ITP_MC_TIME_BINS);
            if (b >= ITP_MC_TIME_BINS)
                s->median_over[a]++;
            else
                s->median_hist[(size_t)a * ITP_MC_TIME_BINS + (size_t)(b < 0 ? 0 : b)]++;
        }
        for (int e = 0; e < scn->n_endpoints; e++)
            if (!isnan(r->rate[e][a])) {
                s->rate_sum[e][a] += r->rate[e][a];
                s->rate_n[e][a]++;
            }
        s->arm_n_sum[a] += r->arm_n[a];
        s->arm_events_sum[a] += r->arm_events[a];
    }
    s->cut_sum += r->cut_month;
    s->events_sum += r->events;
}

/* The value of rank r (1-based) of the n counts in h[nb]: the centre of
 * its bin. Values beyond the last bin are counted in n only: a rank among
 * them is beyond the range (inf). */
static double hist_rank(const unsigned *h, long nb, long r, double lo, double hi)
{
    long cum = 0;
    for (long b = 0; b < nb; b++) {
        cum += h[b];
        if (cum >= r)
            return lo + (b + 0.5) * (hi - lo) / nb;
    }
    return HUGE_VAL;
}

/* The median of the n counts in h[nb]: the middle value for odd n, the
 * mean of the two middle values for even n (as
 * gsl_stats_median_from_sorted_data); inf when a middle value is beyond
 * the range. */
static double hist_median(const unsigned *h, long nb, long n, double lo, double hi)
{
    if (n == 0)
        return NA_D;
    double m = hist_rank(h, nb, (n + 1) / 2, lo, hi);
    if (n % 2 == 0 && isfinite(m))
        m = 0.5 * (m + hist_rank(h, nb, n / 2 + 1, lo, hi));
    return m;
}

double itp_mc_median_estimate(const itp_mc_summary *s, const itp_scenario *scn, int k)
{
    const unsigned *h = s->est_hist + (size_t)k * ITP_MC_BINS;
    const itp_estimate_kind *ek = scn->plan.hyp[k].type->estimate;
    double m = hist_median(h, ITP_MC_BINS, s->est_n[k], ek->lo, ek->hi);
    return ek->log_scale && !isnan(m) ? exp(m) : m;
}

double itp_mc_median_time(const itp_mc_summary *s, int a)
{
    double m = hist_median(s->median_hist + (size_t)a * ITP_MC_TIME_BINS, ITP_MC_TIME_BINS,
                           s->median_n[a], 0.0, 480.0);
    return m * ITP_DAYS_PER_MONTH;
}

double itp_mc_se(double p, long r)
{
    return r > 0 ? sqrt(p * (1.0 - p) / (double)r) : (double)NA_D;
}

void itp_mc_wilson(long k, long r, double *lo, double *hi)
{
    if (r <= 0) {
        *lo = *hi = NA_D;
        return;
    }
    double z = gsl_cdf_ugaussian_Pinv(0.975), n = (double)r, p = (double)k / n;
    double den = 1.0 + z * z / n, centre = (p + z * z / (2 * n)) / den;
    double half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den;
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

/* ---- the loop: the replicate engine (engine.h) ----------------------------------- */

typedef struct mc_job {
    const itp_scenario *scn;
    const itp_mc_run_opts *o;
    itp_mc_summary *s;
    itp_mc_chunk_fn on_chunk;
    void *ctx;
} mc_job;

static itp_status mc_ws_create(void *ctx, void **ws)
{
    const mc_job *j = ctx;
    itp_mc_ws *w;
    itp_status st = itp_mc_ws_create(&w, j->scn, j->o->patients);
    *ws = st ? NULL : w;
    return st;
}

static void mc_ws_free(void *ws)
{
    itp_mc_ws_free(ws);
}

static itp_status mc_replicate(void *ctx, void *ws, long rep, void *result)
{
    const mc_job *j = ctx;
    return itp_mc_replicate(j->scn, j->o->seed, (uint64_t)rep, j->o->patients, ws, result);
}

/* The chunk into the summary in replicate order, then the caller's look. */
static itp_status mc_reduce(void *ctx, long first, const void *results, long count)
{
    const mc_job *j = ctx;
    const itp_rep_result *res = results;
    for (long i = 0; i < count; i++)
        itp_mc_summary_add(j->s, j->scn, &res[i]);
    if (j->on_chunk && j->on_chunk(j->ctx, j->scn, first, res, count))
        return ITP_EINTERRUPT;
    return ITP_OK;
}

itp_status itp_mc_run(const itp_scenario *scn, const itp_mc_run_opts *o, itp_mc_summary *s,
                      itp_mc_chunk_fn on_chunk, void *ctx)
{
    mc_job j = {scn, o, s, on_chunk, ctx};
    itp_engine_task task = {&j, sizeof(itp_rep_result), mc_ws_create, mc_ws_free,
                            mc_replicate, mc_reduce};
    itp_engine_opts eo = {.first = o->first, .count = o->reps, .threads = o->threads,
                          .chunk = ITP_MC_CHUNK, .stop = o->stop};
    return itp_engine_run(&task, &eo);
}
