/* Design and null runs with progress and result files; see run.h. */
#include "itpsim/fmt.h"
#include "itpsim/run.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "itpsim/report.h"
#include "run_internal.h"

/* NAN is a float; every NA here is a double. */
#define NA_D ((double)NAN)

typedef struct progress {
    const itp_run_opts *o;
    const char *phase;
    long total, done;
    double start, last_print;
    int tty;
    long printed;        /* replicates done at the last plain line */
    int io_error;        /* writing replicates.csv failed */
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show(progress *p, int final)
{
    if (p->o->quiet)
        return;
    double t = now(), el = t - p->start, rate = el > 0 ? p->done / el : 0.0;
    double left = rate > 0 ? (p->total - p->done) / rate : 0.0;
    if (p->tty) {
        int width = 30, fill = p->total ? (int)(width * p->done / p->total) : width;
        fprintf(stderr, "\r%s %-6s [", p->o->label ? p->o->label : "", p->phase);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %ld/%ld  %.0f rep/s  %.0f s left ", p->done, p->total, rate, left);
        if (final)
            fputc('\n', stderr);
    } else if ((final && p->printed != p->done) || (!final && t - p->last_print >= 5.0)) {
        p->printed = p->done;
        fprintf(stderr, "%s%s%s: %ld/%ld replicates, %.0f rep/s, %.0f s left\n",
                p->o->label ? p->o->label : "", p->o->label ? " " : "", p->phase, p->done,
                p->total, rate, left);
        p->last_print = t;
    }
}


void itp_replicates_header(const itp_scenario *scn, FILE *f)
{
    fputs("scenario,replicate,analysis_month,patients,events", f);
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const char *h = scn->plan.hyp[k].name;
        fprintf(f, ",%s_estimate,%s_p,%s_adj_p,%s_rejected,%s_flags", h, h, h, h, h);
    }
    fputc('\n', f);
}

static int on_chunk(void *ctx, const itp_scenario *scn, long first, const itp_rep_result *res,
                    long count)
{
    progress *p = ctx;
    FILE *f = p->o->replicates;
    if (p->o->rows)
        p->o->rows(p->o->rows_ctx, !strcmp(p->phase, "null"), first, res, count);
    for (long i = 0; f && i < count; i++) {
        const itp_rep_result *r = &res[i];
        fprintf(f, "%s,%ld", p->phase, first + i);
        itp_fmt_csv(f, ",", r->cut_month, 8);
        fprintf(f, ",%d,%d", r->n_analysed, r->events);
        for (int k = 0; k < scn->plan.n_hyp; k++) {
            itp_fmt_csv(f, ",", r->hyp[k].estimate, 8);
            itp_fmt_csv(f, ",", r->hyp[k].p_value, 8);
            itp_fmt_csv(f, ",", r->hyp[k].adj_p, 8);
            fprintf(f, ",%d,%s", r->hyp[k].rejected, itp_hyp_flag_text(r->hyp[k].flags));
        }
        fputc('\n', f);
    }
    p->done += count;
    /* A full disk shows at once, not after the whole run. */
    if (f && ferror(f)) {
        p->io_error = 1;
        return 1;
    }
    show(p, 0);
    return 0;
}

double itp_type1(const itp_mc_summary *s, int k)
{
    if (s->reps <= 0)
        return NA_D;
    return (double)(s->rejected[k] + s->harm_rejected[k]) / (double)s->reps;
}

double itp_power(const itp_mc_summary *s, int k)
{
    if (s->reps == 0)
        return NA_D;
    return (double)(k < 0 ? s->all_rejected : s->rejected[k]) / (double)s->reps;
}

static double max_power_se(const itp_scenario *scn, const itp_mc_summary *s)
{
    double worst = 0.0;
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        double se = itp_mc_se(itp_power(s, k), s->reps);
        if (se > worst)
            worst = se;
    }
    return worst;
}

itp_status itp_run_result_init(itp_run_result *res, const itp_scenario *scn)
{
    memset(res, 0, sizeof *res);
    return itp_mc_summary_init(&res->design, scn);
}

itp_status itp_run(const itp_scenario *scn, const itp_run_opts *o, itp_run_result *res)
{
    itp_status st = itp_run_result_init(res, scn);
    return st ? st : itp_run_continue(scn, o, NULL, res);
}

typedef struct partial_ctx {
    progress *p;
    unsigned arms;
    long fwer;
} partial_ctx;

static int on_partial(void *ctx, const itp_scenario *scn, long first, const itp_rep_result *res,
                      long count)
{
    partial_ctx *c = ctx;
    (void)first;
    for (long i = 0; i < count; i++) {
        int any = 0;
        for (int k = 0; k < scn->plan.n_hyp; k++)
            any |= res[i].hyp[k].rejected && scn->plan.hyp[k].control >= 0 &&
                   (c->arms >> scn->plan.hyp[k].arm & 1u);
        c->fwer += any;
    }
    c->p->done += count;
    show(c->p, 0);
    return 0;
}

