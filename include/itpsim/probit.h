/* Probit regression of binomial counts on one covariate (probit analysis:
 * Finney, Probit Analysis, 3rd ed., Cambridge University Press, 1971):
 * r_i rejections of m_i trials at x_i, P(reject) = Phi(a + b x), fitted by
 * maximum likelihood through iteratively reweighted least squares (each
 * step a weighted linear fit, gsl_multifit_wlinear). The covariance of
 * (a, b) is the inverse Fisher information at the estimate, as R's
 * glm(cbind(r, m - r) ~ x, family = binomial(link = "probit")) gives it.
 *
 * The sample size search (design/ssfit.c) fits it to the power at the sizes
 * it evaluated, with x = sqrt(n): for a test whose statistic is about
 * normal with a mean growing as sqrt(n), power = Phi(delta sqrt(n) - z),
 * a straight line in sqrt(n) on the probit scale. */
#ifndef ITPSIM_PROBIT_H
#define ITPSIM_PROBIT_H

#include <stddef.h>
#include "itpsim/error.h"

typedef struct itp_probit {
    double a, b;             /* probit(p) = a + b x */
    double v_aa, v_ab, v_bb; /* their covariance */
    double deviance;         /* the binomial deviance at the estimate */
    int iterations;          /* IRLS steps taken */
    int points;              /* points with m > 0 */
} itp_probit;

/* Fits r[i] of m[i] at x[i], i < n (r need not be whole: power x replicates
 * is). ITP_EINPUT when fewer than two distinct x carry trials or an r lies
 * outside [0, m]; ITP_ENUMERIC when the slope cannot be estimated (every
 * point at 0 or every point at m: the likelihood has no maximum) or the
 * iterations do not converge; ITP_ENOMEM. */
itp_status itp_probit_fit(const double *x, const double *r, const double *m, size_t n,
                          itp_probit *fit);

/* The fitted probability at x; *lo and *hi (may be NULL) the band
 * Phi(eta -+ z se(eta)), se(eta)^2 = v_aa + 2 x v_ab + x^2 v_bb (delta
 * method on the linear predictor, mapped through Phi). */
double itp_probit_at(const itp_probit *fit, double x, double z, double *lo, double *hi);

/* The x at which the fitted probability is p: (Phi^-1(p) - a) / b, and
 * [*lo, *hi] the x where the band of itp_probit_at crosses p (Fieller's
 * interval: the set of x whose band holds p). Returns 0; -1 when the slope
 * is not positive, 1 when the interval is unbounded (the slope not
 * significantly positive at that z: *lo, *hi NaN, *x still given). */
int itp_probit_inverse(const itp_probit *fit, double p, double z, double *x, double *lo,
                       double *hi);

#endif
