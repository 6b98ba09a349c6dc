/* The plot data from re-simulated replicates: Kaplan-Meier curves and
 * platelet trajectories; see plotdata.h.
 *
 * Curves come from re-simulating the run's first R replicates: every
 * random stream is keyed by (seed, replicate, patient, purpose) (trial.h),
 * so replicate r of seed s here is replicate r of the run. The data cut,
 * the endpoint evaluation and the Kaplan-Meier estimate are those of
 * montecarlo.c (itp_surv_km, as R's survfit), so at the landmark the mean
 * of km.csv over all the run's replicates is the run's tf_free_12m (month
 * g is study day itp_months_to_day(g), as the run's landmark).
 * Quantiles are R's type 7 (Hyndman & Fan, Am Stat 1996). */

/* Patients times visits kept for the trajectories (8 bytes each). */
#define TRAJ_MAX_CELLS 2000000L
/* Patients wanted for the trajectory quantiles (over replicates). */
#define TRAJ_PATIENTS 6000
/* Individual patients drawn per arm. */
#define TRAJ_SHOWN 4
#include "plotdata.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/fmt.h"
#include "itpsim/analysis.h"
#include "itpsim/calibrate.h"
#include "itpsim/endpoint.h"
#include "itpsim/engine.h"
#include "itpsim/model.h"
#include "itpsim/report.h"
#include "itpsim/survival.h"
#include "itpsim/trial.h"

/* ---- re-simulated replicates ---------------------------------------------- */

/* One thread's memory. */
typedef struct sim_thread {
    itp_sim_ws *sim;
    itp_record rec;
    itp_outcome *out;       /* [n * n_endpoints] */
    int *limit;             /* [n] */
    double *times, *ev_days;/* [n] */
    int *event, *group;     /* [n] */
    itp_surv_workspace *surv;
} sim_thread;

static void sim_thread_free(sim_thread *t)
{
    itp_sim_ws_free(t->sim);
    itp_record_free(&t->rec);
    free(t->out);
    free(t->limit);
    free(t->times);
    free(t->ev_days);
    free(t->event);
    free(t->group);
    itp_surv_workspace_free(t->surv);
}

static itp_status sim_thread_create(sim_thread *t, const itp_scenario *scn, int n)
{
    memset(t, 0, sizeof *t);
    itp_record_init(&t->rec);
    size_t ne = (size_t)(scn->n_endpoints ? scn->n_endpoints : 1);
    t->out = malloc((size_t)n * ne * sizeof *t->out);
    t->limit = malloc((size_t)n * sizeof *t->limit);
    t->times = malloc((size_t)n * sizeof *t->times);
    t->ev_days = malloc((size_t)n * sizeof *t->ev_days);
    t->event = malloc((size_t)n * sizeof *t->event);
    t->group = malloc((size_t)n * sizeof *t->group);
    if (!t->out || !t->limit || !t->times || !t->ev_days || !t->event || !t->group ||
        itp_surv_workspace_create(&t->surv, (size_t)n))
        return ITP_ENOMEM;
    return itp_sim_ws_create(&t->sim, scn);
}

/* The event-driven data cut of montecarlo.c: the calendar day of the
 * cut_events-th event of the cut endpoint, or the end of all follow-up. */
static const int *event_limits(const itp_scenario *scn, sim_thread *t)
{
    const itp_record *rec = &t->rec;
    size_t ne = (size_t)scn->n_endpoints, m = 0;
    double end = 0.0;
    itp_endpoints_eval(scn, rec, NULL, t->out);
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        const itp_outcome *o = &t->out[(size_t)i * ne + (size_t)scn->cut_endpoint];
        if (o->included && o->event)
            t->ev_days[m++] = p->enrol_day + o->time;
        if (p->enrol_day + p->last_day > end)
            end = p->enrol_day + p->last_day;
    }
    double cut = end;
    if (m >= (size_t)scn->cut_events) {
        qsort(t->ev_days, m, sizeof *t->ev_days, plot_cmp_double);
        cut = t->ev_days[scn->cut_events - 1];
    }
    for (int i = 0; i < rec->n_patients; i++) {
        double lim = floor(cut - rec->patients[i].enrol_day + 1e-9);
        t->limit[i] = lim < 0 ? -1 : (int)fmin(lim, (double)rec->patients[i].followup_days);
    }
    return t->limit;
}