/* Every partial null (run.h), as many replicates as the design's. */
static itp_status partial_nulls(const itp_scenario *scn, const itp_run_opts *o,
                                const atomic_int *stop, itp_run_result *res, progress *p)
{
    unsigned exp = 0;
    int m = 0;
    for (int k = 0; k < scn->plan.n_hyp; k++)
        if (scn->plan.hyp[k].control >= 0)
            exp |= 1u << scn->plan.hyp[k].arm;
    for (int a = 0; a < scn->n_arms; a++)
        m += exp >> a & 1u;
    res->n_partial = 0;
    if (m < 2 || m > 4)
        return ITP_OK;
    p->phase = "partial nulls";
    p->total += res->design.reps * ((1L << m) - 2);
    for (unsigned sub = 1; sub < (1u << m) - 1; sub++) {
        unsigned arms = 0;
        for (int a = 0, bit = 0; a < scn->n_arms; a++)
            if (exp >> a & 1u)
                arms |= (sub >> bit++ & 1u) << a;
        itp_scenario *pn;
        itp_status st = itp_scenario_partial_null(scn, arms, &pn);
        if (st)
            return st;
        itp_mc_summary s;
        partial_ctx c = {p, arms, 0};
        itp_mc_run_opts mo = {.seed = o->seed, .first = 0, .reps = res->design.reps,
                              .threads = o->threads, .patients = o->patients, .stop = stop};
        if (!(st = itp_mc_summary_init(&s, pn)))
            st = itp_mc_run(pn, &mo, &s, on_partial, &c);
        itp_mc_summary_free(&s);
        itp_scenario_free(pn);
        if (st)
            return st;
        int i = res->n_partial++;
        res->partial_arms[i] = arms;
        res->partial_reps[i] = res->design.reps;
        res->partial_fwer[i] = c.fwer;
    }
    return ITP_OK;
}

/* Design and null replicates interleaved by chunk: design chunk k, then
 * the null replicates of the same indices, then chunk k + 1, so that an
 * interrupted run has both power and type I error for the same
 * replicates, and its null never runs ahead of its design. With precision
 * > 0 the design stops after the first chunk whose every power's standard
 * error is at most the target (the stopping point depends on the seed
 * only: a resumed run starts after a chunk that missed it); the null then
 * catches up. replicates.csv gets the chunks' rows in that order. */
itp_status itp_run_continue(const itp_scenario *scn, const itp_run_opts *o,
                            const atomic_int *stop, itp_run_result *res)
{
    itp_status st = ITP_OK;
    long total = o->reps * (o->null ? 2 : 1);
    progress p = {o, "design", total, 0, now(), now(), isatty(2), -1, 0};
    res->complete = 0;
    if (o->null && !res->has_null) {
        if ((st = itp_mc_summary_init(&res->null, scn)))
            return st;
        res->has_null = 1;
    }
    p.done = res->design.reps + (res->has_null ? res->null.reps : 0);
    itp_scenario *null = NULL;
    if (res->has_null && (st = itp_scenario_null(scn, &null)))
        return st;
    int design_done = res->design.reps >= o->reps;
    if (o->precision > 0 && res->design.reps > 0 &&
        max_power_se(scn, &res->design) <= o->precision)
        design_done = 1;
    int ran = 0;
    while (!st) {
        /* a boundary between chunks: res and replicates.csv agree */
        if (ran++ && o->checkpoint && (st = o->checkpoint(o->checkpoint_ctx, res)))
            break;
        itp_mc_run_opts mo = {.seed = o->seed, .threads = o->threads, .patients = o->patients,
                              .stop = stop};
        if (res->has_null && res->null.reps < res->design.reps) {
            /* the null replicates of the last design chunk(s) */
            p.phase = "null";
            mo.first = o->first + res->null.reps;
            mo.reps = res->design.reps - res->null.reps;
            st = itp_mc_run(null, &mo, &res->null, on_chunk, &p);
            continue;
        }
        if (design_done)
            break;
        p.phase = "design";
        mo.first = o->first + res->design.reps;
        mo.reps = o->reps - res->design.reps < ITP_MC_CHUNK ? o->reps - res->design.reps
                                                           : ITP_MC_CHUNK;
        st = itp_mc_run(scn, &mo, &res->design, on_chunk, &p);
        design_done = res->design.reps >= o->reps ||
                      (o->precision > 0 && max_power_se(scn, &res->design) <= o->precision);
        if (design_done && o->precision > 0)
            p.total = res->design.reps * (o->null ? 2 : 1);
    }
    itp_scenario_free(null);
    if (!st && res->has_null && o->partial_nulls)
        st = partial_nulls(scn, o, stop, res, &p);
    if (st == ITP_EINTERRUPT && p.io_error)
        st = ITP_EIO;
    res->complete = st == ITP_OK;
    if (!o->quiet && p.tty && !res->complete)
        fputc('\n', stderr);
    else
        show(&p, 1);
    return st;
}

void itp_run_result_free(itp_run_result *res)
{
    itp_mc_summary_free(&res->design);
    if (res->has_null)
        itp_mc_summary_free(&res->null);
}
