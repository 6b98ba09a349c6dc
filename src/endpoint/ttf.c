/* The time to treatment failure rule (VAYHIT2: NCT05653219; NEJM 2025); see
 * endpoint.h. */
#include "itpsim/endpoint.h"
#include "itpsim/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

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
              (st = itp_ep_read_week(rd, c, "after_week", 0.0, &p->count_after)) ||
              (st = itp_rd_bool_or(rd, c, "scheduled_only", 0, &p->scheduled_only))))
        return st;
    if (r && (st = itp_ep_read_week(rd, r, "after_week", 0.0, &p->rescue_after)))
        return st;
    p->taper_by = ITP_NEVER; /* default: each patient's own taper deadline */
    if (t && itp_member(t, "by_week") && (st = itp_ep_read_week(rd, t, "by_week", -1.0, &p->taper_by)))
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
    const itp_visit *v = itp_ep_visits_of(rec, pt);
    int end = itp_ep_end_of_info(pt, limit), best = NEVER_DAY, why = -1, last_visit = -1;
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
        candidate(itp_patient_event(rec, pt, ITP_EV_TAPER_INELIGIBLE, 0), C_TAPER, &best, &why);
        candidate(itp_patient_event(rec, pt, ITP_EV_TAPER_FAIL, 0), C_TAPER, &best, &why);
        /* Still on the TPO-RA at the deadline. By default the deadline is
         * the component's own taper end, which records whoever is still
         * on the drug then (dosed or held); a by_week of the endpoint's
         * own is judged on the dose at the last count up to it. */
        int done = itp_patient_taper_end(rec, pt);
        if (p->taper_by == ITP_NEVER) {
            candidate(itp_patient_event(rec, pt, ITP_EV_TAPER_UNABLE, 0), C_TAPER, &best, &why);
        } else if (done == ITP_NEVER || done > p->taper_by) {
            int on = 0;
            for (int i = 0; i < pt->n_visits && v[i].day <= p->taper_by; i++)
                on = (v[i].on & ITP_ON_TPO_RA) != 0;
            if (on)
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

/* An event seen is final at once, except with a taper judged by a week of
 * the endpoint's own: a taper completed before it counts only if it does
 * not fail later, which may be seen up to the component's own taper end
 * (after the event), so the rule is judged on the whole follow-up. */
static int ttf_horizon(const void *vp)
{
    const ttf_params *p = vp;
    return p->taper_on && p->taper_by != ITP_NEVER ? ITP_FAR_DAY : 0;
}

/* "Time to treatment failure: the first of a count < 30 ×10⁹/L after week
 * 8, ..., death", the components in the order ttf_eval ranks them. */
static void ttf_describe(const void *vp, const itp_scenario *scn, char *buf, size_t len)
{
    const ttf_params *p = vp;
    char part[6][96];
    int n = 0;
    if (p->count_on) {
        snprintf(part[n], sizeof part[n], "a%s count < %g " ITP_EP_COUNT_UNIT,
                 p->scheduled_only ? " scheduled" : "", p->below);
        if (p->count_after > 0)
            itp_ep_cat(part[n], sizeof part[n], " after week %g", p->count_after / 7.0);
        n++;
    }
    if (p->rescue_on) {
        snprintf(part[n], sizeof part[n], "rescue");
        if (p->rescue_after > 0)
            itp_ep_cat(part[n], sizeof part[n], " after week %g", p->rescue_after / 7.0);
        n++;
    }
    if (p->new_therapy)
        snprintf(part[n++], sizeof part[0], "new ITP therapy");
    if (p->taper_on && p->taper_by == ITP_NEVER)
        snprintf(part[n++], sizeof part[0], "inability to complete the TPO-RA taper by its end");
    else if (p->taper_on)
        snprintf(part[n++], sizeof part[0], "inability to complete the TPO-RA taper by week %g",
                 p->taper_by / 7.0);
    if (p->death)
        snprintf(part[n++], sizeof part[0], "death");
    /* the hazard model's own failure time always counts */
    int hazard = scn && !scn->model->has_visits;
    if (hazard)
        snprintf(part[n++], sizeof part[0], "the hazard model's treatment failure");
    itp_ep_cat(buf, len, "Time to treatment failure: %s", n > 1 ? "the first of " : "");
    for (int i = 0; i < n; i++)
        itp_ep_cat(buf, len, "%s%s", i ? ", " : "", part[i]);
    if (n == 0)
        itp_ep_cat(buf, len, "no component enabled (no event)");
    itp_ep_cat(buf, len, "; censored at the last %s",
               p->censor_contact ? "contact" : hazard ? "day of follow-up" : "count");
}

const itp_endpoint_type itp_ep_ttf = {"ttf", ITP_EP_TIME, 1, ttf_keys, ttf_causes,
                                      ttf_parse, ttf_eval, ttf_horizon, ttf_describe};
