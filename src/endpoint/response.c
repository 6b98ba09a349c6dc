/* Response rules: time to response, confirmed response, response at a
 * visit, and the IWG response (Rodeghiero et al., Blood 2009); see
 * endpoint.h. */
#include "itpsim/endpoint.h"
#include "itpsim/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* ---- time_to_response ------------------------------------------------------ */


static const char *const ttr_keys[] = {"type", "threshold", "times_baseline", "consecutive", "to_week",
                                       "rescue_exclusion_days", NULL};
static const char *const ttr_causes[] = {"response", NULL};

static itp_status ttr_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    resp_params *p = itp_ep_resp_new(out);
    itp_status st;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_ep_read_threshold(rd, g, p)) ||
        (st = itp_rd_int_or(rd, g, "consecutive", 1, 52, 1, &p->consecutive)) ||
        (st = itp_ep_read_week(rd, g, "to_week", scn->max_followup_days / 7.0, &p->to)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    return ITP_OK;
}

itp_status itp_ep_read_threshold(itp_reader *rd, const config_setting_t *g, resp_params *p)
{
    itp_status st = itp_rd_double(rd, g, NULL, "threshold", ITP_CLOSED(0, 1e4), &p->threshold);
    return st ? st : itp_rd_double_or(rd, g, "times_baseline", ITP_CLOSED(0, 100), 0.0,
                                      &p->times_baseline);
}

/* A scheduled count qualifies when it reaches the level (threshold, and
 * times_baseline x the baseline: "at least doubling" with 2) with no
 * rescue in the exclusion days before it (the day itself included). */
int itp_ep_qualifies(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                     const itp_visit *v)
{
    return v->scheduled && (double)v->count >= itp_ep_level(p, pt) &&
           !(p->rescue_excl > 0 && itp_ep_rescue_between(rec, pt, v->day - p->rescue_excl, v->day));
}

/* The day of the first of `consecutive` qualifying scheduled counts within
 * [from, to] and the information, or -1. */
int itp_ep_first_run(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                     int end, int *last_visit)
{
    const itp_visit *v = itp_ep_visits_of(rec, pt);
    int run = 0, start = -1;
    *last_visit = -1;
    for (int i = 0; i < pt->n_visits && v[i].day <= end && v[i].day <= p->to; i++) {
        if (!v[i].scheduled || v[i].day < p->from)
            continue;
        *last_visit = v[i].day;
        if (itp_ep_qualifies(p, rec, pt, &v[i])) {
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
    int end = itp_ep_end_of_info(pt, limit), last;
    (void)scn;
    *out = (itp_outcome){pt->followup_days >= 0, 0, 0, -1};
    if (!out->included)
        return;
    int day = itp_ep_first_run(p, rec, pt, end, &last);
    if (day >= 0) {
        out->event = 1;
        out->time = day;
        out->cause = 0;
    } else {
        out->time = last >= 0 ? last : 0;
    }
}

/* ---- binary: confirmed_response --------------------------------------------- */

static const char *const cr_keys[] = {"type", "threshold", "times_baseline", "consecutive", "from_week",
                                      "to_week", "rescue_exclusion_days", NULL};

static itp_status cr_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    resp_params *p = itp_ep_resp_new(out);
    itp_status st;
    (void)scn;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_ep_read_threshold(rd, g, p)) ||
        (st = itp_rd_int_or(rd, g, "consecutive", 1, 52, 2, &p->consecutive)) ||
        (st = itp_ep_read_week(rd, g, "from_week", 0.0, &p->from)) ||
        (st = itp_ep_read_week(rd, g, "to_week", -1, &p->to)) ||
        (st = itp_ep_window_order(rd, g, p->from, p->to)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    return ITP_OK;
}

static void cr_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                    const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = itp_ep_end_of_info(pt, limit), last;
    (void)scn;
    int day = pt->followup_days >= 0 ? itp_ep_first_run(p, rec, pt, end, &last) : -1;
    /* a response seen before the cut counts even if the period is not over */
    *out = (itp_outcome){day >= 0 || itp_ep_evaluable(pt, p->to, end), day >= 0, 0, -1};
}

/* ---- binary: response_at ----------------------------------------------------- */

static const char *const ra_keys[] = {"type", "threshold", "times_baseline", "week", "rescue_exclusion_days",
                                      NULL};

static itp_status ra_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    resp_params *p = itp_ep_resp_new(out);
    itp_status st;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_ep_read_threshold(rd, g, p)) ||
        (st = itp_ep_read_week(rd, g, "week", -1, &p->week_day)) ||
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
    int end = itp_ep_end_of_info(pt, limit);
    const itp_visit *v = itp_ep_visits_of(rec, pt);
    (void)scn;
    *out = (itp_outcome){itp_ep_evaluable(pt, p->week_day, end), 0, 0, -1};
    if (!out->included)
        return;
    for (int i = 0; i < pt->n_visits && v[i].day <= end; i++)
        if (v[i].scheduled && v[i].day == p->week_day)
            out->event = itp_ep_qualifies(p, rec, pt, &v[i]) &&
                         !itp_ep_new_therapy_by(pt, p->week_day);
}