/* What one replicate contributes. */
typedef struct rep_data {
    double *km;             /* [n_arms * n_grid]: S(day), NaN not estimable */
    float *risk;            /* [n_arms * n_grid]: patients at risk at the day */
    float *count, *dose;    /* [pcap * n_visits]: scheduled counts, NaN none */
    int *arm;               /* [pcap] */
    int *status;            /* [n_arms * n_visits * PLOT_STATUS] (NULL: none) */
    double taper_lo[ITP_MAX_ARMS], taper_hi[ITP_MAX_ARMS]; /* days; NaN none */
} rep_data;

static itp_status simulate_one(const itp_scenario *scn, const itp_plot_opts *o, long r, int n,
                               int e0, int n_grid, int pcap, sim_thread *t, rep_data *d)
{
    itp_status st = itp_trial_simulate(scn, o->seed, (uint64_t)r, n, t->sim, &t->rec);
    if (st)
        return st;
    const itp_record *rec = &t->rec;
    for (int a = 0; a < scn->n_arms; a++)
        d->taper_lo[a] = d->taper_hi[a] = (double)NAN;
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        int a = p->arm;
        int s = itp_patient_event(rec, p, ITP_EV_TAPER_START, 0);
        if (s == ITP_NEVER)
            s = itp_patient_event(rec, p, ITP_EV_TAPER_INELIGIBLE, 0);
        if (s != ITP_NEVER && !(d->taper_lo[a] <= s))
            d->taper_lo[a] = s;
        /* the planned end, logged on day 0 */
        const itp_event *e = rec->events + p->event_first;
        for (int k = 0; k < p->n_events && e[k].day == 0; k++)
            if (e[k].kind == ITP_EV_TAPER_PLAN && !(d->taper_hi[a] >= (double)e[k].value))
                d->taper_hi[a] = (double)e[k].value;
    }
    if (d->count) {
        int nv = scn->n_visits;
        for (size_t k = 0; k < (size_t)pcap * (size_t)nv; k++)
            d->count[k] = d->dose[k] = (double)NAN;
        for (int i = 0; i < pcap && i < rec->n_patients; i++) {
            const itp_patient *p = &rec->patients[i];
            d->arm[i] = p->arm;
            int v = 0;
            for (int k = 0; k < p->n_visits; k++) {
                const itp_visit *vi = &rec->visits[p->visit_first + (size_t)k];
                if (!vi->scheduled)
                    continue;
                while (v < nv && scn->visit_day[v] < vi->day)
                    v++;
                if (v < nv && scn->visit_day[v] == vi->day) {
                    d->count[(size_t)i * (size_t)nv + (size_t)v] = vi->count;
                    d->dose[(size_t)i * (size_t)nv + (size_t)v] = vi->tpo_dose;
                }
            }
        }
        for (int i = rec->n_patients; i < pcap; i++)
            d->arm[i] = -1;
    }
    if (e0 < 0) {
        if (d->status)
            plot_status_tally(scn, rec, NULL, NULL, d->status);
        return ITP_OK;
    }
    const int *limit = scn->cut_kind == ITP_CUT_EVENTS ? event_limits(scn, t) : NULL;
    itp_endpoints_eval(scn, rec, limit, t->out);
    if (d->status)
        plot_status_tally(scn, rec, t->out, limit, d->status);
    size_t ne = (size_t)scn->n_endpoints;
    for (int a = 0; a < scn->n_arms; a++) {
        size_t m = 0;
        for (int i = 0; i < rec->n_patients; i++) {
            const itp_outcome *oc = &t->out[(size_t)i * ne + (size_t)e0];
            if (rec->patients[i].arm != a || !oc->included)
                continue;
            t->times[m] = oc->time;
            t->event[m] = oc->event;
            t->group[m] = 0;
            m++;
        }
        /* the curve and the number at risk on every day of the grid: one
         * table, walked as itp_surv_km does (S(day) over the event times
         * <= day; not estimable after the largest time unless it fell to 0) */
        double *km = &d->km[(size_t)a * (size_t)n_grid];
        float *risk = &d->risk[(size_t)a * (size_t)n_grid];
        for (int g = 0; g < n_grid; g++) {
            km[g] = (double)NAN;
            risk[g] = 0.0f;
        }
        if (m == 0)
            continue;
        itp_surv_data sd = {m, t->times, t->event, t->group, NULL, 1};
        if (itp_surv_tabulate(&sd, ITP_SURV_ALL, 0, t->surv))
            return ITP_EINTERNAL;
        const itp_surv_table *tab = &t->surv->tab;
        const itp_surv_record *rs = t->surv->rec;
        size_t row = 0, k = 0;
        double s = 1.0;
        for (int g = 0; g < n_grid; g++) {
            for (; row < tab->nrows && tab->time[row] <= g; row++) {
                double nr = tab->nrisk[0][row] + tab->nrisk[1][row];
                double dd = tab->nevent[0][row] + tab->nevent[1][row];
                s *= (nr - dd) / nr;
            }
            while (k < tab->nsubjects && rs[k].time < g)
                k++;
            risk[g] = (float)(tab->nsubjects - k);
            if (g < tab->tmin)
                km[g] = 1.0;
            else if (g <= tab->tmax)
                km[g] = s;
            else if (s == 0.0)   /* as run's landmark: 0, not NA */
                km[g] = 0.0;
        }
    }
    return ITP_OK;
}

