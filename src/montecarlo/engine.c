/* The replicate engine; see engine.h. The only OpenMP loop of itpsim, and,
 * in the MPI build (ITP_MPI), the only place where the ranks of a job
 * exchange anything. */
#include "itpsim/engine.h"

#include <limits.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef ITP_MPI
#include <mpi.h>
#endif

/* One chunk's outcome on one process: the lowest failing replicate (an
 * absolute index; LONG_MAX: none) with its status, and whether the stop
 * flag was seen. */
typedef struct chunk_state {
    long bad;
    long bad_st;
    long stopped;
} chunk_state;

/* Replicates [start, start + n) into buf, in parallel. */
static chunk_state run_chunk(const itp_engine_task *task, const itp_engine_opts *o, int nt,
                             void **ws, long start, long n, unsigned char *buf)
{
    long bad = LONG_MAX;
    itp_status bad_st = ITP_OK;
    int stopped = 0;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (long i = 0; i < n; i++) {
        if (o->stop && atomic_load_explicit(o->stop, memory_order_relaxed)) {
#pragma omp atomic write
            stopped = 1;
            continue;
        }
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        void *slot = buf ? buf + (size_t)i * task->result_size : NULL;
        itp_status e = task->replicate(task->ctx, ws[t], start + i, slot);
        if (e) {
            /* the lowest index, so the status does not depend on the threads */
#pragma omp critical(itp_engine_status)
            if (i < bad) {
                bad = i;
                bad_st = e;
            }
        }
    }
    chunk_state cs = {bad_st ? start + bad : LONG_MAX, bad_st, stopped};
    return cs;
}

static itp_status chunk_status(chunk_state cs)
{
    return cs.bad_st ? (itp_status)cs.bad_st : cs.stopped ? ITP_EINTERRUPT : ITP_OK;
}

#ifdef ITP_MPI
/* The MPI build: every rank of MPI_COMM_WORLD calls itp_engine_run with the
 * same task and options (the same command on the same inputs), and every
 * chunk is shared out. Rank r computes the r-th of `size` contiguous parts
 * of the chunk with its threads; the ranks then agree on the chunk's
 * outcome (the lowest failing replicate over all ranks, a stop seen by
 * any) and, when it succeeded, gather every part into every rank's buffer
 * (MPI_Allgatherv), so that reduce sees on every rank the bytes of one
 * process in the same order: the callers' state stays the same on all
 * ranks, and the run ends at the same chunk everywhere.
 *
 * A task without result slots writes its results into the caller's memory,
 * which the engine cannot see: each rank then runs the whole chunk itself,
 * and only the outcome is agreed. */
typedef struct mpi_job {
    int rank, size;           /* size 1: not under MPI, or a single rank */
    MPI_Datatype slot;        /* result_size bytes */
    int *counts, *displs;     /* [size], in slots */
} mpi_job;

static int mpi_begin(mpi_job *m, const itp_engine_task *task)
{
    int on = 0, off = 0;
    m->rank = 0;
    m->size = 1;
    m->counts = m->displs = NULL;
    MPI_Initialized(&on);
    if (on)
        MPI_Finalized(&off);
    if (!on || off)
        return 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    if (m->size < 2 || !task->result_size)
        return 0;
    if (task->result_size > INT_MAX)
        return -1;
    m->counts = malloc(2 * (size_t)m->size * sizeof *m->counts);
    if (!m->counts)
        return -1;
    m->displs = m->counts + m->size;
    MPI_Type_contiguous((int)task->result_size, MPI_BYTE, &m->slot);
    MPI_Type_commit(&m->slot);
    return 0;
}

static void mpi_end(mpi_job *m)
{
    if (m->counts)
        MPI_Type_free(&m->slot);
    free(m->counts);
}

/* Every rank's outcome to every rank; the chunk's outcome as one process
 * would have it. */
static chunk_state agree(const mpi_job *m, chunk_state mine)
{
    long v[3] = {mine.bad, mine.bad_st, mine.stopped}, all[3 * 256], *p = all;
    if (m->size > 256 && !(p = malloc(3 * (size_t)m->size * sizeof *p)))
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Allgather(v, 3, MPI_LONG, p, 3, MPI_LONG, MPI_COMM_WORLD);
    chunk_state cs = {LONG_MAX, ITP_OK, 0};
    for (int r = 0; r < m->size; r++) {
        if (p[3 * r + 1] && p[3 * r] < cs.bad) {
            cs.bad = p[3 * r];
            cs.bad_st = p[3 * r + 1];
        }
        cs.stopped |= p[3 * r + 2];
    }
    if (p != all)
        free(p);
    return cs;
}

