/* The probit fit (include/itpsim/probit.h) on data from known probit
 * curves: exact expected counts give the coefficients back; binomial counts
 * drawn from the curve give estimates within 4 of their standard errors,
 * and over many draws the Wald intervals cover at the nominal rate within
 * 3 Monte Carlo SE; the inverse and its Fieller interval sit where the fit
 * and its band cross the target. R's glm on the same data:
 * tests/cli/refcheck_probit.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "itpsim/probit.h"

/* A power curve of sample sizes 10..400 on sqrt(n), as the search fits it:
 * about 0.02 at 10 patients, 0.96 at 400. */
#define NPTS 8
static const double sizes[NPTS] = {10, 40, 80, 120, 160, 200, 300, 400};
static const double true_a = -2.6, true_b = 0.23;

static void curve(double *x, double *p)
{
    for (int i = 0; i < NPTS; i++) {
        x[i] = sqrt(sizes[i]);
        p[i] = gsl_cdf_ugaussian_P(true_a + true_b * x[i]);
    }
}

static void test_exact_counts(void **state)
{
    (void)state;
    double x[NPTS], p[NPTS], r[NPTS], m[NPTS];
    curve(x, p);
    for (int i = 0; i < NPTS; i++) {
        m[i] = 1000;
        r[i] = m[i] * p[i];   /* the expected count: the fit is saturated at the truth */
    }
    itp_probit f;
    assert_int_equal(itp_probit_fit(x, r, m, NPTS, &f), ITP_OK);
    assert_true(fabs(f.a - true_a) < 1e-8);
    assert_true(fabs(f.b - true_b) < 1e-8);
    assert_true(fabs(f.deviance) < 1e-9);
    assert_true(f.v_aa > 0 && f.v_bb > 0 && f.v_ab * f.v_ab < f.v_aa * f.v_bb);
    assert_int_equal(f.points, NPTS);
}

static void test_binomial_draws(void **state)
{
    (void)state;
    double x[NPTS], p[NPTS], r[NPTS], m[NPTS];
    curve(x, p);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 20240611);
    /* large counts: one data set, each estimate within 4 SE */
    for (int i = 0; i < NPTS; i++) {
        m[i] = 20000;
        r[i] = gsl_ran_binomial(g, p[i], (unsigned)m[i]);
    }
    itp_probit f;
    assert_int_equal(itp_probit_fit(x, r, m, NPTS, &f), ITP_OK);
    assert_true(fabs(f.a - true_a) < 4 * sqrt(f.v_aa));
    assert_true(fabs(f.b - true_b) < 4 * sqrt(f.v_bb));
    /* 400 data sets of 400 trials a point, as a search runs them: the 95%
     * Wald intervals of b cover the truth at 0.95 within 3 MCSE, and the
     * mean standardised error is 0 within 3 SE (1 / sqrt(400)) */
    int sets = 400, covered = 0;
    double zsum = 0;
    for (int s = 0; s < sets; s++) {
        for (int i = 0; i < NPTS; i++) {
            m[i] = 400;
            r[i] = gsl_ran_binomial(g, p[i], (unsigned)m[i]);
        }
        assert_int_equal(itp_probit_fit(x, r, m, NPTS, &f), ITP_OK);
        double zb = (f.b - true_b) / sqrt(f.v_bb);
        covered += fabs(zb) < 1.959964;
        zsum += zb;
    }
    double cov = (double)covered / sets, mcse = sqrt(0.95 * 0.05 / sets);
    assert_true(fabs(cov - 0.95) < 3 * mcse);
    assert_true(fabs(zsum / sets) < 3 / sqrt(sets));
    gsl_rng_free(g);
}

static void test_inverse(void **state)
{
    (void)state;
    double x[NPTS], p[NPTS], r[NPTS], m[NPTS];
    curve(x, p);
    for (int i = 0; i < NPTS; i++) {
        m[i] = 500;
        r[i] = floor(m[i] * p[i] + 0.5);
    }
    itp_probit f;
    assert_int_equal(itp_probit_fit(x, r, m, NPTS, &f), ITP_OK);
    double target = 0.8, z = 1.959964, xs, lo, hi;
    assert_int_equal(itp_probit_inverse(&f, target, z, &xs, &lo, &hi), 0);
    assert_true(fabs(itp_probit_at(&f, xs, z, NULL, NULL) - target) < 1e-12);
    assert_true(lo < xs && xs < hi);
    /* the interval's ends: the upper band crosses the target at lo, the
     * lower band at hi */
    double blo, bhi;
    itp_probit_at(&f, lo, z, &blo, &bhi);
    assert_true(fabs(bhi - target) < 1e-9);
    itp_probit_at(&f, hi, z, &blo, &bhi);
    assert_true(fabs(blo - target) < 1e-9);
    /* the true size at 80% power lies in the interval (rounded counts of a
     * known curve: no noise to speak of) */
    double xtrue = (gsl_cdf_ugaussian_Pinv(target) - true_a) / true_b;
    assert_true(lo < xtrue && xtrue < hi);
    /* a flat fit: no size reaches the target */
    itp_probit flat = f;
    flat.b = -0.1;
    assert_int_equal(itp_probit_inverse(&flat, target, z, &xs, &lo, &hi), -1);
    /* a slope within its noise: the interval is unbounded */
    flat.b = 0.01;
    flat.v_bb = 1.0;
    assert_int_equal(itp_probit_inverse(&flat, target, z, &xs, &lo, &hi), 1);
    assert_true(isnan(lo) && isnan(hi) && isfinite(xs));
}

static void test_refused(void **state)
{
    (void)state;
    itp_probit f;
    double x[3] = {1, 2, 3}, same[3] = {2, 2, 2}, m[3] = {10, 10, 10};
    double r[3] = {1, 5, 9}, zero[3] = {0, 0, 0}, full[3] = {10, 10, 10}, over[3] = {1, 11, 9};
    assert_int_equal(itp_probit_fit(same, r, m, 3, &f), ITP_EINPUT);
    assert_int_equal(itp_probit_fit(x, over, m, 3, &f), ITP_EINPUT);
    assert_int_equal(itp_probit_fit(x, zero, m, 3, &f), ITP_ENUMERIC);
    assert_int_equal(itp_probit_fit(x, full, m, 3, &f), ITP_ENUMERIC);
    /* complete separation: none at 1, all at 2 and 3, no finite maximum;
     * quasi-separation: one mixed point between */
    double sep[3] = {0, 10, 10}, quasi[3] = {0, 4, 10};
    assert_int_equal(itp_probit_fit(x, sep, m, 3, &f), ITP_ENUMERIC);
    assert_int_equal(itp_probit_fit(x, quasi, m, 3, &f), ITP_ENUMERIC);
    /* a point without trials does not count */
    double m1[3] = {0, 10, 10}, r1[3] = {0, 3, 7};
    assert_int_equal(itp_probit_fit(x, r1, m1, 3, &f), ITP_OK);
    assert_int_equal(f.points, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_counts),
        cmocka_unit_test(test_binomial_draws),
        cmocka_unit_test(test_inverse),
        cmocka_unit_test(test_refused),
    };
    gsl_set_error_handler_off();
    return cmocka_run_group_tests_name("probit", tests, NULL, NULL);
}
