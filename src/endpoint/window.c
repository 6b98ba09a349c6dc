/* Rules on a window of scheduled visits: stable response (VAYHIT2's SR6)
 * and sustained remission off the TPO-RA (TAPER, SROT); and whether the
 * TPO-RA's taper began (the denominator of SROT's rate among those who
 * began it); see endpoint.h. */
#include "itpsim/endpoint.h"
#include "itpsim/component.h"
#include "itpsim/model.h"
#include "itpsim/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* ---- windows of scheduled visits (stable_response, sustained_remission) ---- */

/* `anchor`: the window's weeks counted from a taper instead of
 * randomisation, so that it moves with the taper (a sweep over the taper's
 * start): "taper_start" or "taper_end" of the scenario's one component
 * with a taper on fixed days, or "COMPONENT.taper_start" / ".taper_end"
 * naming it. The anchor's day in *day and its words in what ("taper
 * start of NAME (week W)"); 0 and "" (randomisation) without one. */
static itp_status read_anchor(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                              int *day, char *what, size_t whatlen)
{
    char a[2 * ITP_NAME_MAX];
    itp_status st;
    *day = 0;
    what[0] = '\0';
    if (!itp_member(g, "anchor"))
        return ITP_OK;
    if ((st = itp_rd_string(rd, g, "anchor", NULL, a, sizeof a)))
        return st;
    const config_setting_t *s = itp_member(g, "anchor");
    char *dot = strrchr(a, '.');
    const char *point = dot ? dot + 1 : a;
    int at_end = strcmp(point, "taper_end") == 0;
    if (!at_end && strcmp(point, "taper_start") != 0)
        return itp_rd_fail(rd, s, "expected \"taper_start\" or \"taper_end\" (or "
                           "\"COMPONENT.taper_start\"), got \"%s\"", a);
    if (dot)
        *dot = '\0';
    /* the component named, or the scenario's one with a taper on fixed days */
    int found = dot ? itp_scenario_component(scn, a) : -1, n = 0;
    if (dot && found < 0)
        return itp_rd_fail(rd, s, "no component '%s'", a);
    for (int c = dot ? found : 0; c < (dot ? found + 1 : scn->n_components); c++) {
        const itp_component *comp = &scn->components[c];
        int start, end;
        if (comp->type->taper_days && comp->type->taper_days(comp->params, &start, &end)) {
            n++;
            found = c;
            *day = at_end ? end : start;
        }
    }
    if (n == 0)
        return itp_rd_fail(rd, s, "%s%s has no taper on fixed weeks to anchor the window to "
                           "(a taper started by response has no fixed start or end)",
                           dot ? "component " : "the scenario", dot ? a : "");
    if (n > 1)
        return itp_rd_fail(rd, s, "several components have a taper: name one, as "
                           "\"COMPONENT.%s\"", point);
    snprintf(what, whatlen, "%s of %s (week %g)", at_end ? "taper end" : "taper start",
             scn->components[found].name, *day / 7.0);
    return ITP_OK;
}

/* from_week or to_week: weeks from the anchor (negative: before it) as a
 * study day, which must be on or after randomisation. */
static itp_status read_anchored_week(itp_reader *rd, const config_setting_t *g, const char *name,
                                     int anchor, int anchored, int *day)
{
    double w;
    itp_status st;
    if (!anchored)
        return itp_ep_read_week(rd, g, name, -1, day);
    if ((st = itp_rd_double(rd, g, NULL, name, ITP_CLOSED(-1100, 1100), &w)))
        return st;
    *day = anchor + (int)lround(w * 7.0);
    if (*day < 0)
        return itp_rd_fail(rd, itp_member(g, name), "%g weeks from the anchor (week %g) is "
                           "before randomisation", w, anchor / 7.0);
    return ITP_OK;
}

/* threshold, from_week and to_week (from randomisation, or from the
 * anchor), with at least one scheduled visit in the window, and
 * rescue_from_week (always from randomisation): the start of the period
 * without rescue, which ends with the window. Its default is randomisation
 * (week 0): a rescue shortly before the window still lifts its first
 * counts (for about 2 weeks), so by default any rescue rules the response
 * out, as in the romiplostim pivotal trials' durable response, which
 * excluded patients given rescue medication at any time (Kuter et al.,
 * Lancet 2008). A scenario may start it later (VAYHIT2: week 8, the end of
 * the TTF grace period); a rescue on the day of rescue_from_week itself
 * counts. An anchored window's weeks from randomisation are logged
 * (endpoints.NAME.window_weeks). */
