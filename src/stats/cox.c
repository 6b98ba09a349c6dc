/* Cox proportional hazards model for one binary covariate (the treatment
 * group), stratified, with Efron or Breslow handling of tied event times.
 *
 * Partial likelihood (Cox 1972; Breslow 1974; Efron 1977; Klein &
 * Moeschberger, Survival Analysis, 2nd ed. 2003, section 8.4), as R coxph
 * (coxfit6.c). With x in {0, 1} and r = exp(beta), at an event time with n0,
 * n1 at risk and d0, d1 events (d = d0 + d1):
 *   S0 = n0 + n1 r, S1 = S2 = n1 r, D0 = d0 + d1 r, D1 = D2 = d1 r
 *   Breslow: l += d1 beta - d log S0
 *            U += d1 - d S1/S0,  I += d (S1/S0 - (S1/S0)^2)
 *   Efron:   for k = 0..d-1, f = k/d, a = S0 - f D0, b = S1 - f D1:
 *            l += - log a, U += - b/a, I += b/a - (b/a)^2;  plus l += d1 beta,
 *            U += d1
 * summed over event times within every stratum (a baseline hazard per
 * stratum). Newton-Raphson from beta = 0 with step halving and R's stopping
 * rule |1 - l_old / l_new| <= 1e-9.
 *
 * Existence of the maximum: U(beta) decreases from
 *   U(-inf) = sum of d1 over event times with n0 > 0
 * to
 *   U(+inf) = - sum of d0 over event times with n1 > 0,
 * for both tie methods. The maximum is finite iff both are nonzero; one zero
 * means a monotone likelihood (beta = -+inf), both zero a flat one. This is
 * checked before iterating, so an infinite estimate is never reported as a
 * large finite beta. */
#include "itpsim/survival.h"
#include "itpsim/error.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

/* Log partial likelihood, score and information at beta over the table.
 * beta = -+HUGE_VAL gives the limit of the log-likelihood (used for the
 * supremum of a monotone likelihood); score and information are then 0. */
static void cox_eval(const itp_surv_table *tab, itp_cox_ties ties, double beta,
                     double *loglik, double *score, double *info)
{
    double l = 0.0, u = 0.0, im = 0.0;
    /* exp(beta) once, not per row; an infinite beta takes the branch
     * below and does not use it */
    double r = exp(beta);
    size_t row;

    for (row = 0; row < tab->nrows; row++) {
        double n0 = tab->nrisk[0][row], n1 = tab->nrisk[1][row];
        double d0 = tab->nevent[0][row], d1 = tab->nevent[1][row];
        double d = d0 + d1;
        double s0, s1, e0, e1;

        if (isinf(beta)) {
            /* Divide every risk sum by the dominant group's weight. A
             * group at risk with weight 0 drops out; d1 beta then cancels
             * against the d log r it leaves in the denominators, when the
             * limit is finite (the caller checks that it is). */
            if ((beta < 0.0 && n0 > 0.0) || (beta > 0.0 && n1 == 0.0)) {
                s0 = n0; e0 = d0;
            } else {
                s0 = n1; e0 = d1;
            }
            if (ties == ITP_COX_BRESLOW) {
                l -= d * log(s0);
            } else {
                double k;
                for (k = 0.0; k < d; k += 1.0)
                    l -= log(s0 - k / d * e0);
            }
            continue;
        }

        {
            s0 = n0 + n1 * r;
            s1 = n1 * r;
            e0 = d0 + d1 * r;
            e1 = d1 * r;
        }
        l += d1 * beta;
        u += d1;
        if (ties == ITP_COX_BRESLOW) {
            double p = s1 / s0;
            l -= d * log(s0);
            u -= d * p;
            im += d * (p - p * p);
        } else {
            double k;
            for (k = 0.0; k < d; k += 1.0) {
                double f = k / d;
                double a = s0 - f * e0;
                double p = (s1 - f * e1) / a;
                l -= log(a);
                u -= p;
                im += p - p * p;
            }
        }
    }
    *loglik = l;
    *score = u;
    *info = im;
}

