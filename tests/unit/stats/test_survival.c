/* Tests of the survival kernels (include/itpsim/survival.h).
 *
 * Known answers: the 6-MP leukaemia remission trial of Freireich et al.,
 * Blood 21:699-716 (1963), 21 patients on 6-mercaptopurine and 21 on
 * placebo, remission times in weeks, as tabulated in Kleinbaum & Klein,
 * Survival Analysis: A Self-Learning Text, 3rd ed., Springer 2012
 * ("remission data", chapters 1-3) and Klein & Moeschberger, Survival
 * Analysis, 2nd ed. 2003, section 1.2 (R: MASS::gehan). Kleinbaum & Klein
 * give the log-rank chi-square 16.79 (ch. 2), the KM medians 23 (6-MP) and
 * 8 (placebo) weeks (ch. 2), and the Cox coefficient of treatment 1.509,
 * se 0.410, HR 4.523 with Breslow ties (ch. 3, placebo vs 6-MP; with 6-MP as
 * the experimental group the sign flips). The digits below were computed
 * with R 4.x, survival 3.5.3: survdiff, coxph (Efron: -1.5721, se 0.4124;
 * Breslow: -1.5092, se 0.4096), survfit(conf.type = "log-log").
 *
 * Degenerate data sets have answers derived by hand (see each test), also
 * checked with R where R gives an answer. The Fleming-Harrington G(rho,
 * gamma) test and the restricted mean survival time are checked on six
 * patients worked out by hand, G(0, 0) against the log-rank test bit for
 * bit, the RMST without censoring against the mean of min(T, tau), and
 * both on two identical groups (z = 0). A last test checks the size of the
 * one-sided log-rank, Wald, G(0, 1) and RMST tests under H0 by simulation,
 * with a 5 Monte Carlo standard error tolerance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "itpsim/error.h"
#include "itpsim/survival.h"

/* cmocka 1.1.5 has no floating-point assertion. */
#define assert_close(got, want, rel)                                          \
    do {                                                                      \
        double g_ = (got), w_ = (want);                                       \
        if (!(fabs(g_ - w_) <= (rel) * fabs(w_))) {                           \
            print_error("%s = %.17g, expected %.17g (rel. tol. %g)\n", #got,  \
                        g_, w_, (double)(rel));                               \
            fail();                                                           \
        }                                                                     \
    } while (0)
#define assert_nan(x) assert_true(isnan(x))

#define REL 1e-9
#define NGEHAN 42

/* Gehan / Freireich data: 6-MP (group 1) then placebo (group 0). */
static const double gehan_time[NGEHAN] = {
    6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35,
    1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23};
static const int gehan_event[NGEHAN] = {
    1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const int gehan_group[NGEHAN] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

static itp_surv_data data_of(size_t n, const double *t, const int *e,
                             const int *g, const int *s, size_t nstrata)
{
    itp_surv_data d;
    d.n = n;
    d.time = t;
    d.event = e;
    d.group = g;
    d.stratum = s;
    d.nstrata = nstrata;
    return d;
}

static int setup(void **state)
{
    itp_surv_workspace *w;
    if (itp_surv_workspace_create(&w, 5000) != ITP_OK)
        return -1;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    itp_surv_workspace_free(*state);
    return 0;
}

/* ---- known answers: 6-MP trial ----------------------------------------- */

static void test_gehan_logrank(void **state)
{
    itp_surv_data d = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, NULL, 0);
    itp_logrank_result r;

    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_close(r.observed, 9.0, REL);
    assert_close(r.expected, 19.250500948031128, REL);
    assert_close(r.variance, 6.2569605736754994, REL);
    assert_close(r.chisq, 16.792940989216525, REL);   /* K&K: 16.79 */
    assert_true(fabs(r.chisq - 16.79) < 0.005);
    assert_true(r.z < 0.0);                            /* 6-MP better */
    assert_close(r.z, -sqrt(16.792940989216525), REL);
    assert_true(r.p_one_sided < 3e-5 && r.p_two_sided < 5e-5);
    assert_close(r.p_two_sided, 2.0 * r.p_one_sided, 1e-9);
    assert_int_equal(r.not_estimable, 0);

    /* a single stratum given explicitly changes nothing */
    {
        int s[NGEHAN] = {0};
        itp_logrank_result r1;
        d.stratum = s;
        d.nstrata = 1;
        assert_int_equal(itp_surv_logrank(&d, *state, &r1), ITP_OK);
        assert_true(r.observed == r1.observed && r.expected == r1.expected
                    && r.variance == r1.variance && r.chisq == r1.chisq);
    }
}

static void test_gehan_cox(void **state)
{
    itp_surv_data d = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, NULL, 0);
    itp_cox_result c;

    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_OK);
    assert_close(c.beta, -1.5721251488290662, REL);
    assert_close(c.se, 0.41239671770945546, REL);
    assert_close(c.hr, exp(-1.5721251488290662), REL);
    assert_close(c.loglik, -85.008424577371628, REL);
    assert_close(c.loglik_null, -93.184269996847732, REL);
    assert_int_equal(c.iterations, 4);                 /* R: fit$iter */
    assert_int_equal(c.converged, 1);
    assert_int_equal(c.monotone, 0);
    assert_int_equal(c.not_estimable, 0);
    assert_close(c.hr_lower, exp(c.beta - 1.959963984540054 * c.se), 1e-12);
    assert_close(c.hr_upper, exp(c.beta + 1.959963984540054 * c.se), 1e-12);
    assert_close(c.z, c.beta / c.se, 1e-15);

    assert_int_equal(itp_surv_cox(&d, ITP_COX_BRESLOW, 0.95, *state, &c), ITP_OK);
    assert_close(c.beta, -1.5091914125858781, REL);
    assert_close(c.se, 0.40956440636674124, REL);
    assert_close(c.loglik, -86.379622071145548, REL);
    assert_close(c.loglik_null, -93.985050478245185, REL);
    /* Kleinbaum & Klein ch. 3: 1.509 (0.410), HR 4.523 for placebo */
    assert_true(fabs(-c.beta - 1.509) < 5e-4 && fabs(c.se - 0.410) < 5e-4);
    assert_true(fabs(1.0 / c.hr - 4.523) < 5e-4);
    assert_int_equal(c.iterations, 4);
}

