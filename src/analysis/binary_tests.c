/* Tests of a binary endpoint: the two-arm tests of binary.h (Cochran-
 * Mantel-Haenszel over the strata, reporting the Mantel-Haenszel common
 * risk difference with the Sato CI; Pearson chi-square and Fisher's exact
 * test on the pooled table, reporting the pooled risk difference with its
 * Wald CI; the z tests of the risk difference on the pooled table, rd_wald
 * with the Wald CI and rd_newcombe with the Newcombe CI); and the exact
 * binomial test of a single arm against a historical rate p0, reporting
 * the rate with its Clopper-Pearson CI. The kernels, with their formulas
 * and sources, are in src/stats/binary.c and exact.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/binary.h"
#include "itpsim/rng.h"
#include "internal.h"

/* Responders and patients per arm slot (1: the experimental arm, unless
 * the arms trade places) and stratum, and pooled over the strata. */
typedef struct counts {
    size_t nstrata;                     /* 1 when the test is not stratified */
    unsigned x[2][ITP_MAX_STRATA], n[2][ITP_MAX_STRATA];
    unsigned px[2], pn[2];
} counts;

/* The null version's response of patient id to a single-arm hypothesis on
 * endpoint e: Bernoulli(p0), from a uniform taken from the 53 high bits of
 * the patient's stream key (the same draw for every hypothesis on e, so
 * hypotheses with different p0 are coupled as common random numbers). */
static int null_response(const itp_analysis_ws *ws, int id, int e, double p0)
{
    uint64_t key = itp_rng_key(ws->seed, ws->replicate, (uint64_t)id,
                               ITP_STREAM_NULL_RESPONSE + ((uint64_t)e << 32));
    return (double)(key >> 11) * 0x1.0p-53 < p0;
}

/* Counts the analysed patients into c: the arms trade places when swap is
 * set; null_p0, unless NaN, is the true rate each patient's response is
 * drawn at instead of observed. */
static void count(const itp_scenario *scn, const itp_hypothesis *h, const itp_record *rec,
                  const itp_analysis_ws *ws, int swap, double null_p0, itp_hyp_result *r,
                  counts *c)
{
    int strat = scn->plan.stratified && scn->n_strata > 1;
    memset(c, 0, sizeof *c);
    c->nstrata = strat ? (size_t)scn->n_strata : 1;
    for (int i = 0; i < rec->n_patients; i++) {
        int g;
        const itp_outcome *o = itp_an_analysed(scn, h, rec, ws, i, r, &g);
        if (!o)
            continue;
        int ev = o->event;
        if (!isnan(null_p0)) {
            ev = null_response(ws, rec->patients[i].id, h->endpoint, null_p0);
            r->events_exp += ev - o->event;
        }
        int slot = swap ? !g : g;
        int s = strat ? rec->patients[i].stratum : 0;
        c->x[slot][s] += (unsigned)ev;
        c->n[slot][s]++;
        c->px[slot] += (unsigned)ev;
        c->pn[slot]++;
    }
}

/* The test's statistic and p-value (br) and the estimate (est) into r. */
static void report(const itp_hypothesis *h, const itp_binary_result *br,
                   const itp_binary_result *est, itp_hyp_result *r)
{
    r->estimate = est->estimate;
    r->ci_low = est->ci_lower;
    r->ci_high = est->ci_upper;
    if (est->flags & ITP_BINARY_NOT_ESTIMABLE)
        r->flags |= ITP_HYP_NOT_ESTIMABLE;
    r->statistic = br->statistic;
    r->p_value = h->two_sided ? br->p_two_sided : br->p_greater;
    if (br->flags & (ITP_BINARY_NO_TEST | ITP_BINARY_NO_DATA)) {
        r->flags |= ITP_HYP_NO_TEST;
        r->p_value = 1.0;
    }
}

/* ---- two arms ------------------------------------------------------------------ */

/* A two-arm row's kernel and the estimate it reports: the pooled risk
 * difference with its Wald CI (rd_wald's), the same with the Newcombe CI
 * (the test's own result), or the Mantel-Haenszel common risk difference
 * over the test's strata (Sato variance). */
typedef enum { EST_POOLED_WALD, EST_OWN, EST_MH } two_arm_est;
typedef struct two_arm {
    itp_binary_test_fn test;
    two_arm_est est;
} two_arm;

/* The experimental arm against control by the type's kernel (its impl: a
 * two_arm). The kernels test for a higher rate in their experimental slot:
 * when a lower rate is the benefit, the arms trade places, and the risk
 * difference is turned back to experimental minus control. */
