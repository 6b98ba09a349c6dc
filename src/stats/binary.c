/* Binary-endpoint tests: Cochran-Mantel-Haenszel, Pearson chi-square,
 * Fisher's exact test, risk difference, exact binomial test.
 *
 * Notation for one 2x2 table (stratum k, or the pooled table):
 *   a = x1, b = n1 - x1 (experimental), c = x0, d = n0 - x0 (control),
 *   N = n0 + n1, m1 = a + c responders, m0 = b + d non-responders.
 *
 * Cochran-Mantel-Haenszel (Mantel and Haenszel, J Natl Cancer Inst 1959;
 * Agresti, Categorical Data Analysis, 3rd ed. 2013, sec. 6.4.2):
 *   E_k = n1 m1 / N,  V_k = n1 n0 m1 m0 / (N^2 (N - 1)),
 *   z = sum(a_k - E_k) / sqrt(sum V_k),  CMH = z^2 ~ chi-square(1).
 * Common odds ratio OR_MH = sum(a d / N) / sum(b c / N), and the variance of
 * log OR_MH of Robins, Breslow and Greenland (Biometrics 1986):
 *   with P = (a+d)/N, Q = (b+c)/N, R = a d / N, S = b c / N,
 *   var = sum(P R) / (2 R+^2) + sum(P S + Q R) / (2 R+ S+) + sum(Q S) / (2 S+^2).
 * Both exactly as R's mantelhaen.test (stats package, R 4.2).
 *
 * Pearson chi-square for a 2x2 table (Agresti 2013, sec. 3.2.1):
 *   X^2 = N (a d - b c)^2 / (n1 n0 m1 m0),  z = sign(a d - b c) sqrt(X^2),
 * the one-sided p-value from z as R's prop.test(correct = FALSE).
 *
 * Fisher's exact test (Fisher 1935; Agresti 2013, sec. 3.5): given the
 * margins, a is hypergeometric, P(a) = C(m1, a) C(m0, n1 - a) / C(N, n1), on
 * the support lo = max(0, n1 - m0) .. hi = min(n1, m1). One-sided p-value
 * P(A >= a); two-sided: sum of P(i) over i with P(i) <= P(a) (1 + 1e-7), as
 * R's fisher.test. The odds-ratio estimate is the conditional MLE: under odds
 * ratio psi, A is Fisher's noncentral hypergeometric, P_psi(i) ~ P(i) psi^i,
 * and the MLE solves E_psi(A) = a; the CI end points solve
 * P_psi(A >= a) = alpha/2 (lower) and P_psi(A <= a) = alpha/2 (upper)
 * (Cornfield 1956; as fisher.test). We solve them in theta = log psi by
 * Newton's method safeguarded by bisection: each target is increasing in
 * theta with derivative a covariance under P_psi, so Newton converges fast.
 *
 * Risk difference p1 - p0 with the Wald CI (Agresti 2013, sec. 3.1.2) and
 * Newcombe's hybrid score CI (Newcombe, Stat Med 1998, method 10):
 *   L = d - sqrt((p1 - l1)^2 + (u0 - p0)^2),
 *   U = d + sqrt((u1 - p1)^2 + (p0 - l0)^2),
 * with (l_i, u_i) the Wilson score interval of arm i (Wilson, JASA 1927).
 * The z test uses the unpooled (Wald) SE, except under complete separation
 * (one arm all responders, the other none), where that SE is 0: there the
 * pooled SE sqrt(pbar (1 - pbar) (1/n1 + 1/n0)), pbar = m1 / N, of the
 * score test with null difference 0 (Farrington-Manning; Miettinen-Nurminen
 * without the N/(N-1) factor), whose z^2 is Pearson's X^2 (prop.test with
 * correct = FALSE).
 *
 * Mantel-Haenszel common risk difference (Greenland & Robins, Biometrics
 * 1985), weights w_k = n1k n0k / N_k:
 *   RD_MH = sum (a_k n0k - c_k n1k) / N_k / W,  W = sum w_k,
 * with the variance of Sato (Biometrics 1989), consistent both for many
 * sparse strata and for few large ones:
 *   var = (RD_MH P + Q) / W^2,
 *   P = sum (n1k^2 c_k - n0k^2 a_k + n1k n0k (n0k - n1k) / 2) / N_k^2,
 *   Q = sum (a_k (n0k - c_k) + c_k (n1k - a_k)) / (2 N_k);
 * as metafor's rma.mh(measure = "RD"); one stratum gives the Wald variance.
 *
 * Exact binomial test (as R's binom.test) with the Clopper-Pearson interval
 * (Biometrika 1934): lower = B^-1(alpha/2; x, n - x + 1),
 * upper = B^-1(1 - alpha/2; x + 1, n - x), B the beta distribution
 * function, inverted by our own safeguarded Newton iteration (see
 * beta_quantile for why not gsl_cdf_beta_Pinv).
 */
