/* Group-sequential designs (analysis.interims, src/analysis/interims.c):
 * - an interim that spends no alpha and has no futility rule changes
 *   nothing: every replicate rejects what the fixed design rejects (the
 *   final bound is then z_{1 - w alpha}, the graphical procedure's);
 * - a futility bound no z reaches (and no alpha spent there) stops every
 *   trial at the interim, held on the first day with half the planned
 *   events, with nothing rejected;
 * - under the null the type I error is alpha within 3 Monte Carlo SE
 *   without futility, and at most that with a non-binding futility rule
 *   obeyed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include "itpsim/montecarlo.h"
#include "testutil.h"

/* Three arms, two doses against control, a graph passing each dose's
 * weight to the other; final analysis at 90 events. */
#define BODY \
    "name = \"gs\";\nmodel = \"hazard\";\npatients = 210;\n" \
    "arms = ( { name = \"hi\"; hazard_per_month = [0.06]; },\n" \
    "         { name = \"lo\"; hazard_per_month = [0.075]; },\n" \
    "         { name = \"c\"; hazard_per_month = [0.10]; } );\n" \
    "control = \"c\";\nallocation = { method = \"permuted_blocks\"; block_size = 3; };\n" \
    "enrolment = { rate_per_month = [12.0]; };\n" \
    "followup = { max_months = 120.0; data_cut = \"events\"; events = 90; };\n" \
    "visits = ( { from_week = 0; every_weeks = 4; } );\n" \
    "events = { dropout_per_year = 0.02; };\n" \
    "endpoints = { ttf = { type = \"ttf\"; }; };\n" \
    "analysis = {\n  alpha = 0.025;\n  multiplicity = \"graphical\";\n" \
    "  hypotheses = ( { name = \"hi\"; endpoint = \"ttf\"; arm = \"hi\"; test = \"logrank\"; },\n" \
    "                 { name = \"lo\"; endpoint = \"ttf\"; arm = \"lo\"; test = \"logrank\"; } );\n" \
    "  weights = [0.5, 0.5];\n  transitions = ( [0.0, 1.0], [1.0, 0.0] );\n%s};\n"

static itp_scenario *load(const char *interims)
{
    char text[4096], err[1024];
    snprintf(text, sizeof text, BODY, interims);
    itp_scenario *scn = test_load(text, err, sizeof err);
    if (!scn)
        fail_msg("%s", err);
    return scn;
}

static void test_zero_spend_interim_changes_nothing(void **state)
{
    (void)state;
    itp_scenario *fixed = load(""), *gs =
        load("  interims = { at = [0.5]; efficacy = \"user\"; spent = [0.0]; };\n");
    itp_mc_ws *w1, *w2;
    assert_int_equal(itp_mc_ws_create(&w1, fixed, 0), ITP_OK);
    assert_int_equal(itp_mc_ws_create(&w2, gs, 0), ITP_OK);
    int differ = 0, rejections = 0, held2 = 0;
    for (uint64_t r = 0; r < 300; r++) {
        itp_rep_result a, b;
        assert_int_equal(itp_mc_replicate(fixed, 3, r, 0, w1, &a), ITP_OK);
        assert_int_equal(itp_mc_replicate(gs, 3, r, 0, w2, &b), ITP_OK);
        for (int h = 0; h < 2; h++) {
            differ += a.hyp[h].rejected != b.hyp[h].rejected;
            rejections += a.hyp[h].rejected;
        }
        assert_int_equal(b.gs.reason, ITP_GS_FINAL);
        held2 += b.gs.stages == 2;
        assert_true(isinf(b.gs.bound[0]) || b.gs.stages == 1);
        assert_true(fabs(a.cut_month - b.cut_month) < 1e-9);
    }
    print_message("%d rejections, %d differences; the interim held in %d of 300\n", rejections,
                  differ, held2);
    assert_int_equal(differ, 0);
    assert_true(rejections > 100);
    assert_true(held2 > 290);
    itp_mc_ws_free(w1);
    itp_mc_ws_free(w2);
    itp_scenario_free(fixed);
    itp_scenario_free(gs);
}

