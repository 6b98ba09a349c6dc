/* Group-sequential designs: interim analyses timed by the information of
 * one endpoint (events, or patients evaluable) or by calendar months, with
 * efficacy bounds from Lan-DeMets alpha spending recomputed for the
 * information each replicate observed (gsdesign.h), non-binding futility on
 * the z scale or by conditional power, and several hypotheses tested by the
 * graphical procedure on the group-sequential tests (Maurer and Bretz,
 * Stat Biopharm Res 2013).
 *
 * The procedure, per replicate:
 *  - The interim cuts: the calendar day on which the timing endpoint's
 *    information reaches ceil(f I_max) (its events, each on the day it
 *    happens; or its patients evaluable, each on the day its outcome is
 *    settled, enrolment + the endpoint's horizon), or the first enrolment
 *    + the months; an interim whose day is not before the final analysis
 *    (too little information by then) is not held.
 *  - At each analysis every hypothesis is tested on the data up to its cut
 *    (itp_analyse); its one-sided p-value gives z = Phi^-1(1 - p), and
 *    the information fraction t = I / I_max of the timing endpoint is that
 *    of every hypothesis (hypotheses on other endpoints are analysed at
 *    the same times; their own information is not tracked).
 *  - H_i, with its current weight w_i, is rejected at stage k when z_i,k
 *    is at least the k-th bound of the spending function at level w_i
 *    alpha over the fractions observed so far (the final analysis spends
 *    all that is left). A rejected hypothesis passes its weight along the
 *    graph (Bretz et al., Stat Med 2009, Algorithm 1), and the others are
 *    tested again at the same stage with their new levels. Bonferroni,
 *    Holm and the fixed sequence are the graphs with no transitions, with
 *    w_j / sum_{k != i} w_k, and with each passing everything to the next.
 *    A hypothesis whose level grows after an earlier stage is tested at
 *    the current and later stages only, which keeps the family-wise error
 *    (Maurer and Bretz 2013 allow more).
 *  - The trial stops at an interim when the stop_on hypothesis is rejected
 *    (efficacy) or its futility rule says so (z below futility_z, or the
 *    conditional power under the current trend, Lan and Wittes, Biometrics
 *    1988, below futility_cp); hypotheses not rejected by then are not.
 *    Futility is non-binding: the efficacy bounds ignore it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include "internal.h"
#include "itpsim/gsdesign.h"

/* ---- the settings ---------------------------------------------------------------- */

static const char *const spend_names[] = {"obrien_fleming", "pocock", "hwang_shih_decani",
                                          "kim_demets", "user", NULL};

