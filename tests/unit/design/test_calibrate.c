/* Calibration:
 * - recovers known parameters: targets are simulated at known values of
 *   two parameters, then fitted from perturbed starting values; with common
 *   random numbers the objective is exactly 0 at the truth, so the fit must
 *   come back close (tolerance 0.05, about the flat region left by
 *   whole-patient outcomes in a 1500-per-arm cohort);
 * - the default scenario (scenarios/vayhit2.cfg with its fitted parameters)
 *   keeps its expected values inside the accepted ranges around the
 *   published VAYHIT2 results, with 20,000 simulated patients per arm (Monte
 *   Carlo SE about 0.004 for a share: the ranges are over 7 SE wide). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include "itpsim/calibrate.h"
#include "testutil.h"

static const char *BODY =
    "patients = 60;\n"
    "arms = ( { name = \"ab\"; treatments = [\"elt\", \"ab\"]; },\n"
    "         { name = \"pbo\"; treatments = [\"elt\", \"pbo\"]; } );\n"
    "control = \"pbo\";\n"
    "enrolment = { duration_months = 6.0; };\n"
    "followup = { max_months = 24.0; cut_months = 12.0; };\n"
    "visits = ( { from_week = 0; to_week = 9; every_weeks = 1; },\n"
    "           { from_week = 11; to_week = 25; every_weeks = 2; },\n"
    "           { from_week = 29; every_weeks = 4; } );\n"
    "components = {\n"
    "  elt = { type = \"tpo_ra\"; taper = { start_week = 17.0; length_weeks = 7.0;\n"
    "          eligible_weeks_before_start = [2, 0]; }; };\n"
    "  ab = { type = \"bcell_antibody\"; dose_mg_kg = 9.0; infusion_weeks = [0, 4, 8, 12]; };\n"
    "  pbo = { type = \"placebo\"; infusion_weeks = [0, 4, 8, 12]; };\n"
    "};\n"
    "endpoints = {\n"
    "  ttf = { type = \"ttf\"; count = { below = 30.0; after_week = 8.0; };\n"
    "          rescue = { after_week = 8.0; }; taper = { }; death = true; };\n"
    "  sr6 = { type = \"stable_response\"; threshold = 50.0; fraction = 0.75;\n"
    "          from_week = 19.0; to_week = 25.0; };\n"
    "};\n";

/* The calibrator reloads the scenario at every evaluation: path stays
 * until the caller removes it. */
static itp_calibrator *make(const double *targets, double s1, double s2, char *path)
{
    char text[8192], err[1024];
    snprintf(text, sizeof text,
             "%scalibration = { patients_per_arm = 1500; starts = 1; max_evaluations = 80;\n"
             "  power_replicates = 0;\n"
             "  targets = (\n"
             "    { name = \"a\"; arm = \"ab\"; quantity = \"landmark\"; endpoint = \"ttf\"; months = 12.0; value = %.17g; },\n"
             "    { name = \"b\"; arm = \"pbo\"; quantity = \"landmark\"; endpoint = \"ttf\"; months = 12.0; value = %.17g; },\n"
             "    { name = \"c\"; arm = \"ab\"; quantity = \"rate\"; endpoint = \"sr6\"; value = %.17g; },\n"
             "    { name = \"d\"; arm = \"pbo\"; quantity = \"rate\"; endpoint = \"sr6\"; value = %.17g; },\n"
             "    { name = \"e\"; arm = \"ab\"; quantity = \"hazard_ratio\"; endpoint = \"ttf\"; value = %.17g; } );\n"
             "  parameters = (\n"
             "    { path = \"platelet.background_remission_prob\"; min = 0.05; max = 0.95; start = %g; },\n"
             "    { path = \"bcell_antibody.ianalumab.emax\"; min = 0.05; max = 0.95; start = %g; } );\n"
             "};\n",
             BODY, targets[0], targets[1], targets[2], targets[3], targets[4], s1, s2);
    test_write_file(text, path);
    itp_calibrator *c;
    itp_status st = itp_calibrator_create(&c, path, TEST_DEFAULTS, NULL, 0, 17, 2, err, sizeof err);
    if (st)
        fail_msg("%s", err);
    return c;
}

static void test_recovers_known_parameters(void **state)
{
    (void)state;
    const double truth[2] = {0.4, 0.5};
    double dummy[5] = {0.5, 0.5, 0.5, 0.5, 0.7};
    char err[1024], p1[64], p2[64];
    itp_cal_eval ev, fit;
    itp_calibrator *c = make(dummy, 0.5, 0.5, p1);
    if (itp_cal_evaluate(c, truth, &ev, err, sizeof err))
        fail_msg("%s", err);
    itp_calibrator_free(c);
    unlink(p1);
    c = make(ev.value, 0.7, 0.25, p2);
    double best[2];
    assert_int_equal(itp_cal_fit(c, best, &fit, NULL, err, sizeof err), ITP_OK);
    print_message("recovered %.4f and %.4f (truth 0.4 and 0.5); objective %.5f\n", best[0],
                  best[1], fit.objective);
    assert_true(fabs(best[0] - truth[0]) < 0.05);
    assert_true(fabs(best[1] - truth[1]) < 0.05);
    itp_calibrator_free(c);
    unlink(p2);
}

/* The accepted ranges of the issue around the published VAYHIT2 results. */
static void test_default_scenario_in_range(void **state)
{
    (void)state;
    char err[1024];
    itp_calibrator *c;
    itp_cal_eval ev;
    assert_int_equal(itp_calibrator_create(&c, "scenarios/vayhit2.cfg", TEST_DEFAULTS, NULL, 0, 1,
                                           2, err, sizeof err), ITP_OK);
    const itp_cal_spec *s = itp_calibrator_spec(c);
    assert_true(s->per_arm >= 20000);
    assert_int_equal(itp_cal_evaluate(c, NULL, &ev, err, sizeof err), ITP_OK);
    struct { const char *name; double lo, hi; } want[] = {
        {"tf12_9", 0.51, 0.57}, {"tf12_3", 0.48, 0.54}, {"tf12_pbo", 0.27, 0.33},
        {"sr6_9", 0.59, 0.65},  {"sr6_3", 0.539, 0.599}, {"sr6_pbo", 0.362, 0.422},
        {"med_9", 12.0, 14.0},  {"med_pbo", 3.7, 5.7},   {"med_3", 12.0, HUGE_VAL},
        {"hr_9", 0.50, 0.60},   {"hr_3", 0.53, 0.63},
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int k = -1;
        for (int i = 0; i < s->n_targets; i++)
            if (!strcmp(s->t[i].name, want[w].name))
                k = i;
        assert_true(k >= 0);
        print_message("%-9s %8.3f in [%g, %g]\n", want[w].name, ev.value[k], want[w].lo, want[w].hi);
        assert_true(ev.value[k] >= want[w].lo && ev.value[k] <= want[w].hi);
    }
    itp_calibrator_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_known_parameters),
        cmocka_unit_test(test_default_scenario_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