itp_status itp_ep_read_window(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                              resp_params *p)
{
    int anchor;
    itp_status st;
    if ((st = itp_ep_read_threshold(rd, g, p)) ||
        (st = read_anchor(rd, g, scn, &anchor, p->anchored, sizeof p->anchored)) ||
        (st = read_anchored_week(rd, g, "from_week", anchor, p->anchored[0] != '\0', &p->from)) ||
        (st = read_anchored_week(rd, g, "to_week", anchor, p->anchored[0] != '\0', &p->to)) ||
        (st = itp_ep_window_order(rd, g, p->from, p->to)) ||
        (st = itp_ep_read_week(rd, g, "rescue_from_week", 0.0, &p->rescue_from)))
        return st;
    if (p->rescue_from > p->to)
        return itp_rd_fail(rd, itp_member(g, "rescue_from_week"),
                           "expected rescue_from_week <= the window's end (week %g from "
                           "randomisation)", p->to / 7.0);
    if (itp_ep_scheduled_in(scn, p->from, p->to) == 0)
        return itp_rd_fail(rd, g, "no scheduled visit between weeks %g and %g", p->from / 7.0,
                           p->to / 7.0);
    if (!p->anchored[0])
        return ITP_OK;
    char path[2 * ITP_NAME_MAX + 32], value[64], origin[sizeof p->anchored + 16];
    snprintf(path, sizeof path, "endpoints.%s.window_weeks", config_setting_name(g));
    snprintf(value, sizeof value, "[%g, %g]", p->from / 7.0, p->to / 7.0);
    snprintf(origin, sizeof origin, "from the %s", p->anchored);
    return itp_rd_log(rd, path, value, origin);
}

/* Scheduled counts >= threshold in the window, within the information;
 * only those on a day with none of the p->off flags (sustained_remission). */
int itp_ep_window_hits(const resp_params *p, const itp_record *rec, const itp_patient *pt,
                       int end)
{
    const itp_visit *v = itp_ep_visits_of(rec, pt);
    int hits = 0;
    for (int i = 0; i < pt->n_visits && v[i].day <= end && v[i].day <= p->to; i++)
        hits += v[i].scheduled && v[i].day >= p->from && (double)v[i].count >= itp_ep_level(p, pt) &&
                !(v[i].on & p->off);
    return hits;
}

/* No rescue from rescue_from_week to the window's end, and no new therapy
 * at any time up to the window's end. */
int itp_ep_untreated(const resp_params *p, const itp_record *rec, const itp_patient *pt)
{
    return !itp_ep_rescue_between(rec, pt, p->rescue_from, p->to) &&
           !itp_ep_new_therapy_by(pt, p->to);
}

/* ---- binary: stable_response ---------------------------------------------- */

static const char *const sr_keys[] = {"type", "threshold", "times_baseline", "fraction", "from_week", "to_week",
                                      "rescue_from_week", "anchor", NULL};

static itp_status sr_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    resp_params *p = itp_ep_resp_new(out);
    itp_status st;
    if (!p)
        return ITP_ENOMEM;
    if ((st = itp_ep_read_window(rd, g, scn, p)) ||
        (st = itp_rd_double(rd, g, NULL, "fraction", ITP_POSITIVE(1.0), &p->fraction)))
        return st;
    return ITP_OK;
}

/* The share `fraction` of the window's scheduled visits with a qualifying
 * count (off the TPO-RA too, for sustained_remission), no rescue from
 * rescue_from_week to the window's end and no new therapy up to it. */
static void window_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                        const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = itp_ep_end_of_info(pt, limit);
    *out = (itp_outcome){itp_ep_evaluable(pt, p->to, end), 0, 0, -1};
    if (!out->included)
        return;
    int denom = itp_ep_scheduled_in(scn, p->from, p->to);
    out->event = itp_ep_window_hits(p, rec, pt, end) >= p->fraction * denom - 1e-9 &&
                 itp_ep_untreated(p, rec, pt);
}

/* ---- binary: sustained_remission ------------------------------------------------ */

static const char *const sro_keys[] = {"type", "threshold", "times_baseline", "from_week", "to_week",
                                       "rescue_from_week", "off", "anchor", NULL};

