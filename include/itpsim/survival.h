/* Survival statistics for two-arm trials: stratified log-rank test and its
 * Fleming-Harrington weighted form, Cox proportional hazards for the
 * treatment indicator, Kaplan-Meier estimate with Greenwood variance,
 * log-log interval and median, restricted mean survival time.
 *
 * Conventions shared by every kernel
 * ----------------------------------
 * Data come as an itp_surv_data view of caller-owned arrays, each [n]:
 *   time[n]     follow-up time, any unit, finite; need not be sorted
 *   event[n]    1 event, 0 censored
 *   group[n]    0 control, 1 experimental
 *   stratum[n]  0..nstrata-1, or stratum == NULL for one stratum
 * Times are compared exactly (R's survival package merges times that differ
 * by less than about 1e-8 relatively, "timefix"; itpsim does not). At a tied
 * time, subjects censored at t are at risk at t, as in R.
 *
 * No kernel allocates. Sorting and the risk-set table live in an
 * itp_surv_workspace made once (per thread) for up to nmax subjects by
 * itp_surv_workspace_create, the only allocation of this module, and reused
 * for any number of calls with n <= nmax. A workspace must not be shared by
 * two threads at the same time. Kernels return ITP_OK, ITP_EINPUT (a value
 * out of range, a NULL array, a bad option) or ITP_ERANGE (n > nmax); the
 * result struct is fully written only on ITP_OK.
 *
 * Sources: R package survival (Therneau), survdiff2.c, coxfit6.c, survfitkm.c,
 * survfit_confint(), quantile.survfit() and print.survfit(rmean =); Klein &
 * Moeschberger, Survival Analysis, 2nd ed., Springer 2003, sections 4.2,
 * 4.5, 7.3 and 8.4. */
#ifndef ITPSIM_SURVIVAL_H
#define ITPSIM_SURVIVAL_H

#include <stddef.h>

/* ---- data and workspace ------------------------------------------------ */

typedef struct itp_surv_data {
    size_t n;              /* number of subjects */
    const double *time;    /* [n] follow-up time, finite */
    const int *event;      /* [n] 1 event, 0 censored */
    const int *group;      /* [n] 0 control, 1 experimental */
    const int *stratum;    /* [n] 0..nstrata-1, or NULL (one stratum) */
    size_t nstrata;        /* >= 1 when stratum != NULL; ignored when NULL */
} itp_surv_data;

/* Pass as group selection to itp_surv_tabulate and itp_surv_km: every subject. */
#define ITP_SURV_ALL (-1)

/* One subject, as copied and sorted by itp_surv_tabulate. */
typedef struct itp_surv_record {
    double time;
    int event;
    int group;
    int stratum;
} itp_surv_record;

/* Risk-set table: one row per distinct (stratum, time) at which at least one
 * event happens, rows ordered by stratum ascending, then time ascending. Every
 * array has nmax slots of which the first nrows are filled. Rows are
 * independent: each kernel's statistic is a sum over rows. */
typedef struct itp_surv_table {
    size_t nrows;          /* rows filled */
    int *stratum;          /* [nrows] stratum of the row */
    double *time;          /* [nrows] event time */
    double *nrisk[2];      /* [2][nrows] at risk at time (time_i >= time), by group */
    double *nevent[2];     /* [2][nrows] events at time, by group */
    size_t nsubjects;      /* subjects tabulated (after group selection) */
    double nevents[2];     /* total events by group */
    double tmin, tmax;     /* smallest and largest time tabulated, event or
                              censored; NaN when nsubjects == 0 */
} itp_surv_table;

/* Caller-owned scratch space for up to nmax subjects. Fields are written by
 * the kernels; read tab after itp_surv_tabulate, do not write. */
typedef struct itp_surv_workspace {
    size_t nmax;           /* capacity in subjects */
    itp_surv_record *rec;  /* [nmax] data copy, sorted by (stratum, time) */
    itp_surv_table tab;    /* risk-set table of the last call */
} itp_surv_workspace;

/* Makes a workspace for up to nmax subjects (nmax may be 0) in *out.
 * Returns ITP_OK, ITP_EINPUT (out NULL) or ITP_ENOMEM (then *out = NULL). */
int itp_surv_workspace_create(itp_surv_workspace **out, size_t nmax);

/* Frees a workspace; accepts NULL. */
void itp_surv_workspace_free(itp_surv_workspace *w);

/* Checks the data, copies the subjects whose group equals group_value (or all
 * with ITP_SURV_ALL) into w->rec, sorts them by (stratum, time) (strata by
 * counting, whole-day times by a radix sort, other times by quicksort; see
 * logrank.c) and fills w->tab. Strata are ignored (one stratum) when
 * use_strata is 0 or d->stratum is NULL. O(n log n). Used by every kernel;
 * public so that callers can run several statistics on one table. */