/* ---- binary: iwg_response ------------------------------------------------------ */

static const char *const iwg_keys[] = {"type", "level", "from_week", "to_week",
                                       "rescue_exclusion_days", NULL};

static itp_status iwg_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    resp_params *p = itp_ep_resp_new(out);
    char level[32];
    itp_status st;
    (void)scn;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_rd_string(rd, g, "level", "response", level, sizeof level)) ||
        (st = itp_ep_read_week(rd, g, "from_week", 0.0, &p->from)) ||
        (st = itp_ep_read_week(rd, g, "to_week", -1, &p->to)) ||
        (st = itp_ep_window_order(rd, g, p->from, p->to)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    if (strcmp(level, "response") == 0)
        p->threshold = 30.0, p->times_baseline = 2.0;   /* response */
    else if (strcmp(level, "complete") == 0)
        p->threshold = 100.0;   /* complete response */
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
    return c >= itp_ep_level(p, pt);
}

static void iwg_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                     const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = itp_ep_end_of_info(pt, limit), start = -1, low = -1, hit = 0;
    const itp_visit *v = itp_ep_visits_of(rec, pt);
    (void)scn;
    if (pt->followup_days >= 0)
        for (int i = 0; i < pt->n_visits && v[i].day <= end && v[i].day <= p->to && !hit; i++) {
            int d = v[i].day;
            if (!v[i].scheduled || d < p->from ||
                (p->rescue_excl > 0 && itp_ep_rescue_between(rec, pt, d - p->rescue_excl, d)))
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
    *out = (itp_outcome){hit || itp_ep_evaluable(pt, p->to, end), hit, 0, -1};
}

/* ---- binary: occasions and cumulative_days --------------------------------------- */

/* Counts reaching the level on at least `at_least` scheduled visits of the
 * window, consecutive or not (the efgartigimod phase 2's ">= 50 on at least
 * 2 occasions", Newland, Am J Hematol 2019); and the days at or above it
 * at least `days` in total, each qualifying scheduled count standing for
 * the days to the next scheduled count (or the window's end): the same
 * trial's ">= 50 for at least 10 cumulative days". */
static const char *const occ_keys[] = {"type", "threshold", "times_baseline", "at_least",
                                       "from_week", "to_week", "rescue_exclusion_days", NULL};
static const char *const cum_keys[] = {"type", "threshold", "times_baseline", "days",
                                       "from_week", "to_week", "rescue_exclusion_days", NULL};

/* The settings of either rule: by_days, cumulative_days' `days`; else
 * occasions' `at_least` (both kept in p->needed). */
static itp_status occ_read(itp_reader *rd, const config_setting_t *g, void **out, int by_days)
{
    resp_params *p = itp_ep_resp_new(out);
    itp_status st;
    if (!p)
        return ITP_ENOMEM;
    p->by_days = by_days;
    if ((st = itp_ep_read_threshold(rd, g, p)) ||
        (st = itp_ep_read_week(rd, g, "from_week", 0.0, &p->from)) ||
        (st = itp_ep_read_week(rd, g, "to_week", -1, &p->to)) ||
        (st = itp_ep_window_order(rd, g, p->from, p->to)) ||
        (st = itp_rd_int_or(rd, g, "rescue_exclusion_days", 0, 365, 28, &p->rescue_excl)))
        return st;
    return by_days ? itp_rd_int(rd, g, NULL, "days", 1, 3650, &p->needed)
                   : itp_rd_int_or(rd, g, "at_least", 1, 520, 2, &p->needed);
}

static itp_status occ_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    (void)scn;
    return occ_read(rd, g, out, 0);
}

static itp_status cum_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    (void)scn;
    return occ_read(rd, g, out, 1);
}

/* Over the scheduled counts of the window within the information: the
 * qualifying ones, and the days they stand for. */
static void occ_count(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                      int end, int *hits, int *days)
{
    const itp_visit *v = itp_ep_visits_of(rec, pt);
    int prev = -1;   /* the last qualifying count's day, until the next count */
    *hits = *days = 0;
    for (int i = 0; i < pt->n_visits && v[i].day <= end && v[i].day <= p->to; i++) {
        if (!v[i].scheduled || v[i].day < p->from)
            continue;
        if (prev >= 0)
            *days += v[i].day - prev;
        prev = -1;
        if (itp_ep_qualifies(p, rec, pt, &v[i])) {
            ++*hits;
            prev = v[i].day;
        }
    }
    /* the last one stands for the days to the window's end, within the
     * information */
    if (prev >= 0)
        *days += (p->to < end ? p->to : end) + 1 - prev;
}

