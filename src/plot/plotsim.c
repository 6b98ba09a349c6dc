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
    double *km;             /* [n_arms * n_grid]: S(month), NaN not estimable */
    float *count, *dose;    /* [pcap * n_visits]: scheduled counts, NaN none */
    int *arm;               /* [pcap] */
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
    if (e0 < 0)
        return ITP_OK;
    const int *limit = scn->cut_kind == ITP_CUT_EVENTS ? event_limits(scn, t) : NULL;
    itp_endpoints_eval(scn, rec, limit, t->out);
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
        for (int g = 0; g < n_grid; g++) {
            double *cell = &d->km[(size_t)a * (size_t)n_grid + (size_t)g];
            *cell = (double)NAN;
            if (m == 0)
                continue;
            itp_surv_data sd = {m, t->times, t->event, t->group, NULL, 1};
            itp_km_result km;
            if (itp_surv_km(&sd, ITP_SURV_ALL, itp_months_to_day(g), scn->plan.conf_level,
                            t->surv, &km))
                return ITP_EINTERNAL;
            if (!km.surv_not_estimable)
                *cell = km.surv;
            else if (km.surv_zero_before)   /* as run's landmark: 0, not NA */
                *cell = 0.0;
        }
    }
    return ITP_OK;
}

static itp_status write_km(const char *pdir, const itp_scenario *scn, const itp_cal_spec *cal,
                           int e0, long R, int n_grid, const rep_data *rd, plot_info *info,
                           char *err, size_t errlen)
{
    itp_out out;
    itp_status st = itp_out_open(&out, pdir, "km.csv", err, errlen);
    if (st)
        return st;
    double *x = malloc((size_t)R * sizeof *x);
    if (!x) {
        itp_out_abort(&out);
        return ITP_ENOMEM;
    }
    fputs("arm,arm_index,month,mean,p05,p95,replicates,median\n", out.f);
    info->km_max_month = 0;
    for (int a = 0; a < scn->n_arms; a++)
        for (int g = 0; g < n_grid; g++) {
            size_t m = 0;
            double sum = 0;
            for (long r = 0; r < R; r++) {
                double v = rd[r].km[(size_t)a * (size_t)n_grid + (size_t)g];
                if (!isnan(v)) {
                    x[m++] = v;
                    sum += v;
                }
            }
            if (m == 0)
                continue;
            double lo = itp_plot_quantile(x, m, 0.05), hi = itp_plot_quantile(x, m, 0.95);
            double med = itp_plot_quantile(x, m, 0.5);
            fprintf(out.f, "%s,%d,%d,%.8g,%.8g,%.8g,%zu,%.8g\n", scn->arms[a].name, a, g,
                    sum / (double)m, lo, hi, m, med);
            if (g > info->km_max_month)
                info->km_max_month = g;
        }
    free(x);
    if ((st = itp_out_commit(&out, err, errlen)))
        return st;
    /* published landmark points of the same endpoint */
    if ((st = itp_out_open(&out, pdir, "km_published.csv", err, errlen)))
        return st;
    fputs("arm,arm_index,target,month,value,ci_low,ci_high\n", out.f);
    info->has_published = 0;
    if (cal)
        for (int k = 0; k < cal->n_targets; k++) {
            const itp_cal_target *t = &cal->t[k];
            if (t->quantity != ITP_Q_LANDMARK || t->endpoint != e0 || t->arm < 0)
                continue;
            fprintf(out.f, "%s,%d,%s,%.6g,%.6g,", scn->arms[t->arm].name, t->arm, t->name,
                    t->months, t->value);
            itp_fmt_csv(out.f, "", t->ci_low, 6);
            fputc(',', out.f);
            itp_fmt_csv(out.f, "", t->ci_high, 6);
            fputc('\n', out.f);
            info->has_published = 1;
        }
    info->reps_km = (int)R;
    snprintf(info->km_endpoint, sizeof info->km_endpoint, "%s", scn->endpoints[e0].name);
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
    info->traj_patients = pcap;
    return itp_out_commit(&out, err, errlen);
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
    /* months 0, 1, ... on the day grid of the run's landmark, up to the
     * last follow-up day (month 12 of a 12-month trial is day 365) */
    int n_grid = 1;
    while (itp_months_to_day(n_grid) <= scn->max_followup_days)
        n_grid++;
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
    rep_data *rd = calloc((size_t)R, sizeof *rd);
    if (!rd)
        return ITP_ENOMEM;
    itp_status st = ITP_OK;
    for (long r = 0; r < R && !st; r++) {
        rd[r].km = malloc((size_t)scn->n_arms * (size_t)n_grid * sizeof *rd[r].km);
        if (!rd[r].km)
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
    if (st && !err[0])
        snprintf(err, errlen, "%s/: %s", pdir, itp_strerror(st));
    for (long r = 0; r < R; r++) {
        free(rd[r].km);
        free(rd[r].count);
        free(rd[r].dose);
        free(rd[r].arm);
    }
    free(rd);
    return st;
}