/* One day of an arm's curve over the replicates. */
typedef struct km_day {
    double mean, p05, p95, median, at_risk;
    size_t reps;
} km_day;

static int same_num(double x, double y)
{
    return x == y || (isnan(x) && isnan(y));
}

static int km_day_same(const km_day *x, const km_day *y)
{
    return same_num(x->mean, y->mean) && same_num(x->p05, y->p05) && same_num(x->p95, y->p95) &&
           same_num(x->median, y->median) && x->at_risk == y->at_risk && x->reps == y->reps;
}

static void km_row(FILE *f, const char *arm, int a, long step, int day, const km_day *k)
{
    fprintf(f, "%s,%d,%ld,%d,%.8g,", arm, a, step, day, day / ITP_DAYS_PER_MONTH);
    if (k->reps)
        fprintf(f, "%.8g,%.8g,%.8g,%.8g,", k->mean, k->p05, k->p95, k->median);
    else
        fputs("NA,NA,NA,NA,", f);
    fprintf(f, "%zu,%.8g\n", k->reps, k->at_risk);
}

/* The months between the ticks of the Kaplan-Meier picture and of its
 * numbers at risk. */
static int km_tick_months(double max_month)
{
    return max_month <= 15 ? 3 : max_month <= 36 ? 6 : 12;
}

/* km.csv in step form: per arm, one step per stretch of days on which
 * nothing changes (mean, band, median, replicates, mean number at risk),
 * written as two rows, its first day and its end (the next step's first
 * day; the last day of follow-up for the last step), so that a line
 * through the rows draws the step function. km_at_risk.csv: the mean
 * number at risk at each tick. */
