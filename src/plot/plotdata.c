/* The data behind the pictures of a run: re-simulated Kaplan-Meier curves
 * and platelet trajectories, histograms of the replicates' estimates and
 * p-values, and power against a varied setting. Each is written as CSV in
 * DIR/plots/ for gnuplot (plot.c) and for users' own plots.
 *
 * Curves come from re-simulating the run's first R replicates: every
 * random stream is keyed by (seed, replicate, patient, purpose) (trial.h),
 * so replicate r of seed s here is replicate r of the run. The data cut,
 * the endpoint evaluation and the Kaplan-Meier estimate are those of
 * montecarlo.c (itp_surv_km, as R's survfit), so at the landmark the mean
 * of km.csv over all the run's replicates is the run's tf_free_12m (month
 * g is study day itp_months_to_day(g), as the run's landmark).
 * Quantiles are R's type 7 (Hyndman & Fan, Am Stat 1996). */
#include "plotdata.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "itpsim/analysis.h"
#include "itpsim/calibrate.h"
#include "itpsim/endpoint.h"
#include "itpsim/model.h"
#include "itpsim/report.h"
#include "itpsim/survival.h"
#include "itpsim/trial.h"

/* Patients times visits kept for the trajectories (8 bytes each). */
#define TRAJ_MAX_CELLS 2000000L
/* Patients wanted for the trajectory quantiles (over replicates). */
#define TRAJ_PATIENTS 6000
/* Individual patients drawn per arm. */
#define TRAJ_SHOWN 4
#define HIST_BINS 40
#define P_BINS 50

/* ---- small helpers --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double itp_plot_quantile(double *x, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

size_t itp_base64(const unsigned char *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[k++] = tab[(v >> 18) & 63];
        out[k++] = tab[(v >> 12) & 63];
        out[k++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[k] = '\0';
    return k;
}

itp_status plot_read_file(const char *path, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ITP_EIO;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (cap - n < 4096) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return buf ? ITP_EIO : ITP_ENOMEM;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return ITP_OK;
}

/* Skips a JSON string starting at s (at the quote); returns past its end. */
static const char *json_skip_string(const char *s)
{
    for (s++; *s && *s != '"'; s++)
        if (*s == '\\' && s[1])
            s++;
    return *s ? s + 1 : s;
}

/* Copies the scalar at s (string unescaped, else the literal) into out. */
static void json_scalar(const char *s, char *out, size_t outlen)
{
    size_t k = 0;
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++) {
            char c = *s;
            if (c == '\\' && s[1]) {
                s++;
                c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
            }
            if (k + 1 < outlen)
                out[k++] = c;
        }
    } else {
        while (*s && !strchr(",}] \t\r\n", *s) && k + 1 < outlen)
            out[k++] = *s++;
    }
    if (outlen)
        out[k] = '\0';
}

