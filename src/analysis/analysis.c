/* The analysis plan; see analysis.h. */
#include "itpsim/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "itpsim/binary.h"
#include "itpsim/model.h"
#include "itpsim/rng.h"

/* ---- reading the plan ------------------------------------------------------ */

static int find_name(const char *name, const char *const *names, int n, int *best)
{
    int bestd = 99;
    *best = -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *best = i;
            return i;
        }
        int d = itp_edit_distance(name, names[i]);
        if (d < bestd) {
            bestd = d;
            *best = d <= 3 ? i : -1;
        }
    }
    return -1;
}

static itp_status read_hypothesis(itp_reader *rd, itp_scenario *scn, const config_setting_t *g,
                                  itp_hypothesis *h)
{
    static const char *const keys[] = {"name", "endpoint", "arm", "control", "test", "sided",
                                       "benefit", "p0", NULL};
    char ep[ITP_NAME_MAX], arm[ITP_NAME_MAX], ctrl[ITP_NAME_MAX], sided[16], benefit[16];
    const char *names[ITP_MAX_ENDPOINTS > ITP_MAX_ARMS ? ITP_MAX_ENDPOINTS : ITP_MAX_ARMS];
    int best;
    itp_status st;
    if (!config_setting_is_group(g))
        return itp_rd_fail(rd, g, "expected a group { name = ...; endpoint = ...; ... }");
    if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_string(rd, g, "name", NULL, h->name, sizeof h->name)) ||
        (st = itp_rd_string(rd, g, "endpoint", NULL, ep, sizeof ep)) ||
        (st = itp_rd_string(rd, g, "arm", NULL, arm, sizeof arm)) ||
        (st = itp_rd_string(rd, g, "control", scn->arms[scn->control_arm].name, ctrl,
                            sizeof ctrl)) ||
        (st = itp_rd_string(rd, g, "test", NULL, h->test, sizeof h->test)) ||
        (st = itp_rd_string(rd, g, "sided", "one", sided, sizeof sided)))
        return st;
    for (int e = 0; e < scn->n_endpoints; e++)
        names[e] = scn->endpoints[e].name;
    h->endpoint = find_name(ep, names, scn->n_endpoints, &best);
    if (h->endpoint < 0)
        return itp_rd_fail(rd, itp_member(g, "endpoint"), "no endpoint '%s' in endpoints%s%s%s",
                           ep, best >= 0 ? "; did you mean '" : "",
                           best >= 0 ? names[best] : "", best >= 0 ? "'?" : "");
    for (int a = 0; a < scn->n_arms; a++)
        names[a] = scn->arms[a].name;
    h->arm = find_name(arm, names, scn->n_arms, &best);
    if (h->arm < 0)
        return itp_rd_fail(rd, itp_member(g, "arm"), "no arm '%s'%s%s%s", arm,
                           best >= 0 ? "; did you mean '" : "", best >= 0 ? names[best] : "",
                           best >= 0 ? "'?" : "");
    const itp_endpoint_type *et = scn->endpoints[h->endpoint].type;
    if (strcmp(sided, "one") && strcmp(sided, "two"))
        return itp_rd_fail(rd, itp_member(g, "sided"), "expected \"one\" or \"two\", got \"%s\"",
                           sided);
    h->two_sided = strcmp(sided, "two") == 0;
    if ((st = itp_rd_string(rd, g, "benefit", et->benefit_lower ? "lower" : "higher", benefit,
                            sizeof benefit)))
        return st;
    if (strcmp(benefit, "lower") && strcmp(benefit, "higher"))
        return itp_rd_fail(rd, itp_member(g, "benefit"),
                           "expected \"lower\" or \"higher\", got \"%s\"", benefit);
    h->benefit_lower = strcmp(benefit, "lower") == 0;
    h->p0 = NAN;
    h->true_hr = NAN;
    if (et->kind == ITP_EP_TIME) {
        if (!strcmp(h->test, "logrank"))
            h->kind = ITP_TEST_LOGRANK;
        else if (!strcmp(h->test, "cox"))
            h->kind = ITP_TEST_COX;
        else
            return itp_rd_fail(rd, itp_member(g, "test"),
                               "endpoint '%s' is a time to event: expected \"logrank\" or "
                               "\"cox\", got \"%s\"", ep, h->test);
    } else if (!strcmp(h->test, "binomial")) {
        h->kind = ITP_TEST_BINOMIAL;
        if ((st = itp_rd_double(rd, g, NULL, "p0", ITP_CLOSED(0.0, 1.0), &h->p0)))
            return st;
        if (h->p0 <= 0.0 || h->p0 >= 1.0)
            return itp_rd_fail(rd, itp_member(g, "p0"), "expected a rate in (0, 1), got %g", h->p0);
    } else {
        h->kind = ITP_TEST_BINARY;
        h->btest = itp_binary_test_lookup(h->test);
        if (!h->btest) {
            char known[160] = "binomial";
            for (int t = 0; itp_binary_tests[t].name; t++) {
                size_t l = strlen(known);
                snprintf(known + l, sizeof known - l, ", %s", itp_binary_tests[t].name);
            }
            return itp_rd_fail(rd, itp_member(g, "test"),
                               "endpoint '%s' is binary: expected one of %s, got \"%s\"", ep,
                               known, h->test);
        }
    }
    if (itp_member(g, "p0") && h->kind != ITP_TEST_BINOMIAL)
        return itp_rd_fail(rd, itp_member(g, "p0"), "p0 is for test = \"binomial\"");
    if (h->kind == ITP_TEST_BINOMIAL) {
        h->control = -1;
        return ITP_OK;
    }
    h->control = find_name(ctrl, names, scn->n_arms, &best);
    if (h->control < 0)
        return itp_rd_fail(rd, itp_member(g, "control"), "no arm '%s'", ctrl);
    if (h->control == h->arm)
        return itp_rd_fail(rd, itp_member(g, "arm"), "the arm is its own control");
    /* The true hazard ratio of arms given by their hazards (the hazard
     * model), when they are proportional with one ratio (for CI coverage). */
    if (scn->arms[h->arm].n_hazard > 0 && scn->arms[h->control].n_hazard > 0) {
        const itp_arm *x = &scn->arms[h->arm], *c = &scn->arms[h->control];
        double r = NAN;
        for (int j = 0; j < x->n_hazard; j++) {
            double q = c->hazard_per_month[j] > 0 ? x->hazard_per_month[j] / c->hazard_per_month[j]
                                                  : (double)NAN;
            if (j == 0)
                r = q;
            else if (!(fabs(q - r) < 1e-12))
                r = NAN;
        }
        h->true_hr = r;
    }
    return ITP_OK;
}

