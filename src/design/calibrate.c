/* Calibration to published summaries; see calibrate.h. */
#include "itpsim/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include "itpsim/endpoint.h"
#include "itpsim/engine.h"
#include "itpsim/model.h"
#include "itpsim/rng.h"
#include "itpsim/survival.h"
#include "itpsim/trial.h"

#define NA_D ((double)NAN)

/* ---- the calibration section --------------------------------------------------- */

static itp_status read_target(itp_reader *rd, const itp_scenario *scn, const config_setting_t *g,
                              itp_cal_target *t)
{
    static const char *const keys[] = {"name", "arm", "quantity", "endpoint", "months", "value",
                                       "ci", "scale", "bound", "fit", "primary", NULL};
    char arm[ITP_NAME_MAX], q[32], ep[ITP_NAME_MAX], bound[16];
    double ci[2];
    int nci;
    itp_status st;
    if (!config_setting_is_group(g))
        return itp_rd_fail(rd, g, "expected a group { name; arm; quantity; value; ... }");
    if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_string(rd, g, "name", NULL, t->name, sizeof t->name)) ||
        (st = itp_rd_string(rd, g, "arm", NULL, arm, sizeof arm)) ||
        (st = itp_rd_string(rd, g, "quantity", NULL, q, sizeof q)) ||
        (st = itp_rd_string(rd, g, "endpoint", NULL, ep, sizeof ep)) ||
        (st = itp_rd_string(rd, g, "bound", "equal", bound, sizeof bound)) ||
        (st = itp_rd_bool_or(rd, g, "fit", 1, &t->fit)) ||
        (st = itp_rd_bool_or(rd, g, "primary", 0, &t->primary)) ||
        (st = itp_rd_array(rd, g, "ci", ITP_CLOSED(0, 1e4), 0, ci, 2, &nci)))
        return st;
    if ((t->arm = itp_scenario_arm(scn, arm)) < 0)
        return itp_rd_fail(rd, itp_member(g, "arm"), "no arm '%s'", arm);
    if ((t->endpoint = itp_scenario_endpoint(scn, ep)) < 0)
        return itp_rd_fail(rd, itp_member(g, "endpoint"), "no endpoint '%s' in endpoints", ep);
    int tte = scn->endpoints[t->endpoint].type->kind == ITP_EP_TIME;
    double dscale, lo = 0.0, hi = 1.0;
    if (!strcmp(q, "landmark")) {
        t->quantity = ITP_Q_LANDMARK;
        dscale = 0.03;
    } else if (!strcmp(q, "median")) {
        t->quantity = ITP_Q_MEDIAN;
        dscale = 1.0;
        hi = 480.0;
    } else if (!strcmp(q, "hazard_ratio")) {
        t->quantity = ITP_Q_HR;
        dscale = 0.05;
        hi = 100.0;
        if (t->arm == scn->control_arm)
            return itp_rd_fail(rd, itp_member(g, "arm"), "a hazard ratio compares an arm with the control");
    } else if (!strcmp(q, "rate")) {
        t->quantity = ITP_Q_RATE;
        dscale = 0.03;
    } else {
        return itp_rd_fail(rd, itp_member(g, "quantity"),
                           "expected \"landmark\", \"median\", \"hazard_ratio\" or \"rate\", got \"%s\"", q);
    }
    if ((t->quantity == ITP_Q_RATE) == tte)
        return itp_rd_fail(rd, itp_member(g, "endpoint"), "quantity \"%s\" needs a %s endpoint", q,
                           t->quantity == ITP_Q_RATE ? "binary" : "time-to-event");
    t->scale_given = itp_member(g, "scale") != NULL;
    if ((st = itp_rd_double(rd, g, NULL, "value", ITP_CLOSED(lo, hi), &t->value)) ||
        (st = itp_rd_double_or(rd, g, "scale", ITP_POSITIVE(100.0), dscale, &t->scale)))
        return st;
    if (t->quantity == ITP_Q_HR && t->value <= 0)
        return itp_rd_fail(rd, itp_member(g, "value"), "expected a hazard ratio > 0");
    t->months = NA_D;
    if (t->quantity == ITP_Q_LANDMARK &&
        (st = itp_rd_double(rd, g, NULL, "months", ITP_POSITIVE(480.0), &t->months)))
        return st;
    if (t->quantity != ITP_Q_LANDMARK && itp_member(g, "months"))
        return itp_rd_fail(rd, itp_member(g, "months"), "months is for quantity \"landmark\"");
    t->ci_low = t->ci_high = NA_D;
    if (nci) {
        if (nci != 2 || !(ci[0] <= t->value && t->value <= ci[1]))
            return itp_rd_fail(rd, itp_member(g, "ci"), "expected [low, high] around the value %g",
                               t->value);
        t->ci_low = ci[0];
        t->ci_high = ci[1];
    }
    if (!strcmp(bound, "equal"))
        t->bound = ITP_BOUND_EQUAL;
    else if (!strcmp(bound, "at_least"))
        t->bound = ITP_BOUND_AT_LEAST;
    else if (!strcmp(bound, "at_most"))
        t->bound = ITP_BOUND_AT_MOST;
    else
        return itp_rd_fail(rd, itp_member(g, "bound"),
                           "expected \"equal\", \"at_least\" or \"at_most\", got \"%s\"", bound);
    return ITP_OK;
}

