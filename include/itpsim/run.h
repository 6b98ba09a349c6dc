/* `itpsim run` and the commands built on it: a design and its null version
 * simulated replicate by replicate, with progress, optional precision-driven
 * stopping, and the result files summary.json, summary.csv, arms.csv and
 * replicates.csv.
 *
 * A run can be interrupted (a flag set by a signal handler) and continued:
 * it stops at a chunk boundary, its result files are written marked as
 * partial together with DIR/run.state (the aggregates of the completed
 * replicates), and itp_run_state_read + itp_run_continue carry on from
 * there to the same files, byte for byte, as a run never interrupted. */
#ifndef ITPSIM_RUN_H
#define ITPSIM_RUN_H

#include <stdatomic.h>
#include <stdio.h>
#include "itpsim/montecarlo.h"
#include "itpsim/report.h"

struct itp_run_result;
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
    int partial_nulls;    /* also every partial null (run.h: itp_run_result) */
    const char *provenance; /* a JSON object for summary.json (NULL: none) */
    /* a shard (--replicates FROM:TO): replicates [first, first + reps) of
     * the design and of the null; its folder also gets shard.state */
    long first;
    int shard;
    /* what ran, recorded in run.state and shard.state (NULL: none): the
     * scenario file, the defaults file, the --set overrides */
    const char *file, *defaults;
    const char *const *sets;
    int n_sets;
    /* NULL, or called by itp_run_continue at every boundary between chunks
     * (res then holding whole chunks, as many as o->replicates has rows):
     * a status other than ITP_OK stops the run with it */
    itp_status (*checkpoint)(void *ctx, const struct itp_run_result *res);
    void *checkpoint_ctx;
    /* NULL, or given every chunk's replicates as they are aggregated (in
     * replicate order within the design and within the null; null: 1 for
     * the null version's), as replicates.csv gets them: what `compare`
     * pairs across designs */
    void (*rows)(void *ctx, int null, long first, const itp_rep_result *res, long count);
    void *rows_ctx;
} itp_run_opts;

/* Partial nulls: with m experimental arms (those of two-arm hypotheses,
 * 2 <= m <= 4), each of the 2^m - 2 non-empty proper subsets given the
 * control's treatment in turn, as many replicates as the design, the same
 * seed; the family-wise error under each is the share of replicates
 * rejecting a hypothesis of a null arm. */
#define ITP_MAX_PARTIAL_NULLS 14
typedef struct itp_run_result {
    itp_mc_summary design, null;
    int has_null;         /* the null version was started: null holds its replicates */
    int complete;         /* every planned replicate ran; 0 after an interruption */
    int n_partial;
    unsigned partial_arms[ITP_MAX_PARTIAL_NULLS];  /* bit a: arm a null */
    long partial_reps[ITP_MAX_PARTIAL_NULLS], partial_fwer[ITP_MAX_PARTIAL_NULLS];
} itp_run_result;

/* Runs the design (and its null). res is initialised here; free it with
 * itp_run_result_free. */
itp_status itp_run(const itp_scenario *scn, const itp_run_opts *o, itp_run_result *res);
/* Initialises res with no replicates. */
itp_status itp_run_result_init(itp_run_result *res, const itp_scenario *scn);
/* Runs the replicates res does not hold yet (res from itp_run_result_init
 * or itp_run_state_read). stop (may be NULL) is checked before every
 * replicate: once set, the unfinished chunk is discarded and the status is
 * ITP_EINTERRUPT, res holding every completed chunk. A write error on
 * o->replicates stops the run with ITP_EIO. */
itp_status itp_run_continue(const itp_scenario *scn, const itp_run_opts *o,
                            const atomic_int *stop, itp_run_result *res);
void itp_run_result_free(itp_run_result *res);

/* The header of replicates.csv. */
void itp_replicates_header(const itp_scenario *scn, FILE *f);

/* "fnv1a64:<16 hex digits>" of n bytes: identifies a scenario by its
 * resolved settings and its text (out has room for 25 bytes). */
void itp_run_hash(const char *text, size_t n, char out[25]);

/* Refuses (ITP_EINPUT, the reason in err) to write a run into dir when dir
 * holds an interrupted run (run.state: --resume it or --force), or result
 * files of another scenario (their summary.json names neither the same
 * scenario file nor the same hash), of the same one with other settings
 * (the file matches, the hash does not) or with another seed. A missing
 * folder, or one without run result files, is fine. */
itp_status itp_run_dir_check(const char *dir, const itp_scenario *scn, const char *hash,
                             uint64_t seed, char *err, size_t errlen);

