/* The analysis plan: hypotheses (endpoint, arm vs control, test, sides),
 * an overall alpha and a multiplicity procedure, read from the scenario's
 * `analysis` section and applied to one replicate's record.
 *
 * Tests are a table of itp_test_type picked by a hypothesis's `test` among
 * those for its endpoint's kind (tte_tests.c, binary_tests.c):
 * time-to-event endpoints by log-rank or Fleming-Harrington G(rho, gamma)
 * (both stratified when the plan is stratified and the scenario has strata)
 * or by Cox Wald test, each estimating the Cox hazard ratio (experimental vs
 * control) with its Wald CI; or by the Wald test of the difference in
 * restricted mean survival time up to tau_months (unstratified; estimate:
 * that difference in months, experimental minus control, Wald CI).
 * Binary endpoints by any two-arm test of binary.h (cmh, chisq, fisher,
 * rd_wald, rd_newcombe); the estimate is a risk difference: cmh's the
 * Mantel-Haenszel common one (Sato CI), rd_newcombe's the pooled one with
 * the Newcombe CI, the others' the pooled one with the Wald CI. A
 * single arm by the exact binomial test against p0 (estimate: the rate,
 * Clopper-Pearson CI). One-sided p-values are for benefit in the experimental arm: a lower
 * hazard (a longer RMST) for ttf, a higher hazard (a shorter RMST) for
 * time_to_response, a higher rate for binary endpoints, unless `benefit`
 * says otherwise.
 *
 * In the null version of a scenario (itp_scenario_null) every comparison is
 * a true null: both arms get the control's treatments or hazards. A
 * single-arm hypothesis compares with a historical rate instead, which the
 * null version makes true by drawing each analysed patient's response as
 * Bernoulli(p0) from the patient's own stream (who is analysed still comes
 * from the simulated trial), so its type I error and the family-wise error
 * of the plan are those of the exact test under H0: rate = p0. */
#ifndef ITPSIM_ANALYSIS_H
#define ITPSIM_ANALYSIS_H

#include <stdint.h>
#include "itpsim/endpoint.h"
#include "itpsim/multiplicity.h"
#include "itpsim/survival.h"

enum {
    ITP_HYP_NOT_ESTIMABLE = 1u << 0, /* estimate undefined: NaN */
    ITP_HYP_MONOTONE = 1u << 1,      /* Cox likelihood monotone: HR 0 or inf */
    ITP_HYP_NO_TEST = 1u << 2        /* test statistic undefined: p = 1 */
};

typedef struct itp_hyp_result {
    double estimate, ci_low, ci_high;
    double statistic;       /* z (log-rank, Cox), chi-square (cmh, chisq), ... */
    double p_value;         /* as the plan's sides say */
    double adj_p;           /* adjusted for multiplicity */
    int rejected;
    unsigned flags;         /* ITP_HYP_* */
    int n_exp, n_ctl;       /* patients analysed */
    int events_exp, events_ctl; /* events or responders */
} itp_hyp_result;

/* Per-thread working memory for analysing replicates of a scenario. */
typedef struct itp_analysis_ws {
    int cap;
    double *time;
    int *event, *group, *stratum;
    itp_outcome *outcomes;          /* [cap * n_endpoints] */
    itp_surv_workspace *surv;
    itp_mult_workspace *mult;
    int *limit;                     /* [cap] an interim's study-day limits */
    double *days;                   /* [cap] information times (interims.c) */
    /* The replicate's stream coordinates (rng.h), for the responses a
     * null version draws at p0 for single-arm hypotheses; set by the
     * caller (montecarlo.c), 0 otherwise. */
    uint64_t seed, replicate;
} itp_analysis_ws;

/* 1 when r's estimate lies on the harmful side of no effect for h: a
 * hazard ratio above 1 when the benefit is a lower hazard (below 1 when
 * higher), an RMST difference below 0 (above 0), a risk difference below
 * 0 (above 0 when the benefit is a lower rate), a single arm's rate below
 * p0 (above). 0 for an estimate that is NaN or exactly at no effect. A
 * two-sided hypothesis rejected with a harmful estimate is counted apart
 * from its power (montecarlo.h). */
int itp_hyp_harmful(const itp_hypothesis *h, const itp_hyp_result *r);

itp_status itp_analysis_ws_create(itp_analysis_ws **out, const itp_scenario *scn, int n_max);
void itp_analysis_ws_free(itp_analysis_ws *ws);

/* ---- the table of tests ---------------------------------------------------- */

/* What a test estimates: its name in summary.json, its label on a plot's
 * axis, and the scale of the histogram of its estimates (montecarlo.c) and
 * of the plots. */