static void test_gehan_km(void **state)
{
    itp_surv_data d = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, NULL, 0);
    itp_km_result k;

    /* 6-MP at 10 weeks: S = (18/21)(16/17) */
    assert_int_equal(itp_surv_km(&d, 1, 10.0, 0.95, *state, &k), ITP_OK);
    assert_close(k.n, 21.0, 0.0);
    assert_close(k.nevents, 9.0, 0.0);
    assert_close(k.surv, 0.75294117647058811, REL);
    assert_close(k.se, 0.096349652994320495, REL);
    assert_close(k.lower, 0.50319951079995651, REL);
    assert_close(k.upper, 0.88936183516926537, REL);
    assert_close(k.median, 23.0, 0.0);                  /* K&K: 23 weeks */
    assert_close(k.median_lower, 13.0, 0.0);
    assert_nan(k.median_upper);
    assert_int_equal(k.median_not_reached, 0);
    assert_int_equal(k.median_upper_not_reached, 1);
    assert_int_equal(k.surv_not_estimable, 0);
    assert_int_equal(k.ci_not_estimable, 0);

    /* placebo at 10 weeks: 8/21 */
    assert_int_equal(itp_surv_km(&d, 0, 10.0, 0.95, *state, &k), ITP_OK);
    assert_close(k.surv, 8.0 / 21.0, REL);
    assert_close(k.se, 0.10597116957413082, REL);
    assert_close(k.lower, 0.18306654882039439, REL);
    assert_close(k.upper, 0.57778867774583087, REL);
    assert_close(k.median, 8.0, 0.0);                   /* K&K: 8 weeks */
    assert_close(k.median_lower, 4.0, 0.0);
    assert_close(k.median_upper, 11.0, 0.0);
    assert_int_equal(k.median_upper_not_reached, 0);
}

/* The kernels a replicate uses: the point estimate and median without
 * intervals are those of the full estimate (before the first time too);
 * the log-rank test on the table a Cox fit left, and a Cox fit on the
 * table a log-rank test left, equal those that tabulate in a workspace of
 * their own (stratified Gehan data, strata by the parity of the subject:
 * a Cox fit that tabulated otherwise would show here). */
static void test_shared_table_and_point(void **state)
{
    itp_surv_data d = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, NULL, 0);
    itp_km_result k, kp;
    static const double at[] = {0.5, 10.0, 22.0};   /* before the first time, within */
    for (int g = 0; g < 2; g++)
        for (int i = 0; i < 3; i++) {
            assert_int_equal(itp_surv_km(&d, g, at[i], 0.95, *state, &k), ITP_OK);
            assert_int_equal(itp_surv_km_point(&d, g, at[i], *state, &kp), ITP_OK);
            assert_true(kp.surv == k.surv && kp.se == k.se && kp.median == k.median);
            assert_int_equal(kp.median_not_reached, k.median_not_reached);
            assert_int_equal(kp.surv_not_estimable, k.surv_not_estimable);
            assert_nan(kp.lower);
            assert_nan(kp.upper);
            assert_nan(kp.median_lower);
            assert_nan(kp.median_upper);
            assert_int_equal(kp.ci_not_estimable, 1);
        }
    int strata[NGEHAN];
    for (int i = 0; i < NGEHAN; i++)
        strata[i] = i % 2;
    itp_surv_data ds = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, strata, 2);
    itp_logrank_result lr, lt;
    itp_cox_result cx, ct;
    /* each from its own workspace, then the log-rank test and a second
     * fit from the table the Cox fit left behind, as a replicate does */
    itp_surv_workspace *w = *state, *w2;
    assert_int_equal(itp_surv_workspace_create(&w2, NGEHAN), ITP_OK);
    assert_int_equal(itp_surv_logrank(&ds, w2, &lr), ITP_OK);
    assert_int_equal(itp_surv_cox(&ds, ITP_COX_EFRON, 0.95, w, &cx), ITP_OK);
    itp_surv_logrank_table(&w->tab, &lt);
    assert_int_equal(itp_surv_cox_table(&w2->tab, ITP_COX_EFRON, 0.95, &ct), ITP_OK);
    itp_surv_workspace_free(w2);
    assert_true(lt.z == lr.z && lt.variance == lr.variance && lt.p_one_sided == lr.p_one_sided);
    assert_true(ct.beta == cx.beta && ct.se == cx.se && ct.iterations == cx.iterations);
}

/* ---- degenerate data with exact answers --------------------------------- */

/* Controls die at 1, 2, 3 with all three experimental subjects (censored at
 * 4, 5, 6) at risk: U(beta) < 0 everywhere, beta -> -inf. The supremum of
 * the log-likelihood is -log 3 - log 2 - log 1 = -log 6 (R: -1.79175947 at
 * beta = -21.9 with "Ran out of iterations"). */
static void test_cox_monotone(void **state)
{
    const double t[6] = {1, 2, 3, 4, 5, 6};
    const int e[6] = {1, 1, 1, 0, 0, 0};
    int g[6] = {0, 0, 0, 1, 1, 1};
    itp_surv_data d = data_of(6, t, e, g, NULL, 0);
    itp_cox_result c;
    itp_logrank_result r;
    int ties;

    for (ties = 0; ties < 2; ties++) {
        assert_int_equal(itp_surv_cox(&d, (itp_cox_ties)ties, 0.95, *state, &c), ITP_OK);
        assert_int_equal(c.monotone, 1);
        assert_int_equal(c.not_estimable, 0);
        assert_int_equal(c.converged, 0);
        assert_int_equal(c.iterations, 0);
        assert_true(isinf(c.beta) && c.beta < 0.0);
        assert_true(c.hr == 0.0);
        assert_nan(c.se);
        assert_nan(c.z);
        assert_nan(c.p_one_sided);
        assert_nan(c.hr_lower);
        assert_close(c.loglik, -log(6.0), 1e-14);
        assert_true(c.loglik > c.loglik_null);
    }
    /* the log-rank test is still defined: O = 0 */
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_close(r.observed, 0.0, 0.0);
    assert_int_equal(r.not_estimable, 0);
    assert_true(r.z < 0.0);

    /* the mirror image: beta -> +inf, hr = +inf */
    g[0] = g[1] = g[2] = 1;
    g[3] = g[4] = g[5] = 0;
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_OK);
    assert_int_equal(c.monotone, 1);
    assert_true(isinf(c.beta) && c.beta > 0.0);
    assert_true(isinf(c.hr) && c.hr > 0.0);
    assert_close(c.loglik, -log(6.0), 1e-14);
}

