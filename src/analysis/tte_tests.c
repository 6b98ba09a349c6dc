/* Tests of a time-to-event endpoint, experimental arm against control:
 * the log-rank test (Mantel 1966; stratified when the plan is stratified
 * and the scenario has strata) and the Wald test of the Cox model (Cox
 * 1972; Efron or Breslow ties). Both report the Cox hazard ratio with its
 * Wald CI as the estimate. The kernels, with their formulas and sources,
 * are in src/stats/logrank.c and cox.c (survival.h). */
#include <math.h>
#include "internal.h"

static double one_sided(double p_lower_or_greater, int flip)
{
    return flip ? 1.0 - p_lower_or_greater : p_lower_or_greater;
}

/* The analysed patients' times, events, groups and strata into ws and d,
 * and the Cox fit into cox and r (estimate, CI, flags); the risk-set
 * table stays in ws->surv for the log-rank test. */
static itp_status fit_cox(const itp_scenario *scn, const itp_hypothesis *h,
                          const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r,
                          itp_cox_result *cox)
{
    const itp_analysis_plan *pl = &scn->plan;
    size_t n = 0;
    int strat = pl->stratified && scn->n_strata > 1;
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
