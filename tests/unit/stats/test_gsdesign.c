/* Tests of the group-sequential kernel (include/itpsim/gsdesign.h).
 *
 * Only what the mathematics guarantees is asserted here; the values of the
 * bounds themselves are compared with rpact in tests/cli/refcheck_gs.sh.
 *  - One stage: b = Phi^-1(1 - alpha spent), exactly.
 *  - Under the null the probability of first crossing at stage i is the
 *    alpha increment (the bounds' defining equation), so p_eff sums to
 *    alpha, stage by stage, for every spending function and information
 *    fractions (equal, unequal, final fraction below or above 1).
 *  - Q^-1(alpha(t_i)) <= b_i <= Q^-1(alpha(t_i) - alpha(t_{i-1})): crossing at
 *    stage i is no likelier than Z_i >= b_i alone, and no less likely than
 *    that less the chance of having stopped before. (Pocock-type bounds are
 *    nearly constant for equal spacing, but that is not a theorem: rpact's
 *    values check them.)
 *  - A stage with no alpha to spend has bound +inf and a later stage then
 *    sees the same paths as without it.
 *  - Two stages: p_eff and p_fut against GSL's adaptive quadrature of the
 *    bivariate normal, with drift and futility.
 *  - Every path stops somewhere when the last futility bound equals the last
 *    efficacy bound: p_eff and p_fut sum to 1 for any drift; the chance of
 *    rejecting grows with the drift (a higher path crosses no later).
 *  - User-defined spending through O'Brien-Fleming's cumulative fractions
 *    gives O'Brien-Fleming's bounds.
 *  - Conditional power at values where the B-value formula is worked out
 *    by hand (Lan & Wittes, Biometrics 1988).
 *  - Bad input is refused with ITP_EINPUT and leaves the output alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>

#include "itpsim/gsdesign.h"

#define TOL_ALPHA 1e-9
/* The quadrature's accuracy in probabilities (src/stats/gsdesign.c). */
#define TOL_QUAD 2e-9

/* |got - want| <= tol (cmocka's assert_float_equal compares floats), with
 * both values printed when not. */
#define assert_near(got, want, tol) assert_near_at((got), (want), (tol), __FILE__, __LINE__)

static void assert_near_at(double got, double want, double tol, const char *file, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s:%d: got %.17g, want %.17g (difference %.3g > %.3g)\n", file, line, got,
                    want, fabs(got - want), tol);
        _fail(file, line);
    }
}

static itp_spending spending(itp_spend_kind kind, double param)
{
    itp_spending s = { 0 };
    s.kind = kind;
    s.param = param;
    return s;
}

/* Every kind of spending function, USER with fractions at the given t. */
static int all_spendings(itp_spending *out, int k, const double *t)
{
    static const double user[ITP_GS_MAX_STAGES] = { 0.05, 0.2, 0.45, 0.7, 1.0 };
    int n = 0;
    out[n++] = spending(ITP_SPEND_OF, 0.0);
    out[n++] = spending(ITP_SPEND_POCOCK, 0.0);
    out[n++] = spending(ITP_SPEND_HSD, -4.0);
    out[n++] = spending(ITP_SPEND_HSD, 0.0);
    out[n++] = spending(ITP_SPEND_HSD, 2.0);
    out[n++] = spending(ITP_SPEND_KD, 0.5);
    out[n++] = spending(ITP_SPEND_KD, 1.0);
    out[n++] = spending(ITP_SPEND_KD, 3.0);
    out[n] = spending(ITP_SPEND_USER, 0.0);
    out[n].n_user = k;
    for (int i = 0; i < k; i++) {
        out[n].user_t[i] = fmin(t[i], 1.0);
        out[n].user_frac[i] = i == k - 1 ? 1.0 : user[ITP_GS_MAX_STAGES - k + i];
    }
    /* USER's points must end at or below 1 and increase */
    if (k >= 2 && t[k - 2] >= 1.0)
        return n;
    return n + 1;
}

/* Information fractions: equal, unequal, a final analysis short of and
 * beyond the plan. */
static const struct {
    int k;
    double t[ITP_GS_MAX_STAGES];
} tsets[] = {
    { 2, { 0.5, 1.0 } },
    { 2, { 0.25, 1.0 } },
    { 3, { 1.0 / 3.0, 2.0 / 3.0, 1.0 } },
    { 3, { 0.3, 0.7, 1.0 } },
    { 4, { 0.1, 0.2, 0.6, 1.0 } },
    { 5, { 0.2, 0.4, 0.6, 0.8, 1.0 } },
    { 5, { 0.15, 0.3, 0.55, 0.8, 1.0 } },
    { 3, { 0.4, 0.7, 0.9 } },
    { 3, { 0.45, 0.9, 1.25 } },
};
#define NTSETS (sizeof tsets / sizeof tsets[0])