itp_status itp_cal_read_param(itp_reader *rd, const config_setting_t *g, itp_cal_param *p)
{
    static const char *const keys[] = {"path", "min", "max", "start", NULL};
    itp_status st;
    if (!config_setting_is_group(g))
        return itp_rd_fail(rd, g, "expected a group { path; min; max; start; }");
    if ((st = itp_rd_keys(rd, g, keys, NULL)))
        return st;
    const config_setting_t *ps = itp_member(g, "path");
    if (!ps)
        return itp_rd_fail(rd, g, "missing setting 'path' (a setting's path, or an array of them)");
    int arr = config_setting_type(ps) == CONFIG_TYPE_ARRAY;
    p->n_paths = arr ? config_setting_length(ps) : 1;
    if (p->n_paths < 1 || p->n_paths > ITP_CAL_MAX_PATHS)
        return itp_rd_fail(rd, ps, "expected 1 to %d paths", ITP_CAL_MAX_PATHS);
    for (int i = 0; i < p->n_paths; i++) {
        const char *s = arr ? config_setting_get_string_elem(ps, (unsigned)i)
                            : config_setting_get_string(ps);
        if (!s || strlen(s) >= sizeof p->path[i])
            return itp_rd_fail(rd, ps, "expected a setting's path (a string)");
        if (!itp_reader_has_number(rd, s))
            return itp_rd_fail(rd, ps, "'%s' names no numeric setting of the scenario or the "
                               "defaults", s);
        snprintf(p->path[i], sizeof p->path[i], "%s", s);
    }
    snprintf(p->unit, sizeof p->unit, "%s", itp_reader_unit(rd, p->path[0]));
    if ((st = itp_rd_double(rd, g, NULL, "min", ITP_CLOSED(-1e6, 1e6), &p->min)) ||
        (st = itp_rd_double(rd, g, NULL, "max", ITP_CLOSED(-1e6, 1e6), &p->max)) ||
        (st = itp_rd_double(rd, g, NULL, "start", ITP_CLOSED(-1e6, 1e6), &p->start)))
        return st;
    if (!(p->min < p->max) || p->start <= p->min || p->start >= p->max)
        return itp_rd_fail(rd, g, "expected min < start < max (got %g, %g, %g)", p->min, p->start,
                           p->max);
    return ITP_OK;
}

/* The calibration section, into the spec ctx (zeroed first: n_targets 0
 * when the scenario has none). */