/* No events at all, or events only while one group alone is at risk: the
 * likelihood is flat and V = 0. */
static void test_no_information(void **state)
{
    const double t[4] = {1, 2, 3, 0.5};
    const int none[4] = {0, 0, 0, 0};
    const int e[4] = {1, 1, 0, 0};
    const int g[4] = {0, 0, 0, 1};
    itp_surv_data d = data_of(4, t, none, g, NULL, 0);
    itp_cox_result c;
    itp_logrank_result r;
    itp_km_result k;

    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_OK);
    assert_int_equal(c.not_estimable, 1);
    assert_int_equal(c.monotone, 0);
    assert_nan(c.beta);
    assert_nan(c.p_two_sided);
    assert_close(c.loglik, 0.0, 0.0);
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_int_equal(r.not_estimable, 1);
    assert_true(r.p_one_sided == 1.0 && r.p_two_sided == 1.0 && r.z == 0.0);
    assert_int_equal(itp_surv_km(&d, ITP_SURV_ALL, 2.0, 0.95, *state, &k), ITP_OK);
    assert_close(k.surv, 1.0, 0.0);
    assert_int_equal(k.median_not_reached, 1);
    assert_nan(k.median);

    /* the experimental subject leaves (t = 0.5) before the control deaths */
    d.event = e;
    assert_int_equal(itp_surv_cox(&d, ITP_COX_BRESLOW, 0.95, *state, &c), ITP_OK);
    assert_int_equal(c.not_estimable, 1);
    assert_close(c.loglik, -log(3.0) - log(2.0), 1e-15);
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_int_equal(r.not_estimable, 1);
    assert_close(r.observed - r.expected, 0.0, 0.0);
}

/* Five subjects all dying at t = 5 (3 control, 2 experimental): V = 0; the
 * Cox score is 0 at beta = 0 so beta = 0 with information
 * d p (1 - p) = 5 (2/5)(3/5) = 6/5 for both tie methods; Efron's
 * log-likelihood is -log 5!, Breslow's -5 log 5 (R agrees). KM: S(5) = 0,
 * median 5, bands undefined. */
static void test_all_times_tied(void **state)
{
    const double t[5] = {5, 5, 5, 5, 5};
    const int all[5] = {1, 1, 1, 1, 1};
    const int some[5] = {1, 0, 1, 1, 0};
    const int g[5] = {0, 0, 0, 1, 1};
    itp_surv_data d = data_of(5, t, all, g, NULL, 0);
    itp_logrank_result r;
    itp_cox_result c;
    itp_km_result k;

    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_int_equal(r.not_estimable, 1);
    assert_close(r.observed, 2.0, 0.0);
    assert_close(r.expected, 2.0, 0.0);
    assert_true(r.p_one_sided == 1.0 && r.chisq == 0.0);

    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_OK);
    assert_true(fabs(c.beta) < 1e-12);        /* Efron's sum rounds */
    assert_close(c.se, sqrt(5.0 / 6.0), 1e-14);
    assert_close(c.loglik, -log(120.0), 1e-14);
    assert_int_equal(c.converged, 1);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_BRESLOW, 0.95, *state, &c), ITP_OK);
    assert_true(fabs(c.beta) < 1e-12);
    assert_close(c.se, sqrt(5.0 / 6.0), 1e-14);
    assert_close(c.loglik, -5.0 * log(5.0), 1e-14);

    assert_int_equal(itp_surv_km(&d, ITP_SURV_ALL, 5.0, 0.95, *state, &k), ITP_OK);
    assert_close(k.surv, 0.0, 0.0);
    assert_nan(k.se);
    assert_int_equal(k.ci_not_estimable, 1);
    assert_nan(k.lower);
    assert_close(k.median, 5.0, 0.0);
    assert_int_equal(k.median_lower_not_reached, 1);
    assert_int_equal(k.median_upper_not_reached, 1);

    /* two of the five censored at the tie: N = 5, d = 3, N1 = 2:
     * E = 6/5, V = 3 * 2 * 2 * 3 / (25 * 4) = 0.36; Breslow:
     * exp(beta) = d1 n0 / (d0 n1) = 3/4 (R: -0.28768207, se sqrt(1.5)) */
    d.event = some;
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_close(r.expected, 1.2, 1e-15);
    assert_close(r.variance, 0.36, 1e-15);
    assert_close(r.chisq, 0.04 / 0.36, 1e-14);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_BRESLOW, 0.95, *state, &c), ITP_OK);
    assert_close(c.beta, -0.28768207240810972, 1e-12);  /* R, same iterate */
    assert_close(c.beta, log(0.75), 1e-8);    /* stopped by the 1e-9 rule */
    assert_close(c.se, 1.2247448713826747, 1e-12);     /* R */
    assert_close(c.se, sqrt(1.5), 1e-8);
    assert_close(c.loglik, -4.7999142627806037, 1e-12);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_OK);
    assert_close(c.beta, -0.37238826775208772, 1e-9);   /* R coxph */
    assert_close(c.se, 1.2255187729220576, 1e-9);
    assert_close(c.loglik, -4.0464715568584087, 1e-12);
}

/* One subject per group: control dies at 1, experimental at 2. Log-rank:
 * at t = 1, N = 2, E = 1/2, V = 1/4; at t = 2 one at risk, E += 1, V += 0:
 * O = 1, E = 1.5, V = 0.25, z = -1 (R: chisq 1). Cox: monotone, beta -inf;
 * the control death at t = 1 then has conditional probability 1 and the
 * one at t = 2 is certain anyway, so the supremum of the log-likelihood is 0. */
