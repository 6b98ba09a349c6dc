/* Growable per-replicate record buffers. */
#include "itpsim/record.h"

#include <math.h>
#include <stdlib.h>
#include "itpsim/error.h"

void itp_record_init(itp_record *rec)
{
    *rec = (itp_record){0};
}

int itp_record_reset(itp_record *rec, int n)
{
    if (n > rec->cap_patients) {
        itp_patient *p = realloc(rec->patients, (size_t)n * sizeof *p);
        if (!p)
            return ITP_ENOMEM;
        rec->patients = p;
        rec->cap_patients = n;
    }
    rec->n_patients = n;
    rec->n_visits = 0;
    rec->n_rescue_days = 0;
    rec->n_events = 0;
    return ITP_OK;
}

void itp_record_free(itp_record *rec)
{
    free(rec->patients);
    free(rec->visits);
    free(rec->rescue_days);
    free(rec->events);
    itp_record_init(rec);
}

/* buf (n elements of `size` bytes used of *cap) with room for one more:
 * buf itself, or moved to twice the room (at first `first`); NULL when
 * out of memory (buf stays as it was). */
static void *grow(void *buf, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap)
        return buf;
    size_t c = *cap ? 2 * *cap : first;
    void *p = realloc(buf, c * size);
    if (p)
        *cap = c;
    return p;
}

int itp_record_add_visit(itp_record *rec, const itp_visit *v)
{
    itp_visit *p = grow(rec->visits, rec->n_visits, &rec->cap_visits, sizeof *p, 4096);
    if (!p)
        return ITP_ENOMEM;
    rec->visits = p;
    p[rec->n_visits++] = *v;
    return ITP_OK;
}

int itp_record_add_rescue(itp_record *rec, int day)
{
    int *p = grow(rec->rescue_days, rec->n_rescue_days, &rec->cap_rescue_days, sizeof *p, 256);
    if (!p)
        return ITP_ENOMEM;
    rec->rescue_days = p;
    p[rec->n_rescue_days++] = day;
    return ITP_OK;
}

int itp_record_add_event(itp_record *rec, const itp_event *e)
{
    itp_event *p = grow(rec->events, rec->n_events, &rec->cap_events, sizeof *p, 1024);
    if (!p)
        return ITP_ENOMEM;
    rec->events = p;
    p[rec->n_events++] = *e;
    return ITP_OK;
}

const char *itp_event_name(int kind)
{
    static const char *const names[ITP_EV_KINDS] = {
        [ITP_EV_DOSE] = "dose",
        [ITP_EV_HOLD] = "hold",
        [ITP_EV_RESUME] = "resume",
        [ITP_EV_STOP_NO_RESPONSE] = "stop_no_response",
        [ITP_EV_STOP] = "stop",
        [ITP_EV_TAPER_PLAN] = "taper_plan",
        [ITP_EV_TAPER_START] = "taper_start",
        [ITP_EV_TAPER_STEP] = "taper_step",
        [ITP_EV_TAPER_END] = "taper_end",
        [ITP_EV_TAPER_FAIL] = "taper_fail",
        [ITP_EV_TAPER_INELIGIBLE] = "taper_ineligible",
        [ITP_EV_TAPER_UNABLE] = "taper_unable",
        [ITP_EV_RESTART] = "restart",
        [ITP_EV_INFUSION] = "infusion",
        [ITP_EV_COURSE] = "course",
        [ITP_EV_COURSE_SKIPPED] = "course_skipped",
        [ITP_EV_COURSE_END] = "course_end",
        [ITP_EV_RESCUE] = "rescue",
    };
    return kind >= 0 && kind < ITP_EV_KINDS && names[kind] ? names[kind] : "unknown";
}

int itp_patient_event(const itp_record *rec, const itp_patient *pt, int kind, int from)
{
    const itp_event *e = rec->events + pt->event_first;
    for (int i = 0; i < pt->n_events; i++)
        if (e[i].kind == kind && e[i].day >= from)
            return e[i].day;
    return ITP_NEVER;
}

int itp_patient_taper_end(const itp_record *rec, const itp_patient *pt)
{
    const itp_event *e = rec->events + pt->event_first;
    for (int i = 0; i < pt->n_events; i++) {
        if (e[i].kind != ITP_EV_TAPER_END)
            continue;
        int failed = 0;   /* the same drug's taper failed after it */
        for (int j = i + 1; j < pt->n_events && !failed; j++)
            failed = e[j].kind == ITP_EV_TAPER_FAIL && e[j].comp == e[i].comp;
        if (!failed)
            return e[i].day;
    }
    return ITP_NEVER;
}

void itp_patient_clear_events(itp_patient *pt)
{
    pt->new_therapy = ITP_NEVER;
    pt->death = pt->dropout = pt->failure = ITP_NEVER;
    pt->remission_onset = pt->remission_end = ITP_NEVER;
    pt->n_rescue = pt->n_bleed = 0;
    pt->n_visits = 0;
    pt->n_events = 0;
}

int itp_patient_begin(itp_patient *pt, const itp_record *rec)
{
    itp_patient_clear_events(pt);
    pt->baseline = (double)NAN;
    pt->visit_first = rec->n_visits;
    pt->rescue_first = rec->n_rescue_days;
    pt->event_first = rec->n_events;
    if (pt->followup_days < 0) {
        pt->last_day = ITP_NEVER;
        return 0;
    }
    return 1;
}
