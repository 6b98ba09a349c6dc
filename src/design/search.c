/* The sample size search; see search.h (sweeps are in sweep.c). */
#include "itpsim/search.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "itpsim/report.h"
#include "itpsim/trial.h"
/* A size's line of the progress file (search.h). */
static void log_point(FILE *f, const itp_ss_point *p)
{
    fprintf(f, "%d %ld", p->n, p->reps);
    for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
        fprintf(f, " %ld", p->rejected[k]);
    fprintf(f, " %ld", p->null_reps);
    for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
        fprintf(f, " %ld", p->null_rejected[k]);
    fprintf(f, " %ld\n", p->null_any);
}

static itp_status evaluate(const itp_scenario *scn, const itp_run_opts *o, int hyp, int n,
                           itp_ss_log *log, itp_ss_result *res, double *crit)
{
    for (int i = 0; i < res->n_points; i++)
        if (res->points[i].n == n) {
            *crit = res->points[i].criterion;
            return ITP_OK;
        }
    if (res->n_points == ITP_MAX_SS_POINTS)
        return ITP_ERANGE;
    itp_ss_point pt = {.n = n, .criterion = HUGE_VAL};
    int known = 0;
    for (int i = 0; log && i < log->n_known && !known; i++)
        if (log->known[i].n == n && log->known[i].reps == o->reps) {
            pt = log->known[i];
            pt.criterion = HUGE_VAL;   /* from its rejections, below */
            known = 1;
        }
    if (!known) {
        itp_run_opts ro = *o;
        ro.patients = n;
        ro.replicates = NULL;
        itp_run_result rr;
        itp_status st = itp_run(scn, &ro, &rr);
        if (st)
            return st;
        pt.reps = rr.design.reps;
        memcpy(pt.rejected, rr.design.rejected, sizeof pt.rejected);
        if (rr.has_null) {
            pt.null_reps = rr.null.reps;
            for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)   /* as itp_type1 */
                pt.null_rejected[k] = rr.null.rejected[k] + rr.null.harm_rejected[k];
            pt.null_any = rr.null.any_rejected;
        }
        itp_run_result_free(&rr);
        if (log && log->path && !log->out && itp_out_writes() &&
            (log->out = fopen(log->path, "w")) != NULL) {
            fprintf(log->out, "%s\n", log->identity);
            for (int i = 0; i < log->n_known; i++)
                log_point(log->out, &log->known[i]);
        }
        if (log && log->out) {
            log_point(log->out, &pt);
            fflush(log->out);
        }
    }
    for (int k = 0; k < scn->plan.n_hyp; k++)
        if (hyp < 0 || k == hyp)
            pt.criterion = fmin(pt.criterion, (double)pt.rejected[k] / (double)pt.reps);
    /* keep the points in ascending order of n */
    int at = res->n_points;
    while (at > 0 && res->points[at - 1].n > n) {
        res->points[at] = res->points[at - 1];
        at--;
    }
    res->points[at] = pt;
    res->n_points++;
    res->steps[res->n_steps++] = n;
    *crit = pt.criterion;
    return ITP_OK;
}

itp_status itp_samplesize(const itp_scenario *scn, const itp_run_opts *o, int hyp,
                          double power, int n_min, int n_max, itp_ss_log *log,
                          itp_ss_result *res)
{
    double sum = 0.0;
    int whole = 1;
    for (int a = 0; a < scn->n_arms; a++) {
        sum += scn->arms[a].ratio;
        whole &= scn->arms[a].ratio == floor(scn->arms[a].ratio);
    }
    memset(res, 0, sizeof *res);
    res->chosen = -1;
    res->step = whole ? (int)sum : 1;
    int step = res->step;
    int lo = (n_min + step - 1) / step * step, hi = n_max / step * step;
    if (lo < step)
        lo = step;
    if (hi < lo)
        return ITP_EINPUT;
    double c;
    itp_status st = evaluate(scn, o, hyp, hi, log, res, &c);
    if (st || c < power)
        return st; /* not reachable within n_max: chosen stays -1 */
    if ((st = evaluate(scn, o, hyp, lo, log, res, &c)))
        return st;
    if (c >= power) {
        hi = lo;
    } else {
        /* invariant: power(lo) < target <= power(hi) */
        while (hi - lo > step) {
            int mid = (lo + hi) / 2 / step * step;
            if (mid <= lo)
                mid = lo + step;
            if ((st = evaluate(scn, o, hyp, mid, log, res, &c)))
                return st;
            if (c >= power)
                hi = mid;
            else
                lo = mid;
        }
    }
    if (hi + step <= ITP_MAX_PATIENTS && (st = evaluate(scn, o, hyp, hi + step, log, res, &c)))
        return st;
    if (hi - step >= step && (st = evaluate(scn, o, hyp, hi - step, log, res, &c)))
        return st;
    for (int i = 0; i < res->n_points; i++)
        if (res->points[i].n == hi)
            res->chosen = i;
    return ITP_OK;
}
