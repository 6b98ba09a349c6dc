/* Random streams: keyed streams are reproducible and independent of the
 * order they are used in; patient i is the same patient whatever the
 * sample size; the generator's uniforms have the right mean and variance
 * (tolerance 5 standard errors). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include "itpsim/rng.h"
#include "itpsim/trial.h"
#include "testutil.h"

static void test_same_key_same_draws(void **state)
{
    (void)state;
    gsl_rng *a = gsl_rng_alloc(itp_rng_xoshiro256pp), *b = gsl_rng_alloc(itp_rng_xoshiro256pp);
    itp_rng_stream(a, 7, 3, 11, ITP_STREAM_VISIT);
    /* b visits other streams first: no state may leak between streams */
    itp_rng_stream(b, 7, 4, 11, ITP_STREAM_VISIT);
    gsl_rng_uniform(b);
    itp_rng_stream(b, 7, 3, 11, ITP_STREAM_VISIT);
    for (int i = 0; i < 1000; i++)
        assert_true(gsl_rng_uniform(a) == gsl_rng_uniform(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static void test_keys_differ(void **state)
{
    (void)state;
    uint64_t k0 = itp_rng_key(1, 0, 0, 1);
    assert_true(k0 != itp_rng_key(2, 0, 0, 1));
    assert_true(k0 != itp_rng_key(1, 1, 0, 1));
    assert_true(k0 != itp_rng_key(1, 0, 1, 1));
    assert_true(k0 != itp_rng_key(1, 0, 0, 2));
    /* swapping coordinates gives another stream */
    assert_true(itp_rng_key(1, 2, 3, 1) != itp_rng_key(1, 3, 2, 1));
}

static void test_uniform_moments(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    itp_rng_stream(r, 42, 0, 0, 1);
    const int n = 1000000;
    double s = 0, s2 = 0, lag = 0, prev = gsl_rng_uniform(r);
    for (int i = 0; i < n; i++) {
        double u = gsl_rng_uniform(r);
        assert_true(u >= 0.0 && u < 1.0);
        s += u;
        s2 += u * u;
        lag += (u - 0.5) * (prev - 0.5);
        prev = u;
    }
    /* mean 1/2 (SE sqrt(1/12/n)), variance 1/12 (SE sqrt(1/180/n)), lag-1
     * covariance 0 (SE 1/12/sqrt(n)) */
    assert_true(fabs(s / n - 0.5) < 5 * sqrt(1.0 / 12 / n));
    assert_true(fabs(s2 / n - s * s / n / n - 1.0 / 12) < 5 * sqrt(1.0 / 180 / n));
    assert_true(fabs(lag / n) < 5 * (1.0 / 12) / sqrt(n));
    gsl_rng_free(r);
}

static void compare_patients(const itp_record *a, const itp_record *b, int n)
{
    for (int i = 0; i < n; i++) {
        const itp_patient *p = &a->patients[i], *q = &b->patients[i];
        assert_int_equal(p->arm, q->arm);
        assert_true(p->baseline == q->baseline);
        assert_int_equal(p->n_visits, q->n_visits);
        assert_int_equal(p->n_events, q->n_events);
        for (int e = 0; e < p->n_events; e++) {
            const itp_event *x = &a->events[p->event_first + (size_t)e];
            const itp_event *y = &b->events[q->event_first + (size_t)e];
            assert_int_equal(x->day, y->day);
            assert_int_equal(x->kind, y->kind);
            assert_true(x->value == y->value);
        }
        assert_int_equal(p->n_rescue, q->n_rescue);
        assert_int_equal(p->remission_onset, q->remission_onset);
        for (int v = 0; v < p->n_visits; v++) {
            const itp_visit *x = &a->visits[p->visit_first + (size_t)v];
            const itp_visit *y = &b->visits[q->visit_first + (size_t)v];
            assert_int_equal(x->day, y->day);
            assert_true(x->count == y->count);
            assert_true(x->tpo_dose == y->tpo_dose);
        }
    }
}

/* With a fixed calendar (cut after the first patient and a rate-based
 * enrolment), patient i's enrolment, arm and whole trajectory do not
 * depend on how many patients follow. */
static void test_patient_independent_of_sample_size(void **state)
{
    (void)state;
    char err[1024];
    const char *text =
        "patients = 30;\n"
        "arms = ( { name = \"a\"; treatments = [\"elt\", \"ab\"]; },\n"
        "         { name = \"b\"; treatments = [\"elt\"]; } );\n"
        "enrolment = { rate_per_month = [10.0]; };\n"
        "followup = { max_months = 12.0; data_cut = \"after_first_enrolled\"; cut_months = 36.0; };\n"
        "visits = ( { from_week = 0; to_week = 25; every_weeks = 1; },\n"
        "           { from_week = 29; every_weeks = 4; } );\n"
        "components = {\n"
        "  elt = { type = \"tpo_ra\"; taper = { start_week = 17.0; end_week = 24.0;\n"
        "          eligible_weeks = [15, 17]; }; };\n"
        "  ab = { type = \"bcell_antibody\"; dose_mg_kg = 9.0; infusion_weeks = [0, 4]; };\n"
        "};\n";
    itp_scenario *scn = test_load(text, err, sizeof err);
    assert_non_null(scn);
    itp_sim_ws *ws;
    itp_record small, large, again;
    itp_record_init(&small);
    itp_record_init(&large);
    itp_record_init(&again);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    assert_int_equal(itp_trial_simulate(scn, 5, 2, 30, ws, &small), ITP_OK);
    assert_int_equal(itp_trial_simulate(scn, 5, 2, 90, ws, &large), ITP_OK);
    assert_int_equal(itp_trial_simulate(scn, 5, 2, 30, ws, &again), ITP_OK);
    compare_patients(&small, &large, 30);
    compare_patients(&small, &again, 30);
    for (int i = 0; i < 30; i++)
        assert_true(small.patients[i].enrol_day == large.patients[i].enrol_day);
    /* and another replicate is another trial */
    assert_int_equal(itp_trial_simulate(scn, 5, 3, 30, ws, &again), ITP_OK);
    int differ = 0;
    for (int i = 0; i < 30; i++)
        differ += small.patients[i].baseline != again.patients[i].baseline;
    assert_true(differ > 20);
    itp_record_free(&small);
    itp_record_free(&large);
    itp_record_free(&again);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_key_same_draws),
        cmocka_unit_test(test_keys_differ),
        cmocka_unit_test(test_uniform_moments),
        cmocka_unit_test(test_patient_independent_of_sample_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
