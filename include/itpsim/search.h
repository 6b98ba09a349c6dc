/* Designs over a range: the smallest sample size reaching a target power
 * (`itpsim samplesize`) and power over a grid of settings (`itpsim sweep`).
 * Both reuse the seed at every point, so patient i of replicate r is the
 * same patient at every sample size and every grid point (common random
 * numbers): differences between points are due to the design, not to noise. */
#ifndef ITPSIM_SEARCH_H
#define ITPSIM_SEARCH_H

#include <stdint.h>
#include "itpsim/assurance.h"
#include "itpsim/probit.h"
#include "itpsim/run.h"

#define ITP_MAX_SS_POINTS 64
#define ITP_MAX_VARY 4
#define ITP_MAX_VARY_VALUES 64

typedef struct itp_ss_point {
    int n;
    long reps;
    long rejected[ITP_MAX_HYPOTHESES];
    double criterion;     /* the named hypothesis' power, or the smallest */
    /* the null at this size (o->null): replicates (0: not run), each
     * hypothesis' rejections in either direction (its type I error, as
     * itp_type1), replicates rejecting any (the FWER) */
    long null_reps;
    long null_rejected[ITP_MAX_HYPOTHESES];
    long null_any;
} itp_ss_point;

typedef struct itp_ss_result {
    int n_points;         /* evaluated sizes, ascending */
    itp_ss_point points[ITP_MAX_SS_POINTS];
    int chosen;           /* index of the smallest size reaching the target, -1: none */
    int step;             /* sizes are multiples of this (the allocation ratios' sum) */
    int n_steps;          /* the sizes in the order the search tried them */
    int steps[ITP_MAX_SS_POINTS];
} itp_ss_result;

/* The sizes a search evaluated before (known, from a stopped search's
 * progress file), taken instead of simulating them again; each size
 * simulated is written to `out` (may be NULL) as a line "n reps r_0 ...
 * r_15 null_reps t_0 ... t_15 null_any" (its rejections per hypothesis,
 * then the null's) and flushed. */
typedef struct itp_ss_log {
    const itp_ss_point *known;
    int n_known;
    /* the log file (NULL: none), made at the first size simulated (after
     * the run's first collective under MPI): identity on its first line,
     * then the known sizes, then each new one; out is it once open */
    const char *path, *identity;
    FILE *out;
} itp_ss_log;

/* Bisection over multiples of the allocation ratios' sum in [n_min, n_max]
 * for the smallest size whose power (hypothesis `hyp`, or every hypothesis
 * when hyp < 0) is at least `power`; then the sizes one step either side.
 * Each size also runs its null when o->null. log may be NULL. */
itp_status itp_samplesize(const itp_scenario *scn, const itp_run_opts *o, int hyp,
                          double power, int n_min, int n_max, itp_ss_log *log,
                          itp_ss_result *res);

/* The power curve fitted to a search's sizes (gridfiles.c): a probit
 * regression of each hypothesis' rejections on sqrt(patients) over every
 * size evaluated (probit.h says why sqrt), and the size at which the fit
 * reaches the target with the interval where its 95% band does. */
typedef struct itp_ss_fit {
    int ok;                   /* 0: no fit, `why` says why */
    itp_probit probit;        /* x = sqrt(patients) */
    double n_target, n_low, n_high;   /* patients; NaN: none or unbounded */
    char why[96];
} itp_ss_fit;

/* Fits every hypothesis the search's criterion counts (hyp, or all when
 * hyp < 0; the others get ok 0). *binding: the hypothesis whose fitted
 * size is the largest (the one that sets the design's size), -1 when none
 * was fitted. */
void itp_ss_fit_curves(const itp_scenario *scn, const itp_ss_result *res, int hyp, double power,
                       itp_ss_fit *fits, int *binding);

/* DIR/power_fit.csv: per hypothesis fitted, the fitted curve on 101 sizes
 * from the smallest to the largest evaluated with its 95% band (rows
 * "curve"), and the size at the target power with its interval (row
 * "size"; chosen 1 on the binding hypothesis'). */
itp_status itp_ss_write_fit(const char *dir, const itp_scenario *scn, const itp_ss_result *res,
                            double power, const itp_ss_fit *fits, int binding, char *err,
                            size_t errlen);

