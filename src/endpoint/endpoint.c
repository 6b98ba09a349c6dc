/* Endpoint rules; see endpoint.h. Definitions follow the IWG (Rodeghiero
 * et al., Blood 2009) and VAYHIT2's TTF and SR6 (NCT05653219; NEJM 2025). */
#include "itpsim/endpoint.h"
#include "itpsim/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NEVER_DAY 1000000000

/* ---- shared helpers -------------------------------------------------------- */

static int end_of_info(const itp_patient *pt, int limit)
{
    return pt->last_day < limit ? pt->last_day : limit;
}

/* Died or withdrew on or before `day` (within the information). */
static int gone_by(const itp_patient *pt, int day, int end)
{
    return (pt->death != ITP_NEVER && pt->death <= day && pt->death <= end) ||
           (pt->dropout != ITP_NEVER && pt->dropout <= day && pt->dropout <= end);
}

/* A binary endpoint judged at `day` is evaluable when the information
 * reaches that day or the patient died or withdrew before it. */
static int evaluable(const itp_patient *pt, int day, int end)
{
    return pt->followup_days >= 0 && (end >= day || gone_by(pt, day, end));
}

static int rescue_between(const itp_record *rec, const itp_patient *pt, int a, int b)
{
    for (int r = 0; r < pt->n_rescue; r++) {
        int d = rec->rescue_days[pt->rescue_first + (size_t)r];
        if (d >= a && d <= b)
            return 1;
    }
    return 0;
}

static int scheduled_in(const itp_scenario *scn, int a, int b)
{
    int n = 0;
    for (int i = 0; i < scn->n_visits; i++)
        n += scn->visit_day[i] >= a && scn->visit_day[i] <= b;
    return n;
}

static const itp_visit *visits_of(const itp_record *rec, const itp_patient *pt)
{
    return rec->visits + pt->visit_first;
}

static itp_status read_week(itp_reader *rd, const config_setting_t *g, const char *name,
                            double dflt_week, int *day)
{
    double w;
    itp_status st = dflt_week < 0 ? itp_rd_double(rd, g, NULL, name, ITP_CLOSED(0, 1100), &w)
                                  : itp_rd_double_or(rd, g, name, ITP_CLOSED(0, 1100), dflt_week, &w);
    if (!st)
        *day = (int)lround(w * 7.0);
    return st;
}

static itp_status window_order(itp_reader *rd, const config_setting_t *g, int from, int to)
{
    if (to < from)
        return itp_rd_fail(rd, itp_member(g, "to_week"), "expected to_week >= from_week");
    return ITP_OK;
}

/* ---- ttf --------------------------------------------------------------------- */

enum { C_COUNT, C_RESCUE, C_NEW, C_TAPER, C_DEATH, C_HAZARD };
static const char *const ttf_causes[] = {"count", "rescue", "new_therapy", "taper",
                                         "death", "failure", NULL};

typedef struct ttf_params {
    int count_on, count_after, scheduled_only;
    double below;
    int rescue_on, rescue_after;
    int new_therapy, taper_on, taper_by, death, censor_contact;
} ttf_params;

/* taper = { by_week } may leave by_week out: then the deadline is the
 * TPO-RA component's own taper end (it follows a sweep of the taper). */
static const char *const ttf_keys[] = {"type", "count", "rescue", "new_therapy", "taper",
                                       "death", "censor", NULL};

