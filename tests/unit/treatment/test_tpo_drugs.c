/* The TPO-RA drugs besides eltrombopag, on the shared rules of dosing.h.
 * Romiplostim (Nplate label): weekly doses in ug/kg, 1 then +1 a week at
 * counts < 50, -1 after two weekly counts >= 200, held above 400 and
 * resumed 1 lower below 200, 10 at most, stopped after 4 weeks at 10
 * without a response. Avatrombopag (Doptelet label): its six dose levels
 * as daily means (20/7, 40/7, 60/7, 20, 200/7, 40 mg/day), one level up
 * below 50 after 2 weeks, one down at 200-400 with 2 weeks between
 * decreases, held above 400 and resumed one level lower below 150, the
 * taper a level at a time. The dose levels refused when not increasing or
 * when the start or the maximum is not among them; a higher dose never
 * lowers the count; the usual doses' steady states match; eltrombopag
 * reads none of the new settings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/component.h"
#include "testutil.h"

/* One patient on the component `c`, its hooks called by hand
 * (test_run of testutil.h, as test_treatment does for eltrombopag). */

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-8 * (1.0 + fabs(b));
}

/* ---- romiplostim ------------------------------------------------------------ */

#define ROMI "drug = \"romiplostim\";"

/* 1, 2, 3, 4 ug/kg at weekly counts < 50; a single count >= 200, or two
 * not in a row, changes nothing; two weekly counts in a row >= 200 (exactly
 * 200 counts) take 1 off, and the next decrease needs two more at the new
 * dose; > 400 holds (rechecked weekly), a count still >= 200 keeps it held,
 * < 200 resumes 1 lower; not below 1. The input is the weekly dose at 70
 * kg spread over the week, over V = 7 L. */
static void test_romiplostim_titration(void **state)
{
    (void)state;
    test_run r;
    itp_drive d;
    test_run_start(&r, ROMI);
    assert_true(test_run_step(&r, 0, 10) == 1.0);    /* start 1 ug/kg */
    assert_true(test_run_step(&r, 3, -1) == 1.0);
    assert_true(test_run_step(&r, 7, 20) == 2.0);    /* < 50 a week later: +1 */
    assert_true(test_run_step(&r, 14, 30) == 3.0);
    assert_true(test_run_step_drive(&r, 21, 45, &d) == 4.0);
    assert_true(near(d.pk[0].rate, 4.0 * 70.0 / 7.0 / 7.0));
    assert_true(test_run_step(&r, 28, 60) == 4.0);   /* 50-199: no change */
    assert_true(test_run_step(&r, 35, 250) == 4.0);  /* >= 200 once */
    assert_true(test_run_step(&r, 42, 150) == 4.0);  /* not twice in a row */
    assert_true(test_run_step(&r, 49, 220) == 4.0);
    assert_true(test_run_step(&r, 56, 300) == 3.0);  /* two weeks in a row: -1 */
    assert_true(test_run_step(&r, 63, 250) == 3.0);  /* the first week at 3 */
    assert_true(test_run_step(&r, 70, 250) == 2.0);  /* the second: -1 */
    assert_true(test_run_step(&r, 77, 450) == 0.0);  /* > 400: held */
    assert_int_equal(r.ctx.recheck_day, 84);
    assert_true(test_run_step(&r, 84, 250) == 0.0);  /* still >= 200 */
    assert_true(test_run_step(&r, 91, 150) == 1.0);  /* < 200: 1 below the 2 before */
    assert_int_equal(TEST_EV(r, RESUME), 91);
    assert_true(test_run_step(&r, 98, 40) == 2.0);   /* < 50: +1 */
    assert_true(test_run_step(&r, 105, 200) == 2.0); /* exactly 200, once */
    assert_true(test_run_step(&r, 112, 200) == 1.0); /* twice: -1 */
    assert_true(test_run_step(&r, 119, 200) == 1.0);
    assert_true(test_run_step(&r, 126, 200) == 1.0); /* not below 1 */
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    test_run_end(&r);
}

/* At counts < 50 every week: 1 ug/kg on day 0 up to 10 on day 63, the
 * maximum, and stopped 4 weeks later without a response. */
static void test_romiplostim_up_to_stop(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, ROMI);
    for (int w = 0; w <= 9; w++)
        assert_true(test_run_step(&r, 7 * w, 10) == 1.0 + w);
    assert_true(test_run_step(&r, 70, 10) == 10.0);   /* not above 10 */
    assert_true(test_run_step(&r, 84, 10) == 10.0);   /* 3 weeks at 10 */
    assert_true(test_run_step(&r, 91, 10) == 0.0);    /* 4 weeks: stopped */
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), 91);
    test_run_end(&r);
}

