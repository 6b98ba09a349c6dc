/* The TPO-RA component under scripted counts: the label's titration
 * (< 50 up, 200-400 down, > 400 hold and restart lower below 150, two weeks
 * between changes, stop after 4 weeks at the maximum without response)
 * and the taper (eligibility, steps on the scheduled days, failure). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <cmocka.h>
#include "itpsim/component.h"
#include "testutil.h"

typedef struct run {
    itp_scenario *scn;
    const itp_component *elt;
    itp_patient pt;
    itp_patient_ctx ctx;
    unsigned char st[512];
} run;

static void run_start(run *r, const char *taper)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "patients = 10;\n"
             "arms = ( { name = \"a\"; treatments = [\"elt\"]; } );\n"
             "enrolment = { duration_months = 1.0; };\n"
             "followup = { max_months = 12.0; cut_months = 12.0; };\n"
             "visits = ( { from_week = 0; every_weeks = 1; } );\n"
             "components = { elt = { type = \"tpo_ra\"; %s }; };\n",
             taper);
    r->scn = test_load(text, err, sizeof err);
    assert_non_null(r->scn);
    r->elt = &r->scn->components[0];
    itp_patient_clear_events(&r->pt);
    r->ctx = (itp_patient_ctx){.pt = &r->pt, .recheck_day = INT_MAX};
    memset(r->st, 0, sizeof r->st);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_default);
    r->elt->type->start(r->elt->params, &r->ctx, g, r->st);
    gsl_rng_free(g);
}

/* Day `day`: an observed count (count < 0: none), then the day's dose. */
static double step(run *r, int day, double count)
{
    itp_drive d = {0.0, 0.0, 0.0, 0.0, 1.0, 1.0};
    r->ctx.day = day;
    if (count >= 0) {
        if (day == r->ctx.recheck_day)
            r->ctx.recheck_day = INT_MAX;
        r->elt->type->observe(r->elt->params, &r->ctx, r->st, count, 1);
    }
    r->elt->type->day(r->elt->params, &r->ctx, r->st, &d);
    return d.tpo_dose;
}

static void test_label_titration(void **state)
{
    (void)state;
    run r;
    run_start(&r, "");
    assert_true(step(&r, 0, 20) == 50.0);   /* start dose */
    assert_true(step(&r, 7, 30) == 50.0);   /* < 2 weeks since the start */
    assert_true(step(&r, 14, 30) == 75.0);  /* < 50 after 2 weeks: +25 */
    assert_true(step(&r, 15, -1) == 75.0);
    assert_true(step(&r, 21, 250) == 75.0); /* 200-400 but 1 week since */
    assert_true(step(&r, 28, 250) == 50.0); /* 200-400: -25 */
    assert_true(step(&r, 35, 450) == 0.0);  /* > 400: hold at once */
    assert_int_equal(r.ctx.recheck_day, 38);/* checked twice weekly */
    assert_true(step(&r, 38, 300) == 0.0);  /* still >= 150: held */
    assert_int_equal(r.ctx.recheck_day, 41);
    assert_true(step(&r, 41, 140) == 25.0); /* < 150: restart 25 lower */
    assert_true(step(&r, 42, 180) == 25.0);
    assert_true(step(&r, 56, 100) == 25.0); /* 50-199: no change */
    assert_true(step(&r, 70, 49) == 50.0);  /* < 50: +25 */
    assert_true(step(&r, 84, 50) == 50.0);  /* exactly 50 is not < 50 */
    assert_true(step(&r, 98, 200) == 25.0); /* exactly 200 is in 200-400 */
    assert_true(step(&r, 112, 200) == 25.0);/* not below the minimum dose */
    assert_int_equal(r.pt.tpo_stop, ITP_NEVER);
    itp_scenario_free(r.scn);
}

static void test_stop_without_response(void **state)
{
    (void)state;
    run r;
    run_start(&r, "");
    step(&r, 0, 10);
    assert_true(step(&r, 14, 10) == 75.0);  /* at the maximum from day 14 */
    assert_true(step(&r, 35, 10) == 75.0);  /* 3 weeks at 75 */
    assert_true(step(&r, 42, 10) == 0.0);   /* 4 weeks at 75, no response */
    assert_int_equal(r.pt.tpo_stop, 42);
    assert_true(step(&r, 56, 10) == 0.0);   /* stays stopped */
    itp_scenario_free(r.scn);
}

#define TAPER "taper = { start_week = 17.0; end_week = 24.0; eligible_weeks = [15, 17]; };"

/* Eligible at weeks 15 and 17 (a count exactly 50 qualifies): -25 mg on
 * day 119, -25 mg on day 133 (every 2 weeks) and off. */