static itp_status write_km(const char *pdir, const itp_scenario *scn, const itp_cal_spec *cal,
                           int e0, long R, int n_grid, const rep_data *rd, plot_info *info,
                           char *err, size_t errlen)
{
    itp_out out;
    itp_status st = itp_out_open(&out, pdir, "km.csv", err, errlen);
    if (st)
        return st;
    double *x = malloc((size_t)R * sizeof *x);
    km_day *days = malloc((size_t)scn->n_arms * (size_t)n_grid * sizeof *days);
    if (!x || !days) {
        free(x);
        free(days);
        itp_out_abort(&out);
        return ITP_ENOMEM;
    }
    info->km_max_month = (n_grid - 1) / ITP_DAYS_PER_MONTH;
    info->km_tick = km_tick_months(info->km_max_month);
    FILE *risk = NULL;
    itp_out orisk;
    if ((st = itp_out_open(&orisk, pdir, "km_at_risk.csv", err, errlen))) {
        free(x);
        free(days);
        itp_out_abort(&out);
        return st;
    }
    risk = orisk.f;
    fputs("arm,arm_index,step,day,month,mean,p05,p95,median,replicates,at_risk\n", out.f);
    double shown = 0;
    fputs("arm,arm_index,month,day,at_risk,replicates\n", risk);
    for (int a = 0; a < scn->n_arms; a++) {
        km_day *day = days + (size_t)a * (size_t)n_grid;
        for (int g = 0; g < n_grid; g++) {
            km_day *k = &day[g];
            size_t m = 0;
            double sum = 0, nr = 0;
            for (long r = 0; r < R; r++) {
                double v = rd[r].km[(size_t)a * (size_t)n_grid + (size_t)g];
                nr += (double)rd[r].risk[(size_t)a * (size_t)n_grid + (size_t)g];
                if (!isnan(v)) {
                    x[m++] = v;
                    sum += v;
                }
            }
            k->reps = m;
            k->at_risk = nr / (double)R;
            k->mean = m ? sum / (double)m : (double)NAN;
            k->p05 = itp_plot_quantile(x, m, 0.05);
            k->p95 = itp_plot_quantile(x, m, 0.95);
            k->median = itp_plot_quantile(x, m, 0.5);
        }
        /* the picture's last month: the last day at least half the
         * replicates estimate the curve of an arm */
        for (int g = n_grid - 1; g > 0; g--)
            if (2 * day[g].reps >= (size_t)R) {
                if (g / ITP_DAYS_PER_MONTH > shown)
                    shown = g / ITP_DAYS_PER_MONTH;
                break;
            }
        long step = 0;
        for (int g = 0; g < n_grid;) {
            int e = g + 1;
            while (e < n_grid && km_day_same(&day[e], &day[g]))
                e++;
            km_row(out.f, scn->arms[a].name, a, step, g, &day[g]);
            km_row(out.f, scn->arms[a].name, a, step, e < n_grid ? e : n_grid - 1, &day[g]);
            step++;
            g = e;
        }
    }
    if (shown > 0) {
        info->km_max_month = shown;
        info->km_tick = km_tick_months(shown);
    }
    for (int a = 0; a < scn->n_arms; a++)
        for (int t = 0;; t += info->km_tick) {
            int d = (int)itp_months_to_day(t);
            if (d >= n_grid)
                break;
            const km_day *k = &days[(size_t)a * (size_t)n_grid + (size_t)d];
            fprintf(risk, "%s,%d,%d,%d,%.8g,%zu\n", scn->arms[a].name, a, t, d, k->at_risk,
                    k->reps);
        }
    free(x);
    free(days);
    itp_out *both[2] = {&out, &orisk};
    if ((st = itp_out_commit_all(both, 2, err, errlen)))
        return st;
    /* published landmark points and medians of the same endpoint */
    if ((st = itp_out_open(&out, pdir, "km_published.csv", err, errlen)))
        return st;
    fputs("arm,arm_index,target,quantity,month,share,month_low,month_high,share_low,share_high\n",
          out.f);
    info->has_published = 0;
    if (cal)
        for (int k = 0; k < cal->n_targets; k++) {
            const itp_cal_target *t = &cal->t[k];
            int lm = t->quantity == ITP_Q_LANDMARK, med = t->quantity == ITP_Q_MEDIAN;
            if (!(lm || med) || t->endpoint != e0 || t->arm < 0)
                continue;
            fprintf(out.f, "%s,%d,%s,%s,%.6g,%.6g,", scn->arms[t->arm].name, t->arm, t->name,
                    lm ? "landmark" : "median", lm ? t->months : t->value, lm ? t->value : 0.5);
            /* the interval along the published quantity, none along the other */
            if (lm)
                fprintf(out.f, "%.6g,%.6g,", t->months, t->months);
            else {
                itp_fmt_csv(out.f, "", t->ci_low, 6);
                fputc(',', out.f);
                itp_fmt_csv(out.f, "", t->ci_high, 6);
                fputc(',', out.f);
            }
            if (lm) {
                itp_fmt_csv(out.f, "", t->ci_low, 6);
                fputc(',', out.f);
                itp_fmt_csv(out.f, "", t->ci_high, 6);
                fputc('\n', out.f);
            } else
                fputs("0.5,0.5\n", out.f);
            info->has_published = 1;
        }
    info->reps_km = (int)R;
    snprintf(info->km_endpoint, sizeof info->km_endpoint, "%s", scn->endpoints[e0].name);
    snprintf(info->km_type, sizeof info->km_type, "%s", scn->endpoints[e0].type->name);
    itp_endpoint_describe(scn, e0, info->km_desc, sizeof info->km_desc);
    return itp_out_commit(&out, err, errlen);
}