int itp_json_get(const char *json, const char *key, int idx, char *out, size_t outlen)
{
    int depth = 0;
    size_t kl = strlen(key);
    for (const char *s = json; *s;) {
        if (*s == '"') {
            const char *end = json_skip_string(s);
            if (depth == 1 && (size_t)(end - s) == kl + 2 && !strncmp(s + 1, key, kl)) {
                const char *v = end;
                while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
                    v++;
                if (*v != ':') {
                    s = end;
                    continue;
                }
                for (v++; *v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'; v++)
                    ;
                if (idx < 0) {
                    json_scalar(v, out, outlen);
                    return 1;
                }
                if (*v != '[')
                    return 0;
                /* the idx-th element of a flat array */
                v++;
                for (int i = 0;; i++) {
                    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
                        v++;
                    if (!*v || *v == ']')
                        return 0;
                    if (i == idx) {
                        json_scalar(v, out, outlen);
                        return 1;
                    }
                    if (*v == '"')
                        v = json_skip_string(v);
                    else
                        while (*v && *v != ',' && *v != ']')
                            v++;
                    while (*v && *v != ',' && *v != ']')
                        v++;
                    if (*v == ',')
                        v++;
                }
            }
            s = end;
            continue;
        }
        if (*s == '{' || *s == '[')
            depth++;
        else if (*s == '}' || *s == ']')
            depth--;
        s++;
    }
    return 0;
}

/* Splits line (modified) at commas into at most max fields; returns count. */
static int split_csv(char *line, char **field, int max)
{
    int n = 0;
    char *s = line;
    while (n < max) {
        field[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

/* Next line of text (modified): returns it, or NULL at the end. */
static char *next_line(char **pos)
{
    char *s = *pos;
    if (!s || !*s)
        return NULL;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        *pos = nl + 1;
    } else {
        *pos = s + strlen(s);
    }
    size_t l = strlen(s);
    if (l && s[l - 1] == '\r')
        s[l - 1] = '\0';
    return s;
}

/* Strict number: NaN for NA, empty or junk; +-inf for Inf/-Inf. */
static double parse_num(const char *s)
{
    if (!strcmp(s, "Inf"))
        return HUGE_VAL;
    if (!strcmp(s, "-Inf"))
        return -HUGE_VAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE)
        return NAN;
    return v;
}

static void put_num(FILE *f, double x)
{
    if (isnan(x))
        fputs("NA", f);
    else
        fprintf(f, "%.6g", x);
}

static int first_time_endpoint(const itp_scenario *scn)
{
    for (int e = 0; e < scn->n_endpoints; e++)
        if (scn->endpoints[e].type->kind == ITP_EP_TIME)
            return e;
    return -1;
}

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
        qsort(t->ev_days, m, sizeof *t->ev_days, cmp_double);
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
        d->taper_lo[a] = d->taper_hi[a] = NAN;
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        int a = p->arm;
        int s = p->taper_start != ITP_NEVER ? p->taper_start : p->taper_ineligible;
        if (s != ITP_NEVER && !(d->taper_lo[a] <= s))
            d->taper_lo[a] = s;
        if (p->taper_deadline != ITP_NEVER && !(d->taper_hi[a] >= p->taper_deadline))
            d->taper_hi[a] = p->taper_deadline;
    }
    if (d->count) {
        int nv = scn->n_visits;
        for (size_t k = 0; k < (size_t)pcap * (size_t)nv; k++)
            d->count[k] = d->dose[k] = NAN;
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
            *cell = NAN;
            if (m == 0)
                continue;
            itp_surv_data sd = {m, t->times, t->event, t->group, NULL, 1};
            itp_km_result km;
            if (itp_surv_km(&sd, ITP_SURV_ALL, itp_months_to_day(g), scn->plan.conf_level,
                            t->surv, &km))
                return ITP_EINTERNAL;
            if (!km.surv_not_estimable)
                *cell = km.surv;
        }
    }
    return ITP_OK;
}