static chunk_state run_chunk_mpi(const mpi_job *m, const itp_engine_task *task,
                                 const itp_engine_opts *o, int nt, void **ws, long start,
                                 long n, unsigned char *buf)
{
    if (m->size < 2)
        return run_chunk(task, o, nt, ws, start, n, buf);
    if (!task->result_size)
        return agree(m, run_chunk(task, o, nt, ws, start, n, buf));
    for (int r = 0; r < m->size; r++) {
        long lo = n * r / m->size, hi = n * (r + 1) / m->size;
        m->displs[r] = (int)lo;
        m->counts[r] = (int)(hi - lo);
    }
    long lo = m->displs[m->rank], k = m->counts[m->rank];
    chunk_state cs = agree(m, run_chunk(task, o, nt, ws, start + lo, k,
                                        buf + (size_t)lo * task->result_size));
    if (!chunk_status(cs))
        MPI_Allgatherv(MPI_IN_PLACE, 0, m->slot, buf, m->counts, m->displs, m->slot,
                       MPI_COMM_WORLD);
    return cs;
}

/* A reduce status seen on any rank (say, rank 0 alone failing to write a
 * result file) ends the run on every rank: the highest status wins. */
static itp_status agree_status(const mpi_job *m, itp_status st)
{
    if (m->size < 2)
        return st;
    int v = (int)st, all = 0;
    MPI_Allreduce(&v, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return (itp_status)all;
}
#else
/* The plain build: one process. */
typedef struct mpi_job {
    int size;
} mpi_job;

static int mpi_begin(mpi_job *m, const itp_engine_task *task)
{
    (void)task;
    m->size = 1;
    return 0;
}

static void mpi_end(mpi_job *m)
{
    (void)m;
}

static chunk_state run_chunk_mpi(const mpi_job *m, const itp_engine_task *task,
                                 const itp_engine_opts *o, int nt, void **ws, long start,
                                 long n, unsigned char *buf)
{
    (void)m;
    return run_chunk(task, o, nt, ws, start, n, buf);
}

static itp_status agree_status(const mpi_job *m, itp_status st)
{
    (void)m;
    return st;
}
#endif

itp_status itp_engine_run(const itp_engine_task *task, const itp_engine_opts *o)
{
    if (o->count <= 0)
        return ITP_OK;
    long chunk = o->chunk > 0 ? o->chunk : 1;
    int nt = o->threads > 0 ? o->threads : 1;
    if (nt > o->count)
        nt = (int)o->count;
    long slots = chunk < o->count ? chunk : o->count;
    void **ws = calloc((size_t)nt, sizeof *ws);
    unsigned char *buf = task->result_size ? malloc((size_t)slots * task->result_size) : NULL;
    itp_status st = ws && (buf || !task->result_size) ? ITP_OK : ITP_ENOMEM;
    mpi_job m;
    if (mpi_begin(&m, task))
        st = ITP_ENOMEM;
    for (int t = 0; !st && task->ws_create && t < nt; t++)
        st = task->ws_create(task->ctx, &ws[t]);
    /* a rank that cannot start makes every rank stop */
    st = agree_status(&m, st);
    long end = o->first + o->count;
    for (long start = o->first; !st && start < end; start += chunk) {
        long n = end - start < chunk ? end - start : chunk;
        if ((st = chunk_status(run_chunk_mpi(&m, task, o, nt, ws, start, n, buf))))
            break;
        if (task->reduce)
            st = agree_status(&m, task->reduce(task->ctx, start, buf, n));
    }
    mpi_end(&m);
    for (int t = 0; ws && task->ws_free && t < nt; t++)
        task->ws_free(ws[t]);
    free(ws);
    free(buf);
    return st;
}

int itp_engine_ranks(void)
{
#ifdef ITP_MPI
    int init = 0, size = 1;
    MPI_Initialized(&init);
    if (init)
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
#else
    return 1;
#endif
}