static itp_status write_traj(const char *pdir, const itp_scenario *scn, long Rt, int pcap,
                             const rep_data *rd, plot_info *info, char *err, size_t errlen)
{
    int nv = scn->n_visits;
    size_t cap = (size_t)Rt * (size_t)pcap;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    itp_out out;
    itp_status st = x && y ? itp_out_open(&out, pdir, "trajectories.csv", err, errlen) : ITP_ENOMEM;
    if (st) {
        free(x);
        free(y);
        return st;
    }
    fputs("arm,arm_index,day,week,patients,p10,median,p90,dose_median_mg\n", out.f);
    info->max_dose = 0;
    info->max_week = 0;
    for (int a = 0; a < scn->n_arms; a++)
        for (int v = 0; v < nv; v++) {
            size_t m = 0;
            for (long r = 0; r < Rt; r++)
                for (int i = 0; i < pcap; i++) {
                    size_t k = (size_t)i * (size_t)nv + (size_t)v;
                    if (rd[r].arm[i] != a || isnan(rd[r].count[k]))
                        continue;
                    x[m] = (double)rd[r].count[k];
                    y[m++] = (double)rd[r].dose[k];
                }
            if (m == 0)
                continue;
            double p10 = itp_plot_quantile(x, m, 0.10), med = itp_plot_quantile(x, m, 0.5);
            double p90 = itp_plot_quantile(x, m, 0.90), dose = itp_plot_quantile(y, m, 0.5);
            fprintf(out.f, "%s,%d,%d,%.6g,%zu,%.6g,%.6g,%.6g,%.6g\n", scn->arms[a].name, a,
                    scn->visit_day[v], scn->visit_day[v] / 7.0, m, p10, med, p90, dose);
            if (dose > info->max_dose)
                info->max_dose = dose;
            if (scn->visit_day[v] / 7.0 > info->max_week)
                info->max_week = scn->visit_day[v] / 7.0;
        }
    free(x);
    free(y);
    if ((st = itp_out_commit(&out, err, errlen)))
        return st;
    /* the taper window: earliest taper decision, latest planned end */
    if ((st = itp_out_open(&out, pdir, "taper.csv", err, errlen)))
        return st;
    fputs("arm,arm_index,start_week,end_week\n", out.f);
    for (int a = 0; a < scn->n_arms; a++) {
        double lo = (double)NAN, hi = (double)NAN;
        for (long r = 0; r < Rt; r++) {
            if (!isnan(rd[r].taper_lo[a]) && !(lo <= rd[r].taper_lo[a]))
                lo = rd[r].taper_lo[a];
            if (!isnan(rd[r].taper_hi[a]) && !(hi >= rd[r].taper_hi[a]))
                hi = rd[r].taper_hi[a];
        }
        info->has_taper[a] = !isnan(lo) && !isnan(hi) && hi > lo;
        if (!info->has_taper[a])
            continue;
        info->taper_lo[a] = lo / 7.0;
        info->taper_hi[a] = hi / 7.0;
        fprintf(out.f, "%s,%d,%.6g,%.6g\n", scn->arms[a].name, a, lo / 7.0, hi / 7.0);
    }
    if ((st = itp_out_commit(&out, err, errlen)))
        return st;
    /* a few patients of replicate 0 */
    if ((st = itp_out_open(&out, pdir, "trajectory_patients.csv", err, errlen)))
        return st;
    fputs("arm,arm_index,patient,day,week,count,tpo_dose_mg\n", out.f);
    for (int a = 0; a < scn->n_arms; a++) {
        int shown = 0;
        for (int i = 0; i < pcap && shown < TRAJ_SHOWN; i++) {
            if (rd[0].arm[i] != a)
                continue;
            shown++;
            for (int v = 0; v < nv; v++) {
                size_t k = (size_t)i * (size_t)nv + (size_t)v;
                if (isnan(rd[0].count[k]))
                    continue;
                fprintf(out.f, "%s,%d,%d,%d,%.6g,%.6g,%.6g\n", scn->arms[a].name, a, i,
                        scn->visit_day[v], scn->visit_day[v] / 7.0, (double)rd[0].count[k], (double)rd[0].dose[k]);
            }
            /* a blank line ends the patient's line in gnuplot (R and pandas skip it) */
            fputc('\n', out.f);
        }
    }
    info->reps_traj = (int)Rt;
    plot_dose_labels(scn, info);
    info->traj_patients = pcap;
    return itp_out_commit(&out, err, errlen);
}

