/* `itpsim compare`: several designs run with the same seed and replicate
 * count, side by side. Every random stream is keyed by seed, replicate and
 * patient, so replicate r of one design and replicate r of another share
 * their patients' random numbers (common random numbers): the difference
 * between two designs is estimated replicate by replicate, d_r = X_B(r) -
 * X_A(r), with the paired Monte Carlo standard error sd(d) / sqrt(R), which
 * is smaller than the unpaired sqrt(SE_A^2 + SE_B^2) as far as the two
 * designs' outcomes are positively correlated across replicates.
 *
 * The first design is the reference. Its replicates are kept (a few words
 * each); each later design's are paired with them as they are aggregated
 * (itp_run_opts.rows), so memory grows with the replicates of one design
 * only. Hypotheses are matched by name. */
#ifndef ITPSIM_COMPARE_H
#define ITPSIM_COMPARE_H

#include <stdint.h>
#include "itpsim/run.h"
#include "itpsim/search.h"

#define ITP_CMP_MAX_DESIGNS 32
/* hypotheses of every design together, each name once */
#define ITP_CMP_MAX_HYPS 64

/* The mean, the sample standard deviation (n - 1) and its standard error
 * of n values added in order, from their sums shifted by the first value
 * (the "shifted data" algorithm: Chan, Golub & LeVeque, Am Stat 1983),
 * which keeps the sums of whole numbers exact and those of values near one
 * another (months of an analysis) free of cancellation. */
typedef struct itp_running {
    long n;
    double shift, s1, s2;
} itp_running;

void itp_running_add(itp_running *s, double x);
/* NaN when empty. */
double itp_running_mean(const itp_running *s);
/* sd / sqrt(n), sd with the n - 1 denominator (as R's sd); NaN below 2
 * values. */
double itp_running_se(const itp_running *s);

/* What a comparison keeps of one replicate of the reference design. */
typedef struct itp_cmp_rep {
    uint32_t power;   /* bit k: hypothesis k rejected for benefit (design) */
    uint32_t type1;   /* bit k: hypothesis k rejected either way (null);
                         bit ITP_MAX_HYPOTHESES: any (the family-wise error) */
    int patients, events;
    double month;     /* of the analysis ending the trial */
} itp_cmp_rep;

/* The figures compared, per hypothesis and per design. */
enum { ITP_CMP_POWER, ITP_CMP_TYPE1, ITP_CMP_FWER, ITP_CMP_PATIENTS, ITP_CMP_MONTH,
       ITP_CMP_EVENTS, ITP_CMP_N };

typedef struct itp_cmp_design {
    char name[ITP_NAME_MAX];   /* the file's name without .cfg (-2, -3 for a repeat) */
    char file[1024];
    char hash[25];
    const itp_scenario *scn;   /* the caller's */
    itp_run_result res;        /* its run (itp_compare_done) */
    int ran;
    /* its own per-replicate values: patients, month, events (their MCSE) */
    itp_running own[ITP_CMP_N];
    /* from the reference replicate by replicate: per hypothesis k of this
     * design that the reference has (ref_hyp[k] >= 0) d[ITP_CMP_POWER or
     * ITP_CMP_TYPE1][k]; the design's figures in d[q][0] */
    int ref_hyp[ITP_MAX_HYPOTHESES];
    itp_running d[ITP_CMP_N][ITP_MAX_HYPOTHESES];
} itp_cmp_design;

typedef struct itp_compare {
    int n;
    itp_cmp_design *d;         /* [ITP_CMP_MAX_DESIGNS] */
    long reps;
    int null;                  /* the null versions run */
    itp_cmp_rep *ref;          /* the reference's replicates [reps] */
    int cur;                   /* the design whose replicates arrive */
    int n_hyp;                 /* every design's hypotheses, in order of first mention */
    char hyp[ITP_CMP_MAX_HYPS][ITP_NAME_MAX];
} itp_compare;

/* A comparison of REPS replicates per design (and as many under the null
 * when null). */
itp_status itp_compare_init(itp_compare *c, long reps, int null);
void itp_compare_free(itp_compare *c);
/* Adds a design (scn stays the caller's, alive until itp_compare_free);
 * its name from the file's: the last part of the path without ".cfg",
 * with "-2", "-3", ... for a name taken, and characters that a CSV field
 * cannot hold bare (comma, quote, blanks) as '_'. ITP_EINPUT (err) past
 * ITP_CMP_MAX_DESIGNS designs or ITP_CMP_MAX_HYPS hypotheses. */
itp_status itp_compare_add(itp_compare *c, const char *file, const char *hash,
                           const itp_scenario *scn, char *err, size_t errlen);
/* Before design i runs: its replicates are the ones itp_compare_rows gets. */
void itp_compare_start(itp_compare *c, int i);
/* itp_run_opts.rows of the design started (ctx: the comparison). */
void itp_compare_rows(void *ctx, int null, long first, const itp_rep_result *res, long count);
/* Design i's run finished: res is the comparison's from here on (moved:
 * the caller no longer frees it). */
void itp_compare_done(itp_compare *c, int i, itp_run_result *res);

/* The provenance of a comparison, for compare.json. */
typedef struct itp_compare_info {
    uint64_t seed;
    const char *const *sets;
    int n_sets;
    const char *provenance;   /* a JSON object (NULL: none) */
} itp_compare_info;

/* compare.csv, compare_arms.csv, compare_diff.csv and compare.json in dir,
 * switched in as one set (itp_out_commit_all). */
itp_status itp_compare_write(const char *dir, const itp_compare *c, const itp_compare_info *info,
                             char *err, size_t errlen);
/* The terminal table: power per design and hypothesis, the family-wise
 * error, expected size and duration; then each design's differences from
 * the first with their paired and unpaired MCSE. */
void itp_compare_print(const itp_compare *c, FILE *f);

/* The figure q (ITP_CMP_*) of design i for hypothesis name h (NULL for
 * the design-wide ones), its MCSE: NaN when the design lacks it. */
double itp_compare_value(const itp_compare *c, int i, int q, const char *h, double *mcse);
/* Design i's difference from the first in figure q for hypothesis h (or
 * the design-wide one, h NULL): the mean of the per-replicate
 * differences, its paired MCSE and the unpaired one; NaN when either
 * design lacks it. */
double itp_compare_diff(const itp_compare *c, int i, int q, const char *h, double *paired,
                        double *unpaired);

#endif