itp_status itp_interims_parse(itp_reader *rd, const config_setting_t *analysis,
                              itp_scenario *scn)
{
    static const char *const keys[] = {"at", "months", "endpoint", "max_events", "efficacy",
                                       "gamma", "rho", "spent", "futility_z", "futility_cp",
                                       "stop_on", NULL};
    itp_interims *iv = &scn->plan.interims;
    const config_setting_t *g;
    itp_status st;
    memset(iv, 0, sizeof *iv);
    if ((st = itp_rd_child(rd, analysis, "interims", CONFIG_TYPE_GROUP, 0, &g)) || !g)
        return st;
    if ((st = itp_rd_keys(rd, g, keys, NULL)))
        return st;
    const itp_analysis_plan *pl = &scn->plan;
    int n_at = 0, n_mo = 0;
    double at[ITP_MAX_INTERIMS + 1], mo[ITP_MAX_INTERIMS + 1];
    if ((st = itp_rd_array(rd, g, "at", ITP_CLOSED(0, 1), 0, at, ITP_MAX_INTERIMS + 1, &n_at)) ||
        (st = itp_rd_array(rd, g, "months", ITP_POSITIVE(240.0), 0, mo, ITP_MAX_INTERIMS + 1,
                           &n_mo)))
        return st;
    if ((n_at > 0) == (n_mo > 0))
        return itp_rd_fail(rd, g, "expected `at` (information fractions) or `months`, one of "
                           "them");
    iv->by_months = n_mo > 0;
    iv->n = iv->by_months ? n_mo : n_at;
    const config_setting_t *list = itp_member(g, iv->by_months ? "months" : "at");
    if (iv->n > ITP_MAX_INTERIMS)
        return itp_rd_fail(rd, list, "at most %d interim analyses", ITP_MAX_INTERIMS);
    for (int i = 0; i < iv->n; i++) {
        iv->at[i] = iv->by_months ? mo[i] : at[i];
        if ((!iv->by_months && !(iv->at[i] > 0.0 && iv->at[i] < 1.0)) ||
            (i > 0 && !(iv->at[i] > iv->at[i - 1])))
            return itp_rd_fail(rd, list, "expected increasing %s", iv->by_months
                               ? "months" : "information fractions in (0, 1)");
    }
    /* the timing endpoint: the stop_on hypothesis's unless named */
    char name[ITP_NAME_MAX] = "";
    if ((st = itp_rd_string(rd, g, "stop_on", pl->hyp[0].name, name, sizeof name)))
        return st;
    iv->stop_on = -1;
    for (int k = 0; k < pl->n_hyp; k++)
        if (!strcmp(pl->hyp[k].name, name))
            iv->stop_on = k;
    if (iv->stop_on < 0)
        return itp_rd_fail(rd, itp_member(g, "stop_on"), "no hypothesis '%s'", name);
    if ((st = itp_rd_string(rd, g, "endpoint", scn->endpoints[pl->hyp[iv->stop_on].endpoint].name,
                            name, sizeof name)))
        return st;
    iv->endpoint = -1;
    for (int e = 0; e < scn->n_endpoints; e++)
        if (!strcmp(scn->endpoints[e].name, name))
            iv->endpoint = e;
    if (iv->endpoint < 0)
        return itp_rd_fail(rd, itp_member(g, "endpoint"), "no endpoint '%s'", name);
    int tte = scn->endpoints[iv->endpoint].type->kind == ITP_EP_TIME;
    /* the planned information of the final analysis */
    if (!tte) {
        if (itp_member(g, "max_events"))
            return itp_rd_fail(rd, itp_member(g, "max_events"), "a binary endpoint's "
                               "information is its patients evaluable: leave max_events out");
        iv->max_info = scn->n_patients;
    } else {
        int dflt = scn->cut_kind == ITP_CUT_EVENTS && scn->cut_endpoint == iv->endpoint
                       ? scn->cut_events : 0;
        int ev;
        if (!dflt && !iv->by_months && !itp_member(g, "max_events"))
            return itp_rd_fail(rd, g, "the final analysis is not at a number of %s events: "
                               "give max_events, the events planned for it", name);
        if ((st = itp_rd_int_or(rd, g, "max_events", 1, scn->n_patients, dflt ? dflt : 1, &ev)))
            return st;
        iv->max_info = itp_member(g, "max_events") || dflt ? ev : 0;
    }
    /* efficacy */
    char eff[32];
    if ((st = itp_rd_string(rd, g, "efficacy", "obrien_fleming", eff, sizeof eff)))
        return st;
    int k = 0;
    while (spend_names[k] && strcmp(spend_names[k], eff))
        k++;
    if (!spend_names[k])
        return itp_rd_fail(rd, itp_member(g, "efficacy"), "expected obrien_fleming, pocock, "
                           "hwang_shih_decani, kim_demets or user, got \"%s\"", eff);
    static const itp_spend_kind kinds[] = {ITP_SPEND_OF, ITP_SPEND_POCOCK, ITP_SPEND_HSD,
                                           ITP_SPEND_KD, ITP_SPEND_USER};
    iv->spending = (int)kinds[k];
    const char *own = kinds[k] == ITP_SPEND_HSD ? "gamma" : kinds[k] == ITP_SPEND_KD ? "rho"
                      : kinds[k] == ITP_SPEND_USER ? "spent" : NULL;
    static const char *const params[] = {"gamma", "rho", "spent"};
    for (int q = 0; q < 3; q++)
        if (itp_member(g, params[q]) && (!own || strcmp(own, params[q])))
            return itp_rd_fail(rd, itp_member(g, params[q]), "'%s' does not go with efficacy "
                               "= \"%s\"", params[q], eff);
    if (kinds[k] == ITP_SPEND_HSD &&
        (st = itp_rd_double_or(rd, g, "gamma", ITP_CLOSED(-40, 40), -4.0, &iv->spend_param)))
        return st;
    if (kinds[k] == ITP_SPEND_KD &&
        (st = itp_rd_double_or(rd, g, "rho", ITP_POSITIVE(20), 3.0, &iv->spend_param)))
        return st;
    if (kinds[k] == ITP_SPEND_USER) {
        if (iv->by_months)
            return itp_rd_fail(rd, itp_member(g, "efficacy"), "user spending is given at "
                               "planned information fractions: use `at`, not `months`");
        if ((st = itp_rd_array(rd, g, "spent", ITP_CLOSED(0, 1), 1, iv->spent, ITP_MAX_INTERIMS,
                               &iv->n_spent)))
            return st;
        for (int i = 0; i < iv->n_spent; i++)
            if (i > 0 && iv->spent[i] < iv->spent[i - 1])
                return itp_rd_fail(rd, itp_member(g, "spent"), "expected non-decreasing shares");
        if (iv->n_spent != iv->n)
            return itp_rd_fail(rd, itp_member(g, "spent"), "expected %d shares of alpha, one "
                               "per interim (the final spends the rest)", iv->n);
    }
    /* futility */
    int nf = 0;
    double fz[ITP_MAX_INTERIMS];
    if ((st = itp_rd_array(rd, g, "futility_z", ITP_CLOSED(-10, 10), 0, fz, ITP_MAX_INTERIMS,
                           &nf)) ||
        (st = itp_rd_double_or(rd, g, "futility_cp", ITP_CLOSED(0, 0.99), 0.0,
                               &iv->futility_cp)))
        return st;
    if (nf && nf != iv->n)
        return itp_rd_fail(rd, itp_member(g, "futility_z"), "expected %d bounds, one per "
                           "interim", iv->n);
    if (nf && iv->futility_cp > 0)
        return itp_rd_fail(rd, itp_member(g, "futility_cp"), "futility_z or futility_cp, not "
                           "both");
    for (int i = 0; i < iv->n; i++)
        iv->futility_z[i] = nf ? fz[i] : -HUGE_VAL;
    /* what the plan must be for it */
    if (!strcmp(pl->mult->name, "hochberg"))
        return itp_rd_fail(rd, g, "interim analyses do not go with hochberg (a step-up "
                           "procedure has no group-sequential graph): use holm or graphical");
    for (int h = 0; h < pl->n_hyp; h++)
        if (pl->hyp[h].two_sided)
            return itp_rd_fail(rd, g, "interim analyses test one-sided hypotheses; '%s' is "
                               "two-sided", pl->hyp[h].name);
    itp_spending sp;
    itp_interims_spending(iv, &sp);
    if (itp_gs_spending_check(&sp))
        return itp_rd_fail(rd, g, "the spending function's settings are not valid");
    return ITP_OK;
}

