/* Helpers shared by the unit tests: scenarios from strings. */
#ifndef ITPSIM_TESTUTIL_H
#define ITPSIM_TESTUTIL_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "itpsim/component.h"
#include "itpsim/rng.h"
#include "itpsim/trial.h"

/* The defaults file, relative to the project root where the tests run. */
#define TEST_DEFAULTS "config/defaults.cfg"

/* Writes text to a temporary .cfg file; its name goes to path[64]. */
static inline void test_write_file(const char *text, char *path)
{
    snprintf(path, 64, "/tmp/itpsim-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

/* Loads a scenario from text; NULL with the message printed on failure. */
static inline itp_scenario *test_load(const char *text, char *err, size_t errlen)
{
    char path[64];
    itp_scenario *scn = NULL;
    test_write_file(text, path);
    itp_status st = itp_scenario_load(&scn, path, TEST_DEFAULTS, NULL, 0, NULL, err, errlen);
    unlink(path);
    if (st)
        fprintf(stderr, "load: %s\n", err);
    return scn;
}

/* Simulates replicate 0 of scn with its own size into rec (initialised by
 * the caller), with a workspace of its own. */
static inline itp_status test_simulate(const itp_scenario *scn, uint64_t seed, itp_record *rec)
{
    itp_sim_ws *ws;
    itp_status st = itp_sim_ws_create(&ws, scn);
    if (st)
        return st;
    st = itp_trial_simulate(scn, seed, 0, 0, ws, rec);
    itp_sim_ws_free(ws);
    return st;
}

/* A degenerate platelet scenario without noise (no fluctuation, measurement
 * error, random effects, remission, rescue, new therapy, death or
 * dropout), where a course can be worked out by hand: baseline 20 for
 * everyone, active platelet lifespan 2 days (destruction 0.5/day),
 * transit 7.1 days; weekly visits for a year. */
#define TEST_QUIET_SCENARIO                                                             \
    "patients = 4;\n"                                                                   \
    "enrolment = { duration_months = 1.0; };\n"                                         \
    "followup = { max_months = 12.0; cut_months = 12.0; };\n"                           \
    "visits = ( { from_week = 0; every_weeks = 1; } );\n"                               \
    "platelet = { baseline_median = 20.0; baseline_logsd = 0.0;\n"                      \
    "  lifespan_active_median = 2.0; lifespan_active_logsd = 0.0;\n"                    \
    "  remission_count_logsd = 0.0; background_remission_prob = 0.0;\n"                 \
    "  fluctuation_sd = 0.0; measurement_sd = 0.0; };\n"                                \
    "events = { death_per_year = 0.0; dropout_per_year = 0.0; };\n"                     \
    "rescue = { below = 0.0; bleed_max_per_day = 0.0; };\n"                             \
    "new_therapy = { prob = 0.0; };\n"

/* How test_cohort treats its patients. */
typedef struct test_cohort_opts {
    uint64_t seed;        /* patient i draws from stream (seed, 0, i, the type's key) */
    double log_odds;      /* the population's log odds ratio of remission */
    int stop_day;         /* new therapy stops the component on that day (< 0: never) */
    int hook_days;        /* the day hook runs, from day to ctx.wake, up to this day
                             (0: not at all, for types whose remission is drawn at start) */
    double last_count;    /* the latest count the hooks see (on day 0) */
} test_cohort_opts;

/* n patients started, one by one, on the component c alone (outside the
 * platelet model): each patient's first remission mechanism into mech[i]
 * when mech is not NULL ({0, 0}: none); returns the number in remission
 * (a mechanism with end > onset). The same seed gives the same patients,
 * so two cohorts compare patient by patient. */
static inline int test_cohort(const itp_scenario *scn, const itp_component *c, int n,
                              const test_cohort_opts *o, itp_mechanism *mech)
{
    gsl_rng *g = gsl_rng_alloc(itp_rng_xoshiro256pp);
    unsigned char st[1024];
    itp_record rec;
    int remit = 0;
    if (!g || c->type->state_size > sizeof st) {
        fprintf(stderr, "test_cohort: no generator, or a state over %zu bytes\n", sizeof st);
        exit(1);
    }
    itp_record_init(&rec);
    for (int i = 0; i < n; i++) {
        itp_patient pt;
        itp_patient_clear_events(&pt);
        pt.event_first = rec.n_events;
        itp_patient_ctx ctx = {.pt = &pt, .rec = &rec, .max_day = scn->max_followup_days,
                               .recheck_day = INT_MAX, .last_count_day = 0,
                               .last_count = o->last_count,
                               .remission_log_odds = o->log_odds};
        memset(st, 0, sizeof st);
        itp_rng_stream(g, o->seed, 0, (uint64_t)i, itp_component_stream_key(c->type, 0));
        c->type->start(c->params, &ctx, g, st);
        for (ctx.day = 0; ctx.day < o->hook_days; ctx.day = ctx.wake) {
            itp_drive d = itp_drive_none();
            if (ctx.day == o->stop_day && c->type->stop)
                c->type->stop(c->params, &ctx, st);
            ctx.wake = ctx.day + 1;
            c->type->day(c->params, &ctx, st, &d);
            if (o->stop_day > ctx.day && o->stop_day < ctx.wake)
                ctx.wake = o->stop_day;
        }
        if (o->stop_day >= o->hook_days && o->stop_day >= 0 && c->type->stop) {
            ctx.day = o->stop_day;
            c->type->stop(c->params, &ctx, st);
        }
        if (ctx.n_mech > c->type->mechanisms) {
            fprintf(stderr, "test_cohort: %d mechanisms from a type declaring %d\n", ctx.n_mech,
                    c->type->mechanisms);
            exit(1);
        }
        remit += ctx.n_mech && ctx.mech[0].end > ctx.mech[0].onset;
        if (mech)
            mech[i] = ctx.n_mech ? ctx.mech[0] : (itp_mechanism){0, 0};
    }
    itp_record_free(&rec);
    gsl_rng_free(g);
    return remit;
}

/* One patient on a component "c" of type `type` (its settings
 * `settings`) of a scenario with weekly visits over `months` months,
 * driven day by day outside the platelet model: the tests script the
 * counts it sees. */
typedef struct test_run {
    itp_scenario *scn;
    const itp_component *c;
    itp_patient pt;
    itp_record rec;          /* the event log */
    itp_patient_ctx ctx;
    unsigned char st[512];
} test_run;

/* The day of the patient's first event of a kind, or ITP_NEVER. */
#define TEST_EV(r, kind) itp_patient_event(&(r).rec, &(r).pt, ITP_EV_##kind, 0)

static inline void test_run_open(test_run *r, const char *type, const char *settings,
                                 double months)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "patients = 10;\n"
             "arms = ( { name = \"a\"; treatments = [\"c\"]; } );\n"
             "enrolment = { duration_months = 1.0; };\n"
             "followup = { max_months = %g; cut_months = %g; };\n"
             "visits = ( { from_week = 0; every_weeks = 1; } );\n"
             "components = { c = { type = \"%s\"; %s }; };\n", months, months, type,
             settings);
    r->scn = test_load(text, err, sizeof err);
    if (!r->scn) {
        fprintf(stderr, "test_run_open: %s\n", err);
        exit(1);
    }
    r->c = &r->scn->components[0];
    if (r->c->type->state_size > sizeof r->st) {
        fprintf(stderr, "test_run_open: a state over %zu bytes\n", sizeof r->st);
        exit(1);
    }
    itp_patient_clear_events(&r->pt);
    itp_record_init(&r->rec);
    r->pt.event_first = 0;
    r->ctx = (itp_patient_ctx){.pt = &r->pt, .rec = &r->rec,
                               .max_day = r->scn->max_followup_days, .recheck_day = INT_MAX};
    memset(r->st, 0, sizeof r->st);   /* as the model zeroes it */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_default);
    if (r->c->type->start)
        r->c->type->start(r->c->params, &r->ctx, g, r->st);
    gsl_rng_free(g);
}

