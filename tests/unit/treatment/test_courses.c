/* Drugs given in courses: the corticosteroids and the sialidase inhibitor
 * (include/itpsim/courses.h), on schedules, scripted courses without noise
 * whose counts can be worked out by hand, and cohorts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/courses.h"
#include "itpsim/rng.h"
#include "testutil.h"

/* A one-arm scenario giving the component text `comp` (named "s"). */
static itp_scenario *load_comp(const char *extra, const char *comp)
{
    char text[4096], err[1024];
    snprintf(text, sizeof text,
             TEST_QUIET_SCENARIO "%s"
             "arms = ( { name = \"a\"; treatments = [\"s\"]; } );\n"
             "components = { s = { %s }; };\n", extra, comp);
    itp_scenario *scn = test_load(text, err, sizeof err);
    if (!scn)
        fail_msg("%s", err);
    return scn;
}

/* Prednisone 1 mg/kg/day x 4 weeks at 70 kg, then six weekly steps down:
 * 70 mg on days 0-27, 60 in days 28-34, ..., 10 in days 63-69, none from
 * day 70; dexamethasone 40 mg on days 0-3 of each course. */
static void test_schedules(void **state)
{
    (void)state;
    itp_scenario *scn = load_comp("", "type = \"corticosteroid\"; drug = \"prednisone\"; "
                                      "dose_mg_kg = 1.0;");
    const itp_course_params *p = scn->components[0].params;
    assert_true(p->dose == 70.0);
    assert_true(itp_course_dose(p, 0, 0) == 70.0 && itp_course_dose(p, 0, 27) == 70.0);
    for (int j = 1; j <= 6; j++)
        assert_true(fabs(itp_course_dose(p, 0, 27 + 7 * (j - 1) + 1) - 70.0 * (1.0 - j / 7.0)) <
                    1e-12);
    assert_true(itp_course_dose(p, 0, 69) > 0.0 && itp_course_dose(p, 0, 70) == 0.0);
    assert_int_equal(itp_course_last_day(p, 0, ITP_FAR_DAY), 69);
    assert_int_equal(itp_course_last_day(p, 0, 30), 29);   /* stopped on day 30 */
    itp_scenario_free(scn);

    scn = load_comp("", "type = \"corticosteroid\"; course_weeks = [0, 2];");
    p = scn->components[0].params;
    assert_int_equal(p->n, 2);
    assert_int_equal(p->start[1], 14);
    for (int d = 0; d < 20; d++) {
        double want = (d <= 3 || (d >= 14 && d <= 17)) ? 40.0 : 0.0;
        assert_true(itp_course_dose(p, 0, d) + itp_course_dose(p, 1, d) == want);
    }
    itp_scenario_free(scn);
}

/* The first patient's counts at the visits of weeks 0..n-1 and its events. */
static void first_course(const itp_scenario *scn, int n, double *count, int *courses,
                         int *skipped)
{
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 1, &rec), ITP_OK);
    const itp_patient *pt = &rec.patients[0];
    for (int v = 0; v < n; v++) {
        const itp_visit *vi = &rec.visits[pt->visit_first + (size_t)v];
        assert_int_equal(vi->day, 7 * v);
        count[v] = (double)vi->count;
    }
    *courses = *skipped = 0;
    for (int e = 0; e < pt->n_events; e++) {
        const itp_event *ev = &rec.events[pt->event_first + (size_t)e];
        *courses += ev->kind == ITP_EV_COURSE;
        *skipped += ev->kind == ITP_EV_COURSE_SKIPPED;
    }
    itp_record_free(&rec);
}

/* A pulse of 4 days whose effect e = 0.75 x 40 / (20 + 40) = 0.5 starts on
 * the first dose day (onset 0) and lasts 10 days after the last (days
 * 0-13): destruction 0.25/day instead of 0.5 with production 10/day, so
 *   P(t) = 40 - 20 e^{-t/4}:  day 7: 36.52 -> 37, day 14: 38.79 -> 39,
 * then P(t) = 20 + 18.79 e^{-(t - 14)/2}: day 21: 20.57 -> 21, day 28:
 * 20.02 -> 20. A second course on day 14 is given when the count is below
 * repeat_below (39 < 50) and not when it is not (39 >= 30); given, it
 * holds the cut to day 27: P(21) = 40 - 1.21 e^{-7/4} = 39.79 -> 40. */
