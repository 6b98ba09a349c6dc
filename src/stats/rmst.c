/* Restricted mean survival time per group up to a horizon tau, and the
 * difference between two groups with its Wald interval and test.
 *
 * The RMST is the area under the Kaplan-Meier curve on [0, tau] (Irwin,
 * J Hyg 1949; Royston & Parmar, BMC Med Res Methodol 2013; Uno et al.,
 * J Clin Oncol 2014). With the group's event times t_1 < ... < t_m <= tau,
 * t_0 = 0, t_{m+1} = tau, S_0 = 1 and S_j = prod_{k<=j} (1 - d_k / n_k):
 *   RMST = sum_{j=0..m} S_j (t_{j+1} - t_j)
 *   Var  = sum_{j=1..m} A_j^2 d_j / (n_j (n_j - d_j)),   A_j = RMST - R_j,
 * R_j = sum_{k<j} S_k (t_{k+1} - t_k) the area up to t_j, so A_j is the area
 * from t_j to tau; a term with n_j = d_j counts 0 (A_j = 0 there). This is
 * the Greenwood-type variance (Klein & Moeschberger, Survival Analysis, 2nd
 * ed. 2003, section 4.5) that R's print.survfit(rmean = tau) and the
 * survRM2 package report. The difference of two groups has the variance
 * Var_1 + Var_0 (independent samples).
 *
 * Both curves come from one unstratified risk-set table (logrank.c): a row
 * is an event time of either group, and a row without an event of group g
 * leaves S_g unchanged, so it is skipped for g. The variance takes a second
 * pass over the rows, A_j from the total area, since the kernel keeps no
 * array of its own (survival.h). */
#include "itpsim/survival.h"
#include "itpsim/error.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

/* RMST and its variance for group g of the table, up to tau. */
static void rmst_group(const itp_surv_table *tab, int g, double tau, double *area,
                       double *var)
{
    double s = 1.0, last = 0.0, total = 0.0, upto = 0.0, v = 0.0;
    size_t r;

    for (r = 0; r < tab->nrows && tab->time[r] <= tau; r++) {
        double n = tab->nrisk[g][r], dd = tab->nevent[g][r];
        if (dd == 0.0)
            continue;
        total += s * (tab->time[r] - last);
        last = tab->time[r];
        s *= (n - dd) / n;
    }
    total += s * (tau - last);

    /* again, now with the area from each event time to tau */
    s = 1.0;
    last = 0.0;
    for (r = 0; r < tab->nrows && tab->time[r] <= tau; r++) {
        double n = tab->nrisk[g][r], dd = tab->nevent[g][r];
        if (dd == 0.0)
            continue;
        upto += s * (tab->time[r] - last);
        last = tab->time[r];
        if (n > dd) {
            double a = total - upto;
            v += a * a * dd / (n * (n - dd));
        }
        s *= (n - dd) / n;
    }
    *area = total;
    *var = v;
}

int itp_surv_rmst(const itp_surv_data *d, double tau, double conf_level, itp_surv_workspace *w,
                  itp_rmst_result *res)
{
    const itp_surv_table *tab;
    double var[2];
    size_t n[2] = {0, 0}, i;
    int status, g;

    if (res == NULL || !(tau > 0.0 && isfinite(tau)) || !(conf_level > 0.0 && conf_level < 1.0))
        return ITP_EINPUT;
    status = itp_surv_tabulate(d, ITP_SURV_ALL, 0, w);
    if (status != ITP_OK)
        return status;
    tab = &w->tab;

    /* the largest follow-up time per group, and the curve at it: above 0
     * unless a row of the table leaves nobody of the group at risk */
    res->tmax[0] = res->tmax[1] = (double)NAN;
    for (i = 0; i < d->n; i++) {
        g = d->group[i];
        if (d->time[i] < 0.0)
            return ITP_EINPUT;
        if (n[g]++ == 0 || d->time[i] > res->tmax[g])
            res->tmax[g] = d->time[i];
    }
    res->tau = tau;
    res->not_estimable = n[0] == 0 || n[1] == 0;
    for (g = 0; g < 2; g++) {
        int falls_to_zero = 0;
        size_t r;
        for (r = 0; r < tab->nrows; r++)
            falls_to_zero |= tab->nevent[g][r] > 0.0 && tab->nevent[g][r] == tab->nrisk[g][r];
        res->extended[g] = n[g] > 0 && tau > res->tmax[g] && !falls_to_zero;
        if (n[g] > 0) {
            rmst_group(tab, g, tau, &res->rmst[g], &var[g]);
            res->se[g] = sqrt(var[g]);
        } else {
            res->rmst[g] = res->se[g] = var[g] = (double)NAN;
        }
    }

    res->diff = res->rmst[1] - res->rmst[0];
    res->se_diff = sqrt(var[0] + var[1]);
    res->no_test = !res->not_estimable && res->se_diff == 0.0;
    if (res->not_estimable || res->no_test) {
        res->lower = res->upper = res->z = (double)NAN;
        res->p_one_sided = res->p_two_sided = 1.0;
        return ITP_OK;
    }
    double zq = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * conf_level);
    res->lower = res->diff - zq * res->se_diff;
    res->upper = res->diff + zq * res->se_diff;
    res->z = res->diff / res->se_diff;
    res->p_one_sided = gsl_cdf_ugaussian_Q(res->z);
    res->p_two_sided = gsl_cdf_chisq_Q(res->z * res->z, 1.0);
    return ITP_OK;
}
