/* The Monte Carlo engine: many replicate trials of a scenario, each
 * simulated, cut, analysed and reduced to a small fixed-size result, then
 * aggregated into power, type I error and operating characteristics with
 * their Monte Carlo standard errors.
 *
 * Replicates run on the replicate engine (engine.h) in chunks of
 * ITP_MC_CHUNK over threads; each chunk's results are aggregated in
 * replicate order, so the same seed gives
 * the same numbers, bit for bit, whatever the number of threads. Memory
 * does not grow with the number of replicates: medians across replicates
 * come from fixed histograms (resolution in ITP_MC_* below). */
#ifndef ITPSIM_MONTECARLO_H
#define ITPSIM_MONTECARLO_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include "itpsim/analysis.h"
#include "itpsim/model.h"

#define ITP_MC_CHUNK 256
#define ITP_MAX_REPLICATES 10000000L
/* Histogram of log hazard ratios: [-8, 8] in steps of 0.002; of risk
 * differences: [-1, 1] in steps of 0.00025; of median times: [0, 480]
 * months in steps of 0.02. */
#define ITP_MC_BINS 8000
#define ITP_MC_TIME_BINS 24000

/* One replicate, reduced. */
typedef struct itp_rep_result {
    double cut_month;                  /* data cut, months after the first enrolment */
    int n_analysed;                    /* patients randomised by the cut */
    int events;                        /* events of the first time-to-event endpoint */
    itp_hyp_result hyp[ITP_MAX_HYPOTHESES];
    double landmark[ITP_MAX_ARMS];     /* Kaplan-Meier S(landmark); NaN: not estimable */
    double median_days[ITP_MAX_ARMS];  /* KM median; inf: not reached; NaN: no data */
    int arm_n[ITP_MAX_ARMS];
    int arm_events[ITP_MAX_ARMS];
    double rate[ITP_MAX_ENDPOINTS][ITP_MAX_ARMS]; /* binary endpoints; NaN: none */
    itp_gs_result gs;                  /* group-sequential designs: the analyses held */
} itp_rep_result;

/* Aggregates over replicates. */
typedef struct itp_mc_summary {
    long reps;
    /* rejected in the benefit direction: every rejection of a one-sided
     * hypothesis, those of a two-sided one with the estimate on the side of
     * benefit (itp_hyp_harmful); the power */
    long rejected[ITP_MAX_HYPOTHESES];
    /* two-sided hypotheses: rejected with the estimate on the harmful side;
     * a type I error counts both */
    long harm_rejected[ITP_MAX_HYPOTHESES];
    long any_rejected, all_rejected;       /* in either direction */
    long flagged[ITP_MAX_HYPOTHESES];      /* not estimable, monotone or no test */
    long covered[ITP_MAX_HYPOTHESES], coverable[ITP_MAX_HYPOTHESES];
    unsigned *est_hist;                    /* [n_hyp][ITP_MC_BINS] */
    long est_n[ITP_MAX_HYPOTHESES];
    double landmark_sum[ITP_MAX_ARMS];
    long landmark_n[ITP_MAX_ARMS];
    unsigned *median_hist;                 /* [n_arms][ITP_MC_TIME_BINS] */
    long median_over[ITP_MAX_ARMS];        /* not reached or beyond the range */
    long median_n[ITP_MAX_ARMS];
    double rate_sum[ITP_MAX_ENDPOINTS][ITP_MAX_ARMS];
    long rate_n[ITP_MAX_ENDPOINTS][ITP_MAX_ARMS];
    double arm_n_sum[ITP_MAX_ARMS], arm_events_sum[ITP_MAX_ARMS];
    double cut_sum, events_sum;
    /* group-sequential designs, per analysis: held, stopped for efficacy,
     * for futility; sums of the information fraction, month and the
     * stop_on hypothesis's bound where finite (bound_n of them) */
    long gs_held[ITP_GS_STAGES], gs_eff[ITP_GS_STAGES], gs_fut[ITP_GS_STAGES];
    long gs_bound_n[ITP_GS_STAGES];
    double gs_t_sum[ITP_GS_STAGES], gs_month_sum[ITP_GS_STAGES], gs_bound_sum[ITP_GS_STAGES];
} itp_mc_summary;