static void test_one_per_group(void **state)
{
    const double t[2] = {1, 2};
    const int e[2] = {1, 1};
    const int g[2] = {0, 1};
    itp_surv_data d = data_of(2, t, e, g, NULL, 0);
    itp_logrank_result r;
    itp_cox_result c;
    itp_km_result k;

    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_close(r.observed, 1.0, 0.0);
    assert_close(r.expected, 1.5, 0.0);
    assert_close(r.variance, 0.25, 0.0);
    assert_close(r.z, -1.0, 0.0);
    assert_close(r.chisq, 1.0, 0.0);
    assert_close(r.p_one_sided, 0.15865525393145705, 1e-12);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_OK);
    assert_int_equal(c.monotone, 1);
    assert_true(c.hr == 0.0);
    assert_close(c.loglik, 0.0, 0.0);
    assert_close(c.loglik_null, -log(2.0), 1e-15);
    assert_int_equal(itp_surv_km(&d, 1, 2.0, 0.95, *state, &k), ITP_OK);
    assert_close(k.surv, 0.0, 0.0);
    assert_close(k.median, 2.0, 0.0);
}

/* Strata 0 and 2 used, stratum 1 empty: same answer as strata relabelled
 * 0 and 1, and different from the unstratified one. */
static void test_empty_stratum(void **state)
{
    int s3[NGEHAN], s2[NGEHAN];
    itp_surv_data d = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, s3, 3);
    itp_surv_data d2 = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, s2, 2);
    itp_logrank_result r3, r2, r0;
    itp_cox_result c3, c2, c0;
    size_t i;

    for (i = 0; i < NGEHAN; i++) {          /* alternate pairs */
        s2[i] = (int)(i % 2);
        s3[i] = 2 * s2[i];
    }
    assert_int_equal(itp_surv_logrank(&d, *state, &r3), ITP_OK);
    assert_int_equal(itp_surv_logrank(&d2, *state, &r2), ITP_OK);
    assert_true(r3.observed == r2.observed && r3.expected == r2.expected
                && r3.variance == r2.variance && r3.chisq == r2.chisq);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c3), ITP_OK);
    assert_int_equal(itp_surv_cox(&d2, ITP_COX_EFRON, 0.95, *state, &c2), ITP_OK);
    assert_true(c3.beta == c2.beta && c3.se == c2.se && c3.loglik == c2.loglik
                && c3.iterations == c2.iterations);

    d.stratum = NULL;
    assert_int_equal(itp_surv_logrank(&d, *state, &r0), ITP_OK);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c0), ITP_OK);
    assert_true(r0.variance != r3.variance && c0.beta != c3.beta);
    assert_true(c3.converged && !c3.monotone);
}

/* With no censoring the KM estimate is the empirical survival function
 * #{T > t} / n, and the median follows R's rule for a flat 0.5 stretch. */