static itp_status ttf_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    static const char *const count_keys[] = {"below", "after_week", "scheduled_only", NULL};
    static const char *const rescue_keys[] = {"after_week", NULL};
    static const char *const taper_keys[] = {"by_week", NULL};
    ttf_params *p = calloc(1, sizeof *p);
    const config_setting_t *c, *r, *t;
    char censor[32];
    itp_status st;
    (void)scn;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_child(rd, g, "count", CONFIG_TYPE_GROUP, 0, &c)) ||
        (st = itp_rd_child(rd, g, "rescue", CONFIG_TYPE_GROUP, 0, &r)) ||
        (st = itp_rd_child(rd, g, "taper", CONFIG_TYPE_GROUP, 0, &t)) ||
        (st = itp_rd_keys(rd, c, count_keys, NULL)) || (st = itp_rd_keys(rd, r, rescue_keys, NULL)) ||
        (st = itp_rd_keys(rd, t, taper_keys, NULL)) ||
        (st = itp_rd_bool_or(rd, g, "new_therapy", 0, &p->new_therapy)) ||
        (st = itp_rd_bool_or(rd, g, "death", 0, &p->death)) ||
        (st = itp_rd_string(rd, g, "censor", "last_visit", censor, sizeof censor)))
        return st;
    if (c && ((st = itp_rd_double(rd, c, NULL, "below", ITP_CLOSED(0, 1e4), &p->below)) ||
              (st = read_week(rd, c, "after_week", 0.0, &p->count_after)) ||
              (st = itp_rd_bool_or(rd, c, "scheduled_only", 0, &p->scheduled_only))))
        return st;
    if (r && (st = read_week(rd, r, "after_week", 0.0, &p->rescue_after)))
        return st;
    p->taper_by = ITP_NEVER; /* default: each patient's own taper deadline */
    if (t && itp_member(t, "by_week") && (st = read_week(rd, t, "by_week", -1.0, &p->taper_by)))
        return st;
    p->count_on = c != NULL;
    p->rescue_on = r != NULL;
    p->taper_on = t != NULL;
    if (strcmp(censor, "last_visit") == 0)
        p->censor_contact = 0;
    else if (strcmp(censor, "last_contact") == 0)
        p->censor_contact = 1;
    else
        return itp_rd_fail(rd, itp_member(g, "censor"),
                           "expected \"last_visit\" or \"last_contact\", got \"%s\"", censor);
    return ITP_OK;
}

static void candidate(int day, int cause, int *best, int *why)
{
    if (day != ITP_NEVER && day < *best) {
        *best = day;
        *why = cause;
    }
}

/* The earliest failure; causes on the same day are ranked in the order of
 * ttf_causes. Censoring at the last visit (or last contact) within the
 * information. */
static void ttf_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                     const itp_patient *pt, int limit, itp_outcome *out)
{
    const ttf_params *p = vp;
    const itp_visit *v = visits_of(rec, pt);
    int end = end_of_info(pt, limit), best = NEVER_DAY, why = -1, last_visit = -1;
    (void)scn;
    *out = (itp_outcome){pt->followup_days >= 0, 0, 0, -1};
    if (!out->included)
        return;
    for (int i = 0; i < pt->n_visits && v[i].day <= end; i++) {
        last_visit = v[i].day;
        if (p->count_on && v[i].day > p->count_after && (double)v[i].count < p->below &&
            (v[i].scheduled || !p->scheduled_only)) {
            candidate(v[i].day, C_COUNT, &best, &why);
            break;
        }
    }
    if (p->rescue_on)
        for (int r = 0; r < pt->n_rescue; r++) {
            int d = rec->rescue_days[pt->rescue_first + (size_t)r];
            if (d > p->rescue_after) {
                candidate(d, C_RESCUE, &best, &why);
                break;
            }
        }
    if (p->new_therapy)
        candidate(pt->new_therapy, C_NEW, &best, &why);
    if (p->taper_on) {
        candidate(pt->taper_ineligible, C_TAPER, &best, &why);
        candidate(pt->taper_fail, C_TAPER, &best, &why);
        /* Still on the TPO-RA at the deadline. By default the deadline is
         * the component's own taper end, which records whoever is still
         * on the drug then (dosed or held); a by_week of the endpoint's
         * own is judged on the dose at the last count up to it. */
        if (p->taper_by == ITP_NEVER) {
            candidate(pt->taper_unable, C_TAPER, &best, &why);
        } else if (pt->taper_end == ITP_NEVER || pt->taper_end > p->taper_by) {
            double dose = 0.0;
            for (int i = 0; i < pt->n_visits && v[i].day <= p->taper_by; i++)
                dose = (double)v[i].tpo_dose;
            if (dose > 0.0)
                candidate(p->taper_by, C_TAPER, &best, &why);
        }
    }
    if (p->death)
        candidate(pt->death, C_DEATH, &best, &why);
    candidate(pt->failure, C_HAZARD, &best, &why);
    if (best <= end) {
        out->event = 1;
        out->time = best;
        out->cause = why;
    } else {
        out->time = p->censor_contact || last_visit < 0 ? end : last_visit;
    }
}