static void occ_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                     const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = itp_ep_end_of_info(pt, limit), hits = 0, days = 0;
    (void)scn;
    if (pt->followup_days >= 0)
        occ_count(p, rec, pt, end, &hits, &days);
    int hit = (p->by_days ? days : hits) >= p->needed;
    *out = (itp_outcome){hit || itp_ep_evaluable(pt, p->to, end), hit, 0, -1};
}

/* response_at is settled at its visit. */
static int ra_horizon(const void *vp)
{
    return ((const resp_params *)vp)->week_day;
}

/* ---- the rules in words --------------------------------------------------------- */

static void ttr_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    itp_ep_cat(buf, len, "Time to response: the first ");
    if (p->consecutive > 1)
        itp_ep_cat(buf, len, "of %d consecutive scheduled counts ", p->consecutive);
    else
        itp_ep_cat(buf, len, "scheduled count ");
    itp_ep_cat_level(buf, len, p);
    itp_ep_cat(buf, len, " up to week %g", p->to / 7.0);
    itp_ep_cat_rescue_excl(buf, len, p);
    itp_ep_cat(buf, len, "; censored at the last scheduled count");
}

static void cr_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    itp_ep_cat(buf, len, "Confirmed response: %d consecutive scheduled counts ", p->consecutive);
    itp_ep_cat_level(buf, len, p);
    itp_ep_cat(buf, len, " within ");
    itp_ep_cat_weeks(buf, len, p->from, p->to);
    itp_ep_cat_rescue_excl(buf, len, p);
}

static void ra_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    itp_ep_cat(buf, len, "Response at week %g: the scheduled count of that week ",
               p->week_day / 7.0);
    itp_ep_cat_level(buf, len, p);
    if (p->rescue_excl > 0)
        itp_ep_cat(buf, len, ", no rescue in the %d days before it", p->rescue_excl);
    itp_ep_cat(buf, len, ", no new therapy by then");
}

static void iwg_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    itp_ep_cat(buf, len, "%s (IWG): 2 scheduled counts ",
               p->times_baseline > 0 ? "Response" : "Complete response");
    itp_ep_cat_level(buf, len, p);
    itp_ep_cat(buf, len, " >= 7 days apart within ");
    itp_ep_cat_weeks(buf, len, p->from, p->to);
    itp_ep_cat(buf, len, ", no loss (2 low counts in a row) between them");
    if (p->rescue_excl > 0)
        itp_ep_cat(buf, len, ", a count within %d days after a rescue not evaluable",
                   p->rescue_excl);
}

static void occ_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    if (p->by_days) {
        itp_ep_cat(buf, len, "Cumulative response: >= %d days with a count ", p->needed);
        itp_ep_cat_level(buf, len, p);
        itp_ep_cat(buf, len, " within ");
        itp_ep_cat_weeks(buf, len, p->from, p->to);
        itp_ep_cat(buf, len, " (each qualifying scheduled count standing for the days to the "
                             "next)");
    } else {
        itp_ep_cat(buf, len, "Response on occasions: a count ");
        itp_ep_cat_level(buf, len, p);
        itp_ep_cat(buf, len, " at >= %d scheduled visits of ", p->needed);
        itp_ep_cat_weeks(buf, len, p->from, p->to);
    }
    itp_ep_cat_rescue_excl(buf, len, p);
}

const itp_endpoint_type itp_ep_time_to_response = {"time_to_response", ITP_EP_TIME, 0, ttr_keys,
                                                   ttr_causes, ttr_parse, ttr_eval, NULL,
                                                   ttr_describe};
const itp_endpoint_type itp_ep_confirmed_response = {"confirmed_response", ITP_EP_BINARY, 0, cr_keys,
                                                     NULL, cr_parse, cr_eval, itp_ep_window_horizon,
                                                     cr_describe};
const itp_endpoint_type itp_ep_response_at = {"response_at", ITP_EP_BINARY, 0, ra_keys, NULL,
                                              ra_parse, ra_eval, ra_horizon, ra_describe};
const itp_endpoint_type itp_ep_iwg_response = {"iwg_response", ITP_EP_BINARY, 0, iwg_keys, NULL,
                                               iwg_parse, iwg_eval, itp_ep_window_horizon,
                                               iwg_describe};
const itp_endpoint_type itp_ep_occasions = {"occasions", ITP_EP_BINARY, 0, occ_keys, NULL,
                                            occ_parse, occ_eval, itp_ep_window_horizon,
                                            occ_describe};
const itp_endpoint_type itp_ep_cumulative_days = {"cumulative_days", ITP_EP_BINARY, 0, cum_keys,
                                                  NULL, cum_parse, occ_eval,
                                                  itp_ep_window_horizon, occ_describe};
