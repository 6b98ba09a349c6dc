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
    return ITP_OK;
}

void itp_record_free(itp_record *rec)
{
    free(rec->patients);
    free(rec->visits);
    free(rec->rescue_days);
    itp_record_init(rec);
}

int itp_record_add_visit(itp_record *rec, const itp_visit *v)
{
    if (rec->n_visits == rec->cap_visits) {
        size_t cap = rec->cap_visits ? 2 * rec->cap_visits : 4096;
        itp_visit *p = realloc(rec->visits, cap * sizeof *p);
        if (!p)
            return ITP_ENOMEM;
        rec->visits = p;
        rec->cap_visits = cap;
    }
    rec->visits[rec->n_visits++] = *v;
    return ITP_OK;
}

int itp_record_add_rescue(itp_record *rec, int day)
{
    if (rec->n_rescue_days == rec->cap_rescue_days) {
        size_t cap = rec->cap_rescue_days ? 2 * rec->cap_rescue_days : 256;
        int *p = realloc(rec->rescue_days, cap * sizeof *p);
        if (!p)
            return ITP_ENOMEM;
        rec->rescue_days = p;
        rec->cap_rescue_days = cap;
    }
    rec->rescue_days[rec->n_rescue_days++] = day;
    return ITP_OK;
}

void itp_patient_clear_events(itp_patient *pt)
{
    pt->taper_start = pt->taper_end = pt->taper_fail = ITP_NEVER;
    pt->taper_ineligible = pt->tpo_stop = pt->new_therapy = ITP_NEVER;
    pt->taper_deadline = pt->taper_unable = pt->tpo_restart = ITP_NEVER;
    pt->death = pt->dropout = pt->failure = ITP_NEVER;
    pt->remission_onset = pt->remission_end = ITP_NEVER;
    pt->n_rescue = pt->n_bleed = 0;
    pt->n_visits = 0;
}

int itp_patient_begin(itp_patient *pt, const itp_record *rec)
{
    itp_patient_clear_events(pt);
    pt->baseline = (double)NAN;
    pt->visit_first = rec->n_visits;
    pt->rescue_first = rec->n_rescue_days;
    if (pt->followup_days < 0) {
        pt->last_day = ITP_NEVER;
        return 0;
    }
    return 1;
}