itp_status itp_analysis_parse(itp_reader *rd, itp_scenario *scn)
{
    static const char *const keys[] = {"alpha", "multiplicity", "weights", "transitions",
                                       "order", "stratified", "ties", "conf_level",
                                       "landmark_months", "hypotheses", NULL};
    itp_analysis_plan *pl = &scn->plan;
    const config_setting_t *g, *list;
    char mult[32], ties[16];
    double landmark;
    itp_status st;
    pl->landmark_months = 12.0;
    pl->landmark_days = itp_months_to_day(12.0);
    if ((st = itp_rd_child(rd, itp_reader_root(rd), "analysis", CONFIG_TYPE_GROUP, 0, &g)) || !g)
        return st;
    if ((st = itp_rd_double_or(rd, g, "landmark_months", ITP_POSITIVE(240.0), 12.0, &landmark)))
        return st;
    /* On the day grid of every time in the record (and of the end of
     * follow-up): 12 months is day 365, not 365.25, which lay beyond the
     * last follow-up day of a 12-month trial and was never estimable. */
    pl->landmark_months = landmark;
    pl->landmark_days = itp_months_to_day(landmark);
    if ((st = itp_rd_keys(rd, g, keys, NULL)) ||
        (st = itp_rd_double_or(rd, g, "alpha", ITP_CLOSED(1e-6, 0.5), 0.025, &pl->alpha)) ||
        (st = itp_rd_string(rd, g, "multiplicity", "bonferroni", mult, sizeof mult)) ||
        (st = itp_rd_bool_or(rd, g, "stratified", 1, &pl->stratified)) ||
        (st = itp_rd_string(rd, g, "ties", "efron", ties, sizeof ties)) ||
        (st = itp_rd_double_or(rd, g, "conf_level", ITP_CLOSED(0.5, 0.999), 0.95, &pl->conf_level)) ||
        (st = itp_rd_child(rd, g, "hypotheses", CONFIG_TYPE_LIST, 1, &list)))
        return st;
    if (strcmp(ties, "efron") && strcmp(ties, "breslow"))
        return itp_rd_fail(rd, itp_member(g, "ties"), "expected \"efron\" or \"breslow\"");
    pl->ties_breslow = strcmp(ties, "breslow") == 0;
    pl->mult = itp_mult_lookup(mult);
    if (!pl->mult)
        return itp_rd_fail(rd, itp_member(g, "multiplicity"),
                           "expected bonferroni, holm, hochberg, fixed_sequence or graphical, "
                           "got \"%s\"", mult);
    int m = config_setting_length(list);
    if (m < 1 || m > ITP_MAX_HYPOTHESES)
        return itp_rd_fail(rd, list, "expected 1 to %d hypotheses", ITP_MAX_HYPOTHESES);
    for (int i = 0; i < m; i++) {
        const config_setting_t *h = config_setting_get_elem(list, (unsigned)i);
        if ((st = read_hypothesis(rd, scn, h, &pl->hyp[i])))
            return st;
        for (int j = 0; j < i; j++)
            if (!strcmp(pl->hyp[j].name, pl->hyp[i].name))
                return itp_rd_fail(rd, itp_member(h, "name"), "duplicate hypothesis name '%s'",
                                   pl->hyp[i].name);
        pl->n_hyp = i + 1;
    }
    int nw;
    if ((st = itp_rd_array(rd, g, "weights", ITP_CLOSED(0, 1), 0, pl->weights, m, &nw)))
        return st;
    if (nw && nw != m)
        return itp_rd_fail(rd, itp_member(g, "weights"), "expected %d weights, one per hypothesis",
                           m);
    if (!nw)
        for (int i = 0; i < m; i++)
            pl->weights[i] = 1.0 / m;
    const config_setting_t *tr = itp_member(g, "transitions");
    if (tr) {
        if (config_setting_type(tr) != CONFIG_TYPE_LIST || config_setting_length(tr) != m)
            return itp_rd_fail(rd, tr, "expected a list of %d rows ( [...], ... ), one per hypothesis",
                               m);
        for (int i = 0; i < m; i++) {
            const config_setting_t *row = config_setting_get_elem(tr, (unsigned)i);
            if (config_setting_type(row) != CONFIG_TYPE_ARRAY || config_setting_length(row) != m)
                return itp_rd_fail(rd, row, "expected an array of %d numbers", m);
            for (int j = 0; j < m; j++) {
                const config_setting_t *e = config_setting_get_elem(row, (unsigned)j);
                double x = config_setting_type(e) == CONFIG_TYPE_FLOAT ? config_setting_get_float(e)
                                                                       : (double)config_setting_get_int(e);
                if (!config_setting_is_number(e) || !(x >= 0.0 && x <= 1.0))
                    return itp_rd_fail(rd, e, "expected a number in [0, 1]");
                pl->transition[i * m + j] = x;
            }
        }
    } else if (pl->mult->uses & ITP_MULT_USES_TRANSITION) {
        return itp_rd_fail(rd, g, "multiplicity \"%s\" needs transitions", mult);
    }
    const config_setting_t *ord = itp_member(g, "order");
    for (int i = 0; i < m; i++)
        pl->order[i] = (size_t)i;
    if (ord) {
        if (config_setting_type(ord) != CONFIG_TYPE_ARRAY || config_setting_length(ord) != m)
            return itp_rd_fail(rd, ord, "expected an array of the %d hypothesis names", m);
        for (int i = 0; i < m; i++) {
            const char *nm = config_setting_get_string_elem(ord, (unsigned)i);
            int k = -1;
            for (int j = 0; nm && j < m; j++)
                if (!strcmp(pl->hyp[j].name, nm))
                    k = j;
            for (int j = 0; k >= 0 && j < i; j++)
                if (pl->order[j] == (size_t)k)
                    k = -2;
            if (k < 0)
                return itp_rd_fail(rd, config_setting_get_elem(ord, (unsigned)i),
                                   k == -2 ? "hypothesis named twice" : "no hypothesis of that name");
            pl->order[i] = (size_t)k;
        }
    }
    itp_mult_design d = {(size_t)m, pl->weights, pl->transition, pl->order};
    char msg[256];
    if (itp_mult_validate(&d, pl->mult->uses, msg, sizeof msg)) {
        const config_setting_t *at = g;
        if (strstr(msg, "weight") && itp_member(g, "weights"))
            at = itp_member(g, "weights");
        else if ((strstr(msg, "transition") || strstr(msg, "row")) && itp_member(g, "transitions"))
            at = itp_member(g, "transitions");
        return itp_rd_fail(rd, at, "%s", msg);
    }
    return ITP_OK;
}

