/* The analysis plan: the table of tests, reading the plan, applying it to
 * a replicate; the tests are in tte_tests.c and binary_tests.c. See
 * analysis.h. */
#include "itpsim/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* ---- the table of tests ---------------------------------------------------- */

const itp_estimate_kind itp_est_hazard_ratio = {"hazard_ratio", "hazard ratio", 1, -8.0, 8.0};
const itp_estimate_kind itp_est_risk_difference = {"risk_difference", "risk difference", 0,
                                                   -1.0, 1.0};
const itp_estimate_kind itp_est_rate = {"rate", "rate", 0, -1.0, 1.0};
/* months: 8000 bins of 0.03 months (about a day, the record's grain) */
const itp_estimate_kind itp_est_rmst_difference = {"rmst_difference",
                                                   "RMST difference (months)", 0, -120.0, 120.0};

const itp_test_type *const itp_test_types[] = {
    &itp_test_logrank, &itp_test_cox,     &itp_test_fh,      &itp_test_rmst,
    &itp_test_binomial, &itp_test_cmh,    &itp_test_chisq,   &itp_test_fisher,
    &itp_test_rd_wald, &itp_test_rd_newcombe, NULL};

const itp_test_type *itp_test_type_find(const char *name, itp_ep_kind kind)
{
    for (int i = 0; itp_test_types[i]; i++)
        if (itp_test_types[i]->endpoint == kind && strcmp(itp_test_types[i]->name, name) == 0)
            return itp_test_types[i];
    return NULL;
}

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

/* The names of the tests for endpoints of this kind, as the message of a
 * wrong test lists them: two as "a" or "b", more as one of a, b, c. */
static void test_names(itp_ep_kind kind, char *buf, size_t len)
{
    const void *kinds[17];
    int n = 0;
    for (int i = 0; itp_test_types[i] && n < 16; i++)
        if (itp_test_types[i]->endpoint == kind)
            kinds[n++] = itp_test_types[i];
    kinds[n] = NULL;
    size_t l = (size_t)snprintf(buf, len, "%s", n == 2 ? "" : "one of ");
    if (l < len)
        itp_type_names(kinds, n == 2, buf + l, len - l);
}

/* Is key among keys (NULL-terminated, or NULL)? */
static int has_key(const char *const *keys, const char *key)
{
    for (; keys && *keys; keys++)
        if (strcmp(*keys, key) == 0)
            return 1;
    return 0;
}

/* A hypothesis's settings: the common ones, then every test's own. */
#define HYP_KEYS_MAX 32

static const char *const common_keys[] = {"name", "endpoint", "arm", "control", "test",
                                          "sided", "benefit", NULL};

static void hypothesis_keys(const char **keys)
{
    int n = 0;
    for (int i = 0; common_keys[i]; i++)
        keys[n++] = common_keys[i];
    keys[n] = NULL;
    for (int t = 0; itp_test_types[t]; t++)
        for (const char *const *k = itp_test_types[t]->keys; k && *k && n < HYP_KEYS_MAX; k++)
            if (!has_key(keys, *k)) {
                keys[n++] = *k;
                keys[n] = NULL;
            }
}

/* What the endpoint kinds are called in messages. */
static const char *const ep_kind_text[] = {[ITP_EP_TIME] = "a time to event",
                                           [ITP_EP_BINARY] = "binary"};

