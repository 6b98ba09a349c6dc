/* Calibration: fit marked model parameters to published summaries.
 *
 * A scenario's `calibration` section lists targets (per arm: the
 * Kaplan-Meier share free of a time-to-event endpoint at a landmark, its
 * median, the rate of a binary endpoint; per comparison: the hazard ratio),
 * each with its published value and CI, and free parameters with bounds
 * and starting values. The model's expected values come from a large
 * cohort: as many replicate trials of the scenario as give
 * `patients_per_arm` patients per arm, pooled, always from the same seed
 * (common random numbers: the objective is a smooth-enough function of the
 * parameters). The objective is the sum over the fitted targets of
 * ((simulated - published) / scale)^2 (hazard ratios on the log scale; a
 * one-sided target counts only on the wrong side), minimised by GSL's
 * Nelder-Mead simplex (nmsimplex2) in a logistic transform of the bounds,
 * from several starting points. */
#ifndef ITPSIM_CALIBRATE_H
#define ITPSIM_CALIBRATE_H

#include <stdint.h>
#include <stdio.h>
#include "itpsim/cfgread.h"
#include "itpsim/scenario.h"

#define ITP_CAL_MAX_TARGETS 32
#define ITP_CAL_MAX_PARAMS 12
#define ITP_CAL_MAX_PATHS 4
/* Free parameters of a joint calibration (each scenario uses at most
 * ITP_CAL_MAX_PARAMS of them). */
#define ITP_CAL_MAX_JOINT_PARAMS 24

typedef enum { ITP_Q_LANDMARK, ITP_Q_MEDIAN, ITP_Q_HR, ITP_Q_RATE } itp_cal_quantity;
typedef enum { ITP_BOUND_EQUAL, ITP_BOUND_AT_LEAST, ITP_BOUND_AT_MOST } itp_cal_bound;

typedef struct itp_cal_target {
    char name[ITP_NAME_MAX];
    int arm, endpoint;
    itp_cal_quantity quantity;
    double months;          /* landmark time */
    double value;           /* published; months for a median */
    double ci_low, ci_high; /* NaN when not published */
    double scale;           /* distance counted as 1 in the objective */
    itp_cal_bound bound;
    int fit;                /* 0: held out, reported only */
    int primary;            /* the trial's primary figure (the first target
                               unless one says primary = true) */
    int scale_given;        /* scale written in the scenario */
} itp_cal_target;

typedef struct itp_cal_param {
    int n_paths;
    char path[ITP_CAL_MAX_PATHS][128];  /* set together */
    double min, max, start;
    char unit[64];
} itp_cal_param;

typedef struct itp_cal_spec {
    int per_arm;            /* patients per arm in the expected-value cohort */
    int starts;             /* Nelder-Mead starting points */
    int max_evals;          /* per start */
    int power_reps;         /* replicates for the power of the design as run */
    int n_targets;
    itp_cal_target t[ITP_CAL_MAX_TARGETS];
    int n_params;
    itp_cal_param p[ITP_CAL_MAX_PARAMS];
    int primary;            /* index of the primary target */
} itp_cal_spec;

/* Loads a scenario as itp_scenario_load does (trial.h), and its
 * `calibration` section into *spec (all zero, n_targets 0, when it has
 * none); the scenario does not keep the spec. */
itp_status itp_cal_load(itp_scenario **out, itp_cal_spec *spec, const char *file,
                        const char *defaults, const char *const *sets, int n_sets,
                        FILE *resolved, char *err, size_t errlen);

/* Expected values at one parameter vector. */
typedef struct itp_cal_eval {
    double value[ITP_CAL_MAX_TARGETS];
    double se[ITP_CAL_MAX_TARGETS];     /* Monte Carlo standard error */
    double objective;
    int patients;                        /* in the pooled cohort */
} itp_cal_eval;

typedef struct itp_calibrator itp_calibrator;

/* Loads the scenario (with the base overrides) and its calibration
 * section; fails with ITP_EINPUT when it has none. */
itp_status itp_calibrator_create(itp_calibrator **out, const char *file, const char *defaults,
                                 const char *const *sets, int n_sets, uint64_t seed,
                                 int threads, char *err, size_t errlen);
void itp_calibrator_free(itp_calibrator *c);
const itp_cal_spec *itp_calibrator_spec(const itp_calibrator *c);
/* The scenario as loaded with parameters x (NULL: as the file says);
 * owned by the calibrator, valid until the next call. */
const itp_scenario *itp_calibrator_scenario(itp_calibrator *c, const double *x, char *err,
                                            size_t errlen);

/* Expected values and objective at parameters x (NULL: the scenario's own
 * values, e.g. the fitted ones it includes). */
itp_status itp_cal_evaluate(itp_calibrator *c, const double *x, itp_cal_eval *ev, char *err,
                            size_t errlen);

/* Fits; best gets the parameters, ev their evaluation. progress (may be
 * NULL) gets a line per evaluation. */
itp_status itp_cal_fit(itp_calibrator *c, double *best, itp_cal_eval *ev, FILE *progress,
                       char *err, size_t errlen);

/* Prints every target, published vs simulated with the scenario's own
 * parameter values. */
itp_status itp_cal_report_evaluation(itp_calibrator *c, FILE *out, char *err, size_t errlen);

/* Fits, then writes dir/fitted.cfg and dir/calibration.md (with the power
 * of the design as run at the fitted values) and prints a summary. */
itp_status itp_cal_run(itp_calibrator *c, const char *dir, FILE *progress, FILE *out, char *err,
                       size_t errlen);

/* The target's signed distance (simulated - published) / scale (hazard
 * ratios on the log scale; 0 on the allowed side of a one-sided target;
 * 1e3 when the model gives none): the objective is the sum of squares. */