#include "itpsim/binary.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "binary_internal.h"

itp_status itp_bin_check_input(const itp_binary_counts *cnt, double conf_level,
                               const itp_binary_result *out, pooled *pt)
{
    unsigned long long x0 = 0, n0 = 0, x1 = 0, n1 = 0;
    size_t k;

    if (cnt == NULL || out == NULL || cnt->nstrata == 0 || cnt->x0 == NULL
        || cnt->n0 == NULL || cnt->x1 == NULL || cnt->n1 == NULL)
        return ITP_EINPUT;
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return ITP_EINPUT;
    for (k = 0; k < cnt->nstrata; k++) {
        if (cnt->x0[k] > cnt->n0[k] || cnt->x1[k] > cnt->n1[k])
            return ITP_EINPUT;
        x0 += cnt->x0[k]; n0 += cnt->n0[k];
        x1 += cnt->x1[k]; n1 += cnt->n1[k];
    }
    if (n0 + n1 > UINT_MAX)
        return ITP_ERANGE;
    pt->a = (double)x1;
    pt->b = (double)(n1 - x1);
    pt->c = (double)x0;
    pt->d = (double)(n0 - x0);
    pt->n1 = (double)n1;
    pt->n0 = (double)n0;
    pt->m1 = (double)(x0 + x1);
    pt->m0 = (double)(n0 + n1 - x0 - x1);
    pt->n = (double)(n0 + n1);
    return ITP_OK;
}

/* The result written when no test is possible: never rejects. */
void itp_bin_set_no_test(itp_binary_result *out)
{
    out->statistic = 0.0;
    out->z = 0.0;
    out->p_greater = 1.0;
    out->p_two_sided = 1.0;
    out->flags |= ITP_BINARY_NO_TEST;
}

void itp_bin_set_not_estimable(itp_binary_result *out)
{
    out->estimate = NOT_A_NUMBER;
    out->ci_lower = NOT_A_NUMBER;
    out->ci_upper = NOT_A_NUMBER;
    out->flags |= ITP_BINARY_NOT_ESTIMABLE;
}

void itp_bin_set_no_data(itp_binary_result *out)
{
    itp_bin_set_no_test(out);
    itp_bin_set_not_estimable(out);
    out->flags |= ITP_BINARY_NO_DATA;
}

void itp_bin_clear_result(itp_binary_result *out)
{
    out->statistic = 0.0;
    out->z = 0.0;
    out->p_greater = 1.0;
    out->p_two_sided = 1.0;
    out->estimate = 0.0;
    out->ci_lower = 0.0;
    out->ci_upper = 0.0;
    out->flags = 0;
}

itp_status itp_bin_begin(const itp_binary_counts *cnt, double conf_level,
                         itp_binary_result *out, pooled *pt, int *done)
{
    itp_status st = itp_bin_check_input(cnt, conf_level, out, pt);
    *done = 0;
    if (st != ITP_OK)
        return st;
    itp_bin_clear_result(out);
    if (pt->n == 0.0) {
        itp_bin_set_no_data(out);
        *done = 1;
    }
    return ITP_OK;
}

/* Upper standard normal quantile for a two-sided interval. */
static double two_sided_quantile(double conf_level)
{
    return gsl_cdf_ugaussian_Qinv(0.5 * (1.0 - conf_level));
}

/* ---- Cochran-Mantel-Haenszel ------------------------------------------- */