/* ---- avatrombopag ------------------------------------------------------------ */

#define AVA "drug = \"avatrombopag\";"

static const double ava_level[6] = {20.0 / 7, 40.0 / 7, 60.0 / 7, 20.0, 200.0 / 7, 40.0};

/* Up the ladder 20 -> 200/7 -> 40 mg/day every 2 weeks below 50; down one
 * level at 200-400, 2 weeks between decreases; > 400 held (rechecked twice
 * weekly), 150 or more keeps it held, < 150 resumes one level below the
 * dose before the hold (60/7, 20 mg three times a week); down to the
 * lowest level (20 mg once a week) and not below it; up one level again. */
static void test_avatrombopag_levels(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, AVA);
    assert_true(test_run_step(&r, 0, 10) == 20.0);              /* start 20 mg daily */
    assert_true(test_run_step(&r, 7, 10) == 20.0);              /* < 2 weeks */
    assert_true(near(test_run_step(&r, 14, 10), ava_level[4])); /* level 5 */
    assert_true(near(test_run_step(&r, 21, 10), ava_level[4]));
    assert_true(test_run_step(&r, 28, 10) == 40.0);             /* level 6, the maximum */
    assert_true(near(test_run_step(&r, 35, 250), ava_level[4]));/* 200-400: down at once */
    assert_true(near(test_run_step(&r, 42, 250), ava_level[4]));/* a week later: wait */
    assert_true(test_run_step(&r, 49, 250) == 20.0);
    assert_true(test_run_step(&r, 56, 450) == 0.0);             /* > 400: held */
    assert_int_equal(r.ctx.recheck_day, 59);
    assert_true(test_run_step(&r, 59, 160) == 0.0);             /* >= 150: still held */
    assert_true(near(test_run_step(&r, 62, 140), ava_level[2]));/* < 150: one level below 20 */
    assert_true(near(test_run_step(&r, 70, 300), ava_level[2]));/* 8 days after the resume */
    assert_true(near(test_run_step(&r, 77, 300), ava_level[1]));
    assert_true(near(test_run_step(&r, 91, 300), ava_level[0]));
    assert_true(near(test_run_step(&r, 105, 300), ava_level[0]));/* not below the lowest */
    assert_true(near(test_run_step(&r, 112, 40), ava_level[1])); /* up one level */
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), ITP_NEVER);
    test_run_end(&r);

    /* < 50 throughout: at 40 mg from day 28, stopped 4 weeks later. A count
     * of 45 (over 3 x the baseline of 10) is not a response: the label's
     * is 50. */
    test_run_start(&r, AVA);
    test_run_step(&r, 0, 10);
    test_run_step(&r, 14, 10);
    assert_true(test_run_step(&r, 28, 10) == 40.0);
    assert_true(test_run_step(&r, 49, 45) == 40.0);
    assert_true(test_run_step(&r, 56, 10) == 0.0);
    assert_int_equal(TEST_EV(r, STOP_NO_RESPONSE), 56);
    test_run_end(&r);
}

/* The taper steps down the levels, one every 2 weeks from day 119 (weeks
 * 15 and 17 eligible at 100): 20 -> 60/7 -> 40/7 -> 20/7 -> off on day
 * 161. A count below 30 during it goes one level back up (not above the
 * dose it started from). */
#define AVA_TAPER AVA " taper = { start_week = 17.0; end_week = 30.0; eligible_weeks = [15, 17]; };"

static void test_avatrombopag_taper(void **state)
{
    (void)state;
    test_run r;
    test_run_start(&r, AVA_TAPER);
    for (int day = 0; day < 119; day++)
        assert_true(test_run_step(&r, day, day % 7 ? -1 : 100) == 20.0);
    assert_true(near(test_run_step(&r, 119, 100), ava_level[2]));
    assert_int_equal(TEST_EV(r, TAPER_START), 119);
    assert_true(near(test_run_step(&r, 133, 100), ava_level[1]));
    assert_true(near(test_run_step(&r, 147, 100), ava_level[0]));
    assert_true(test_run_step(&r, 161, 100) == 0.0);
    assert_int_equal(itp_patient_taper_end(&r.rec, &r.pt), 161);
    test_run_end(&r);

    test_run_start(&r, AVA_TAPER);
    for (int day = 0; day < 134; day++)
        test_run_step(&r, day, day % 7 ? -1 : 100);
    assert_true(near(test_run_step(&r, 140, 20), ava_level[2]));   /* from 40/7 back to 60/7 */
    assert_int_equal(TEST_EV(r, TAPER_FAIL), 140);
    test_run_end(&r);
}