static void cox_set_nan(itp_cox_result *res)
{
    res->se = (double)NAN;
    res->hr_lower = (double)NAN;
    res->hr_upper = (double)NAN;
    res->z = (double)NAN;
    res->p_one_sided = (double)NAN;
    res->p_two_sided = (double)NAN;
}

int itp_surv_cox(const itp_surv_data *d, itp_cox_ties ties, double conf_level,
                 itp_surv_workspace *w, itp_cox_result *res)
{
    if (res == NULL)
        return ITP_EINPUT;
    int status = itp_surv_tabulate(d, ITP_SURV_ALL, 1, w);
    return status != ITP_OK ? status : itp_surv_cox_table(&w->tab, ties, conf_level, res);
}

int itp_surv_cox_table(const itp_surv_table *tab, itp_cox_ties ties, double conf_level,
                       itp_cox_result *res)
{
    double u_lo = 0.0, u_hi = 0.0;   /* U(-inf) and -U(+inf) */
    double beta, newbeta, ll, newll, u, im, zq;
    size_t row;
    int iter, halving = 0;

    if (tab == NULL || res == NULL || (ties != ITP_COX_EFRON && ties != ITP_COX_BRESLOW)
        || !(conf_level > 0.0 && conf_level < 1.0))
        return ITP_EINPUT;
    for (row = 0; row < tab->nrows; row++) {
        if (tab->nrisk[0][row] > 0.0)
            u_lo += tab->nevent[1][row];
        if (tab->nrisk[1][row] > 0.0)
            u_hi += tab->nevent[0][row];
    }
    cox_eval(tab, ties, 0.0, &ll, &u, &im);
    res->loglik_null = ll;
    res->iterations = 0;
    res->converged = 0;
    res->monotone = 0;
    res->not_estimable = 0;

    if (u_lo == 0.0 || u_hi == 0.0) {
        cox_set_nan(res);
        if (u_lo == 0.0 && u_hi == 0.0) {
            res->not_estimable = 1;
            res->beta = (double)NAN;
            res->hr = (double)NAN;
            res->loglik = ll;
        } else {
            res->monotone = 1;
            res->beta = u_lo == 0.0 ? -(double)INFINITY : (double)INFINITY;
            res->hr = u_lo == 0.0 ? 0.0 : (double)INFINITY;
            cox_eval(tab, ties, res->beta, &res->loglik, &u, &im);
        }
        return ITP_OK;
    }

    /* Newton-Raphson in the order of R's coxfit6: evaluate at the proposal,
     * stop if the log-likelihood barely moved (not right after a halving),
     * halve a step that lowered it, otherwise accept and step again. */
    beta = 0.0;
    newbeta = u / im;
    for (iter = 1; iter <= ITP_COX_MAX_ITER; iter++) {
        double newu, newim;
        cox_eval(tab, ties, newbeta, &newll, &newu, &newim);
        res->iterations = iter;
        if (!halving && fabs(1.0 - ll / newll) <= ITP_COX_EPS) {
            beta = newbeta;
            ll = newll;
            im = newim;
            res->converged = 1;
            break;
        }
        if (iter == ITP_COX_MAX_ITER)
            break;
        if (!(newll >= ll)) {   /* also catches NaN */
            halving = 1;
            newbeta = 0.5 * (newbeta + beta);
        } else {
            halving = 0;
            beta = newbeta;
            ll = newll;
            im = newim;
            newbeta = beta + newu / newim;
        }
    }
    if (!res->converged)        /* report the last accepted iterate */
        cox_eval(tab, ties, beta, &ll, &u, &im);
    if (!(im > 0.0) || !isfinite(beta))
        return ITP_ENUMERIC;    /* cannot happen when both limits are nonzero */

    zq = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * conf_level);
    res->beta = beta;
    res->se = 1.0 / sqrt(im);
    res->hr = exp(beta);
    res->hr_lower = exp(beta - zq * res->se);
    res->hr_upper = exp(beta + zq * res->se);
    res->z = beta / res->se;
    res->p_one_sided = gsl_cdf_ugaussian_P(res->z);
    res->p_two_sided = gsl_cdf_chisq_Q(res->z * res->z, 1.0);
    res->loglik = ll;
    return ITP_OK;
}
