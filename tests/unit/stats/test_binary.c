/* Known answers for the binary-endpoint tests (include/itpsim/binary.h).
 *
 * Sources of the expected values:
 *  - Fisher's tea-tasting table (Fisher, The Design of Experiments, 1935;
 *    Agresti 2013, table 3.9): 3 of 4 and 1 of 4, P(A >= 3) = 17/70 and the
 *    two-sided p = 34/70. Odds-ratio MLE and CI: R's fisher.test algorithm
 *    with uniroot tightened to 1e-15 (tests/reference/binary_reference.R);
 *    fisher.test itself prints 6.408309, 0.2117329 and 621.9338 because its
 *    root search stops at ~1e-4 in psi or 1/psi.
 *  - Penicillin and rabbits (Rabbits) and UCBAdmissions, the examples of R's
 *    ?mantelhaen.test, with correct = FALSE; R 4.2.2.
 *  - Mendel's peas, 682 of 925 against 3/4, the example of R's ?binom.test;
 *    R 4.2.2. Clopper-Pearson at x = 0 and x = n in closed form.
 *  - 30/50 against 18/50 through chisq.test, prop.test and fisher.test in
 *    R 4.2.2.
 * Degenerate tables check the flags documented in binary.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "itpsim/binary.h"

/* |got - want| <= tol * |want| (or <= tol when want is 0). */
static void check_rel(double got, double want, double tol, const char *what)
{
    double scale = want != 0.0 ? fabs(want) : 1.0;
    if (!(fabs(got - want) <= tol * scale)) {
        print_error("%s: got %.17g, want %.17g\n", what, got, want);
        fail();
    }
}

static itp_binary_counts counts(size_t k, const unsigned int *x0,
                                const unsigned int *n0, const unsigned int *x1,
                                const unsigned int *n1)
{
    itp_binary_counts c;
    c.nstrata = k;
    c.x0 = x0; c.n0 = n0; c.x1 = x1; c.n1 = n1;
    return c;
}

/* No NaN unless NOT_ESTIMABLE says so; p-values in [0, 1]. */
static void check_sane(const itp_binary_result *r)
{
    assert_false(isnan(r->statistic));
    assert_false(isnan(r->z));
    assert_true(r->p_greater >= 0.0 && r->p_greater <= 1.0);
    assert_true(r->p_two_sided >= 0.0 && r->p_two_sided <= 1.0);
    if (!(r->flags & ITP_BINARY_NOT_ESTIMABLE)) {
        assert_false(isnan(r->estimate));
        assert_false(isnan(r->ci_lower));
        assert_false(isnan(r->ci_upper));
        assert_true(r->ci_lower <= r->estimate);
        assert_true(r->estimate <= r->ci_upper);
    }
}

static void test_fisher_tea(void **state)
{
    unsigned int x0[] = {1}, n0[] = {4}, x1[] = {3}, n1[] = {4};
    itp_binary_counts c = counts(1, x0, n0, x1, n1);
    itp_binary_result r;
    (void)state;

    assert_int_equal(itp_binary_fisher(&c, 0.95, &r), ITP_OK);
    check_sane(&r);
    assert_int_equal(r.flags, 0);
    check_rel(r.p_greater, 17.0 / 70.0, 1e-12, "one-sided");
    check_rel(r.p_two_sided, 34.0 / 70.0, 1e-12, "two-sided");
    check_rel(r.statistic, 3.0, 0.0, "statistic");
    check_rel(r.estimate, 6.4083196581996713, 1e-9, "conditional MLE");
    check_rel(r.ci_lower, 0.21173559544657847, 1e-9, "CI lower");
    check_rel(r.ci_upper, 626.24353058881354, 1e-9, "CI upper");
    /* and within fisher.test's own (coarse) root-search accuracy */
    check_rel(r.estimate, 6.40830886700578795, 1e-5, "fisher.test MLE");
}