/* ---- the dose levels refused ------------------------------------------------ */

/* Each refused with file and line and the setting named. */
static void test_dose_levels_refused(void **state)
{
    (void)state;
    static const struct {
        const char *comp, *what;
    } bad[] = {
        {AVA " dose_levels_mg = [5.0, 20.0, 10.0, 40.0];", "expected increasing dose_levels_mg"},
        {AVA " dose_levels_mg = [5.0, 5.0, 20.0, 40.0];", "expected increasing dose_levels_mg"},
        {AVA " dose_levels_mg = [-5.0, 20.0, 40.0];", "dose_levels_mg"},
        {AVA " dose_levels_mg = [];", "dose_levels_mg"},
        {AVA " start_dose_mg = 30.0;", "start_dose_mg 0 or one of dose_levels_mg"},
        {AVA " max_dose_mg = 30.0;", "max_dose_mg one of dose_levels_mg"},
        {AVA " start_dose_mg = 40.0; max_dose_mg = 20.0;", "start_dose_mg <= max_dose_mg"},
        {AVA " taper = { start_week = 17.0; end_week = 30.0; step_mg = 5.0; };", "step_mg"},
        {AVA " taper = { start_week = 17.0; end_week = 26.0; };", "cannot end by end_week 26"},
        {ROMI " dose_levels_mg = [1.0, 2.0];", "dose_levels_mg"},
        {ROMI " weight_kg = 0.0;", "weight_kg"},
    };
    char text[2048], err[1024];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(text, sizeof text,
                 TEST_QUIET_SCENARIO "arms = ( { name = \"a\"; treatments = [\"tpo\"]; } );\n"
                 "components = { tpo = { type = \"tpo_ra\"; %s }; };\n", bad[i].comp);
        assert_null(test_load(text, err, sizeof err));   /* which prints the message */
        assert_non_null(strstr(err, bad[i].what));
        /* "FILE:LINE: SETTING: ...", the component's line (13 of the text) */
        assert_non_null(strstr(err, "itpsim-test-"));
        assert_non_null(strstr(err, ":13: components.tpo."));
    }
    /* a level list from the scenario-wide group of the drug is read too */
    snprintf(text, sizeof text,
             TEST_QUIET_SCENARIO "arms = ( { name = \"a\"; treatments = [\"tpo\"]; } );\n"
             "components = { tpo = { type = \"tpo_ra\"; " AVA " }; };\n"
             "tpo_ra = { avatrombopag = { dose_levels_mg = [20.0, 10.0, 40.0]; }; };\n");
    assert_null(test_load(text, err, sizeof err));
    assert_non_null(strstr(err, ":14: tpo_ra.avatrombopag.dose_levels_mg[1]: expected increasing"));
}

/* ---- the platelet model ------------------------------------------------------ */

/* A fixed dose (no titration, no stop, every patient a responder at the
 * median slope, no remission) in the quiet model. */
#define FIXED "nonresponder_prob = 0.0; slope_logsd = 0.0; cl_logsd = 0.0; remission_prob = 0.0; " \
              "increase_below = 0.0; decrease_from = 9999.0; hold_above = 9999.0; "           \
              "nonresponse_days = 3650; "

/* The first patient's count at the weekly visits 0..52. */
static void counts_of(const char *comp, double *count)
{
    char text[4096], err[1024];
    snprintf(text, sizeof text,
             TEST_QUIET_SCENARIO "arms = ( { name = \"a\"; treatments = [\"tpo\"]; } );\n"
             "components = { tpo = { type = \"tpo_ra\"; " FIXED "%s }; };\n", comp);
    itp_scenario *scn = test_load(text, err, sizeof err);
    if (!scn)
        fail_msg("%s", err);
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(test_simulate(scn, 1, &rec), ITP_OK);
    const itp_patient *pt = &rec.patients[0];
    for (int v = 0; v <= 52; v++) {
        const itp_visit *vi = &rec.visits[pt->visit_first + (size_t)v];
        assert_int_equal(vi->day, 7 * v);
        count[v] = (double)vi->count;
    }
    itp_record_free(&rec);
    itp_scenario_free(scn);
}

/* A higher fixed dose never lowers the count at any visit, and raises it
 * once the drug acts: each drug at a low and a usual dose. */
