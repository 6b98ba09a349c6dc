/* What a simulated trial observes of each patient: the per-patient record
 * and the visit record. Produced by the trial module, read by the endpoint
 * rules and the writers. Days count from randomisation (day 0). */
#ifndef ITPSIM_RECORD_H
#define ITPSIM_RECORD_H

#include <stddef.h>

#define ITP_NEVER (-1) /* an event day that did not happen */

typedef struct itp_patient {
    int id;                 /* 0-based enrolment order */
    int arm;                /* index into scenario arms */
    int stratum;            /* combined stratum index, 0..n_strata-1 */
    double enrol_day;       /* calendar day of randomisation, from trial start */
    double baseline;        /* observed count at day 0 (10^9/L); NaN: no counts */
    int followup_days;      /* planned follow-up: data cut or maximum */
    int last_day;           /* last contact: end of follow-up, death or dropout */
    int taper_start;        /* first TPO-RA taper step */
    int taper_end;          /* TPO-RA stopped after a completed taper */
    int taper_fail;         /* taper abandoned: count too low during it */
    int taper_ineligible;   /* taper decision day, not eligible */
    int taper_deadline;     /* the TPO-RA taper's planned end (no record: NEVER) */
    int taper_unable;       /* still on the TPO-RA (dosed or held) at that end */
    int tpo_stop;           /* TPO-RA stopped for no response */
    int tpo_restart;        /* TPO-RA restarted after a relapse off it (taper done) */
    int new_therapy;        /* new ITP therapy started */
    int death, dropout;     /* day of death / of dropout */
    int failure;            /* hazard model only: day of treatment failure */
    int remission_onset;    /* latent: first day in remission (not observed) */
    int remission_end;      /* latent: day the remission ended */
    int n_rescue;           /* rescue episodes */
    int n_bleed;            /* bleeding events (each also triggers rescue) */
    size_t rescue_first;    /* index of the first rescue day in the record */
    size_t visit_first;     /* index of the first visit in the record */
    int n_visits;
} itp_patient;

typedef struct itp_visit {
    int day;          /* day of the count */
    float count;      /* observed platelet count, 10^9/L (rounded) */
    float tpo_dose;   /* TPO-RA dose given that day, mg */
    unsigned char rescue;    /* a rescue started after the previous visit, up to this day */
    unsigned char scheduled; /* 1 scheduled visit, 0 unscheduled check */
    unsigned char new_therapy; /* on new ITP therapy that day */
} itp_visit;

/* One replicate's record. Buffers grow as needed and are reused between
 * replicates (itp_record_reset keeps the memory). */
typedef struct itp_record {
    int n_patients;
    itp_patient *patients;   /* [n_patients] */
    itp_visit *visits;       /* [n_visits], patient by patient, by day */
    size_t n_visits, cap_visits;
    int *rescue_days;        /* [n_rescue_days], patient by patient */
    size_t n_rescue_days, cap_rescue_days;
    int cap_patients;
    double cut_day;          /* calendar day of the data cut (inf: event-driven) */
} itp_record;

/* Zeroes a record (no memory yet). */
void itp_record_init(itp_record *rec);
/* Makes room for n patients and empties the visits and rescue days,
 * keeping the memory. Returns ITP_ENOMEM when it cannot grow. */
int itp_record_reset(itp_record *rec, int n);
void itp_record_free(itp_record *rec);
/* Append one visit / one rescue day; 0 or ITP_ENOMEM. */
int itp_record_add_visit(itp_record *rec, const itp_visit *v);
int itp_record_add_rescue(itp_record *rec, int day);
/* Marks every event of a patient as not happened, keeping id, arm,
 * stratum, enrolment and follow-up. */
void itp_patient_clear_events(itp_patient *pt);
/* Starts a patient's record at the end of rec: events cleared, no baseline
 * count yet, visits and rescue days from here. Returns 0 when the patient
 * was randomised after the data cut (followup_days < 0: nothing to
 * simulate), 1 otherwise. */
int itp_patient_begin(itp_patient *pt, const itp_record *rec);

#endif
