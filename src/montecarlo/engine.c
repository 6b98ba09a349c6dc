/* The replicate engine; see engine.h. The only OpenMP loop of itpsim. */
#include "itpsim/engine.h"

#include <limits.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* One chunk: replicates [start, start + n) into buf, in parallel. Returns
 * the status of the lowest failing replicate, else ITP_EINTERRUPT if the
 * stop flag was seen, else ITP_OK. */
static itp_status run_chunk(const itp_engine_task *task, const itp_engine_opts *o, int nt,
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
    return bad_st ? bad_st : stopped ? ITP_EINTERRUPT : ITP_OK;
}

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
    for (int t = 0; !st && task->ws_create && t < nt; t++)
        st = task->ws_create(task->ctx, &ws[t]);
    long end = o->first + o->count;
    for (long start = o->first; !st && start < end; start += chunk) {
        long n = end - start < chunk ? end - start : chunk;
        if ((st = run_chunk(task, o, nt, ws, start, n, buf)))
            break;
        if (task->reduce)
            st = task->reduce(task->ctx, start, buf, n);
    }
    for (int t = 0; ws && task->ws_free && t < nt; t++)
        task->ws_free(ws[t]);
    free(ws);
    free(buf);
    return st;
}