/* status.csv: the statuses summed over the R replicates. */
static itp_status write_status(const char *pdir, const itp_scenario *scn, long R, size_t cells,
                               const rep_data *rd, plot_info *info, char *err, size_t errlen)
{
    long *sum = calloc(cells, sizeof *sum);
    if (!sum)
        return ITP_ENOMEM;
    for (long r = 0; r < R; r++)
        for (size_t k = 0; k < cells; k++)
            sum[k] += rd[r].status[k];
    itp_status st = plot_write_status(pdir, scn, sum, info, err, errlen);
    info->reps_status = (int)R;
    free(sum);
    return st;
}

/* Replicates [0, R) for the replicate engine, each into its rd[r]. */
typedef struct sim_job {
    const itp_scenario *scn;
    const itp_plot_opts *o;
    int n, e0, n_grid;
    long Rt;                /* replicates [0, Rt) keep trajectories */
    int pcap;
    rep_data *rd;           /* [R] */
} sim_job;

static void sim_ws_free(void *ws)
{
    if (!ws)
        return;
    sim_thread_free(ws);
    free(ws);
}

static itp_status sim_ws_create(void *ctx, void **ws)
{
    const sim_job *j = ctx;
    sim_thread *t = malloc(sizeof *t);
    *ws = t;
    return t ? sim_thread_create(t, j->scn, j->n) : ITP_ENOMEM;
}

static itp_status sim_replicate(void *ctx, void *ws, long r, void *result)
{
    const sim_job *j = ctx;
    (void)result;
    return simulate_one(j->scn, j->o, r, j->n, j->e0, j->n_grid, r < j->Rt ? j->pcap : 0, ws,
                        &j->rd[r]);
}