/* ---- time_to_response ------------------------------------------------------ */

typedef struct resp_params {
    double threshold;
    int consecutive, from, to, rescue_excl, level_cr, week_day;
    double fraction;
    int rescue_from;
} resp_params;

static const char *const ttr_keys[] = {"type", "threshold", "consecutive", "to_week",
                                       "rescue_exclusion_days", NULL};
static const char *const ttr_causes[] = {"response", NULL};

static itp_status ttr_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    resp_params *p = calloc(1, sizeof *p);
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, NULL, "threshold", ITP_CLOSED(0, 1e4), &p->threshold)) ||
        (st = itp_rd_int_or(rd, g, "consecutive", 1, 52, 1, &p->consecutive)) ||
        (st = read_week(rd, g, "to_week", scn->max_followup_days / 7.0, &p->to)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    return ITP_OK;
}

/* A scheduled count qualifies when >= threshold with no rescue in the
 * exclusion days before it (the day itself included). */
static int qualifies(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                     const itp_visit *v)
{
    return v->scheduled && (double)v->count >= p->threshold &&
           !(p->rescue_excl > 0 && rescue_between(rec, pt, v->day - p->rescue_excl, v->day));
}

/* The day of the first of `consecutive` qualifying scheduled counts within
 * [from, to] and the information, or -1. */
static int first_run(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                     int end, int *last_visit)
{
    const itp_visit *v = visits_of(rec, pt);
    int run = 0, start = -1;
    *last_visit = -1;
    for (int i = 0; i < pt->n_visits && v[i].day <= end && v[i].day <= p->to; i++) {
        if (!v[i].scheduled || v[i].day < p->from)
            continue;
        *last_visit = v[i].day;
        if (qualifies(p, rec, pt, &v[i])) {
            if (run++ == 0)
                start = v[i].day;
            if (run >= p->consecutive)
                return start;
        } else {
            run = 0;
        }
    }
    return -1;
}

static void ttr_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                     const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = end_of_info(pt, limit), last;
    (void)scn;
    *out = (itp_outcome){pt->followup_days >= 0, 0, 0, -1};
    if (!out->included)
        return;
    int day = first_run(p, rec, pt, end, &last);
    if (day >= 0) {
        out->event = 1;
        out->time = day;
        out->cause = 0;
    } else {
        out->time = last >= 0 ? last : 0;
    }
}

/* ---- windows of scheduled visits (stable_response, sustained_remission) ---- */

/* threshold, from_week and to_week, with at least one scheduled visit in
 * the window, and rescue_from_week: the start of the period without rescue,
 * which ends with the window. Its default is randomisation (week 0): a
 * rescue shortly before the window still lifts its first counts (for about
 * 2 weeks), so by default any rescue rules the response out, as in the
 * romiplostim pivotal trials' durable response, which excluded patients
 * given rescue medication at any time (Kuter et al., Lancet 2008). A
 * scenario may start it later (VAYHIT2: week 8, the end of the TTF grace
 * period); a rescue on the day of rescue_from_week itself counts. */
static itp_status read_window(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                              resp_params *p)
{
    itp_status st;
    if ((st = itp_rd_double(rd, g, NULL, "threshold", ITP_CLOSED(0, 1e4), &p->threshold)) ||
        (st = read_week(rd, g, "from_week", -1, &p->from)) ||
        (st = read_week(rd, g, "to_week", -1, &p->to)) ||
        (st = window_order(rd, g, p->from, p->to)) ||
        (st = read_week(rd, g, "rescue_from_week", 0.0, &p->rescue_from)))
        return st;
    if (p->rescue_from > p->to)
        return itp_rd_fail(rd, itp_member(g, "rescue_from_week"),
                           "expected rescue_from_week <= to_week");
    if (scheduled_in(scn, p->from, p->to) == 0)
        return itp_rd_fail(rd, g, "no scheduled visit between weeks %g and %g", p->from / 7.0,
                           p->to / 7.0);
    return ITP_OK;
}

/* Scheduled counts >= threshold in the window, within the information;
 * off_tpo: only those on a day without TPO-RA. */
