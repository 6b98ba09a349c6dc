/* The platelet model: exact answers in degenerate cases, the Runge-Kutta
 * day step against a high-accuracy GSL solution, and the distribution of
 * patient draws against DOMAIN.md s5 (tolerance 5 Monte Carlo SE). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include "itpsim/model.h"
#include "itpsim/rng.h"
#include "itpsim/trial.h"
#include "testutil.h"

static const itp_kinetics K = {15.0 / 1.5, 1.0 / 1.5, 110.0 / 8.5, 1.0 / 8.5, 4.0 / 7.1, 0.1};

static itp_drive dose_drive(double dose_mg)
{
    itp_drive d = {dose_mg, dose_mg / 25.0, 16.0 / 25.0, 1.3, 1.0, 1.0};
    return d;
}

static void test_no_drug_stays_at_baseline(void **state)
{
    (void)state;
    itp_drive none = dose_drive(0.0);
    double y[ITP_NSTATE];
    itp_kinetics_steady(&K, &none, y);
    assert_true(fabs(y[ITP_S_P] - 15.0) < 1e-12);
    for (int d = 0; d < 400; d++)
        itp_kinetics_day(&K, &none, 0, 4, y);
    assert_true(fabs(y[ITP_S_P] - 15.0) < 1e-9);
}

/* Constant dose: P_ss = B0 (1 + SLP dose / CL), C_ss = dose / CL. */
static void test_fixed_dose_reaches_analytic_steady_state(void **state)
{
    (void)state;
    itp_drive none = dose_drive(0.0), d = dose_drive(50.0);
    double y[ITP_NSTATE];
    itp_kinetics_steady(&K, &none, y);
    for (int day = 0; day < 400; day++)
        itp_kinetics_day(&K, &d, 0, 4, y);
    double css = 50.0 / 16.0, pss = 15.0 * (1.0 + 1.3 * css);
    assert_true(fabs(y[ITP_S_C] - css) / css < 1e-9);
    assert_true(fabs(y[ITP_S_P] - pss) / pss < 1e-7);
}

/* Remission for long: P -> P_rem (1 + E) with kdeg = 1/8.5. */
static void test_remission_steady_state(void **state)
{
    (void)state;
    itp_drive none = dose_drive(0.0);
    double y[ITP_NSTATE];
    itp_kinetics_steady(&K, &none, y);
    for (int day = 0; day < 800; day++)
        itp_kinetics_day(&K, &none, 1, 4, y);
    assert_true(fabs(y[ITP_S_P] - 110.0) / 110.0 < 1e-6);
}

/* ---- Runge-Kutta day step against GSL's rk8pd at tolerance 1e-12 -------- */

typedef struct ref_ctx {
    const itp_kinetics *k;
    const itp_drive *d;
    int rem;
} ref_ctx;

static int ref_rhs(double t, const double y[], double dydt[], void *params)
{
    const ref_ctx *c = params;
    (void)t;
    itp_kinetics_rhs(c->k, c->d, c->rem, y, dydt);
    return GSL_SUCCESS;
}

/* A scripted course: dose 50 then 75, rescue (kdeg x 0.3) on days 30-44,
 * remission from day 40 to 150, dose stopped at day 120. */
static void script(int day, itp_drive *d, int *rem)
{
    *d = dose_drive(day < 60 ? 50.0 : day < 120 ? 75.0 : 0.0);
    if (day >= 30 && day < 44)
        d->kdeg_factor = 0.3;
    *rem = day >= 40 && day < 150;
}

static double max_rel_error(int steps_per_day)
{
    itp_drive d;
    int rem;
    double y[ITP_NSTATE], z[ITP_NSTATE], worst = 0.0;
    script(0, &d, &rem);
    itp_drive none = dose_drive(0.0);
    itp_kinetics_steady(&K, &none, y);
    memcpy(z, y, sizeof y);
    ref_ctx c = {&K, &d, 0};
    gsl_odeiv2_system sys = {ref_rhs, NULL, ITP_NSTATE, &c};
    gsl_odeiv2_driver *drv = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd,
                                                           1e-3, 1e-12, 1e-12);
    for (int day = 0; day < 250; day++) {
        script(day, &d, &rem);
        c.rem = rem;
        itp_kinetics_day(&K, &d, rem, steps_per_day, y);
        double t = day;
        gsl_odeiv2_driver_reset(drv);
        assert_int_equal(gsl_odeiv2_driver_apply(drv, &t, day + 1.0, z), GSL_SUCCESS);
        double e = fabs(y[ITP_S_P] - z[ITP_S_P]) / z[ITP_S_P];
        if (e > worst)
            worst = e;
    }
    gsl_odeiv2_driver_free(drv);
    return worst;
}