itp_status plotdata_simulate(const char *pdir, const itp_scenario *scn, const itp_plot_opts *o,
                             plot_info *info, char *err, size_t errlen)
{
    int n = o->patients > 0 ? o->patients : scn->n_patients;
    long R = o->replicates > 0 && o->replicates < ITP_PLOT_MAX_REPS ? o->replicates
                                                                    : ITP_PLOT_MAX_REPS;
    int e0 = plot_first_time_endpoint(scn);
    /* every study day from 0 to the last follow-up day: the run's
     * landmark (itp_months_to_day) is one of them */
    int n_grid = (int)scn->max_followup_days + 1;
    /* trajectories: platelet model with visits; enough replicates for
     * TRAJ_PATIENTS patients, at most TRAJ_MAX_CELLS patient-visits */
    int traj = scn->n_visits > 0 && scn->model->has_visits;
    int pcap = 0;
    long Rt = 0;
    if (traj) {
        long per = TRAJ_MAX_CELLS / scn->n_visits;
        pcap = (int)(n < per ? n : per);
        if (pcap < 1)
            pcap = 1;
        Rt = (TRAJ_PATIENTS + pcap - 1) / pcap;
        if (Rt > R)
            Rt = R;
        if ((long)pcap * Rt * scn->n_visits > TRAJ_MAX_CELLS)
            Rt = TRAJ_MAX_CELLS / ((long)pcap * scn->n_visits);
        if (Rt < 1)
            Rt = 1;
        if (Rt > R)
            R = Rt;
    }
    if (e0 < 0 && !traj)
        return ITP_OK;
    size_t status_cells = (size_t)scn->n_arms * (size_t)scn->n_visits * PLOT_STATUS;
    rep_data *rd = calloc((size_t)R, sizeof *rd);
    if (!rd)
        return ITP_ENOMEM;
    itp_status st = ITP_OK;
    for (long r = 0; r < R && !st; r++) {
        rd[r].km = malloc((size_t)scn->n_arms * (size_t)n_grid * sizeof *rd[r].km);
        rd[r].risk = malloc((size_t)scn->n_arms * (size_t)n_grid * sizeof *rd[r].risk);
        if (!rd[r].km || !rd[r].risk)
            st = ITP_ENOMEM;
        if (traj && !st && !(rd[r].status = calloc(status_cells, sizeof *rd[r].status)))
            st = ITP_ENOMEM;
        if (r < Rt && !st) {
            size_t cells = (size_t)pcap * (size_t)scn->n_visits;
            rd[r].count = malloc(cells * sizeof *rd[r].count);
            rd[r].dose = malloc(cells * sizeof *rd[r].dose);
            rd[r].arm = malloc((size_t)pcap * sizeof *rd[r].arm);
            if (!rd[r].count || !rd[r].dose || !rd[r].arm)
                st = ITP_ENOMEM;
        }
    }
    sim_job j = {scn, o, n, e0, n_grid, Rt, pcap, rd};
    itp_engine_task task = {&j, 0, sim_ws_create, sim_ws_free, sim_replicate, NULL};
    itp_engine_opts eo = {.first = 0, .count = R, .threads = o->threads, .chunk = R};
    if (!st)
        st = itp_engine_run(&task, &eo);
    if (!st && e0 >= 0)
        st = write_km(pdir, scn, o->published, e0, R, n_grid, rd, info, err, errlen);
    if (!st && traj)
        st = write_traj(pdir, scn, Rt, pcap, rd, info, err, errlen);
    if (!st && traj)
        st = write_status(pdir, scn, R, status_cells, rd, info, err, errlen);
    if (st && !err[0])
        snprintf(err, errlen, "%s/: %s", pdir, itp_strerror(st));
    for (long r = 0; r < R; r++) {
        free(rd[r].km);
        free(rd[r].risk);
        free(rd[r].count);
        free(rd[r].dose);
        free(rd[r].arm);
        free(rd[r].status);
    }
    free(rd);
    return st;
}