void itp_interims_spending(const itp_interims *iv, itp_spending *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->kind = (itp_spend_kind)iv->spending;
    sp->param = iv->spend_param;
    if (sp->kind == ITP_SPEND_USER) {
        sp->n_user = iv->n_spent + 1;
        for (int i = 0; i < iv->n_spent; i++) {
            sp->user_t[i] = iv->at[i];
            sp->user_frac[i] = iv->spent[i];
        }
        sp->user_t[iv->n_spent] = 1.0;
        sp->user_frac[iv->n_spent] = 1.0;
    }
}

itp_status itp_interims_nominal(const itp_scenario *scn, double *b)
{
    const itp_interims *iv = &scn->plan.interims;
    double t[ITP_GS_MAX_STAGES];
    itp_spending sp;
    if (iv->by_months)
        return ITP_EINPUT;   /* the planned fractions are not known */
    for (int i = 0; i < iv->n; i++)
        t[i] = iv->at[i];
    t[iv->n] = 1.0;
    itp_interims_spending(iv, &sp);
    return itp_gs_bounds(&sp, scn->plan.weights[iv->stop_on] * scn->plan.alpha, iv->n + 1, t,
                         1, b);
}

/* ---- the analyses ------------------------------------------------------------------- */

/* The graph of the multiplicity procedure, as weights and transitions. */
static void plan_graph(const itp_analysis_plan *pl, double *w, double *G)
{
    int m = pl->n_hyp;
    memset(G, 0, (size_t)(m * m) * sizeof *G);
    const char *name = pl->mult->name;
    if (!strcmp(name, "fixed_sequence")) {
        for (int i = 0; i < m; i++)
            w[i] = 0.0;
        w[pl->order[0]] = 1.0;
        for (int i = 0; i + 1 < m; i++)
            G[pl->order[i] * (size_t)m + pl->order[i + 1]] = 1.0;
        return;
    }
    for (int i = 0; i < m; i++)
        w[i] = pl->weights[i];
    if (!strcmp(name, "graphical")) {
        memcpy(G, pl->transition, (size_t)(m * m) * sizeof *G);
    } else if (!strcmp(name, "holm")) {
        for (int i = 0; i < m; i++) {
            double rest = 0.0;
            for (int j = 0; j < m; j++)
                rest += j != i ? w[j] : 0.0;
            for (int j = 0; j < m; j++)
                G[i * m + j] = j != i && rest > 0 ? w[j] / rest : 0.0;
        }
    }
}

