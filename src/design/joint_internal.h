/* The joint calibration's parts (joint.c: the joint file and the trials'
 * evaluation; jointfit.c: the fit and its uncertainty; jointreport.c:
 * the run and its files), see calibrate.h. */
#ifndef ITPSIM_JOINT_INTERNAL_H
#define ITPSIM_JOINT_INTERNAL_H

#include <gsl/gsl_matrix.h>
#include "itpsim/calibrate.h"

#define JOINT_MAX ITP_JOINT_MAX_TRIALS
#define NP ITP_CAL_MAX_JOINT_PARAMS

struct itp_joint {
    char file[512], defaults[512];
    int n;
    itp_calibrator *cal[JOINT_MAX];
    char scenario[JOINT_MAX][512];   /* as written, and as opened */
    char trial[JOINT_MAX][ITP_NAME_MAX];
    char population[JOINT_MAX][ITP_NAME_MAX];   /* the population it enrols ("" none) */
    int n_params;
    itp_cal_param p[NP];
    /* the parameters acting on trial k: n_use[k] of them, use[k][m] the
     * joint index of its m-th */
    int n_use[JOINT_MAX], use[JOINT_MAX][ITP_CAL_MAX_PARAMS];
    /* further starting points (alternative_starts): each the starting
     * values with some changed; fit_obj[s] the objective after the fit
     * from start s (0: the starting values), chosen the lowest's */
    int n_alt;
    double alt[ITP_JOINT_MAX_STARTS][NP];
    double fit_obj[ITP_JOINT_MAX_STARTS + 1];
    int chosen;
    int per_arm, iters, loto_iters, n_draws;
    double step_u;
    uint64_t seed;
    int threads;
};

/* The parameters' values at starting point s (0: the starting values, s
 * >= 1: the s-th alternative), into x. */
void itp_joint_starts(const itp_joint *j, int s, double *x);

/* Trial k at the joint parameters x. */
itp_status itp_joint_eval_trial(itp_joint *j, int k, const double *x, itp_cal_eval *ev,
                                char *err, size_t errlen);

/* Every trial but left_out (-1: none) at x: ev[k] for each, and the sum
 * of their objectives. */
itp_status itp_joint_eval_all(itp_joint *j, const double *x, int left_out, itp_cal_eval *ev,
                              double *objective, char *err, size_t errlen);

/* Fits from x0 (at most iters iterations) without trial left_out (-1:
 * none) into best; progress (may be NULL) gets a line per iteration. */
itp_status itp_joint_fit_from(itp_joint *j, int left_out, const double *x0, int iters,
                              double *best, FILE *progress, char *err, size_t errlen);

/* The fit of every trial from each starting point (iters iterations
 * each), the lowest objective's into best and its starting point into
 * start; j->fit_obj and j->chosen record them. */
itp_status itp_joint_fit_starts(itp_joint *j, double *best, double *start, FILE *progress,
                                char *err, size_t errlen);

/* The Laplace approximation at best: cov (n_params square) the covariance
 * in the transformed parameters, [lo, hi] each parameter's 95% interval,
 * *ridge the ridge J'J needed (0: none). */
itp_status itp_joint_laplace(itp_joint *j, const double *best, gsl_matrix *cov, double *lo,
                             double *hi, double *ridge, char *err, size_t errlen);

#endif