/* The columns of the per-arm files of a sweep (sweep_arms.csv, a row per
 * grid point and arm) and of a comparison (compare_arms.csv, a row per
 * design and arm): after leading fields, `arm`, `mean_patients`,
 * `mean_events`, `landmark_free` (Kaplan-Meier share free of the first
 * time-to-event endpoint at the landmark), `median_months` (median over
 * replicates), a `NAME_rate` per binary endpoint, `mean_analysis_month`
 * (the trial's duration). The binary endpoints are those of every
 * scenario added, each once: a scenario without one has NA there. */
#define ITP_MAX_ARM_COLS 64
typedef struct itp_arm_cols {
    int n;
    char binary[ITP_MAX_ARM_COLS][ITP_NAME_MAX];
} itp_arm_cols;

/* Adds scn's binary endpoints that c does not have yet. */
void itp_arm_cols_add(itp_arm_cols *c, const itp_scenario *scn);
/* The header line; lead (the names of the leading fields, each followed by
 * a comma) first. */
void itp_arm_cols_header(const itp_arm_cols *c, const char *lead, FILE *f);
/* A row per arm of scn from the design summary d (NULL: a point not run,
 * every figure NA), each starting with lead (the leading fields' values,
 * each followed by a comma). */
void itp_arm_cols_rows(const itp_arm_cols *c, const itp_scenario *scn, const char *lead,
                       const itp_mc_summary *d, FILE *f);

typedef struct itp_vary {
    char key[128];
    int n;
    double values[ITP_MAX_VARY_VALUES];  /* the numbers (NAN for a named choice) */
    char text[ITP_MAX_VARY_VALUES][64];  /* each value as set and written: a number
                                            as %.10g, or the choice's name */
} itp_vary;

/* Parses "KEY=V1,V2,...": numbers, or names of a choice (letters, digits,
 * '_', '.', '-'; for a text setting, e.g. allocation.method=simple,
 * permuted_blocks); ITP_EINPUT with a message. */
itp_status itp_vary_parse(const char *spec, itp_vary *v, char *err, size_t errlen);

/* Every grid point of the settings in vary: the scenario loaded with the
 * base overrides plus the point's, run (design and null), one row of
 * DIR/sweep.csv each; a line per point on `table`. Each completed point's
 * rows also go at once to DIR/sweep.progress.csv and
 * DIR/sweep_arms.progress.csv, with `identity` (what the sweep is: the
 * scenario's hash, the grid, seed, replicates) in DIR/sweep.id, all three
 * removed when the sweep ends. With resume, a sweep of the same identity
 * continues after the points those files hold; without it, a folder
 * holding them is refused (ITP_EINPUT) unless force. */
/* With ax (NULL: none), each point's assurance too (assurance.h: ax's
 * draws, parameter sets, replicates per set, seed and threads; its
 * scenario and sets are the point's): per hypothesis the assurance, its
 * MCSE and the 5/50/95% quantiles of the power over the parameter sets,
 * and the parameter most rank-correlated with the first hypothesis's
 * power, as columns of sweep.csv. */
itp_status itp_sweep(const char *scenario_file, const char *defaults, const char *const *sets,
                     int n_sets, const itp_vary *vary, int n_vary, const itp_run_opts *o,
                     const itp_assurance_opts *ax, const char *dir, const char *identity,
                     int resume, int force, FILE *table, char *err, size_t errlen);

/* What a sweep or sample size search was, for its report: DIR/sweep.json
 * or DIR/samplesize.json (itpsim plot reads the scenario and its settings
 * back from it). */
typedef struct itp_grid_info {
    const char *command;              /* "sweep" or "samplesize" */
    const char *file, *hash;          /* the scenario file and its hash */
    const char *provenance;           /* a JSON object, or NULL */
    const char *const *sets;          /* the --set overrides */
    int n_sets;
    uint64_t seed;
    long reps;
    int null;                         /* the nulls were run */
    double target_power;              /* NaN: none given */
    const itp_vary *vary;             /* sweep: the grid */
    int n_vary;
    const char *hypothesis;           /* samplesize: NULL for every one */
    long n_min, n_max;
    const itp_ss_result *res;
    const itp_ss_fit *fits;           /* NULL: none */
    int binding;
} itp_grid_info;

itp_status itp_grid_write_json(const char *dir, const itp_scenario *scn, const itp_grid_info *g,
                               char *err, size_t errlen);

#endif