static itp_status sro_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                            void **out)
{
    resp_params *p = itp_ep_resp_new(out);
    char off[16];
    itp_status st;
    if (!p)
        return ITP_ENOMEM;
    /* off the TPO-RA (or every treatment of the arm) and >= threshold at
     * every scheduled visit */
    p->fraction = 1.0;
    if ((st = itp_rd_string(rd, g, "off", "tpo_ra", off, sizeof off)))
        return st;
    if (strcmp(off, "tpo_ra") == 0)
        p->off = ITP_ON_TPO_RA;
    else if (strcmp(off, "all") == 0)
        p->off = ITP_ON_TREATMENT;
    else
        return itp_rd_fail(rd, itp_member(g, "off"), "expected \"tpo_ra\" or \"all\", got '%s'",
                           off);
    return itp_ep_read_window(rd, g, scn, p);
}


/* ---- binary: taper_started ------------------------------------------------------ */

static const char *const ts_keys[] = {"type", "by_week", NULL};

static itp_status ts_parse(itp_reader *rd, const config_setting_t *g, const itp_scenario *scn,
                           void **out)
{
    resp_params *p = itp_ep_resp_new(out);
    (void)scn;
    if (!p)
        return ITP_ENOMEM;
    return itp_ep_read_week(rd, g, "by_week", -1, &p->to);
}

/* A TPO-RA of the arm took its first taper step on or before by_week. */
static void ts_eval(const void *vp, const itp_scenario *scn, const itp_record *rec,
                    const itp_patient *pt, int limit, itp_outcome *out)
{
    const resp_params *p = vp;
    int end = itp_ep_end_of_info(pt, limit);
    int day = itp_patient_event(rec, pt, ITP_EV_TAPER_START, 0);
    (void)scn;
    int started = day != ITP_NEVER && day <= p->to && day <= end;
    *out = (itp_outcome){started || itp_ep_evaluable(pt, p->to, end), started, 0, -1};
}

/* ", no rescue from week 8 to week 25, no new therapy by week 25" */
static void cat_untreated(char *buf, size_t len, const resp_params *p)
{
    if (p->rescue_from > 0)
        itp_ep_cat(buf, len, ", no rescue from week %g to week %g", p->rescue_from / 7.0,
                   p->to / 7.0);
    else
        itp_ep_cat(buf, len, ", no rescue up to week %g", p->to / 7.0);
    itp_ep_cat(buf, len, ", no new therapy by week %g", p->to / 7.0);
}

/* The window's weeks, and the taper it moves with. */
static void cat_window(char *buf, size_t len, const resp_params *p)
{
    itp_ep_cat_weeks(buf, len, p->from, p->to);
    if (p->anchored[0])
        itp_ep_cat(buf, len, ", moving with the %s", p->anchored);
}

static void sr_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    itp_ep_cat(buf, len, "Stable response: a count ");
    itp_ep_cat_level(buf, len, p);
    itp_ep_cat(buf, len, " at >= %g%% of the scheduled visits of ", 100.0 * p->fraction);
    cat_window(buf, len, p);
    cat_untreated(buf, len, p);
}

static void sro_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    itp_ep_cat(buf, len, "Sustained remission: off %s and a count ",
               p->off == ITP_ON_TPO_RA ? "the TPO-RA" : "every treatment of the arm");
    itp_ep_cat_level(buf, len, p);
    itp_ep_cat(buf, len, " at every scheduled visit of ");
    cat_window(buf, len, p);
    cat_untreated(buf, len, p);
}

static void ts_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const resp_params *p = vp;
    (void)scn;
    itp_ep_cat(buf, len, "Taper started: a first TPO-RA taper step by week %g", p->to / 7.0);
}

const itp_endpoint_type itp_ep_stable_response = {"stable_response", ITP_EP_BINARY, 0, sr_keys, NULL,
                                                  sr_parse, window_eval,
                                                  itp_ep_window_horizon, sr_describe};
const itp_endpoint_type itp_ep_sustained_remission = {"sustained_remission", ITP_EP_BINARY, 0, sro_keys,
                                                      NULL, sro_parse, window_eval,
                                                      itp_ep_window_horizon, sro_describe};
const itp_endpoint_type itp_ep_taper_started = {"taper_started", ITP_EP_BINARY, 0, ts_keys, NULL,
                                                ts_parse, ts_eval, itp_ep_window_horizon,
                                                ts_describe};