static itp_status run_two_arm(const itp_scenario *scn, const itp_hypothesis *h,
                              const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    const two_arm *ta = h->type->impl;
    double conf = scn->plan.conf_level;
    itp_binary_result br, rd;
    itp_status st;
    counts c;
    count(scn, h, rec, ws, h->benefit_lower, (double)NAN, r, &c);
    itp_binary_counts tab = {c.nstrata, c.x[0], c.n[0], c.x[1], c.n[1]};
    itp_binary_counts pooled = {1, &c.px[0], &c.pn[0], &c.px[1], &c.pn[1]};
    if ((st = ta->test(&tab, conf, &br)))
        return st;
    if (ta->est == EST_OWN)
        rd = br;
    else if ((st = ta->est == EST_MH ? itp_binary_mh_rd(&tab, conf, &rd)
                                     : itp_binary_rd_wald(&pooled, conf, &rd)))
        return st;
    if (h->benefit_lower) {
        double lo = rd.ci_lower;
        rd.estimate = -rd.estimate;
        rd.ci_lower = -rd.ci_upper;
        rd.ci_upper = -lo;
    }
    report(h, &br, &rd, r);
    return ITP_OK;
}

static const two_arm cmh = {itp_binary_cmh, EST_MH}, chisq = {itp_binary_chisq, EST_POOLED_WALD},
                     fisher = {itp_binary_fisher, EST_POOLED_WALD},
                     rd_wald = {itp_binary_rd_wald, EST_OWN},
                     rd_newcombe = {itp_binary_rd_newcombe, EST_OWN};

/* The two-arm rows differ only in name and kernel. */
#define TWO_ARM(NAME, KERNEL)                                                                \
    {.name = NAME, .endpoint = ITP_EP_BINARY, .estimate = &itp_est_risk_difference,         \
     .run = run_two_arm, .impl = &KERNEL}

const itp_test_type itp_test_cmh = TWO_ARM("cmh", cmh);
const itp_test_type itp_test_chisq = TWO_ARM("chisq", chisq);
const itp_test_type itp_test_fisher = TWO_ARM("fisher", fisher);
const itp_test_type itp_test_rd_wald = TWO_ARM("rd_wald", rd_wald);
const itp_test_type itp_test_rd_newcombe = TWO_ARM("rd_newcombe", rd_newcombe);

/* ---- one arm against p0 ------------------------------------------------------------ */

typedef struct binomial_params {
    double p0;              /* the historical rate, in (0, 1) */
} binomial_params;

static itp_status parse_binomial(itp_reader *rd, const config_setting_t *g, itp_hypothesis *h)
{
    binomial_params *p = calloc(1, sizeof *p);
    itp_status st;
    h->params = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, NULL, "p0", ITP_CLOSED(0.0, 1.0), &p->p0)))
        return st;
    if (p->p0 <= 0.0 || p->p0 >= 1.0)
        return itp_rd_fail(rd, itp_member(g, "p0"), "expected a rate in (0, 1), got %g", p->p0);
    return ITP_OK;
}

/* In the null version p0 is the truth: each analysed patient's response is
 * drawn at p0 (analysis.h). */
static itp_status run_binomial(const itp_scenario *scn, const itp_hypothesis *h,
                               const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    const binomial_params *p = h->params;
    double conf = scn->plan.conf_level;
    itp_binary_result br, est;
    itp_status st;
    counts c;
    count(scn, h, rec, ws, 0, scn->is_null ? p->p0 : (double)NAN, r, &c);
    if (h->benefit_lower) {
        /* H1: rate < p0, as the non-events' rate > 1 - p0 */
        if ((st = itp_binary_binom_test(c.pn[1] - c.px[1], c.pn[1], 1.0 - p->p0, conf, &br)))
            return st;
        est = br;
        est.estimate = 1.0 - br.estimate;
        est.ci_lower = 1.0 - br.ci_upper;
        est.ci_upper = 1.0 - br.ci_lower;
    } else {
        if ((st = itp_binary_binom_test(c.px[1], c.pn[1], p->p0, conf, &br)))
            return st;
        est = br;
    }
    report(h, &br, &est, r);
    return ITP_OK;
}

double itp_an_binomial_p0(const itp_hypothesis *h)
{
    const binomial_params *p = h->params;
    return p ? p->p0 : (double)NAN;
}

static const char *const binomial_keys[] = {"p0", NULL};

const itp_test_type itp_test_binomial = {
    .name = "binomial",
    .endpoint = ITP_EP_BINARY,
    .estimate = &itp_est_rate,
    .single_arm = 1,
    .keys = binomial_keys,
    .parse = parse_binomial,
    .run = run_binomial,
};