static int window_hits(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                       int end, int off_tpo)
{
    const itp_visit *v = visits_of(rec, pt);
    int hits = 0;
    for (int i = 0; i < pt->n_visits && v[i].day <= end && v[i].day <= p->to; i++)
        hits += v[i].scheduled && v[i].day >= p->from && (double)v[i].count >= p->threshold &&
                (!off_tpo || v[i].tpo_dose == 0.0f);
    return hits;
}

/* No rescue from rescue_from_week to the window's end, and no new therapy
 * at any time up to the window's end. */
static int untreated(const resp_params *p, const itp_record *rec, const itp_patient *pt)
{
    return !rescue_between(rec, pt, p->rescue_from, p->to) &&
           (pt->new_therapy == ITP_NEVER || pt->new_therapy > p->to);
}

/* ---- binary: stable_response ---------------------------------------------- */

static const char *const sr_keys[] = {"type", "threshold", "fraction", "from_week", "to_week",
                                      "rescue_from_week", NULL};

static itp_status sr_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    resp_params *p = calloc(1, sizeof *p);
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = read_window(rd, g, scn, p)) ||
        (st = itp_rd_double(rd, g, NULL, "fraction", ITP_POSITIVE(1.0), &p->fraction)))
        return st;
    return ITP_OK;
}

static void sr_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                    const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = end_of_info(pt, limit);
    *out = (itp_outcome){evaluable(pt, p->to, end), 0, 0, -1};
    if (!out->included)
        return;
    int denom = scheduled_in(scn, p->from, p->to);
    out->event = window_hits(p, rec, pt, end, 0) >= p->fraction * denom - 1e-9 &&
                 untreated(p, rec, pt);
}

/* ---- binary: confirmed_response --------------------------------------------- */

static const char *const cr_keys[] = {"type", "threshold", "consecutive", "from_week",
                                      "to_week", "rescue_exclusion_days", NULL};

static itp_status cr_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    resp_params *p = calloc(1, sizeof *p);
    itp_status st;
    (void)scn;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, NULL, "threshold", ITP_CLOSED(0, 1e4), &p->threshold)) ||
        (st = itp_rd_int_or(rd, g, "consecutive", 1, 52, 2, &p->consecutive)) ||
        (st = read_week(rd, g, "from_week", 0.0, &p->from)) ||
        (st = read_week(rd, g, "to_week", -1, &p->to)) ||
        (st = window_order(rd, g, p->from, p->to)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    return ITP_OK;
}

static void cr_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                    const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = end_of_info(pt, limit), last;
    (void)scn;
    int day = pt->followup_days >= 0 ? first_run(p, rec, pt, end, &last) : -1;
    /* a response seen before the cut counts even if the period is not over */
    *out = (itp_outcome){day >= 0 || evaluable(pt, p->to, end), day >= 0, 0, -1};
}

/* ---- binary: response_at ----------------------------------------------------- */

static const char *const ra_keys[] = {"type", "threshold", "week", "rescue_exclusion_days",
                                      NULL};

static itp_status ra_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    resp_params *p = calloc(1, sizeof *p);
    itp_status st;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_double(rd, g, NULL, "threshold", ITP_CLOSED(0, 1e4), &p->threshold)) ||
        (st = read_week(rd, g, "week", -1, &p->week_day)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    if (!itp_scenario_is_visit(scn, p->week_day))
        return itp_rd_fail(rd, itp_member(g, "week"), "no scheduled visit at week %g",
                           p->week_day / 7.0);
    return ITP_OK;
}

static void ra_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                    const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = end_of_info(pt, limit);
    const itp_visit *v = visits_of(rec, pt);
    (void)scn;
    *out = (itp_outcome){evaluable(pt, p->week_day, end), 0, 0, -1};
    if (!out->included)
        return;
    for (int i = 0; i < pt->n_visits && v[i].day <= end; i++)
        if (v[i].scheduled && v[i].day == p->week_day)
            out->event = qualifies(p, rec, pt, &v[i]) &&
                         (pt->new_therapy == ITP_NEVER || pt->new_therapy > p->week_day);
}

/* ---- binary: iwg_response ------------------------------------------------------ */

static const char *const iwg_keys[] = {"type", "level", "from_week", "to_week",
                                       "rescue_exclusion_days", NULL};