itp_status itp_binary_cmh(const itp_binary_counts *cnt, double conf_level,
                          itp_binary_result *out)
{
    pooled pt;
    double delta = 0.0, var = 0.0;
    double r_sum = 0.0, s_sum = 0.0, pr = 0.0, ps_qr = 0.0, qs = 0.0;
    int any = 0;
    size_t k;
    itp_status st = itp_bin_check_input(cnt, conf_level, out, &pt);

    if (st != ITP_OK)
        return st;
    itp_bin_clear_result(out);
    for (k = 0; k < cnt->nstrata; k++) {
        double a = cnt->x1[k], b = (double)cnt->n1[k] - cnt->x1[k];
        double c = cnt->x0[k], d = (double)cnt->n0[k] - cnt->x0[k];
        double n1 = a + b, n0 = c + d, m1 = a + c, m0 = b + d;
        double n = n1 + n0;
        double p, q, r, s;

        if (n < 2.0)
            continue;
        any = 1;
        delta += a - n1 * m1 / n;
        var += n1 * n0 * m1 * m0 / (n * n * (n - 1.0));
        p = (a + d) / n;
        q = (b + c) / n;
        r = a * d / n;
        s = b * c / n;
        r_sum += r;
        s_sum += s;
        pr += p * r;
        ps_qr += p * s + q * r;
        qs += q * s;
    }
    if (!any) {
        itp_bin_set_no_data(out);
        return ITP_OK;
    }
    if (var > 0.0) {
        out->statistic = delta * delta / var;
        out->z = delta / sqrt(var);
        out->p_greater = gsl_cdf_ugaussian_Q(out->z);
        out->p_two_sided = gsl_cdf_chisq_Q(out->statistic, 1.0);
    } else {
        itp_bin_set_no_test(out);
    }
    if (r_sum == 0.0 && s_sum == 0.0) {
        itp_bin_set_not_estimable(out);
    } else if (r_sum == 0.0 || s_sum == 0.0) {
        out->estimate = s_sum == 0.0 ? POS_INF : 0.0;
        out->ci_lower = 0.0;
        out->ci_upper = POS_INF;
        out->flags |= ITP_BINARY_CI_DEGENERATE;
    } else {
        double sd = sqrt(pr / (2.0 * r_sum * r_sum)
                         + ps_qr / (2.0 * r_sum * s_sum)
                         + qs / (2.0 * s_sum * s_sum));
        double zq = two_sided_quantile(conf_level);
        out->estimate = r_sum / s_sum;
        out->ci_lower = out->estimate * exp(-zq * sd);
        out->ci_upper = out->estimate * exp(zq * sd);
    }
    return ITP_OK;
}

/* ---- Mantel-Haenszel common risk difference ----------------------------- */

itp_status itp_binary_mh_rd(const itp_binary_counts *cnt, double conf_level,
                            itp_binary_result *out)
{
    pooled pt;
    double w = 0.0, num = 0.0, ps = 0.0, qs = 0.0;
    size_t k;
    itp_status st = itp_bin_check_input(cnt, conf_level, out, &pt);

    if (st != ITP_OK)
        return st;
    itp_bin_clear_result(out);
    for (k = 0; k < cnt->nstrata; k++) {
        double a = cnt->x1[k], n1 = cnt->n1[k], c = cnt->x0[k], n0 = cnt->n0[k];
        double n = n1 + n0;

        if (n1 == 0.0 || n0 == 0.0)
            continue;           /* weight n1 n0 / N = 0: no information */
        w += n1 * n0 / n;
        num += (a * n0 - c * n1) / n;
        ps += (n1 * n1 * c - n0 * n0 * a + 0.5 * n1 * n0 * (n0 - n1)) / (n * n);
        qs += (a * (n0 - c) + c * (n1 - a)) / (2.0 * n);
    }
    itp_bin_set_no_test(out);   /* an estimator only: no test */
    if (w == 0.0) {
        itp_bin_set_not_estimable(out);
        return ITP_OK;
    }
    {
        double rd = num / w, var = (rd * ps + qs) / (w * w);
        double se = var > 0.0 ? sqrt(var) : 0.0, zq = two_sided_quantile(conf_level);

        out->estimate = rd;
        out->ci_lower = fmax(rd - zq * se, -1.0);
        out->ci_upper = fmin(rd + zq * se, 1.0);
        if (se == 0.0)
            out->flags |= ITP_BINARY_CI_DEGENERATE;
    }
    return ITP_OK;
}

/* ---- risk difference (shared by chisq and the rd tests) ----------------- */

/* Wald estimate and CI of p1 - p0 into out; returns the standard error
 * (0 when it collapses, negative when an arm is empty). */
static double rd_wald_estimate(const pooled *pt, double conf_level,
                               itp_binary_result *out)
{
    double p1, p0, se, diff, zq;

    if (pt->n1 == 0.0 || pt->n0 == 0.0) {
        itp_bin_set_not_estimable(out);
        return -1.0;
    }
    p1 = pt->a / pt->n1;
    p0 = pt->c / pt->n0;
    diff = p1 - p0;
    se = sqrt(p1 * (1.0 - p1) / pt->n1 + p0 * (1.0 - p0) / pt->n0);
    zq = two_sided_quantile(conf_level);
    out->estimate = diff;
    out->ci_lower = fmax(diff - zq * se, -1.0);
    out->ci_upper = fmin(diff + zq * se, 1.0);
    if (se == 0.0)
        out->flags |= ITP_BINARY_CI_DEGENERATE;
    return se;
}

/* ---- Pearson chi-square ------------------------------------------------ */