static void test_km_no_censoring(void **state)
{
    const double t[10] = {7, 3, 3, 9, 1, 12, 5, 5, 5, 10};
    const int e[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    const int g[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    itp_surv_data d = data_of(10, t, e, g, NULL, 0);
    itp_km_result k;
    double u;

    for (u = 0.0; u <= 12.0; u += 0.5) {
        int i, above = 0;
        for (i = 0; i < 10; i++)
            above += t[i] > u;
        assert_int_equal(itp_surv_km(&d, 0, u, 0.95, *state, &k), ITP_OK);
        assert_close(k.surv, above / 10.0, 1e-14);
    }
    /* S = 0.9, 0.7, 0.4, ...: first S <= 0.5 at t = 5 */
    assert_close(k.median, 5.0, 0.0);

    /* R: survfit of 1, 2, 3, 4 all events: S = 0.5 on [2, 3), median
     * (2 + 3) / 2 = 2.5, CI [1, NA] */
    {
        const double t4[4] = {1, 2, 3, 4};
        const int c4[4] = {1, 1, 0, 0};
        d = data_of(4, t4, e, g, NULL, 0);
        assert_int_equal(itp_surv_km(&d, ITP_SURV_ALL, 2.0, 0.95, *state, &k), ITP_OK);
        assert_close(k.median, 2.5, 0.0);
        assert_close(k.median_lower, 1.0, 0.0);
        assert_int_equal(k.median_upper_not_reached, 1);
        /* censored at 3 and 4: S = 0.5 until the end, median (2 + 4) / 2 */
        d.event = c4;
        assert_int_equal(itp_surv_km(&d, ITP_SURV_ALL, 2.0, 0.95, *state, &k), ITP_OK);
        assert_close(k.median, 3.0, 0.0);
        assert_close(k.median_lower, 1.0, 0.0);
    }
}

/* R's conventions at S(t) = 1 and beyond the data, for 1+, 2, 3, 3+:
 * before the first time interval [1, 1]; from the first (censored) time to
 * the first event NA; past the last time no estimate. */
static void test_km_edges(void **state)
{
    const double t[4] = {1, 2, 3, 3};
    const int e[4] = {0, 1, 1, 0};
    const int g[4] = {1, 1, 1, 1};
    itp_surv_data d = data_of(4, t, e, g, NULL, 0);
    itp_km_result k;

    assert_int_equal(itp_surv_km(&d, 1, 0.5, 0.95, *state, &k), ITP_OK);
    assert_true(k.surv == 1.0 && k.se == 0.0 && k.lower == 1.0 && k.upper == 1.0);
    assert_int_equal(k.ci_not_estimable, 0);
    assert_int_equal(itp_surv_km(&d, 1, 1.5, 0.95, *state, &k), ITP_OK);
    assert_true(k.surv == 1.0 && k.se == 0.0);
    assert_int_equal(k.ci_not_estimable, 1);
    assert_nan(k.lower);
    assert_nan(k.upper);
    assert_int_equal(itp_surv_km(&d, 1, 2.0, 0.95, *state, &k), ITP_OK);
    assert_close(k.surv, 2.0 / 3.0, 1e-15);
    assert_close(k.se, 0.272165526975908678, REL);       /* R summary() */
    assert_close(k.lower, 0.054073426786516755, REL);
    assert_close(k.upper, 0.945206387272046977, REL);
    assert_int_equal(itp_surv_km(&d, 1, 3.0, 0.95, *state, &k), ITP_OK);
    assert_int_equal(k.surv_not_estimable, 0);
    assert_int_equal(itp_surv_km(&d, 1, 3.5, 0.95, *state, &k), ITP_OK);
    assert_int_equal(k.surv_not_estimable, 1);
    assert_int_equal(k.surv_zero_before, 0);    /* censored at 3 with S = 1/3 */
    assert_nan(k.surv);
    {
        /* 1+, 2, 3, 3: the curve falls to 0 at 3; past it R still omits
         * the row (not estimable) but S = 0 is known: surv_zero_before */
        const int e0[4] = {0, 1, 1, 1};
        itp_surv_data z = data_of(4, t, e0, g, NULL, 0);
        assert_int_equal(itp_surv_km_point(&z, 1, 3.0, *state, &k), ITP_OK);
        assert_true(k.surv == 0.0 && !k.surv_not_estimable && !k.surv_zero_before);
        assert_int_equal(itp_surv_km_point(&z, 1, 12.0, *state, &k), ITP_OK);
        assert_int_equal(k.surv_not_estimable, 1);
        assert_int_equal(k.surv_zero_before, 1);
    }
    /* the control group is empty */
    assert_int_equal(itp_surv_km(&d, 0, 1.0, 0.95, *state, &k), ITP_OK);
    assert_int_equal(k.surv_not_estimable, 1);
    assert_int_equal(k.median_not_reached, 1);
    assert_close(k.n, 0.0, 0.0);
}

/* ---- Fleming-Harrington G(rho, gamma) --------------------------------------- */

/* G(0, 0) is the log-rank test bit for bit: on the 6-MP data, on three
 * strata of simulated tied data, and from a shared table. */
static void test_fh_is_logrank(void **state)
{
    enum { N = 300 };
    double t[N];
    int e[N], g[N], s[N];
    itp_surv_data d = data_of(NGEHAN, gehan_time, gehan_event, gehan_group, NULL, 0);
    itp_logrank_result lr;
    itp_fh_result fh;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int k, i;

    assert_non_null(rng);
    gsl_rng_set(rng, 7UL);
    for (k = 0; k < 2; k++) {
        if (k == 1) {
            for (i = 0; i < N; i++) {
                g[i] = i % 2;
                s[i] = i % 3;
                t[i] = ceil(gsl_ran_exponential(rng, g[i] ? 12.0 : 8.0));
                e[i] = gsl_rng_uniform(rng) < 0.8;
            }
            d = data_of(N, t, e, g, s, 3);
        }
        assert_int_equal(itp_surv_logrank(&d, *state, &lr), ITP_OK);
        assert_int_equal(itp_surv_fh(&d, 0.0, 0.0, *state, &fh), ITP_OK);
        assert_true(fh.observed == lr.observed && fh.expected == lr.expected);
        assert_true(fh.variance == lr.variance && fh.z == lr.z && fh.chisq == lr.chisq);
        assert_true(fh.p_one_sided == lr.p_one_sided && fh.p_two_sided == lr.p_two_sided);
        assert_int_equal(fh.not_estimable, lr.not_estimable);
        /* from the table a log-rank call left */
        assert_int_equal(itp_surv_fh_table(&((itp_surv_workspace *)*state)->tab, 0.0, 0.0, &fh),
                         ITP_OK);
        assert_true(fh.z == lr.z && fh.variance == lr.variance);
    }
    gsl_rng_free(rng);
}

/* Six patients worked out by hand: control 2, 3, 5; experimental 3, 8,
 * 8+. Event times with N (N1) at risk, d (d1) events, the pooled S(t-):
 *   t = 2: 6 (3), 1 (0), S = 1;    d1 - d N1/N = -1/2, V_t = 1/4
 *   t = 3: 5 (3), 2 (1), S = 5/6;  -1/5, 9/25
 *   t = 5: 3 (2), 1 (0), S = 1/2;  -2/3, 2/9
 *   t = 8: 2 (2), 1 (1), S = 1/3;  0, 0
 * log-rank: O - E = -41/30, V = 749/900;
 * G(1, 0), w = S:     O - E = -1, V = 5/9, z = -3/sqrt(5);
 * G(0, 1), w = 1 - S: O - E = -11/30, V = 59/900, z = -11/sqrt(59). */
static void test_fh_by_hand(void **state)
{
    const double t[6] = {2, 3, 3, 5, 8, 8};
    const int e[6] = {1, 1, 1, 1, 1, 0}, g[6] = {0, 1, 0, 0, 1, 1};
    itp_surv_data d = data_of(6, t, e, g, NULL, 0);
    itp_fh_result fh;

    assert_int_equal(itp_surv_fh(&d, 0.0, 0.0, *state, &fh), ITP_OK);
    assert_close(fh.observed - fh.expected, -41.0 / 30.0, 1e-14);
    assert_close(fh.variance, 749.0 / 900.0, 1e-14);
    assert_int_equal(itp_surv_fh(&d, 1.0, 0.0, *state, &fh), ITP_OK);
    assert_close(fh.observed - fh.expected, -1.0, 1e-14);
    assert_close(fh.variance, 5.0 / 9.0, 1e-14);
    assert_close(fh.z, -3.0 / sqrt(5.0), 1e-14);
    assert_close(fh.p_one_sided, gsl_cdf_ugaussian_P(-3.0 / sqrt(5.0)), 1e-14);
    assert_int_equal(itp_surv_fh(&d, 0.0, 1.0, *state, &fh), ITP_OK);
    assert_close(fh.observed - fh.expected, -11.0 / 30.0, 1e-14);
    assert_close(fh.variance, 59.0 / 900.0, 1e-14);
    assert_close(fh.z, -11.0 / sqrt(59.0), 1e-14);
    assert_close(fh.chisq, 121.0 / 59.0, 1e-14);
    assert_true(fh.rho == 0.0 && fh.gamma == 1.0 && !fh.not_estimable);

    /* two strata, each with its own pooled curve: the sums add up */
    {
        const double t2[12] = {2, 3, 3, 5, 8, 8, 2, 3, 3, 5, 8, 8};
        const int e2[12] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0};
        const int g2[12] = {0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1};
        const int s2[12] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
        itp_surv_data d2 = data_of(12, t2, e2, g2, s2, 2);
        assert_int_equal(itp_surv_fh(&d2, 0.0, 1.0, *state, &fh), ITP_OK);
        assert_close(fh.observed - fh.expected, -22.0 / 30.0, 1e-14);
        assert_close(fh.variance, 118.0 / 900.0, 1e-14);
    }
}

/* Both groups with the same times and events: every time's O - E is 0,
 * whatever the weights, and so is the RMST difference. */
static void test_symmetric_data(void **state)
{
    const double t[12] = {1, 1, 4, 4, 6, 6, 6, 6, 9, 9, 12, 12};
    const int e[12] = {1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0};
    const int g[12] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    const double rg[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    itp_surv_data d = data_of(12, t, e, g, NULL, 0);
    itp_fh_result fh;
    itp_rmst_result rm;
    int k;

    for (k = 0; k < 4; k++) {
        assert_int_equal(itp_surv_fh(&d, rg[k][0], rg[k][1], *state, &fh), ITP_OK);
        assert_true(fh.observed - fh.expected == 0.0 && fh.z == 0.0 && fh.variance > 0.0);
        assert_close(fh.p_two_sided, 1.0, 1e-15);
    }
    assert_int_equal(itp_surv_rmst(&d, 10.0, 0.95, *state, &rm), ITP_OK);
    assert_true(rm.diff == 0.0 && rm.z == 0.0 && rm.rmst[0] == rm.rmst[1]);
    assert_close(rm.p_one_sided, 0.5, 1e-15);
    assert_close(rm.lower, -rm.upper, 1e-15);
}

/* Weights 0 at every event time (gamma > 0, each stratum's events all at
 * its first event time): no information, flagged as the log-rank's V = 0. */
static void test_fh_no_information(void **state)
{
    const double t[6] = {2, 2, 2, 5, 5, 5};
    const int e[6] = {1, 1, 0, 0, 0, 0}, g[6] = {0, 1, 0, 1, 0, 1};
    itp_surv_data d = data_of(6, t, e, g, NULL, 0);
    itp_fh_result fh;

    assert_int_equal(itp_surv_fh(&d, 0.0, 1.0, *state, &fh), ITP_OK);
    assert_int_equal(fh.not_estimable, 1);
    assert_true(fh.z == 0.0 && fh.p_one_sided == 1.0 && fh.p_two_sided == 1.0);
    assert_int_equal(itp_surv_fh(&d, 1.0, 0.0, *state, &fh), ITP_OK);
    assert_int_equal(fh.not_estimable, 0);
}

/* ---- restricted mean survival time ---------------------------------------- */

/* One arm without censoring: the area under the empirical survival function
 * is the mean of min(T, tau), and the variance sum is the sample variance
 * of min(T, tau) with divisor n, over n. The control group is empty. */
static void test_rmst_no_censoring(void **state)
{
    const double t[8] = {2, 3, 3, 5, 8, 8, 12, 15};
    const int e[8] = {1, 1, 1, 1, 1, 1, 1, 1}, g[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const double taus[4] = {1.0, 5.0, 10.0, 20.0};
    itp_surv_data d = data_of(8, t, e, g, NULL, 0);
    itp_rmst_result rm;
    int k, i;

    for (k = 0; k < 4; k++) {
        double mean = 0.0, ss = 0.0;
        for (i = 0; i < 8; i++)
            mean += fmin(t[i], taus[k]) / 8.0;
        for (i = 0; i < 8; i++)
            ss += (fmin(t[i], taus[k]) - mean) * (fmin(t[i], taus[k]) - mean);
        assert_int_equal(itp_surv_rmst(&d, taus[k], 0.95, *state, &rm), ITP_OK);
        assert_close(rm.rmst[1], mean, 1e-14);
        if (ss > 0.0)
            assert_close(rm.se[1] * rm.se[1], ss / 64.0, 1e-13);
        else
            assert_true(rm.se[1] == 0.0);
        /* the curve falls to 0 at 15: defined for any tau, never extended */
        assert_int_equal(rm.extended[1], 0);
        assert_int_equal(rm.not_estimable, 1);
        assert_nan(rm.rmst[0]);
        assert_nan(rm.diff);
        assert_true(rm.p_one_sided == 1.0 && rm.p_two_sided == 1.0);
    }
    assert_close(rm.rmst[1], 7.0, 1e-15);                 /* tau 20: the plain mean */
}

/* The six patients of test_fh_by_hand, tau = 6. Control 2, 3, 5, all
 * events: RMST 10/3 (the mean), Var 8/27 + 2/9 = 14/27. Experimental 3, 8,
 * 8+: S = 2/3 from 3, RMST 3 + 3 (2/3) = 5, Var (area 3..6 = 2)^2 / (3 x 2)
 * = 2/3. Difference 5/3, se sqrt(32/27). At tau = 10 the experimental
 * curve (1/3 after 8, the last time censored) is carried flat from 8:
 * RMST 3 + 5 (2/3) + 2 (1/3) = 7, flagged; the control's fell to 0 at 5. */
static void test_rmst_by_hand(void **state)
{
    const double t[6] = {2, 3, 3, 5, 8, 8};
    const int e[6] = {1, 1, 1, 1, 1, 0}, g[6] = {0, 1, 0, 0, 1, 1};
    itp_surv_data d = data_of(6, t, e, g, NULL, 0);
    itp_rmst_result rm;
    double se = sqrt(32.0 / 27.0), zq = gsl_cdf_ugaussian_Pinv(0.975);

    assert_int_equal(itp_surv_rmst(&d, 6.0, 0.95, *state, &rm), ITP_OK);
    assert_close(rm.rmst[0], 10.0 / 3.0, 1e-15);
    assert_close(rm.rmst[1], 5.0, 1e-15);
    assert_close(rm.se[0], sqrt(14.0 / 27.0), 1e-15);
    assert_close(rm.se[1], sqrt(2.0 / 3.0), 1e-15);
    assert_close(rm.diff, 5.0 / 3.0, 1e-15);
    assert_close(rm.se_diff, se, 1e-15);
    assert_close(rm.z, 5.0 / 3.0 / se, 1e-14);
    assert_close(rm.lower, 5.0 / 3.0 - zq * se, 1e-14);
    assert_close(rm.upper, 5.0 / 3.0 + zq * se, 1e-14);
    assert_close(rm.p_one_sided, gsl_cdf_ugaussian_Q(5.0 / 3.0 / se), 1e-14);
    assert_close(rm.p_two_sided, 2.0 * gsl_cdf_ugaussian_Q(5.0 / 3.0 / se), 1e-12);
    assert_true(rm.tmax[0] == 5.0 && rm.tmax[1] == 8.0);
    assert_true(!rm.extended[0] && !rm.extended[1] && !rm.not_estimable && !rm.no_test);
    /* at tau = 8, the last time itself: defined */
    assert_int_equal(itp_surv_rmst(&d, 8.0, 0.95, *state, &rm), ITP_OK);
    assert_close(rm.rmst[1], 3.0 + 5.0 * 2.0 / 3.0, 1e-15);
    assert_int_equal(rm.extended[1], 0);
    assert_int_equal(itp_surv_rmst(&d, 10.0, 0.95, *state, &rm), ITP_OK);
    assert_close(rm.rmst[0], 10.0 / 3.0, 1e-15);
    assert_close(rm.rmst[1], 7.0, 1e-15);
    assert_true(!rm.extended[0] && rm.extended[1]);
    /* before the first event: both areas tau, variance 0, no test */
    assert_int_equal(itp_surv_rmst(&d, 1.5, 0.95, *state, &rm), ITP_OK);
    assert_true(rm.rmst[0] == 1.5 && rm.rmst[1] == 1.5 && rm.se_diff == 0.0);
    assert_int_equal(rm.no_test, 1);
    assert_nan(rm.z);
    assert_nan(rm.lower);
    assert_true(rm.p_one_sided == 1.0 && rm.p_two_sided == 1.0);
    /* strata are ignored */
    {
        const int s[6] = {0, 1, 1, 0, 0, 1};
        itp_rmst_result r2;
        d.stratum = s;
        d.nstrata = 2;
        assert_int_equal(itp_surv_rmst(&d, 6.0, 0.95, *state, &r2), ITP_OK);
        assert_close(r2.diff, 5.0 / 3.0, 1e-15);
    }
}

static void test_rmst_fh_bad_input(void **state)
{
    const double t[4] = {1, 2, 3, 4};
    double tn[4] = {1, -2, 3, 4};
    const int e[4] = {1, 0, 1, 1}, g[4] = {0, 1, 0, 1};
    itp_surv_data d = data_of(4, t, e, g, NULL, 0);
    itp_rmst_result rm;
    itp_fh_result fh;

    assert_int_equal(itp_surv_rmst(&d, 0.0, 0.95, *state, &rm), ITP_EINPUT);
    assert_int_equal(itp_surv_rmst(&d, -1.0, 0.95, *state, &rm), ITP_EINPUT);
    assert_int_equal(itp_surv_rmst(&d, HUGE_VAL, 0.95, *state, &rm), ITP_EINPUT);
    assert_int_equal(itp_surv_rmst(&d, 2.0, 1.0, *state, &rm), ITP_EINPUT);
    assert_int_equal(itp_surv_rmst(&d, 2.0, 0.95, *state, NULL), ITP_EINPUT);
    assert_int_equal(itp_surv_fh(&d, -1.0, 0.0, *state, &fh), ITP_EINPUT);
    assert_int_equal(itp_surv_fh(&d, 0.0, (double)NAN, *state, &fh), ITP_EINPUT);
    assert_int_equal(itp_surv_fh(&d, HUGE_VAL, 0.0, *state, &fh), ITP_EINPUT);
    assert_int_equal(itp_surv_fh_table(NULL, 0.0, 0.0, &fh), ITP_EINPUT);
    d.time = tn;                                          /* a negative time */
    assert_int_equal(itp_surv_rmst(&d, 2.0, 0.95, *state, &rm), ITP_EINPUT);
    assert_int_equal(itp_surv_fh(&d, 0.0, 1.0, *state, &fh), ITP_OK);
}

/* Without ties Efron and Breslow coincide; order of input does not matter. */
static void test_no_ties_and_order(void **state)
{
    double t[NGEHAN], t2[NGEHAN];
    int e2[NGEHAN], g2[NGEHAN];
    itp_surv_data d = data_of(NGEHAN, t, gehan_event, gehan_group, NULL, 0);
    itp_surv_data d2 = data_of(NGEHAN, t2, e2, g2, NULL, 0);
    itp_cox_result ce, cb, c2;
    itp_logrank_result r, r2;
    size_t i;

    for (i = 0; i < NGEHAN; i++)
        t[i] = gehan_time[i] + 0.001 * (double)i;       /* break the ties */
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &ce), ITP_OK);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_BRESLOW, 0.95, *state, &cb), ITP_OK);
    assert_close(ce.beta, cb.beta, 1e-14);
    assert_close(ce.loglik, cb.loglik, 1e-14);

    for (i = 0; i < NGEHAN; i++) {                     /* reversed order */
        t2[i] = gehan_time[NGEHAN - 1 - i];
        e2[i] = gehan_event[NGEHAN - 1 - i];
        g2[i] = gehan_group[NGEHAN - 1 - i];
    }
    d.time = gehan_time;
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    assert_int_equal(itp_surv_logrank(&d2, *state, &r2), ITP_OK);
    assert_close(r2.chisq, r.chisq, 1e-14);
    assert_int_equal(itp_surv_cox(&d2, ITP_COX_EFRON, 0.95, *state, &c2), ITP_OK);
    assert_close(c2.beta, -1.5721251488290662, REL);
}