/* The options a run was started with, from DIR/run.state (an interrupted
 * run) or DIR/shard.state (a shard). */
#define ITP_RUN_MAX_SETS 64
typedef struct itp_run_saved {
    char hash[32];
    uint64_t seed;
    long reps, first;
    int shard;            /* a shard's (--replicates FROM:TO) */
    double precision;
    int null;
    int patients;
    char file[512], defaults[512];
    int n_sets;
    char sets[ITP_RUN_MAX_SETS][256];
} itp_run_saved;

/* The file of a shard's state in its folder. */
#define ITP_SHARD_STATE "shard.state"

/* Reads the header of DIR/NAME (run.state, or for run.state a killed run's
 * checkpoint when there is none; or shard.state) into saved: what ran,
 * before the scenario is loaded. */
itp_status itp_run_state_peek(const char *dir, const char *name, itp_run_saved *saved,
                              char *err, size_t errlen);

/* Reads DIR/run.state (or, when there is none, the checkpoint of a run
 * killed outright, itp_run_checkpoint) for scn: saved gets the run's options, res (initialised
 * here; free with itp_run_result_free) its completed replicates. ITP_EINPUT
 * with the reason in err when there is none, it was written for other
 * hypotheses or arms, or it is damaged. */
itp_status itp_run_state_read(const char *dir, const itp_scenario *scn, itp_run_saved *saved,
                              itp_run_result *res, char *err, size_t errlen);
/* The same of DIR/NAME. */
itp_status itp_run_state_read_file(const char *dir, const char *name, const itp_scenario *scn,
                                   itp_run_saved *saved, itp_run_result *res, char *err,
                                   size_t errlen);

/* Merges shard folders of scn (loaded from what the first recorded, its
 * hash `hash`) into dir as one run: every shard of that hash, seed, null
 * version and sample size, their ranges covering 0..N without gap or
 * overlap; the summaries added, replicates.csv's rows in replicate order
 * (design, then null). The files are those one run of N replicates writes
 * (summary.json's provenance aside). ITP_EINPUT with the reason for shards
 * that do not fit. */
itp_status itp_run_merge(const char *dir, const itp_scenario *scn, const char *hash,
                         const char *const *shards, int n, const itp_run_opts *o, char *err,
                         size_t errlen);

/* Starts DIR/replicates.csv of a resumed run: out (open) gets the rows of the
 * interrupted run's DIR/replicates.csv, which must hold exactly the
 * replicates of res under the header of scn (of a killed run's checkpoint:
 * its first rows, those its state counts). */
itp_status itp_replicates_resume(const char *dir, const itp_scenario *scn,
                                 const itp_run_result *res, FILE *out, char *err, size_t errlen);

/* The checkpoint of a run going on in dir (itp_run_opts.checkpoint): the
 * rows of replicates (open) flushed and synced, a second name for them
 * (a hard link, dir/.run.checkpoint.csv, made at the first checkpoint) and
 * res's state as run.state has it in dir/.run.checkpoint. After SIGKILL or
 * a power loss, --resume continues from there. Nothing on a file system
 * without hard links; nothing on the MPI ranks that do not write. */
itp_status itp_run_checkpoint(const char *dir, const itp_scenario *scn, const itp_run_opts *o,
                              const itp_run_result *res, const char *hash, itp_out *replicates,
                              char *err, size_t errlen);
/* Writes summary.json, summary.csv, arms.csv and, for an incomplete run,
 * run.state into dir, then commits them with replicates (replicates.csv,
 * open, written during the run) as one batch: every file is written in full
 * under its temporary name before any is renamed, and on a write error every
 * temporary is removed. A complete run removes an earlier run.state; every
 * run the checkpoint (itp_run_checkpoint), a shard.state and a stages.csv
 * that are not of its set. hash
 * is recorded in summary.json and run.state. */
itp_status itp_write_results(const char *dir, const itp_scenario *scn, const itp_run_opts *o,
                             const itp_run_result *res, const char *hash, itp_out *replicates,
                             char *err, size_t errlen);
/* The short table on stdout. */
void itp_print_summary(const itp_scenario *scn, const itp_run_result *res, FILE *f);

/* Power of hypothesis k (or, k = -1, of rejecting all hypotheses) and its
 * Monte Carlo standard error. The power of a two-sided hypothesis counts
 * its rejections in the benefit direction only (harm_rejected the others). */
double itp_power(const itp_mc_summary *s, int k);
/* The share of replicates rejecting hypothesis k in either direction: its
 * type I error in the null version. */
double itp_type1(const itp_mc_summary *s, int k);

#endif
