/* The sample size search; see search.h (sweeps are in sweep.c). */
#include "itpsim/search.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "itpsim/report.h"
#include "itpsim/trial.h"
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
    itp_ss_point pt = {n, 0, {0}, HUGE_VAL};
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
        ro.null = 0;
        ro.replicates = NULL;
        itp_run_result rr;
        itp_status st = itp_run(scn, &ro, &rr);
        if (st)
            return st;
        pt.reps = rr.design.reps;
        memcpy(pt.rejected, rr.design.rejected, sizeof pt.rejected);
        itp_run_result_free(&rr);
        if (log && log->path && !log->out && itp_out_writes() &&
            (log->out = fopen(log->path, "w")) != NULL) {
            fprintf(log->out, "%s\n", log->identity);
            for (int i = 0; i < log->n_known; i++) {
                fprintf(log->out, "%d %ld", log->known[i].n, log->known[i].reps);
                for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
                    fprintf(log->out, " %ld", log->known[i].rejected[k]);
                fputc('\n', log->out);
            }
        }
        if (log && log->out) {
            fprintf(log->out, "%d %ld", pt.n, pt.reps);
            for (int k = 0; k < ITP_MAX_HYPOTHESES; k++)
                fprintf(log->out, " %ld", pt.rejected[k]);
            fputc('\n', log->out);
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