static void test_bad_input(void **state)
{
    double t[3] = {1, 2, 3};
    int e[3] = {1, 0, 1}, g[3] = {0, 1, 0}, s[3] = {0, 1, 0};
    itp_surv_data d = data_of(3, t, e, g, s, 2);
    itp_surv_workspace *small = NULL, *none = NULL;
    itp_logrank_result r;
    itp_cox_result c;
    itp_km_result k;

    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
    e[1] = 2;
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_EINPUT);
    e[1] = 0;
    g[2] = -1;
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_EINPUT);
    g[2] = 0;
    s[0] = 2;
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_EINPUT);
    s[0] = 0;
    t[0] = (double)NAN;
    assert_int_equal(itp_surv_km(&d, 0, 1.0, 0.95, *state, &k), ITP_EINPUT);
    t[0] = HUGE_VAL;
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_EINPUT);
    t[0] = 1.0;
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 1.0, *state, &c), ITP_EINPUT);
    assert_int_equal(itp_surv_cox(&d, (itp_cox_ties)7, 0.95, *state, &c), ITP_EINPUT);
    assert_int_equal(itp_surv_km(&d, 2, 1.0, 0.95, *state, &k), ITP_EINPUT);
    assert_int_equal(itp_surv_km(&d, 0, (double)NAN, 0.95, *state, &k), ITP_EINPUT);
    assert_int_equal(itp_surv_km(&d, 0, 1.0, 0.0, *state, &k), ITP_EINPUT);
    d.nstrata = 0;
    assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_EINPUT);
    d.nstrata = 2;
    assert_int_equal(itp_surv_logrank(NULL, *state, &r), ITP_EINPUT);
    assert_int_equal(itp_surv_logrank(&d, *state, NULL), ITP_EINPUT);

    assert_int_equal(itp_surv_workspace_create(&small, 2), ITP_OK);
    assert_int_equal(itp_surv_logrank(&d, small, &r), ITP_ERANGE);
    d.n = 2;
    assert_int_equal(itp_surv_logrank(&d, small, &r), ITP_OK);
    itp_surv_workspace_free(small);
    itp_surv_workspace_free(NULL);
    assert_int_equal(itp_surv_workspace_create(NULL, 2), ITP_EINPUT);

    /* no subjects at all */
    assert_int_equal(itp_surv_workspace_create(&none, 0), ITP_OK);
    d.n = 0;
    assert_int_equal(itp_surv_logrank(&d, none, &r), ITP_OK);
    assert_int_equal(r.not_estimable, 1);
    assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, none, &c), ITP_OK);
    assert_int_equal(c.not_estimable, 1);
    assert_int_equal(itp_surv_km(&d, ITP_SURV_ALL, 1.0, 0.95, none, &k), ITP_OK);
    assert_int_equal(k.surv_not_estimable, 1);
    itp_surv_workspace_free(none);
}