static itp_status cal_parse(itp_reader *rd, itp_scenario *scn, void *ctx)
{
    static const char *const keys[] = {"patients_per_arm", "starts", "max_evaluations",
                                       "power_replicates", "targets", "parameters", NULL};
    const config_setting_t *g, *tl, *pl;
    itp_cal_spec *s = ctx;
    itp_status st;
    memset(s, 0, sizeof *s);
    if ((st = itp_rd_child(rd, itp_reader_root(rd), "calibration", CONFIG_TYPE_GROUP, 0, &g)) || !g)
        return st;
    if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_int_or(rd, g, "patients_per_arm", 100, 1000000, 20000, &s->per_arm)) ||
        (st = itp_rd_int_or(rd, g, "starts", 1, 20, 3, &s->starts)) ||
        (st = itp_rd_int_or(rd, g, "max_evaluations", 5, 10000, 200, &s->max_evals)) ||
        (st = itp_rd_int_or(rd, g, "power_replicates", 0, 1000000, 2000, &s->power_reps)) ||
        (st = itp_rd_child(rd, g, "targets", CONFIG_TYPE_LIST, 1, &tl)) ||
        (st = itp_rd_child(rd, g, "parameters", CONFIG_TYPE_LIST, 1, &pl)))
        return st;
    if (scn->cut_kind == ITP_CUT_EVENTS)
        return itp_rd_fail(rd, g, "calibration needs a calendar data cut");
    s->n_targets = config_setting_length(tl);
    s->n_params = config_setting_length(pl);
    if (s->n_targets < 1 || s->n_targets > ITP_CAL_MAX_TARGETS)
        return itp_rd_fail(rd, tl, "expected 1 to %d targets", ITP_CAL_MAX_TARGETS);
    if (s->n_params < 1 || s->n_params > ITP_CAL_MAX_PARAMS)
        return itp_rd_fail(rd, pl, "expected 1 to %d parameters", ITP_CAL_MAX_PARAMS);
    int fitted = 0;
    for (int i = 0; i < s->n_targets; i++) {
        const config_setting_t *ti = config_setting_get_elem(tl, (unsigned)i);
        if ((st = read_target(rd, scn, ti, &s->t[i])))
            return st;
        for (int j = 0; j < i; j++)   /* each names a row of the report and a draw's column */
            if (!strcmp(s->t[j].name, s->t[i].name))
                return itp_rd_fail(rd, itp_member(ti, "name") ? itp_member(ti, "name") : ti,
                                   "duplicate target name '%s' (targets[%d] has it)",
                                   s->t[i].name, j);
        fitted += s->t[i].fit;
    }
    if (!fitted)
        return itp_rd_fail(rd, tl, "every target is held out (fit = false): nothing to fit");
    s->primary = 0;
    for (int i = 0, n = 0; i < s->n_targets; i++)
        if (s->t[i].primary) {
            if (n++)
                return itp_rd_fail(rd, config_setting_get_elem(tl, (unsigned)i),
                                   "a second primary target (the first: %s)", s->t[s->primary].name);
            s->primary = i;
        }
    for (int i = 0; i < s->n_params; i++)
        if ((st = itp_cal_read_param(rd, config_setting_get_elem(pl, (unsigned)i), &s->p[i])))
            return st;
    return ITP_OK;
}

itp_status itp_cal_load(itp_scenario **out, itp_cal_spec *spec, const char *file,
                        const char *defaults, const char *const *sets, int n_sets,
                        FILE *resolved, char *err, size_t errlen)
{
    const itp_scenario_section cal = {"calibration", NULL, cal_parse, NULL, spec};
    return itp_scenario_load_with(out, file, defaults, sets, n_sets, &cal, 1, resolved, err,
                                  errlen);
}

/* ---- the calibrator -------------------------------------------------------------- */

struct itp_calibrator {
    char file[512], defaults[512];
    int n_sets;
    char sets[64][160];
    uint64_t seed;
    int threads;
    itp_cal_spec spec;
    itp_scenario *scn;           /* as last loaded */
    size_t cap;                  /* patients the buffers hold */
    itp_outcome *out;            /* [cap * n_endpoints] */
    unsigned char *arm;          /* [cap]; 255: randomised after the cut */
    double *time;
    int *event, *group;
    itp_surv_workspace *surv;
};

int itp_cal_overrides(const itp_cal_spec *s, const double *x, char buf[][160], int max)
{
    int n = 0;
    for (int i = 0; i < s->n_params; i++)
        for (int j = 0; j < s->p[i].n_paths && n < max; j++)
            snprintf(buf[n++], 160, "%s=%.10g", s->p[i].path[j], x[i]);
    return n;
}

const itp_scenario *itp_calibrator_scenario(itp_calibrator *c, const double *x, char *err,
                                            size_t errlen)
{
    char ov[64 + ITP_CAL_MAX_PARAMS * ITP_CAL_MAX_PATHS][160];
    const char *sets[64 + ITP_CAL_MAX_PARAMS * ITP_CAL_MAX_PATHS];
    int n = 0;
    for (int i = 0; i < c->n_sets; i++)
        sets[n++] = c->sets[i];
    int k = x ? itp_cal_overrides(&c->spec, x, ov, ITP_CAL_MAX_PARAMS * ITP_CAL_MAX_PATHS) : 0;
    for (int i = 0; i < k; i++)
        sets[n++] = ov[i];
    itp_scenario_free(c->scn);
    c->scn = NULL;
    if (itp_scenario_load(&c->scn, c->file, c->defaults[0] ? c->defaults : NULL, sets, n, NULL,
                          err, errlen))
        return NULL;
    return c->scn;
}

