/* Probit regression by iteratively reweighted least squares (probit.h). */
#include "itpsim/probit.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>

#define MAX_ITER 100
/* the relative change of the deviance that ends the iterations (R's
 * glm.control uses 1e-8; tighter, for the reference check against it) */
#define TOL 1e-12
/* eta is held within +-ETA_MAX when weights are formed: beyond it Phi is
 * 1 or 0 in double precision and the weight would be 0/0 */
#define ETA_MAX 8.0

/* The binomial deviance of r of m at probabilities Phi(a + b x). */
static double deviance(const double *x, const double *r, const double *m, size_t n, double a,
                       double b)
{
    double d = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(m[i] > 0))
            continue;
        double eta = a + b * x[i];
        double p = gsl_cdf_ugaussian_P(eta), q = gsl_cdf_ugaussian_Q(eta);
        if (r[i] > 0)
            d += r[i] * log(r[i] / (m[i] * p));
        if (m[i] - r[i] > 0)
            d += (m[i] - r[i]) * log((m[i] - r[i]) / (m[i] * q));
    }
    return 2.0 * d;
}

/* The Fisher information of (a, b) at the estimate, inverted. */
static int covariance(const double *x, const double *m, size_t n, itp_probit *fit)
{
    double i00 = 0.0, i01 = 0.0, i11 = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(m[i] > 0))
            continue;
        double eta = fit->a + fit->b * x[i];
        double p = gsl_cdf_ugaussian_P(eta), q = gsl_cdf_ugaussian_Q(eta);
        double d = gsl_ran_ugaussian_pdf(eta);
        double w = p > 0 && q > 0 ? m[i] * d * d / (p * q) : 0.0;
        i00 += w;
        i01 += w * x[i];
        i11 += w * x[i] * x[i];
    }
    double det = i00 * i11 - i01 * i01;
    if (!(det > 0) || !isfinite(det))
        return -1;
    fit->v_aa = i11 / det;
    fit->v_ab = -i01 / det;
    fit->v_bb = i00 / det;
    return 0;
}

/* One IRLS step: the weighted least-squares fit of the working response
 * at (a, b) into c. */
static int irls_step(const double *x, const double *r, const double *m, size_t n, double a,
                     double b, int first, gsl_matrix *X, gsl_vector *w, gsl_vector *z,
                     gsl_vector *c, gsl_matrix *cov, gsl_multifit_linear_workspace *ws)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(m[i] > 0))
            continue;
        /* the first step starts from the observed shares, moved off 0 and
         * 1 (as R's binomial()$initialize does) */
        double eta = first ? gsl_cdf_ugaussian_Pinv((r[i] + 0.5) / (m[i] + 1.0)) : a + b * x[i];
        eta = fmax(-ETA_MAX, fmin(ETA_MAX, eta));
        double p = gsl_cdf_ugaussian_P(eta), q = gsl_cdf_ugaussian_Q(eta);
        double d = gsl_ran_ugaussian_pdf(eta);
        gsl_matrix_set(X, k, 0, 1.0);
        gsl_matrix_set(X, k, 1, x[i]);
        gsl_vector_set(w, k, m[i] * d * d / (p * q));
        gsl_vector_set(z, k, eta + (r[i] / m[i] - p) / d);
        k++;
    }
    double chisq;
    return gsl_multifit_wlinear(X, w, z, c, cov, &chisq, ws);
}

/* Are the points (quasi-)separated: every rejection at an x at or above
 * every non-rejection's x, or at or below? Then the likelihood grows
 * without bound as the slope does (no maximum; Albert & Anderson,
 * Biometrika 1984). */
static int separated(const double *x, const double *r, const double *m, size_t n)
{
    double yes_lo = HUGE_VAL, yes_hi = -HUGE_VAL, no_lo = HUGE_VAL, no_hi = -HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        if (!(m[i] > 0))
            continue;
        if (r[i] > 0) {
            yes_lo = fmin(yes_lo, x[i]);
            yes_hi = fmax(yes_hi, x[i]);
        }
        if (m[i] - r[i] > 0) {
            no_lo = fmin(no_lo, x[i]);
            no_hi = fmax(no_hi, x[i]);
        }
    }
    return yes_lo >= no_hi || yes_hi <= no_lo;
}