#define PULSE "type = \"corticosteroid\"; potency = 1.0; emax = 0.75; ed50_mg = 20.0; " \
              "onset_days = 0; offset_days = 10; remission_prob = 0.0; "

static void test_pulse_course(void **state)
{
    (void)state;
    double c[5];
    int given, skipped;
    itp_scenario *scn = load_comp("", PULSE);
    first_course(scn, 5, c, &given, &skipped);
    const double want[5] = {20, 37, 39, 21, 20};
    for (int v = 0; v < 5; v++) {
        print_message("week %d: count %g (expected %g)\n", v, c[v], want[v]);
        assert_true(c[v] == want[v]);
    }
    assert_int_equal(given, 1);
    itp_scenario_free(scn);

    scn = load_comp("", PULSE "course_weeks = [0, 2]; repeat_below = 30.0;");
    first_course(scn, 5, c, &given, &skipped);
    assert_int_equal(given, 1);
    assert_int_equal(skipped, 1);
    assert_true(c[3] == 21.0);
    itp_scenario_free(scn);

    scn = load_comp("", PULSE "course_weeks = [0, 2]; repeat_below = 50.0;");
    first_course(scn, 5, c, &given, &skipped);
    assert_int_equal(given, 2);
    assert_int_equal(skipped, 0);
    assert_true(c[2] == 39.0 && c[3] == 40.0);
    itp_scenario_free(scn);
}

/* Monotone in the dose and the courses: on every day of the first 60 the
 * destruction lowering of 40 mg is at least that of 20 mg, and two
 * courses' at least one's. */
static double effect_on(const itp_scenario *scn, int ncourses_decided, int day)
{
    const itp_course_params *p = scn->components[0].params;
    itp_course_state s = {.decided = ncourses_decided, .stop_day = ITP_FAR_DAY, .mech = -1};
    for (int k = 0; k < ncourses_decided; k++)
        s.given[k] = 1;
    int next;
    double e = itp_course_effect(p, &s, day, &next);
    assert_true(next > day);
    return e;
}

static void test_monotone(void **state)
{
    (void)state;
    itp_scenario *lo = load_comp("", "type = \"corticosteroid\"; dose_mg = 20.0; "
                                     "course_weeks = [0, 4];");
    itp_scenario *hi = load_comp("", "type = \"corticosteroid\"; dose_mg = 40.0; "
                                     "course_weeks = [0, 4];");
    int higher = 0;
    for (int d = 0; d < 60; d++) {
        double elo = effect_on(lo, 2, d), ehi = effect_on(hi, 2, d);
        assert_true(ehi >= elo);
        higher += ehi > elo;
        assert_true(effect_on(hi, 2, d) >= effect_on(hi, 1, d));
    }
    assert_true(higher > 20);   /* the two differ while the drug acts */
    itp_scenario_free(lo);
    itp_scenario_free(hi);
}

/* Remissions: n patients started on the component, its day hook run to day
 * 200 with the latest count low (every course given); each patient's
 * mechanism into mech[i] when mech is not NULL. */
static int cohort(const char *comp, int n, double log_odds, itp_mechanism *mech)
{
    itp_scenario *scn = load_comp("", comp);
    test_cohort_opts o = {.seed = 9, .log_odds = log_odds, .stop_day = -1, .hook_days = 200,
                          .last_count = 10.0};
    int remit = test_cohort(scn, &scn->components[0], n, &o, mech);
    itp_scenario_free(scn);
    return remit;
}

/* One course: the share is remission_prob; three courses: 1 - (1 - p)^3;
 * at the population odds ratio 4, one course gives 4p / (1 - p + 4p);
 * each within 5 Monte Carlo SE. Every onset falls in its window after the
 * course that brings it. */
static void test_remission_per_course(void **state)
{
    (void)state;
    const int n = 20000;
    const double p = 0.3;
#define REM "type = \"corticosteroid\"; remission_prob = 0.3; remission_onset_from_days = 3.0; " \
            "remission_onset_to_days = 14.0; "
    static itp_mechanism m[20000];
    int r1 = cohort(REM, n, 0.0, m);
    int r3 = cohort(REM "course_weeks = [0, 4, 8];", n, 0.0, NULL);
    int r1_odds = cohort(REM, n, log(4.0), NULL);
    double p3 = 1.0 - pow(1.0 - p, 3.0), po = 4.0 * p / (1.0 - p + 4.0 * p);
    assert_true(fabs((double)r1 / n - p) < 5.0 * sqrt(p * (1.0 - p) / n));
    assert_true(fabs((double)r3 / n - p3) < 5.0 * sqrt(p3 * (1.0 - p3) / n));
    assert_true(fabs((double)r1_odds / n - po) < 5.0 * sqrt(po * (1.0 - po) / n));
    int checked = 0;
    for (int i = 0; i < n; i++)
        if (m[i].end > m[i].onset) {   /* one course on day 0: onset in days 3-14 */
            assert_true(m[i].onset >= 3 && m[i].onset <= 14);
            checked++;
        }
    assert_int_equal(checked, r1);
}