itp_status itp_calibrator_create(itp_calibrator **out, const char *file, const char *defaults,
                                 const char *const *sets, int n_sets, uint64_t seed,
                                 int threads, char *err, size_t errlen)
{
    itp_calibrator *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return ITP_ENOMEM;
    snprintf(c->file, sizeof c->file, "%s", file);
    snprintf(c->defaults, sizeof c->defaults, "%s", defaults ? defaults : "");
    c->n_sets = n_sets < 64 ? n_sets : 64;
    for (int i = 0; i < c->n_sets; i++)
        snprintf(c->sets[i], sizeof c->sets[i], "%s", sets[i]);
    c->seed = seed;
    c->threads = threads > 0 ? threads : 1;
    itp_status st = itp_cal_load(&c->scn, &c->spec, file, defaults, sets, n_sets, NULL, err,
                                 errlen);
    if (!st && c->spec.n_targets == 0) {
        snprintf(err, errlen, "%s: no calibration section: nothing to fit", file);
        st = ITP_EINPUT;
    }
    if (st) {
        itp_calibrator_free(c);
        return st;
    }
    *out = c;
    return ITP_OK;
}

static void free_buffers(itp_calibrator *c)
{
    free(c->out);
    free(c->arm);
    free(c->time);
    free(c->event);
    free(c->group);
    itp_surv_workspace_free(c->surv);
    c->out = NULL;
    c->arm = NULL;
    c->time = NULL;
    c->event = c->group = NULL;
    c->surv = NULL;
    c->cap = 0;
}

void itp_calibrator_free(itp_calibrator *c)
{
    if (!c)
        return;
    itp_scenario_free(c->scn);
    free_buffers(c);
    free(c);
}

const itp_cal_spec *itp_calibrator_spec(const itp_calibrator *c)
{
    return &c->spec;
}

static itp_status reserve(itp_calibrator *c, size_t n, size_t ne)
{
    if (n <= c->cap)
        return ITP_OK;
    free_buffers(c);
    c->out = malloc(n * ne * sizeof *c->out);
    c->arm = malloc(n);
    c->time = malloc(n * sizeof *c->time);
    c->event = malloc(n * sizeof *c->event);
    c->group = malloc(n * sizeof *c->group);
    if (!c->out || !c->arm || !c->time || !c->event || !c->group ||
        itp_surv_workspace_create(&c->surv, n))
        return ITP_ENOMEM;
    c->cap = n;
    return ITP_OK;
}

/* One replicate of the pooled cohort, for the replicate engine. */
typedef struct cohort_job {
    itp_calibrator *c;
    const itp_scenario *scn;
} cohort_job;

typedef struct cohort_ws {
    itp_sim_ws *sim;
    itp_record rec;
} cohort_ws;

static void cohort_ws_free(void *ws)
{
    cohort_ws *w = ws;
    if (!w)
        return;
    itp_record_free(&w->rec);
    itp_sim_ws_free(w->sim);
    free(w);
}

static itp_status cohort_ws_create(void *ctx, void **ws)
{
    const cohort_job *j = ctx;
    cohort_ws *w = calloc(1, sizeof *w);
    *ws = w;
    if (!w)
        return ITP_ENOMEM;
    itp_record_init(&w->rec);
    return itp_sim_ws_create(&w->sim, j->scn);
}

/* Replicate r's result slot: its patients' outcomes [n][ne], then their
 * arms [n] (255: not randomised by the cut), rounded up to whole outcomes
 * so that the next slot's outcomes are aligned. */
static size_t cohort_slot_size(const itp_scenario *scn)
{
    size_t n = (size_t)scn->n_patients, ne = (size_t)scn->n_endpoints;
    size_t one = sizeof(itp_outcome);
    return (n * ne * one + n + one - 1) / one * one;
}