static void test_monotone_in_dose(void **state)
{
    (void)state;
    static const char *const pair[][2] = {
        {ROMI " start_dose_ug_kg = 1.0;", ROMI " start_dose_ug_kg = 3.0;"},
        {ROMI " start_dose_ug_kg = 3.0;", ROMI " start_dose_ug_kg = 10.0;"},
        {AVA " start_dose_mg = 2.857142857;", AVA " start_dose_mg = 20.0;"},
        {AVA " start_dose_mg = 20.0;", AVA " start_dose_mg = 40.0;"},
        {"start_dose_mg = 25.0;", "start_dose_mg = 50.0;"},
    };
    for (size_t i = 0; i < sizeof pair / sizeof *pair; i++) {
        double lo[53], hi[53];
        counts_of(pair[i][0], lo);
        counts_of(pair[i][1], hi);
        int higher = 0;
        for (int v = 0; v <= 52; v++) {
            assert_true(hi[v] >= lo[v]);
            higher += hi[v] > lo[v];
        }
        assert_true(higher >= 50);
    }
}

/* At steady state the count is the baseline times 1 + slope x C, C the
 * mean concentration: eltrombopag 50 mg/day, 20 (1 + 1.3 x 50 / 16) =
 * 101.25; romiplostim 3 ug/kg a week at 70 kg, 20 (1 + 0.188 x 30 /
 * 1.386) = 101.4; avatrombopag 20 mg/day, 20 (1 + 33.6 x 20 / 165.6) =
 * 101.2: the usual doses' effects match (the slopes' choice), each count
 * at week 52 within the rounding of its own. */
static void test_usual_doses_comparable(void **state)
{
    (void)state;
    double c[53];
    counts_of("start_dose_mg = 50.0;", c);
    assert_true(fabs(c[52] - 20.0 * (1.0 + 1.3 * 50.0 / 16.0)) <= 0.5);
    counts_of(ROMI " start_dose_ug_kg = 3.0;", c);
    assert_true(fabs(c[52] - 20.0 * (1.0 + 0.188 * 30.0 / 1.386)) <= 0.5);
    counts_of(AVA, c);
    assert_true(fabs(c[52] - 20.0 * (1.0 + 33.6 * 20.0 / 165.6)) <= 0.5);
}

/* ---- eltrombopag -------------------------------------------------------------- */

/* Eltrombopag reads none of the new settings (its resolved settings, which
 * the results' scenario hash covers, are those it had), keeps its ladder
 * and takes its daily dose in mg over V. */
static void test_eltrombopag_unchanged(void **state)
{
    (void)state;
    char path[64], err[1024], *text = NULL;
    size_t len = 0;
    test_write_file("patients = 10;\n"
                    "arms = ( { name = \"a\"; treatments = [\"elt\"]; } );\n"
                    "enrolment = { duration_months = 1.0; };\n"
                    "followup = { max_months = 12.0; cut_months = 12.0; };\n"
                    "visits = ( { from_week = 0; every_weeks = 1; } );\n"
                    "components = { elt = { type = \"tpo_ra\"; }; };\n", path);
    FILE *mem = open_memstream(&text, &len);
    itp_scenario *scn = NULL;
    assert_int_equal(itp_scenario_load(&scn, path, TEST_DEFAULTS, NULL, 0, mem, err, sizeof err),
                     ITP_OK);
    fclose(mem);
    unlink(path);
    assert_non_null(strstr(text, "components.elt.min_dose_mg"));
    assert_null(strstr(text, "dose_levels"));
    assert_null(strstr(text, "decrease_after_days"));
    assert_null(strstr(text, "dosing_interval_days"));
    assert_null(strstr(text, "weight_kg"));
    free(text);
    itp_scenario_free(scn);

    test_run r;
    itp_drive d;
    test_run_start(&r, "");
    assert_true(test_run_step_drive(&r, 0, 20, &d) == 50.0);
    assert_true(d.pk[0].rate == 50.0 * (1.0 / 25.0));
    assert_true(test_run_step(&r, 14, 30) == 75.0);
    assert_true(test_run_step(&r, 21, 250) == 50.0);
    assert_true(test_run_step(&r, 35, 250) == 25.0);
    assert_true(test_run_step(&r, 49, 250) == 12.5);
    test_run_end(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_romiplostim_titration),
        cmocka_unit_test(test_romiplostim_up_to_stop),
        cmocka_unit_test(test_avatrombopag_levels),
        cmocka_unit_test(test_avatrombopag_taper),
        cmocka_unit_test(test_dose_levels_refused),
        cmocka_unit_test(test_monotone_in_dose),
        cmocka_unit_test(test_usual_doses_comparable),
        cmocka_unit_test(test_eltrombopag_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
