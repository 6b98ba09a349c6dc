/* Assurance: the probability that a trial succeeds given what is known of
 * the model's parameters, not only its power at one point (O'Hagan,
 * Stevens and Campbell, Pharm Stat 2005: the expected power over the
 * parameters' distribution).
 *
 * K parameter sets come from the rows of a file of parameter draws (the
 * joint calibration's config/fitted_draws.csv: a column "draw", then one
 * per parameter path) or from priors in the scenario's `priors` list (a
 * distribution per numeric setting). For each set the scenario is loaded
 * with the set's values as --set overrides and R design replicates are
 * run with the run's seed, so every set sees the same replicate trials
 * (common random numbers: the power differences between sets are the
 * parameters', not noise). A draw's column acts on the scenario as a joint
 * fit's parameter does (itp_cal_path_acts); the others are left out.
 *
 * The assurance of a hypothesis is the mean over sets of its simulated
 * power. Its Monte Carlo error has two parts: between sets, from drawing
 * K sets (the variance of the sets' powers less their within-set binomial
 * part, over K); within sets, from the R replicates, which common random
 * numbers do not average out over the sets: estimated from B batch means
 * (the assurance computed on each of B blocks of replicates, the variance
 * of the blocks' values over B). */
#ifndef ITPSIM_ASSURANCE_H
#define ITPSIM_ASSURANCE_H

#include <stdint.h>
#include <stdio.h>
#include "itpsim/cfgread.h"
#include "itpsim/scenario.h"

#define ITP_MAX_PRIORS 32

typedef enum { ITP_PRIOR_NORMAL, ITP_PRIOR_LOGNORMAL, ITP_PRIOR_BETA, ITP_PRIOR_UNIFORM }
    itp_prior_kind;

/* One prior: normal (a = mean, b = sd), lognormal (a = meanlog, b =
 * sdlog), beta (a, b; on [lo, hi], default [0, 1]) or uniform on [lo,
 * hi]; normal and lognormal truncated to [lo, hi] (default: none). */
typedef struct itp_prior {
    char path[160];
    itp_prior_kind kind;
    double a, b, lo, hi;
} itp_prior;

typedef struct itp_priors {
    int n;
    itp_prior p[ITP_MAX_PRIORS];
} itp_priors;

/* The scenario section `priors` (a list of { path; dist; ... }), read into
 * the itp_priors given as ctx; n = 0 when the scenario has none. */
extern const itp_scenario_section itp_priors_section;

/* Draw k (0-based) of prior i at the run's seed: a pure function of (seed,
 * k, i). */
double itp_prior_draw(const itp_prior *p, uint64_t seed, long k, int i);

typedef struct itp_assurance_opts {
    const char *scenario, *defaults;
    const char *const *sets;       /* the run's own --set overrides */
    int n_sets;
    const char *draws_file;        /* parameter draws; NULL: the scenario's priors */
    int draws;                     /* K parameter sets */
    long reps;                     /* R design replicates per set */
    uint64_t seed;
    int threads;
} itp_assurance_opts;

/* Runs the assurance of the scenario into dir: assurance.csv (a row per
 * parameter set: its values and each hypothesis's power) and
 * assurance.json (per hypothesis: assurance, its MCSE and the two parts,
 * quantiles and a histogram of the power over sets; the parameters'
 * influence: the rank correlation of each with the first hypothesis's
 * power); a summary to out (may be NULL), progress to progress (may be
 * NULL). Bad input (a missing or malformed draws file, fewer rows than
 * draws, no priors, no parameter acting on the scenario) is ITP_EINPUT with
 * a message naming the file and line or setting. */
itp_status itp_assurance_run(const itp_assurance_opts *o, const char *dir, FILE *out,
                             FILE *progress, char *err, size_t errlen);

/* The figures of an assurance, in memory (a sweep's per grid point): per
 * hypothesis, and for any rejection at index n_hyp, the assurance, its
 * MCSE and the 5/25/50/75/95% quantiles of the power over the sets, and
 * the parameter whose draws are most rank-correlated (Spearman) with its
 * power. */
typedef struct itp_assurance_summary {
    int n_hyp;
    double assurance[ITP_MAX_HYPOTHESES + 1], mcse[ITP_MAX_HYPOTHESES + 1];
    double q[ITP_MAX_HYPOTHESES + 1][5];
    /* per hypothesis (any rejection at n_hyp): the parameter most
     * rank-correlated with its power ("" none) and that correlation */
    char top_hyp[ITP_MAX_HYPOTHESES + 1][160];
    double top_hyp_rho[ITP_MAX_HYPOTHESES + 1];
} itp_assurance_summary;

/* The assurance of itp_assurance_run, summarised into *sum; no file is
 * written. The same failures. */
itp_status itp_assurance_summarise(const itp_assurance_opts *o, itp_assurance_summary *sum,
                                   FILE *progress, char *err, size_t errlen);

#endif