static void test_taper_steps_on_schedule(void **state)
{
    (void)state;
    run r;
    run_start(&r, TAPER);
    for (int day = 0; day < 119; day++)
        step(&r, day, day % 7 ? -1 : (day == 105 ? 50 : 100));
    assert_true(step(&r, 119, 100) == 25.0);
    assert_int_equal(r.pt.taper_start, 119);
    for (int day = 120; day < 133; day++)
        assert_true(step(&r, day, day % 7 ? -1 : 100) == 25.0);
    assert_true(step(&r, 133, 100) == 0.0);
    assert_int_equal(r.pt.taper_end, 133);
    for (int day = 134; day < 200; day++)
        assert_true(step(&r, day, day % 7 ? -1 : 60) == 0.0);
    assert_int_equal(r.pt.taper_fail, ITP_NEVER);
    itp_scenario_free(r.scn);
}

/* From 75 mg: 50 on day 119, 25 on day 133, off on day 147. */
static void test_taper_from_maximum(void **state)
{
    (void)state;
    run r;
    run_start(&r, TAPER);
    step(&r, 0, 20);
    assert_true(step(&r, 14, 40) == 75.0);
    for (int day = 15; day < 119; day++)
        step(&r, day, day % 7 ? -1 : 120);
    assert_true(step(&r, 119, 120) == 50.0);
    assert_true(step(&r, 132, -1) == 50.0);
    assert_true(step(&r, 133, 120) == 25.0);
    assert_true(step(&r, 147, 120) == 0.0);
    assert_int_equal(r.pt.taper_end, 147);
    itp_scenario_free(r.scn);
}

static void test_taper_ineligible(void **state)
{
    (void)state;
    run r;
    run_start(&r, TAPER);
    for (int day = 0; day < 119; day++)
        step(&r, day, day % 7 ? -1 : (day == 105 ? 49 : 100));
    /* 49 at week 15 also raised the dose (label: < 50 after 2 weeks) */
    assert_true(step(&r, 119, 100) == 75.0);
    assert_int_equal(r.pt.taper_ineligible, 119);
    assert_int_equal(r.pt.taper_start, ITP_NEVER);
    assert_true(step(&r, 140, 250) == 50.0); /* titration goes on */
    itp_scenario_free(r.scn);
}

/* A count below 30 during the taper ends it: one step back up. After the
 * end week a low count is no taper failure. */
static void test_taper_failure(void **state)
{
    (void)state;
    run r;
    run_start(&r, TAPER);
    for (int day = 0; day < 119; day++)
        step(&r, day, day % 7 ? -1 : 100);
    assert_true(step(&r, 119, 100) == 25.0);
    assert_true(step(&r, 126, 29) == 50.0);
    assert_int_equal(r.pt.taper_fail, 126);
    assert_int_equal(r.pt.taper_end, ITP_NEVER);
    itp_scenario_free(r.scn);

    run_start(&r, TAPER);
    for (int day = 0; day < 134; day++)
        step(&r, day, day % 7 ? -1 : 100);
    assert_int_equal(r.pt.taper_end, 133);
    assert_true(step(&r, 168, 30) == 0.0);  /* exactly 30: no failure */
    assert_true(step(&r, 175, 10) == 0.0);  /* after week 24: no failure */
    assert_int_equal(r.pt.taper_fail, ITP_NEVER);
    itp_scenario_free(r.scn);
}

/* Stopped for no response before the taper: nothing to taper, so neither
 * eligible nor ineligible, and low counts later are no taper failure. */
static void test_stopped_before_taper(void **state)
{
    (void)state;
    run r;
    run_start(&r, TAPER);
    step(&r, 0, 10);
    step(&r, 14, 10);
    assert_true(step(&r, 42, 10) == 0.0);
    assert_int_equal(r.pt.tpo_stop, 42);
    for (int day = 43; day < 200; day++)
        assert_true(step(&r, day, day % 7 ? -1 : (day < 100 ? 10 : 80)) == 0.0);
    assert_int_equal(r.pt.taper_ineligible, ITP_NEVER);
    assert_int_equal(r.pt.taper_start, ITP_NEVER);
    assert_int_equal(r.pt.taper_fail, ITP_NEVER);
    itp_scenario_free(r.scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_titration),
        cmocka_unit_test(test_stop_without_response),
        cmocka_unit_test(test_taper_steps_on_schedule),
        cmocka_unit_test(test_taper_from_maximum),
        cmocka_unit_test(test_taper_ineligible),
        cmocka_unit_test(test_taper_failure),
        cmocka_unit_test(test_stopped_before_taper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