itp_status itp_mc_summary_init(itp_mc_summary *s, const itp_scenario *scn);
void itp_mc_summary_free(itp_mc_summary *s);
void itp_mc_summary_add(itp_mc_summary *s, const itp_scenario *scn, const itp_rep_result *r);
/* Median over replicates of hypothesis k's estimate (NaN: none). */
double itp_mc_median_estimate(const itp_mc_summary *s, const itp_scenario *scn, int k);
/* Median over replicates of arm a's median time, in days (inf: not
 * reached in half of the replicates or more; NaN: none). */
double itp_mc_median_time(const itp_mc_summary *s, int a);

/* Per-thread working memory. */
typedef struct itp_mc_ws itp_mc_ws;
itp_status itp_mc_ws_create(itp_mc_ws **out, const itp_scenario *scn, int n_patients);
void itp_mc_ws_free(itp_mc_ws *ws);

/* Lets the simulations of ws stop each patient once all its outcomes are
 * settled (itp_endpoints_settled), as a replicate does, when the scenario
 * allows it: it has endpoints and its data cut is not event-driven. */
void itp_mc_stop_settled(const itp_scenario *scn, itp_sim_ws *ws);

/* Simulates and analyses replicate `rep` with n patients (0: the
 * scenario's). */
itp_status itp_mc_replicate(const itp_scenario *scn, uint64_t seed, uint64_t rep, int n,
                            itp_mc_ws *ws, itp_rep_result *out);

/* Analyses a record simulated as replicate `rep` of seed (by
 * itp_trial_simulate, into rec, which may be any record of at most the
 * workspace's patients) exactly as itp_mc_replicate does: the scenario's
 * data cut (calendar, or the day of the N-th event), interim analyses,
 * the plan, the per-arm figures. `itpsim simulate` analyses its trial by
 * it, so that its analysis is run's replicate. */
itp_status itp_mc_analyse_record(const itp_scenario *scn, uint64_t seed, uint64_t rep,
                                 const itp_record *rec, itp_mc_ws *ws, itp_rep_result *out);

/* The endpoint outcomes of the last analysis of ws (information up to its
 * data cut), [patients * n_endpoints]. */
const itp_outcome *itp_mc_outcomes(const itp_mc_ws *ws);

/* Called after every chunk, in order, with the chunk's results. Returns 0
 * to go on, anything else to stop. */
typedef int (*itp_mc_chunk_fn)(void *ctx, const itp_scenario *scn, long first,
                               const itp_rep_result *res, long count);

typedef struct itp_mc_run_opts {
    uint64_t seed;
    long first;          /* first replicate index */
    long reps;           /* replicates to run */
    int threads;         /* >= 1 */
    int patients;        /* 0: the scenario's */
    const atomic_int *stop; /* NULL, or set (by a signal handler) to stop: checked
                               before each replicate; the unfinished chunk is
                               discarded and the run returns ITP_EINTERRUPT */
} itp_mc_run_opts;

/* Runs replicates [first, first + reps) of scn, aggregating into s (which
 * may already hold earlier replicates) and calling on_chunk (may be NULL)
 * after each chunk. */
itp_status itp_mc_run(const itp_scenario *scn, const itp_mc_run_opts *o, itp_mc_summary *s,
                      itp_mc_chunk_fn on_chunk, void *ctx);

/* Monte Carlo standard error of a proportion p over r replicates, and the
 * Wilson score 95% interval. */
double itp_mc_se(double p, long r);
void itp_mc_wilson(long k, long r, double *lo, double *hi);

/* The standard normal's 97.5% quantile: the z of every 95% interval
 * reported (gsl_cdf_ugaussian_Pinv(0.975)). */
#define ITP_Z975 1.959963984540054

#endif