static void test_fisher_tails_complement(void **state)
{
    /* P(A >= a) for experimental higher equals 1 - P(A >= a') + P(A = a)
     * after swapping the arms; check P(A>=a) + P(A<=a) - P(A=a) = 1 through
     * the swapped table's one-sided p-value. */
    unsigned int x0[] = {7}, n0[] = {25}, x1[] = {13}, n1[] = {22};
    itp_binary_counts c = counts(1, x0, n0, x1, n1);
    itp_binary_counts s = counts(1, x1, n1, x0, n0);
    itp_binary_result r, q;
    double p_obs;
    (void)state;

    assert_int_equal(itp_binary_fisher(&c, 0.95, &r), ITP_OK);
    assert_int_equal(itp_binary_fisher(&s, 0.95, &q), ITP_OK);
    /* P(A = 13) by hand: C(20,13) C(27,9) / C(47,22) */
    p_obs = exp(lgamma(21) - lgamma(14) - lgamma(8) + lgamma(28) - lgamma(10)
                - lgamma(19) - lgamma(48) + lgamma(23) + lgamma(26));
    check_rel(r.p_greater + q.p_greater - p_obs, 1.0, 1e-10, "tails");
    check_rel(r.p_two_sided, q.p_two_sided, 1e-12, "two-sided symmetric");
    check_rel(r.estimate * q.estimate, 1.0, 1e-9, "odds ratio inverts");
    check_rel(r.ci_lower * q.ci_upper, 1.0, 1e-9, "CI inverts");
}

static void test_fisher_and_chisq_r(void **state)
{
    unsigned int x0[] = {18}, n0[] = {50}, x1[] = {30}, n1[] = {50};
    itp_binary_counts c = counts(1, x0, n0, x1, n1);
    itp_binary_result r;
    (void)state;

    assert_int_equal(itp_binary_fisher(&c, 0.95, &r), ITP_OK);
    check_rel(r.p_two_sided, 0.027184075121116143, 1e-9, "fisher two-sided");
    check_rel(r.p_greater, 0.013592037560558025, 1e-9, "fisher greater");
    check_rel(r.estimate, 2.639547225405239672, 1e-4, "fisher MLE");

    assert_int_equal(itp_binary_chisq(&c, 0.95, &r), ITP_OK);
    check_sane(&r);
    assert_int_equal(r.flags, 0);
    check_rel(r.statistic, 5.7692307692307691624, 1e-12, "chisq");
    check_rel(r.p_two_sided, 0.0163091718777549875, 1e-10, "chisq p");
    check_rel(r.p_greater, 0.0081545859388774903, 1e-10, "prop.test greater");
    check_rel(r.z, sqrt(5.7692307692307691624), 1e-12, "signed z");
    check_rel(r.estimate, 0.24, 1e-12, "risk difference");
    check_rel(r.ci_lower, 0.0498935966752031834, 1e-10, "Wald lower");
    check_rel(r.ci_upper, 0.4301064033247967711, 1e-10, "Wald upper");

    assert_int_equal(itp_binary_rd_wald(&c, 0.95, &r), ITP_OK);
    check_rel(r.ci_lower, 0.0498935966752031834, 1e-10, "rd_wald lower");
    check_rel(r.z, 0.24 / sqrt(0.6 * 0.4 / 50 + 0.36 * 0.64 / 50), 1e-12,
              "Wald z");
}

/* Complete separation, 10/10 vs 0/10: the Wald SE is 0 (the old p was 1);
 * the score z with the pooled variance, pbar = 1/2: z = 1 / sqrt(1/4 *
 * 2/10) = sqrt(20), as R's prop.test(c(10, 0), c(10, 10), correct = FALSE):
 * X-squared 20, p 7.7442164310440858e-06, "greater" 3.872108215522037e-06.
 * The arms swapped give -z and the same two-sided p. */
static void test_rd_separation_score(void **state)
{
    unsigned int x0[] = {0}, n0[] = {10}, x1[] = {10}, n1[] = {10};
    itp_binary_counts c = counts(1, x0, n0, x1, n1), s = counts(1, x1, n1, x0, n0);
    itp_binary_result r, q, ch;
    (void)state;

    assert_int_equal(itp_binary_rd_wald(&c, 0.95, &r), ITP_OK);
    assert_int_equal(r.flags, ITP_BINARY_CI_DEGENERATE | ITP_BINARY_SCORE_TEST);
    check_rel(r.z, sqrt(20.0), 1e-12, "score z");
    check_rel(r.statistic, r.z, 0.0, "statistic is z");
    check_rel(r.p_two_sided, 7.7442164310440858e-06, 1e-9, "prop.test p");
    check_rel(r.p_greater, 3.872108215522037e-06, 1e-9, "prop.test greater");
    assert_int_equal(itp_binary_chisq(&c, 0.95, &ch), ITP_OK);
    check_rel(r.z * r.z, ch.statistic, 1e-12, "z^2 = Pearson X^2");
    assert_int_equal(itp_binary_rd_newcombe(&c, 0.95, &q), ITP_OK);
    check_rel(q.p_two_sided, r.p_two_sided, 0.0, "newcombe: the same z test");
    assert_int_equal(itp_binary_rd_wald(&s, 0.95, &q), ITP_OK);
    check_rel(q.z, -sqrt(20.0), 1e-12, "swapped");
    check_rel(q.p_two_sided, r.p_two_sided, 1e-12, "swapped two-sided");
    assert_true(q.p_greater > 0.999);
}