/* H_r rejected: its weight passed on, the graph updated (Bretz et al. 2009,
 * Algorithm 1). */
static void pass_weight(int m, int r, double *w, double *G, const int *active)
{
    double nw[ITP_MAX_HYPOTHESES], nG[ITP_MAX_HYPOTHESES * ITP_MAX_HYPOTHESES];
    for (int j = 0; j < m; j++)
        nw[j] = active[j] && j != r ? w[j] + w[r] * G[r * m + j] : 0.0;
    for (int j = 0; j < m; j++)
        for (int k = 0; k < m; k++) {
            double d = 1.0 - G[j * m + r] * G[r * m + j];
            nG[j * m + k] = j == k || !active[j] || !active[k] || j == r || k == r || d <= 0
                                ? 0.0
                                : (G[j * m + k] + G[j * m + r] * G[r * m + k]) / d;
        }
    memcpy(w, nw, (size_t)m * sizeof *w);
    memcpy(G, nG, (size_t)(m * m) * sizeof *G);
}

/* Per-patient study-day limits of a cut on calendar day `cut`. */
static void cut_limits(const itp_record *rec, double cut, int *limit)
{
    for (int i = 0; i < rec->n_patients; i++) {
        double lim = floor(cut - rec->patients[i].enrol_day + 1e-9);
        limit[i] = lim < 0 ? -1 : (int)fmin(lim, (double)rec->patients[i].followup_days);
    }
}

/* The information of the timing endpoint in ws->outcomes (evaluated up to
 * some cut): its events, or its patients evaluable. */
static double information(const itp_scenario *scn, const itp_record *rec,
                          const itp_analysis_ws *ws)
{
    int e = scn->plan.interims.endpoint, tte = scn->endpoints[e].type->kind == ITP_EP_TIME;
    size_t ne = (size_t)scn->n_endpoints;
    double n = 0;
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_outcome *o = &ws->outcomes[(size_t)i * ne + (size_t)e];
        n += o->included && (!tte || o->event);
    }
    return n;
}

/* The calendar days on which the timing endpoint's information grows by
 * one, from its outcomes at the final cut, sorted into ws->days; their
 * count. */
static size_t info_days(const itp_scenario *scn, const itp_record *rec, itp_analysis_ws *ws)
{
    const itp_endpoint *ep = &scn->endpoints[scn->plan.interims.endpoint];
    int tte = ep->type->kind == ITP_EP_TIME;
    int horizon = !tte && ep->type->horizon ? ep->type->horizon(ep->params) : 0;
    size_t ne = (size_t)scn->n_endpoints, m = 0;
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *p = &rec->patients[i];
        const itp_outcome *o = &ws->outcomes[(size_t)i * ne + (size_t)scn->plan.interims.endpoint];
        if (!o->included || (tte && !o->event))
            continue;
        ws->days[m++] = p->enrol_day + (tte ? o->time : fmin(horizon, p->followup_days));
    }
    gsl_sort(ws->days, 1, m);
    return m;
}

static double z_of(double p)
{
    if (!(p < 1.0))
        return -HUGE_VAL;
    if (!(p > 0.0))
        return HUGE_VAL;
    return gsl_cdf_ugaussian_Qinv(p);
}

/* The final bound (t = 1, or the last t when beyond) of the spending
 * function at level alpha after the stages t[0..k-1]: the bound the
 * conditional power aims at. */
static double final_bound(const itp_spending *sp, double alpha, const double *t, int k)
{
    double tt[ITP_GS_MAX_STAGES + 1], b[ITP_GS_MAX_STAGES + 1];
    memcpy(tt, t, (size_t)k * sizeof *tt);
    int n = k;
    if (t[k - 1] < 1.0 && k < ITP_GS_MAX_STAGES)
        tt[n++] = 1.0;
    if (!(alpha > 0) || itp_gs_bounds(sp, alpha, n, tt, 1, b))
        return HUGE_VAL;
    return b[n - 1];
}

