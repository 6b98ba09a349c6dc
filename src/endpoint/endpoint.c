/* Endpoint rules: the table of rule types, reading the endpoints section
 * and evaluating every endpoint of every patient, and the helpers the rules
 * share; the rules are in ttf.c, response.c, window.c and taper.c. See
 * endpoint.h. */
#include "itpsim/endpoint.h"
#include "itpsim/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* ---- shared helpers -------------------------------------------------------- */

int itp_ep_end_of_info(const itp_patient *pt, int limit)
{
    return pt->last_day < limit ? pt->last_day : limit;
}

int itp_ep_window_horizon(const void *params)
{
    return ((const resp_params *)params)->to;
}

/* Died or withdrew on or before `day` (within the information). */
int itp_ep_gone_by(const itp_patient *pt, int day, int end)
{
    return (pt->death != ITP_NEVER && pt->death <= day && pt->death <= end) ||
           (pt->dropout != ITP_NEVER && pt->dropout <= day && pt->dropout <= end);
}

/* A binary endpoint judged at `day` is evaluable when the information
 * reaches that day or the patient died or withdrew before it. */
int itp_ep_evaluable(const itp_patient *pt, int day, int end)
{
    return pt->followup_days >= 0 && (end >= day || itp_ep_gone_by(pt, day, end));
}

int itp_ep_rescue_between(const itp_record *rec, const itp_patient *pt, int a, int b)
{
    for (int r = 0; r < pt->n_rescue; r++) {
        int d = rec->rescue_days[pt->rescue_first + (size_t)r];
        if (d >= a && d <= b)
            return 1;
    }
    return 0;
}

int itp_ep_scheduled_in(const itp_scenario *scn, int a, int b)
{
    int n = 0;
    for (int i = 0; i < scn->n_visits; i++)
        n += scn->visit_day[i] >= a && scn->visit_day[i] <= b;
    return n;
}

const itp_visit *itp_ep_visits_of(const itp_record *rec, const itp_patient *pt)
{
    return rec->visits + pt->visit_first;
}

itp_status itp_ep_read_week(itp_reader *rd, const config_setting_t *g, const char *name,
                            double dflt_week, int *day)
{
    double w;
    itp_status st = dflt_week < 0 ? itp_rd_double(rd, g, NULL, name, ITP_CLOSED(0, 1100), &w)
                                  : itp_rd_double_or(rd, g, name, ITP_CLOSED(0, 1100), dflt_week, &w);
    if (!st)
        *day = (int)lround(w * 7.0);
    return st;
}

itp_status itp_ep_window_order(itp_reader *rd, const config_setting_t *g, int from, int to)
{
    if (to < from)
        return itp_rd_fail(rd, itp_member(g, "to_week"), "expected to_week >= from_week");
    return ITP_OK;
}

/* New ITP therapy started on or before day. */
int itp_ep_new_therapy_by(const itp_patient *pt, int day)
{
    return pt->new_therapy != ITP_NEVER && pt->new_therapy <= day;
}

/* A rule's settings, zeroed, as *out (the caller frees it with the
 * endpoint); NULL when out of memory. */
resp_params *itp_ep_resp_new(void **out)
{
    resp_params *p = calloc(1, sizeof *p);
    *out = p;
    return p;
}

/* ---- the rules in words ---------------------------------------------------- */

void itp_ep_cat(char *buf, size_t len, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, len - n, fmt, ap);
    va_end(ap);
}

void itp_ep_cat_level(char *buf, size_t len, const resp_params *p)
{
    itp_ep_cat(buf, len, ">= %g " ITP_EP_COUNT_UNIT, p->threshold);
    if (p->times_baseline > 0)
        itp_ep_cat(buf, len, " and >= %g\u00d7 the baseline", p->times_baseline);
}

void itp_ep_cat_weeks(char *buf, size_t len, int from, int to)
{
    if (from == to)
        itp_ep_cat(buf, len, "week %g", from / 7.0);
    else
        itp_ep_cat(buf, len, "weeks %g-%g", from / 7.0, to / 7.0);
}

void itp_ep_cat_rescue_excl(char *buf, size_t len, const resp_params *p)
{
    if (p->rescue_excl > 0)
        itp_ep_cat(buf, len, ", a count within %d days after a rescue not counting",
                   p->rescue_excl);
}