static void test_rk4_matches_reference(void **state)
{
    (void)state;
    double e4 = max_rel_error(4), e1 = max_rel_error(1);
    print_message("max relative error of P: %.2e with 4 steps/day, %.2e with 1\n", e4, e1);
    /* 1e-4 relative is 0.01 at a count of 100: far below the rounding of a
     * reported count and the 9% measurement error. */
    assert_true(e4 < 1e-4);
    assert_true(e1 > e4); /* the comparison has power to see step error */
}

/* ---- whole patients --------------------------------------------------------- */

/* No noise, no remission, no events, no drug: every count is the baseline. */
static void test_patient_without_drug_or_noise(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(
        "patients = 40;\n"
        "arms = ( { name = \"pbo\"; treatments = [\"pbo\"]; } );\n"
        "enrolment = { duration_months = 3.0; };\n"
        "followup = { max_months = 12.0; cut_months = 12.0; };\n"
        "visits = ( { from_week = 0; every_weeks = 1; } );\n"
        "components = { pbo = { type = \"placebo\"; infusion_weeks = [0]; }; };\n"
        "platelet = { fluctuation_sd = 0.0; measurement_sd = 0.0; background_remission_prob = 0.0; };\n"
        "events = { death_per_year = 0.0; dropout_per_year = 0.0; };\n"
        "rescue = { below = 0.0; bleed_max_per_day = 0.0; };\n"
        "new_therapy = { prob = 0.0; };\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_sim_ws *ws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    assert_int_equal(itp_trial_simulate(scn, 1, 0, 0, ws, &rec), ITP_OK);
    for (int i = 0; i < rec.n_patients; i++) {
        const itp_patient *p = &rec.patients[i];
        assert_true(p->baseline <= 30.0); /* a rounded count */
        assert_int_equal(p->n_visits, p->followup_days / 7 + 1);
        for (int v = 0; v < p->n_visits; v++)
            assert_true((double)rec.visits[p->visit_first + (size_t)v].count == p->baseline);
        assert_int_equal(p->n_rescue, 0);
        assert_int_equal(p->last_day, p->followup_days);
    }
    itp_record_free(&rec);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

/* Draws of the TPO-RA and B-cell components over many patients. */
static void test_component_draws(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(TEST_BASE_SCENARIO, err, sizeof err);
    assert_non_null(scn);
    const itp_component *elt = &scn->components[0], *ab = &scn->components[1];
    assert_string_equal(elt->type->name, "tpo_ra");
    assert_string_equal(ab->type->name, "bcell_antibody");
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    unsigned char st[512];
    itp_patient pt;
    const int n = 40000;
    int nonresp = 0, remit = 0;
    for (int i = 0; i < n; i++) {
        itp_patient_ctx ctx = {.pt = &pt};
        itp_drive d = dose_drive(0.0);
        memset(st, 0, sizeof st);
        itp_rng_stream(r, 9, 0, (uint64_t)i, ITP_STREAM_COMPONENT);
        elt->type->start(elt->params, &ctx, r, st);
        elt->type->day(elt->params, &ctx, st, &d);
        nonresp += d.tpo_slope == 0.0;
        assert_true(d.tpo_dose == 50.0);
        itp_rng_stream(r, 9, 0, (uint64_t)i, ITP_STREAM_COMPONENT + 1);
        ab->type->start(ab->params, &ctx, r, st);
        remit += ctx.n_mech;
        if (ctx.n_mech) {
            assert_true(ctx.mech[0].onset >= 21 && ctx.mech[0].onset <= 70);
            assert_true(ctx.mech[0].end > 84);
        }
    }
    double p_nr = 0.19, p_rem = 0.45 * 9.0 / (1.35 + 9.0);
    assert_true(fabs((double)nonresp / n - p_nr) < 5 * sqrt(p_nr * (1 - p_nr) / n));
    assert_true(fabs((double)remit / n - p_rem) < 5 * sqrt(p_rem * (1 - p_rem) / n));
    gsl_rng_free(r);
    itp_scenario_free(scn);
}

/* Baseline counts: log-normal(median 15, log-SD 0.5) truncated below 30. The
 * share below the truncated distribution's median is 1/2. */
static void test_baseline_distribution(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(TEST_BASE_SCENARIO, err, sizeof err);
    assert_non_null(scn);
    gsl_rng *r = gsl_rng_alloc(itp_rng_xoshiro256pp);
    unsigned char pt[256];
    double f30 = gsl_cdf_ugaussian_P(log(30.0 / 15.0) / 0.5);
    double median = 15.0 * exp(0.5 * gsl_cdf_ugaussian_Pinv(f30 / 2));
    const int n = 40000;
    int below = 0;
    for (int i = 0; i < n; i++) {
        itp_rng_stream(r, 3, 0, (uint64_t)i, ITP_STREAM_BASELINE);
        double b = scn->model->draw(scn, scn->model_params, r, pt);
        assert_true(b > 0.0 && b < 30.0);
        below += b < median;
    }
    assert_true(fabs((double)below / n - 0.5) < 5 * sqrt(0.25 / n));
    gsl_rng_free(r);
    itp_scenario_free(scn);
}

/* Permuted blocks of 6 over 3 arms: every complete block holds 2 per arm. */
static void test_permuted_blocks(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(
        "patients = 152;\n"
        "arms = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"c\"; } );\n"
        "allocation = { block_size = 6; };\n"
        "enrolment = { duration_months = 3.0; };\n"
        "followup = { max_months = 1.0; cut_months = 1.0; };\n"
        "visits = ( { from_week = 0; every_weeks = 1; } );\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_sim_ws *ws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    for (uint64_t rep = 0; rep < 20; rep++) {
        assert_int_equal(itp_trial_simulate(scn, 1, rep, 0, ws, &rec), ITP_OK);
        for (int b = 0; b + 6 <= rec.n_patients; b += 6) {
            int count[3] = {0, 0, 0};
            for (int i = b; i < b + 6; i++)
                count[rec.patients[i].arm]++;
            assert_true(count[0] == 2 && count[1] == 2 && count[2] == 2);
        }
        for (int i = 1; i < rec.n_patients; i++)
            assert_true(rec.patients[i].enrol_day >= rec.patients[i - 1].enrol_day);
    }
    itp_record_free(&rec);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

/* Hazard model: a constant hazard h gives exponential times; the mean of
 * floor(T) is 1/h - 1/2 + O(h) days. */
static void test_hazard_model_exponential(void **state)
{
    (void)state;
    char err[1024];
    itp_scenario *scn = test_load(
        "model = \"hazard\"; patients = 20000;\n"
        "arms = ( { name = \"a\"; hazard_per_month = [0.2]; } );\n"
        "enrolment = { duration_months = 1.0; };\n"
        "followup = { max_months = 240.0; cut_months = 240.0; };\n"
        "visits = ( { from_week = 0; every_weeks = 4; } );\n"
        "events = { dropout_per_year = 0.0; };\n",
        err, sizeof err);
    assert_non_null(scn);
    itp_sim_ws *ws;
    itp_record rec;
    itp_record_init(&rec);
    assert_int_equal(itp_sim_ws_create(&ws, scn), ITP_OK);
    assert_int_equal(itp_trial_simulate(scn, 1, 0, 0, ws, &rec), ITP_OK);
    double mean = 1.0 / (0.2 / ITP_DAYS_PER_MONTH), s = 0.0;
    int n = rec.n_patients, failed = 0;
    for (int i = 0; i < n; i++) {
        failed += rec.patients[i].failure != ITP_NEVER;
        s += rec.patients[i].failure;
    }
    assert_int_equal(failed, n);
    assert_true(fabs(s / n - (mean - 0.5)) < 5 * mean / sqrt(n));
    itp_record_free(&rec);
    itp_sim_ws_free(ws);
    itp_scenario_free(scn);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_drug_stays_at_baseline),
        cmocka_unit_test(test_fixed_dose_reaches_analytic_steady_state),
        cmocka_unit_test(test_remission_steady_state),
        cmocka_unit_test(test_rk4_matches_reference),
        cmocka_unit_test(test_patient_without_drug_or_noise),
        cmocka_unit_test(test_component_draws),
        cmocka_unit_test(test_baseline_distribution),
        cmocka_unit_test(test_permuted_blocks),
        cmocka_unit_test(test_hazard_model_exponential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