static itp_status iwg_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    resp_params *p = calloc(1, sizeof *p);
    char level[32];
    itp_status st;
    (void)scn;
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_string(rd, g, "level", "response", level, sizeof level)) ||
        (st = read_week(rd, g, "from_week", 0.0, &p->from)) ||
        (st = read_week(rd, g, "to_week", -1, &p->to)) ||
        (st = window_order(rd, g, p->from, p->to)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    if (strcmp(level, "response") == 0)
        p->level_cr = 0;
    else if (strcmp(level, "complete") == 0)
        p->level_cr = 1;
    else
        return itp_rd_fail(rd, itp_member(g, "level"),
                           "expected \"response\" or \"complete\", got \"%s\"", level);
    return ITP_OK;
}

/* IWG (Rodeghiero et al., Blood 2009): response R = count >= 30 and at
 * least double the baseline, complete response CR = count >= 100; "CR or R
 * should be confirmed by at least 2 counts at least 7 days apart", and a
 * loss of CR or R needs 2 counts below the level at least 1 day apart.
 * Over the scheduled counts of [from, to] within the information:
 * - a count with a rescue in the rescue_exclusion_days before it (the day
 *   itself included) is not evaluable: it neither qualifies nor counts
 *   towards a loss, since it shows the rescue rather than the treatment;
 * - an evaluable count qualifies when it meets the level, else it is low;
 * - the first qualifying count starts a candidate response; a qualifying
 *   count >= 7 days after that first one confirms it (the endpoint is met);
 * - two low counts in a row (no qualifying count between them; counts not
 *   evaluable are skipped) on days >= 1 day apart after the candidate's
 *   start are a loss: the candidate is dropped and the next qualifying count
 *   starts a new one. A single low count is no loss and does not break the
 *   confirmation.
 * Bleeding, which also ends a response by IWG, is not in the visit record. */
static int iwg_meets(const resp_params *p, const itp_patient *pt, double c)
{
    return p->level_cr ? c >= 100.0 : (c >= 30.0 && c >= 2.0 * pt->baseline);
}

static void iwg_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                     const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = end_of_info(pt, limit), start = -1, low = -1, hit = 0;
    const itp_visit *v = visits_of(rec, pt);
    (void)scn;
    if (pt->followup_days >= 0)
        for (int i = 0; i < pt->n_visits && v[i].day <= end && v[i].day <= p->to && !hit; i++) {
            int d = v[i].day;
            if (!v[i].scheduled || d < p->from ||
                (p->rescue_excl > 0 && rescue_between(rec, pt, d - p->rescue_excl, d)))
                continue;
            if (iwg_meets(p, pt, (double)v[i].count)) {
                low = -1;
                if (start < 0)
                    start = d;
                else if (d - start >= 7)
                    hit = 1;
            } else if (start >= 0) {
                if (low < 0) {
                    low = d;
                } else if (d - low >= 1) { /* lost: wait for a new start */
                    start = -1;
                    low = -1;
                }
            }
        }
    *out = (itp_outcome){hit || evaluable(pt, p->to, end), hit, 0, -1};
}

/* ---- binary: sustained_remission ------------------------------------------------ */

static const char *const sro_keys[] = {"type", "threshold", "from_week", "to_week",
                                       "rescue_from_week", NULL};

static itp_status sro_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    resp_params *p = calloc(1, sizeof *p);
    *out = p;
    if (!p)
        return ITP_ENOMEM;
    return read_window(rd, g, scn, p);
}

/* Off the TPO-RA (dose 0) and >= threshold at every scheduled visit of the
 * window, no rescue from rescue_from_week (default 0) and no new therapy up
 * to its end. */
static void sro_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                     const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = end_of_info(pt, limit);
    *out = (itp_outcome){evaluable(pt, p->to, end), 0, 0, -1};
    if (!out->included)
        return;
    out->event = window_hits(p, rec, pt, end, 1) == scheduled_in(scn, p->from, p->to) &&
                 untreated(p, rec, pt);
}

/* ---- the table ------------------------------------------------------------------ */

static const itp_endpoint_type ttf_type = {"ttf", ITP_EP_TIME, 1, ttf_keys, ttf_causes,
                                           ttf_parse, ttf_eval};
