/* Kaplan-Meier estimate at a time, with Greenwood variance and log-log
 * interval, and the median survival time with its interval.
 *
 * Kaplan & Meier (1958); Greenwood (1926); log-log (complementary log-log)
 * interval of Kalbfleisch & Prentice (1980), see Klein & Moeschberger,
 * Survival Analysis, 2nd ed. 2003, sections 4.2-4.5; median interval of
 * Brookmeyer & Crowley (1982). The conventions follow R survival: survfitkm.c
 * for S and Greenwood's sum, survfit_confint() for the interval (NA when
 * S is 0 or 1) and summary.survfit(times =) for S at a time, findq() in
 * quantile.survfit() for the median:
 *   x = (0, t_1, ..., t_m), y = (0, 1 - S_1, ..., 1 - S_m) over event times;
 *   i1 = the point with the smallest y >= p - tol, i2 = smallest y >= p + tol
 *   (points with y NaN skipped), median = (x[i1] + x[i2]) / 2,
 *   or (x[i1] + largest follow-up) / 2 when the last y is within tol of p;
 *   NaN when max y < p or i1 or i2 does not exist. */
#include "itpsim/survival.h"
#include "itpsim/error.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

/* Log-log band at survival s with standard error sig of log S. */
static void loglog_band(double s, double sig, double zq, double *lo, double *hi)
{
    double shift, base;

    if (!(s > 0.0 && s < 1.0) || isnan(sig)) {
        *lo = *hi = (double)NAN;
        return;
    }
    shift = zq * sig / log(s);
    base = log(-log(s));
    *lo = exp(-exp(base - shift));
    *hi = exp(-exp(base + shift));
}

/* The p-quantile from a curve given at the m event times of tab; which
 * selects the curve: 0 estimate, 1 lower band, 2 upper band. The curve is
 * recomputed on the fly so that no array is needed. */
static double km_quantile(const itp_surv_table *tab, int which, double zq,
                          double p)
{
    const double tol = sqrt(DBL_EPSILON);   /* R: sqrt(.Machine$double.eps) */
    double s = 1.0, gw = 0.0, ymax = 0.0, ylast = 0.0;
    double y1 = HUGE_VAL, y2 = HUGE_VAL, x1 = (double)NAN, x2 = (double)NAN;
    size_t r;

    /* the point (0, 0) that R prepends */
    if (0.0 + tol >= p) {
        y1 = 0.0;
        x1 = 0.0;
    }
    for (r = 0; r < tab->nrows; r++) {
        double n = tab->nrisk[0][r] + tab->nrisk[1][r];
        double dd = tab->nevent[0][r] + tab->nevent[1][r];
        double y, lo, hi;

        s *= (n - dd) / n;
        gw += dd / (n * (n - dd));
        if (which == 0) {
            y = 1.0 - s;
        } else {
            loglog_band(s, sqrt(gw), zq, &lo, &hi);
            y = 1.0 - (which == 1 ? lo : hi);
        }
        ylast = y;
        if (isnan(y))
            continue;
        if (y > ymax)
            ymax = y;
        if (y + tol >= p && y < y1) {
            y1 = y;
            x1 = tab->time[r];
        }
        if (y - tol >= p && y < y2) {
            y2 = y;
            x2 = tab->time[r];
        }
    }
    if (ymax < p || isnan(x1))
        return (double)NAN;
    if (!isnan(ylast) && fabs(p - ylast) < tol)
        return 0.5 * (x1 + tab->tmax);
    return 0.5 * (x1 + x2);   /* NaN when x2 does not exist */
}

/* The estimate at t and the median, with their intervals when with_ci
 * (else the intervals NaN and flagged not estimable). */
static int km(const itp_surv_data *d, int group_value, double t, double conf_level,
              int with_ci, itp_surv_workspace *w, itp_km_result *res)
{
    const itp_surv_table *tab;
    double s = 1.0, gw = 0.0, zq;
    size_t r;
    int status;

    if (res == NULL || !isfinite(t) || (with_ci && !(conf_level > 0.0 && conf_level < 1.0)))
        return ITP_EINPUT;
    status = itp_surv_tabulate(d, group_value, 0, w);
    if (status != ITP_OK)
        return status;
    tab = &w->tab;
    zq = with_ci ? gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * conf_level) : (double)NAN;

    res->n = (double)tab->nsubjects;
    res->nevents = tab->nevents[0] + tab->nevents[1];
    res->t = t;
    res->surv_not_estimable = 0;
    res->surv_zero_before = 0;
    res->ci_not_estimable = 0;

    for (r = 0; r < tab->nrows && tab->time[r] <= t; r++) {
        double n = tab->nrisk[0][r] + tab->nrisk[1][r];
        double dd = tab->nevent[0][r] + tab->nevent[1][r];
        s *= (n - dd) / n;
        gw += dd / (n * (n - dd));
    }
    if (tab->nsubjects == 0 || t > tab->tmax) {
        res->surv_not_estimable = 1;
        res->ci_not_estimable = 1;
        res->surv = res->se = res->lower = res->upper = (double)NAN;
        /* the loop ran over every row: s is the curve's last value */
        res->surv_zero_before = tab->nsubjects > 0 && s == 0.0;
    } else if (t < tab->tmin) {
        res->surv = 1.0;
        res->se = 0.0;
        res->lower = res->upper = with_ci ? 1.0 : (double)NAN;
        res->ci_not_estimable = !with_ci;
    } else {
        res->surv = s;
        res->se = s > 0.0 ? s * sqrt(gw) : (double)NAN;
        if (with_ci)
            loglog_band(s, sqrt(gw), zq, &res->lower, &res->upper);
        else
            res->lower = res->upper = (double)NAN;
        res->ci_not_estimable = isnan(res->lower);
    }

    res->median = km_quantile(tab, 0, zq, 0.5);
    res->median_lower = with_ci ? km_quantile(tab, 1, zq, 0.5) : (double)NAN;
    res->median_upper = with_ci ? km_quantile(tab, 2, zq, 0.5) : (double)NAN;
    res->median_not_reached = isnan(res->median);
    res->median_lower_not_reached = isnan(res->median_lower);
    res->median_upper_not_reached = isnan(res->median_upper);
    return ITP_OK;
}

int itp_surv_km(const itp_surv_data *d, int group_value, double t,
                double conf_level, itp_surv_workspace *w, itp_km_result *res)
{
    return km(d, group_value, t, conf_level, 1, w, res);
}

int itp_surv_km_point(const itp_surv_data *d, int group_value, double t,
                      itp_surv_workspace *w, itp_km_result *res)
{
    return km(d, group_value, t, (double)NAN, 0, w, res);
}
