/* The exact tests of a binary endpoint: Fisher's exact test with the
 * conditional maximum-likelihood odds ratio, and the exact binomial test with
 * the Clopper-Pearson interval. The formulas and R's conventions they follow
 * are in the header of binary.c. */
#include "itpsim/binary.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include "binary_internal.h"

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
    int done;
    itp_status st = itp_bin_begin(cnt, conf_level, out, &pt, &done);

    if (st != ITP_OK || done)
        return st;
    h.m1 = (unsigned int)pt.m1;
    h.m0 = (unsigned int)pt.m0;
    h.t = (unsigned int)pt.n1;
    h.x = (unsigned int)pt.a;
    h.lo = h.t > h.m0 ? h.t - h.m0 : 0;
    h.hi = h.t < h.m1 ? h.t : h.m1;
    out->statistic = pt.a;
    if (h.lo == h.hi) {
        /* a zero margin: one table is possible, p = 1, odds ratio 0/0 */
        itp_bin_set_not_estimable(out);
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
    itp_bin_clear_result(out);
    if (n == 0) {
        itp_bin_set_no_data(out);
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
