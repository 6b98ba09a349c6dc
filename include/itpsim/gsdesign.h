/* Group-sequential boundaries: one-sided efficacy bounds from Lan-DeMets
 * alpha spending, crossing probabilities with or without futility bounds,
 * and conditional power.
 *
 * Conventions
 * -----------
 * A trial has k = 1..ITP_GS_MAX_STAGES analyses at information fractions
 * t[0..k-1] (information at the analysis over the planned maximum), positive
 * and strictly increasing; the last need not be 1 (the final analysis may
 * have more or less information than planned). The statistics are in the
 * canonical form (Jennison & Turnbull, Group Sequential Methods with
 * Applications to Clinical Trials, Chapman & Hall/CRC 2000, sec. 3.1):
 * Z_i ~ N(theta sqrt(t_i), 1) marginally, Corr(Z_i, Z_j) = sqrt(t_i / t_j)
 * for i <= j, large Z favouring the experimental arm. theta is the drift:
 * the expected Z at t = 1 (0 under the null). Bounds are on the Z scale;
 * the trial stops for efficacy at the first stage with Z_i >= b[i].
 *
 * Nothing here allocates but itp_gs_bounds, which makes GSL's root solver
 * once per call (two small blocks); the integration grids are fixed-size
 * arrays on the stack (about 33 KB). No state is kept between calls, so
 * every function may be called from several threads at once. Formulas,
 * sources and the measured accuracy are in src/stats/gsdesign.c. */
#ifndef ITPSIM_GSDESIGN_H
#define ITPSIM_GSDESIGN_H

#include "itpsim/error.h"

/* The largest number of analyses (interims and final). */
#define ITP_GS_MAX_STAGES 5

/* An alpha increment below this is treated as 0: that stage's bound is
 * +INFINITY (no efficacy stop there). */
#define ITP_GS_MIN_INCREMENT 1e-15

/* Lan-DeMets alpha spending functions alpha(t), t in [0, 1], one-sided:
 *   ITP_SPEND_OF      O'Brien-Fleming type: 2 - 2 Phi(Phi^-1(1 - alpha/2) / sqrt(t))
 *   ITP_SPEND_POCOCK  Pocock type: alpha ln(1 + (e - 1) t)
 *   ITP_SPEND_HSD     Hwang-Shih-DeCani: alpha (1 - exp(-gamma t)) / (1 - exp(-gamma)),
 *                     param = gamma, any finite real (0: alpha t)
 *   ITP_SPEND_KD      Kim-DeMets power family: alpha t^rho, param = rho > 0
 *   ITP_SPEND_USER    piecewise linear through (0, 0) and (user_t[i],
 *                     alpha user_frac[i]); alpha beyond the last user_t */
typedef enum {
    ITP_SPEND_OF,
    ITP_SPEND_POCOCK,
    ITP_SPEND_HSD,
    ITP_SPEND_KD,
    ITP_SPEND_USER
} itp_spend_kind;

typedef struct itp_spending {
    itp_spend_kind kind;
    double param;   /* HSD gamma (any finite real, 0 = linear), KD rho (> 0);
                       ignored by the others */
    int n_user;     /* USER: 1..ITP_GS_MAX_STAGES points (user_t[i],
                       user_frac[i]): cumulative alpha spent by information
                       fraction user_t[i], as a fraction of alpha; user_t in
                       (0, 1] strictly increasing, user_frac in [0, 1]
                       non-decreasing, the last 1 (within 1e-12) */
    double user_t[ITP_GS_MAX_STAGES], user_frac[ITP_GS_MAX_STAGES];
} itp_spending;

/* ITP_OK when s describes a valid spending function (the rules above),
 * ITP_EINPUT otherwise (s NULL, unknown kind, a NaN or infinite parameter,
 * rho <= 0, bad USER points). */
itp_status itp_gs_spending_check(const itp_spending *s);

/* Cumulative alpha spent by information fraction t: 0 for t <= 0, alpha for
 * t >= 1, the spending function in between. NaN when s is invalid (see
 * itp_gs_spending_check), alpha is not in (0, 0.5) or t is NaN. */
double itp_gs_spend(const itp_spending *s, double alpha, double t);

/* One-sided efficacy bounds b[0..k-1] on the Z scale for k stages (1..5) at
 * information fractions t[0..k-1] (positive, finite, strictly increasing;
 * the last may differ from 1), overall one-sided level alpha in (0, 0.5).
 * Alpha spent by stage i is itp_gs_spend(s, alpha, min(t[i], 1)); when
 * final_spends_all is nonzero the last stage spends all that is left of
 * alpha whatever its t (as rpact and gsDesign do when the final analysis
 * has more or less information than planned). Each bound solves
 * P_0(first crossing at stage i) = alpha increment of stage i, without
 * futility bounds (efficacy bounds valid for non-binding futility). A stage
 * whose increment is below ITP_GS_MIN_INCREMENT gets +INFINITY. One stage
 * gives Phi^-1(1 - alpha spent). Returns ITP_OK, ITP_EINPUT (NULL pointer,
 * k out of range, bad t, alpha or spending), ITP_ENOMEM (the root solver
 * could not be made) or ITP_ENUMERIC (a bound not found: not seen
 * for valid input); b is fully written only on ITP_OK. */
itp_status itp_gs_bounds(const itp_spending *s, double alpha, int k, const double *t,
                         int final_spends_all, double *b);

/* Stage-wise crossing probabilities under drift theta (finite) for the
 * bounds b[0..k-1] (each in (-INF, +INF]; +INFINITY: no efficacy stop at
 * that stage) and futility bounds a[0..k-1] (each in [-INF, b[i]];
 * -INFINITY: none at that stage; a == NULL: none at all) at the
 * information fractions t (as for itp_gs_bounds). The trial stops at the
 * first crossing either way: p_eff[i] = P(a_j < Z_j < b_j for j < i,
 * Z_i >= b[i]), p_fut[i] = P(a_j < Z_j < b_j for j < i, Z_i <= a[i]). So
 * futility is evaluated as binding here; a caller with non-binding
 * futility computes b without it (itp_gs_bounds) and uses these
 * probabilities for the trial that obeys its futility bounds. a[k-1], when
 * given, is used like the others (a[k-1] = b[k-1] gives the final
 * acceptance probability in p_fut[k-1]). p_fut may be NULL (not written).
 * Returns ITP_OK or ITP_EINPUT (NULL t, b or p_eff, k out of range, bad t,
 * a NaN bound, a[i] > b[i], theta not finite). */
itp_status itp_gs_probs(int k, const double *t, const double *a, const double *b,
                        double theta, double *p_eff, double *p_fut);

/* Conditional power at information fraction t in [0, 1) with current
 * statistic z: the probability of Z(1) >= b_final at t = 1 under drift theta,
 * by the B-value B(t) = z sqrt(t), B(1) - B(t) ~ N(theta (1 - t), 1 - t)
 * (Lan & Wittes, Biometrics 1988):
 *   CP = 1 - Phi((b_final - z sqrt(t) - theta (1 - t)) / sqrt(1 - t)).
 * theta = z / sqrt(t) is the current trend, theta = 0 the null, a planned
 * drift the design's alternative. For t >= 1 the final statistic is z
 * itself: 1 when z >= b_final, else 0. NaN for t < 0 or any NaN argument;
 * b_final = +INFINITY gives 0. */
double itp_gs_conditional_power(double z, double t, double b_final, double theta);

#endif