static itp_status read_hypothesis(itp_reader *rd, itp_scenario *scn, const config_setting_t *g,
                                  itp_hypothesis *h)
{
    const char *keys[HYP_KEYS_MAX + 1];
    char ep[ITP_NAME_MAX], arm[ITP_NAME_MAX], ctrl[ITP_NAME_MAX], sided[16], benefit[16];
    const char *names[ITP_MAX_ENDPOINTS > ITP_MAX_ARMS ? ITP_MAX_ENDPOINTS : ITP_MAX_ARMS];
    int best;
    itp_status st;
    if (!config_setting_is_group(g))
        return itp_rd_fail(rd, g, "expected a group { name = ...; endpoint = ...; ... }");
    hypothesis_keys(keys);
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
    h->true_hr = (double)NAN;
    h->type = itp_test_type_find(h->test, et->kind);
    if (!h->type) {
        char known[256];
        test_names(et->kind, known, sizeof known);
        return itp_rd_fail(rd, itp_member(g, "test"), "endpoint '%s' is %s: expected %s, got \"%s\"",
                           ep, ep_kind_text[et->kind], known, h->test);
    }
    if (h->type->parse && (st = h->type->parse(rd, g, h)))
        return st;
    /* another test's settings */
    for (int t = 0; itp_test_types[t]; t++)
        for (const char *const *k = itp_test_types[t]->keys; k && *k; k++)
            if (itp_member(g, *k) && !has_key(h->type->keys, *k))
                return itp_rd_fail(rd, itp_member(g, *k), "%s is for test = \"%s\"", *k,
                                   itp_test_types[t]->name);
    if (h->type->single_arm) {
        h->control = -1;
        return ITP_OK;
    }
    h->control = find_name(ctrl, names, scn->n_arms, &best);
    if (h->control < 0)
        return itp_rd_fail(rd, itp_member(g, "control"), "no arm '%s'", ctrl);
    if (h->control == h->arm)
        return itp_rd_fail(rd, itp_member(g, "arm"), "the arm is its own control");
    /* The true hazard ratio of arms given by their hazards (the hazard
     * model), when they are proportional with one ratio (for the coverage
     * of a hazard ratio's CI; an RMST difference's is not compared). */
    if (h->type->estimate == &itp_est_hazard_ratio && scn->arms[h->arm].n_hazard > 0 &&
        scn->arms[h->control].n_hazard > 0) {
        const itp_arm *x = &scn->arms[h->arm], *c = &scn->arms[h->control];
        double r = (double)NAN;
        for (int j = 0; j < x->n_hazard; j++) {
            double q = c->hazard_per_month[j] > 0 ? x->hazard_per_month[j] / c->hazard_per_month[j]
                                                  : (double)NAN;
            if (j == 0)
                r = q;
            else if (!(fabs(q - r) < 1e-12))
                r = (double)NAN;
        }
        h->true_hr = r;
    }
    return ITP_OK;
}

itp_status itp_analysis_parse(itp_reader *rd, itp_scenario *scn)
{
    static const char *const keys[] = {"alpha", "multiplicity", "weights", "transitions",
                                       "order", "stratified", "ties", "conf_level",
                                       "landmark_months", "hypotheses", "interims", NULL};
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
    /* settings the procedure would not read */
    static const struct {
        const char *key;
        unsigned bit;
    } used[] = {{"weights", ITP_MULT_USES_WEIGHTS},
                {"transitions", ITP_MULT_USES_TRANSITION},
                {"order", ITP_MULT_USES_ORDER}};
    for (size_t u = 0; u < sizeof used / sizeof used[0]; u++)
        if (itp_member(g, used[u].key) && !(pl->mult->uses & used[u].bit))
            return itp_rd_fail(rd, itp_member(g, used[u].key),
                               "multiplicity \"%s\" does not use %s (it would be ignored)",
                               mult, used[u].key);
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
    /* Hypothesis names head columns of replicates.csv and rows of the other
     * CSV files, unquoted, as arm names do. */
    for (int k = 0; k < m; k++)
        if (strpbrk(pl->hyp[k].name, ",\"\n\r"))
            return itp_rd_fail(rd, itp_member(config_setting_get_elem(list, (unsigned)k), "name"),
                               "hypothesis names may not contain commas, quotes or newlines");
    return itp_interims_parse(rd, g, scn);
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
    ws->limit = malloc(n * sizeof *ws->limit);
    ws->days = malloc(n * sizeof *ws->days);
    itp_status st = ws->time && ws->event && ws->group && ws->stratum && ws->outcomes &&
                            ws->limit && ws->days
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
    free(ws->limit);
    free(ws->days);
    itp_surv_workspace_free(ws->surv);
    itp_mult_workspace_free(ws->mult);
    free(ws);
}

/* ---- one replicate ---------------------------------------------------------------- */

int itp_hyp_harmful(const itp_hypothesis *h, const itp_hyp_result *r)
{
    const itp_estimate_kind *k = h->type->estimate;
    double x = r->estimate, none = 0.0;
    int higher_better = !h->benefit_lower;      /* risk differences, rates */
    if (isnan(x))
        return 0;
    if (k == &itp_est_hazard_ratio)
        none = 1.0;
    else if (k == &itp_est_rmst_difference)
        higher_better = h->benefit_lower;       /* a lower hazard: a longer RMST */
    else if (k == &itp_est_rate)
        none = itp_an_binomial_p0(h);
    return higher_better ? x < none : x > none;
}

const itp_outcome *itp_an_analysed(const itp_scenario *scn, const itp_hypothesis *h,
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
        itp_status st = h->type->run(scn, h, rec, ws, r);
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
