/* Designs compared replicate by replicate; see compare.h. The files and
 * the table are in comparefiles.c. */
#include "itpsim/compare.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/analysis.h"

#define NA_D ((double)NAN)

void itp_running_add(itp_running *s, double x)
{
    if (s->n++ == 0)
        s->shift = x;
    s->s1 += x - s->shift;
    s->s2 += (x - s->shift) * (x - s->shift);
}

double itp_running_mean(const itp_running *s)
{
    /* n * shift + s1 is the plain sum: exact for whole numbers (the
     * differences of indicators and counts), so equal values give their
     * own mean and differences of 0 a mean of exactly 0 */
    return s->n > 0 ? (s->shift * (double)s->n + s->s1) / (double)s->n : NA_D;
}

double itp_running_se(const itp_running *s)
{
    if (s->n < 2)
        return NA_D;
    double n = (double)s->n, ss = s->s2 - s->s1 * s->s1 / n;
    /* a sum of squares: never below 0 but for rounding */
    return ss > 0 ? sqrt(ss / (n - 1.0) / n) : 0.0;
}

itp_status itp_compare_init(itp_compare *c, long reps, int null)
{
    memset(c, 0, sizeof *c);
    c->reps = reps;
    c->null = null;
    c->d = calloc(ITP_CMP_MAX_DESIGNS, sizeof *c->d);
    c->ref = calloc((size_t)(reps > 0 ? reps : 1), sizeof *c->ref);
    if (!c->d || !c->ref) {
        itp_compare_free(c);
        return ITP_ENOMEM;
    }
    return ITP_OK;
}

void itp_compare_free(itp_compare *c)
{
    for (int i = 0; c->d && i < c->n; i++)
        if (c->d[i].ran)
            itp_run_result_free(&c->d[i].res);
    free(c->d);
    free(c->ref);
    c->d = NULL;
    c->ref = NULL;
    c->n = 0;
}

/* The design's name from its file: the last part of the path without
 * ".cfg", each character a CSV field cannot hold bare as '_'. */
static void base_name(const char *file, char *out, size_t len)
{
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    size_t n = strlen(b);
    if (n > 4 && !strcmp(b + n - 4, ".cfg"))
        n -= 4;
    if (n == 0 || !strcmp(file, "-"))
        b = "stdin", n = 5;
    if (n >= len)
        n = len - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b[i];
        out[i] = ch == ',' || ch == '"' || ch == '\'' || isspace(ch) || ch < 32 ? '_' : (char)ch;
    }
    out[n] = '\0';
}

static int name_taken(const itp_compare *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->d[i].name, name))
            return 1;
    return 0;
}

itp_status itp_compare_add(itp_compare *c, const char *file, const char *hash,
                           const itp_scenario *scn, char *err, size_t errlen)
{
    if (c->n == ITP_CMP_MAX_DESIGNS) {
        snprintf(err, errlen, "at most %d designs", ITP_CMP_MAX_DESIGNS);
        return ITP_EINPUT;
    }
    int added = c->n_hyp;
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        int have = 0;
        for (int j = 0; j < added && !have; j++)
            have = !strcmp(c->hyp[j], scn->plan.hyp[k].name);
        if (have)
            continue;
        if (added == ITP_CMP_MAX_HYPS) {
            snprintf(err, errlen, "%s: at most %d hypotheses across the designs (matched by "
                     "name)", file, ITP_CMP_MAX_HYPS);
            return ITP_EINPUT;
        }
        snprintf(c->hyp[added++], sizeof c->hyp[0], "%s", scn->plan.hyp[k].name);
    }
    c->n_hyp = added;
    itp_cmp_design *d = &c->d[c->n];
    memset(d, 0, sizeof *d);
    char base[ITP_NAME_MAX - 12];
    base_name(file, base, sizeof base);
    snprintf(d->name, sizeof d->name, "%s", base);
    for (int k = 2; name_taken(c, d->name) && k <= ITP_CMP_MAX_DESIGNS; k++)
        snprintf(d->name, sizeof d->name, "%s-%d", base, k);
    snprintf(d->file, sizeof d->file, "%s", file);
    snprintf(d->hash, sizeof d->hash, "%s", hash);
    d->scn = scn;
    const itp_scenario *ref = c->n ? c->d[0].scn : scn;
    for (int k = 0; k < scn->plan.n_hyp; k++)
        d->ref_hyp[k] = itp_scenario_hypothesis(ref, scn->plan.hyp[k].name);
    c->n++;
    return ITP_OK;
}

void itp_compare_start(itp_compare *c, int i)
{
    c->cur = i;
}

static int bit(uint32_t mask, int k)
{
    return (int)(mask >> k & 1u);
}

/* A replicate as the comparison sees it: the design's rejections for
 * benefit (its power, as itp_mc_summary_add counts them), or the null's in
 * either direction (its type I error), and the size, events and month. */
static itp_cmp_rep reduce(const itp_scenario *scn, int null, const itp_rep_result *r)
{
    itp_cmp_rep x = {0, 0, r->n_analysed, r->events, r->cut_month};
    for (int k = 0; k < scn->plan.n_hyp; k++) {
        const itp_hypothesis *h = &scn->plan.hyp[k];
        if (!r->hyp[k].rejected)
            continue;
        if (null)
            x.type1 |= 1u << k | 1u << ITP_MAX_HYPOTHESES;
        else if (!(h->two_sided && itp_hyp_harmful(h, &r->hyp[k])))
            x.power |= 1u << k;
    }
    return x;
}