int itp_surv_tabulate(const itp_surv_data *d, int group_value, int use_strata,
                      itp_surv_workspace *w);

/* ---- log-rank test ----------------------------------------------------- */

/* Stratified log-rank test of group 1 against group 0, as R survdiff(rho = 0):
 * per event time with N at risk (N1 experimental), d events (d1
 * experimental),
 *   O = sum d1,  E = sum d N1 / N,
 *   V = sum d (N - d) N1 (N - N1) / (N^2 (N - 1))   (hypergeometric, exact ties)
 * summed over every stratum. */
typedef struct itp_logrank_result {
    double observed;     /* O: events in the experimental group */
    double expected;     /* E: expected experimental events under H0 */
    double variance;     /* V: variance of O - E */
    double z;            /* (O - E) / sqrt(V); < 0 favours experimental */
    double chisq;        /* (O - E)^2 / V, 1 df */
    double p_one_sided;  /* Phi(z): H1 "experimental has lower hazard" */
    double p_two_sided;  /* P(chi2_1 > chisq) */
    int not_estimable;   /* 1 when V == 0 (no events, or no event time with
                            both groups at risk and some survivor). Then
                            O - E == 0 exactly, z = chisq = 0 and both
                            p-values are 1 (never a rejection). */
} itp_logrank_result;

/* d->stratum may be NULL (unstratified). */
int itp_surv_logrank(const itp_surv_data *d, itp_surv_workspace *w,
                     itp_logrank_result *res);

/* The same from a table itp_surv_tabulate made (d, ITP_SURV_ALL, strata):
 * a Cox fit and a log-rank test of one hypothesis share one tabulation. */
void itp_surv_logrank_table(const itp_surv_table *tab, itp_logrank_result *res);

/* ---- Fleming-Harrington weighted log-rank test ------------------------- */

/* The G(rho, gamma) test of group 1 against group 0 (Harrington & Fleming,
 * Biometrika 1982; Fleming & Harrington, Counting Processes and Survival
 * Analysis, Wiley 1991): at each event time t of a stratum,
 * with S(t-) the Kaplan-Meier estimate of that stratum's pooled subjects
 * just before t (1 at its first event time),
 *   w = S(t-)^rho (1 - S(t-))^gamma        (0^0 = 1)
 *   O += w d1,  E += w d N1 / N,  V += w^2 d (N - d) N1 (N - N1) / (N^2 (N - 1))
 * summed over every stratum (each with its own pooled curve); z = (O - E) /
 * sqrt(V). rho = gamma = 0 is the log-rank test, bit for bit (the same sums
 * in the same order, times w = 1). gamma = 0 is R survdiff(rho = rho), whose
 * obs and exp are these weighted O and E. gamma > 0 weighs late differences
 * (the curve well below 1), rho > 0 early ones. */
typedef struct itp_fh_result {
    double rho, gamma;   /* as asked */
    double observed;     /* O: weighted events in the experimental group */
    double expected;     /* E: their weighted expectation under H0 */
    double variance;     /* V: variance of O - E */
    double z;            /* (O - E) / sqrt(V); < 0 favours experimental */
    double chisq;        /* (O - E)^2 / V, 1 df */
    double p_one_sided;  /* Phi(z): H1 "experimental has lower hazard" */
    double p_two_sided;  /* P(chi2_1 > chisq) */
    int not_estimable;   /* 1 when V == 0 (as the log-rank's, and also when
                            every weight is 0, e.g. gamma > 0 with events
                            only at each stratum's first event time); then
                            z = chisq = 0 and both p-values are 1. */
} itp_fh_result;

/* rho, gamma finite and >= 0 (else ITP_EINPUT). d->stratum may be NULL. */
int itp_surv_fh(const itp_surv_data *d, double rho, double gamma, itp_surv_workspace *w,
                itp_fh_result *res);

/* The same from a table itp_surv_tabulate made (all subjects, strata). */
int itp_surv_fh_table(const itp_surv_table *tab, double rho, double gamma,
                      itp_fh_result *res);

/* ---- Cox proportional hazards ------------------------------------------ */

typedef enum itp_cox_ties {
    ITP_COX_EFRON = 0,   /* default, as R coxph */
    ITP_COX_BRESLOW = 1
} itp_cox_ties;

/* Newton-Raphson settings, as R coxph.control (except iter.max, R uses 20). */
#define ITP_COX_EPS 1e-9     /* stop when |1 - loglik_old / loglik_new| <= eps */
#define ITP_COX_MAX_ITER 30