double itp_cal_residual(const itp_cal_target *t, double sim);

/* One free parameter { path (a numeric setting's path, or an array of
 * them set together); min; max; start; } of group g into p, refused with
 * the file and line when malformed. */
itp_status itp_cal_read_param(itp_reader *rd, const config_setting_t *g, itp_cal_param *p);

/* Replaces the free parameters (and, when per_arm > 0, the cohort size)
 * of c's spec: for a joint calibration, which fits parameters of its own
 * to the targets of several scenarios. */
void itp_cal_use_params(itp_calibrator *c, const itp_cal_param *p, int n, int per_arm);

/* Scales every target whose scale the scenario does not write by its
 * published uncertainty: a 95% CI's half-width / 1.96 (for a hazard
 * ratio on the log scale), else for a rate the binomial SE at the arm's
 * size sqrt(p (1 - p) / n), else the built-in scale. */
void itp_cal_scale_by_uncertainty(itp_calibrator *c);

/* Parameters live in (min, max) through x = min + (max - min) / (1 +
 * e^-u); the minimiser works in u. */
double itp_cal_from_u(const itp_cal_param *p, double u);
double itp_cal_to_u(const itp_cal_param *p, double x);

/* Nelder-Mead (GSL nmsimplex2) over the np parameters p in their
 * logistic transform: from `from` (NULL: the parameters' start values),
 * then starts - 1 points drawn over the bounds (from stream seed), at
 * most max_evals evaluations of fn each. fn gets x, the start and the
 * evaluation (from 1), and sets *st on failure. best: the parameters of
 * the lowest value found, *best_obj that value. */
typedef double (*itp_cal_objfn)(const double *x, int start, int eval, void *ctx,
                                itp_status *st);
itp_status itp_cal_minimise(const itp_cal_param *p, int np, itp_cal_objfn fn, void *ctx,
                            int starts, int max_evals, uint64_t seed, const double *from,
                            double *best, double *best_obj);

/* Writes dir/file: a header, then each of the n parameters path[k] =
 * { value = val[k]; unit[k]; source[k]; } nested in its groups (paths
 * sorted), as a file a scenario includes, then footer (NULL: none). */
itp_status itp_cal_write_params(const char *dir, const char *file, int n,
                                const char *const *path, const double *val,
                                const char *const *unit, const char *const *source,
                                const char *header, const char *footer, char *err,
                                size_t errlen);

/* A simulated value for a report: "0.123 (0.004)" with its MCSE, "not
 * reached" (infinite), "NA". */
void itp_cal_fmt_value(char *buf, size_t len, double v, double se);

/* The "PATH=VALUE" overrides for parameters x, into buf; returns count. */
int itp_cal_overrides(const itp_cal_spec *s, const double *x, char buf[][160], int max);

/* ---- joint calibration ------------------------------------------------------------ */

/* A joint calibration file lists scenarios (`scenarios = ["a.cfg", ...]`,
 * relative to the file) and free parameters by their defaults path
 * (`parameters = ( { path; min; max; start; }, ... )`: a drug's,
 * TYPE.DRUG.NAME, acts on the scenarios giving that drug; a population's,
 * populations.NAME.PATH, on those enrolling it; any other on all), with
 * patients_per_arm (4000), iterations (20, of the joint fit from each
 * starting point), loto_iterations (10, per left-out trial), draws
 * (1000), jacobian_step (0.1, in the transformed scale) and
 * alternative_starts (`( { paths = [...]; values = [...]; }, ... )`:
 * further starting points, each the starting values with the listed
 * parameters changed; the fit from the lowest objective is kept). Each
 * scenario's own calibration targets are its targets, scaled by their
 * published uncertainty (itp_cal_scale_by_uncertainty); its own
 * parameters are not used. */
#define ITP_JOINT_MAX_TRIALS 16
#define ITP_JOINT_MAX_STARTS 8

typedef struct itp_joint itp_joint;

/* Whether a parameter at path (a defaults path, or populations.NAME.PATH)
 * acts on scn, among the parameters paths[0..n-1] set together (a joint
 * fit's, a file of draws'): a drug's (TYPE.DRUG...) when a component gives
 * that drug, a population's when scn enrols it, any other on every
 * scenario except one whose population has a parameter of its own at
 * populations.NAME.path among paths. */
int itp_cal_path_acts(const char *path, const itp_scenario *scn, const char *const *paths, int n);

/* Whether file is a joint calibration file (it has `scenarios`). */
int itp_joint_is_file(const char *file);

itp_status itp_joint_create(itp_joint **out, const char *file, const char *defaults,
                            uint64_t seed, int threads, char *err, size_t errlen);
void itp_joint_free(itp_joint *j);

/* Whether joint parameter i acts on trial k (in the file's order). */
int itp_joint_uses(const itp_joint *j, int k, int i);

/* The joint fit alone (from every starting point, the lowest objective
 * kept): best the fitted parameters, *objective (may be NULL) its
 * objective, [lo[i], hi[i]] their 95% intervals (Laplace); *ridged when
 * J'J was singular. */
itp_status itp_joint_fit(itp_joint *j, double *best, double *objective, double *lo, double *hi,
                         int *ridged, char *err, size_t errlen);

/* Fits every trial's targets together, refits without each trial in turn
 * and predicts it, approximates the parameters' uncertainty (Laplace);
 * writes dir/joint.md, dir/fitted.cfg and dir/draws.csv, and prints a
 * summary to out. */
itp_status itp_joint_run(itp_joint *j, const char *dir, FILE *progress, FILE *out, char *err,
                         size_t errlen);

#endif