static itp_status cohort_replicate(void *ctx, void *ws, long r, void *result)
{
    const cohort_job *j = ctx;
    cohort_ws *w = ws;
    size_t n = (size_t)j->scn->n_patients, ne = (size_t)j->scn->n_endpoints;
    itp_status st = itp_trial_simulate(j->scn, j->c->seed, (uint64_t)r, 0, w->sim, &w->rec);
    if (st)
        return st;
    itp_outcome *out = result;
    unsigned char *arm = (unsigned char *)(out + n * ne);
    itp_endpoints_eval(j->scn, &w->rec, NULL, out);
    for (size_t i = 0; i < n; i++)
        arm[i] = w->rec.patients[i].followup_days < 0 ? 255
                                                      : (unsigned char)w->rec.patients[i].arm;
    return ITP_OK;
}

/* Replicates [first, first + count) into patients [first n, (first +
 * count) n) of the pool. */
static itp_status cohort_reduce(void *ctx, long first, const void *results, long count)
{
    const cohort_job *j = ctx;
    itp_calibrator *c = j->c;
    size_t n = (size_t)j->scn->n_patients, ne = (size_t)j->scn->n_endpoints;
    size_t size = cohort_slot_size(j->scn);
    for (long i = 0; i < count; i++) {
        const itp_outcome *out = (const void *)((const unsigned char *)results + (size_t)i * size);
        size_t r = (size_t)(first + i);
        memcpy(c->out + r * n * ne, out, n * ne * sizeof *out);
        memcpy(c->arm + r * n, out + n * ne, n);
    }
    return ITP_OK;
}

/* The pooled cohort: K replicate trials of the scenario, each from its own
 * replicate streams, written at fixed offsets (the result does not depend
 * on the threads, nor on the ranks of an MPI job, which share the
 * replicates out through the result slots). One chunk: one wait for the
 * slowest thread, and a copy of the pool's size. */
static itp_status simulate_cohort(itp_calibrator *c, const itp_scenario *scn, size_t *n_out)
{
    double sum = 0.0, least = HUGE_VAL;
    for (int a = 0; a < scn->n_arms; a++) {
        sum += scn->arms[a].ratio;
        least = fmin(least, scn->arms[a].ratio);
    }
    size_t n = (size_t)scn->n_patients, ne = (size_t)scn->n_endpoints;
    long k = (long)ceil(c->spec.per_arm / (n * least / sum));
    itp_status st = reserve(c, (size_t)k * n, ne);
    if (st)
        return st;
    cohort_job j = {c, scn};
    itp_engine_task task = {&j, cohort_slot_size(scn), cohort_ws_create, cohort_ws_free,
                            cohort_replicate, cohort_reduce};
    itp_engine_opts eo = {.first = 0, .count = k, .threads = c->threads, .chunk = k};
    *n_out = (size_t)k * n;
    return itp_engine_run(&task, &eo);
}

/* Time-to-event data of the arm (and, for a hazard ratio, the control). */
static size_t collect(itp_calibrator *c, const itp_scenario *scn, size_t n, int e, int arm,
                      int control)
{
    size_t m = 0, ne = (size_t)scn->n_endpoints;
    for (size_t i = 0; i < n; i++) {
        const itp_outcome *o = &c->out[i * ne + (size_t)e];
        if (!o->included || (c->arm[i] != arm && c->arm[i] != control))
            continue;
        c->time[m] = o->time;
        c->event[m] = o->event;
        c->group[m] = c->arm[i] == arm;
        m++;
    }
    return m;
}

double itp_cal_residual(const itp_cal_target *t, double sim)
{
    if (isnan(sim))
        return 1e3;
    double d;
    if (t->quantity == ITP_Q_HR)
        d = (log(fmax(sim, 1e-9)) - log(t->value)) * t->value / t->scale;
    else if (t->quantity == ITP_Q_MEDIAN && isinf(sim))
        d = t->bound == ITP_BOUND_AT_LEAST ? 0.0 : 480.0 / t->scale;
    else
        d = (sim - t->value) / t->scale;
    if ((t->bound == ITP_BOUND_AT_LEAST && d > 0) || (t->bound == ITP_BOUND_AT_MOST && d < 0))
        d = 0.0;
    return d;
}

static double distance(const itp_cal_target *t, double sim)
{
    double d = itp_cal_residual(t, sim);
    return d * d;
}