static void test_futility_stops_at_the_interim(void **state)
{
    (void)state;
    itp_scenario *scn = load("  interims = { at = [0.5]; efficacy = \"user\"; spent = [0.0]; "
                             "futility_z = [9.0]; };\n");
    itp_mc_ws *ws;
    assert_int_equal(itp_mc_ws_create(&ws, scn, 0), ITP_OK);
    for (uint64_t r = 0; r < 50; r++) {
        itp_rep_result x;
        assert_int_equal(itp_mc_replicate(scn, 5, r, 0, ws, &x), ITP_OK);
        assert_int_equal(x.gs.reason, ITP_GS_FUTILITY);
        assert_int_equal(x.gs.stop, 0);
        assert_int_equal(x.hyp[0].rejected + x.hyp[1].rejected, 0);
        /* 45 events of 90 (all of that day's): the information at the cut */
        assert_true(x.events >= 45 && x.events <= 48);
        assert_true(fabs(x.gs.t[0] - x.events / 90.0) < 1e-12);
        assert_true(fabs(x.gs.month[0] - x.cut_month) < 1e-9);
    }
    itp_mc_ws_free(ws);
    itp_scenario_free(scn);
}

/* Conditional power under the current trend: a trial stops for futility
 * at the interim exactly when it is below futility_cp, each replicate's
 * CP recomputed here from its z, information and final bound. */
static void test_futility_by_conditional_power(void **state)
{
    (void)state;
    itp_scenario *scn = load("  interims = { at = [0.5]; efficacy = \"user\"; spent = [0.0]; "
                             "futility_cp = 0.5; };\n");
    itp_mc_ws *ws;
    assert_int_equal(itp_mc_ws_create(&ws, scn, 0), ITP_OK);
    int stops = 0;
    for (uint64_t r = 0; r < 200; r++) {
        itp_rep_result x;
        assert_int_equal(itp_mc_replicate(scn, 8, r, 0, ws, &x), ITP_OK);
        double z = x.gs.z[0], t = x.gs.t[0];
        /* no alpha at the interim: the final bound at level 0.5 x 0.025
         * over (t, 1) is z_{1 - 0.0125} whatever t */
        double b = gsl_cdf_ugaussian_Qinv(0.0125);
        double cp = 1.0 - gsl_cdf_ugaussian_P((b - z * sqrt(t) - z / sqrt(t) * (1 - t)) /
                                              sqrt(1 - t));
        assert_int_equal(x.gs.reason == ITP_GS_FUTILITY, cp < 0.5);
        stops += x.gs.reason == ITP_GS_FUTILITY;
    }
    print_message("%d of 200 stopped for futility\n", stops);
    assert_true(stops > 10 && stops < 190);
    itp_mc_ws_free(ws);
    itp_scenario_free(scn);
}

/* Type I error of hypothesis "hi" alone under the null. */
static double type1(const char *interims, long reps, long *rejected)
{
    char text[4096], err[1024];
    char iv[512];
    snprintf(iv, sizeof iv, "%s", interims);
    snprintf(text, sizeof text, BODY, iv);
    /* one hypothesis at full alpha */
    char *w = strstr(text, "  weights");
    snprintf(w, (size_t)(text + sizeof text - w), "  weights = [1.0, 0.0];\n  transitions = ( "
             "[0.0, 1.0], [1.0, 0.0] );\n%s};\n", iv);
    itp_scenario *scn = test_load(text, err, sizeof err), *null;
    if (!scn)
        fail_msg("%s", err);
    assert_int_equal(itp_scenario_null(scn, &null), ITP_OK);
    itp_mc_summary s;
    itp_mc_run_opts o = {11, 0, reps, 2, 0, NULL};
    assert_int_equal(itp_mc_summary_init(&s, null), ITP_OK);
    assert_int_equal(itp_mc_run(null, &o, &s, NULL, NULL), ITP_OK);
    *rejected = s.rejected[0];
    itp_mc_summary_free(&s);
    itp_scenario_free(null);
    itp_scenario_free(scn);
    return (double)*rejected / reps;
}

static void test_type1_error(void **state)
{
    (void)state;
    const long n = 6000;
    long k;
    double se = sqrt(0.025 * 0.975 / n);
    double a = type1("  interims = { at = [0.3, 0.6]; efficacy = \"pocock\"; };\n", n, &k);
    double b = type1("  interims = { at = [0.3, 0.6]; efficacy = \"pocock\"; "
                     "futility_z = [0.0, 0.0]; };\n", n, &k);
    print_message("type I error %.4f without futility, %.4f with (3 MCSE %.4f)\n", a, b, 3 * se);
    assert_true(fabs(a - 0.025) < 3 * se);
    assert_true(b <= a && b < 0.025 + 3 * se);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_spend_interim_changes_nothing),
        cmocka_unit_test(test_futility_stops_at_the_interim),
        cmocka_unit_test(test_futility_by_conditional_power),
        cmocka_unit_test(test_type1_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