/* ---- workspace ---------------------------------------------------------------- */

itp_status itp_analysis_ws_create(itp_analysis_ws **out, const itp_scenario *scn, int n_max)
{
    itp_analysis_ws *ws = calloc(1, sizeof *ws);
    *out = NULL;
    if (!ws)
        return ITP_ENOMEM;
    size_t n = (size_t)(n_max > 0 ? n_max : 1);
    size_t ne = (size_t)(scn->n_endpoints > 0 ? scn->n_endpoints : 1);
    ws->cap = (int)n;
    ws->time = malloc(n * sizeof *ws->time);
    ws->event = malloc(n * sizeof *ws->event);
    ws->group = malloc(n * sizeof *ws->group);
    ws->stratum = malloc(n * sizeof *ws->stratum);
    ws->outcomes = malloc(n * ne * sizeof *ws->outcomes);
    itp_status st = ws->time && ws->event && ws->group && ws->stratum && ws->outcomes
                        ? ITP_OK : ITP_ENOMEM;
    if (!st)
        st = (itp_status)itp_surv_workspace_create(&ws->surv, n);
    if (!st)
        st = itp_mult_workspace_create(&ws->mult, ITP_MAX_HYPOTHESES);
    if (st) {
        itp_analysis_ws_free(ws);
        return st;
    }
    *out = ws;
    return ITP_OK;
}