itp_status itp_binary_chisq(const itp_binary_counts *cnt, double conf_level,
                            itp_binary_result *out)
{
    pooled pt;
    int done;
    itp_status st = itp_bin_begin(cnt, conf_level, out, &pt, &done);

    if (st != ITP_OK || done)
        return st;
    if (pt.n1 > 0.0 && pt.n0 > 0.0 && pt.m1 > 0.0 && pt.m0 > 0.0) {
        double cross = pt.a * pt.d - pt.b * pt.c;
        /* z first, so that the statistic is z^2 exactly */
        out->z = cross * sqrt(pt.n / (pt.n1 * pt.n0))
                 / sqrt(pt.m1 * pt.m0);
        out->statistic = out->z * out->z;
        out->p_greater = gsl_cdf_ugaussian_Q(out->z);
        out->p_two_sided = gsl_cdf_chisq_Q(out->statistic, 1.0);
    } else {
        itp_bin_set_no_test(out);
    }
    (void)rd_wald_estimate(&pt, conf_level, out);
    return ITP_OK;
}

/* ---- risk difference, Wald and Newcombe -------------------------------- */

static itp_status rd_common(const itp_binary_counts *cnt, double conf_level,
                            itp_binary_result *out, pooled *pt)
{
    double se;
    int done;
    itp_status st = itp_bin_begin(cnt, conf_level, out, pt, &done);

    if (st != ITP_OK || done)
        return st;
    se = rd_wald_estimate(pt, conf_level, out);
    if (se == 0.0 && pt->m1 > 0.0 && pt->m0 > 0.0) {
        /* complete separation (every responder in one arm, e.g. 10/10 vs
         * 0/10): the unpooled SE is 0 although the data are anything but
         * null; the score test's pooled SE under p1 = p0 is used instead */
        double pbar = pt->m1 / pt->n;
        se = sqrt(pbar * (1.0 - pbar) * (1.0 / pt->n1 + 1.0 / pt->n0));
        out->flags |= ITP_BINARY_SCORE_TEST;
    }
    if (se > 0.0) {
        out->z = out->estimate / se;
        out->statistic = out->z;
        out->p_greater = gsl_cdf_ugaussian_Q(out->z);
        out->p_two_sided = 2.0 * gsl_cdf_ugaussian_Q(fabs(out->z));
    } else {
        itp_bin_set_no_test(out);
    }
    return ITP_OK;
}

itp_status itp_binary_rd_wald(const itp_binary_counts *cnt, double conf_level,
                              itp_binary_result *out)
{
    pooled pt;
    return rd_common(cnt, conf_level, out, &pt);
}

/* Wilson score interval for x of n (n > 0), written as R's prop.test. */
static void wilson(double x, double n, double zq, double *lo, double *hi)
{
    double p = x / n;
    double z22n = zq * zq / (2.0 * n);
    double half = zq * sqrt(p * (1.0 - p) / n + z22n / (2.0 * n));
    *lo = p <= 0.0 ? 0.0 : (p + z22n - half) / (1.0 + 2.0 * z22n);
    *hi = p >= 1.0 ? 1.0 : (p + z22n + half) / (1.0 + 2.0 * z22n);
}

itp_status itp_binary_rd_newcombe(const itp_binary_counts *cnt,
                                  double conf_level, itp_binary_result *out)
{
    pooled pt;
    double zq, p1, p0, l1, u1, l0, u0;
    itp_status st = rd_common(cnt, conf_level, out, &pt);

    if (st != ITP_OK || (out->flags & ITP_BINARY_NOT_ESTIMABLE))
        return st;
    zq = two_sided_quantile(conf_level);
    p1 = pt.a / pt.n1;
    p0 = pt.c / pt.n0;
    wilson(pt.a, pt.n1, zq, &l1, &u1);
    wilson(pt.c, pt.n0, zq, &l0, &u0);
    out->ci_lower = out->estimate - sqrt((p1 - l1) * (p1 - l1)
                                         + (u0 - p0) * (u0 - p0));
    out->ci_upper = out->estimate + sqrt((u1 - p1) * (u1 - p1)
                                         + (p0 - l0) * (p0 - l0));
    out->flags &= ~(unsigned int)ITP_BINARY_CI_DEGENERATE;
    return ITP_OK;
}

/* ---- by name ----------------------------------------------------------- */

const itp_binary_test itp_binary_tests[] = {
    {"cmh", itp_binary_cmh,
     "Cochran-Mantel-Haenszel test over strata; MH common odds ratio"},
    {"chisq", itp_binary_chisq,
     "Pearson chi-square, pooled table; risk difference with Wald CI"},
    {"fisher", itp_binary_fisher,
     "Fisher's exact test, pooled table; conditional MLE odds ratio"},
    {"rd_wald", itp_binary_rd_wald,
     "Wald z test of the pooled risk difference; Wald CI"},
    {"rd_newcombe", itp_binary_rd_newcombe,
     "Wald z test of the pooled risk difference; Newcombe hybrid score CI"},
    {NULL, NULL, NULL}
};

const itp_binary_test *itp_binary_test_lookup(const char *name)
{
    const itp_binary_test *t;

    if (name == NULL)
        return NULL;
    for (t = itp_binary_tests; t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}