static void test_one_stage(void **state)
{
    (void)state;
    const double one = 1.0, half = 0.5;
    for (int a = 0; a < 3; a++) {
        const double alpha = (double[]){ 0.01, 0.025, 0.05 }[a];
        itp_spending s[9];
        int n = all_spendings(s, 1, &one);
        for (int j = 0; j < n; j++) {
            double b;
            assert_int_equal(itp_gs_bounds(&s[j], alpha, 1, &one, 0, &b), ITP_OK);
            assert_near(b, gsl_cdf_ugaussian_Pinv(1.0 - alpha), 1e-12);
            /* at half the information: what was spent by then, or all of
             * alpha when the final analysis spends all */
            assert_int_equal(itp_gs_bounds(&s[j], alpha, 1, &half, 0, &b), ITP_OK);
            assert_near(b, gsl_cdf_ugaussian_Qinv(itp_gs_spend(&s[j], alpha, 0.5)),
                               1e-12);
            assert_int_equal(itp_gs_bounds(&s[j], alpha, 1, &half, 1, &b), ITP_OK);
            assert_near(b, gsl_cdf_ugaussian_Pinv(1.0 - alpha), 1e-12);
        }
    }
}

static void test_spend_values(void **state)
{
    (void)state;
    const double alpha = 0.025;
    itp_spending s = spending(ITP_SPEND_HSD, 0.0);
    assert_near(itp_gs_spend(&s, alpha, 0.3), alpha * 0.3, 1e-17);
    s.param = 1e-12; /* continuous at gamma = 0: alpha t (1 + gamma (1 - t) / 2) */
    assert_near(itp_gs_spend(&s, alpha, 0.3), alpha * 0.3 * (1.0 + 0.35e-12), 1e-17);
    s.param = -800.0; /* no overflow: alpha e^{-800 (1 - t)} */
    assert_near(itp_gs_spend(&s, alpha, 0.999), alpha * exp(-0.8), 1e-15);
    s = spending(ITP_SPEND_KD, 1.0);
    assert_near(itp_gs_spend(&s, alpha, 0.3), alpha * 0.3, 1e-17);
    s = spending(ITP_SPEND_POCOCK, 0.0);
    assert_near(itp_gs_spend(&s, alpha, 0.5), alpha * log(1.0 + (exp(1.0) - 1.0) * 0.5),
                       1e-17);
    /* O'Brien-Fleming type reaches alpha at t = 1 continuously */
    s = spending(ITP_SPEND_OF, 0.0);
    assert_near(itp_gs_spend(&s, alpha, 1.0 - 1e-12), alpha, 1e-13);
    /* USER: linear between the points, through (0, 0) */
    s = spending(ITP_SPEND_USER, 0.0);
    s.n_user = 2;
    s.user_t[0] = 0.4;
    s.user_t[1] = 0.8;
    s.user_frac[0] = 0.2;
    s.user_frac[1] = 1.0;
    assert_near(itp_gs_spend(&s, alpha, 0.2), alpha * 0.1, 1e-17);
    assert_near(itp_gs_spend(&s, alpha, 0.6), alpha * 0.6, 1e-17);
    assert_near(itp_gs_spend(&s, alpha, 0.9), alpha, 1e-17);

    /* every kind: 0 at t <= 0, alpha at t >= 1, non-decreasing between */
    const double t1 = 1.0;
    itp_spending all[9];
    int n = all_spendings(all, 1, &t1);
    for (int j = 0; j < n; j++) {
        double prev = 0.0;
        assert_true(itp_gs_spend(&all[j], alpha, -1.0) == 0.0);
        assert_true(itp_gs_spend(&all[j], alpha, 0.0) == 0.0);
        assert_true(itp_gs_spend(&all[j], alpha, 1.0) == alpha);
        assert_true(itp_gs_spend(&all[j], alpha, 2.5) == alpha);
        for (int i = 1; i <= 1000; i++) {
            double v = itp_gs_spend(&all[j], alpha, i / 1000.0);
            assert_true(v >= prev && v <= alpha);
            prev = v;
        }
    }
}