/* Newcombe (Stat Med 1998) method 10, his example (a) 56/70 vs 48/80:
 * 0.0524 to 0.3339 in his Table II. To more digits by hand in R: the
 * Wilson limits (l1, u1) of 56/70 and (l0, u0) of 48/80 from
 * prop.test(correct = FALSE)$conf.int, then d - sqrt((p1 - l1)^2 +
 * (u0 - p0)^2) = 0.052431472402364926 and d + sqrt((u1 - p1)^2 +
 * (p0 - l0)^2) = 0.333872654036905858. rd_wald's interval differs. */
static void test_newcombe_example(void **state)
{
    unsigned int x0[] = {48}, n0[] = {80}, x1[] = {56}, n1[] = {70};
    itp_binary_counts c = counts(1, x0, n0, x1, n1);
    itp_binary_result r, w;
    (void)state;

    assert_int_equal(itp_binary_rd_newcombe(&c, 0.95, &r), ITP_OK);
    assert_int_equal(r.flags, 0);
    check_rel(r.estimate, 0.2, 1e-12, "difference");
    check_rel(r.ci_lower, 0.052431472402364926, 1e-10, "Newcombe lower");
    check_rel(r.ci_upper, 0.333872654036905858, 1e-10, "Newcombe upper");
    assert_true(fabs(r.ci_lower - 0.0524) < 5e-5 && fabs(r.ci_upper - 0.3339) < 5e-5);
    assert_int_equal(itp_binary_rd_wald(&c, 0.95, &w), ITP_OK);
    check_rel(w.z, r.z, 0.0, "same z test");
    assert_true(fabs(w.ci_lower - r.ci_lower) > 1e-3);
}

/* The Mantel-Haenszel common risk difference, three strata
 * (8/20 vs 4/18, 5/15 vs 3/16, 12/30 vs 9/29), against R's metafor 4
 * rma.mh(ai, n1i, ci, n2i, measure = "RD"): estimate 0.1293835363602805,
 * se 0.0813942174517350, CI -0.0301461983949416 to 0.2889132711155027
 * (the same as the Sato formula summed in R by hand). By hand: W = sum
 * n1 n0 / N = 360/38 + 240/31 + 870/59; one stratum alone gives the
 * Wald interval; an empty arm's stratum has weight 0. */
static void test_mh_risk_difference(void **state)
{
    unsigned int x1[] = {8, 5, 12}, n1[] = {20, 15, 30}, x0[] = {4, 3, 9}, n0[] = {18, 16, 29};
    itp_binary_counts c = counts(3, x0, n0, x1, n1);
    itp_binary_result r, w;
    double W = 360.0 / 38 + 240.0 / 31 + 870.0 / 59;
    double num = (8.0 * 18 - 4.0 * 20) / 38 + (5.0 * 16 - 3.0 * 15) / 31 + (12.0 * 29 - 9.0 * 30) / 59;
    (void)state;

    assert_int_equal(itp_binary_mh_rd(&c, 0.95, &r), ITP_OK);
    check_rel(r.estimate, num / W, 1e-12, "RD_MH by hand");
    check_rel(r.estimate, 0.1293835363602805, 1e-10, "metafor estimate");
    check_rel(r.ci_lower, -0.0301461983949416, 1e-9, "metafor lower");
    check_rel(r.ci_upper, 0.2889132711155027, 1e-9, "metafor upper");
    assert_true(r.flags & ITP_BINARY_NO_TEST);
    /* not the crude pooled difference 25/65 - 16/63 */
    assert_true(fabs(r.estimate - (25.0 / 65 - 16.0 / 63)) > 1e-3);
    {
        unsigned int a[] = {7, 0}, na[] = {10, 0}, b[] = {2, 1}, nb[] = {10, 4};
        itp_binary_counts one = counts(1, b, nb, a, na), two = counts(2, b, nb, a, na);
        assert_int_equal(itp_binary_mh_rd(&one, 0.95, &r), ITP_OK);
        assert_int_equal(itp_binary_rd_wald(&one, 0.95, &w), ITP_OK);
        check_rel(r.estimate, 0.5, 1e-12, "one stratum");
        check_rel(r.ci_lower, w.ci_lower, 1e-12, "one stratum: Wald lower");
        check_rel(r.ci_upper, w.ci_upper, 1e-12, "one stratum: Wald upper");
        assert_int_equal(itp_binary_mh_rd(&two, 0.95, &w), ITP_OK);
        check_rel(w.estimate, r.estimate, 1e-12, "empty arm: weight 0");
    }
}