void itp_analysis_ws_free(itp_analysis_ws *ws)
{
    if (!ws)
        return;
    free(ws->time);
    free(ws->event);
    free(ws->group);
    free(ws->stratum);
    free(ws->outcomes);
    itp_surv_workspace_free(ws->surv);
    itp_mult_workspace_free(ws->mult);
    free(ws);
}

/* ---- one replicate ---------------------------------------------------------------- */

static double one_sided(double p_lower_or_greater, int flip)
{
    return flip ? 1.0 - p_lower_or_greater : p_lower_or_greater;
}

/* The outcome of patient i when the hypothesis analyses it (its arm or
 * control, evaluable), else NULL; *g 1 for the experimental arm. Counts
 * the patient and its event into r. */
static const itp_outcome *analysed(const itp_scenario *scn, const itp_hypothesis *h,
                                   const itp_record *rec, const itp_analysis_ws *ws, int i,
                                   itp_hyp_result *r, int *g)
{
    const itp_patient *pt = &rec->patients[i];
    const itp_outcome *o = &ws->outcomes[(size_t)i * (size_t)scn->n_endpoints + (size_t)h->endpoint];
    if (!o->included || (pt->arm != h->arm && pt->arm != h->control))
        return NULL;
    *g = pt->arm == h->arm;
    r->n_exp += *g;
    r->n_ctl += !*g;
    r->events_exp += *g && o->event;
    r->events_ctl += !*g && o->event;
    return o;
}