static void test_null_spends_alpha(void **state)
{
    (void)state;
    for (size_t c = 0; c < NTSETS; c++) {
        const int k = tsets[c].k;
        const double *t = tsets[c].t;
        for (int a = 0; a < 2; a++) {
            const double alpha = a == 0 ? 0.025 : 0.05;
            itp_spending s[9];
            int n = all_spendings(s, k, t);
            for (int j = 0; j < n; j++) {
                for (int all = 0; all < 2; all++) {
                    double b[ITP_GS_MAX_STAGES], pe[ITP_GS_MAX_STAGES], pf[ITP_GS_MAX_STAGES];
                    double cum = 0.0, prev = 0.0;
                    assert_int_equal(itp_gs_bounds(&s[j], alpha, k, t, all, b), ITP_OK);
                    assert_int_equal(itp_gs_probs(k, t, NULL, b, 0.0, pe, pf), ITP_OK);
                    for (int i = 0; i < k; i++) {
                        double spent = i == k - 1 && all
                                           ? alpha : itp_gs_spend(&s[j], alpha, fmin(t[i], 1.0));
                        double inc = spent - prev;
                        cum += pe[i];
                        assert_near(cum, spent, TOL_ALPHA);
                        assert_true(pf[i] == 0.0);
                        /* the bracket of the bounds */
                        if (inc < ITP_GS_MIN_INCREMENT) {
                            assert_true(isinf(b[i]) && b[i] > 0);
                        } else {
                            assert_true(b[i] >= gsl_cdf_ugaussian_Qinv(spent) - 1e-9);
                            assert_true(b[i] <= gsl_cdf_ugaussian_Qinv(inc) + 1e-9);
                        }
                        prev = spent;
                    }
                }
            }
        }
    }
}

static void test_zero_increment(void **state)
{
    (void)state;
    const double alpha = 0.025;
    const double t2[2] = { 0.5, 1.0 }, t3[3] = { 0.3, 0.6, 1.0 };
    double b[3], pe[3];
    itp_spending s = spending(ITP_SPEND_USER, 0.0);

    /* nothing at the interim: the final bound is the fixed design's */
    s.n_user = 2;
    s.user_t[0] = 0.5;
    s.user_t[1] = 1.0;
    s.user_frac[0] = 0.0;
    s.user_frac[1] = 1.0;
    assert_int_equal(itp_gs_bounds(&s, alpha, 2, t2, 1, b), ITP_OK);
    assert_true(isinf(b[0]) && b[0] > 0);
    assert_near(b[1], gsl_cdf_ugaussian_Pinv(1.0 - alpha), 1e-12);
    assert_int_equal(itp_gs_probs(2, t2, NULL, b, 1.0, pe, NULL), ITP_OK);
    assert_true(pe[0] == 0.0);
    assert_near(pe[1], gsl_cdf_ugaussian_Q(b[1] - 1.0), 1e-10);

    /* nothing at the middle stage: the third stage's bound as if the
     * second were not there (two stages at 0.3 and 1.0) */
    s.n_user = 3;
    s.user_t[0] = 0.3;
    s.user_t[1] = 0.6;
    s.user_t[2] = 1.0;
    s.user_frac[0] = 0.4;
    s.user_frac[1] = 0.4;
    s.user_frac[2] = 1.0;
    assert_int_equal(itp_gs_bounds(&s, alpha, 3, t3, 1, b), ITP_OK);
    assert_true(isinf(b[1]) && b[1] > 0);
    {
        const double t13[2] = { 0.3, 1.0 };
        double b2[2];
        itp_spending s2 = spending(ITP_SPEND_USER, 0.0);
        s2.n_user = 2;
        s2.user_t[0] = 0.3;
        s2.user_t[1] = 1.0;
        s2.user_frac[0] = 0.4;
        s2.user_frac[1] = 1.0;
        assert_int_equal(itp_gs_bounds(&s2, alpha, 2, t13, 1, b2), ITP_OK);
        assert_near(b[0], b2[0], 1e-14);
        assert_near(b[2], b2[1], 1e-8);
    }

    /* a stage beyond full information after one that spent all of alpha */
    {
        const double tl[3] = { 0.5, 1.1, 1.3 };
        s = spending(ITP_SPEND_KD, 2.0);
        assert_int_equal(itp_gs_bounds(&s, alpha, 3, tl, 1, b), ITP_OK);
        assert_true(isfinite(b[0]) && isfinite(b[1]));
        assert_true(isinf(b[2]) && b[2] > 0);
    }
}