/* Cox model h(t | group, stratum) = h_stratum(t) exp(beta * group), a
 * separate baseline hazard per stratum, partial likelihood with Efron or
 * Breslow ties; Newton-Raphson from beta = 0 with step halving, like R
 * coxph (coxfit6.c).
 *
 * Outcomes (exactly one of the three flags below, or none for a normal fit):
 * - monotone = 1: the partial likelihood increases without bound towards
 *   beta = -inf (every experimental event happens with no control at risk,
 *   e.g. no experimental events) or +inf (every control event happens with
 *   no experimental subject at risk). Detected before iterating. Then
 *   beta = -INFINITY, hr = 0, or beta = +INFINITY, hr = +INFINITY;
 *   loglik is the (finite) supremum; se, hr_lower, hr_upper, z and both
 *   p-values are NaN; iterations = 0, converged = 0.
 * - not_estimable = 1: the likelihood is flat (no events, or no event time
 *   with both groups at risk). beta, hr, se, CI, z, p are NaN, loglik =
 *   loglik_null, iterations = 0, converged = 0. (R reports coef NA.)
 * - converged = 0 with both flags 0: ITP_COX_MAX_ITER reached; the fields
 *   describe the last accepted iterate.
 * A NaN p-value compares false with any alpha, so it never counts as a
 * rejection; callers should count the flags separately. */
typedef struct itp_cox_result {
    double beta;         /* log hazard ratio, experimental vs control */
    double se;           /* 1 / sqrt(information) at beta */
    double hr;           /* exp(beta) */
    double hr_lower;     /* exp(beta - z_{(1+level)/2} se) */
    double hr_upper;     /* exp(beta + z_{(1+level)/2} se) */
    double z;            /* Wald z = beta / se */
    double p_one_sided;  /* Phi(z): H1 "experimental has lower hazard" */
    double p_two_sided;  /* P(chi2_1 > z^2) */
    double loglik;       /* log partial likelihood at beta */
    double loglik_null;  /* log partial likelihood at beta = 0 */
    int iterations;      /* Newton iterations after the start, as R's iter */
    int converged;       /* 1 when the eps criterion was met */
    int monotone;        /* 1 when beta is +-infinite (see above) */
    int not_estimable;   /* 1 when the likelihood is flat (see above) */
} itp_cox_result;

/* conf_level in (0, 1), e.g. 0.95. d->stratum may be NULL (one baseline
 * hazard). Returns ITP_EINPUT for a bad ties value or conf_level. */
int itp_surv_cox(const itp_surv_data *d, itp_cox_ties ties, double conf_level,
                 itp_surv_workspace *w, itp_cox_result *res);

/* The same from a table itp_surv_tabulate made (all subjects, strata). */
int itp_surv_cox_table(const itp_surv_table *tab, itp_cox_ties ties, double conf_level,
                       itp_cox_result *res);

/* ---- Kaplan-Meier ------------------------------------------------------ */

/* Kaplan-Meier estimate for one group (group_value 0 or 1) or all subjects
 * (ITP_SURV_ALL); strata are ignored. Matches R
 *   fit <- survfit(Surv(time, event) ~ 1, conf.type = "log-log",
 *                  conf.int = conf_level)
 *   summary(fit, times = t); quantile(fit, 0.5)
 *
 * S(t) = prod_{t_i <= t} (1 - d_i / n_i); Greenwood
 *   sigma^2(t) = sum_{t_i <= t} d_i / (n_i (n_i - d_i))   (variance of log S)
 *   se = S(t) sigma(t);
 * log-log interval with z = z_{(1+level)/2}:
 *   exp(-exp(log(-log S) -+ z sigma / log S)).
 * Median: R's findq() rule: the first event time at which 1 - S >= 0.5 - tol
 * (tol = sqrt(DBL_EPSILON)); when S equals 0.5 within tol over a flat stretch
 * the median is the midpoint of that stretch's start and the next event time
 * (or the largest follow-up time when no event follows). Its interval is the
 * same rule applied to the lower and upper log-log bands. */