itp_status itp_probit_fit(const double *x, const double *r, const double *m, size_t n,
                          itp_probit *fit)
{
    size_t k = 0;
    int distinct = 0, some = 0, all = 1;
    double x0 = (double)NAN;
    for (size_t i = 0; i < n; i++) {
        if (!(m[i] > 0))
            continue;
        if (!(r[i] >= 0 && r[i] <= m[i]) || !isfinite(x[i]))
            return ITP_EINPUT;
        if (k == 0)
            x0 = x[i];
        else if (x[i] != x0)
            distinct = 1;
        some |= r[i] > 0;
        all &= r[i] >= m[i];
        k++;
    }
    if (k < 2 || !distinct)
        return ITP_EINPUT;
    if (!some || all || separated(x, r, m, n))
        return ITP_ENUMERIC;
    gsl_matrix *X = gsl_matrix_alloc(k, 2), *cov = gsl_matrix_alloc(2, 2);
    gsl_vector *w = gsl_vector_alloc(k), *z = gsl_vector_alloc(k), *c = gsl_vector_alloc(2);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(k, 2);
    itp_status st = ITP_OK;
    if (!X || !cov || !w || !z || !c || !ws)
        st = ITP_ENOMEM;
    /* GSL's error handler would abort on a singular fit: statuses instead */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double a = 0.0, b = 0.0, dev = HUGE_VAL;
    int it = 0, done = 0;
    for (; !st && it < MAX_ITER && !done; it++) {
        if (irls_step(x, r, m, n, a, b, it == 0, X, w, z, c, cov, ws)) {
            st = ITP_ENUMERIC;
            break;
        }
        double na = gsl_vector_get(c, 0), nb = gsl_vector_get(c, 1);
        double nd = deviance(x, r, m, n, na, nb);
        /* step halving while the deviance is not finite or rises */
        for (int h = 0; it > 0 && h < 30 && !(isfinite(nd) && nd <= dev * (1 + 1e-12)); h++) {
            na = 0.5 * (na + a);
            nb = 0.5 * (nb + b);
            nd = deviance(x, r, m, n, na, nb);
        }
        if (!isfinite(nd)) {
            st = ITP_ENUMERIC;
            break;
        }
        done = fabs(nd - dev) / (fabs(nd) + 0.1) < TOL;
        a = na;
        b = nb;
        dev = nd;
    }
    gsl_set_error_handler(old);
    if (!st && !done)
        st = ITP_ENUMERIC;
    if (!st) {
        fit->a = a;
        fit->b = b;
        fit->deviance = dev;
        fit->iterations = it;
        fit->points = (int)k;
        if (covariance(x, m, n, fit))
            st = ITP_ENUMERIC;
    }
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(w);
    gsl_vector_free(z);
    gsl_vector_free(c);
    if (ws)
        gsl_multifit_linear_free(ws);
    return st;
}

double itp_probit_at(const itp_probit *fit, double x, double z, double *lo, double *hi)
{
    double eta = fit->a + fit->b * x;
    double se = sqrt(fmax(0.0, fit->v_aa + 2.0 * x * fit->v_ab + x * x * fit->v_bb));
    if (lo)
        *lo = gsl_cdf_ugaussian_P(eta - z * se);
    if (hi)
        *hi = gsl_cdf_ugaussian_P(eta + z * se);
    return gsl_cdf_ugaussian_P(eta);
}

int itp_probit_inverse(const itp_probit *fit, double p, double z, double *x, double *lo,
                       double *hi)
{
    *lo = *hi = *x = (double)NAN;
    if (!(fit->b > 0))
        return -1;
    double t = gsl_cdf_ugaussian_Pinv(p), d = fit->a - t;
    *x = -d / fit->b;
    /* (d + b x)^2 = z^2 (v_aa + 2 x v_ab + x^2 v_bb): a quadratic in x
     * whose roots bound the interval when its leading coefficient is
     * positive (b / se(b) > z) */
    double z2 = z * z;
    double qa = fit->b * fit->b - z2 * fit->v_bb;
    double qb = 2.0 * (d * fit->b - z2 * fit->v_ab);
    double qc = d * d - z2 * fit->v_aa;
    double disc = qb * qb - 4.0 * qa * qc;
    if (!(qa > 0) || !(disc >= 0))
        return 1;
    double s = sqrt(disc);
    *lo = (-qb - s) / (2.0 * qa);
    *hi = (-qb + s) / (2.0 * qa);
    return 0;
}