static itp_status test_time(const itp_scenario *scn, const itp_hypothesis *h,
                            const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    const itp_analysis_plan *pl = &scn->plan;
    size_t n = 0;
    int strat = pl->stratified && scn->n_strata > 1;
    for (int i = 0; i < rec->n_patients; i++) {
        int g;
        const itp_outcome *o = analysed(scn, h, rec, ws, i, r, &g);
        if (!o)
            continue;
        ws->time[n] = o->time;
        ws->event[n] = o->event;
        ws->group[n] = g;
        ws->stratum[n] = rec->patients[i].stratum;
        n++;
    }
    itp_surv_data d = {n, ws->time, ws->event, ws->group, strat ? ws->stratum : NULL,
                       (size_t)scn->n_strata};
    itp_cox_result cox;
    itp_logrank_result lr;
    int st = itp_surv_cox(&d, pl->ties_breslow ? ITP_COX_BRESLOW : ITP_COX_EFRON, pl->conf_level,
                          ws->surv, &cox);
    if (st)
        return (itp_status)st;
    r->estimate = cox.hr;
    r->ci_low = cox.hr_lower;
    r->ci_high = cox.hr_upper;
    if (cox.monotone)
        r->flags |= ITP_HYP_MONOTONE;
    if (cox.not_estimable)
        r->flags |= ITP_HYP_NOT_ESTIMABLE;
    if (h->kind == ITP_TEST_LOGRANK) {
        if ((st = itp_surv_logrank(&d, ws->surv, &lr)))
            return (itp_status)st;
        r->statistic = lr.z;
        r->p_value = h->two_sided ? lr.p_two_sided : one_sided(lr.p_one_sided, !h->benefit_lower);
        if (lr.not_estimable) {
            r->flags |= ITP_HYP_NO_TEST;
            r->p_value = 1.0;
        }
    } else {
        r->statistic = cox.z;
        if (cox.monotone || cox.not_estimable || !isfinite(cox.z)) {
            r->flags |= ITP_HYP_NO_TEST;
            r->p_value = 1.0;
        } else {
            r->p_value = h->two_sided ? cox.p_two_sided : one_sided(cox.p_one_sided, !h->benefit_lower);
        }
    }
    return ITP_OK;
}

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