typedef struct itp_km_result {
    double n;                  /* subjects in the selected group */
    double nevents;            /* events in the selected group */
    double t;                  /* the time asked for */
    double surv;               /* S(t) */
    double se;                 /* Greenwood standard error of S(t) */
    double lower, upper;       /* log-log interval for S(t) */
    double median;             /* median survival time */
    double median_lower;       /* lower limit of its interval */
    double median_upper;       /* upper limit of its interval */
    int surv_not_estimable;    /* 1 when t > largest follow-up time or the
                                  group is empty (R summary omits the row):
                                  surv, se, lower, upper are NaN */
    int surv_zero_before;      /* 1 when t > largest follow-up time and the
                                  curve fell to 0 there (at its last event):
                                  surv_not_estimable is set as R has it, but
                                  S(t) = 0 is well defined; callers that
                                  want S(t) read 0 (montecarlo.c) */
    int ci_not_estimable;      /* 1 when S(t) == 0, or S(t) == 1 with t at or
                                  after the first (censored) time: log-log
                                  undefined, lower = upper = NaN, as R's NA;
                                  se is NaN when S(t) == 0. Before the first
                                  time of all R reports surv 1, se 0 and
                                  interval [1, 1]; so does this kernel. */
    int median_not_reached;       /* 1: median is NaN (R NA) */
    int median_lower_not_reached; /* 1: median_lower is NaN */
    int median_upper_not_reached; /* 1: median_upper is NaN; common when
                                     follow-up is short */
} itp_km_result;

/* group_value 0, 1 or ITP_SURV_ALL; t finite; conf_level in (0, 1). */
int itp_surv_km(const itp_surv_data *d, int group_value, double t,
                double conf_level, itp_surv_workspace *w, itp_km_result *res);

/* The estimate at t and the median only (se included), for a replicate
 * that reports no interval: lower, upper and the median's limits NaN,
 * ci_not_estimable set. The same values otherwise. */
int itp_surv_km_point(const itp_surv_data *d, int group_value, double t,
                      itp_surv_workspace *w, itp_km_result *res);

/* ---- restricted mean survival time ----------------------------------- */

/* The restricted mean survival time of each group up to tau, the area under
 * its Kaplan-Meier curve on [0, tau] (Irwin 1949; Royston & Parmar, BMC Med
 * Res Methodol 2013; Uno et al., J Clin Oncol 2014), and the difference
 * group 1 minus group 0 with its Wald interval and test; strata are ignored
 * (one curve per group). With the group's event times t_1 < ... < t_m <=
 * tau, t_0 = 0, t_{m+1} = tau and S_j the curve on [t_j, t_{j+1}),
 *   RMST = sum_{j=0..m} S_j (t_{j+1} - t_j)
 *   Var  = sum_{j=1..m} A_j^2 d_j / (n_j (n_j - d_j)),
 *          A_j = sum_{k=j..m} S_k (t_{k+1} - t_k)   (the area from t_j to tau)
 * a term with n_j = d_j (the curve falling to 0, where A_j = 0) counting 0:
 * the Greenwood-type variance of R print.survfit(rmean = tau) and of the
 * survRM2 package (Uno et al. 2014). The difference's se is
 * sqrt(se_1^2 + se_0^2) (independent groups), its interval diff -+
 * z_{(1+level)/2} se, z = diff / se.
 *
 * Beyond a group's largest follow-up time the curve is not identified
 * unless it has fallen to 0 there. When tau exceeds that time with the
 * curve above 0, the kernel carries the last value flat to tau, as R
 * survival's survmean() does (version 3.5.3: no warning), and sets
 * extended[g]; survRM2's rmst2 refuses such a tau. Callers decide: the
 * analysis plan's rmst test flags it not estimable. Times must be >= 0. */
typedef struct itp_rmst_result {
    double tau;          /* as asked */
    double rmst[2];      /* by group (0 control, 1 experimental) */
    double se[2];        /* their standard errors */
    double tmax[2];      /* largest follow-up time (event or censored) by group */
    int extended[2];     /* 1: tau > tmax[g] with the curve above 0 there */
    double diff;         /* rmst[1] - rmst[0] */
    double se_diff;      /* sqrt(se[0]^2 + se[1]^2) */
    double lower, upper; /* diff -+ z_{(1+level)/2} se_diff */
    double z;            /* diff / se_diff; > 0 favours experimental */
    double p_one_sided;  /* 1 - Phi(z): H1 "experimental has the longer RMST"
                            (the lower-hazard side, as the other kernels) */
    double p_two_sided;  /* P(chi2_1 > z^2) */
    int not_estimable;   /* 1: a group is empty: its rmst, se and tmax,
                            and diff, se_diff, lower, upper, z NaN; both
                            p-values 1 */
    int no_test;         /* 1: se_diff == 0 (no event before tau with a
                            survivor after it, in either group): z, lower,
                            upper NaN, both p-values 1 */
} itp_rmst_result;

/* tau finite and > 0, conf_level in (0, 1). */
int itp_surv_rmst(const itp_surv_data *d, double tau, double conf_level, itp_surv_workspace *w,
                  itp_rmst_result *res);

#endif