static const itp_endpoint_type ttr_type = {"time_to_response", ITP_EP_TIME, 0, ttr_keys,
                                           ttr_causes, ttr_parse, ttr_eval};
static const itp_endpoint_type sr_type = {"stable_response", ITP_EP_BINARY, 0, sr_keys, NULL,
                                          sr_parse, sr_eval};
static const itp_endpoint_type cr_type = {"confirmed_response", ITP_EP_BINARY, 0, cr_keys,
                                          NULL, cr_parse, cr_eval};
static const itp_endpoint_type ra_type = {"response_at", ITP_EP_BINARY, 0, ra_keys, NULL,
                                          ra_parse, ra_eval};
static const itp_endpoint_type iwg_type = {"iwg_response", ITP_EP_BINARY, 0, iwg_keys, NULL,
                                           iwg_parse, iwg_eval};
static const itp_endpoint_type sro_type = {"sustained_remission", ITP_EP_BINARY, 0, sro_keys,
                                           NULL, sro_parse, sro_eval};

const itp_endpoint_type *const itp_endpoint_types[] = {
    &ttf_type, &ttr_type, &sr_type, &cr_type, &ra_type, &iwg_type, &sro_type, NULL};

const itp_endpoint_type *itp_endpoint_type_find(const char *name)
{
    for (int i = 0; itp_endpoint_types[i]; i++)
        if (strcmp(itp_endpoint_types[i]->name, name) == 0)
            return itp_endpoint_types[i];
    return NULL;
}

itp_status itp_endpoints_parse(itp_reader *rd, itp_scenario *scn)
{
    const config_setting_t *g;
    itp_status st = itp_rd_child(rd, itp_reader_root(rd), "endpoints", CONFIG_TYPE_GROUP, 0, &g);
    if (st || !g)
        return st;
    int n = config_setting_length(g);
    if (n > ITP_MAX_ENDPOINTS)
        return itp_rd_fail(rd, g, "expected at most %d endpoints", ITP_MAX_ENDPOINTS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
        itp_endpoint *ep = &scn->endpoints[i];
        char type[32];
        if (!config_setting_is_group(e))
            return itp_rd_fail(rd, e, "expected a group { type = \"...\"; ... }");
        snprintf(ep->name, sizeof ep->name, "%s", config_setting_name(e));
        if ((st = itp_rd_string(rd, e, "type", NULL, type, sizeof type)))
            return st;
        ep->type = itp_endpoint_type_find(type);
        if (!ep->type) {
            char names[256] = "";
            for (int t = 0; itp_endpoint_types[t]; t++) {
                size_t l = strlen(names);
                snprintf(names + l, sizeof names - l, "%s%s", t ? ", " : "",
                         itp_endpoint_types[t]->name);
            }
            return itp_rd_fail(rd, itp_member(e, "type"), "unknown endpoint type '%s' (known: %s)",
                               type, names);
        }
        if (ep->type->kind == ITP_EP_BINARY && strcmp(scn->model->name, "hazard") == 0)
            return itp_rd_fail(rd, e, "a %s endpoint needs visits; model \"hazard\" has none",
                               type);
        if ((st = itp_rd_keys(rd, e, ep->type->keys, NULL)))
            return st;
        scn->n_endpoints = i + 1;
        if ((st = ep->type->parse(rd, e, scn, &ep->params)))
            return st;
    }
    return ITP_OK;
}

void itp_endpoints_eval(const itp_scenario *scn, const itp_record *rec, const int *limit,
                        itp_outcome *out)
{
    for (int i = 0; i < rec->n_patients; i++) {
        const itp_patient *pt = &rec->patients[i];
        int lim = limit ? limit[i] : pt->followup_days;
        if (lim < 0) { /* randomised after the data cut */
            for (int e = 0; e < scn->n_endpoints; e++)
                out[(size_t)i * (size_t)scn->n_endpoints + (size_t)e] = (itp_outcome){0, 0, 0, -1};
            continue;
        }
        for (int e = 0; e < scn->n_endpoints; e++) {
            const itp_endpoint *ep = &scn->endpoints[e];
            ep->type->eval(ep->params, scn, rec, pt, lim,
                           &out[(size_t)i * (size_t)scn->n_endpoints + (size_t)e]);
        }
    }
}