static void test_cmh_rabbits(void **state)
{
    /* Rabbits[, , k]: rows delay none / 1.5h, columns cured / died */
    unsigned int x1[] = {0, 3, 6, 5, 2}, n1[] = {6, 6, 6, 6, 2};
    unsigned int x0[] = {0, 0, 2, 6, 5}, n0[] = {5, 6, 6, 6, 5};
    itp_binary_counts c = counts(5, x0, n0, x1, n1);
    itp_binary_result r;
    (void)state;

    assert_int_equal(itp_binary_cmh(&c, 0.95, &r), ITP_OK);
    check_sane(&r);
    assert_int_equal(r.flags, 0);
    check_rel(r.statistic, 5.6571428571428574728, 1e-12, "CMH");
    check_rel(r.p_two_sided, 0.0173844203520661794, 1e-10, "CMH p");
    check_rel(r.p_greater, 0.0086922101760330932, 1e-10, "CMH greater");
    check_rel(r.estimate, 7.0, 1e-12, "MH odds ratio");
    check_rel(r.ci_lower, 1.0267126884616679661, 1e-10, "RGB lower");
    check_rel(r.ci_upper, 47.7251333802225659042, 1e-10, "RGB upper");
}

static void test_cmh_ucb(void **state)
{
    /* UCBAdmissions: "experimental" = admitted, responder = male */
    unsigned int x1[] = {512, 353, 120, 138, 53, 22};
    unsigned int n1[] = {601, 370, 322, 269, 147, 46};
    unsigned int x0[] = {313, 207, 205, 279, 138, 351};
    unsigned int n0[] = {332, 215, 596, 523, 437, 668};
    itp_binary_counts c = counts(6, x0, n0, x1, n1);
    itp_binary_result r;
    (void)state;

    assert_int_equal(itp_binary_cmh(&c, 0.95, &r), ITP_OK);
    check_rel(r.statistic, 1.52460666044343562, 1e-10, "CMH");
    check_rel(r.p_two_sided, 0.21692369705551837, 1e-10, "CMH p");
    check_rel(r.p_greater, 0.89153815147224080, 1e-10, "CMH greater");
    check_rel(r.estimate, 0.90469682825862308, 1e-12, "MH odds ratio");
    check_rel(r.ci_lower, 0.77190736175935049, 1e-10, "RGB lower");
    check_rel(r.ci_upper, 1.06032976443665561, 1e-10, "RGB upper");
}

static void test_cmh_one_stratum_and_tiny_strata(void **state)
{
    /* With one stratum CMH = (N - 1)/N times Pearson's chi-square; strata
     * with fewer than 2 subjects change nothing. */
    unsigned int x0[] = {18, 0, 1}, n0[] = {50, 0, 1};
    unsigned int x1[] = {30, 0, 0}, n1[] = {50, 1, 0};
    itp_binary_counts c1 = counts(1, x0, n0, x1, n1);
    itp_binary_counts c3 = counts(3, x0, n0, x1, n1);
    itp_binary_result r1, r3, chi;
    (void)state;

    assert_int_equal(itp_binary_cmh(&c1, 0.95, &r1), ITP_OK);
    assert_int_equal(itp_binary_cmh(&c3, 0.95, &r3), ITP_OK);
    assert_int_equal(itp_binary_chisq(&c1, 0.95, &chi), ITP_OK);
    check_rel(r1.statistic, chi.statistic * 99.0 / 100.0, 1e-12, "(N-1)/N");
    check_rel(r3.statistic, r1.statistic, 0.0, "tiny strata, statistic");
    check_rel(r3.p_greater, r1.p_greater, 0.0, "tiny strata, p");
    check_rel(r3.estimate, r1.estimate, 0.0, "tiny strata, OR");
    check_rel(r3.ci_upper, r1.ci_upper, 0.0, "tiny strata, CI");
}