itp_status itp_analyse_gs(const itp_scenario *scn, const itp_record *rec, const int *limit,
                          double final_cut, itp_analysis_ws *ws, itp_hyp_result *res,
                          itp_gs_result *gs)
{
    const itp_analysis_plan *pl = &scn->plan;
    const itp_interims *iv = &pl->interims;
    int m = pl->n_hyp, so = iv->stop_on;
    double cut[ITP_GS_MAX_STAGES], t[ITP_GS_MAX_STAGES];
    int interim[ITP_GS_MAX_STAGES];
    double w[ITP_MAX_HYPOTHESES], G[ITP_MAX_HYPOTHESES * ITP_MAX_HYPOTHESES];
    int active[ITP_MAX_HYPOTHESES], rejected[ITP_MAX_HYPOTHESES];
    itp_spending sp;
    itp_status st;
    memset(gs, 0, sizeof *gs);
    for (int s = 0; s < ITP_GS_MAX_STAGES; s++)
        gs->t[s] = gs->month[s] = gs->z[s] = gs->bound[s] = (double)NAN;
    itp_interims_spending(iv, &sp);
    /* the interims' cut days, from the information at the final cut */
    itp_endpoints_eval(scn, rec, limit, ws->outcomes);
    double max_info = iv->max_info > 0 ? iv->max_info : information(scn, rec, ws);
    double first = rec->n_patients ? rec->patients[0].enrol_day : 0.0;
    size_t n_days = iv->by_months ? 0 : info_days(scn, rec, ws);
    int stages = 0;
    for (int i = 0; i < iv->n; i++) {
        double c;
        if (iv->by_months) {
            c = first + iv->at[i] * ITP_DAYS_PER_MONTH;
        } else {
            size_t k = (size_t)ceil(iv->at[i] * max_info - 1e-9);
            if (k < 1)
                k = 1;
            if (k > n_days)
                break;
            c = ws->days[k - 1];
        }
        if (c >= final_cut || (stages > 0 && c <= cut[stages - 1]))
            continue;
        interim[stages] = i;
        cut[stages++] = c;
    }
    interim[stages] = -1;
    cut[stages++] = final_cut;
    plan_graph(pl, w, G);
    for (int h = 0; h < m; h++) {
        active[h] = 1;
        rejected[h] = 0;
        gs->reject_stage[h] = -1;
    }
    int held = 0;
    for (int s = 0; s < stages; s++) {
        int last = s == stages - 1;
        const int *lim = limit;
        if (!last) {
            cut_limits(rec, cut[s], ws->limit);
            lim = ws->limit;
        }
        if ((st = itp_analyse(scn, rec, lim, ws, res)))
            return st;
        double frac = max_info > 0 ? information(scn, rec, ws) / max_info : 1.0;
        if (held > 0 && !(frac > t[held - 1])) {
            if (!last)
                continue;           /* no new information: not an analysis */
            frac = nextafter(t[held - 1], HUGE_VAL);
        }
        if (!(frac > 0))
            continue;               /* nothing to analyse yet */
        t[held] = gs->t[held] = frac;
        gs->month[held] = (cut[s] - first) / ITP_DAYS_PER_MONTH;
        gs->cut_day = cut[s];
        gs->stop = held;
        double z[ITP_MAX_HYPOTHESES];
        for (int h = 0; h < m; h++)
            z[h] = z_of(res[h].p_value);
        /* reject what the current levels allow, passing weights on */
        for (int found = 1; found;) {
            found = 0;
            for (int h = 0; h < m && !found; h++) {
                if (!active[h] || w[h] <= 0.0 || (res[h].flags & ITP_HYP_NO_TEST))
                    continue;
                double b[ITP_GS_MAX_STAGES];
                if ((st = itp_gs_bounds(&sp, w[h] * pl->alpha, held + 1, t, last, b)))
                    return st;
                if (z[h] >= b[held]) {
                    rejected[h] = 1;
                    gs->reject_stage[h] = held;
                    pass_weight(m, h, w, G, active);
                    active[h] = 0;
                    found = 1;
                }
            }
        }
        /* the stop_on hypothesis's bound at the level it was tested at */
        double level = (rejected[so] ? pl->weights[so] : w[so]) * pl->alpha, b[ITP_GS_MAX_STAGES];
        gs->z[held] = z[so];
        if (level > 0 && !itp_gs_bounds(&sp, level, held + 1, t, last, b))
            gs->bound[held] = b[held];
        held++;
        if (last)
            break;
        double fz = iv->futility_z[interim[s]];
        if (rejected[so]) {
            gs->reason = ITP_GS_EFFICACY;
        } else if (z[so] < fz) {
            gs->reason = ITP_GS_FUTILITY;
        } else if (iv->futility_cp > 0 && isfinite(z[so]) &&
                   itp_gs_conditional_power(z[so], frac, final_bound(&sp, level, t, held),
                                            z[so] / sqrt(frac)) < iv->futility_cp) {
            gs->reason = ITP_GS_FUTILITY;
        }
        if (gs->reason)
            break;
    }
    gs->stages = held;
    for (int h = 0; h < m; h++) {
        res[h].rejected = rejected[h];
        res[h].adj_p = (double)NAN;
    }
    return ITP_OK;
}
