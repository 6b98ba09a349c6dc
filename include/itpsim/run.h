/* `itpsim run` and the commands built on it: a design and its null version
 * simulated replicate by replicate, with progress, optional precision-driven
 * stopping, and the result files summary.json, summary.csv, arms.csv and
 * replicates.csv. */
#ifndef ITPSIM_RUN_H
#define ITPSIM_RUN_H

#include <stdio.h>
#include "itpsim/montecarlo.h"

typedef struct itp_run_opts {
    uint64_t seed;
    long reps;            /* replicates; with precision > 0, the maximum */
    int threads;
    double precision;     /* > 0: stop once every power's MC SE is at most this */
    int null;             /* also simulate the null version */
    int quiet;            /* no progress on stderr */
    int patients;         /* 0: the scenario's */
    FILE *replicates;     /* NULL, or replicates.csv being written */
    const char *label;    /* progress label */
} itp_run_opts;

typedef struct itp_run_result {
    itp_mc_summary design, null;
    int has_null;
} itp_run_result;

/* Runs the design (and its null). res is initialised here; free it with
 * itp_run_result_free. */
itp_status itp_run(const itp_scenario *scn, const itp_run_opts *o, itp_run_result *res);
void itp_run_result_free(itp_run_result *res);

/* The header of replicates.csv. */
void itp_replicates_header(const itp_scenario *scn, FILE *f);

/* summary.json, summary.csv and arms.csv in dir. */
itp_status itp_write_summary(const char *dir, const itp_scenario *scn, const itp_run_opts *o,
                             const itp_run_result *res, char *err, size_t errlen);
/* The short table on stdout. */
void itp_print_summary(const itp_scenario *scn, const itp_run_result *res, FILE *f);

/* Power of hypothesis k (or, k = -1, of rejecting all hypotheses) and its
 * Monte Carlo standard error. */
double itp_power(const itp_mc_summary *s, int k);

#endif
