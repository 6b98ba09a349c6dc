/* The Monte Carlo engine on hazard-model trials with known answers:
 * - type I error of a one-sided log-rank test at 0.025 on the null version
 *   the engine builds itself, within 4 Monte Carlo SE of 0.025;
 * - power with an event-driven cut at d events within 4 SE of Schoenfeld
 *   (1981): Phi(sqrt(d)/2 |ln HR| - z_{1-alpha}) for 1:1 allocation;
 * - Cox Wald 95% CI coverage of the true HR within 4 SE of 0.95;
 * - identical aggregates for 1, 2 and 4 threads;
 * - --precision stops at the first chunk where every power's SE is small
 *   enough. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include "itpsim/run.h"
#include "testutil.h"

static itp_scenario *hazard_trial(const char *cut, int patients, double hr)
{
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "model = \"hazard\"; patients = %d;\n"
             "arms = ( { name = \"exp\"; hazard_per_month = [%g]; },\n"
             "         { name = \"ctl\"; hazard_per_month = [0.1]; } );\n"
             "control = \"ctl\";\n"
             "enrolment = { duration_months = 12.0; };\n"
             "followup = { max_months = 120.0; %s };\n"
             "visits = ( { from_week = 0; every_weeks = 4; } );\n"
             "events = { dropout_per_year = 0.0; };\n"
             "endpoints = { ttf = { type = \"ttf\"; }; };\n"
             "analysis = { alpha = 0.025; hypotheses = (\n"
             "  { name = \"h\"; endpoint = \"ttf\"; arm = \"exp\"; test = \"logrank\"; } ); };\n",
             patients, 0.1 * hr, cut);
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    return scn;
}

static void within(double est, double target, long reps, const char *what)
{
    double se = sqrt(target * (1 - target) / (double)reps);
    print_message("%s: %.4f, expected %.4f +- %.4f (4 SE)\n", what, est, target, 4 * se);
    assert_true(fabs(est - target) <= 4 * se);
}

static void test_type1_and_schoenfeld_power(void **state)
{
    (void)state;
    const int d = 200;
    const double hr = 0.7;
    itp_scenario *scn = hazard_trial("data_cut = \"events\"; events = 200;", 600, hr);
    itp_run_opts o = {.seed = 7, .reps = 6000, .threads = 2, .null = 1, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    assert_int_equal(res.design.reps, 6000);
    assert_int_equal(res.null.reps, 6000);
    /* every replicate was cut at the 200th event (ties may add one or two) */
    double mean_events = res.design.events_sum / res.design.reps;
    assert_true(mean_events >= d && mean_events < d + 1);
    double z = gsl_cdf_ugaussian_Pinv(0.975);
    double schoenfeld = gsl_cdf_ugaussian_P(sqrt((double)d) / 2 * fabs(log(hr)) - z);
    within(itp_power(&res.design, 0), schoenfeld, res.design.reps, "power vs Schoenfeld");
    within(itp_power(&res.null, 0), 0.025, res.null.reps, "type I error");
    within((double)res.design.covered[0] / res.design.coverable[0], 0.95,
           res.design.coverable[0], "CI coverage (design)");
    within((double)res.null.covered[0] / res.null.coverable[0], 0.95, res.null.coverable[0],
           "CI coverage (null)");
    assert_true(fabs(itp_mc_median_estimate(&res.design, scn, 0) - hr) < 0.03);
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

/* A calendar cut: type I error of a small trial (100 patients). */
static void test_type1_small_trial(void **state)
{
    (void)state;
    itp_scenario *scn = hazard_trial("cut_months = 12.0;", 100, 1.0);
    itp_run_opts o = {.seed = 3, .reps = 20000, .threads = 2, .null = 0, .quiet = 1};
    itp_run_result res;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    within(itp_power(&res.design, 0), 0.025, res.design.reps, "type I error, n = 100");
    itp_run_result_free(&res);
    itp_scenario_free(scn);
}

static void same_summary(const itp_mc_summary *a, const itp_mc_summary *b,
                         const itp_scenario *scn)
{
    assert_int_equal(a->reps, b->reps);
    assert_memory_equal(a->rejected, b->rejected, sizeof a->rejected);
    assert_memory_equal(a->landmark_sum, b->landmark_sum, sizeof a->landmark_sum);
    assert_memory_equal(a->rate_sum, b->rate_sum, sizeof a->rate_sum);
    assert_true(a->cut_sum == b->cut_sum && a->events_sum == b->events_sum);
    assert_memory_equal(a->est_hist, b->est_hist,
                        (size_t)scn->plan.n_hyp * ITP_MC_BINS * sizeof *a->est_hist);
    assert_memory_equal(a->median_hist, b->median_hist,
                        (size_t)scn->n_arms * ITP_MC_TIME_BINS * sizeof *a->median_hist);
}

/* The default scenario (60 patients to keep it quick): 1, 2 and 4 threads
 * give the same aggregates bit for bit. */
static void test_threads_do_not_change_results(void **state)
{
    (void)state;
    itp_scenario *scn;
    char err[1024];
    const char *sets[] = {"patients=60"};
    assert_int_equal(itp_scenario_load(&scn, "scenarios/vayhit2.cfg", TEST_DEFAULTS, sets, 1,
                                       NULL, err, sizeof err), ITP_OK);
    itp_run_result r[3];
    int threads[3] = {1, 2, 4};
    for (int i = 0; i < 3; i++) {
        itp_run_opts o = {.seed = 5, .reps = 300, .threads = threads[i], .null = 1, .quiet = 1};
        assert_int_equal(itp_run(scn, &o, &r[i]), ITP_OK);
    }
    for (int i = 1; i < 3; i++) {
        same_summary(&r[0].design, &r[i].design, scn);
        same_summary(&r[0].null, &r[i].null, scn);
    }
    for (int i = 0; i < 3; i++)
        itp_run_result_free(&r[i]);
    itp_scenario_free(scn);
}

/* --precision 0.015: the run stops at the first multiple of 256 replicates
 * where the power's SE is at most 0.015; 256 fewer would not do (checked on
 * a fixed-size run with the same seed, whose replicates are the same). */
static void test_precision_stops_where_it_says(void **state)
{
    (void)state;
    itp_scenario *scn = hazard_trial("cut_months = 12.0;", 100, 0.6);
    const double target = 0.015;
    itp_run_opts o = {.seed = 11, .reps = 100000, .threads = 2, .precision = target, .quiet = 1};
    itp_run_result res, before;
    assert_int_equal(itp_run(scn, &o, &res), ITP_OK);
    long r = res.design.reps;
    assert_true(r % ITP_MC_CHUNK == 0 && r > ITP_MC_CHUNK);
    assert_true(itp_mc_se(itp_power(&res.design, 0), r) <= target);
    itp_run_opts f = {.seed = 11, .reps = r - ITP_MC_CHUNK, .threads = 2, .quiet = 1};
    assert_int_equal(itp_run(scn, &f, &before), ITP_OK);
    assert_true(itp_mc_se(itp_power(&before.design, 0), before.design.reps) > target);
    print_message("stopped after %ld replicates, power %.3f\n", r, itp_power(&res.design, 0));
    itp_run_result_free(&res);
    itp_run_result_free(&before);
    itp_scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type1_and_schoenfeld_power),
        cmocka_unit_test(test_type1_small_trial),
        cmocka_unit_test(test_threads_do_not_change_results),
        cmocka_unit_test(test_precision_stops_where_it_says),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