void itp_endpoint_describe(const itp_scenario *scn, int e, char *buf, size_t len)
{
    const itp_endpoint *ep = &scn->endpoints[e];
    if (!len)
        return;
    buf[0] = '\0';
    if (ep->type->describe)
        ep->type->describe(ep->params, scn, buf, len);
    else
        itp_ep_cat(buf, len, "%s", ep->type->name);
    if (ep->among >= 0)
        itp_ep_cat(buf, len, "; judged among the patients meeting %s",
                   scn->endpoints[ep->among].name);
}

/* ---- the table ------------------------------------------------------------------ */


const itp_endpoint_type *const itp_endpoint_types[] = {
    &itp_ep_ttf, &itp_ep_time_to_response, &itp_ep_stable_response, &itp_ep_confirmed_response,
    &itp_ep_response_at, &itp_ep_iwg_response, &itp_ep_sustained_remission, &itp_ep_occasions,
    &itp_ep_cumulative_days, &itp_ep_taper_started, NULL};

const itp_endpoint_type *itp_endpoint_type_find(const char *name)
{
    for (int i = 0; itp_endpoint_types[i]; i++)
        if (strcmp(itp_endpoint_types[i]->name, name) == 0)
            return itp_endpoint_types[i];
    return NULL;
}

/* `among`: a binary endpoint judged only among the patients who met an
 * earlier binary endpoint (VAYHIT3's stable response among responders;
 * remission off treatment among those who began the taper). */
static itp_status read_among(itp_reader *rd, const config_setting_t *e, itp_scenario *scn,
                             int i)
{
    itp_endpoint *ep = &scn->endpoints[i];
    char name[ITP_NAME_MAX];
    itp_status st = itp_rd_string(rd, e, "among", "", name, sizeof name);
    ep->among = -1;
    if (st || !name[0])
        return st;
    for (int j = 0; j < i; j++)
        if (strcmp(scn->endpoints[j].name, name) == 0) {
            if (ep->type->kind != ITP_EP_BINARY || scn->endpoints[j].type->kind != ITP_EP_BINARY)
                return itp_rd_fail(rd, itp_member(e, "among"),
                                   "among: both endpoints must be binary");
            ep->among = j;
            return ITP_OK;
        }
    return itp_rd_fail(rd, itp_member(e, "among"),
                       "among: no binary endpoint '%s' listed before this one", name);
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
        if ((st = itp_rd_name(rd, e, ep->name, sizeof ep->name)) ||
            (st = itp_rd_string(rd, e, "type", NULL, type, sizeof type)))
            return st;
        ep->type = itp_endpoint_type_find(type);
        if (!ep->type) {
            char names[256];
            itp_type_names((const void *const *)itp_endpoint_types, 0, names, sizeof names);
            return itp_rd_fail(rd, itp_member(e, "type"), "unknown endpoint type '%s' (known: %s)",
                               type, names);
        }
        if (ep->type->kind == ITP_EP_BINARY && !scn->model->has_visits)
            return itp_rd_fail(rd, e, "a %s endpoint needs visits; model \"%s\" has none",
                               type, scn->model->name);
        if ((st = itp_rd_keys_plus(rd, e, ep->type->keys, "among", NULL)))
            return st;
        scn->n_endpoints = i + 1;
        if ((st = ep->type->parse(rd, e, scn, &ep->params)) || (st = read_among(rd, e, scn, i)))
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
        itp_outcome *o = &out[(size_t)i * (size_t)scn->n_endpoints];
        for (int e = 0; e < scn->n_endpoints; e++) {
            const itp_endpoint *ep = &scn->endpoints[e];
            ep->type->eval(ep->params, scn, rec, pt, lim, &o[e]);
            if (ep->among >= 0 && !(o[ep->among].included && o[ep->among].event))
                o[e].included = 0;
        }
    }
}

int itp_endpoints_settled(const itp_scenario *scn, const itp_record *rec, const itp_patient *pt,
                          int day)
{
    for (int e = 0; e < scn->n_endpoints; e++) {
        const itp_endpoint *ep = &scn->endpoints[e];
        if (ep->type->kind == ITP_EP_BINARY &&
            !(ep->type->horizon && day >= ep->type->horizon(ep->params)))
            return 0;
    }
    /* the record as it is: its information ends today */
    itp_patient now = *pt;
    now.last_day = day;
    for (int e = 0; e < scn->n_endpoints; e++) {
        const itp_endpoint *ep = &scn->endpoints[e];
        itp_outcome o;
        if (ep->type->kind != ITP_EP_TIME)
            continue;
        if (ep->type->horizon && day < ep->type->horizon(ep->params))
            return 0;
        ep->type->eval(ep->params, scn, rec, &now, day, &o);
        if (!(o.included && o.event && o.time <= day))
            return 0;
    }
    return 1;
}
