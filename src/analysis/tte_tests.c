/* Tests of a time-to-event endpoint, experimental arm against control:
 * the log-rank test (Mantel 1966; stratified when the plan is stratified
 * and the scenario has strata), the Wald test of the Cox model (Cox 1972;
 * Efron or Breslow ties), the Fleming-Harrington weighted log-rank test
 * G(rho, gamma) (Harrington & Fleming, Biometrika 1982; stratified as the
 * log-rank), each reporting the Cox hazard ratio with its Wald CI as the
 * estimate; and the Wald test of the difference in restricted mean
 * survival time up to tau (Royston & Parmar, BMC Med Res Methodol 2013;
 * Uno et al., J Clin Oncol 2014; unstratified), reporting that difference
 * in months. The kernels, with their formulas and sources, are in
 * src/stats/logrank.c, cox.c and rmst.c (survival.h). */
#include <math.h>
#include <stdlib.h>
#include "itpsim/units.h"
#include "internal.h"

static double one_sided(double p_lower_or_greater, int flip)
{
    return flip ? 1.0 - p_lower_or_greater : p_lower_or_greater;
}

/* The analysed patients' times (days), events, groups and strata into ws,
 * viewed by the return value (strata when the plan and scenario have
 * them); counts them into r. */
static itp_surv_data collect(const itp_scenario *scn, const itp_hypothesis *h,
                             const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    size_t n = 0;
    int strat = scn->plan.stratified && scn->n_strata > 1;
    for (int i = 0; i < rec->n_patients; i++) {
        int g;
        const itp_outcome *o = itp_an_analysed(scn, h, rec, ws, i, r, &g);
        if (!o)
            continue;
        ws->time[n] = o->time;
        ws->event[n] = o->event;
        ws->group[n] = g;
        ws->stratum[n] = rec->patients[i].stratum;
        n++;
    }
    itp_surv_data d = {n, ws->time, ws->event, ws->group, strat ? ws->stratum : NULL,
                       (size_t)scn->n_strata};
    return d;
}

/* The Cox fit of the analysed patients into cox and r (estimate, CI,
 * flags); the risk-set table stays in ws->surv for the log-rank tests. */
static itp_status fit_cox(const itp_scenario *scn, const itp_hypothesis *h,
                          const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r,
                          itp_cox_result *cox)
{
    const itp_analysis_plan *pl = &scn->plan;
    itp_surv_data d = collect(scn, h, rec, ws, r);
    int st = itp_surv_cox(&d, pl->ties_breslow ? ITP_COX_BRESLOW : ITP_COX_EFRON, pl->conf_level,
                          ws->surv, cox);
    if (st)
        return (itp_status)st;
    r->estimate = cox->hr;
    r->ci_low = cox->hr_lower;
    r->ci_high = cox->hr_upper;
    if (cox->monotone)
        r->flags |= ITP_HYP_MONOTONE;
    if (cox->not_estimable)
        r->flags |= ITP_HYP_NOT_ESTIMABLE;
    return ITP_OK;
}

static itp_status run_logrank(const itp_scenario *scn, const itp_hypothesis *h,
                              const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    itp_cox_result cox;
    itp_logrank_result lr;
    int st = fit_cox(scn, h, rec, ws, r, &cox);
    if (st)
        return (itp_status)st;
    itp_surv_logrank_table(&ws->surv->tab, &lr);   /* the Cox fit's table */
    r->statistic = lr.z;
    r->p_value = h->two_sided ? lr.p_two_sided : one_sided(lr.p_one_sided, !h->benefit_lower);
    if (lr.not_estimable) {
        r->flags |= ITP_HYP_NO_TEST;
        r->p_value = 1.0;
    }
    return ITP_OK;
}

static itp_status run_cox(const itp_scenario *scn, const itp_hypothesis *h,
                          const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    itp_cox_result cox;
    itp_status st = fit_cox(scn, h, rec, ws, r, &cox);
    if (st)
        return st;
    r->statistic = cox.z;
    if (cox.monotone || cox.not_estimable || !isfinite(cox.z)) {
        r->flags |= ITP_HYP_NO_TEST;
        r->p_value = 1.0;
    } else {
        r->p_value = h->two_sided ? cox.p_two_sided : one_sided(cox.p_one_sided, !h->benefit_lower);
    }
    return ITP_OK;
}

/* ---- Fleming-Harrington G(rho, gamma) ------------------------------------------- */

typedef struct fh_params {
    double rho, gamma;      /* weight S(t-)^rho (1 - S(t-))^gamma, both >= 0 */
} fh_params;

static itp_status parse_fh(itp_reader *rd, const config_setting_t *g, itp_hypothesis *h)
{
    fh_params *p = calloc(1, sizeof *p);
    itp_status st;
    h->params = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double_or(rd, g, "rho", ITP_CLOSED(0.0, HUGE_VAL), 0.0, &p->rho)) ||
        (st = itp_rd_double_or(rd, g, "gamma", ITP_CLOSED(0.0, HUGE_VAL), 1.0, &p->gamma)))
        return st;
    return ITP_OK;
}