static void test_binom_mendel(void **state)
{
    itp_binary_result r;
    (void)state;

    assert_int_equal(itp_binary_binom_test(682, 925, 0.75, 0.95, &r), ITP_OK);
    check_sane(&r);
    assert_int_equal(r.flags, 0);
    check_rel(r.p_two_sided, 0.38249155957485192, 1e-10, "two-sided");
    check_rel(r.p_greater, 0.82408912235242271, 1e-10, "greater");
    check_rel(r.ci_lower, 0.70766826407903904, 1e-9, "CP lower");
    check_rel(r.ci_upper, 0.76540655824152526, 1e-9, "CP upper");
    check_rel(r.estimate, 682.0 / 925.0, 1e-15, "rate");

    assert_int_equal(itp_binary_binom_test(7, 20, 0.2, 0.95, &r), ITP_OK);
    check_rel(r.p_two_sided, 0.098221728613468728, 1e-10, "two-sided");
    check_rel(r.p_greater, 0.086692513567400251, 1e-10, "greater");
    check_rel(r.ci_lower, 0.153909204784541148, 1e-9, "CP lower");
    check_rel(r.ci_upper, 0.592188534532828159, 1e-9, "CP upper");
}

static void test_binom_edges(void **state)
{
    itp_binary_result r;
    (void)state;

    /* x = 0: upper end solves (1 - u)^n = alpha/2 */
    assert_int_equal(itp_binary_binom_test(0, 10, 0.1, 0.95, &r), ITP_OK);
    check_rel(r.ci_lower, 0.0, 0.0, "lower");
    check_rel(r.ci_upper, 1.0 - pow(0.025, 0.1), 1e-10, "upper");
    check_rel(r.p_greater, 1.0, 0.0, "greater");
    /* x = n: lower end solves l^n = alpha/2 */
    assert_int_equal(itp_binary_binom_test(10, 10, 0.5, 0.95, &r), ITP_OK);
    check_rel(r.ci_lower, pow(0.025, 0.1), 1e-10, "lower");
    check_rel(r.ci_upper, 1.0, 0.0, "upper");
    check_rel(r.p_greater, pow(0.5, 10), 1e-12, "greater");
    check_rel(r.p_two_sided, 2.0 * pow(0.5, 10), 1e-12, "two-sided");
    /* x = n p0 exactly: two-sided p is 1 */
    assert_int_equal(itp_binary_binom_test(5, 10, 0.5, 0.95, &r), ITP_OK);
    check_rel(r.p_two_sided, 1.0, 0.0, "x = m");
    /* n = 0 */
    assert_int_equal(itp_binary_binom_test(0, 0, 0.3, 0.95, &r), ITP_OK);
    check_sane(&r);
    assert_true(r.flags & ITP_BINARY_NO_DATA);
    assert_true(r.flags & ITP_BINARY_NOT_ESTIMABLE);
    check_rel(r.p_greater, 1.0, 0.0, "no data p");
    /* bad input */
    assert_int_equal(itp_binary_binom_test(3, 2, 0.3, 0.95, &r), ITP_EINPUT);
    assert_int_equal(itp_binary_binom_test(1, 2, 0.0, 0.95, &r), ITP_EINPUT);
    assert_int_equal(itp_binary_binom_test(1, 2, 1.0, 0.95, &r), ITP_EINPUT);
    assert_int_equal(itp_binary_binom_test(1, 2, 0.5, 1.0, &r), ITP_EINPUT);
    assert_int_equal(itp_binary_binom_test(1, 2, 0.5, 0.95, NULL),
                     ITP_EINPUT);
}

/* Runs every two-arm test on c and checks sanity and the expected flags. */
static void run_all(const itp_binary_counts *c, unsigned int must,
                    unsigned int fisher_must)
{
    const itp_binary_test *t;
    itp_binary_result r;

    for (t = itp_binary_tests; t->name != NULL; t++) {
        unsigned int want = strcmp(t->name, "fisher") == 0 ? fisher_must
                                                           : must;
        assert_int_equal(t->run(c, 0.95, &r), ITP_OK);
        check_sane(&r);
        if ((r.flags & want) != want) {
            print_error("%s: flags %#x lack %#x\n", t->name, r.flags, want);
            fail();
        }
        if (r.flags & ITP_BINARY_NO_TEST) {
            assert_true(r.p_greater == 1.0 && r.p_two_sided == 1.0);
            assert_true(r.statistic == 0.0 && r.z == 0.0);
        }
    }
}