itp_status itp_cal_evaluate(itp_calibrator *c, const double *x, itp_cal_eval *ev, char *err,
                            size_t errlen)
{
    const itp_scenario *scn = itp_calibrator_scenario(c, x, err, errlen);
    if (!scn)
        return ITP_EINPUT;
    size_t n;
    itp_status st = simulate_cohort(c, scn, &n);
    if (st) {
        snprintf(err, errlen, "%s", itp_strerror(st));
        return st;
    }
    ev->patients = (int)n;
    ev->objective = 0.0;
    size_t ne = (size_t)scn->n_endpoints;
    for (int k = 0; k < c->spec.n_targets; k++) {
        const itp_cal_target *t = &c->spec.t[k];
        double v = NA_D, se = NA_D;
        if (t->quantity == ITP_Q_RATE) {
            long num = 0, den = 0;
            for (size_t i = 0; i < n; i++) {
                const itp_outcome *o = &c->out[i * ne + (size_t)t->endpoint];
                if (c->arm[i] == t->arm && o->included) {
                    den++;
                    num += o->event;
                }
            }
            if (den) {
                v = (double)num / den;
                se = sqrt(v * (1 - v) / den);
            }
        } else if (t->quantity == ITP_Q_HR) {
            size_t m = collect(c, scn, n, t->endpoint, t->arm, scn->control_arm);
            itp_surv_data d = {m, c->time, c->event, c->group, NULL, 1};
            itp_cox_result cx;
            if (!itp_surv_cox(&d, ITP_COX_EFRON, 0.95, c->surv, &cx) && !cx.monotone &&
                !cx.not_estimable) {
                v = cx.hr;
                se = cx.hr * cx.se;
            }
        } else {
            size_t m = collect(c, scn, n, t->endpoint, t->arm, -1);
            itp_surv_data d = {m, c->time, c->event, c->group, NULL, 1};
            itp_km_result km;
            /* the landmark on the day grid, as run's (analysis.c) */
            double at = t->quantity == ITP_Q_LANDMARK ? itp_months_to_day(t->months) : 1.0;
            if (!itp_surv_km(&d, ITP_SURV_ALL, at, 0.95, c->surv, &km)) {
                if (t->quantity == ITP_Q_LANDMARK) {
                    v = km.surv_not_estimable ? NA_D : km.surv;
                    se = km.se;
                } else if (km.median_not_reached) {
                    v = HUGE_VAL;
                } else {
                    v = km.median / ITP_DAYS_PER_MONTH;
                    se = km.median_lower_not_reached || km.median_upper_not_reached
                             ? NA_D
                             : (km.median_upper - km.median_lower) / ITP_DAYS_PER_MONTH / 3.92;
                }
            }
        }
        ev->value[k] = v;
        ev->se[k] = se;
        if (t->fit)
            ev->objective += distance(t, v);
    }
    return ITP_OK;
}

/* ---- fitting ------------------------------------------------------------------------ */

double itp_cal_from_u(const itp_cal_param *p, double u)
{
    return p->min + (p->max - p->min) / (1.0 + exp(-u));
}

double itp_cal_to_u(const itp_cal_param *p, double x)
{
    double f = (x - p->min) / (p->max - p->min);
    f = fmin(fmax(f, 1e-6), 1 - 1e-6);
    return log(f / (1 - f));
}

typedef struct min_ctx {
    const itp_cal_param *p;
    int np;
    itp_cal_objfn fn;
    void *ctx;
    int start, evals;
    itp_status st;
} min_ctx;

static double min_objective(const gsl_vector *u, void *vctx)
{
    min_ctx *m = vctx;
    double x[ITP_CAL_MAX_JOINT_PARAMS];
    if (m->st)
        return 1e12;
    for (int i = 0; i < m->np; i++)
        x[i] = itp_cal_from_u(&m->p[i], gsl_vector_get(u, (size_t)i));
    m->evals++;
    double v = m->fn(x, m->start, m->evals, m->ctx, &m->st);
    return m->st ? 1e12 : v;
}