/* On the Cox fit's table, as the log-rank test: stratified with each
 * stratum's own pooled curve when the plan is. */
static itp_status run_fh(const itp_scenario *scn, const itp_hypothesis *h, const itp_record *rec,
                         itp_analysis_ws *ws, itp_hyp_result *r)
{
    const fh_params *p = h->params;
    itp_cox_result cox;
    itp_fh_result fh;
    itp_status st = fit_cox(scn, h, rec, ws, r, &cox);
    if (st || (st = (itp_status)itp_surv_fh_table(&ws->surv->tab, p->rho, p->gamma, &fh)))
        return st;
    r->statistic = fh.z;
    r->p_value = h->two_sided ? fh.p_two_sided : one_sided(fh.p_one_sided, !h->benefit_lower);
    if (fh.not_estimable) {
        r->flags |= ITP_HYP_NO_TEST;
        r->p_value = 1.0;
    }
    return ITP_OK;
}

/* ---- restricted mean survival time --------------------------------------------- */

typedef struct rmst_params {
    double tau_months;      /* as given */
    double tau_days;        /* on the day grid of the record (itp_months_to_day) */
} rmst_params;

static itp_status parse_rmst(itp_reader *rd, const config_setting_t *g, itp_hypothesis *h)
{
    rmst_params *p = calloc(1, sizeof *p);
    itp_status st;
    h->params = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, NULL, "tau_months", ITP_POSITIVE(240.0), &p->tau_months)))
        return st;
    /* every time in the record is a whole day: 12 months is day 365, the
     * last day of a 12-month follow-up, as the plan's landmark */
    p->tau_days = itp_months_to_day(p->tau_months);
    if (p->tau_days < 1.0)
        return itp_rd_fail(rd, itp_member(g, "tau_months"),
                           "expected at least one day (%g months), got %g",
                           1.0 / ITP_DAYS_PER_MONTH, p->tau_months);
    return ITP_OK;
}

/* Unstratified whatever the plan says: one Kaplan-Meier curve per arm. A
 * horizon beyond an arm's last follow-up time, its curve still above 0
 * there, leaves the area unidentified: not estimable, p = 1 (the kernel's
 * flat extension, as R's, is not used). The difference is in months; a
 * longer RMST is the benefit of a lower hazard. */
static itp_status run_rmst(const itp_scenario *scn, const itp_hypothesis *h,
                           const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    const rmst_params *p = h->params;
    itp_surv_data d = collect(scn, h, rec, ws, r);
    itp_rmst_result rm;
    d.stratum = NULL;
    int st = itp_surv_rmst(&d, p->tau_days, scn->plan.conf_level, ws->surv, &rm);
    if (st)
        return (itp_status)st;
    if (rm.not_estimable || rm.extended[0] || rm.extended[1]) {
        r->estimate = r->ci_low = r->ci_high = r->statistic = (double)NAN;
        r->flags |= ITP_HYP_NOT_ESTIMABLE | ITP_HYP_NO_TEST;
        r->p_value = 1.0;
        return ITP_OK;
    }
    r->estimate = rm.diff / ITP_DAYS_PER_MONTH;
    r->ci_low = rm.lower / ITP_DAYS_PER_MONTH;
    r->ci_high = rm.upper / ITP_DAYS_PER_MONTH;
    r->statistic = rm.z;
    r->p_value = h->two_sided ? rm.p_two_sided : one_sided(rm.p_one_sided, !h->benefit_lower);
    if (rm.no_test) {
        r->flags |= ITP_HYP_NO_TEST;
        r->p_value = 1.0;
    }
    return ITP_OK;
}

/* ---- the rows ------------------------------------------------------------------- */

const itp_test_type itp_test_logrank = {
    .name = "logrank",
    .endpoint = ITP_EP_TIME,
    .estimate = &itp_est_hazard_ratio,
    .run = run_logrank,
};

const itp_test_type itp_test_cox = {
    .name = "cox",
    .endpoint = ITP_EP_TIME,
    .estimate = &itp_est_hazard_ratio,
    .run = run_cox,
};

static const char *const fh_keys[] = {"rho", "gamma", NULL};

const itp_test_type itp_test_fh = {
    .name = "fh",
    .endpoint = ITP_EP_TIME,
    .estimate = &itp_est_hazard_ratio,
    .keys = fh_keys,
    .parse = parse_fh,
    .run = run_fh,
};

static const char *const rmst_keys[] = {"tau_months", NULL};

const itp_test_type itp_test_rmst = {
    .name = "rmst",
    .endpoint = ITP_EP_TIME,
    .estimate = &itp_est_rmst_difference,
    .keys = rmst_keys,
    .parse = parse_rmst,
    .run = run_rmst,
};