void itp_compare_rows(void *ctx, int null, long first, const itp_rep_result *res, long count)
{
    itp_compare *c = ctx;
    itp_cmp_design *d = &c->d[c->cur];
    const itp_scenario *scn = d->scn;
    for (long i = 0; i < count; i++) {
        long r = first + i;
        if (r < 0 || r >= c->reps)
            continue;   /* (a run of more replicates than planned: none) */
        itp_cmp_rep x = reduce(scn, null, &res[i]);
        itp_cmp_rep *a = &c->ref[r];
        if (c->cur == 0) {   /* the reference: kept */
            if (null) {
                a->type1 = x.type1;
            } else {
                uint32_t t1 = a->type1;
                *a = x;
                a->type1 = t1;
            }
        }
        if (null) {
            itp_running_add(&d->d[ITP_CMP_FWER][0],
                            bit(x.type1, ITP_MAX_HYPOTHESES) - bit(a->type1, ITP_MAX_HYPOTHESES));
            for (int k = 0; k < scn->plan.n_hyp; k++)
                if (d->ref_hyp[k] >= 0)
                    itp_running_add(&d->d[ITP_CMP_TYPE1][k],
                                    bit(x.type1, k) - bit(a->type1, d->ref_hyp[k]));
            continue;
        }
        itp_running_add(&d->own[ITP_CMP_PATIENTS], x.patients);
        itp_running_add(&d->own[ITP_CMP_MONTH], x.month);
        itp_running_add(&d->own[ITP_CMP_EVENTS], x.events);
        itp_running_add(&d->d[ITP_CMP_PATIENTS][0], (double)(x.patients - a->patients));
        itp_running_add(&d->d[ITP_CMP_MONTH][0], x.month - a->month);
        itp_running_add(&d->d[ITP_CMP_EVENTS][0], (double)(x.events - a->events));
        for (int k = 0; k < scn->plan.n_hyp; k++)
            if (d->ref_hyp[k] >= 0)
                itp_running_add(&d->d[ITP_CMP_POWER][k],
                                bit(x.power, k) - bit(a->power, d->ref_hyp[k]));
    }
}

void itp_compare_done(itp_compare *c, int i, itp_run_result *res)
{
    c->d[i].res = *res;
    c->d[i].ran = 1;
    memset(res, 0, sizeof *res);
}

/* ---- the figures ------------------------------------------------------------------ */

double itp_compare_value(const itp_compare *c, int i, int q, const char *h, double *mcse)
{
    const itp_cmp_design *d = &c->d[i];
    const itp_mc_summary *s = &d->res.design, *n = &d->res.null;
    int k = h ? itp_scenario_hypothesis(d->scn, h) : -1;
    int has_null = d->ran && d->res.has_null && n->reps > 0;
    double x = NA_D;
    *mcse = NA_D;
    if (!d->ran || (h && k < 0) || s->reps == 0)
        return NA_D;
    switch (q) {
    case ITP_CMP_POWER:
        x = itp_power(s, k);
        *mcse = itp_mc_se(x, s->reps);
        break;
    case ITP_CMP_TYPE1:
        /* per hypothesis only (k < 0: the row of designs sharing none) */
        x = has_null && k >= 0 ? itp_type1(n, k) : NA_D;
        *mcse = has_null && k >= 0 ? itp_mc_se(x, n->reps) : NA_D;
        break;
    case ITP_CMP_FWER:
        x = has_null ? (double)n->any_rejected / (double)n->reps : NA_D;
        *mcse = has_null ? itp_mc_se(x, n->reps) : NA_D;
        break;
    case ITP_CMP_PATIENTS: {
        double np = 0;
        for (int a = 0; a < d->scn->n_arms; a++)
            np += s->arm_n_sum[a];
        x = np / (double)s->reps;
        *mcse = itp_running_se(&d->own[q]);
        break;
    }
    case ITP_CMP_MONTH:
        x = s->cut_sum / (double)s->reps;
        *mcse = itp_running_se(&d->own[q]);
        break;
    case ITP_CMP_EVENTS:
        x = s->events_sum / (double)s->reps;
        *mcse = itp_running_se(&d->own[q]);
        break;
    }
    return x;
}

double itp_compare_diff(const itp_compare *c, int i, int q, const char *h, double *paired,
                        double *unpaired)
{
    const itp_cmp_design *d = &c->d[i];
    int per_hyp = q == ITP_CMP_POWER || q == ITP_CMP_TYPE1;
    int k = h ? itp_scenario_hypothesis(d->scn, h) : 0;
    double sa, sb;
    *paired = *unpaired = NA_D;
    if (i == 0 || k < 0 || (per_hyp && (!h || d->ref_hyp[k] < 0)))
        return NA_D;
    double a = itp_compare_value(c, 0, q, per_hyp ? h : NULL, &sa);
    double b = itp_compare_value(c, i, q, per_hyp ? h : NULL, &sb);
    if (isnan(a) || isnan(b))
        return NA_D;
    const itp_running *r = &d->d[q][per_hyp ? k : 0];
    *paired = itp_running_se(r);
    *unpaired = sqrt(sa * sa + sb * sb);
    return itp_running_mean(r);
}