/* The two-stage probabilities by GSL's adaptive quadrature:
 * P(a1 < Z1 < b1, Z2 >= b2) = int_{a1}^{b1} phi(u - theta sqrt(t1))
 *     Q((b2 sqrt(t2) - u sqrt(t1) - theta (t2 - t1)) / sqrt(t2 - t1)) du. */
typedef struct two_stage {
    double t1, t2, theta, bound;
    int upper;
} two_stage;

static double two_stage_integrand(double u, void *p)
{
    const two_stage *q = p;
    double sd = sqrt(q->t2 - q->t1);
    double x = (q->bound * sqrt(q->t2) - u * sqrt(q->t1) - q->theta * (q->t2 - q->t1)) / sd;
    return gsl_ran_ugaussian_pdf(u - q->theta * sqrt(q->t1))
           * (q->upper ? gsl_cdf_ugaussian_Q(x) : gsl_cdf_ugaussian_P(x));
}

static double two_stage_prob(two_stage *q, double a1, double b1)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function f = { two_stage_integrand, q };
    double r = 0.0, err = 0.0;
    assert_non_null(w);
    if (isinf(a1))
        assert_int_equal(gsl_integration_qagil(&f, b1, 1e-14, 1e-12, 1000, w, &r, &err), 0);
    else
        assert_int_equal(gsl_integration_qags(&f, a1, b1, 1e-14, 1e-12, 1000, w, &r, &err), 0);
    gsl_integration_workspace_free(w);
    return r;
}