static itp_status write_km(const char *pdir, const itp_scenario *scn, int e0, long R, int n_grid,
                           const rep_data *rd, plot_info *info, char *err, size_t errlen)
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
    if (scn->cal)
        for (int k = 0; k < scn->cal->n_targets; k++) {
            const itp_cal_target *t = &scn->cal->t[k];
            if (t->quantity != ITP_Q_LANDMARK || t->endpoint != e0 || t->arm < 0)
                continue;
            fprintf(out.f, "%s,%d,%s,%.6g,%.6g,", scn->arms[t->arm].name, t->arm, t->name,
                    t->months, t->value);
            put_num(out.f, t->ci_low);
            fputc(',', out.f);
            put_num(out.f, t->ci_high);
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
                    x[m] = rd[r].count[k];
                    y[m++] = rd[r].dose[k];
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
        double lo = NAN, hi = NAN;
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

itp_status plotdata_simulate(const char *pdir, const itp_scenario *scn, const itp_plot_opts *o,
                             plot_info *info, char *err, size_t errlen)
{
    int n = o->patients > 0 ? o->patients : scn->n_patients;
    long R = o->replicates > 0 && o->replicates < ITP_PLOT_MAX_REPS ? o->replicates
                                                                    : ITP_PLOT_MAX_REPS;
    int e0 = first_time_endpoint(scn);
    /* months 0, 1, ... on the day grid of the run's landmark, up to the
     * last follow-up day (month 12 of a 12-month trial is day 365) */
    int n_grid = 1;
    while (itp_months_to_day(n_grid) <= scn->max_followup_days)
        n_grid++;
    /* trajectories: platelet model with visits; enough replicates for
     * TRAJ_PATIENTS patients, at most TRAJ_MAX_CELLS patient-visits */
    int traj = scn->n_visits > 0 && !strcmp(scn->model->name, "platelet");
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
    int threads = o->threads > 0 ? o->threads : 1;
    if (!st) {
#pragma omp parallel num_threads(threads)
        {
            sim_thread t;
            itp_status ts = sim_thread_create(&t, scn, n);
#pragma omp for schedule(dynamic, 1)
            for (long r = 0; r < R; r++) {
                itp_status s1 = ts ? ts : simulate_one(scn, o, r, n, e0, n_grid,
                                                      r < Rt ? pcap : 0, &t, &rd[r]);
                if (s1) {
#pragma omp critical(plot_status)
                    if (!st)
                        st = s1;
                }
            }
            sim_thread_free(&t);
        }
    }
    if (!st && e0 >= 0)
        st = write_km(pdir, scn, e0, R, n_grid, rd, info, err, errlen);
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
    char *pos = text, *line = next_line(&pos);
    int nf = line ? split_csv(line, f, MAXF) : 0;
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
            snprintf(info->hyp_what[h], sizeof info->hyp_what[h], "estimate");
            for (int k = 0; scn && k < scn->plan.n_hyp; k++) {
                const itp_hypothesis *hy = &scn->plan.hyp[k];
                if (strcmp(hy->name, info->hyp[h]))
                    continue;
                int tte = scn->endpoints[hy->endpoint].type->kind == ITP_EP_TIME;
                info->hyp_log[h] = tte;
                snprintf(info->hyp_what[h], sizeof info->hyp_what[h], "%s",
                         tte ? "hazard ratio" : hy->kind == ITP_TEST_BINOMIAL ? "rate"
                                                                              : "risk difference");
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
    while (!st && (line = next_line(&pos))) {
        if (!*line)
            continue;
        int m = split_csv(line, f, MAXF);
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
            est[nrow * ITP_MAX_HYPOTHESES + (size_t)h] = parse_num(f[col[h].est]);
            pv[nrow * ITP_MAX_HYPOTHESES + (size_t)h] = parse_num(f[col[h].p]);
        }
        if (sc[nrow])
            info->has_null = 1;
        nrow++;
    }
    free(text);
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

/* ---- power against a varied setting ------------------------------------------ */

typedef struct power_row {
    int series, hyp;
    double x, reps, p, se;
} power_row;

static int cmp_power_row(const void *a, const void *b)
{
    const power_row *x = a, *y = b;
    if (x->series != y->series)
        return x->series - y->series;
    return (x->x > y->x) - (x->x < y->x);
}

itp_status plotdata_power(const char *dir, const char *pdir, plot_info *info, char *err,
                          size_t errlen)
{
    static const char *const src[2] = {"sweep.csv", "samplesize.csv"};
    char path[1024], *text = NULL;
    int which = -1;
    for (int k = 0; k < 2 && which < 0; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, src[k]);
        if (!plot_read_file(path, &text, NULL))
            which = k;
    }
    if (which < 0)
        return ITP_OK;
    enum { MAXF = 4 + 1 + 16 * 4 + 4 };
    char *hdr[MAXF], *f[MAXF];
    char *pos = text, *line = next_line(&pos);
    int nf = line ? split_csv(line, hdr, MAXF) : 0;
    int nkeys = 0;
    while (nkeys < nf && strcmp(hdr[nkeys], "replicates"))
        nkeys++;
    if (nkeys == 0 || nkeys >= nf) {
        free(text);
        return ITP_OK;
    }
    int pcol[ITP_MAX_HYPOTHESES], nh = 0;
    for (int i = nkeys + 1; i + 1 < nf && nh < ITP_MAX_HYPOTHESES; i++) {
        size_t l = strlen(hdr[i]);
        if (l > 6 && !strcmp(hdr[i] + l - 6, "_power") && !strcmp(hdr[i + 1] + l - 6, "_power_mcse"))
            pcol[nh++] = i;
    }
    snprintf(info->power_x, sizeof info->power_x, "%s", hdr[0]);
    snprintf(info->power_source, sizeof info->power_source, "%s", src[which]);
    /* rows: the series is the hypothesis and the other settings' values */
    itp_out out;
    itp_status st = itp_out_open(&out, pdir, "power.csv", err, errlen);
    if (st) {
        free(text);
        return st;
    }
    fputs("series,series_index,hypothesis,setting,x,replicates,power,mcse,band_low,band_high\n",
          out.f);
    info->n_series = 0;
    size_t nrow = 0, cap = 64;
    power_row *row = malloc(cap * sizeof *row);
    while (row && (line = next_line(&pos))) {
        if (!*line)
            continue;
        int m = split_csv(line, f, MAXF);
        if (m < nf)
            continue;
        char others[128] = "";
        for (int k = 1; k < nkeys; k++) {
            size_t l = strlen(others);
            snprintf(others + l, sizeof others - l, "%s%s=%s", k > 1 ? "; " : "", hdr[k], f[k]);
        }
        for (int h = 0; h < nh; h++) {
            char name[160];
            int hl = (int)(strlen(hdr[pcol[h]]) - 6);
            if (others[0])
                snprintf(name, sizeof name, "%.*s (%s)", hl, hdr[pcol[h]], others);
            else
                snprintf(name, sizeof name, "%.*s", hl, hdr[pcol[h]]);
            int s = 0;
            while (s < info->n_series && strcmp(info->series[s], name))
                s++;
            if (s == info->n_series) {
                if (s == PLOT_MAX_SERIES)
                    continue;
                snprintf(info->series[info->n_series++], sizeof info->series[0], "%s", name);
            }
            if (nrow == cap) {
                power_row *r2 = realloc(row, 2 * cap * sizeof *row);
                if (!r2) {
                    free(row);
                    row = NULL;
                    break;
                }
                row = r2;
                cap *= 2;
            }
            power_row *r = &row[nrow++];
            r->series = s;
            r->hyp = h;
            r->x = parse_num(f[0]);
            r->reps = parse_num(f[nkeys]);
            r->p = parse_num(f[pcol[h]]);
            r->se = parse_num(f[pcol[h] + 1]);
        }
    }
    if (!row) {
        free(text);
        itp_out_abort(&out);
        return ITP_ENOMEM;
    }
    /* grouped by series, ascending in the setting: one line each */
    qsort(row, nrow, sizeof *row, cmp_power_row);
    for (size_t i = 0; i < nrow; i++) {
        const power_row *r = &row[i];
        double lo = fmax(0.0, r->p - 1.96 * r->se), hi = fmin(1.0, r->p + 1.96 * r->se);
        fprintf(out.f, "%s,%d,%.*s,%s,%.10g,%.0f,", info->series[r->series], r->series,
                (int)(strlen(hdr[pcol[r->hyp]]) - 6), hdr[pcol[r->hyp]], hdr[0], r->x, r->reps);
        put_num(out.f, r->p);
        fputc(',', out.f);
        put_num(out.f, r->se);
        fputc(',', out.f);
        put_num(out.f, lo);
        fputc(',', out.f);
        put_num(out.f, hi);
        fputc('\n', out.f);
    }
    free(row);
    free(text);
    return itp_out_commit(&out, err, errlen);
}