static itp_status test_binary(const itp_scenario *scn, const itp_hypothesis *h,
                              const itp_record *rec, itp_analysis_ws *ws, itp_hyp_result *r)
{
    const itp_analysis_plan *pl = &scn->plan;
    unsigned x[2][ITP_MAX_STRATA] = {{0}}, nn[2][ITP_MAX_STRATA] = {{0}};
    unsigned px[2] = {0, 0}, pn[2] = {0, 0};
    int strat = pl->stratified && scn->n_strata > 1;
    for (int i = 0; i < rec->n_patients; i++) {
        int g;
        const itp_outcome *o = analysed(scn, h, rec, ws, i, r, &g);
        if (!o)
            continue;
        int ev = o->event;
        /* the null version of a single-arm hypothesis: p0 is the truth */
        if (h->kind == ITP_TEST_BINOMIAL && scn->is_null) {
            ev = null_response(ws, rec->patients[i].id, h->endpoint, h->p0);
            r->events_exp += ev - o->event;
        }
        /* a lower rate is the benefit: the arms trade places (a single
         * arm's test is turned round below instead) */
        int slot = h->benefit_lower && h->kind != ITP_TEST_BINOMIAL ? !g : g;
        int s = strat ? rec->patients[i].stratum : 0;
        x[slot][s] += (unsigned)ev;
        nn[slot][s]++;
        px[slot] += (unsigned)ev;
        pn[slot]++;
    }
    itp_binary_result br, rd;
    itp_status st;
    if (h->kind == ITP_TEST_BINOMIAL && h->benefit_lower) {
        /* H1: rate < p0, as the non-events' rate > 1 - p0 */
        if ((st = itp_binary_binom_test(pn[1] - px[1], pn[1], 1.0 - h->p0, pl->conf_level, &br)))
            return st;
        rd = br;
        rd.estimate = 1.0 - br.estimate;
        rd.ci_lower = 1.0 - br.ci_upper;
        rd.ci_upper = 1.0 - br.ci_lower;
    } else if (h->kind == ITP_TEST_BINOMIAL) {
        if ((st = itp_binary_binom_test(px[1], pn[1], h->p0, pl->conf_level, &br)))
            return st;
        rd = br;
    } else {
        itp_binary_counts c = {strat ? (size_t)scn->n_strata : 1, x[0], nn[0], x[1], nn[1]};
        itp_binary_counts pooled = {1, &px[0], &pn[0], &px[1], &pn[1]};
        if ((st = h->btest->run(&c, pl->conf_level, &br)) ||
            (st = itp_binary_rd_wald(&pooled, pl->conf_level, &rd)))
            return st;
        if (h->benefit_lower) { /* report experimental minus control */
            double lo = rd.ci_lower;
            rd.estimate = -rd.estimate;
            rd.ci_lower = -rd.ci_upper;
            rd.ci_upper = -lo;
        }
    }
    r->estimate = rd.estimate;
    r->ci_low = rd.ci_lower;
    r->ci_high = rd.ci_upper;
    if (rd.flags & ITP_BINARY_NOT_ESTIMABLE)
        r->flags |= ITP_HYP_NOT_ESTIMABLE;
    r->statistic = br.statistic;
    r->p_value = h->two_sided ? br.p_two_sided : br.p_greater;
    if (br.flags & (ITP_BINARY_NO_TEST | ITP_BINARY_NO_DATA)) {
        r->flags |= ITP_HYP_NO_TEST;
        r->p_value = 1.0;
    }
    return ITP_OK;
}

itp_status itp_analyse(const itp_scenario *scn, const itp_record *rec, const int *limit,
                       itp_analysis_ws *ws, itp_hyp_result *res)
{
    const itp_analysis_plan *pl = &scn->plan;
    if (rec->n_patients > ws->cap)
        return ITP_ERANGE;
    itp_endpoints_eval(scn, rec, limit, ws->outcomes);
    double p[ITP_MAX_HYPOTHESES], adj[ITP_MAX_HYPOTHESES];
    int rej[ITP_MAX_HYPOTHESES];
    for (int k = 0; k < pl->n_hyp; k++) {
        const itp_hypothesis *h = &pl->hyp[k];
        itp_hyp_result *r = &res[k];
        *r = (itp_hyp_result){0};
        itp_status st = scn->endpoints[h->endpoint].type->kind == ITP_EP_TIME
                            ? test_time(scn, h, rec, ws, r)
                            : test_binary(scn, h, rec, ws, r);
        if (st)
            return st;
        if (!(r->p_value >= 0.0 && r->p_value <= 1.0)) { /* never pass NaN on */
            r->flags |= ITP_HYP_NO_TEST;
            r->p_value = 1.0;
        }
        p[k] = r->p_value;
    }
    if (pl->n_hyp == 0)
        return ITP_OK;
    itp_mult_design d = {(size_t)pl->n_hyp, pl->weights, pl->transition, pl->order};
    itp_status st = pl->mult->apply(&d, p, pl->alpha, ws->mult, rej, adj);
    if (st)
        return st;
    for (int k = 0; k < pl->n_hyp; k++) {
        res[k].adj_p = adj[k];
        res[k].rejected = rej[k];
    }
    return ITP_OK;
}