/* A TPO-RA, 12 months. */
static inline void test_run_start(test_run *r, const char *settings)
{
    test_run_open(r, "tpo_ra", settings, 12.0);
}

static inline void test_run_end(test_run *r)
{
    itp_scenario_free(r->scn);
    itp_record_free(&r->rec);
}

/* Day `day`: an observed count (count < 0: none), then the day's hook as
 * the model calls it (ctx.wake the next day unless the hook names a later
 * one): its drive into d, its dose returned. */
static inline double test_run_step_drive(test_run *r, int day, double count, itp_drive *d)
{
    *d = itp_drive_none();
    r->ctx.day = day;
    if (count >= 0) {
        if (day == r->ctx.recheck_day)
            itp_ctx_recheck_done(&r->ctx, day);
        r->c->type->observe(r->c->params, &r->ctx, r->st, count, 1);
    }
    r->ctx.wake = day + 1;
    return r->c->type->day(r->c->params, &r->ctx, r->st, d);
}

static inline double test_run_step(test_run *r, int day, double count)
{
    itp_drive d;
    return test_run_step_drive(r, day, count, &d);
}

/* A compact two-arm platelet scenario; extra settings are appended. */
#define TEST_BASE_SCENARIO                                                            \
    "patients = 60;\n"                                                                \
    "arms = ( { name = \"active\"; treatments = [\"elt\", \"ab\"]; },\n"              \
    "         { name = \"control\"; treatments = [\"elt\", \"pbo\"]; } );\n"          \
    "control = \"control\";\n"                                                        \
    "enrolment = { duration_months = 6.0; };\n"                                       \
    "followup = { max_months = 12.0; cut_months = 12.0; };\n"                         \
    "visits = ( { from_week = 0; to_week = 9; every_weeks = 1; },\n"                  \
    "           { from_week = 11; to_week = 25; every_weeks = 2; },\n"                \
    "           { from_week = 29; every_weeks = 4; } );\n"                            \
    "components = {\n"                                                                \
    "  elt = { type = \"tpo_ra\"; taper = { start_week = 17.0; end_week = 24.0;\n"    \
    "          eligible_weeks = [15, 17]; }; };\n"                                    \
    "  ab = { type = \"bcell_antibody\"; dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12]; };\n" \
    "  pbo = { type = \"placebo\"; infusion_weeks = [0, 4, 8, 12]; };\n"              \
    "};\n"

#endif
