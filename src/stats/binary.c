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

/* R's relative tolerance for "as probable as the observed table" in
 * fisher.test and binom.test: guards against ties lost to rounding. */
#define ITP_EXACT_REL_ERR (1.0 + 1e-7)

/* INFINITY and NAN are floats in C11; -Wdouble-promotion wants the cast. */
#define POS_INF ((double)INFINITY)
#define NOT_A_NUMBER ((double)NAN)

/* Pooled table and checks shared by every two-arm test. */
typedef struct pooled {
    double a, b, c, d;          /* cells, see the file header */
    double n1, n0, m1, m0, n;   /* margins and total */
} pooled;

static itp_status check_input(const itp_binary_counts *cnt, double conf_level,
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
static void set_no_test(itp_binary_result *out)
{
    out->statistic = 0.0;
    out->z = 0.0;
    out->p_greater = 1.0;
    out->p_two_sided = 1.0;
    out->flags |= ITP_BINARY_NO_TEST;
}

static void set_not_estimable(itp_binary_result *out)
{
    out->estimate = NOT_A_NUMBER;
    out->ci_lower = NOT_A_NUMBER;
    out->ci_upper = NOT_A_NUMBER;
    out->flags |= ITP_BINARY_NOT_ESTIMABLE;
}

static void set_no_data(itp_binary_result *out)
{
    set_no_test(out);
    set_not_estimable(out);
    out->flags |= ITP_BINARY_NO_DATA;
}

static void clear_result(itp_binary_result *out)
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
    itp_status st = check_input(cnt, conf_level, out, &pt);

    if (st != ITP_OK)
        return st;
    clear_result(out);
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
        set_no_data(out);
        return ITP_OK;
    }
    if (var > 0.0) {
        out->statistic = delta * delta / var;
        out->z = delta / sqrt(var);
        out->p_greater = gsl_cdf_ugaussian_Q(out->z);
        out->p_two_sided = gsl_cdf_chisq_Q(out->statistic, 1.0);
    } else {
        set_no_test(out);
    }
    if (r_sum == 0.0 && s_sum == 0.0) {
        set_not_estimable(out);
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

/* ---- risk difference (shared by chisq and the rd tests) ----------------- */

/* Wald estimate and CI of p1 - p0 into out; returns the standard error
 * (0 when it collapses, negative when an arm is empty). */
static double rd_wald_estimate(const pooled *pt, double conf_level,
                               itp_binary_result *out)
{
    double p1, p0, se, diff, zq;

    if (pt->n1 == 0.0 || pt->n0 == 0.0) {
        set_not_estimable(out);
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
    itp_status st = check_input(cnt, conf_level, out, &pt);

    if (st != ITP_OK)
        return st;
    clear_result(out);
    if (pt.n == 0.0) {
        set_no_data(out);
        return ITP_OK;
    }
    if (pt.n1 > 0.0 && pt.n0 > 0.0 && pt.m1 > 0.0 && pt.m0 > 0.0) {
        double cross = pt.a * pt.d - pt.b * pt.c;
        /* z first, so that the statistic is z^2 exactly */
        out->z = cross * sqrt(pt.n / (pt.n1 * pt.n0))
                 / sqrt(pt.m1 * pt.m0);
        out->statistic = out->z * out->z;
        out->p_greater = gsl_cdf_ugaussian_Q(out->z);
        out->p_two_sided = gsl_cdf_chisq_Q(out->statistic, 1.0);
    } else {
        set_no_test(out);
    }
    (void)rd_wald_estimate(&pt, conf_level, out);
    return ITP_OK;
}

/* ---- risk difference, Wald and Newcombe -------------------------------- */

static itp_status rd_common(const itp_binary_counts *cnt, double conf_level,
                            itp_binary_result *out, pooled *pt)
{
    double se;
    itp_status st = check_input(cnt, conf_level, out, pt);

    if (st != ITP_OK)
        return st;
    clear_result(out);
    if (pt->n == 0.0) {
        set_no_data(out);
        return ITP_OK;
    }
    se = rd_wald_estimate(pt, conf_level, out);
    if (se > 0.0) {
        out->z = out->estimate / se;
        out->statistic = out->z;
        out->p_greater = gsl_cdf_ugaussian_Q(out->z);
        out->p_two_sided = 2.0 * gsl_cdf_ugaussian_Q(fabs(out->z));
    } else {
        set_no_test(out);
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

/* ---- Fisher's exact test ----------------------------------------------- */

/* Fisher's noncentral hypergeometric distribution of the experimental
 * responders given the margins; GSL's parameters: n1 = m1 responders,
 * n2 = m0 non-responders, t = experimental arm size. */
typedef struct nchg {
    unsigned int lo, hi;        /* support */
    unsigned int m1, m0, t;     /* GSL's n1, n2, t */
    unsigned int x;             /* observed count */
    double target;              /* alpha for the CI equations */
} nchg;

enum { NCHG_MEAN, NCHG_UPPER, NCHG_LOWER };

/* P(i+1) / P(i) under odds ratio 1, for lo <= i < hi. */
static double step_ratio(const nchg *h, unsigned int i)
{
    return (((double)h->m1 - i) * ((double)h->t - i))
           / (((double)i + 1.0) * ((double)h->m0 - h->t + i + 1.0));
}

/* Accumulators of nchg_eval, in a common (rescaled) unit. */
typedef struct nchg_sums {
    double s0, s1, s2;  /* sum of w, w (i - x), w (i - x)^2 */
    double su, sux;     /* the same over the tail i >= x or i <= x */
    double wmax;
} nchg_sums;

/* Weights above this are scaled down by NCHG_BIG; with |theta| <= 300 and
 * ratios below 2^64, one step cannot overflow from below it. */
#define NCHG_BIG 1e100
/* Weights below this fraction of the largest are left out once they are
 * decreasing (log-concave: all further ones are smaller still). */
#define NCHG_NEGLIGIBLE 1e-18

static void nchg_add(const nchg *h, nchg_sums *s, int what, unsigned int i,
                     double w)
{
    double dx = (double)i - h->x;
    s->s0 += w;
    s->s1 += w * dx;
    s->s2 += w * dx * dx;
    if ((what == NCHG_UPPER && i >= h->x) || (what == NCHG_LOWER && i <= h->x)) {
        s->su += w;
        s->sux += w * dx;
    }
    if (w > s->wmax)
        s->wmax = w;
}

static void nchg_rescale(nchg_sums *s, double *w, double *anchor)
{
    s->s0 /= NCHG_BIG; s->s1 /= NCHG_BIG; s->s2 /= NCHG_BIG;
    s->su /= NCHG_BIG; s->sux /= NCHG_BIG; s->wmax /= NCHG_BIG;
    *w /= NCHG_BIG;
    *anchor /= NCHG_BIG;
}

/* The function whose root is sought, g(theta), increasing in theta, and its
 * derivative: E(A) - x for the MLE; P(A >= x) - alpha for the lower end;
 * alpha - P(A <= x) for the upper end. The unnormalised weights are walked
 * from i = x outwards with w(i+1) = w(i) e^theta P(i+1)/P(i): no exp or log
 * per term, moments about x to avoid cancellation, rescaling against
 * overflow, and the negligible tails cut off. Requires |theta| <= 300. */
static double nchg_eval(const nchg *h, double theta, int what, double *deriv)
{
    nchg_sums s = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    double et = exp(theta), anchor = 1.0, w;
    unsigned int i;

    nchg_add(h, &s, what, h->x, 1.0);
    w = 1.0;
    for (i = h->x; i > h->lo; i--) {
        double f = et * step_ratio(h, i - 1);     /* w(i) / w(i-1) */
        w /= f;
        nchg_add(h, &s, what, i - 1, w);
        if (w > NCHG_BIG)
            nchg_rescale(&s, &w, &anchor);
        if (f > 1.0 && w < NCHG_NEGLIGIBLE * s.wmax)
            break;
    }
    w = anchor;
    for (i = h->x; i < h->hi; i++) {
        double f = et * step_ratio(h, i);         /* w(i+1) / w(i) */
        w *= f;
        nchg_add(h, &s, what, i + 1, w);
        if (w > NCHG_BIG)
            nchg_rescale(&s, &w, &anchor);
        if (f < 1.0 && w < NCHG_NEGLIGIBLE * s.wmax)
            break;
    }
    {
        double dmean = s.s1 / s.s0;              /* E(A) - x */
        double var = fmax(s.s2 / s.s0 - dmean * dmean, 0.0);
        double pu = s.su / s.s0;
        double cov = s.sux / s.s0 - pu * dmean;
        switch (what) {
        case NCHG_MEAN:
            *deriv = var;
            return dmean;
        case NCHG_UPPER:
            *deriv = cov;
            return pu - h->target;
        default:
            *deriv = -cov;
            return h->target - pu;
        }
    }
}

/* Root of the increasing g(theta): bracket by stepping out from start, then
 * Newton's method safeguarded by bisection. Returns ITP_ENUMERIC when no
 * bracket is found within |theta| <= 300 or no convergence in 200 steps.
 * Roots lie well inside: the ratios P(i+1)/P(i) are between 1/N^2 and N^2,
 * so |theta| at a root is below about 2 log N + log(1/alpha) < 60. */
static itp_status nchg_root(const nchg *h, int what, double start,
                            double *theta)
{
    double lo = start - 1.0, hi = start + 1.0, step = 1.0, d;
    double glo = nchg_eval(h, lo, what, &d);
    double ghi = nchg_eval(h, hi, what, &d);
    double t, g;
    int it;

    while (glo > 0.0) {
        hi = lo; ghi = glo;
        step *= 2.0;
        lo -= step;
        if (lo < -300.0)
            return ITP_ENUMERIC;
        glo = nchg_eval(h, lo, what, &d);
    }
    while (ghi < 0.0) {
        lo = hi; glo = ghi;
        step *= 2.0;
        hi += step;
        if (hi > 300.0)
            return ITP_ENUMERIC;
        ghi = nchg_eval(h, hi, what, &d);
    }
    t = 0.5 * (lo + hi);
    for (it = 0; it < 200; it++) {
        double tn;
        g = nchg_eval(h, t, what, &d);
        if (g == 0.0) {
            *theta = t;
            return ITP_OK;
        }
        if (g < 0.0)
            lo = t;
        else
            hi = t;
        tn = d > 0.0 ? t - g / d : 0.5 * (lo + hi);
        if (!(tn > lo && tn < hi))
            tn = 0.5 * (lo + hi);
        if (fabs(tn - t) <= 1e-13 * (1.0 + fabs(t)) || hi - lo <= 1e-13 * (1.0 + fabs(t))) {
            *theta = tn;
            return ITP_OK;
        }
        t = tn;
    }
    return ITP_ENUMERIC;
}

itp_status itp_binary_fisher(const itp_binary_counts *cnt, double conf_level,
                             itp_binary_result *out)
{
    pooled pt;
    nchg h;
    unsigned int i;
    double p_obs, sum, start, theta;
    itp_status st = check_input(cnt, conf_level, out, &pt);

    if (st != ITP_OK)
        return st;
    clear_result(out);
    if (pt.n == 0.0) {
        set_no_data(out);
        return ITP_OK;
    }
    h.m1 = (unsigned int)pt.m1;
    h.m0 = (unsigned int)pt.m0;
    h.t = (unsigned int)pt.n1;
    h.x = (unsigned int)pt.a;
    h.lo = h.t > h.m0 ? h.t - h.m0 : 0;
    h.hi = h.t < h.m1 ? h.t : h.m1;
    out->statistic = pt.a;
    if (h.lo == h.hi) {
        /* a zero margin: one table is possible, p = 1, odds ratio 0/0 */
        set_not_estimable(out);
        return ITP_OK;
    }

    out->p_greater = h.x <= h.lo ? 1.0
        : gsl_cdf_hypergeometric_Q(h.x - 1, h.m1, h.m0, h.t);
    p_obs = gsl_ran_hypergeometric_pdf(h.x, h.m1, h.m0, h.t)
            * ITP_EXACT_REL_ERR;
    sum = 0.0;
    for (i = h.lo; i <= h.hi; i++) {
        double p = gsl_ran_hypergeometric_pdf(i, h.m1, h.m0, h.t);
        if (p <= p_obs)
            sum += p;
    }
    out->p_two_sided = fmin(sum, 1.0);

    /* Starting point: the log sample odds ratio with 1/2 added to each cell. */
    start = log((pt.a + 0.5) * (pt.d + 0.5) / ((pt.b + 0.5) * (pt.c + 0.5)));
    if (h.x == h.lo) {
        out->estimate = 0.0;
    } else if (h.x == h.hi) {
        out->estimate = POS_INF;
    } else {
        h.target = 0.0;
        st = nchg_root(&h, NCHG_MEAN, start, &theta);
        if (st != ITP_OK)
            return st;
        out->estimate = exp(theta);
    }
    h.target = 0.5 * (1.0 - conf_level);
    if (h.x == h.lo) {
        out->ci_lower = 0.0;
    } else {
        st = nchg_root(&h, NCHG_UPPER, start, &theta);
        if (st != ITP_OK)
            return st;
        out->ci_lower = exp(theta);
    }
    if (h.x == h.hi) {
        out->ci_upper = POS_INF;
    } else {
        st = nchg_root(&h, NCHG_LOWER, start, &theta);
        if (st != ITP_OK)
            return st;
        out->ci_upper = exp(theta);
    }
    return ITP_OK;
}

/* ---- exact binomial ---------------------------------------------------- */

/* The u in (0, 1) with P(U <= u) = prob (upper = 0) or P(U > u) = prob
 * (upper = 1) for U ~ Beta(a, b), by Newton's method on gsl_cdf_beta_P/Q
 * safeguarded by bisection on [0, 1], started at a normal approximation.
 * Not gsl_cdf_beta_Pinv: for many Clopper-Pearson cases with n in the
 * hundreds it fails to converge, calls the GSL error handler (abort by
 * default) and returns NaN. */
static double beta_quantile(double prob, double a, double b, int upper)
{
    double lo = 0.0, hi = 1.0, u;
    int it;

    {
        double mean = a / (a + b);
        double sd = sqrt(mean * (1.0 - mean) / (a + b + 1.0));
        double zq = gsl_cdf_ugaussian_Qinv(prob);
        u = mean + (upper ? zq : -zq) * sd;
        if (!(u > 0.0 && u < 1.0))
            u = mean;
    }
    for (it = 0; it < 400; it++) {
        /* g(u) increasing in u, zero at the quantile */
        double g = upper ? prob - gsl_cdf_beta_Q(u, a, b)
                         : gsl_cdf_beta_P(u, a, b) - prob;
        double dens = gsl_ran_beta_pdf(u, a, b), un;
        if (g == 0.0)
            return u;
        if (g < 0.0)
            lo = u;
        else
            hi = u;
        un = dens > 0.0 ? u - g / dens : 0.5 * (lo + hi);
        if (!(un > lo && un < hi))
            un = 0.5 * (lo + hi);
        if (fabs(un - u) <= 1e-15 * u || hi - lo <= 1e-15 * u)
            return un;
        u = un;
    }
    return u;
}

itp_status itp_binary_binom_test(unsigned int x, unsigned int n, double p0,
                                 double conf_level, itp_binary_result *out)
{
    double alpha, d, m, pval;
    unsigned int i, y;

    if (out == NULL || x > n || !(p0 > 0.0 && p0 < 1.0)
        || !(conf_level > 0.0 && conf_level < 1.0))
        return ITP_EINPUT;
    clear_result(out);
    if (n == 0) {
        set_no_data(out);
        return ITP_OK;
    }
    out->statistic = x;
    out->p_greater = x == 0 ? 1.0 : gsl_cdf_binomial_Q(x - 1, p0, n);

    /* Two-sided as binom.test: the observed tail plus the opposite tail's
     * outcomes no more probable than the observed one. */
    d = gsl_ran_binomial_pdf(x, p0, n) * ITP_EXACT_REL_ERR;
    m = n * p0;
    if ((double)x == m) {
        pval = 1.0;
    } else if ((double)x < m) {
        y = 0;
        for (i = (unsigned int)ceil(m); i <= n; i++)
            if (gsl_ran_binomial_pdf(i, p0, n) <= d)
                y++;
        pval = gsl_cdf_binomial_P(x, p0, n)
               + (y == 0 ? 0.0 : gsl_cdf_binomial_Q(n - y, p0, n));
    } else {
        unsigned int top = (unsigned int)floor(m);
        y = 0;
        for (i = 0; i <= top; i++)
            if (gsl_ran_binomial_pdf(i, p0, n) <= d)
                y++;
        pval = (y == 0 ? 0.0 : gsl_cdf_binomial_P(y - 1, p0, n))
               + gsl_cdf_binomial_Q(x - 1, p0, n);
    }
    out->p_two_sided = fmin(pval, 1.0);

    alpha = 0.5 * (1.0 - conf_level);
    out->estimate = (double)x / n;
    out->ci_lower = x == 0 ? 0.0
        : beta_quantile(alpha, (double)x, (double)(n - x) + 1.0, 0);
    out->ci_upper = x == n ? 1.0
        : beta_quantile(alpha, (double)x + 1.0, (double)(n - x), 1);
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