static void test_degenerate(void **state)
{
    unsigned int zero[] = {0, 0}, five[] = {5, 3}, four[] = {4, 6};
    unsigned int one[] = {1, 0};
    itp_binary_counts c;
    itp_binary_result r;
    (void)state;

    /* every stratum empty */
    c = counts(2, zero, zero, zero, zero);
    run_all(&c, ITP_BINARY_NO_DATA | ITP_BINARY_NO_TEST
                | ITP_BINARY_NOT_ESTIMABLE,
            ITP_BINARY_NO_DATA | ITP_BINARY_NOT_ESTIMABLE);
    /* no responders anywhere: no test; Fisher p = 1 */
    c = counts(2, zero, five, zero, four);
    run_all(&c, 0, ITP_BINARY_NOT_ESTIMABLE);
    assert_int_equal(itp_binary_chisq(&c, 0.95, &r), ITP_OK);
    assert_true(r.flags & ITP_BINARY_NO_TEST);
    assert_true(r.flags & ITP_BINARY_CI_DEGENERATE);
    check_rel(r.estimate, 0.0, 0.0, "rd");
    assert_int_equal(itp_binary_cmh(&c, 0.95, &r), ITP_OK);
    assert_true(r.flags & ITP_BINARY_NO_TEST);
    assert_true(r.flags & ITP_BINARY_NOT_ESTIMABLE);
    assert_int_equal(itp_binary_fisher(&c, 0.95, &r), ITP_OK);
    check_rel(r.p_greater, 1.0, 0.0, "fisher p");
    check_rel(r.p_two_sided, 1.0, 0.0, "fisher p2");
    /* all respond */
    c = counts(2, five, five, four, four);
    run_all(&c, 0, ITP_BINARY_NOT_ESTIMABLE);
    assert_int_equal(itp_binary_cmh(&c, 0.95, &r), ITP_OK);
    assert_true(r.flags & ITP_BINARY_NO_TEST);
    /* empty control arm */
    c = counts(2, zero, zero, one, four);
    run_all(&c, ITP_BINARY_NO_TEST | ITP_BINARY_NOT_ESTIMABLE,
            ITP_BINARY_NOT_ESTIMABLE);
    /* all experimental respond, no control responds: OR infinite */
    c = counts(2, zero, five, four, four);
    run_all(&c, 0, 0);
    assert_int_equal(itp_binary_cmh(&c, 0.95, &r), ITP_OK);
    assert_int_equal(r.flags, ITP_BINARY_CI_DEGENERATE);
    assert_true(isinf(r.estimate) && r.ci_lower == 0.0 && isinf(r.ci_upper));
    assert_true(r.p_greater < 0.01);
    assert_int_equal(itp_binary_fisher(&c, 0.95, &r), ITP_OK);
    assert_int_equal(r.flags, 0);
    assert_true(isinf(r.estimate) && isinf(r.ci_upper) && r.ci_lower > 0.0);
    /* complete separation (10/10 vs 0/8 pooled): the Wald SE is 0, the z
     * test takes the score test's pooled SE (z^2 = Pearson's X^2 = N = 18) */
    assert_int_equal(itp_binary_rd_wald(&c, 0.95, &r), ITP_OK);
    assert_false(r.flags & ITP_BINARY_NO_TEST);
    assert_true(r.flags & ITP_BINARY_SCORE_TEST);
    assert_true(r.flags & ITP_BINARY_CI_DEGENERATE);
    check_rel(r.estimate, 1.0, 0.0, "rd");
    check_rel(r.z, sqrt(18.0), 1e-12, "score z");
    assert_true(r.p_greater < 0.01);
    assert_int_equal(itp_binary_rd_newcombe(&c, 0.95, &r), ITP_OK);
    assert_false(r.flags & ITP_BINARY_CI_DEGENERATE);
    assert_true(r.ci_lower > 0.5 && r.ci_upper == 1.0);
}

/* Over random tables, small with many zeros and large and lopsided: every
 * test returns ITP_OK, writes no unflagged NaN, keeps p-values in [0, 1]
 * and the estimate inside its CI. (This found gsl_cdf_beta_Pinv returning
 * NaN for Clopper-Pearson bounds with n in the hundreds.) */