/* New therapy on day 2 stops the drug: doses on days 0-1 only, the effect
 * of the last dose lasts offset_days after day 1 (to day 11), and the
 * second course (day 14) is neither given nor logged as skipped. */
static void test_stop(void **state)
{
    (void)state;
    itp_scenario *scn = load_comp("", PULSE "course_weeks = [0, 2];");
    const itp_component *c = &scn->components[0];
    itp_course_state st;
    memset(&st, 0, sizeof st);
    itp_record rec;
    itp_record_init(&rec);
    itp_patient pt;
    itp_patient_clear_events(&pt);
    pt.event_first = 0;
    itp_patient_ctx ctx = {.pt = &pt, .rec = &rec, .max_day = scn->max_followup_days};
    gsl_rng *g = gsl_rng_alloc(itp_rng_xoshiro256pp);
    c->type->start(c->params, &ctx, g, &st);
    double dose[16];
    for (int day = 0; day < 16; day++) {
        ctx.day = day;
        if (day == 2)
            c->type->stop(c->params, &ctx, &st);
        itp_drive d = itp_drive_none();
        dose[day] = c->type->day(c->params, &ctx, &st, &d);
        assert_true(d.kdeg_factor == (day <= 11 ? 0.5 : 1.0));
    }
    assert_true(dose[0] == 40.0 && dose[1] == 40.0 && dose[2] == 0.0 && dose[3] == 0.0);
    /* the second course (day 14) is not given, and not logged as skipped */
    assert_true(dose[14] == 0.0 && dose[15] == 0.0);
    assert_int_equal(itp_patient_event(&rec, &pt, ITP_EV_STOP, 0), 2);
    assert_int_equal(itp_patient_event(&rec, &pt, ITP_EV_COURSE, 1), ITP_NEVER);
    assert_int_equal(itp_patient_event(&rec, &pt, ITP_EV_COURSE_SKIPPED, 0), ITP_NEVER);
    gsl_rng_free(g);
    itp_record_free(&rec);
    itp_scenario_free(scn);
}

/* The sialidase inhibitor: oseltamivir's ten days by default. */
static void test_sialidase(void **state)
{
    (void)state;
    itp_scenario *scn = load_comp("", "type = \"sialidase_inhibitor\";");
    const itp_course_params *p = scn->components[0].params;
    assert_true(p->dose == 150.0);
    assert_int_equal(p->days, 10);
    assert_true(itp_course_dose(p, 0, 9) == 150.0 && itp_course_dose(p, 0, 10) == 0.0);
    assert_true(effect_on(scn, 1, 5) > 0.0);
    itp_scenario_free(scn);
}

/* Settings refused with the setting named. */
static void test_refused(void **state)
{
    (void)state;
    char text[4096], err[1024];
    const char *bad[] = {
        "type = \"corticosteroid\"; dose_mg = 40.0; dose_mg_kg = 1.0;",
        "type = \"corticosteroid\"; course_weeks = [2, 2];",
        ("type = \"corticosteroid\"; remission_onset_from_days = 9.0; "
         "remission_onset_to_days = 3.0;"),
        "type = \"corticosteroid\"; drug = \"betamethasone\";",
        "type = \"corticosteroid\"; emax = 1.0;",
    };
    const char *what[] = {"dose_mg_kg", "course_weeks", "remission_onset_to_days", "drug",
                          "emax"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(text, sizeof text,
                 TEST_QUIET_SCENARIO "arms = ( { name = \"a\"; treatments = [\"s\"]; } );\n"
                 "components = { s = { %s }; };\n", bad[i]);
        assert_null(test_load(text, err, sizeof err));   /* which prints the message */
        assert_non_null(strstr(err, what[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedules),
        cmocka_unit_test(test_pulse_course),
        cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_remission_per_course),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_sialidase),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