itp_status itp_cal_minimise(const itp_cal_param *p, int np, itp_cal_objfn fn, void *ctx,
                            int starts, int max_evals, uint64_t seed, const double *from,
                            double *best, double *best_obj)
{
    gsl_vector *u = gsl_vector_alloc((size_t)np), *step = gsl_vector_alloc((size_t)np);
    gsl_multimin_fminimizer *m =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)np);
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    if (!u || !step || !m || !r) {
        gsl_vector_free(u);
        gsl_vector_free(step);
        if (m)
            gsl_multimin_fminimizer_free(m);
        if (r)
            gsl_rng_free(r);
        return ITP_ENOMEM;
    }
    min_ctx mc = {p, np, fn, ctx, 0, 0, ITP_OK};
    gsl_multimin_function f = {min_objective, (size_t)np, &mc};
    *best_obj = HUGE_VAL;
    itp_rng_stream(r, seed, 0, 0, 99);
    for (int k = 0; k < starts && !mc.st; k++) {
        /* start 1: the starting values; others: drawn over the bounds */
        for (int i = 0; i < np; i++) {
            double x = k == 0 ? (from ? from[i] : p[i].start)
                              : p[i].min + (0.1 + 0.8 * gsl_rng_uniform(r)) * (p[i].max - p[i].min);
            gsl_vector_set(u, (size_t)i, itp_cal_to_u(&p[i], x));
            gsl_vector_set(step, (size_t)i, 0.7);
        }
        mc.start = k;
        mc.evals = 0;
        gsl_multimin_fminimizer_set(m, &f, u, step);
        while (mc.evals < max_evals && !mc.st) {
            if (gsl_multimin_fminimizer_iterate(m))
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-3) == GSL_SUCCESS)
                break;
        }
        if (!mc.st && m->fval < *best_obj) {
            *best_obj = m->fval;
            for (int i = 0; i < np; i++)
                best[i] = itp_cal_from_u(&p[i], gsl_vector_get(m->x, (size_t)i));
        }
    }
    gsl_vector_free(u);
    gsl_vector_free(step);
    gsl_multimin_fminimizer_free(m);
    gsl_rng_free(r);
    return mc.st;
}

typedef struct fit_ctx {
    itp_calibrator *c;
    FILE *progress;
    char *err;
    size_t errlen;
} fit_ctx;

static double fit_objective(const double *x, int start, int eval, void *vctx, itp_status *st)
{
    fit_ctx *f = vctx;
    const itp_cal_spec *s = &f->c->spec;
    itp_cal_eval ev;
    if ((*st = itp_cal_evaluate(f->c, x, &ev, f->err, f->errlen)))
        return 1e12;
    if (f->progress) {
        fprintf(f->progress, "calibrate: start %d, evaluation %d: objective %.4f (", start + 1,
                eval, ev.objective);
        for (int i = 0; i < s->n_params; i++)
            fprintf(f->progress, "%s%.4g", i ? ", " : "", x[i]);
        fputs(")\n", f->progress);
    }
    return ev.objective;
}

itp_status itp_cal_fit(itp_calibrator *c, double *best, itp_cal_eval *bev, FILE *progress,
                       char *err, size_t errlen)
{
    const itp_cal_spec *s = &c->spec;
    fit_ctx f = {c, progress, err, errlen};
    double obj;
    itp_status st = itp_cal_minimise(s->p, s->n_params, fit_objective, &f, s->starts,
                                     s->max_evals, c->seed, NULL, best, &obj);
    if (st)
        return st;
    return itp_cal_evaluate(c, best, bev, err, errlen);
}

void itp_cal_use_params(itp_calibrator *c, const itp_cal_param *p, int n, int per_arm)
{
    c->spec.n_params = n < ITP_CAL_MAX_PARAMS ? n : ITP_CAL_MAX_PARAMS;
    for (int i = 0; i < c->spec.n_params; i++)
        c->spec.p[i] = p[i];
    if (per_arm > 0)
        c->spec.per_arm = per_arm;
}

void itp_cal_scale_by_uncertainty(itp_calibrator *c)
{
    const itp_scenario *scn = c->scn;
    double sum = 0.0;
    for (int a = 0; a < scn->n_arms; a++)
        sum += scn->arms[a].ratio;
    for (int k = 0; k < c->spec.n_targets; k++) {
        itp_cal_target *t = &c->spec.t[k];
        if (t->scale_given)
            continue;
        if (!isnan(t->ci_low)) {
            t->scale = t->quantity == ITP_Q_HR
                           ? t->value * (log(t->ci_high) - log(t->ci_low)) / 3.92
                           : (t->ci_high - t->ci_low) / 3.92;
        } else if (t->quantity == ITP_Q_RATE || t->quantity == ITP_Q_LANDMARK) {
            double n = scn->n_patients * scn->arms[t->arm].ratio / sum;
            double v = fmin(fmax(t->value, 0.5 / n), 1.0 - 0.5 / n);
            t->scale = sqrt(v * (1.0 - v) / n);
        }
    }
}