static void test_random_tables_sane(void **state)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    unsigned int x0[4], n0[4], x1[4], n1[4];
    itp_binary_counts c = counts(4, x0, n0, x1, n1);
    itp_binary_result r;
    const itp_binary_test *t;
    int rep;
    size_t k;
    (void)state;

    assert_non_null(rng);
    gsl_rng_set(rng, 7UL);
    for (rep = 0; rep < 3000; rep++) {
        unsigned int big = rep % 3 == 0 ? 3000 : rep % 3 == 1 ? 40 : 4;
        double q0 = gsl_rng_uniform(rng), q1 = gsl_rng_uniform(rng);
        if (rep % 5 == 0)
            q1 = q1 < 0.5 ? 0.0005 : 0.9995;
        c.nstrata = 1 + (size_t)rep % 4;
        for (k = 0; k < c.nstrata; k++) {
            n0[k] = (unsigned int)gsl_rng_uniform_int(rng, big + 1);
            n1[k] = (unsigned int)gsl_rng_uniform_int(rng, big + 1);
            x0[k] = gsl_ran_binomial(rng, q0, n0[k]);
            x1[k] = gsl_ran_binomial(rng, q1, n1[k]);
        }
        for (t = itp_binary_tests; t->name != NULL; t++) {
            assert_int_equal(t->run(&c, 0.95, &r), ITP_OK);
            check_sane(&r);
        }
        assert_int_equal(itp_binary_binom_test(x1[0], n1[0], 0.05 + 0.9 * q0,
                                               0.9, &r), ITP_OK);
        check_sane(&r);
    }
    gsl_rng_free(rng);
}

static void test_bad_input(void **state)
{
    unsigned int x0[] = {3}, n0[] = {2}, x1[] = {1}, n1[] = {2};
    unsigned int big[] = {3000000000u};
    itp_binary_counts c = counts(1, x0, n0, x1, n1);
    itp_binary_result r;
    const itp_binary_test *t;
    (void)state;

    for (t = itp_binary_tests; t->name != NULL; t++) {
        assert_int_equal(t->run(&c, 0.95, &r), ITP_EINPUT);   /* x0 > n0 */
        x0[0] = 1;
        assert_int_equal(t->run(&c, 0.0, &r), ITP_EINPUT);
        assert_int_equal(t->run(&c, 1.0, &r), ITP_EINPUT);
        assert_int_equal(t->run(&c, (double)NAN, &r), ITP_EINPUT);
        assert_int_equal(t->run(NULL, 0.95, &r), ITP_EINPUT);
        assert_int_equal(t->run(&c, 0.95, NULL), ITP_EINPUT);
        c.nstrata = 0;
        assert_int_equal(t->run(&c, 0.95, &r), ITP_EINPUT);
        c.nstrata = 1;
        c.n0 = big; c.n1 = big;
        assert_int_equal(t->run(&c, 0.95, &r), ITP_ERANGE);
        c.n0 = n0; c.n1 = n1;
        x0[0] = 3;
    }
}

static void test_lookup(void **state)
{
    const char *names[] = {"cmh", "chisq", "fisher", "rd_wald",
                           "rd_newcombe"};
    size_t i;
    (void)state;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        const itp_binary_test *t = itp_binary_test_lookup(names[i]);
        assert_non_null(t);
        assert_string_equal(t->name, names[i]);
        assert_non_null(t->run);
        assert_non_null(t->description);
    }
    assert_null(itp_binary_test_lookup("logrank"));
    assert_null(itp_binary_test_lookup(""));
    assert_null(itp_binary_test_lookup(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fisher_tea),
        cmocka_unit_test(test_fisher_tails_complement),
        cmocka_unit_test(test_fisher_and_chisq_r),
        cmocka_unit_test(test_rd_separation_score),
        cmocka_unit_test(test_newcombe_example),
        cmocka_unit_test(test_mh_risk_difference),
        cmocka_unit_test(test_cmh_rabbits),
        cmocka_unit_test(test_cmh_ucb),
        cmocka_unit_test(test_cmh_one_stratum_and_tiny_strata),
        cmocka_unit_test(test_binom_mendel),
        cmocka_unit_test(test_binom_edges),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_random_tables_sane),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_lookup),
    };
    gsl_set_error_handler_off();
    return cmocka_run_group_tests_name("binary", tests, NULL, NULL);
}
