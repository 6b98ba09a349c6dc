/* The replicate engine: one parallel map over replicate indices, with a
 * workspace per thread and a reduction in replicate order. It serves every
 * command that simulates many replicates (run, samplesize and sweep through
 * itp_mc_run, the calibrator's pooled cohorts, the plots' re-simulated
 * curves); no other file runs replicates on threads.
 *
 * Replicates [first, first + count) run in chunks of `chunk` over OpenMP
 * threads (dynamic schedule, one replicate at a time). Each thread owns a
 * workspace made by ws_create before the first chunk and freed by ws_free
 * at the end. Replicate rep writes its result into its own slot of
 * result_size bytes; when the chunk is done, reduce sees the chunk's slots
 * in replicate order on the calling thread, then the next chunk starts.
 * So, as long as a replicate's result depends on its index alone (its
 * random streams are keyed by replicate, rng.h), reduce sees the same
 * bytes in the same order whatever the number of threads, and memory is
 * the workspaces plus one chunk of slots, whatever count is.
 *
 * A run ends early, with the chunk under way discarded (not reduced), when
 * - a replicate fails: the status of the lowest failing replicate of the
 *   chunk is returned (every replicate of the chunk has run);
 * - *stop is set (by a signal handler, or a replicate): it is checked
 *   before each replicate; ITP_EINTERRUPT is returned;
 * - reduce returns a status other than ITP_OK: that status is returned.
 * Chunks before the one that ended the run have all been reduced.
 *
 * In the MPI build (ITP_MPI), every rank calls this with the same task and
 * options; each chunk is shared out over the ranks and, for a task with
 * result slots, every rank's reduce sees all of the chunk's slots, so every
 * rank ends with the state of one process; the run ends at the same chunk,
 * with the same status, on every rank. A task without slots is run whole
 * on every rank (engine.c). */
#ifndef ITPSIM_ENGINE_H
#define ITPSIM_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include "itpsim/error.h"

typedef struct itp_engine_task {
    /* Passed to every function below. Replicates run concurrently: they
     * may read it, and write only what no other replicate reads or writes
     * (such as their own index's part of an array the caller holds). */
    void *ctx;
    /* Bytes of one replicate's result slot; 0: no slots (result is NULL). */
    size_t result_size;
    /* One thread's workspace into *ws; NULL: no workspace (ws is NULL). */
    itp_status (*ws_create)(void *ctx, void **ws);
    /* Frees a workspace of ws_create; must accept NULL. */
    void (*ws_free)(void *ws);
    /* Replicate rep, with the calling thread's workspace, into result
     * (result_size bytes, not cleared). */
    itp_status (*replicate)(void *ctx, void *ws, long rep, void *result);
    /* The results of replicates [first, first + count), in order; NULL:
     * none. Anything but ITP_OK ends the run with that status. */
    itp_status (*reduce)(void *ctx, long first, const void *results, long count);
} itp_engine_task;

typedef struct itp_engine_opts {
    long first;              /* first replicate index, >= 0 */
    long count;              /* replicates; <= 0: none run, no workspace made */
    int threads;             /* < 1: 1; never more than count */
    long chunk;              /* replicates per chunk, and per reduce call; < 1: 1 */
    const atomic_int *stop;  /* NULL, or set to stop (see above) */
} itp_engine_opts;

/* Runs the task over the replicates of o. ITP_ENOMEM when the chunk's
 * slots cannot be allocated; a failing ws_create's status (the workspaces
 * made are freed, nothing runs). */
itp_status itp_engine_run(const itp_engine_task *task, const itp_engine_opts *o);

/* The processes the engine shares replicates over: MPI's ranks in the MPI
 * build, else 1. */
int itp_engine_ranks(void);

#endif