typedef struct itp_estimate_kind {
    const char *name;       /* "hazard_ratio", ... */
    const char *label;      /* "hazard ratio", ... */
    int log_scale;          /* a ratio: binned and drawn on the log scale */
    double lo, hi;          /* the histogram's range, on that scale */
} itp_estimate_kind;

extern const itp_estimate_kind itp_est_hazard_ratio;     /* experimental vs control */
extern const itp_estimate_kind itp_est_risk_difference;  /* experimental minus control */
extern const itp_estimate_kind itp_est_rate;             /* a single arm's */
extern const itp_estimate_kind itp_est_rmst_difference;  /* experimental minus control,
                                                            months */

/* A hypothesis test, as named by a hypothesis's `test`. */
struct itp_test_type {
    const char *name;
    itp_ep_kind endpoint;               /* the kind of endpoint it tests */
    const itp_estimate_kind *estimate;
    int single_arm;                     /* one arm against a given value: no control */
    const char *const *keys;            /* its own settings in the hypothesis's
                                           group, NULL-terminated (NULL: none) */
    /* Reads those settings into h->params (NULL: it has none). */
    itp_status (*parse)(itp_reader *rd, const config_setting_t *g, itp_hypothesis *h);
    /* Tests h on the replicate's outcomes (ws->outcomes, itp_analyse) into
     * r, which is zeroed; r->p_value as the hypothesis's sides say. */
    itp_status (*run)(const itp_scenario *scn, const itp_hypothesis *h, const itp_record *rec,
                      itp_analysis_ws *ws, itp_hyp_result *r);
    /* What a run shared by a family of tests needs of this one (the two-arm
     * binary tests: the kernel, binary_tests.c); NULL otherwise. */
    const void *impl;
};

/* NULL-terminated. */
extern const itp_test_type *const itp_test_types[];

/* The test called name for endpoints of this kind, or NULL. */
const itp_test_type *itp_test_type_find(const char *name, itp_ep_kind kind);

/* ---- the plan ----------------------------------------------------------------- */

/* Reads the scenario's `analysis` section into scn->plan. */
itp_status itp_analysis_parse(itp_reader *rd, itp_scenario *scn);

/* Evaluates the endpoints (into ws->outcomes) with per-patient study-day
 * limits (NULL: each patient's follow-up), tests every hypothesis and
 * applies the multiplicity procedure. res is [plan.n_hyp]. */
itp_status itp_analyse(const itp_scenario *scn, const itp_record *rec, const int *limit,
                       itp_analysis_ws *ws, itp_hyp_result *res);

/* ---- group-sequential designs (interims.c) ---------------------------------------- */

enum { ITP_GS_FINAL = 0, ITP_GS_EFFICACY = 1, ITP_GS_FUTILITY = 2 };
#define ITP_GS_STAGES (ITP_MAX_INTERIMS + 1)

/* One replicate's course through the analyses of plan.interims. */
typedef struct itp_gs_result {
    int stages;                         /* analyses held (interims reached + final) */
    int stop;                           /* the last one held, 0-based */
    int reason;                         /* ITP_GS_*: why the trial ended there */
    double cut_day;                     /* its calendar day */
    /* per analysis held: information fraction, month after the first
     * enrolment, the stop_on hypothesis's z and its efficacy bound */
    double t[ITP_GS_STAGES], month[ITP_GS_STAGES], z[ITP_GS_STAGES], bound[ITP_GS_STAGES];
    int reject_stage[ITP_MAX_HYPOTHESES];   /* analysis rejecting it; -1 none */
} itp_gs_result;

/* The analyses of a scenario with interims: the final one with the limits
 * `limit` (as itp_analyse; NULL: each patient's follow-up) on calendar day
 * final_cut, the interims before it. res gets the hypotheses' results at
 * the last analysis held, `rejected` by the group-sequential procedure
 * (adj_p NaN); when the trial stopped at an interim ws->limit holds its
 * limits and ws->outcomes its outcomes. */
itp_status itp_analyse_gs(const itp_scenario *scn, const itp_record *rec, const int *limit,
                          double final_cut, itp_analysis_ws *ws, itp_hyp_result *res,
                          itp_gs_result *gs);

/* The efficacy bounds (z) of the stop_on hypothesis at its initial level
 * for the planned fractions (interims' `at`, then 1), into b[0..n]: the
 * design's nominal bounds. ITP_EINPUT for interims at calendar months. */
itp_status itp_interims_nominal(const itp_scenario *scn, double *b);

#endif