static void test_two_stages_exact(void **state)
{
    (void)state;
    static const struct {
        double t1, t2, a1, b1, b2;
    } c[] = {
        { 0.5, 1.0, -HUGE_VAL, 2.8, 1.98 },
        { 0.3, 1.0, 0.0, 3.2, 1.97 },
        { 0.7, 1.0, 0.5, 2.3, 2.0 },
        { 0.2, 0.9, -1.0, 2.0, 2.1 },
        { 0.5, 1.4, 0.3, 2.6, 1.9 },
        { 0.9, 1.0, -HUGE_VAL, 2.1, 2.05 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        for (int th = 0; th < 4; th++) {
            const double theta = (double[]){ 0.0, 1.5, 2.8, -0.7 }[th];
            const double t[2] = { c[i].t1, c[i].t2 };
            const double a[2] = { c[i].a1, -HUGE_VAL }, b[2] = { c[i].b1, c[i].b2 };
            double pe[2], pf[2];
            two_stage up = { c[i].t1, c[i].t2, theta, c[i].b2, 1 };
            assert_int_equal(itp_gs_probs(2, t, a, b, theta, pe, pf), ITP_OK);
            assert_near(pe[0], gsl_cdf_ugaussian_Q(c[i].b1 - theta * sqrt(c[i].t1)),
                               1e-15);
            assert_near(pf[0],
                               isinf(c[i].a1)
                                   ? 0.0 : gsl_cdf_ugaussian_P(c[i].a1 - theta * sqrt(c[i].t1)),
                               1e-15);
            assert_near(pe[1], two_stage_prob(&up, c[i].a1, c[i].b1), TOL_QUAD);
            assert_true(pf[1] == 0.0);
            /* the final stage's futility bound: P(continue, Z2 <= a2) */
            if (!isinf(c[i].a1)) {
                const double a2[2] = { c[i].a1, 1.2 };
                two_stage down = { c[i].t1, c[i].t2, theta, 1.2, 0 };
                assert_int_equal(itp_gs_probs(2, t, a2, b, theta, pe, pf), ITP_OK);
                assert_near(pf[1], two_stage_prob(&down, c[i].a1, c[i].b1), TOL_QUAD);
            }
        }
    }
}

static void test_probs_total_and_drift(void **state)
{
    (void)state;
    const double t[4] = { 0.25, 0.5, 0.75, 1.0 };
    const double b[4] = { 3.0, 2.6, 2.3, 2.0 };
    const double a[4] = { -0.5, 0.2, 0.8, 2.0 }; /* a[3] = b[3]: every path stops */
    double prev_reject = -1.0;

    for (int i = 0; i <= 16; i++) {
        const double theta = -2.0 + 0.4 * i;
        double pe[4], pf[4], reject = 0.0, total = 0.0;
        assert_int_equal(itp_gs_probs(4, t, a, b, theta, pe, pf), ITP_OK);
        for (int j = 0; j < 4; j++) {
            assert_true(pe[j] >= 0.0 && pf[j] >= 0.0);
            reject += pe[j];
            total += pe[j] + pf[j];
        }
        assert_near(total, 1.0, 1e-9);
        assert_true(reject > prev_reject);
        prev_reject = reject;
    }
    /* an empty continuation region (a = b at stage 2): nothing after it */
    {
        const double a2[4] = { -0.5, 1.0, 0.8, -HUGE_VAL }, b2[4] = { 3.0, 1.0, 2.3, 2.0 };
        double pe[4], pf[4];
        assert_int_equal(itp_gs_probs(4, t, a2, b2, 0.5, pe, pf), ITP_OK);
        assert_near(pe[0] + pf[0] + pe[1] + pf[1], 1.0, 1e-9);
        assert_true(pe[2] == 0.0 && pf[2] == 0.0 && pe[3] == 0.0 && pf[3] == 0.0);
    }
}

static void test_user_reproduces_of(void **state)
{
    (void)state;
    for (size_t c = 0; c < NTSETS; c++) {
        const int k = tsets[c].k;
        const double *t = tsets[c].t;
        const double alpha = 0.025;
        itp_spending of = spending(ITP_SPEND_OF, 0.0), user = spending(ITP_SPEND_USER, 0.0);
        double b_of[ITP_GS_MAX_STAGES], b_user[ITP_GS_MAX_STAGES];
        if (t[k - 1] != 1.0)
            continue;
        user.n_user = k;
        for (int i = 0; i < k; i++) {
            user.user_t[i] = t[i];
            user.user_frac[i] = itp_gs_spend(&of, alpha, t[i]) / alpha;
        }
        assert_int_equal(itp_gs_bounds(&of, alpha, k, t, 1, b_of), ITP_OK);
        assert_int_equal(itp_gs_bounds(&user, alpha, k, t, 1, b_user), ITP_OK);
        for (int i = 0; i < k; i++)
            assert_near(b_user[i], b_of[i], 1e-10);
    }
}

static void test_conditional_power(void **state)
{
    (void)state;
    /* t = 0.75, z sqrt(t) = 1, sqrt(1 - t) = 0.5: CP = Q((b - 1 - theta / 4) / 0.5) */
    const double t = 0.75, z = 1.0 / sqrt(0.75);
    assert_near(itp_gs_conditional_power(z, t, 1.0 + 0.5 * 1.959963984540054, 0.0),
                       0.025, 1e-12);
    assert_near(
        itp_gs_conditional_power(z, t, 1.0 + 0.25 * 2.0 + 0.5 * 1.2815515655446004, 2.0), 0.10,
        1e-12);
    /* the current trend theta = z / sqrt(t) = 4/3: the median at b = 1 + 1/3 */
    assert_near(itp_gs_conditional_power(z, t, 1.0 + 1.0 / 3.0, z / sqrt(t)), 0.5, 1e-14);
    /* t = 0.25, z = 1, theta = 2: (2 - 0.5 - 1.5) / sqrt(0.75) = 0 */
    assert_near(itp_gs_conditional_power(1.0, 0.25, 2.0, 2.0), 0.5, 1e-14);
    /* t = 0: the power of the fixed design, Q(b - theta) */
    assert_near(itp_gs_conditional_power(0.3, 0.0, 1.959963984540054, 2.8),
                       gsl_cdf_ugaussian_Q(1.959963984540054 - 2.8), 1e-15);
    /* at the end the final statistic decides */
    assert_true(itp_gs_conditional_power(2.1, 1.0, 2.0, 0.0) == 1.0);
    assert_true(itp_gs_conditional_power(1.9, 1.0, 2.0, 5.0) == 0.0);
    assert_true(itp_gs_conditional_power(1.0, 0.5, HUGE_VAL, 3.0) == 0.0);
    assert_true(isnan(itp_gs_conditional_power(1.0, -0.1, 2.0, 0.0)));
    assert_true(isnan(itp_gs_conditional_power((double)NAN, 0.5, 2.0, 0.0)));
    assert_true(isnan(itp_gs_conditional_power(1.0, 0.5, 2.0, (double)NAN)));
}

static void test_invalid(void **state)
{
    (void)state;
    const double t3[3] = { 0.3, 0.7, 1.0 }, t6[6] = { 0.1, 0.2, 0.3, 0.4, 0.5, 1.0 };
    const double teq[3] = { 0.3, 0.3, 1.0 }, tdec[3] = { 0.5, 0.4, 1.0 };
    const double tneg[3] = { 0.0, 0.5, 1.0 }, tnan[3] = { 0.3, (double)NAN, 1.0 };
    const double tinf[3] = { 0.3, 0.7, HUGE_VAL };
    itp_spending of = spending(ITP_SPEND_OF, 0.0);
    double b[6] = { 7, 7, 7, 7, 7, 7 }, pe[3] = { 7, 7, 7 };

    assert_int_equal(itp_gs_bounds(&of, 0.025, 0, t3, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 6, t6, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, -1, t3, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 3, teq, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 3, tdec, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 3, tneg, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 3, tnan, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 3, tinf, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.0, 3, t3, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.5, 3, t3, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, -0.01, 3, t3, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, (double)NAN, 3, t3, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(NULL, 0.025, 3, t3, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 3, NULL, 1, b), ITP_EINPUT);
    assert_int_equal(itp_gs_bounds(&of, 0.025, 3, t3, 1, NULL), ITP_EINPUT);

    {
        itp_spending bad[10];
        int n = 0;
        bad[n++] = spending(ITP_SPEND_KD, 0.0);
        bad[n++] = spending(ITP_SPEND_KD, -1.0);
        bad[n++] = spending(ITP_SPEND_KD, (double)NAN);
        bad[n++] = spending(ITP_SPEND_HSD, (double)NAN);
        bad[n++] = spending(ITP_SPEND_HSD, HUGE_VAL);
        bad[n++] = spending((itp_spend_kind)99, 0.0);
        for (int u = 0; u < 4; u++) {
            itp_spending s = spending(ITP_SPEND_USER, 0.0);
            s.n_user = 3;
            for (int i = 0; i < 3; i++) {
                s.user_t[i] = t3[i];
                s.user_frac[i] = (double[]){ 0.1, 0.5, 1.0 }[i];
            }
            if (u == 0)
                s.n_user = 0;
            else if (u == 1)
                s.user_frac[1] = 0.05; /* decreasing */
            else if (u == 2)
                s.user_frac[2] = 0.9; /* not all of alpha */
            else
                s.user_t[1] = 0.2; /* t not increasing */
            bad[n++] = s;
        }
        for (int j = 0; j < n; j++) {
            assert_int_equal(itp_gs_spending_check(&bad[j]), ITP_EINPUT);
            assert_int_equal(itp_gs_bounds(&bad[j], 0.025, 3, t3, 1, b), ITP_EINPUT);
            assert_true(isnan(itp_gs_spend(&bad[j], 0.025, 0.5)));
        }
    }
    assert_true(isnan(itp_gs_spend(&of, 0.5, 0.5)));
    assert_true(isnan(itp_gs_spend(&of, 0.025, (double)NAN)));
    for (int i = 0; i < 6; i++)
        assert_true(b[i] == 7.0);

    {
        const double bb[3] = { 3.0, 2.5, 2.0 }, bnan[3] = { 3.0, (double)NAN, 2.0 };
        const double bneg[3] = { 3.0, -HUGE_VAL, 2.0 };
        const double a_over[3] = { 0.0, 2.6, -HUGE_VAL }, a_inf[3] = { 0.0, HUGE_VAL, 1.0 };
        assert_int_equal(itp_gs_probs(0, t3, NULL, bb, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(6, t6, NULL, bb, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, tdec, NULL, bb, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, NULL, bnan, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, NULL, bneg, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, a_over, bb, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, a_inf, bb, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, NULL, bb, HUGE_VAL, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, NULL, bb, (double)NAN, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, NULL, NULL, bb, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, NULL, NULL, 0.0, pe, NULL), ITP_EINPUT);
        assert_int_equal(itp_gs_probs(3, t3, NULL, bb, 0.0, NULL, NULL), ITP_EINPUT);
        for (int i = 0; i < 3; i++)
            assert_true(pe[i] == 7.0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_stage),
        cmocka_unit_test(test_spend_values),
        cmocka_unit_test(test_null_spends_alpha),
        cmocka_unit_test(test_zero_increment),
        cmocka_unit_test(test_two_stages_exact),
        cmocka_unit_test(test_probs_total_and_drift),
        cmocka_unit_test(test_user_reproduces_of),
        cmocka_unit_test(test_conditional_power),
        cmocka_unit_test(test_invalid),
    };
    gsl_set_error_handler_off();
    return cmocka_run_group_tests_name("gsdesign", tests, NULL, NULL);
}