/* Under H0 (equal exponential hazards, administrative censoring) the
 * one-sided tests at 0.025 reject at rate 0.025; tolerance 5 Monte Carlo
 * standard errors, sqrt(0.025 * 0.975 / R). */
static void test_size_under_null(void **state)
{
    enum { R = 4000, N = 120 };
    double t[N];
    int e[N], g[N], s[N];
    itp_surv_data d = data_of(N, t, e, g, s, 2);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double tol = 5.0 * sqrt(0.025 * 0.975 / R);
    int rep, rej_lr = 0, rej_cox = 0, rej_fh = 0, rej_rmst = 0, i;

    assert_non_null(rng);
    gsl_rng_set(rng, 20240611UL);
    for (rep = 0; rep < R; rep++) {
        itp_logrank_result r;
        itp_cox_result c;
        itp_fh_result fh;
        itp_rmst_result rm;
        for (i = 0; i < N; i++) {
            double x;
            g[i] = i % 2;
            s[i] = (i / 2) % 2;
            x = gsl_ran_exponential(rng, s[i] ? 10.0 : 20.0);
            e[i] = x <= 15.0;
            t[i] = ceil((e[i] ? x : 15.0) * 4.0) / 4.0;   /* ties */
        }
        assert_int_equal(itp_surv_logrank(&d, *state, &r), ITP_OK);
        assert_int_equal(itp_surv_cox(&d, ITP_COX_EFRON, 0.95, *state, &c), ITP_OK);
        assert_int_equal(c.converged, 1);
        assert_int_equal(itp_surv_fh(&d, 0.0, 1.0, *state, &fh), ITP_OK);
        assert_int_equal(itp_surv_rmst(&d, 12.0, 0.95, *state, &rm), ITP_OK);
        assert_true(!rm.extended[0] && !rm.extended[1]);
        rej_lr += r.p_one_sided < 0.025;
        rej_cox += c.p_one_sided < 0.025;
        rej_fh += fh.p_one_sided < 0.025;
        rej_rmst += rm.p_one_sided < 0.025;
    }
    gsl_rng_free(rng);
    print_message("size at 0.025: log-rank %.4f, Cox %.4f, G(0,1) %.4f, RMST(12) %.4f\n",
                  rej_lr / (double)R, rej_cox / (double)R, rej_fh / (double)R,
                  rej_rmst / (double)R);
    assert_true(fabs(rej_lr / (double)R - 0.025) < tol);
    assert_true(fabs(rej_cox / (double)R - 0.025) < tol);
    assert_true(fabs(rej_fh / (double)R - 0.025) < tol);
    assert_true(fabs(rej_rmst / (double)R - 0.025) < tol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gehan_logrank),
        cmocka_unit_test(test_gehan_cox),
        cmocka_unit_test(test_gehan_km),
        cmocka_unit_test(test_shared_table_and_point),
        cmocka_unit_test(test_cox_monotone),
        cmocka_unit_test(test_no_information),
        cmocka_unit_test(test_all_times_tied),
        cmocka_unit_test(test_one_per_group),
        cmocka_unit_test(test_empty_stratum),
        cmocka_unit_test(test_km_no_censoring),
        cmocka_unit_test(test_km_edges),
        cmocka_unit_test(test_no_ties_and_order),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_fh_is_logrank),
        cmocka_unit_test(test_fh_by_hand),
        cmocka_unit_test(test_symmetric_data),
        cmocka_unit_test(test_fh_no_information),
        cmocka_unit_test(test_rmst_no_censoring),
        cmocka_unit_test(test_rmst_by_hand),
        cmocka_unit_test(test_rmst_fh_bad_input),
        cmocka_unit_test(test_size_under_null),
    };
    return cmocka_run_group_tests_name("survival", tests, setup, teardown);
}
